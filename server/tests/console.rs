//! The admin console: admin setup and sign-in apart from customers, and
//! customer search with keyset pages, on every backend.

mod support;

use axum::http::{StatusCode, header};
use gatehouse::domain::Role;
use std::collections::HashSet;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_owner_sets_up_through_the_bootstrap_link() {
    on_each_backend(|app| async move {
        let link = gatehouse::directory::admins::bootstrap_link(&app.state)
            .await
            .unwrap()
            .expect("no admin yet");
        let path = &link[PUBLIC_URL.len()..];
        let token = link.split("token=").nth(1).unwrap().to_string();
        let mut browser = app.browser();
        browser
            .get(path)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("owner account");

        // Bad input changes nothing and keeps the link usable.
        let weak = browser
            .post(
                "/admin/setup",
                &[
                    ("token", &token),
                    ("email", "boss@example.com"),
                    ("display_name", "Boss"),
                    ("password", "short pass"),
                ],
            )
            .await;
        weak.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("at least 12");
        assert_eq!(app.state.store.count_admins().await.unwrap(), 0);

        let page = browser
            .post(
                "/admin/setup",
                &[
                    ("token", &token),
                    ("email", "Boss@Example.com"),
                    ("display_name", "Boss"),
                    ("password", ADMIN_PASSWORD),
                ],
            )
            .await;
        // The console opens only once the owner has set up a second factor.
        page.assert_redirect("/admin/login/enrol");
        let cookie = page
            .headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            cookie.starts_with("gatehouse_admin=")
                && cookie.contains("Path=/admin")
                && cookie.contains("HttpOnly"),
            "{cookie}"
        );
        browser
            .get("/admin/customers")
            .await
            .assert_redirect("/admin/login");
        app.admin_enrols(&mut browser).await;
        browser
            .get("/admin/customers")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Boss (owner)");
        assert!(
            gatehouse::directory::admins::bootstrap_link(&app.state)
                .await
                .unwrap()
                .is_none(),
            "no bootstrap once an owner exists"
        );

        // The link is spent.
        app.browser()
            .get(path)
            .await
            .assert_status(StatusCode::BAD_REQUEST);
    })
    .await;
}

/// Opens a setup link; returns the browser and the form that sets up an
/// owner with it.
async fn open_setup(app: &TestApp, link: &str) -> (Browser, String) {
    let mut browser = app.browser();
    browser
        .get(&link[PUBLIC_URL.len()..])
        .await
        .assert_status(StatusCode::OK);
    (browser, link.split("token=").nth(1).unwrap().to_string())
}

async fn set_up_owner(browser: &mut Browser, token: &str, email: &str) -> Page {
    browser
        .post(
            "/admin/setup",
            &[
                ("token", token),
                ("email", email),
                ("display_name", "Someone"),
                ("password", ADMIN_PASSWORD),
            ],
        )
        .await
}

