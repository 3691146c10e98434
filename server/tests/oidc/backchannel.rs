//! OpenID Connect Back-Channel Logout: an application with a registered
//! address hears, server to server, when a session it was given an ID
//! token in ends, through a logout token checked here with jsonwebtoken
//! against the published JWKS; that session's tokens stop (unless the
//! customer allowed access while away); a refusing application is tried
//! again, then given up, on the record either way.

use super::*;
use axum::extract::State;
use axum::routing::post;
use gatehouse::domain::Action;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An application's back-channel logout endpoint on loopback: the logout
/// tokens posted to it, answered with 503 while `refusals` lasts.
#[derive(Clone, Default)]
struct Receiver {
    tokens: Arc<Mutex<Vec<String>>>,
    refusals: Arc<AtomicUsize>,
}

impl Receiver {
    /// Listens; its address.
    async fn start(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let uri = format!(
            "http://{}/backchannel-logout",
            listener.local_addr().unwrap()
        );
        let router = axum::Router::new()
            .route("/backchannel-logout", post(receive))
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        uri
    }

    fn received(&self) -> Vec<String> {
        self.tokens.lock().unwrap().clone()
    }

    /// Waits (up to 15 s) until `n` tokens have come.
    async fn wait_for(&self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {n} logout tokens came",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    axum::Form(form): axum::Form<std::collections::HashMap<String, String>>,
) -> axum::http::StatusCode {
    let refused = receiver
        .refusals
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    receiver
        .tokens
        .lock()
        .unwrap()
        .push(form["logout_token"].clone());
    if refused {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    }
}

async fn shop_with(app: &TestApp, logout_uri: &str) -> App {
    register_with(
        app,
        Registration {
            name: "Web Shop".into(),
            first_party: true,
            redirect_uris: vec![CALLBACK.into()],
            backchannel_logout_uri: Some(logout_uri.into()),
            ..Default::default()
        },
    )
    .await
}

/// A logout token as an application checks it (§2.6): signature, issuer,
/// audience, `typ`, the event, a `sid`, and no `nonce`.
async fn logout_claims(browser: &mut Browser, token: &str, audience: &str) -> Value {
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.typ.as_deref(), Some("logout+jwt"));
    let claims = verify(browser, token, audience).await;
    assert!(
        claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object(),
        "{claims}"
    );
    assert!(claims.get("nonce").is_none(), "{claims}");
    assert!(claims["jti"].is_string(), "{claims}");
    claims
}

/// The session the ID token among `tokens` names.
async fn sid_of(app: &TestApp, shop: &App, tokens: &Value) -> String {
    let id_token = tokens["id_token"].as_str().unwrap();
    verify(&mut app.browser(), id_token, &shop.id).await["sid"]
        .as_str()
        .expect("the ID token names its session")
        .to_string()
}

