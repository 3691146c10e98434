//! Authenticator apps at sign-in: each code once, wrong codes held back, remembered browsers.

use super::*;

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
        // The page after says how many are left, and only once.
        let account = other.get("/account").await;
        let left = app::Lang::En.tf("recovery-code-used", &[("count", 9i64.into())]);
        assert!(account.body.contains(&left), "{left}");
        assert!(account.body.contains("9 unused recovery codes left."));
        assert!(!other.get("/account").await.body.contains(&left));
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
async fn a_password_change_a_reset_or_new_codes_forget_remembered_browsers() {
    on_each_backend(|app| async move {
        app.global_policy(gatehouse::domain::mfa::MfaPolicy::Optional)
            .await;
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
