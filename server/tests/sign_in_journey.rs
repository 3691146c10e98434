//! The sign-in journey through the real router, on every backend: an
//! attempt waiting for its second step is held by the server (another
//! instance continues it), finishes once, expires, and refuses a disabled
//! account on every way in, on the record. The rules of each step are
//! table-tested beside `identity::signin::decide`.

mod support;

use axum::http::StatusCode;
use gatehouse::domain::{Action, Role};
use support::*;

const WAITING: &str = "SELECT COUNT(*) FROM sign_in_attempts";

/// A verified customer with an authenticator app; its secret.
async fn customer_with_app(app: &TestApp, email: &str) -> Vec<u8> {
    let mut browser = app.signed_up_and_verified(email, STRONG_PASSWORD).await;
    app.add_app(&mut browser).await.0
}

/// A fresh browser whose sign-in waits at the second factor.
async fn waiting_for_code(app: &TestApp, email: &str) -> Browser {
    let mut browser = app.browser();
    browser
        .sign_in(email, STRONG_PASSWORD)
        .await
        .assert_redirect("/login/verify");
    browser
        .get("/login/verify")
        .await
        .assert_status(StatusCode::OK);
    browser
}

/// The app's code of the next time step (earlier steps' are spent).
fn next_code(app: &TestApp, secret: &[u8]) -> String {
    app.state.clock.advance(30);
    totp_code(secret, app.state.clock.now())
}