async fn refresh(browser: &mut Browser, shop: &App, token: &str) -> (StatusCode, Value) {
    let (status, json, _) = token_request(
        browser,
        shop,
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
    )
    .await;
    (status, json)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_hear_when_a_session_ends_and_its_tokens_stop() {
    on_each_backend(|app| async move {
        let receiver = Receiver::default();
        let shop = shop_with(&app, &receiver.start().await).await;
        // An application with no back-channel address is not told.
        let forum = register(&app, true, &[]).await;
        let mut laptop = app
            .signed_up_and_verified("ada@example.com", STRONG_PASSWORD)
            .await;
        let customer = app.customer_id("ada@example.com").await.to_string();
        let mut phone = app.device(SAFARI_IPHONE, "198.51.100.9:1000");
        phone.sign_in("ada@example.com", STRONG_PASSWORD).await;

        let at_laptop = tokens_for(&app, &mut laptop, &shop).await;
        let at_phone = tokens_for(&app, &mut phone, &shop).await;
        let offline = tokens_for_scope(&app, &mut phone, &shop, "openid offline_access").await;
        drop(tokens_for(&app, &mut phone, &forum).await);
        let laptop_sid = sid_of(&app, &shop, &at_laptop).await;
        let phone_sid = sid_of(&app, &shop, &at_phone).await;
        assert_ne!(laptop_sid, phone_sid);
        assert_eq!(sid_of(&app, &shop, &offline).await, phone_sid);
        // A code the phone was given, not yet exchanged when it is signed out.
        let late = phone.get(&authorize_path(&shop.id, &[])).await;
        let late_code = returned(late.location().unwrap())["code"].clone();

        // The laptop signs every other device out: the shop hears of the
        // phone's session, once, and nothing else.
        laptop.get("/account/devices").await;
        laptop
            .post("/account/devices/sign-out-others", &[])
            .await
            .assert_redirect("/account/devices");
        let tokens = receiver.wait_for(1).await;
        let claims = logout_claims(&mut app.browser(), &tokens[0], &shop.id).await;
        assert_eq!(claims["sid"], phone_sid);
        assert_eq!(claims["sub"], customer);

        // The phone's session's tokens stop; those allowed while away, and
        // the laptop's, go on; the late code is refused.
        let mut client = app.browser();
        let phone_refresh = at_phone["refresh_token"].as_str().unwrap();
        assert_eq!(
            refresh(&mut client, &shop, phone_refresh).await.0,
            StatusCode::BAD_REQUEST
        );
        let access = at_phone["access_token"].as_str().unwrap();
        assert_eq!(
            introspect(&mut client, &shop, access).await["active"],
            false
        );
        let kept = offline["refresh_token"].as_str().unwrap();
        let (status, refreshed) = refresh(&mut client, &shop, kept).await;
        assert_eq!(status, StatusCode::OK, "{refreshed}");
        let (status, _) = exchange(&mut client, &shop, &late_code).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let laptop_refresh = at_laptop["refresh_token"].as_str().unwrap();
        let (status, _) = refresh(&mut client, &shop, laptop_refresh).await;
        assert_eq!(status, StatusCode::OK);

        // Signing out on the laptop tells the shop of that session too.
        laptop.get("/account").await;
        laptop.post("/logout", &[]).await.assert_redirect("/login");
        let tokens = receiver.wait_for(2).await;
        let claims = logout_claims(&mut app.browser(), &tokens[1], &shop.id).await;
        assert_eq!(claims["sid"], laptop_sid);
        // The sender writes its audit record once the application has
        // answered, so the record may trail the delivery a little.
        let mut sent = 0;
        for _ in 0..50 {
            sent = app
                .audit_trail(Action::OidcBackchannelLogoutSent)
                .await
                .len();
            if sent == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(sent, 2);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(receiver.received().len(), 2, "each session is told once");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_application_is_tried_again_then_given_up() {
    on_each_backend(|app| async move {
        let receiver = Receiver::default();
        receiver.refusals.store(usize::MAX, Ordering::SeqCst);
        let shop = shop_with(&app, &receiver.start().await).await;
        let mut browser = app
            .signed_up_and_verified("bo@example.com", STRONG_PASSWORD)
            .await;
        drop(tokens_for(&app, &mut browser, &shop).await);
        browser.get("/account").await;
        browser.post("/logout", &[]).await.assert_redirect("/login");
        receiver.wait_for(1).await;
        // Tried again after a pause that grows: 10 s, then 20 s.
        app.state.clock.advance(11);
        receiver.wait_for(2).await;
        app.state.clock.advance(21);
        receiver.wait_for(3).await;
        assert!(
            app.audit_trail(Action::OidcBackchannelLogoutSent)
                .await
                .is_empty()
        );
        // A day on, it is given up, on the record.
        app.state.clock.advance(24 * 3600);
        receiver.wait_for(4).await;
        let deadline = Instant::now() + Duration::from_secs(15);
        while app
            .audit_trail(Action::OidcBackchannelLogoutFailed)
            .await
            .is_empty()
        {
            assert!(Instant::now() < deadline, "never given up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        app.state.clock.advance(3600);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(receiver.received().len(), 4, "no try after giving up");
        let metrics = app.browser().get("/metrics").await.body;
        for (result, n) in [("retry", 3), ("given_up", 1)] {
            let line = format!("gatehouse_backchannel_logouts_total{{result=\"{result}\"}} {n}");
            assert!(metrics.contains(&line), "{line} not in:\n{metrics}");
        }

        // An application that answers at last is told.
        let receiver = Receiver::default();
        receiver.refusals.store(1, Ordering::SeqCst);
        let forum = shop_with(&app, &receiver.start().await).await;
        browser.sign_in("bo@example.com", STRONG_PASSWORD).await;
        drop(tokens_for(&app, &mut browser, &forum).await);
        browser.get("/account").await;
        browser.post("/logout", &[]).await.assert_redirect("/login");
        receiver.wait_for(1).await;
        app.state.clock.advance(11);
        receiver.wait_for(2).await;
        let deadline = Instant::now() + Duration::from_secs(15);
        while app
            .audit_trail(Action::OidcBackchannelLogoutSent)
            .await
            .is_empty()
        {
            assert!(Instant::now() < deadline, "never sent");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn a_back_channel_address_is_a_web_address_and_discovery_says_so() {
    on_each_backend(|app| async move {
        for bad in ["com.example.app:/logout", "https://shop.example.com/#x", "http://shop.example.com/bye"] {
            let refused = clients::register(
                &app.state,
                &RequestContext::system(),
                Registration {
                    name: "Web Shop".into(),
                    redirect_uris: vec![CALLBACK.into()],
                    backchannel_logout_uri: Some(bad.into()),
                    ..Default::default()
                },
            )
            .await;
            assert!(
                matches!(&refused, Err(gatehouse::domain::Error::Invalid(e)) if e.get("backchannel_logout_uri").is_some()),
                "{bad} accepted"
            );
        }
        let discovery: Value = serde_json::from_str(
            &app.browser()
                .get("/.well-known/openid-configuration")
                .await
                .body,
        )
        .unwrap();
        assert_eq!(discovery["backchannel_logout_supported"], true);
        assert_eq!(discovery["backchannel_logout_session_supported"], true);
    })
    .await;
}
