//! The MFA policy (global, per tier) deciding the next sign-in, and new factors bound only after a held one.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_policy_mode_and_a_tier_move_decide_the_next_sign_in() {
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        let mut support = app.admin_browser("help@example.com", Role::Support).await;
        drop(
            app.signed_up_and_verified("ann@example.com", STRONG_PASSWORD)
                .await,
        );

        // Optional (the default): a customer without a factor signs in with
        // the password alone.
        let mut ann = app.browser();
        ann.sign_in("ann@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");

        // Only owners set the policy; bad input changes nothing.
        support
            .get("/admin/mfa")
            .await
            .assert_status(StatusCode::OK);
        support
            .post(
                "/admin/mfa",
                &[
                    ("policy", "required"),
                    ("remember_days", "0"),
                    ("step_up_minutes", "10"),
                ],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);
        owner.get("/admin/mfa").await.assert_status(StatusCode::OK);
        owner
            .post(
                "/admin/mfa",
                &[
                    ("policy", "sometimes"),
                    ("remember_days", "400"),
                    ("step_up_minutes", "0"),
                ],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Choose off, optional, required or phishing-resistant.")
            .assert_contains("0 to 365 days")
            .assert_contains("1 to 1440 minutes");
        let settings = app.state.store.mfa_settings().await.unwrap();
        assert_eq!(settings.policy.as_str(), "optional");

        // Required: a customer without a factor sets one up before going on.
        owner
            .post(
                "/admin/mfa",
                &[
                    ("policy", "required"),
                    ("remember_days", "0"),
                    ("step_up_minutes", "10"),
                ],
            )
            .await
            .assert_redirect("/admin/mfa");
        assert_eq!(events(&app, Action::MfaPolicyChanged).await, 1);
        let mut ann = app.browser();
        ann.sign_in("ann@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/login/enrol");
        ann.get("/account").await.assert_redirect("/login");
        let setup = ann.get("/login/enrol").await;
        setup
            .assert_status(StatusCode::OK)
            .assert_contains("Your account requires a second sign-in step");
        let secret = shown_totp_secret(&setup.body);
        ann.post("/login/enrol", &[("code", "999999")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        ann.post(
            "/login/enrol",
            &[("code", &totp_code(&secret, app.state.clock.now()))],
        )
        .await
        .assert_redirect("/account/security/recovery-codes");
        let codes = ann.get("/account/security/recovery-codes").await;
        assert_eq!(shown_codes(&codes.body).len(), 10);
        ann.get("/login/continue").await.assert_redirect("/account");
        ann.get("/account").await.assert_status(StatusCode::OK);
        assert_eq!(last_sign_in_amr(&app).await, "pwd otp mfa");

        // The tier page shows who is covered.
        let regular = format!("/admin/tiers/{REGULAR}");
        owner
            .get(&regular)
            .await
            .assert_contains("With a second factor")
            .assert_contains("1 (100.0%)");

        // A tier's own policy overrides the global one: a new customer in
        // a tier with MFA off signs in with the password alone.
        owner
            .post(
                &format!("{regular}/mfa"),
                &[("policy", "loose"), ("remember_days", "")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Choose off, optional");
        owner
            .post(
                &format!("{regular}/mfa"),
                &[("policy", "off"), ("remember_days", "")],
            )
            .await
            .assert_redirect(&regular);
        drop(
            app.signed_up_and_verified("bob@example.com", STRONG_PASSWORD)
                .await,
        );
        let mut bob = app.browser();
        bob.sign_in("bob@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");

        // Moved to a tier whose policy is phishing-resistant: at the next
        // sign-in Bob must add a passkey, and an app will not do.
        owner.get("/admin/tiers").await;
        owner
            .post(
                "/admin/tiers",
                &[
                    ("name", "Platinum"),
                    ("slug", "platinum"),
                    ("rank", "30"),
                    ("colour", "#334155"),
                    ("description", ""),
                    ("entitlements", ""),
                    ("fallback", ""),
                    ("grace_days", "0"),
                ],
            )
            .await;
        let platinum = app
            .state
            .store
            .tier_by_slug("platinum")
            .await
            .unwrap()
            .unwrap()
            .id;
        owner.get(&format!("/admin/tiers/{platinum}")).await;
        owner
            .post(
                &format!("/admin/tiers/{platinum}/mfa"),
                &[("policy", "phishing_resistant"), ("remember_days", "")],
            )
            .await
            .assert_redirect(&format!("/admin/tiers/{platinum}"));
        let bob_id = app.customer_id("bob@example.com").await;
        support.get(&format!("/admin/customers/{bob_id}")).await;
        support
            .post(
                &format!("/admin/customers/{bob_id}/tier"),
                &[("tier", &platinum.to_string()), ("reason", "upgrade")],
            )
            .await
            .assert_redirect(&format!("/admin/customers/{bob_id}"));
        let mut bob = app.browser();
        bob.sign_in("bob@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/login/enrol");
        let page = bob.get("/login/enrol").await;
        page.assert_contains("Your account requires a passkey");
        assert!(!page.body.contains("data-totp-secret"), "no app offered");
        bob.post("/login/enrol", &[("code", "123456")])
            .await
            .assert_redirect("/login/enrol");
        bob.get("/account").await.assert_redirect("/login");

        // Off for the whole tier: Ann, who has an app, is not asked for it.
        let mut ann = app.browser();
        ann.sign_in("ann@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_factor_at_sign_in_needs_one_already_held() {
    on_each_backend(|app| async move {
        let mut dee = app
            .signed_up_and_verified("dee@example.com", STRONG_PASSWORD)
            .await;
        let (secret, codes) = app.add_app(&mut dee).await;
        drop(
            app.signed_up_and_verified("eli@example.com", STRONG_PASSWORD)
                .await,
        );
        // Only passkeys count now; Dee has an app, Eli nothing.
        app.global_policy(gatehouse::domain::mfa::MfaPolicy::PhishingResistant)
            .await;
        let id = app.customer_id("dee@example.com").await;
        let owner = gatehouse::store::FactorOwner::Customer(id);

        // The password alone binds nothing: every way to a new factor
        // leads back to proving the app first.
        let mut thief = app.browser();
        thief
            .sign_in("dee@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/login/verify");
        thief
            .get("/login/enrol")
            .await
            .assert_redirect("/login/verify");
        thief.get("/login/verify").await;
        thief
            .post("/login/enrol", &[("code", "123456")])
            .await
            .assert_redirect("/login/verify");
        refused(
            ceremony(&mut thief, "/passkeys/register/options", &[]).await,
            "First confirm it's you",
        );
        refused(
            ceremony(
                &mut thief,
                "/passkeys/register",
                &[("credential", FORGED_REGISTRATION)],
            )
            .await,
            "First confirm it's you",
        );
        let page = thief.get("/login/verify").await;
        page.assert_status(StatusCode::OK)
            .assert_contains("Before you set one up, confirm it")
            .assert_contains(r#"name="code""#);
        assert!(!page.body.contains("Remember this browser"));
        thief
            .post("/login/verify", &[("code", "000000")])
            .await
            .assert_status(StatusCode::UNAUTHORIZED)
            .assert_contains("Before you set one up");
        thief.get("/account").await.assert_redirect("/login");
        assert_eq!(app.state.store.factors(owner).await.unwrap().len(), 1);

        // With the app's code: on to setting up a passkey, not signed in yet.
        app.state.clock.advance(30);
        let code = totp_code(&secret, app.state.clock.now());
        let answer = thief
            .post("/login/verify", &[("code", &code), ("remember", "yes")])
            .await;
        answer.assert_redirect("/login/enrol");
        assert!(
            answer
                .headers
                .get("set-cookie")
                .is_none_or(|c| !c.to_str().unwrap().starts_with("gatehouse_mfa_remember")),
            "proving a held factor remembers no browser"
        );
        thief
            .get("/login/enrol")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Your account requires a passkey");
        let (status, options) = ceremony(&mut thief, "/passkeys/register/options", &[]).await;
        assert_eq!(status, StatusCode::OK, "{options}");
        assert_eq!(options["publicKey"]["user"]["name"], "dee@example.com");
        thief.get("/account").await.assert_redirect("/login");

        // A recovery code proves Dee as well.
        let mut again = app.browser();
        again
            .sign_in("dee@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/login/verify");
        again.get("/login/verify").await;
        again
            .post("/login/verify", &[("code", &codes[0])])
            .await
            .assert_redirect("/login/enrol");

        // An account with no factor at all still sets one up after the
        // password: there is nothing else to prove.
        let mut eli = app.browser();
        eli.sign_in("eli@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/login/enrol");
        eli.get("/login/enrol").await;
        let (status, _) = ceremony(&mut eli, "/passkeys/register/options", &[]).await;
        assert_eq!(status, StatusCode::OK);

        // The same holds for admins: one with a factor is asked for it, and
        // nothing at the console's sign-in binds another before it.
        let mut vic = app.admin_browser("vic@example.com", Role::Owner).await;
        let vic_id = admin_id(&app, "vic@example.com").await;
        console_password_again(&mut vic, "vic@example.com")
            .await
            .assert_redirect("/admin/login/verify");
        vic.get("/admin/login/enrol")
            .await
            .assert_redirect("/admin/login/verify");
        vic.get("/admin/login/verify").await;
        vic.post("/admin/login/enrol", &[("code", "123456")])
            .await
            .assert_redirect("/admin/login");
        console_password_again(&mut vic, "vic@example.com").await;
        vic.get("/admin/login/verify").await;
        refused(
            ceremony(&mut vic, "/admin/passkeys/register/options", &[]).await,
            "expired",
        );
        let vic_factors = gatehouse::store::FactorOwner::Admin(vic_id);
        assert_eq!(app.state.store.factors(vic_factors).await.unwrap().len(), 1);
    })
    .await;
}
