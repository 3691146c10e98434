//! Passkey ceremonies: forged, replayed and unasked answers refused; none offered on an IP address.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkey_ceremonies_refuse_forged_replayed_and_unasked_answers() {
    on_each_backend(|app| async move {
        let mut gil = app
            .signed_up_and_verified("gil@example.com", STRONG_PASSWORD)
            .await;
        gil.get("/account/security")
            .await
            .assert_contains("data-passkey-register");
        let id = app.customer_id("gil@example.com").await;
        let owner = gatehouse::store::FactorOwner::Customer(id);

        // An answer to no ceremony.
        refused(
            ceremony(
                &mut gil,
                "/passkeys/register",
                &[("credential", FORGED_REGISTRATION)],
            )
            .await,
            "took too long",
        );

        // The options: this relying party, this customer, a discoverable
        // credential with user verification.
        let (status, options) = ceremony(&mut gil, "/passkeys/register/options", &[]).await;
        assert_eq!(status, StatusCode::OK);
        let key = &options["publicKey"];
        assert_eq!(key["rp"]["id"], "gatehouse.test");
        assert_eq!(key["user"]["name"], "gil@example.com");
        assert_eq!(key["authenticatorSelection"]["residentKey"], "required");
        assert_eq!(
            key["authenticatorSelection"]["userVerification"],
            "required"
        );

        // A forged answer is refused, and the ceremony is spent with it.
        refused(
            ceremony(
                &mut gil,
                "/passkeys/register",
                &[("credential", FORGED_REGISTRATION)],
            )
            .await,
            "could not be verified",
        );
        refused(
            ceremony(
                &mut gil,
                "/passkeys/register",
                &[("credential", FORGED_REGISTRATION)],
            )
            .await,
            "took too long",
        );
        // A ceremony left longer than five minutes has expired.
        let (status, _) = ceremony(&mut gil, "/passkeys/register/options", &[]).await;
        assert_eq!(status, StatusCode::OK);
        app.state.clock.advance(301);
        refused(
            ceremony(
                &mut gil,
                "/passkeys/register",
                &[("credential", FORGED_REGISTRATION)],
            )
            .await,
            "took too long",
        );
        let (status, _) = ceremony(&mut gil, "/passkeys/register/options", &[]).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = ceremony(
            &mut gil,
            "/passkeys/register",
            &[("credential", "not json")],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(app.state.store.factors(owner).await.unwrap().is_empty());

        // Signing in with a forged passkey answer naming Gil: nobody is
        // signed in, and the ceremony is spent.
        let mut anyone = app.browser();
        anyone
            .get("/login")
            .await
            .assert_contains("Sign in with a passkey");
        let (status, options) = ceremony(&mut anyone, "/passkeys/sign-in/options", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            options["publicKey"]["allowCredentials"]
                .as_array()
                .is_none_or(|a| a.is_empty())
        );
        let forged = forged_assertion(id.0);
        refused(
            ceremony(&mut anyone, "/passkeys/sign-in", &[("credential", &forged)]).await,
            "could not be verified",
        );
        let (status, _) =
            ceremony(&mut anyone, "/passkeys/sign-in", &[("credential", &forged)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        anyone.get("/account").await.assert_redirect("/login");

        // A second factor with no sign-in waiting, or without a passkey.
        refused(
            ceremony(&mut anyone, "/passkeys/verify/options", &[]).await,
            "Sign in again",
        );
        let (status, _) = ceremony(&mut gil, "/passkeys/verify/options", &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkeys_are_not_offered_on_an_ip_address() {
    let app = TestApp::start(&Backend::Sqlite, &["--public-url", "http://127.0.0.1:9"]).await;
    let mut anyone = app.browser();
    let login = anyone.get("/login").await;
    assert!(!login.body.contains("Sign in with a passkey"));
    assert!(login.body.contains(r#"autocomplete="username""#));
    let (status, json) = ceremony(&mut anyone, "/passkeys/sign-in/options", &[]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(json["error"].as_str().unwrap().contains("domain name"));
}
