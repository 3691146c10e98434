//! Password reset and the account page through the real router, on every backend.

mod support;

use axum::http::StatusCode;
use support::*;

async fn request_reset(app: &TestApp, email: &str) -> Browser {
    let mut browser = app.browser();
    browser
        .get("/forgot-password")
        .await
        .assert_status(StatusCode::OK);
    browser
        .post("/forgot-password", &[("email", email)])
        .await
        .assert_redirect("/forgot-password/sent");
    browser
        .get("/forgot-password/sent")
        .await
        .assert_contains("If an account uses that address");
    browser
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_sets_a_new_password_and_ends_every_session() {
    on_each_backend(|app| async move {
        let mut laptop = app
            .signed_up_and_verified("rita@example.com", STRONG_PASSWORD)
            .await;
        let mut phone = app.browser();
        phone.get("/login").await;
        phone
            .post(
                "/login",
                &[("email", "rita@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_redirect("/account");

        let mut browser = request_reset(&app, "Rita@Example.com").await;
        let mail = app.mail.wait_for_nth("rita@example.com", 2).await;
        assert_eq!(mail.subject, "Reset your password");
        let link = link_to(&mail.body, "/reset-password?token=");
        let token = link.split("token=").nth(1).unwrap().to_string();

        browser
            .get(&link)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Choose a new password");
        // A weak password is refused and the link stays usable.
        browser
            .post(
                "/reset-password",
                &[("token", &token), ("password", "12345678")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("too common");
        browser
            .post(
                "/reset-password",
                &[("token", &token), ("password", OTHER_PASSWORD)],
            )
            .await
            .assert_redirect("/login");
        browser
            .get("/login")
            .await
            .assert_contains("Your password has been changed");

        // Every session of the customer ended.
        laptop.get("/account").await.assert_redirect("/login");
        phone.get("/account").await.assert_redirect("/login");

        // Old password out, new password in.
        browser
            .post(
                "/login",
                &[("email", "rita@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        browser
            .post(
                "/login",
                &[("email", "rita@example.com"), ("password", OTHER_PASSWORD)],
            )
            .await
            .assert_redirect("/account");

        // The link is spent.
        let mut again = app.browser();
        again
            .get(&link)
            .await
            .assert_status(StatusCode::BAD_REQUEST)
            .assert_contains("invalid, expired or already used");
        again.get("/login").await;
        again
            .post(
                "/reset-password",
                &[("token", &token), ("password", "another fine passphrase")],
            )
            .await
            .assert_status(StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_links_expire_and_unknown_addresses_get_the_same_answer() {
    on_each_backend(|app| async move {
        drop(
            app.signed_up_and_verified("eve@example.com", STRONG_PASSWORD)
                .await,
        );
        let mut browser = request_reset(&app, "eve@example.com").await;
        let link = link_to(
            &app.mail.wait_for_nth("eve@example.com", 2).await.body,
            "/reset-password?token=",
        );
        let token = link.split("token=").nth(1).unwrap().to_string();
        app.state.clock.advance(3601);
        browser
            .get(&link)
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        browser.get("/login").await;
        browser
            .post(
                "/reset-password",
                &[("token", &token), ("password", OTHER_PASSWORD)],
            )
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        browser
            .post(
                "/login",
                &[("email", "eve@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_redirect("/account");

        request_reset(&app, "nobody@example.com").await;
        let mut b = app.browser();
        b.get("/forgot-password").await;
        b.post("/forgot-password", &[("email", "not-an-email")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("valid email");
        b.get("/reset-password?token=forged")
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        app.mail.settle().await;
        assert!(app.mail.to("nobody@example.com").is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_edits_profile_and_changes_password() {
    on_each_backend(|app| async move {
        let mut browser = app
            .signed_up_and_verified("max@example.com", STRONG_PASSWORD)
            .await;
        let mut other_device = app.browser();
        other_device.get("/login").await;
        other_device
            .post(
                "/login",
                &[("email", "max@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_redirect("/account");

        browser
            .get("/account")
            .await
            .assert_contains("Member since");
        browser
            .post("/account/profile", &[("display_name", "  Max Mustermann ")])
            .await
            .assert_redirect("/account");
        browser
            .get("/account")
            .await
            .assert_contains(r#"value="Max Mustermann""#)
            .assert_contains("Your profile is saved.");
        browser
            .post("/account/profile", &[("display_name", "")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Enter your name");
        browser
            .get("/account")
            .await
            .assert_contains(r#"value="Max Mustermann""#);

        // Wrong current password: refused, nothing changes.
        browser
            .post(
                "/account/password",
                &[
                    ("current_password", "wrong one entirely"),
                    ("new_password", OTHER_PASSWORD),
                ],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("not your current password");
        browser
            .post(
                "/account/password",
                &[
                    ("current_password", STRONG_PASSWORD),
                    ("new_password", "abc"),
                ],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("at least 8");
        other_device
            .get("/account")
            .await
            .assert_status(StatusCode::OK);

        let before = browser.cookie.clone();
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
        assert_ne!(
            before, browser.cookie,
            "session id is cycled on password change"
        );
        browser
            .get("/account")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Other devices have been signed out");
        other_device.get("/account").await.assert_redirect("/login");

        let mut fresh = app.browser();
        fresh.get("/login").await;
        fresh
            .post(
                "/login",
                &[("email", "max@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        fresh
            .post(
                "/login",
                &[("email", "max@example.com"), ("password", OTHER_PASSWORD)],
            )
            .await
            .assert_redirect("/account");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unverified_customers_can_ask_for_a_new_link_from_their_account() {
    on_each_backend(|app| async move {
        drop(app.sign_up("new@example.com", "New", STRONG_PASSWORD).await);
        app.mail.wait_for("new@example.com").await;
        let mut browser = app.browser();
        browser.get("/login").await;
        browser
            .post(
                "/login",
                &[("email", "new@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_redirect("/account");
        browser
            .get("/account")
            .await
            .assert_contains("Not verified");
        browser
            .post("/account/verify-email", &[])
            .await
            .assert_redirect("/account");
        browser
            .get("/account")
            .await
            .assert_contains("We sent a verification link");
        let link = link_to(
            &app.mail.wait_for_nth("new@example.com", 2).await.body,
            "/verify-email?token=",
        );
        let token = link.split("token=").nth(1).unwrap().to_string();
        browser
            .post("/verify-email", &[("token", &token)])
            .await
            .assert_redirect("/account");
        browser.get("/account").await.assert_contains("Verified");
    })
    .await;
}

/// Asks for the signed-in customer's address to become `new`.
async fn ask_email_change(browser: &mut Browser, new: &str, password: &str) -> Page {
    browser.get("/account").await;
    browser
        .post(
            "/account/email",
            &[("new_email", new), ("current_password", password)],
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_change_their_email_through_a_link_to_the_new_address() {
    on_each_backend(|app| async move {
        let mut hal = app
            .signed_up_and_verified("hal@example.com", STRONG_PASSWORD)
            .await;
        drop(
            app.signed_up_and_verified("ivy@example.com", STRONG_PASSWORD)
                .await,
        );
        let id = app.customer_id("hal@example.com").await;
        hal.get("/account")
            .await
            .assert_contains(r#"action="/account/email""#);

        // Bad input: the same address, no address, a wrong password.
        ask_email_change(&mut hal, "HAL@example.com", STRONG_PASSWORD)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("already your email address");
        ask_email_change(&mut hal, "not an address", STRONG_PASSWORD)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains(r#"value="not an address""#);
        ask_email_change(&mut hal, "hal.new@example.com", "wrong-password-here")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("not your current password");

        // An address another account has: the same answer, and no mail.
        let ivy_mail = app.mail.to("ivy@example.com").len();
        ask_email_change(&mut hal, "ivy@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
        hal.get("/account")
            .await
            .assert_contains("We sent a link to ivy@example.com");

        // A free one: a link to the new address; the old one holds meanwhile.
        ask_email_change(&mut hal, "hal.new@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
        let mail = app.mail.wait_for("hal.new@example.com").await;
        assert_eq!(mail.subject, "Confirm your new email address");
        app.mail.settle().await;
        assert_eq!(app.mail.to("ivy@example.com").len(), ivy_mail);
        let link = link_to(&mail.body, "/account/email/confirm?token=");
        let before = app.state.store.customer_by_id(id).await.unwrap().unwrap();
        assert_eq!(before.email.as_str(), "hal@example.com");

        // Following it: a button first (opening the link changes nothing).
        let mut elsewhere = app.browser();
        elsewhere
            .get(&link)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("hal.new@example.com")
            .assert_contains("Use this address");
        let token = link.split("token=").nth(1).unwrap().to_string();
        elsewhere
            .post("/account/email/confirm", &[("token", &token)])
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Your email is changed");
        let after = app.state.store.customer_by_id(id).await.unwrap().unwrap();
        assert_eq!(after.email.as_str(), "hal.new@example.com");
        assert!(after.email_verified);
        let note = app.mail.wait_for_nth("hal@example.com", 2).await;
        assert_eq!(note.subject, "Your email address was changed");
        hal.get("/account").await.assert_redirect("/login");
        let mut again = app.browser();
        again
            .sign_in("hal@example.com", STRONG_PASSWORD)
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        again
            .sign_in("hal.new@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
        let changed = app
            .audit_trail(gatehouse::domain::Action::CustomerEmailChanged)
            .await;
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].actor_kind, "customer");

        // The link works once; a made-up one not at all.
        elsewhere.get("/login").await;
        elsewhere
            .post("/account/email/confirm", &[("token", &token)])
            .await
            .assert_status(StatusCode::BAD_REQUEST)
            .assert_contains("invalid, expired or already used");
        elsewhere
            .get("/account/email/confirm?token=nonsense")
            .await
            .assert_status(StatusCode::BAD_REQUEST);

        // Taken between the ask and the link: nothing changes.
        ask_email_change(&mut again, "jo@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
        let mail = app.mail.wait_for("jo@example.com").await;
        let token = link_to(&mail.body, "/account/email/confirm?token=")
            .split("token=")
            .nth(1)
            .unwrap()
            .to_string();
        drop(app.sign_up("jo@example.com", "Jo", STRONG_PASSWORD).await);
        elsewhere.get("/login").await;
        elsewhere
            .post("/account/email/confirm", &[("token", &token)])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("Another account uses that address now");
        let kept = app.state.store.customer_by_id(id).await.unwrap().unwrap();
        assert_eq!(kept.email.as_str(), "hal.new@example.com");
    })
    .await;
}
