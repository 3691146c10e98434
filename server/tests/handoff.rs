//! "Continue on another device" through the real router, on every
//! backend: a laptop offers its session, a phone opens the link and shows
//! the same match code, the laptop confirms and the phone gets a session
//! of its own; refusals, stale and foreign tickets hand nothing over;
//! guesses are held back; the phone meets the MFA policy on its own.

mod support;

use axum::http::StatusCode;
use gatehouse::domain::Action;
use gatehouse::domain::mfa::MfaPolicy;
use support::*;

/// The laptop asks to continue elsewhere: its page's link's token and
/// match code.
async fn offer(laptop: &mut Browser) -> (String, String) {
    laptop.get("/account").await;
    laptop
        .post("/account/handoff", &[])
        .await
        .assert_redirect("/account/handoff");
    let page = laptop.get("/account/handoff").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("<svg")
        .assert_contains("Match code");
    assert_eq!(
        page.headers.get("refresh").map(|v| v.to_str().unwrap()),
        Some("2"),
        "the page waits by itself: {}",
        page.body
    );
    assert_eq!(page.headers["cache-control"], "no-store");
    let link_at = page
        .body
        .find(&format!("value=\"{PUBLIC_URL}/handoff/open?token="))
        .expect("the link to copy");
    let token: String = page.body[link_at..]
        .split("token=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    (token, match_code(&page.body))
}

/// The match code a page shows.
fn match_code(html: &str) -> String {
    let at = html
        .find("data-match-code")
        .unwrap_or_else(|| panic!("a match code: {html}"));
    let at = at + html[at..].find('>').unwrap() + 1;
    html[at..].chars().take_while(|c| *c != '<').collect()
}

/// The phone opens the link and asks to continue there.
async fn claim(phone: &mut Browser, token: &str) -> Page {
    let open = phone.get(&format!("/handoff/open?token={token}")).await;
    open.assert_status(StatusCode::OK);
    phone.post("/handoff/open", &[("token", token)]).await
}

async fn details(app: &TestApp, action: Action) -> Vec<serde_json::Value> {
    app.audit_trail(action)
        .await
        .iter()
        .map(|e| serde_json::from_str(&e.details).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_hands_its_session_to_a_phone_it_confirms() {
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
        let mut laptop = app.device(CHROME_WINDOWS, "203.0.113.5:40000");
        laptop
            .sign_in("ann@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
        let (token, code) = offer(&mut laptop).await;
        assert!(code.len() == 2 && code.chars().all(|c| c.is_ascii_digit()));

        // The phone sees the same code and which device offers.
        let mut phone = app.device(SAFARI_IPHONE, "198.51.100.7:50000");
        let open = phone.get(&format!("/handoff/open?token={token}")).await;
        open.assert_status(StatusCode::OK)
            .assert_contains("Chrome on Windows 10 offers")
            .assert_contains("Continue on this device");
        assert_eq!(match_code(&open.body), code);
        phone
            .post("/handoff/open", &[("token", &token)])
            .await
            .assert_redirect("/handoff");
        let waiting = phone.get("/handoff").await;
        waiting
            .assert_status(StatusCode::OK)
            .assert_contains("Confirm on your other device");
        assert_eq!(match_code(&waiting.body), code);
        assert_eq!(waiting.headers["refresh"], "2");
        // Opening the link again on the phone goes back to waiting.
        phone
            .get(&format!("/handoff/open?token={token}"))
            .await
            .assert_redirect("/handoff");

        // Someone else with the link is too late: the first device claimed it.
        let mut other = app.device(FIREFOX_ANDROID, "192.0.2.9:1234");
        other
            .get(&format!("/handoff/open?token={token}"))
            .await
            .assert_status(StatusCode::GONE)
            .assert_contains("already opened on another device");

        // The laptop sees who asks, and where from, before it decides.
        let asked = laptop.get("/account/handoff").await;
        asked
            .assert_contains("Safari on iPhone")
            .assert_contains("From 198.51.100.7 (near Berlin, Germany)")
            .assert_contains("Yes, continue on that device");
        assert!(!asked.headers.contains_key("refresh"), "a decision waits");
        assert_eq!(match_code(&asked.body), code);
        laptop
            .post("/account/handoff/answer", &[("answer", "confirm")])
            .await
            .assert_redirect("/account/handoff");

        // The phone's next look signs it in, with a session of its own.
        phone.get("/handoff").await.assert_redirect("/account");
        phone
            .get("/account")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("ann@example.com");
        assert_ne!(phone.cookie, laptop.cookie, "never a copied cookie");
        laptop
            .get("/account/handoff")
            .await
            .assert_contains("Safari on iPhone is signed in");
        // Single use: the phone cannot spend it again, nor anyone else.
        phone.get("/handoff").await.assert_status(StatusCode::GONE);
        other
            .get(&format!("/handoff/open?token={token}"))
            .await
            .assert_status(StatusCode::GONE);

        // Each device lists the other, and how the phone began.
        phone
            .get("/account/devices")
            .await
            .assert_contains("Handed off from Chrome on Windows 10");
        let ann = app.customer_id("ann@example.com").await;
        let mut support = app
            .admin_browser("help@example.com", gatehouse::domain::Role::Support)
            .await;
        support
            .get(&format!("/admin/customers/{ann}"))
            .await
            .assert_contains("Handoff from Chrome on Windows 10");

        // On the record, in words: offered, opened, confirmed, signed in.
        let offered = details(&app, Action::HandoffOffered).await;
        assert_eq!(offered[0]["from_device"], "Chrome on Windows 10");
        let opened = details(&app, Action::HandoffOpened).await;
        assert_eq!(opened[0]["to_device"], "Safari on iPhone");
        let confirmed = details(&app, Action::HandoffConfirmed).await;
        assert_eq!(confirmed[0]["to_device"], "Safari on iPhone");
        assert_eq!(confirmed[0]["to_ip"], "198.51.100.7");
        let signed_in = details(&app, Action::CustomerSignedIn).await;
        assert!(signed_in[0]["handed_off_from"].is_string());
        assert_eq!(signed_in[0]["amr"], "pwd", "no stronger than its source");

        // The two sessions are apart: the laptop signs out, the phone stays.
        laptop.get("/account").await;
        laptop.post("/logout", &[]).await;
        laptop.get("/account").await.assert_redirect("/login");
        phone.get("/account").await.assert_status(StatusCode::OK);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_stale_and_ended_tickets_hand_nothing_over() {
    on_each_backend(|app| async move {
        let mut laptop = app
            .signed_up_and_verified("bea@example.com", STRONG_PASSWORD)
            .await;
        let sessions = "SELECT COUNT(*) FROM customer_sessions";

        // Refused on the laptop: the phone is told, and is not signed in.
        let (token, _) = offer(&mut laptop).await;
        let mut phone = app.device(SAFARI_IPHONE, "198.51.100.7:50000");
        claim(&mut phone, &token).await.assert_redirect("/handoff");
        let before = app.count(sessions).await;
        laptop
            .post("/account/handoff/answer", &[("answer", "refuse")])
            .await
            .assert_redirect("/account/handoff");
        laptop
            .get("/account/handoff")
            .await
            .assert_contains("Refused. Safari on iPhone was not signed in")
            .assert_contains("where you are signed in");
        phone
            .get("/handoff")
            .await
            .assert_status(StatusCode::GONE)
            .assert_contains("The other device refused");
        phone.get("/account").await.assert_redirect("/login");
        assert_eq!(app.count(sessions).await, before);
        assert_eq!(app.audit_trail(Action::HandoffRefused).await.len(), 1);
        // A refused ticket cannot be confirmed after all.
        laptop
            .post("/account/handoff/answer", &[("answer", "confirm")])
            .await
            .assert_redirect("/account/handoff");
        phone.get("/handoff").await.assert_status(StatusCode::GONE);

        // An answer that is neither changes nothing.
        laptop.get("/account/handoff").await;
        laptop
            .post("/account/handoff/answer", &[("answer", "maybe")])
            .await
            .assert_status(StatusCode::BAD_REQUEST)
            .assert_contains("Choose whether");

        // Stale: a minute to open it.
        let (token, _) = offer(&mut laptop).await;
        app.state.clock.advance(61);
        let mut late = app.device(SAFARI_IPHONE, "198.51.100.8:50000");
        late.get(&format!("/handoff/open?token={token}"))
            .await
            .assert_status(StatusCode::GONE)
            .assert_contains("work once and only for about a minute");
        laptop
            .get("/account/handoff")
            .await
            .assert_contains("expired or was already used")
            .assert_contains("Show a new code");

        // Opened but never answered: gone a minute later.
        let (token, _) = offer(&mut laptop).await;
        let mut phone = app.device(SAFARI_IPHONE, "198.51.100.9:50000");
        claim(&mut phone, &token).await.assert_redirect("/handoff");
        app.state.clock.advance(61);
        laptop
            .post("/account/handoff/answer", &[("answer", "confirm")])
            .await
            .assert_redirect("/account/handoff");
        phone.get("/handoff").await.assert_status(StatusCode::GONE);
        phone.get("/account").await.assert_redirect("/login");
        // The clean-up records both as expired, once each.
        let expired = gatehouse::identity::handoff::expire(&app.state)
            .await
            .unwrap();
        assert!(expired >= 2, "{expired}");
        let records = details(&app, Action::HandoffExpired).await;
        assert_eq!(records.len(), 2, "the refused one is not 'expired'");
        assert_eq!(records[0]["opened"], true);
        assert_eq!(records[1]["opened"], false);

        // Ended with its session: signing the laptop out kills the ticket.
        let (token, _) = offer(&mut laptop).await;
        laptop.post("/logout", &[]).await;
        let mut phone = app.device(SAFARI_IPHONE, "198.51.100.10:50000");
        phone
            .get(&format!("/handoff/open?token={token}"))
            .await
            .assert_status(StatusCode::GONE);
        assert_eq!(app.count("SELECT COUNT(*) FROM handoff_tickets").await, 0);

        // Wrong and malformed tokens say what to do next.
        phone
            .get("/handoff/open?token=not-a-ticket")
            .await
            .assert_status(StatusCode::GONE)
            .assert_contains("choose “Continue on another device” again");
        phone.get("/handoff").await.assert_status(StatusCode::GONE);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticket_guesses_are_held_back_and_offers_are_limited() {
    on_each_backend(|app| async move {
        let mut laptop = app
            .signed_up_and_verified("cy@example.com", STRONG_PASSWORD)
            .await;
        let (token, _) = offer(&mut laptop).await;
        let mut guesser = app.device(FIREFOX_ANDROID, "192.0.2.66:1000");
        let mut held_back = None;
        for n in 0..40 {
            let wrong = format!("{:0>43}", n);
            let page = guesser.get(&format!("/handoff/open?token={wrong}")).await;
            if page.status == StatusCode::TOO_MANY_REQUESTS {
                assert!(page.headers.contains_key("retry-after"));
                held_back = Some(n);
                break;
            }
            page.assert_status(StatusCode::GONE);
        }
        let n = held_back.expect("guessing is held back");
        assert!(n >= 3, "a few mistakes are allowed ({n})");
        // Even the right ticket waits from there; elsewhere it opens.
        guesser
            .get(&format!("/handoff/open?token={token}"))
            .await
            .assert_status(StatusCode::TOO_MANY_REQUESTS);
        let mut phone = app.device(SAFARI_IPHONE, "198.51.100.7:50000");
        claim(&mut phone, &token).await.assert_redirect("/handoff");

        // A session offers a handful of tickets in ten minutes, not more.
        let mut offered = 1;
        loop {
            laptop.get("/account").await;
            let page = laptop.post("/account/handoff", &[]).await;
            if page.status == StatusCode::TOO_MANY_REQUESTS {
                break;
            }
            page.assert_redirect("/account/handoff");
            offered += 1;
            assert!(offered <= 10, "offers are limited");
        }
        assert_eq!(offered, 10);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_meets_the_mfa_policy_itself_when_its_source_did_not() {
    on_each_backend(|app| async move {
        let mut laptop = app
            .signed_up_and_verified("dee@example.com", STRONG_PASSWORD)
            .await;
        // The laptop signed in with a password alone; now a second factor
        // is required of everyone.
        app.global_policy(MfaPolicy::Required).await;
        let (token, _) = offer(&mut laptop).await;
        let mut phone = app.device(SAFARI_IPHONE, "198.51.100.7:50000");
        claim(&mut phone, &token).await.assert_redirect("/handoff");
        laptop.get("/account/handoff").await;
        laptop
            .post("/account/handoff/answer", &[("answer", "confirm")])
            .await;
        // Holding no factor, the phone sets one up before it is in.
        phone.get("/handoff").await.assert_redirect("/login/enrol");
        phone.get("/account").await.assert_redirect("/login");
    })
    .await;
}

/// The screen asks for a code: its approve link's token and match code.
async fn screen_code(screen: &mut Browser) -> (String, String) {
    screen
        .get("/login")
        .await
        .assert_contains("Sign in with your phone");
    screen
        .get("/login/screen")
        .await
        .assert_contains("Show a code to scan");
    screen
        .post("/login/screen", &[])
        .await
        .assert_redirect("/login/screen");
    let page = screen.get("/login/screen").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("<svg")
        .assert_contains("signs in for 15 minutes");
    assert_eq!(
        page.headers.get("refresh").map(|v| v.to_str().unwrap()),
        Some("2")
    );
    let token: String = page
        .body
        .split(&format!("value=\"{PUBLIC_URL}/handoff/approve?token="))
        .nth(1)
        .expect("the link to open on the phone")
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    (token, match_code(&page.body))
}

/// The phone says yes to the screen's `token`; the screen's page then
/// signs it in as `email`.
async fn phone_confirms(phone: &mut Browser, screen: &mut Browser, token: &str, email: &str) {
    phone
        .post(
            "/handoff/approve",
            &[("token", token), ("answer", "confirm")],
        )
        .await
        .assert_redirect("/account/devices");
    screen
        .get("/login/screen")
        .await
        .assert_redirect("/account");
    screen
        .get("/account")
        .await
        .assert_status(StatusCode::OK)
        .assert_contains(email);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_signs_a_shared_screen_in_for_minutes_and_it_signs_itself_out() {
    on_each_backend(|app| async move {
        let mut phone = app
            .signed_up_and_verified("eve@example.com", STRONG_PASSWORD)
            .await;
        phone.user_agent = SAFARI_IPHONE.into();
        let mut screen = app.device(CHROME_WINDOWS, "203.0.113.20:4000");
        let (token, code) = screen_code(&mut screen).await;

        // A phone that is not signed in is told to sign in first.
        let mut stranger = app.device(FIREFOX_ANDROID, "192.0.2.1:1");
        stranger
            .get(&format!("/handoff/approve?token={token}"))
            .await
            .assert_contains("sign in on this phone first");
        // The screen's link is no laptop's handoff link.
        stranger
            .get(&format!("/handoff/open?token={token}"))
            .await
            .assert_status(StatusCode::GONE);

        // The signed-in phone sees the screen and the same number.
        let asked = phone.get(&format!("/handoff/approve?token={token}")).await;
        asked
            .assert_status(StatusCode::OK)
            .assert_contains("Chrome on Windows 10")
            .assert_contains("From 203.0.113.20")
            .assert_contains("15 minutes");
        assert_eq!(match_code(&asked.body), code);
        // The screen's own page signs it in, as Eve, for 15 minutes.
        phone_confirms(&mut phone, &mut screen, &token, "eve@example.com").await;
        phone
            .get("/account/devices")
            .await
            .assert_contains("The screen is signing in")
            .assert_contains("Shared screen: signs itself out");
        let confirmed = details(&app, Action::HandoffConfirmed).await;
        assert_eq!(confirmed[0]["shared_screen"], true);
        assert_eq!(confirmed[0]["to_device"], "Chrome on Windows 10");
        // Answered once.
        phone
            .get(&format!("/handoff/approve?token={token}"))
            .await
            .assert_status(StatusCode::GONE);
        app.state.clock.advance(15 * 60 - 5);
        screen.get("/account").await.assert_status(StatusCode::OK);
        app.state.clock.advance(10);
        screen.get("/account").await.assert_redirect("/login");
        phone.get("/account").await.assert_status(StatusCode::OK);

        // The phone says no: the screen is told, and stays signed out.
        let (token, _) = screen_code(&mut screen).await;
        phone.get(&format!("/handoff/approve?token={token}")).await;
        phone
            .post(
                "/handoff/approve",
                &[("token", &token), ("answer", "refuse")],
            )
            .await
            .assert_redirect("/account");
        screen
            .get("/login/screen")
            .await
            .assert_contains("The phone said no");
        screen.get("/account").await.assert_redirect("/login");
        assert_eq!(app.audit_trail(Action::HandoffRefused).await.len(), 1);

        // Nobody answers: the code expires, and the screen offers a new one.
        drop(screen_code(&mut screen).await);
        app.state.clock.advance(121);
        screen
            .get("/login/screen")
            .await
            .assert_contains("That code has expired")
            .assert_contains("Show a new code");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_signed_out_when_it_scans_is_asked_once_it_signs_in() {
    on_each_backend(|app| async move {
        drop(
            app.signed_up_and_verified("fay@example.com", STRONG_PASSWORD)
                .await,
        );
        let mut screen = app.device(CHROME_WINDOWS, "203.0.113.21:4000");
        let (token, code) = screen_code(&mut screen).await;
        let mut phone = app.device(SAFARI_IPHONE, "198.51.100.30:5000");
        phone
            .get(&format!("/handoff/approve?token={token}"))
            .await
            .assert_contains("sign in on this phone first");
        // Signed in, the phone is brought back to the screen's question.
        phone
            .sign_in("fay@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/handoff/approve");
        let asked = phone.get("/handoff/approve").await;
        asked
            .assert_status(StatusCode::OK)
            .assert_contains("Chrome on Windows 10");
        assert_eq!(match_code(&asked.body), code);
        // A form that answers neither changes nothing and leads back.
        phone
            .post(
                "/handoff/approve",
                &[("token", &token), ("answer", "maybe")],
            )
            .await
            .assert_status(StatusCode::BAD_REQUEST)
            .assert_contains("Choose whether to sign in the screen");
        screen
            .get("/login/screen")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(&code);
        let again = phone.get("/handoff/approve").await;
        assert_eq!(match_code(&again.body), code);
        phone_confirms(&mut phone, &mut screen, &token, "fay@example.com").await;
        // Answered, the code is no longer held: a later sign-in goes home.
        phone.post("/logout", &[]).await;
        phone
            .sign_in("fay@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
    })
    .await;
}