/// A setup link made before anyone was admin stops working as soon as an
/// owner exists, however that owner came to be (here: another setup link
/// printed by a second instance).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setup_link_stops_working_once_an_owner_exists() {
    on_each_backend(|app| async move {
        let first = gatehouse::directory::admins::bootstrap_link(&app.state)
            .await
            .unwrap()
            .unwrap();
        let second = gatehouse::directory::admins::bootstrap_link(&app.state)
            .await
            .unwrap()
            .unwrap();
        let (mut a, first_token) = open_setup(&app, &first).await;
        let (mut b, second_token) = open_setup(&app, &second).await;
        set_up_owner(&mut a, &first_token, "first@example.com")
            .await
            .assert_redirect("/admin/login/enrol");
        set_up_owner(&mut b, &second_token, "second@example.com")
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        app.browser()
            .get(&second[PUBLIC_URL.len()..])
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        assert_eq!(app.state.store.count_admins().await.unwrap(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_and_customer_sessions_are_separate() {
    on_each_backend(|app| async move {
        let mut customer = app
            .signed_up_and_verified("shopper@example.com", STRONG_PASSWORD)
            .await;
        customer
            .get("/admin/customers")
            .await
            .assert_redirect("/admin/login");
        // A customer's credentials are not an admin's.
        customer.get("/admin/login").await;
        customer
            .post(
                "/admin/login",
                &[
                    ("email", "shopper@example.com"),
                    ("password", STRONG_PASSWORD),
                ],
            )
            .await
            .assert_status(StatusCode::UNAUTHORIZED)
            .assert_contains("do not match an admin account");

        let mut admin = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        assert!(
            admin.cookie.is_none(),
            "the console sets only its own cookie"
        );
        admin.get("/account").await.assert_redirect("/login");
        admin
            .get("/admin/customers")
            .await
            .assert_contains("Admin Person (support)");

        admin
            .post("/admin/logout", &[])
            .await
            .assert_redirect("/admin/login");
        admin
            .get("/admin/login")
            .await
            .assert_contains("signed out of the console");
        admin
            .get("/admin/customers")
            .await
            .assert_redirect("/admin/login");

        admin
            .post(
                "/admin/login",
                &[
                    ("email", "support@example.com"),
                    ("password", "wrong password here"),
                ],
            )
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        // The password, then the authenticator app: a wrong or replayed
        // code keeps the console shut.
        admin
            .post(
                "/admin/login",
                &[
                    ("email", "SUPPORT@example.com"),
                    ("password", ADMIN_PASSWORD),
                ],
            )
            .await
            .assert_redirect("/admin/login/verify");
        admin
            .get("/admin/customers")
            .await
            .assert_redirect("/admin/login");
        admin
            .get("/admin/login/verify")
            .await
            .assert_status(StatusCode::OK);
        admin
            .post("/admin/login/verify", &[("code", "000000")])
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        let secret = admin.admin_totp.clone().unwrap();
        let spent = totp_code(&secret, app.state.clock.now());
        admin
            .post("/admin/login/verify", &[("code", &spent)])
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        app.state.clock.advance(30);
        let code = totp_code(&secret, app.state.clock.now());
        admin
            .post("/admin/login/verify", &[("code", &code)])
            .await
            .assert_redirect("/admin/customers");
        admin
            .get("/admin/customers")
            .await
            .assert_status(StatusCode::OK);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_sessions_end_after_their_absolute_lifetime() {
    let app = TestApp::start(&Backend::Sqlite, &["--admin-session-absolute-hours", "1"]).await;
    let mut admin = app.admin_browser("owner@example.com", Role::Owner).await;
    admin
        .get("/admin/customers")
        .await
        .assert_status(StatusCode::OK);
    app.state.clock.advance(3601);
    admin
        .get("/admin/customers")
        .await
        .assert_redirect("/admin/login");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_by_email_name_id_and_status() {
    on_each_backend(|app| async move {
        let ada = app
            .insert_customer("ada@example.com", "Ada Lovelace", 1_000, true)
            .await;
        app.insert_customer("adam@example.com", "Adam Smith", 1_001, false)
            .await;
        app.insert_customer("ada.b@example.org", "Ada Byron", 1_002, false)
            .await;
        app.insert_customer("grace@example.com", "Grace HOPPER", 1_003, true)
            .await;
        app.insert_customer("percent@example.com", "100% Real_Name", 1_004, true)
            .await;
        let mut admin = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;

        let page = admin.get("/admin/customers").await;
        page.assert_status(StatusCode::OK)
            .assert_contains("5 customers");
        // Newest first.
        assert!(
            page.body.find("percent@example.com").unwrap()
                < page.body.find("ada@example.com").unwrap()
        );

        let emails = |body: &str| -> Vec<String> {
            [
                "ada@example.com",
                "adam@example.com",
                "ada.b@example.org",
                "grace@example.com",
                "percent@example.com",
            ]
            .into_iter()
            .filter(|e| body.contains(&format!(">{e}<")))
            .map(String::from)
            .collect()
        };
        let prefix = admin.get("/admin/customers?q=ADA&field=email").await;
        assert_eq!(
            emails(&prefix.body),
            ["ada@example.com", "adam@example.com", "ada.b@example.org"]
        );
        let exact = admin
            .get("/admin/customers?q=ada%40example.com&field=email")
            .await;
        assert_eq!(emails(&exact.body), ["ada@example.com"]);
        let name = admin.get("/admin/customers?q=hopper&field=name").await;
        assert_eq!(emails(&name.body), ["grace@example.com"]);
        let middle = admin.get("/admin/customers?q=DA+L&field=name").await;
        assert_eq!(emails(&middle.body), ["ada@example.com"]);
        // The name index follows edits.
        app.state
            .store
            .set_display_name(
                ada,
                &gatehouse::domain::DisplayName::parse("Augusta King").unwrap(),
                2_000,
            )
            .await
            .unwrap();
        let renamed = admin.get("/admin/customers?q=lovelace&field=name").await;
        assert!(emails(&renamed.body).is_empty());
        let renamed = admin.get("/admin/customers?q=augusta&field=name").await;
        assert_eq!(emails(&renamed.body), ["ada@example.com"]);
        let wildcard = admin.get("/admin/customers?q=%25+real_&field=name").await;
        assert_eq!(
            emails(&wildcard.body),
            ["percent@example.com"],
            "LIKE wildcards are literal"
        );
        let underscore = admin.get("/admin/customers?q=a_a&field=name").await;
        assert!(emails(&underscore.body).is_empty());
        let quotes = admin
            .get("/admin/customers?q=%22%22%22+OR+*&field=name")
            .await;
        quotes.assert_status(StatusCode::OK);
        assert!(
            emails(&quotes.body).is_empty(),
            "search syntax is taken literally"
        );
        let by_id = admin
            .get(&format!("/admin/customers?q={ada}&field=id"))
            .await;
        assert_eq!(emails(&by_id.body), ["ada@example.com"]);
        let unverified = admin
            .get("/admin/customers?q=ada&field=email&status=unverified")
            .await;
        assert_eq!(
            emails(&unverified.body),
            ["adam@example.com", "ada.b@example.org"]
        );
        app.state
            .store
            .set_customer_disabled(ada, true, 3_000)
            .await
            .unwrap();
        let disabled = admin.get("/admin/customers?status=disabled").await;
        assert_eq!(emails(&disabled.body), ["ada@example.com"]);
        let active = admin
            .get("/admin/customers?q=ada&field=email&status=active")
            .await;
        assert_eq!(
            emails(&active.body),
            ["adam@example.com", "ada.b@example.org"]
        );
        let none = admin.get("/admin/customers?q=zzz&field=email").await;
        none.assert_contains("No customers match.");

        // Bad input: a clear 400 and nothing else.
        let long = "a".repeat(255);
        for bad in [
            format!("/admin/customers?q={long}"),
            "/admin/customers?field=phone&q=1".into(),
            "/admin/customers?status=gold".into(),
            "/admin/customers?q=not-a-uuid&field=id".into(),
            "/admin/customers?after=%21%21%21".into(),
            "/admin/customers?after=Yy5ub3QuYW4uaWQ".into(),
            "/admin/customers?q=ad&field=name".into(),
        ] {
            admin.get(&bad).await.assert_status(StatusCode::BAD_REQUEST);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyset_pages_neither_repeat_nor_skip_while_customers_arrive() {
    on_each_backend(|app| async move {
        for i in 0..120 {
            // Pairs share a creation second, so ties are broken by id.
            app.insert_customer(
                &format!("c{i:03}@example.com"),
                &format!("Customer {i}"),
                10_000 + i / 2,
                i % 3 == 0,
            )
            .await;
        }
        // Half of them signed in, in pairs at the same second; the rest never did.
        let all = app
            .state
            .store
            .search_customers(&gatehouse::domain::CustomerSearch::all(), None, 200)
            .await
            .unwrap();
        for (n, c) in all.rows.iter().enumerate().filter(|(n, _)| n % 2 == 0) {
            let at = 50_000 + n as i64 / 4;
            app.state
                .store
                .record_sign_in(c.id, at, None)
                .await
                .unwrap();
        }
        let mut admin = app.admin_browser("owner@example.com", Role::Owner).await;
        for (run, (start, expected)) in [
            ("/admin/customers", 120),
            ("/admin/customers?q=c0&field=email", 100),
            ("/admin/customers?sort=last_sign_in", 120),
        ]
        .into_iter()
        .enumerate()
        {
            let mut seen = Vec::new();
            let mut next = Some(start.to_string());
            let mut pages = 0;
            while let Some(path) = next {
                let page = admin.get(&path).await;
                page.assert_status(StatusCode::OK);
                seen.extend(listed_emails(&page.body));
                // New sign-ups while paging land before the first page, not in the middle.
                app.insert_customer(
                    &format!("new{pages}-{run}@example.net"),
                    "Newcomer",
                    99_999,
                    false,
                )
                .await;
                next = extract_next(&page.body);
                pages += 1;
            }
            let unique: HashSet<_> = seen.iter().collect();
            assert_eq!(unique.len(), seen.len(), "a row repeated");
            let old: Vec<_> = seen
                .iter()
                .filter(|e| e.ends_with("@example.com"))
                .collect();
            assert_eq!(old.len(), expected, "rows skipped: {seen:?}");
            assert_eq!(pages, expected.div_ceil(50));
        }
    })
    .await;
}

fn extract_next(html: &str) -> Option<String> {
    let at = html.find(r#"rel="next""#)?;
    let before = &html[..at];
    let href_at = before.rfind("href=\"")? + 6;
    let href = &html[href_at..href_at + html[href_at..].find('"')?];
    Some(href.replace("&amp;", "&"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_ends_sessions_blocks_sign_in_and_is_audited() {
    on_each_backend(|app| async move {
        let mut customer = app
            .signed_up_and_verified("dana@example.com", STRONG_PASSWORD)
            .await;
        let (found, _) = app
            .state
            .store
            .customer_by_email(&gatehouse::domain::Email::parse("dana@example.com").unwrap())
            .await
            .unwrap()
            .unwrap();
        let id = found.id;
        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        let detail = support.get(&format!("/admin/customers/{id}")).await;
        detail
            .assert_status(StatusCode::OK)
            .assert_contains("Active sessions")
            .assert_contains("Disable customer");

        support
            .post(&format!("/admin/customers/{id}/disable"), &[])
            .await
            .assert_redirect(&format!("/admin/customers/{id}"));
        support
            .get(&format!("/admin/customers/{id}"))
            .await
            .assert_contains("signed out everywhere")
            .assert_contains("Disabled")
            .assert_contains("customer.disabled")
            .assert_contains("Enable customer");

        // Signed out at once, and the right password is refused.
        customer.get("/account").await.assert_redirect("/login");
        customer.get("/login").await;
        customer
            .post(
                "/login",
                &[("email", "dana@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("disabled");
        // A wrong password still gets the ordinary answer.
        customer
            .post(
                "/login",
                &[
                    ("email", "dana@example.com"),
                    ("password", "wrong password here"),
                ],
            )
            .await
            .assert_status(StatusCode::UNAUTHORIZED);

        let events = app.state.store.audit_for_customer(id, 50).await.unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            &actions[..3],
            [
                "customer.sign_in_failed",
                "customer.sign_in_refused",
                "customer.disabled"
            ]
        );
        let disabled = &events[2];
        assert_eq!(disabled.actor_kind, "admin");
        assert!(
            disabled.details.contains(r#""before":false"#)
                && disabled.details.contains(r#""after":true"#)
        );

        support
            .post(&format!("/admin/customers/{id}/enable"), &[])
            .await
            .assert_redirect(&format!("/admin/customers/{id}"));
        customer
            .post(
                "/login",
                &[("email", "dana@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_redirect("/account");
        let latest = app.state.store.audit_for_customer(id, 1).await.unwrap();
        assert_eq!(latest[0].action, "customer.signed_in");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auditors_read_but_cannot_change_customers() {
    on_each_backend(|app| async move {
        let id = app
            .insert_customer("eli@example.com", "Eli", 5_000, true)
            .await;
        let mut auditor = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        let page = auditor.get(&format!("/admin/customers/{id}")).await;
        page.assert_status(StatusCode::OK)
            .assert_contains("eli@example.com");
        assert!(
            !page.body.contains("Disable customer"),
            "no button the role cannot use"
        );

        // A forged form is refused on the server.
        auditor
            .post(&format!("/admin/customers/{id}/disable"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("not change them");
        assert!(
            !app.state
                .store
                .customer_by_id(id)
                .await
                .unwrap()
                .unwrap()
                .disabled
        );
        assert!(
            app.state
                .store
                .audit_for_customer(id, 10)
                .await
                .unwrap()
                .is_empty()
        );

        auditor
            .get("/admin/customers/01890a5d-ac96-774b-bcce-b302099a8057")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        auditor
            .get("/admin/customers/not-an-id")
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        auditor
            .post("/admin/customers/not-an-id/disable", &[])
            .await
            .assert_status(StatusCode::BAD_REQUEST);

        // Not signed in at all: to the sign-in page, nothing changes.
        let mut stranger = app.browser();
        stranger
            .get(&format!("/admin/customers/{id}"))
            .await
            .assert_redirect("/admin/login");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_is_append_only_in_the_database() {
    for backend in backends() {
        let app = TestApp::start(&backend, &[]).await;
        let id = app
            .insert_customer("fay@example.com", "Fay", 5_000, true)
            .await;
        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        support.get(&format!("/admin/customers/{id}")).await;
        support
            .post(&format!("/admin/customers/{id}/disable"), &[])
            .await;
        let statements = [
            "UPDATE audit_events SET action = 'nothing'",
            "DELETE FROM audit_events",
        ];
        for sql in statements {
            let refused = match &backend {
                Backend::Sqlite => {
                    let pool = sqlx::SqlitePool::connect(&app.db.url).await.unwrap();
                    sqlx::query(sql).execute(&pool).await.is_err()
                }
                Backend::Postgres(_) => {
                    let pool = sqlx::PgPool::connect(&app.db.url).await.unwrap();
                    sqlx::query(sql).execute(&pool).await.is_err()
                }
            };
            assert!(refused, "{sql} must be refused");
        }
        assert_eq!(
            app.state.store.audit_for_customer(id, 10).await.unwrap()[0].action,
            "customer.disabled"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_marks_verified_sends_resets_and_ends_sessions() {
    on_each_backend(|app| async move {
        let mut customer = app.sign_up("gil@example.com", "Gil", STRONG_PASSWORD).await;
        app.mail.wait_for("gil@example.com").await;
        customer.get("/login").await;
        customer
            .post(
                "/login",
                &[("email", "gil@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_redirect("/account");
        let email = gatehouse::domain::Email::parse("gil@example.com").unwrap();
        let id = app
            .state
            .store
            .customer_by_email(&email)
            .await
            .unwrap()
            .unwrap()
            .0
            .id;
        let base = format!("/admin/customers/{id}");

        // An auditor can do none of it.
        let mut auditor = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        auditor.get(&base).await;
        for action in ["verify-email", "send-reset", "revoke-sessions", "enable"] {
            auditor
                .post(&format!("{base}/{action}"), &[])
                .await
                .assert_status(StatusCode::FORBIDDEN);
        }

        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        let page = support.get(&base).await;
        page.assert_contains("Mark email verified")
            .assert_contains("Sign out everywhere");
        support
            .post(&format!("{base}/frobnicate"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);

        support
            .post(&format!("{base}/verify-email"), &[])
            .await
            .assert_redirect(&base);
        assert!(
            app.state
                .store
                .customer_by_id(id)
                .await
                .unwrap()
                .unwrap()
                .email_verified
        );

        support
            .post(&format!("{base}/send-reset"), &[])
            .await
            .assert_redirect(&base);
        support
            .get(&base)
            .await
            .assert_contains("A password-reset link is on its way");
        let reset = app.mail.wait_for_nth("gil@example.com", 2).await;
        assert_eq!(reset.subject, "Reset your password");

        support
            .post(&format!("{base}/revoke-sessions"), &[])
            .await
            .assert_redirect(&base);
        customer.get("/account").await.assert_redirect("/login");

        let actions: Vec<String> = app
            .state
            .store
            .audit_for_customer(id, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            &actions[..3],
            [
                "customer.sessions_revoked",
                "customer.password_reset_sent",
                "customer.email_marked_verified"
            ]
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_edit_profiles_with_before_and_after_on_record() {
    on_each_backend(|app| async move {
        let id = app
            .insert_customer("hal@example.com", "Hal", 5_000, true)
            .await;
        app.insert_customer("taken@example.com", "Taken", 5_001, true)
            .await;
        let base = format!("/admin/customers/{id}");
        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        support.get(&base).await.assert_contains("Edit profile");
        assert!(
            !support.get(&base).await.body.contains("Delete customer"),
            "support cannot delete"
        );

        support
            .post(
                &format!("{base}/profile"),
                &[("email", "taken@example.com"), ("display_name", "Hal")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Another customer already uses");
        support
            .post(
                &format!("{base}/profile"),
                &[("email", "not an email"), ("display_name", "")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Enter your name");
        let unchanged = app.state.store.customer_by_id(id).await.unwrap().unwrap();
        assert_eq!(unchanged.email.as_str(), "hal@example.com");

        support
            .post(
                &format!("{base}/profile"),
                &[
                    ("email", " HAL.9000@Example.com "),
                    ("display_name", "Hal 9000"),
                ],
            )
            .await
            .assert_redirect(&base);
        let edited = app.state.store.customer_by_id(id).await.unwrap().unwrap();
        assert_eq!(edited.email.as_str(), "hal.9000@example.com");
        assert_eq!(edited.display_name.as_str(), "Hal 9000");
        assert!(
            !edited.email_verified,
            "a changed address is verified again"
        );
        let event = &app.state.store.audit_for_customer(id, 1).await.unwrap()[0];
        assert_eq!(event.action, "customer.profile_edited");
        let details: serde_json::Value = serde_json::from_str(&event.details).unwrap();
        assert_eq!(details["email"]["before"], "hal@example.com");
        assert_eq!(details["email"]["after"], "hal.9000@example.com");
        assert_eq!(details["display_name"]["after"], "Hal 9000");

        let mut auditor = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        auditor.get(&base).await;
        auditor
            .post(
                &format!("{base}/profile"),
                &[("email", "x@example.com"), ("display_name", "X")],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);
    })
    .await;
}

/// Links and sessions follow the email: when support changes a customer's
/// address, links mailed to the old one stop working, every session ends,
/// and the old address is told.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_email_retires_links_and_sessions_and_tells_the_old_address() {
    on_each_backend(|app| async move {
        let mut customer = app
            .signed_up_and_verified("old@example.com", STRONG_PASSWORD)
            .await;
        let mut forgot = app.browser();
        forgot.get("/forgot-password").await;
        forgot
            .post("/forgot-password", &[("email", "old@example.com")])
            .await;
        let reset = app.mail.wait_for_nth("old@example.com", 2).await;
        let reset_link = link_to(&reset.body, "/reset-password?token=");
        forgot.get(&reset_link).await.assert_status(StatusCode::OK);

        let id = app.customer_id("old@example.com").await;
        let base = format!("/admin/customers/{id}");
        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        support.get(&base).await;
        support
            .post(
                &format!("{base}/profile"),
                &[
                    ("email", "new@example.com"),
                    ("display_name", "Test Customer"),
                ],
            )
            .await
            .assert_redirect(&base);

        forgot
            .get(&reset_link)
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        customer.get("/account").await.assert_redirect("/login");
        let note = app.mail.wait_for_nth("old@example.com", 3).await;
        assert_eq!(note.subject, "Your email address was changed");
        assert!(!note.body.contains("new@example.com"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_owners_delete_and_only_with_the_email_typed() {
    on_each_backend(|app| async move {
        let mut customer = app
            .signed_up_and_verified("ivy@example.com", STRONG_PASSWORD)
            .await;
        let email = gatehouse::domain::Email::parse("ivy@example.com").unwrap();
        let id = app
            .state
            .store
            .customer_by_email(&email)
            .await
            .unwrap()
            .unwrap()
            .0
            .id;
        let base = format!("/admin/customers/{id}");

        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        support.get(&base).await;
        support
            .post(
                &format!("{base}/delete"),
                &[("confirm_email", "ivy@example.com")],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);

        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        let by_name = "/admin/customers?field=name&q=test+cust";
        assert_eq!(
            listed_emails(&owner.get(by_name).await.body),
            ["ivy@example.com"]
        );
        owner.get(&base).await.assert_contains("Delete customer");
        owner
            .post(
                &format!("{base}/delete"),
                &[("confirm_email", "ivy@example.org")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Type the customer");
        assert!(app.state.store.customer_by_id(id).await.unwrap().is_some());

        owner
            .post(
                &format!("{base}/delete"),
                &[("confirm_email", "IVY@example.com")],
            )
            .await
            .assert_redirect("/admin/customers");
        owner
            .get("/admin/customers")
            .await
            .assert_contains("The customer is deleted.");
        assert!(app.state.store.customer_by_id(id).await.unwrap().is_none());
        owner.get(&base).await.assert_status(StatusCode::NOT_FOUND);
        // Gone from the name index too.
        assert!(listed_emails(&owner.get(by_name).await.body).is_empty());

        // Their session ended with them, and the address signs in to nothing.
        customer.get("/account").await.assert_redirect("/login");
        // As a browser follows the redirect (sign-in replaced the token).
        customer.get("/login").await;
        customer
            .post(
                "/login",
                &[("email", "ivy@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        // The record of the deletion stays, naming only the id.
        let events = app.state.store.audit_for_customer(id, 5).await.unwrap();
        assert!(
            events
                .iter()
                .any(|e| e.action == "customer.deleted" && e.details == "{}")
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn created_date_range_and_last_sign_in_sort() {
    on_each_backend(|app| async move {
        let day = |d: i64| 1_767_225_600 + (d - 1) * 86_400; // 2026-01-d 00:00 UTC
        let first = app
            .insert_customer("first@example.com", "First", day(1) + 36_000, true)
            .await;
        let second = app
            .insert_customer("second@example.com", "Second", day(2), true)
            .await;
        app.insert_customer("third@example.com", "Third", day(3) + 86_399, false)
            .await;
        let fifth = app
            .insert_customer("fifth@example.com", "Fifth", day(5), true)
            .await;
        let store = &app.state.store;
        store.record_sign_in(first, 5_000, None).await.unwrap();
        store.record_sign_in(second, 5_000, None).await.unwrap();
        store.record_sign_in(fifth, 9_000, None).await.unwrap();
        let mut admin = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        let order = |body: &str| -> Vec<&'static str> {
            let mut found: Vec<(usize, &'static str)> = ["first", "second", "third", "fifth"]
                .into_iter()
                .filter_map(|n| body.find(&format!(">{n}@example.com<")).map(|at| (at, n)))
                .collect();
            found.sort();
            found.into_iter().map(|(_, n)| n).collect()
        };

        // Both ends of the range are whole days, inclusive.
        let range = admin
            .get("/admin/customers?from=2026-01-02&to=2026-01-03")
            .await;
        range.assert_status(StatusCode::OK);
        assert_eq!(order(&range.body), ["third", "second"]);
        let from = admin.get("/admin/customers?from=2026-01-03").await;
        assert_eq!(order(&from.body), ["fifth", "third"]);
        let to = admin
            .get("/admin/customers?to=2026-01-01&status=verified")
            .await;
        assert_eq!(order(&to.body), ["first"]);

        // Most recent sign-in first; a tie goes to the later id; never last.
        let by_sign_in = admin.get("/admin/customers?sort=last_sign_in").await;
        by_sign_in.assert_status(StatusCode::OK);
        assert_eq!(
            order(&by_sign_in.body),
            ["fifth", "second", "first", "third"]
        );
        let verified_by_sign_in = admin
            .get("/admin/customers?sort=last_sign_in&status=verified&from=2026-01-02")
            .await;
        assert_eq!(order(&verified_by_sign_in.body), ["fifth", "second"]);

        for bad in [
            "/admin/customers?from=2026-13-01",
            "/admin/customers?to=yesterday",
            "/admin/customers?from=2026-01-05&to=2026-01-01",
            "/admin/customers?sort=name",
        ] {
            admin.get(bad).await.assert_status(StatusCode::BAD_REQUEST);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_see_each_session_and_end_one() {
    on_each_backend(|app| async move {
        let mut laptop = app
            .signed_up_and_verified("sam@example.com", STRONG_PASSWORD)
            .await;
        let mut phone = app.browser();
        phone.peer = "203.0.113.9:5555".parse().unwrap();
        phone
            .sign_in("sam@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
        let email = gatehouse::domain::Email::parse("sam@example.com").unwrap();
        let (sam, _) = app
            .state
            .store
            .customer_by_email(&email)
            .await
            .unwrap()
            .unwrap();
        let now = app.state.clock.now();
        let sessions = app
            .state
            .store
            .list_customer_sessions(sam.id, now)
            .await
            .unwrap();
        assert_eq!(sessions.len(), 2);
        let phone_session = sessions
            .iter()
            .find(|s| s.ip.as_deref() == Some("203.0.113.9"))
            .expect("the phone's session records its address")
            .id;

        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        let path = format!("/admin/customers/{}", sam.id);
        let page = support.get(&path).await;
        page.assert_status(StatusCode::OK)
            .assert_contains("203.0.113.9")
            .assert_contains("gatehouse-tests")
            .assert_contains(&format!("/sessions/{phone_session}/revoke"));

        // An auditor's forged form changes nothing.
        let mut auditor = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        auditor.get(&path).await.assert_status(StatusCode::OK);
        let revoke = format!("{path}/sessions/{phone_session}/revoke");
        auditor
            .post(&revoke, &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        phone.get("/account").await.assert_status(StatusCode::OK);

        support.post(&revoke, &[]).await.assert_redirect(&path);
        support
            .get(&path)
            .await
            .assert_contains("That session has ended.");
        phone.get("/account").await.assert_redirect("/login");
        laptop.get("/account").await.assert_status(StatusCode::OK);

        let events = app.state.store.audit_for_customer(sam.id, 1).await.unwrap();
        assert_eq!(events[0].action, "customer.session_revoked");
        assert_eq!(events[0].actor_kind, "admin");
        assert!(events[0].details.contains(&phone_session.to_string()));
        assert_eq!(events[0].source_ip.as_deref(), Some("198.51.100.7"));

        // A stale form (the session is gone) or another customer's session: 409, no record.
        support
            .post(&revoke, &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("already ended");
        let other = app
            .insert_customer("other@example.com", "Other", 1, true)
            .await;
        let laptop_session = app
            .state
            .store
            .list_customer_sessions(sam.id, now)
            .await
            .unwrap()[0]
            .id;
        support
            .post(
                &format!("/admin/customers/{other}/sessions/{laptop_session}/revoke"),
                &[],
            )
            .await
            .assert_status(StatusCode::CONFLICT);
        support
            .post(&format!("{path}/sessions/not-a-session/revoke"), &[])
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        laptop.get("/account").await.assert_status(StatusCode::OK);
        let after = app
            .state
            .store
            .audit_for_customer(sam.id, 50)
            .await
            .unwrap();
        assert_eq!(
            after
                .iter()
                .filter(|e| e.action == "customer.session_revoked")
                .count(),
            1
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_self_service_is_on_the_record() {
    on_each_backend(|app| async move {
        let mut browser = app
            .signed_up_and_verified("val@example.com", STRONG_PASSWORD)
            .await;
        browser.get("/account").await;
        browser
            .post("/account/profile", &[("display_name", "Val Kilmer")])
            .await
            .assert_redirect("/account");
        browser.get("/account").await;
        browser
            .post(
                "/account/password",
                &[
                    ("current_password", STRONG_PASSWORD),
                    ("new_password", OTHER_PASSWORD),
                ],
            )
            .await
            .assert_redirect("/account");
        let mut other = app.browser();
        other.get("/forgot-password").await;
        other
            .post("/forgot-password", &[("email", "val@example.com")])
            .await
            .assert_redirect("/forgot-password/sent");
        let mail = app.mail.wait_for_nth("val@example.com", 2).await;
        let token = link_to(&mail.body, "/reset-password?token=")
            .split("token=")
            .nth(1)
            .unwrap()
            .to_string();
        other.get(&format!("/reset-password?token={token}")).await;
        other
            .post(
                "/reset-password",
                &[("token", &token), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_redirect("/login");

        let email = gatehouse::domain::Email::parse("val@example.com").unwrap();
        let (val, _) = app
            .state
            .store
            .customer_by_email(&email)
            .await
            .unwrap()
            .unwrap();
        let mut events = app
            .state
            .store
            .audit_for_customer(val.id, 50)
            .await
            .unwrap();
        events.reverse();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "customer.signed_up",
                "customer.email_verified",
                // The link followed in the browser that signed up signs in.
                "customer.signed_in",
                "customer.profile_updated",
                "customer.password_changed",
                "customer.password_reset_requested",
                "customer.password_reset",
            ]
        );
        for e in &events {
            assert_eq!(e.actor_kind, "customer");
            assert_eq!(e.actor_id, Some(val.id.0));
            assert_eq!(e.source_ip.as_deref(), Some("198.51.100.7"), "{}", e.action);
            for secret in [STRONG_PASSWORD, OTHER_PASSWORD, token.as_str()] {
                assert!(!e.details.contains(secret), "{} leaks a secret", e.action);
            }
        }
        assert!(events[3].details.contains(r#""before":"Test Customer""#));
        assert!(events[3].details.contains(r#""after":"Val Kilmer""#));

        // The console shows them on the customer's page.
        let mut admin = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        admin
            .get(&format!("/admin/customers/{}", val.id))
            .await
            .assert_contains("customer.password_reset_requested")
            .assert_contains("customer.signed_up");
        // The customer's own rename reached the name search.
        let found = admin.get("/admin/customers?field=name&q=kilmer").await;
        assert_eq!(listed_emails(&found.body), ["val@example.com"]);
        let old = admin
            .get("/admin/customers?field=name&q=test+customer")
            .await;
        assert!(listed_emails(&old.body).is_empty());
    })
    .await;
}

/// Accepts a mailed admin invitation in a fresh browser and returns it, signed in.
async fn accept_mailed_invite(app: &TestApp, email: &str) -> Browser {
    let mail = app.mail.wait_for(email).await;
    assert!(mail.body.contains("invited you to the Gatehouse console"));
    let link = link_to(&mail.body, "/admin/setup?token=");
    let token = link.split("token=").nth(1).unwrap().to_string();
    let mut browser = app.browser();
    browser.get(&link).await.assert_status(StatusCode::OK);
    browser
        .post(
            "/admin/setup",
            &[
                ("token", &token),
                ("display_name", "Invited Admin"),
                ("password", ADMIN_PASSWORD),
            ],
        )
        .await
        .assert_redirect("/admin/login/enrol");
    app.admin_enrols(&mut browser).await;
    browser
}

async fn admin_id(app: &TestApp, email: &str) -> gatehouse::domain::AdminId {
    let email = gatehouse::domain::Email::parse(email).unwrap();
    app.state
        .store
        .admin_by_email(&email)
        .await
        .unwrap()
        .unwrap()
        .0
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_invite_change_and_remove_admins() {
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        owner
            .get("/admin/admins")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Admin Person (you)")
            .assert_contains("Send invitation");

        // Bad input: field errors or a 400, and no invitation.
        let invites = |app: &TestApp| {
            let store = app.state.store.clone();
            let now = app.state.clock.now();
            async move { store.pending_admin_invites(now).await.unwrap().len() }
        };
        let before = invites(&app).await;
        owner
            .post(
                "/admin/admins/invite",
                &[("email", "not-an-email"), ("role", "support")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("not-an-email");
        owner
            .post(
                "/admin/admins/invite",
                &[("email", "OWNER@example.com"), ("role", "support")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("already belongs to an admin");
        owner
            .post(
                "/admin/admins/invite",
                &[("email", "sue@example.com"), ("role", "superuser")],
            )
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        assert_eq!(invites(&app).await, before);

        owner
            .post(
                "/admin/admins/invite",
                &[("email", "Sue@Example.com"), ("role", "support")],
            )
            .await
            .assert_redirect("/admin/admins");
        owner
            .get("/admin/admins")
            .await
            .assert_contains("An invitation is on its way to sue@example.com.")
            .assert_contains("Open invitations")
            .assert_contains(">sue@example.com<");
        let mut sue = accept_mailed_invite(&app, "sue@example.com").await;
        let sue_id = admin_id(&app, "sue@example.com").await;

        // A withdrawn invitation's link stops working; withdrawing twice is a conflict.
        owner
            .post(
                "/admin/admins/invite",
                &[("email", "tom@example.com"), ("role", "auditor")],
            )
            .await
            .assert_redirect("/admin/admins");
        let mail = app.mail.wait_for("tom@example.com").await;
        let tom_link = link_to(&mail.body, "/admin/setup?token=");
        let pending = app
            .state
            .store
            .pending_admin_invites(app.state.clock.now())
            .await
            .unwrap();
        let tom = pending
            .iter()
            .find(|i| i.email.as_deref() == Some("tom@example.com"))
            .unwrap();
        let withdraw = format!(
            "/admin/admins/invites/{}/revoke",
            gatehouse::directory::admins::invite_id(&tom.token_hash)
        );
        owner.get("/admin/admins").await;
        owner
            .post(&withdraw, &[])
            .await
            .assert_redirect("/admin/admins");
        app.browser()
            .get(&tom_link)
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        owner
            .post(&withdraw, &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        owner
            .post("/admin/admins/invites/garbage/revoke", &[])
            .await
            .assert_status(StatusCode::BAD_REQUEST);

        // Role changes apply to the admin's very next request.
        let customer = app.insert_customer("cal@example.com", "Cal", 1, true).await;
        sue.get(&format!("/admin/customers/{customer}")).await;
        owner
            .post(
                &format!("/admin/admins/{sue_id}/role"),
                &[("role", "auditor")],
            )
            .await
            .assert_redirect("/admin/admins");
        sue.post(&format!("/admin/customers/{customer}/disable"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        owner
            .post(&format!("/admin/admins/{sue_id}/role"), &[("role", "root")])
            .await
            .assert_status(StatusCode::BAD_REQUEST);

        // Removal ends the admin's console session at once.
        owner
            .post(&format!("/admin/admins/{sue_id}/remove"), &[])
            .await
            .assert_redirect("/admin/admins");
        sue.get("/admin/customers")
            .await
            .assert_redirect("/admin/login");
        owner
            .post(&format!("/admin/admins/{sue_id}/remove"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("no longer exists");

        // Everything is on the record, with before and after.
        let events = app
            .state
            .store
            .audit_events(&Default::default(), None, 50)
            .await
            .unwrap();
        let admin_actions: Vec<&str> = events
            .iter()
            .map(|e| e.action.as_str())
            .filter(|a| a.starts_with("admin.") && *a != "admin.signed_in")
            .collect();
        assert_eq!(
            admin_actions,
            [
                "admin.removed",
                "admin.role_changed",
                "admin.invite_revoked",
                "admin.invited",
                // The invited admin's authenticator app, at their first sign-in.
                "admin.mfa_enrolled",
                "admin.invited",
                // The owner's own.
                "admin.mfa_enrolled",
            ]
        );
        let change = events
            .iter()
            .find(|e| e.action == "admin.role_changed")
            .unwrap();
        assert!(change.details.contains(r#""before":"support""#));
        assert!(change.details.contains(r#""after":"auditor""#));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_owner_cannot_be_removed_or_demoted() {
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        let me = admin_id(&app, "owner@example.com").await;
        owner.get("/admin/admins").await;
        owner
            .post(&format!("/admin/admins/{me}/role"), &[("role", "support")])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("at least one owner");
        owner
            .post(&format!("/admin/admins/{me}/remove"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        assert_eq!(
            app.state.store.admin_by_id(me).await.unwrap().unwrap().role,
            Role::Owner
        );

        // With a second owner, either may step down, but not both.
        let mut second = app.admin_browser("second@example.com", Role::Owner).await;
        let second_id = admin_id(&app, "second@example.com").await;
        second.get("/admin/admins").await;
        owner
            .post(&format!("/admin/admins/{me}/role"), &[("role", "auditor")])
            .await
            .assert_redirect("/admin/admins");
        second
            .post(&format!("/admin/admins/{second_id}/remove"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        // The demoted owner can no longer manage admins.
        owner
            .post(
                &format!("/admin/admins/{second_id}/role"),
                &[("role", "auditor")],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);

        // Racing demotions of two owners leave one owner standing.
        let third = app.admin_browser("third@example.com", Role::Owner).await;
        drop(third);
        let third_id = admin_id(&app, "third@example.com").await;
        let store = app.state.store.clone();
        let (a, b) = tokio::join!(
            store.set_admin_role(second_id, Role::Support),
            store.set_admin_role(third_id, Role::Support)
        );
        assert!(a.unwrap() ^ b.unwrap(), "exactly one demotion goes through");
        let owners = store
            .list_admins()
            .await
            .unwrap()
            .into_iter()
            .filter(|l| l.admin.role == Role::Owner)
            .count();
        assert_eq!(owners, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_owners_manage_admins() {
    on_each_backend(|app| async move {
        app.admin_browser("owner@example.com", Role::Owner).await;
        let owner_id = admin_id(&app, "owner@example.com").await;
        for role in [Role::Support, Role::Auditor] {
            let email = format!("{}@example.com", role.as_str());
            let mut admin = app.admin_browser(&email, role).await;
            let page = admin.get("/admin/admins").await;
            page.assert_status(StatusCode::OK)
                .assert_contains("owner@example.com");
            assert!(!page.body.contains("Send invitation"));
            assert!(!page.body.contains("/remove"));
            admin
                .post(
                    "/admin/admins/invite",
                    &[("email", "x@example.com"), ("role", "owner")],
                )
                .await
                .assert_status(StatusCode::FORBIDDEN);
            admin
                .post(
                    &format!("/admin/admins/{owner_id}/role"),
                    &[("role", "auditor")],
                )
                .await
                .assert_status(StatusCode::FORBIDDEN);
            admin
                .post(&format!("/admin/admins/{owner_id}/remove"), &[])
                .await
                .assert_status(StatusCode::FORBIDDEN);
            let me = admin_id(&app, &email).await;
            admin
                .post(&format!("/admin/admins/{me}/role"), &[("role", "owner")])
                .await
                .assert_status(StatusCode::FORBIDDEN);
        }
        let roles: Vec<Role> = app
            .state
            .store
            .list_admins()
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.admin.role)
            .collect();
        assert_eq!(roles, [Role::Owner, Role::Support, Role::Auditor]);
        assert!(app.mail.to("x@example.com").is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_page_filters_and_pages_through_the_trail() {
    on_each_backend(|app| async move {
        use gatehouse::audit::record;
        use gatehouse::domain::{Action, Caller, RequestContext};
        let ann = app.insert_customer("ann@example.com", "Ann", 1, true).await;
        let ben = app.insert_customer("ben@example.com", "Ben", 2, true).await;
        let ctx = RequestContext::new(
            Caller::Customer(ann),
            Some("192.0.2.1".into()),
            None,
            uuid::Uuid::now_v7(),
        );
        for n in 0..60 {
            let details = serde_json::json!({ "n": n });
            record(
                &app.state,
                &ctx,
                Action::CustomerSignedIn,
                Some(ann),
                details,
            )
            .await
            .unwrap();
        }
        // Three days later, support disables Ben.
        app.state.clock.advance(3 * 86_400);
        let later = time::OffsetDateTime::from_unix_timestamp(app.state.clock.now())
            .unwrap()
            .date()
            .to_string();
        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        support.get(&format!("/admin/customers/{ben}")).await;
        support
            .post(&format!("/admin/customers/{ben}/disable"), &[])
            .await
            .assert_redirect(&format!("/admin/customers/{ben}"));
        let mut auditor = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;

        // Every event once, newest first, over keyset pages.
        let mut seen = Vec::new();
        let mut next = Some("/admin/audit".to_string());
        let mut pages = 0;
        while let Some(path) = next {
            let page = auditor.get(&path).await;
            page.assert_status(StatusCode::OK);
            seen.extend(
                page.body
                    .split("{\"n\":")
                    .skip(1)
                    .map(|rest| rest[..rest.find('}').unwrap()].to_string()),
            );
            next = extract_next(&page.body);
            pages += 1;
        }
        assert_eq!(pages, 2);
        let expected: Vec<String> = (0..60).rev().map(|n| n.to_string()).collect();
        assert_eq!(seen, expected);

        let disabled = auditor.get("/admin/audit?action=customer.disabled").await;
        disabled
            .assert_status(StatusCode::OK)
            .assert_contains("admin support@example.com")
            .assert_contains(&ben.to_string());
        assert!(!disabled.body.contains("customer.signed_in</td>"));

        let by_support = auditor
            .get("/admin/audit?actor=support%40example.com")
            .await;
        by_support.assert_contains("customer.disabled</td>");
        assert!(!by_support.body.contains("customer.signed_in</td>"));

        let about_ben = auditor.get("/admin/audit?customer=BEN%40example.com").await;
        about_ben.assert_contains("customer.disabled</td>");
        assert!(!about_ben.body.contains("{\"n\":"));
        let about_ann = auditor
            .get(&format!(
                "/admin/audit?customer={ann}&action=customer.signed_in"
            ))
            .await;
        assert_eq!(
            about_ann.body.matches("customer.signed_in</td>").count(),
            50
        );

        let recent = auditor.get(&format!("/admin/audit?from={later}")).await;
        recent.assert_contains("customer.disabled</td>");
        assert!(!recent.body.contains("{\"n\":"));
        let old = auditor
            .get(&format!("/admin/audit?to={later}&action=customer.disabled"))
            .await;
        old.assert_contains("customer.disabled</td>");
        let before = auditor.get("/admin/audit?to=2000-01-01").await;
        before.assert_contains("No events match.");

        // A filter that names nobody says so and lists nothing.
        auditor
            .get("/admin/audit?actor=nobody%40example.com")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("No admin has that email address.")
            .assert_contains("No events match.");

        for bad in [
            "/admin/audit?action=customer.exploded",
            "/admin/audit?from=29-02-2026",
            "/admin/audit?after=%21%21",
            "/admin/audit?actor=not+an+email",
            "/admin/audit?customer=%3Cscript%3E",
        ] {
            auditor
                .get(bad)
                .await
                .assert_status(StatusCode::BAD_REQUEST);
        }
        // Read-only: there is no way to write to it.
        let req = auditor
            .request(axum::http::Method::POST, "/admin/audit")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(format!(
                "csrf_token={}",
                auditor.csrf.clone().unwrap()
            )))
            .unwrap();
        auditor
            .send(req)
            .await
            .assert_status(StatusCode::METHOD_NOT_ALLOWED);
        app.browser()
            .get("/admin/audit")
            .await
            .assert_redirect("/admin/login");
    })
    .await;
}
