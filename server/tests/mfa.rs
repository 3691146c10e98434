//! Second factors through the real router, on every backend: an
//! authenticator app (codes accepted once, only in their window), recovery
//! codes, each policy mode and a tier move, remembered browsers, the
//! step-up window, throttling that survives a new sign-in, an admin's
//! reset of a customer's factors, and admins' own factors.

mod support;

use axum::http::StatusCode;
use gatehouse::domain::{Action, Role};
use support::*;

const REGULAR: &str = "00000000-0000-7000-8000-000000000001";

async fn events(app: &TestApp, action: Action) -> usize {
    app.audit_trail(action).await.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authenticator_app_is_asked_after_the_password_and_each_code_counts_once() {
    on_each_backend(|app| async move {
        let mut browser = app
            .signed_up_and_verified("tom@example.com", STRONG_PASSWORD)
            .await;
        browser
            .get("/account/security")
            .await
            .assert_contains("No second factor yet");

        // A wrong first code is refused and nothing is stored.
        let setup = browser.get("/account/security/app").await;
        let secret = shown_totp_secret(&setup.body);
        assert_eq!(secret.len(), 20, "160-bit key");
        assert!(
            setup
                .body
                .contains("otpauth://totp/Gatehouse:tom%40example.com?")
        );
        browser
            .post("/account/security/app", &[("code", "000000")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("That code is wrong");
        browser
            .post("/account/security/app", &[("code", "12ab")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("6 digits");
        let id = app.customer_id("tom@example.com").await;
        let owner = gatehouse::store::FactorOwner::Customer(id);
        assert!(app.state.store.factors(owner).await.unwrap().is_empty());

        // The same key is shown until confirmed; its first code turns it on.
        let again = browser.get("/account/security/app").await;
        assert_eq!(shown_totp_secret(&again.body), secret);
        let enrolled_at = app.state.clock.now();
        let first_code = totp_code(&secret, enrolled_at);
        browser
            .post("/account/security/app", &[("code", &first_code)])
            .await
            .assert_redirect("/account/security/recovery-codes");
        // The key is stored sealed with the key encryption key, bound to
        // its factor: the database alone does not give the codes.
        let stored = app.state.store.totp_secret(owner).await.unwrap().unwrap();
        assert_ne!(stored.secret, secret);
        assert!(!stored.secret.windows(20).any(|w| w == secret.as_slice()));
        assert_eq!(stored.secret.len(), 12 + 20 + 16, "nonce, key, tag");
        let codes = shown_codes(&browser.get("/account/security/recovery-codes").await.body);
        assert_eq!(codes.len(), 10);
        // Shown once.
        browser
            .get("/account/security/recovery-codes")
            .await
            .assert_redirect("/account/security");
        let security = browser.get("/account/security").await;
        security
            .assert_contains("Authenticator app")
            .assert_contains("10 unused recovery codes left.");
        assert!(!security.body.contains("Set up an authenticator app"));
        assert_eq!(events(&app, Action::CustomerMfaEnrolled).await, 1);

        // Next sign-in: the password is not enough.
        browser.post("/logout", &[]).await;
        browser
            .sign_in("tom@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/login/verify");
        browser.get("/account").await.assert_redirect("/login");
        let form = browser.get("/login/verify").await;
        form.assert_status(StatusCode::OK)
            .assert_contains(r#"autocomplete="one-time-code""#)
            .assert_contains("Remember this browser for 30 days");
        browser
            .post("/login/verify", &[("code", "123456")])
            .await
            .assert_status(StatusCode::UNAUTHORIZED)
            .assert_contains("That code is wrong, expired or already used");
        // The code that confirmed the app cannot be used again.
        browser
            .post("/login/verify", &[("code", &first_code)])
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        // A code two steps away is outside the window.
        let now = enrolled_at + 30;
        app.state.clock.advance(30);
        browser
            .post("/login/verify", &[("code", &totp_code(&secret, now + 60))])
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        // One step ahead (a phone clock running fast) is accepted.
        let code = totp_code(&secret, now + 30);
        browser
            .post("/login/verify", &[("code", &code)])
            .await
            .assert_redirect("/account");
        browser.get("/account").await.assert_status(StatusCode::OK);
        assert_eq!(last_sign_in_amr(&app).await, "pwd otp mfa");
        assert_eq!(events(&app, Action::CustomerMfaFailed).await, 3);

        // The same code in another sign-in is refused: each counts once.
        let mut other = app.browser();
        other
            .sign_in("tom@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/login/verify");
        other.get("/login/verify").await;
        other
            .post("/login/verify", &[("code", &code)])
            .await
            .assert_status(StatusCode::UNAUTHORIZED);

        // A recovery code works once, however it is typed.
        let typed = codes[0].to_uppercase().replace('-', " ");
        other
            .post("/login/verify", &[("code", &typed)])
            .await
            .assert_redirect("/account");
        assert_eq!(events(&app, Action::CustomerRecoveryCodeUsed).await, 1);
        let mut third = app.browser();
        third.sign_in("tom@example.com", STRONG_PASSWORD).await;
        third.get("/login/verify").await;
        third
            .post("/login/verify", &[("code", &codes[0])])
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        third
            .get("/account/security")
            .await
            .assert_redirect("/login");
        other
            .get("/account/security")
            .await
            .assert_contains("9 unused recovery codes left.");
    })
    .await;
}

/// The `amr` the last sign-in recorded.
async fn last_sign_in_amr(app: &TestApp) -> String {
    let events = app.audit_trail(Action::CustomerSignedIn).await;
    let details: serde_json::Value = serde_json::from_str(&events[0].details).unwrap();
    details["amr"].as_str().unwrap().to_string()
}

/// Signs in with the password and, when asked, the app's next code.
async fn sign_in_with_code(app: &TestApp, email: &str, secret: &[u8]) -> Browser {
    let mut browser = app.browser();
    browser
        .sign_in(email, STRONG_PASSWORD)
        .await
        .assert_redirect("/login/verify");
    browser.get("/login/verify").await;
    // A fresh step: codes of earlier steps are spent.
    app.state.clock.advance(30);
    let code = totp_code(secret, app.state.clock.now());
    browser
        .post("/login/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
    browser
}

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
async fn a_remembered_browser_skips_the_code_while_the_policy_allows() {
    on_each_backend(|app| async move {
        let mut cat = app
            .signed_up_and_verified("cat@example.com", STRONG_PASSWORD)
            .await;
        let (secret, _) = app.add_app(&mut cat).await;
        let mut browser = app.browser();
        browser.sign_in("cat@example.com", STRONG_PASSWORD).await;
        browser.get("/login/verify").await;
        app.state.clock.advance(30);
        let code = totp_code(&secret, app.state.clock.now());
        let answer = browser
            .post("/login/verify", &[("code", &code), ("remember", "yes")])
            .await;
        answer.assert_redirect("/account");
        let cookie = answer
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|v| v.starts_with("gatehouse_mfa_remember="))
            .expect("remember cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains(&format!("Max-Age={}", 30 * 86_400))
        );
        browser.get("/account").await;
        browser.post("/logout", &[]).await.assert_redirect("/login");
        browser
            .sign_in("cat@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");

        // Another browser is still asked; a forged cookie changes nothing.
        let mut other = app.browser();
        other.remember = Some(gatehouse::domain::secrets::random_string());
        other
            .sign_in("cat@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/login/verify");

        // The policy no longer remembers browsers: asked again.
        app.state
            .store
            .update_mfa_settings(
                &gatehouse::domain::mfa::MfaSettings {
                    policy: gatehouse::domain::mfa::MfaPolicy::Optional,
                    remember_days: 0,
                    step_up_minutes: 10,
                },
                app.state.clock.now(),
            )
            .await
            .unwrap();
        browser.get("/account").await;
        browser.post("/logout", &[]).await.assert_redirect("/login");
        browser
            .sign_in("cat@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/login/verify");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sensitive_changes_need_a_recent_second_factor() {
    on_each_backend(|app| async move {
        let mut dan = app
            .signed_up_and_verified("dan@example.com", STRONG_PASSWORD)
            .await;
        let (secret, _) = app.add_app(&mut dan).await;
        let mut dan = sign_in_with_code(&app, "dan@example.com", &secret).await;

        // Within the window (10 minutes by default): no question asked.
        dan.get("/account/security").await;
        dan.post("/account/security/recovery-codes", &[])
            .await
            .assert_redirect("/account/security/recovery-codes");
        let fresh = shown_codes(&dan.get("/account/security/recovery-codes").await.body);

        // Past it: the step-up page first, which comes back afterwards.
        app.state.clock.advance(10 * 60);
        dan.get("/account/security").await;
        dan.post("/account/security/recovery-codes", &[])
            .await
            .assert_redirect("/account/verify?next=%2Faccount%2Fsecurity");
        dan.get("/account/security/app")
            .await
            .assert_redirect("/account/verify?next=%2Faccount%2Fsecurity%2Fapp");
        dan.get("/account").await;
        dan.post(
            "/account/password",
            &[
                ("current_password", STRONG_PASSWORD),
                ("new_password", "another-long-phrase-77"),
            ],
        )
        .await
        .assert_redirect("/account/verify?next=%2Faccount");
        dan.get("/account").await;
        dan.post(
            "/account/email",
            &[
                ("new_email", "dan.new@example.com"),
                ("current_password", STRONG_PASSWORD),
            ],
        )
        .await
        .assert_redirect("/account/verify?next=%2Faccount");
        let verify = dan.get("/account/verify?next=%2Faccount%2Fsecurity").await;
        verify
            .assert_status(StatusCode::OK)
            .assert_contains("Confirm it")
            .assert_contains(r#"name="next" value="/account/security""#);
        assert!(!verify.body.contains("Remember this browser"));
        // Another site is never a way back.
        dan.get("/account/verify?next=https%3A%2F%2Fevil.example")
            .await
            .assert_contains(r#"name="next" value="/account/security""#);
        dan.post(
            "/account/verify",
            &[("code", "000000"), ("next", "/account/security")],
        )
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
        // A recovery code made before is one of the new set only.
        dan.post(
            "/account/verify",
            &[("code", &fresh[0]), ("next", "/account/security")],
        )
        .await
        .assert_redirect("/account/security");
        dan.post("/account/security/recovery-codes", &[])
            .await
            .assert_redirect("/account/security/recovery-codes");
        let newest = shown_codes(&dan.get("/account/security/recovery-codes").await.body);

        // The set before stops working when a new one is made.
        let mut other = app.browser();
        other.sign_in("dan@example.com", STRONG_PASSWORD).await;
        other.get("/login/verify").await;
        other
            .post("/login/verify", &[("code", &fresh[1])])
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        other
            .post("/login/verify", &[("code", &newest[1])])
            .await
            .assert_redirect("/account");

        // Removing the app (still within the window after the step-up).
        let id = app.customer_id("dan@example.com").await;
        let owner = gatehouse::store::FactorOwner::Customer(id);
        let factor = app.state.store.factors(owner).await.unwrap()[0].id;
        dan.get("/account/security").await;
        dan.post(&format!("/account/security/remove?id={factor}"), &[])
            .await
            .assert_redirect("/account/security");
        dan.post(&format!("/account/security/remove?id={factor}"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        assert_eq!(events(&app, Action::CustomerMfaRemoved).await, 1);
        // Without a factor, a change needs no step-up.
        app.state.clock.advance(3600);
        dan.get("/account/security/app")
            .await
            .assert_status(StatusCode::OK);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_delete_their_own_account_after_a_second_factor_and_their_password() {
    on_each_backend(|app| async move {
        // With an app: a recent second factor first, then the password.
        let mut fay = app
            .signed_up_and_verified("fay@example.com", STRONG_PASSWORD)
            .await;
        let (_, codes) = app.add_app(&mut fay).await;
        let id = app.customer_id("fay@example.com").await;
        fay.get("/account")
            .await
            .assert_contains(r#"href="/account/delete""#);
        app.state.clock.advance(10 * 60);
        fay.get("/account/delete")
            .await
            .assert_redirect("/account/verify?next=%2Faccount%2Fdelete");
        fay.post("/account/delete", &[("current_password", STRONG_PASSWORD)])
            .await
            .assert_redirect("/account/verify?next=%2Faccount%2Fdelete");
        assert!(app.state.store.customer_by_id(id).await.unwrap().is_some());
        fay.get("/account/verify?next=%2Faccount%2Fdelete").await;
        fay.post(
            "/account/verify",
            &[("code", &codes[0]), ("next", "/account/delete")],
        )
        .await
        .assert_redirect("/account/delete");
        fay.get("/account/delete")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("fay@example.com")
            .assert_contains("cannot be undone");
        // A wrong or missing password changes nothing.
        for typed in ["", "not-my-password-at-all"] {
            fay.post("/account/delete", &[("current_password", typed)])
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains("Delete my account");
            assert!(app.state.store.customer_by_id(id).await.unwrap().is_some());
        }
        let page = fay
            .post("/account/delete", &[("current_password", STRONG_PASSWORD)])
            .await;
        page.assert_status(StatusCode::OK)
            .assert_contains("Your account is deleted");
        assert!(!page.body.contains("Sign out"), "no one is signed in now");
        assert!(app.state.store.customer_by_id(id).await.unwrap().is_none());
        let owner = gatehouse::store::FactorOwner::Customer(id);
        assert!(app.state.store.factors(owner).await.unwrap().is_empty());
        fay.get("/account").await.assert_redirect("/login");
        let deleted = app.audit_trail(Action::CustomerDeleted).await;
        assert_eq!(deleted.len(), 1);
        assert_eq!(deleted[0].actor_kind, "customer");
        assert!(!deleted[0].details.contains("fay@example.com"));
        // The password signs no one in.
        let mut again = app.browser();
        again
            .sign_in("fay@example.com", STRONG_PASSWORD)
            .await
            .assert_status(StatusCode::UNAUTHORIZED);

        // Without a factor: the password alone.
        let mut gus = app
            .signed_up_and_verified("gus@example.com", STRONG_PASSWORD)
            .await;
        gus.get("/account/delete")
            .await
            .assert_status(StatusCode::OK);
        gus.post("/account/delete", &[("current_password", STRONG_PASSWORD)])
            .await
            .assert_contains("Your account is deleted");
        assert_eq!(app.customers().await, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_are_throttled_and_starting_again_does_not_reset_it() {
    for backend in backends() {
        let app = TestApp::start(&backend, &["--lockout-failures", "3"]).await;
        let mut eve = app
            .signed_up_and_verified("eve@example.com", STRONG_PASSWORD)
            .await;
        let (secret, _) = app.add_app(&mut eve).await;
        let mut browser = app.browser();
        browser.sign_in("eve@example.com", STRONG_PASSWORD).await;
        browser.get("/login/verify").await;
        for _ in 0..3 {
            browser
                .post("/login/verify", &[("code", "000000")])
                .await
                .assert_status(StatusCode::UNAUTHORIZED);
        }
        assert_eq!(events(&app, Action::CustomerMfaBlocked).await, 1);
        // A new sign-in with the right password does not lift it, and a
        // right code is not even tried.
        let mut again = app.browser();
        again
            .sign_in("eve@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/login/verify");
        again.get("/login/verify").await;
        app.state.clock.advance(30);
        let page = again
            .post(
                "/login/verify",
                &[("code", &totp_code(&secret, app.state.clock.now()))],
            )
            .await;
        page.assert_status(StatusCode::TOO_MANY_REQUESTS)
            .assert_contains("Too many wrong codes");
        assert!(page.headers.contains_key("retry-after"));
        // After the block's hour, the code works.
        app.state.clock.advance(3600);
        again
            .post(
                "/login/verify",
                &[("code", &totp_code(&secret, app.state.clock.now()))],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
}

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

/// A registration answer that parses but was made by no authenticator.
const FORGED_REGISTRATION: &str = r#"{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"attestationObject":"o2NmbXRkbm9uZQ","clientDataJSON":"e30"},"extensions":{}}"#;

fn forged_assertion(user: uuid::Uuid) -> String {
    use base64::Engine;
    let handle = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(user.as_bytes());
    format!(
        r#"{{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{{"authenticatorData":"AAAA","clientDataJSON":"e30","signature":"AAAA","userHandle":"{handle}"}},"extensions":{{}}}}"#
    )
}

/// A ceremony step refused as bad input, saying `words`.
fn refused((status, json): (StatusCode, serde_json::Value), words: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    let error = json["error"].as_str().unwrap_or_default();
    assert!(error.contains(words), "{error}");
}

/// Posts a ceremony step and reads its JSON, taking up the session's new
/// CSRF token when it gives one.
async fn ceremony(
    browser: &mut Browser,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, serde_json::Value) {
    let page = browser.post(path, fields).await;
    let json: serde_json::Value = serde_json::from_str(&page.body)
        .unwrap_or_else(|_| panic!("{path}: not JSON: {}", page.body));
    if let Some(token) = json["csrf"].as_str() {
        browser.csrf = Some(token.to_string());
    }
    (page.status, json)
}

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

/// Signs the console browser out, then in again with the password only:
/// the answer says which second step comes.
async fn console_password_again(browser: &mut Browser, email: &str) -> Page {
    browser.get("/admin/customers").await;
    browser
        .post("/admin/logout", &[])
        .await
        .assert_redirect("/admin/login");
    browser.get("/admin/login").await;
    browser
        .post(
            "/admin/login",
            &[("email", email), ("password", ADMIN_PASSWORD)],
        )
        .await
}

async fn admin_id(app: &TestApp, email: &str) -> gatehouse::domain::AdminId {
    let email = gatehouse::domain::Email::parse(email).unwrap();
    let (admin, _) = app
        .state
        .store
        .admin_by_email(&email)
        .await
        .unwrap()
        .unwrap();
    admin.id
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

/// Sets the global MFA policy (remembering browsers for 30 days).
async fn global_policy(app: &TestApp, policy: gatehouse::domain::mfa::MfaPolicy) {
    let settings = gatehouse::domain::mfa::MfaSettings {
        policy,
        remember_days: 30,
        step_up_minutes: 10,
    };
    app.state
        .store
        .update_mfa_settings(&settings, app.state.clock.now())
        .await
        .unwrap();
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
        global_policy(&app, gatehouse::domain::mfa::MfaPolicy::PhishingResistant).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_a_reset_or_new_codes_forget_remembered_browsers() {
    on_each_backend(|app| async move {
        global_policy(&app, gatehouse::domain::mfa::MfaPolicy::Optional).await;
        let mut fay = app
            .signed_up_and_verified("fay@example.com", STRONG_PASSWORD)
            .await;
        let (secret, _) = app.add_app(&mut fay).await;
        let mut password = STRONG_PASSWORD;

        // Signs in on a new browser, remembered after the code; the next
        // sign-in there skips the code.
        let remembered = |password: &'static str| {
            let app = &app;
            let secret = secret.clone();
            async move {
                let mut browser = app.browser();
                browser
                    .sign_in("fay@example.com", password)
                    .await
                    .assert_redirect("/login/verify");
                browser.get("/login/verify").await;
                app.state.clock.advance(30);
                let code = totp_code(&secret, app.state.clock.now());
                let answer = browser
                    .post("/login/verify", &[("code", &code), ("remember", "yes")])
                    .await;
                answer.assert_redirect("/account");
                browser.get("/account").await;
                browser.post("/logout", &[]).await;
                browser
                    .sign_in("fay@example.com", password)
                    .await
                    .assert_redirect("/account");
                browser.get("/account").await;
                browser.post("/logout", &[]).await;
                browser
            }
        };
        let asked_again = |mut browser: Browser, password: &'static str| async move {
            browser
                .sign_in("fay@example.com", password)
                .await
                .assert_redirect("/login/verify");
        };

        // New recovery codes.
        let browser = remembered(password).await;
        let mut fay = sign_in_with_code(&app, "fay@example.com", &secret).await;
        fay.get("/account/security").await;
        fay.post("/account/security/recovery-codes", &[])
            .await
            .assert_redirect("/account/security/recovery-codes");
        asked_again(browser, password).await;

        // A password change.
        let browser = remembered(password).await;
        let mut fay = sign_in_with_code(&app, "fay@example.com", &secret).await;
        fay.change_password(password, OTHER_PASSWORD).await;
        password = OTHER_PASSWORD;
        asked_again(browser, password).await;

        // A reset by mailed link.
        let browser = remembered(password).await;
        app.reset_password_by_mail("fay@example.com", STRONG_PASSWORD)
            .await;
        asked_again(browser, STRONG_PASSWORD).await;
    })
    .await;
}
