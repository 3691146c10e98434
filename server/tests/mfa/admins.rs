//! Admins' factors, and support resetting a customer's.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_resets_a_customers_mfa_and_the_console_shows_factors_not_secrets() {
    on_each_backend(|app| async move {
        let mut fay = app
            .signed_up_and_verified("fay@example.com", STRONG_PASSWORD)
            .await;
        let (secret, _) = app.add_app(&mut fay).await;
        let id = app.customer_id("fay@example.com").await;
        let path = format!("/admin/customers/{id}");

        let mut auditor = app.admin_browser("audit@example.com", Role::Auditor).await;
        let page = auditor.get(&path).await;
        page.assert_contains("Second factors")
            .assert_contains("Authenticator app")
            .assert_contains("Unused recovery codes: 10");
        assert!(!page.body.contains("Reset MFA"));
        let base32 = totp_rs::Secret::from(secret.clone()).to_base32();
        assert!(!page.body.contains(&base32), "never the secret");
        auditor
            .post(&format!("{path}/mfa/reset"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);

        let mut support = app.admin_browser("help@example.com", Role::Support).await;
        support.get(&path).await.assert_contains("Reset MFA");
        support
            .post(&format!("{path}/mfa/reset"), &[])
            .await
            .assert_redirect(&path);
        support
            .get(&path)
            .await
            .assert_contains("MFA is reset: 1 second factor(s)")
            .assert_contains("No second factor.");
        assert_eq!(events(&app, Action::CustomerMfaReset).await, 1);
        // The password alone signs in again (the policy is optional).
        let mut browser = app.browser();
        browser
            .sign_in("fay@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_choose_a_passkey_or_an_app_and_an_owner_resets_another_admins() {
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("olive@example.com", Role::Owner).await;
        let mut sam = app.admin_invited("sam@example.com", Role::Support).await;

        // The first sign-in offers a passkey beside the app.
        let enrol = sam.get("/admin/login/enrol").await;
        enrol
            .assert_status(StatusCode::OK)
            .assert_contains(r#"data-passkey-action="register""#)
            .assert_contains("Or an authenticator app");
        assert!(!enrol.body.contains(r#"data-passkey-action="verify""#));

        // The console's ceremony: an answer to no ceremony, then options
        // for this admin, a forged answer refused, nothing stored.
        refused(
            ceremony(
                &mut sam,
                "/admin/passkeys/register",
                &[("credential", FORGED_REGISTRATION)],
            )
            .await,
            "took too long",
        );
        let (status, options) = ceremony(&mut sam, "/admin/passkeys/register/options", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(options["publicKey"]["rp"]["id"], "gatehouse.test");
        assert_eq!(options["publicKey"]["user"]["name"], "sam@example.com");
        refused(
            ceremony(
                &mut sam,
                "/admin/passkeys/register",
                &[("credential", FORGED_REGISTRATION)],
            )
            .await,
            "could not be verified",
        );
        // Showing a factor is not this step.
        refused(
            ceremony(&mut sam, "/admin/passkeys/verify/options", &[]).await,
            "Sign in again",
        );
        let sam_id = admin_id(&app, "sam@example.com").await;
        let sam_owner = gatehouse::store::FactorOwner::Admin(sam_id);
        assert!(app.state.store.factors(sam_owner).await.unwrap().is_empty());
        sam.get("/admin/customers")
            .await
            .assert_redirect("/admin/login");

        // Sam takes the app instead; the next sign-in asks for its code
        // and offers no passkey, which Sam does not have.
        app.admin_enrols(&mut sam).await;
        console_password_again(&mut sam, "sam@example.com")
            .await
            .assert_redirect("/admin/login/verify");
        let verify = sam.get("/admin/login/verify").await;
        verify.assert_contains(r#"name="code""#);
        assert!(!verify.body.contains(r#"data-passkey-action="verify""#));
        refused(
            ceremony(&mut sam, "/admin/passkeys/verify/options", &[]).await,
            "removed",
        );
        app.console_sign_in(&mut sam, "sam@example.com", ADMIN_PASSWORD)
            .await
            .assert_redirect("/admin/customers");

        // The admins page shows each admin's factor; only an owner resets,
        // never their own.
        let listing = owner.get("/admin/admins").await;
        listing
            .assert_contains("Authenticator app")
            .assert_contains("Reset MFA of sam@example.com");
        assert!(!listing.body.contains("Reset MFA of olive@example.com"));
        let olive_id = admin_id(&app, "olive@example.com").await;
        sam.post(&format!("/admin/admins/{olive_id}/mfa-reset"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        owner
            .post(&format!("/admin/admins/{olive_id}/mfa-reset"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("cannot reset your own");
        owner
            .post("/admin/admins/not-an-id/mfa-reset", &[])
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        let olive_owner = gatehouse::store::FactorOwner::Admin(olive_id);
        assert_eq!(app.state.store.factors(olive_owner).await.unwrap().len(), 1);
        assert_eq!(events(&app, Action::AdminMfaReset).await, 0);

        owner
            .post(&format!("/admin/admins/{sam_id}/mfa-reset"), &[])
            .await
            .assert_redirect("/admin/admins");
        owner
            .get("/admin/admins")
            .await
            .assert_contains("1 second factor(s) removed")
            .assert_contains("none yet");
        assert!(app.state.store.factors(sam_owner).await.unwrap().is_empty());
        assert_eq!(events(&app, Action::AdminMfaReset).await, 1);

        // Sam's next sign-in sets up a factor again.
        console_password_again(&mut sam, "sam@example.com")
            .await
            .assert_redirect("/admin/login/enrol");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_change_their_own_factors_only_soon_after_signing_in_and_keep_one() {
    on_each_backend(|app| async move {
        let mut uma = app.admin_browser("uma@example.com", Role::Support).await;
        let uma_id = admin_id(&app, "uma@example.com").await;
        let owner = gatehouse::store::FactorOwner::Admin(uma_id);
        let app_factor = app.state.store.factors(owner).await.unwrap()[0].id;

        // Just signed in: a passkey may be added; the only factor stays.
        let page = uma.get("/admin/security").await;
        page.assert_status(StatusCode::OK)
            .assert_contains("Authenticator app")
            .assert_contains(r#"data-passkey-action="register""#);
        assert!(!page.body.contains("/admin/security/remove"));
        uma.post(&format!("/admin/security/remove?id={app_factor}"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("add another before removing");
        let (status, options) = ceremony(&mut uma, "/admin/passkeys/register/options", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(options["publicKey"]["user"]["name"], "uma@example.com");
        refused(
            ceremony(
                &mut uma,
                "/admin/passkeys/register",
                &[("credential", FORGED_REGISTRATION)],
            )
            .await,
            "could not be verified",
        );

        // A second factor (stored directly: the browser tests register real
        // passkeys), and a sign-in older than the window: nothing changes.
        let passkey = uuid::Uuid::now_v7();
        app.state
            .store
            .insert_factor(&gatehouse::store::NewFactor {
                id: passkey,
                owner,
                kind: gatehouse::domain::mfa::FactorKind::Passkey,
                name: "Passkey on Linux",
                totp: None,
                passkey: Some((b"credential-id", "{}")),
                now: app.state.clock.now(),
            })
            .await
            .unwrap();
        app.state.clock.advance(10 * 60);
        uma.get("/admin/security")
            .await
            .assert_contains("needs a recent sign-in");
        uma.post(&format!("/admin/security/remove?id={passkey}"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("recent sign-in");
        let (status, json) = ceremony(&mut uma, "/admin/passkeys/register/options", &[]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(json["error"].as_str().unwrap().contains("recent sign-in"));
        assert_eq!(app.state.store.factors(owner).await.unwrap().len(), 2);

        // Signed in again: either may go, one at a time, and it is audited.
        uma.get("/admin/customers").await;
        uma.post("/admin/logout", &[]).await;
        app.console_sign_in(&mut uma, "uma@example.com", ADMIN_PASSWORD)
            .await
            .assert_redirect("/admin/customers");
        uma.get("/admin/security")
            .await
            .assert_contains(&format!("/admin/security/remove?id={passkey}"));
        uma.post(&format!("/admin/security/remove?id={passkey}"), &[])
            .await
            .assert_redirect("/admin/security");
        uma.post(&format!("/admin/security/remove?id={passkey}"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        assert_eq!(app.state.store.factors(owner).await.unwrap().len(), 1);
        assert_eq!(events(&app, Action::AdminMfaRemoved).await, 1);
    })
    .await;
}
