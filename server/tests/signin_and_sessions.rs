//! Sign-in, sign-out and session lifetimes (throttling: `throttle.rs`) through the real
//! router, on every backend.

mod support;

use axum::http::{StatusCode, header};
use gatehouse::domain::Action;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_cycles_the_session_and_sign_out_ends_it() {
    on_each_backend(|app| async move {
        drop(
            app.signed_up_and_verified("sam@example.com", STRONG_PASSWORD)
                .await,
        );
        // Viewing the form stores nothing on the server: no session, only
        // the CSRF cookie its form is checked against.
        let mut browser = app.browser();
        let page = browser.get("/login").await;
        page.assert_status(StatusCode::OK);
        assert!(browser.cookie.is_none(), "a page view started a session");
        let set_cookie = page
            .headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            set_cookie.starts_with("gatehouse_csrf=")
                && set_cookie.contains("HttpOnly")
                && set_cookie.contains("SameSite=Lax"),
            "{set_cookie}"
        );
        assert!(
            !set_cookie.contains("Secure"),
            "plain-http deployments cannot use Secure cookies"
        );

        // A session an attacker started (here by signing out, which leaves
        // a message) and planted in the victim's browser (session fixation).
        let mut attacker = app.browser();
        attacker.get("/login").await;
        attacker.post("/logout", &[]).await;
        let anonymous_cookie = attacker.cookie.clone().expect("a session with a message");
        browser.cookie = Some(anonymous_cookie.clone());
        browser.get("/login").await;
        browser
            .post(
                "/login",
                &[("email", " SAM@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_redirect("/account");
        let signed_in_cookie = browser.cookie.clone().unwrap();
        assert_ne!(
            anonymous_cookie, signed_in_cookie,
            "session id must change at sign-in"
        );
        browser
            .get("/account")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("sam@example.com");
        browser.get("/login").await.assert_redirect("/account");

        // The pre-sign-in id (as planted by a session-fixation attacker) is worthless.
        let mut attacker = app.browser();
        attacker.cookie = Some(anonymous_cookie);
        attacker.get("/account").await.assert_redirect("/login");

        browser.get("/account").await;
        browser.post("/logout", &[]).await.assert_redirect("/login");
        browser
            .get("/login")
            .await
            .assert_contains("You are signed out.");
        browser.get("/account").await.assert_redirect("/login");

        // Replaying the signed-in cookie after sign-out does not work either.
        let mut replay = app.browser();
        replay.cookie = Some(signed_in_cookie);
        replay.get("/account").await.assert_redirect("/login");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    on_each_backend(|app| async move {
        drop(
            app.signed_up_and_verified("kim@example.com", STRONG_PASSWORD)
                .await,
        );
        let mut browser = app.browser();
        browser.get("/login").await;
        let wrong = browser
            .post(
                "/login",
                &[
                    ("email", "kim@example.com"),
                    ("password", "not the password at all"),
                ],
            )
            .await;
        let unknown = browser
            .post(
                "/login",
                &[
                    ("email", "nobody@example.com"),
                    ("password", "not the password at all"),
                ],
            )
            .await;
        wrong
            .assert_status(StatusCode::UNAUTHORIZED)
            .assert_contains("do not match an account");
        unknown
            .assert_status(StatusCode::UNAUTHORIZED)
            .assert_contains("do not match an account");
        assert_eq!(
            wrong.body.replace("kim@example.com", "X"),
            unknown.body.replace("nobody@example.com", "X"),
            "the pages must differ only in the echoed email"
        );
        // Bad input: a clear message, not an attempt.
        browser
            .post("/login", &[("email", "not an email"), ("password", "x")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("valid email");
        browser
            .post("/login", &[("email", "kim@example.com"), ("password", "")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Enter your password");
        browser
            .post(
                "/login",
                &[("email", "kim@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_redirect("/account");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_after_the_absolute_lifetime() {
    for backend in backends() {
        let app = TestApp::start(&backend, &["--session-absolute-hours", "2"]).await;
        let mut browser = app
            .signed_up_and_verified("ana@example.com", STRONG_PASSWORD)
            .await;
        browser.get("/account").await.assert_status(StatusCode::OK);
        app.state.clock.advance(3600);
        browser.get("/account").await.assert_status(StatusCode::OK);
        app.state.clock.advance(3601);
        browser.get("/account").await.assert_redirect("/login");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_cookies_behind_https() {
    let app = TestApp::start(
        &Backend::Sqlite,
        &["--public-url", "https://id.example.com"],
    )
    .await;
    let page = app.browser().get("/login").await;
    let cookie = page
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(
        page.headers
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_some()
    );
}

/// Every answer names its request; the audit record of a sign-in names the
/// same request and the browser it came from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_on_the_record_names_its_request_and_browser() {
    on_each_backend(|app| async move {
        drop(
            app.signed_up_and_verified("ray@example.com", STRONG_PASSWORD)
                .await,
        );
        let mut browser = app.browser();
        let form = browser.get("/login").await;
        let page = browser
            .post(
                "/login",
                &[("email", "ray@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await;
        page.assert_redirect("/account");
        let request_id = |p: &Page| {
            p.headers
                .get("x-request-id")
                .expect("every answer names its request")
                .to_str()
                .unwrap()
                .to_string()
        };
        assert_ne!(request_id(&form), request_id(&page));
        assert!(uuid::Uuid::parse_str(&request_id(&page)).is_ok());

        let events = app.audit_trail(Action::CustomerSignedIn).await;
        let signed_in = events.first().expect("the sign-in is on the record");
        assert_eq!(
            signed_in.request_id.as_deref(),
            Some(request_id(&page).as_str())
        );
        assert_eq!(signed_in.user_agent.as_deref(), Some("gatehouse-tests"));
        assert_eq!(signed_in.source_ip.as_deref(), Some("198.51.100.7"));
    })
    .await;
}

/// A burst of page views is a burst of reads: a signed-in view writes its
/// session record at most once a minute (that write moves the idle expiry
/// on), and anonymous views store nothing.
#[tokio::test]
async fn page_views_write_the_session_at_most_once_a_minute() {
    on_each_backend(|app| async move {
        let mut browser = app
            .signed_up_and_verified("ada@example.com", STRONG_PASSWORD)
            .await;
        // The first page after signing in gives the session its CSRF
        // token (a change, written); views after it change nothing.
        browser.get("/account").await.assert_status(StatusCode::OK);
        let writes = || app.state.store.session_writes();
        let before = writes();
        for _ in 0..100 {
            browser.get("/account").await.assert_status(StatusCode::OK);
        }
        assert_eq!(writes() - before, 0, "signed-in page views wrote");

        // A minute on, the next view writes once, then none again.
        app.state.clock.advance(61);
        let before = writes();
        for _ in 0..100 {
            browser.get("/account").await.assert_status(StatusCode::OK);
        }
        assert_eq!(writes() - before, 1);

        let before = writes();
        let mut anonymous = app.browser();
        for _ in 0..100 {
            anonymous.get("/login").await.assert_status(StatusCode::OK);
        }
        assert_eq!(writes() - before, 0, "anonymous views wrote");
        assert!(anonymous.cookie.is_none());

        // The console's cookie alike.
        let mut owner = app
            .admin_browser("owner@example.com", gatehouse::domain::Role::Owner)
            .await;
        owner
            .get("/admin/customers")
            .await
            .assert_status(StatusCode::OK);
        let before = writes();
        for _ in 0..50 {
            owner
                .get("/admin/customers")
                .await
                .assert_status(StatusCode::OK);
        }
        assert_eq!(writes() - before, 0, "console page views wrote");
    })
    .await;
}

/// The sign-out form's address of the device named `device` on a device list.
fn sign_out_path(html: &str, device: &str) -> String {
    let at = html
        .find(device)
        .unwrap_or_else(|| panic!("{device} listed"));
    let rest = &html[at..];
    let start = rest.find("/account/devices/").expect("a sign-out form");
    let end = rest[start..].find('"').unwrap();
    rest[start..start + end].to_string()
}

/// A customer sees every device signed in to their account in words, this
/// one first, about where from (the operator's places database), and signs
/// one out, then every other; another customer's session is not theirs to
/// end; the console shows the same words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_see_their_devices_in_words_and_sign_others_out() {
    let places = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/places-test.mmdb"
    );
    for backend in backends() {
        let app = TestApp::start(&backend, &["--geoip-db", places]).await;
        drop(
            app.signed_up_and_verified("ann@example.com", STRONG_PASSWORD)
                .await,
        );
        let mut bob = app
            .signed_up_and_verified("bob@example.com", STRONG_PASSWORD)
            .await;
        let (mut laptop, mut phone, mut tablet) = (
            app.device(CHROME_WINDOWS, DEFAULT_PEER),
            app.device(SAFARI_IPHONE, DEFAULT_PEER),
            app.device(FIREFOX_ANDROID, DEFAULT_PEER),
        );
        for b in [&mut laptop, &mut phone, &mut tablet] {
            b.sign_in("ann@example.com", STRONG_PASSWORD)
                .await
                .assert_redirect("/account");
        }

        let list = laptop.get("/account/devices").await;
        list.assert_status(StatusCode::OK)
            .assert_contains("Chrome on Windows 10")
            .assert_contains("Safari on iPhone")
            .assert_contains("Firefox on Android")
            .assert_contains("Signed in with password")
            .assert_contains("from 198.51.100.7 (near Berlin, Germany)");
        let body = &list.body;
        let here = body.find("This device").expect("this device marked");
        assert!(
            here < body.find("Safari on iPhone").unwrap()
                && here < body.find("Firefox on Android").unwrap(),
            "this device comes first"
        );
        assert_eq!(
            body.matches("aria-label=\"Sign out ").count(),
            3,
            "not this one"
        );
        assert!(body.contains("Sign out the 3 other devices"));

        // Bob's phone's session, posted by Ann: not hers to end.
        let mut bobs_phone = app.device(SAFARI_IPHONE, DEFAULT_PEER);
        bobs_phone
            .sign_in("bob@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
        let bobs = sign_out_path(&bob.get("/account/devices").await.body, "Safari on iPhone");
        laptop.get("/account/devices").await;
        laptop
            .post(&bobs, &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("already ended, or belongs to someone else");
        bobs_phone
            .get("/account")
            .await
            .assert_status(StatusCode::OK);
        laptop
            .post("/account/devices/not-a-session/sign-out", &[])
            .await
            .assert_status(StatusCode::CONFLICT);

        // The console lists the same devices in the same words.
        let ann = app.customer_id("ann@example.com").await;
        let mut support = app
            .admin_browser("help@example.com", gatehouse::domain::Role::Support)
            .await;
        support
            .get(&format!("/admin/customers/{ann}"))
            .await
            .assert_contains("Safari on iPhone")
            .assert_contains("Firefox on Android")
            .assert_contains("Password")
            .assert_contains("198.51.100.7 (near Berlin, Germany)");

        let phones = sign_out_path(&list.body, "Safari on iPhone");
        laptop
            .post(&phones, &[])
            .await
            .assert_redirect("/account/devices");
        laptop
            .get("/account/devices")
            .await
            .assert_contains("That device is signed out");
        phone.get("/account").await.assert_redirect("/login");
        tablet.get("/account").await.assert_status(StatusCode::OK);
        let revoked = app.audit_trail(Action::CustomerSessionRevoked).await;
        assert_eq!(revoked.len(), 1);
        assert_eq!(revoked[0].actor_kind, "customer");
        assert_eq!(revoked[0].customer, Some(ann));

        laptop.get("/account/devices").await;
        laptop
            .post("/account/devices/sign-out-others", &[])
            .await
            .assert_redirect("/account/devices");
        let after = laptop.get("/account/devices").await;
        after.assert_contains("The 2 other devices are signed out.");
        assert!(!after.body.contains("Firefox on Android"));
        assert!(!after.body.contains("sign-out-others"));
        tablet.get("/account").await.assert_redirect("/login");
        laptop.get("/account").await.assert_status(StatusCode::OK);
        bobs_phone
            .get("/account")
            .await
            .assert_status(StatusCode::OK);
        let all = app.audit_trail(Action::CustomerSessionsRevoked).await;
        assert_eq!(all.len(), 1);
        assert!(
            all[0].details.contains("\"sessions_ended\":2"),
            "{}",
            all[0].details
        );
    }
}