/// The `details` of the latest audit record of `action`.
async fn latest_details(app: &TestApp, action: Action) -> serde_json::Value {
    let events = app.audit_trail(action).await;
    serde_json::from_str(&events.first().expect("an audit record").details).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_sign_in_is_held_by_the_server_and_another_instance_finishes_it() {
    on_each_backend(|app| async move {
        let secret = customer_with_app(&app, "ada@example.com").await;
        assert_eq!(app.count(WAITING).await, 0, "nothing waits once signed in");

        let browser = waiting_for_code(&app, "ada@example.com").await;
        assert_eq!(app.count(WAITING).await, 1, "the attempt is a row");
        let digest_is_not_the_cookie = app
            .count("SELECT COUNT(*) FROM sign_in_attempts WHERE realm = 'customer'")
            .await;
        assert_eq!(digest_is_not_the_cookie, 1);

        // The load balancer sends the next request elsewhere.
        let other = app.another_instance().await;
        let mut browser = browser.through(&other);
        browser
            .get("/login/verify")
            .await
            .assert_status(StatusCode::OK);
        let code = next_code(&app, &secret);
        browser
            .post("/login/verify", &[("code", &code)])
            .await
            .assert_redirect("/account");
        browser.get("/account").await.assert_status(StatusCode::OK);
        assert_eq!(app.count(WAITING).await, 0, "done forgets the attempt");
        let amr = latest_details(&app, Action::CustomerSignedIn).await;
        assert_eq!(amr["amr"], "pwd otp mfa");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attempt_finishes_once_and_expires() {
    on_each_backend(|app| async move {
        let secret = customer_with_app(&app, "bea@example.com").await;
        let sessions = "SELECT COUNT(*) FROM customer_sessions";

        // The same waiting browser, copied: one copy finishes the attempt.
        let mut first = waiting_for_code(&app, "bea@example.com").await;
        let mut copy = first.clone();
        let before = app.count(sessions).await;
        let code = next_code(&app, &secret);
        first
            .post("/login/verify", &[("code", &code)])
            .await
            .assert_redirect("/account");
        assert_eq!(app.count(sessions).await, before + 1);
        // The copy's cookie named the browser session before it was cycled
        // at sign-in: its form has expired, and it holds no attempt.
        let code = next_code(&app, &secret);
        copy.post("/login/verify", &[("code", &code)])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        copy.get("/login/verify").await.assert_redirect("/login");
        assert_eq!(app.count(sessions).await, before + 1);

        // Ten minutes on, a waiting attempt is gone.
        let mut late = waiting_for_code(&app, "bea@example.com").await;
        app.state.clock.advance(601);
        late.get("/login/verify").await.assert_redirect("/login");
        let code = totp_code(&secret, app.state.clock.now());
        late.post("/login/verify", &[("code", &code)])
            .await
            .assert_redirect("/login");
        late.get("/account").await.assert_redirect("/login");
        assert_eq!(app.count(sessions).await, before + 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_account_is_refused_on_the_record_whichever_way_in() {
    on_each_backend(|app| async move {
        let refused = || app.audit_trail(Action::CustomerSignInRefused);

        // Disabled while the second step waits: the right code is refused.
        let secret = customer_with_app(&app, "cy@example.com").await;
        let mut browser = waiting_for_code(&app, "cy@example.com").await;
        let id = app.customer_id("cy@example.com").await;
        let now = app.state.clock.now();
        app.state
            .store
            .set_customer_disabled(id, true, now)
            .await
            .unwrap();
        let code = next_code(&app, &secret);
        browser
            .post("/login/verify", &[("code", &code)])
            .await
            .assert_redirect("/login");
        browser.get("/account").await.assert_redirect("/login");
        assert_eq!(refused().await.len(), 1);
        let details = latest_details(&app, Action::CustomerSignInRefused).await;
        assert_eq!(details["reason"], "disabled");
        assert_eq!(details["method"], "pwd");
        assert_eq!(app.count(WAITING).await, 0);

        // The password again: refused at once.
        let mut again = app.browser();
        again
            .sign_in("cy@example.com", STRONG_PASSWORD)
            .await
            .assert_status(StatusCode::FORBIDDEN);
        assert_eq!(refused().await.len(), 2);

        // The link mailed at sign-up, followed in the browser that signed
        // up after the account was disabled: verified, not signed in.
        let mut dee = app.sign_up("dee@example.com", "Dee", STRONG_PASSWORD).await;
        let dee_id = app.customer_id("dee@example.com").await;
        let now = app.state.clock.now();
        app.state
            .store
            .set_customer_disabled(dee_id, true, now)
            .await
            .unwrap();
        let mail = app.mail.wait_for("dee@example.com").await;
        let link = link_to(&mail.body, "/verify-email?token=");
        dee.get(&link).await.assert_status(StatusCode::OK);
        let token = link.split("token=").nth(1).unwrap().to_string();
        dee.post("/verify-email", &[("token", &token)])
            .await
            .assert_redirect("/login");
        dee.get("/account").await.assert_redirect("/login");
        assert_eq!(refused().await.len(), 3);
        let details = latest_details(&app, Action::CustomerSignInRefused).await;
        assert_eq!(details["method"], "email");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_is_signed_in_only_once_the_second_factor_holds() {
    on_each_backend(|app| async move {
        let enrolled = app.admin_browser("olu@example.com", Role::Owner).await;
        let signed_in = || app.audit_trail(Action::AdminSignedIn);
        let before = signed_in().await.len();

        // Another browser of the same admin.
        let mut admin = app.browser();
        admin.admin_totp = enrolled.admin_totp.clone();
        admin.get("/admin/login").await;
        admin
            .post(
                "/admin/login",
                &[("email", "olu@example.com"), ("password", ADMIN_PASSWORD)],
            )
            .await
            .assert_redirect("/admin/login/verify");
        assert_eq!(
            signed_in().await.len(),
            before,
            "the password alone is not a sign-in"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM sign_in_attempts WHERE realm = 'admin'")
                .await,
            1
        );
        // The customer pages know nothing of the console's attempt.
        let mut customer_side = admin.clone();
        customer_side
            .get("/login/verify")
            .await
            .assert_redirect("/login");

        let secret = admin.admin_totp.clone().unwrap();
        let code = next_code(&app, &secret);
        admin.get("/admin/login/verify").await;
        admin
            .post("/admin/login/verify", &[("code", &code)])
            .await
            .assert_redirect("/admin/customers");
        assert_eq!(signed_in().await.len(), before + 1);
        assert_eq!(app.count(WAITING).await, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attempt_advances_once_from_each_version() {
    on_each_backend(|app| async move {
        // The whole app, not only its store, lives to the end (its database
        // is dropped with it).
        let app = app;
        let store = &app.state.store;
        // Times of now: the clean-up job deletes expired attempts meanwhile.
        let now = app.state.clock.now();
        let row = gatehouse::store::AttemptRow {
            realm: "customer".into(),
            subject: uuid::Uuid::now_v7(),
            purpose: "\"Account\"".into(),
            proofs: "[\"Password\"]".into(),
            started_at: now,
            expires_at: now + 600,
            version: 0,
        };
        store.insert_sign_in_attempt(b"digest", &row).await.unwrap();
        let two = "[\"Password\",\"Totp\"]";
        // Two tabs read version 0; only the first to write moves it on.
        assert!(
            store
                .advance_sign_in_attempt(b"digest", 0, two)
                .await
                .unwrap()
        );
        assert!(
            !store
                .advance_sign_in_attempt(b"digest", 0, two)
                .await
                .unwrap()
        );
        let stored = store
            .sign_in_attempt(b"digest", now + 599)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((stored.version, stored.proofs.as_str()), (1, two));
        assert!(
            store
                .sign_in_attempt(b"digest", now + 600)
                .await
                .unwrap()
                .is_none()
        );
        // Finished once.
        assert!(store.delete_sign_in_attempt(b"digest").await.unwrap());
        assert!(!store.delete_sign_in_attempt(b"digest").await.unwrap());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_goes_back_to_the_request_it_was_for() {
    use gatehouse::domain::RequestContext;
    use gatehouse::oidc::clients::Registration;
    on_each_backend(|app| async move {
        app.signed_up_and_verified("eli@example.com", STRONG_PASSWORD)
            .await;
        let register = |name: &str| {
            let registration = Registration {
                name: name.into(),
                first_party: true,
                redirect_uris: vec!["https://apps.example.com/cb".into()],
                ..Default::default()
            };
            let state = app.state.clone();
            async move {
                let ctx = RequestContext::system();
                let registered = gatehouse::oidc::clients::register(&state, &ctx, registration);
                registered.await.unwrap().client.id
            }
        };
        let (shop, forum) = (register("Web Shop").await, register("Forum").await);
        let authorize = |client: &str| {
            format!(
                "/oauth2/authorize?{}",
                encode(&[
                    ("response_type", "code"),
                    ("client_id", client),
                    ("redirect_uri", "https://apps.example.com/cb"),
                    ("scope", "openid"),
                    ("state", client),
                    (
                        "code_challenge",
                        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
                    ),
                    ("code_challenge_method", "S256"),
                ])
            )
        };

        // Two tabs ask; the shop's sign-in form is filled in first.
        let mut browser = app.browser();
        let to_shop_form = browser.get(&authorize(&shop)).await;
        let shop_form = to_shop_form.location().unwrap().to_string();
        assert!(shop_form.starts_with("/login?request="), "{shop_form}");
        let forum_form = browser.get(&authorize(&forum)).await;
        assert_ne!(forum_form.location().unwrap(), shop_form);
        browser.get(&shop_form).await.assert_status(StatusCode::OK);
        let request = shop_form.split("request=").nth(1).unwrap();
        let signed_in = browser
            .post(
                "/login",
                &[
                    ("email", "eli@example.com"),
                    ("password", STRONG_PASSWORD),
                    ("request", request),
                ],
            )
            .await;
        let resume = signed_in.location().unwrap().to_string();
        assert_eq!(
            resume,
            format!("/oauth2/authorize/resume?request={request}")
        );

        // The shop gets its code, though the forum asked last.
        let page = browser.get(&resume).await;
        let refresh = page.headers["refresh"].to_str().unwrap().to_string();
        assert!(refresh.contains(&format!("state={shop}")), "{refresh}");
        // The forum's request still waits, and resumes on its own.
        let page = browser.get("/oauth2/authorize/resume").await;
        let refresh = page.headers["refresh"].to_str().unwrap().to_string();
        assert!(refresh.contains(&format!("state={forum}")), "{refresh}");
    })
    .await;
}
