//! Sign-up and email verification through the real router, on every backend.

mod support;

use axum::http::StatusCode;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_verify_in_same_browser_signs_in() {
    on_each_backend(|app| async move {
        let mut browser = app
            .sign_up("  Ada@Example.com ", "Ada Lovelace", STRONG_PASSWORD)
            .await;
        assert_eq!(app.customers().await, 1);
        browser
            .get("/signup/check-email")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Check your inbox");

        // The address is stored normalised, and the mail goes there.
        let mail = app.mail.wait_for("ada@example.com").await;
        assert_eq!(mail.subject, "Verify your email address");
        // Nothing the sign-up typed goes to an address not yet verified.
        assert!(!mail.body.contains("Ada Lovelace"));
        let link = link_to(&mail.body, "/verify-email?token=");

        // Opening the link only shows a confirmation; the POST spends it.
        browser
            .get(&link)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Verify my email");
        let token = link.split("token=").nth(1).unwrap().to_string();
        browser
            .post("/verify-email", &[("token", &token)])
            .await
            .assert_redirect("/account");
        browser
            .get("/account")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("ada@example.com")
            .assert_contains("Verified")
            .assert_contains("Your email address is verified. Welcome!");

        // Single use.
        let again = browser.post("/verify-email", &[("token", &token)]).await;
        again
            .assert_status(StatusCode::BAD_REQUEST)
            .assert_contains("invalid, expired or already used");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_opened_in_another_browser_verifies_without_signing_in() {
    on_each_backend(|app| async move {
        app.sign_up("grace@example.com", "Grace", STRONG_PASSWORD)
            .await;
        let link = link_to(
            &app.mail.wait_for("grace@example.com").await.body,
            "/verify-email?token=",
        );
        let mut other = app.browser();
        other.get(&link).await.assert_status(StatusCode::OK);
        let token = link.split("token=").nth(1).unwrap().to_string();
        other
            .post("/verify-email", &[("token", &token)])
            .await
            .assert_redirect("/login");
        other
            .get("/login")
            .await
            .assert_contains("Sign in to continue");
        other.get("/account").await.assert_redirect("/login");

        other
            .post(
                "/login",
                &[
                    ("email", "grace@example.com"),
                    ("password", STRONG_PASSWORD),
                ],
            )
            .await
            .assert_redirect("/account");
        other.get("/account").await.assert_contains("Verified");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_links_expire_and_can_be_resent() {
    on_each_backend(|app| async move {
        let mut browser = app
            .sign_up("late@example.com", "Late", STRONG_PASSWORD)
            .await;
        let link = link_to(
            &app.mail.wait_for("late@example.com").await.body,
            "/verify-email?token=",
        );
        let token = link.split("token=").nth(1).unwrap().to_string();

        app.state.clock.advance(24 * 3600 + 1);
        browser.get(&link).await.assert_status(StatusCode::OK);
        browser
            .post("/verify-email", &[("token", &token)])
            .await
            .assert_status(StatusCode::BAD_REQUEST);

        // Resend by address: same answer for a known and an unknown address.
        browser
            .get("/verify-email/resend")
            .await
            .assert_status(StatusCode::OK);
        let known = browser
            .post("/verify-email/resend", &[("email", "LATE@example.com")])
            .await;
        let unknown = browser
            .post("/verify-email/resend", &[("email", "nobody@example.com")])
            .await;
        known.assert_status(StatusCode::OK);
        unknown.assert_status(StatusCode::OK);
        assert_eq!(without_csrf(&known.body), without_csrf(&unknown.body));

        let fresh = link_to(
            &app.mail.wait_for_nth("late@example.com", 2).await.body,
            "/verify-email?token=",
        );
        let fresh_token = fresh.split("token=").nth(1).unwrap().to_string();
        assert_ne!(fresh_token, token);
        browser
            .post("/verify-email", &[("token", &fresh_token)])
            .await
            .assert_redirect("/account");
        app.mail.settle().await;
        assert!(app.mail.to("nobody@example.com").is_empty());

        // A malformed link is a clear 400, not a server error.
        browser
            .get("/verify-email?token=abc")
            .await
            .assert_status(StatusCode::BAD_REQUEST)
            .assert_contains("incomplete");
        browser
            .get("/verify-email")
            .await
            .assert_status(StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_sign_up_input_gets_field_errors_and_creates_nothing() {
    on_each_backend(|app| async move {
        let mut browser = app.browser();
        browser.get("/signup").await;
        let long_name = "n".repeat(101);
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (
                vec![
                    ("email", "not-an-email"),
                    ("display_name", "A"),
                    ("password", STRONG_PASSWORD),
                    ("accept_terms", "yes"),
                ],
                "Enter a valid email address",
            ),
            (
                vec![
                    ("email", "\u{430}da@example.com"),
                    ("display_name", "A"),
                    ("password", STRONG_PASSWORD),
                    ("accept_terms", "yes"),
                ],
                "plain Latin letters",
            ),
            (
                vec![
                    ("email", "a@example.com"),
                    ("display_name", "A"),
                    ("password", "short"),
                    ("accept_terms", "yes"),
                ],
                "at least 8 characters",
            ),
            (
                vec![
                    ("email", "a@example.com"),
                    ("display_name", "A"),
                    ("password", "password123"),
                    ("accept_terms", "yes"),
                ],
                "too common",
            ),
            (
                vec![
                    ("email", "a@example.com"),
                    ("display_name", "A"),
                    ("password", STRONG_PASSWORD),
                ],
                "accept the terms",
            ),
            (
                vec![
                    ("email", "a@example.com"),
                    ("display_name", &long_name),
                    ("password", STRONG_PASSWORD),
                    ("accept_terms", "yes"),
                ],
                "at most 100 characters",
            ),
            (
                vec![
                    ("email", "a@example.com"),
                    ("display_name", " "),
                    ("password", STRONG_PASSWORD),
                    ("accept_terms", "yes"),
                ],
                "Enter your name",
            ),
            (vec![], "Enter your email address"),
        ];
        for (fields, message) in cases {
            let page = browser.post("/signup", &fields).await;
            page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains(message);
            // The form comes back with what was typed, never the password.
            if let Some((_, email)) = fields.iter().find(|(k, _)| *k == "email") {
                let escaped = email.replace('&', "&amp;");
                page.assert_contains(&format!(r#"value="{escaped}""#));
            }
            assert!(!page.body.contains(STRONG_PASSWORD));
        }
        // A 1024-character passphrase is fine; 1025 is not.
        let long_ok = "word ".repeat(205)[..1024].to_string();
        let too_long = format!("{long_ok}x");
        browser
            .post(
                "/signup",
                &[
                    ("email", "a@example.com"),
                    ("display_name", "A"),
                    ("password", &too_long),
                    ("accept_terms", "yes"),
                ],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("at most 1,024");
        assert_eq!(app.customers().await, 0);
        app.mail.settle().await;
        assert!(app.mail.all().is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_up_again_reveals_nothing_and_mails_the_owner() {
    on_each_backend(|app| async move {
        let first = app
            .sign_up("owner@example.com", "Owner", STRONG_PASSWORD)
            .await;
        drop(first);
        app.mail.wait_for("owner@example.com").await;

        // Same address in another case: same redirect, no second account.
        let mut again = app.browser();
        again.get("/signup").await;
        let page = again
            .post(
                "/signup",
                &[
                    ("email", " OWNER@example.COM"),
                    ("display_name", "Intruder"),
                    ("password", OTHER_PASSWORD),
                    ("accept_terms", "yes"),
                ],
            )
            .await;
        page.assert_redirect("/signup/check-email");
        assert_eq!(app.customers().await, 1);
        let note = app.mail.wait_for_nth("owner@example.com", 2).await;
        assert_eq!(note.subject, "You already have an account");
        assert!(note.body.contains("/forgot-password"));

        // The existing password still works; the intruder's does not.
        let mut b = app.browser();
        b.get("/login").await;
        b.post(
            "/login",
            &[("email", "owner@example.com"), ("password", OTHER_PASSWORD)],
        )
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
        b.post(
            "/login",
            &[
                ("email", "owner@example.com"),
                ("password", STRONG_PASSWORD),
            ],
        )
        .await
        .assert_redirect("/account");
    })
    .await;
}

/// Signing up with a taken address answers exactly as with a new one:
/// status, headers (cookies included) and page, apart from random tokens.
/// Mail to one address is capped per hour, and mail to an address not yet
/// verified carries nothing the sign-up typed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_email_gets_the_same_answer_as_a_new_one() {
    on_each_backend(|app| async move {
        drop(
            app.sign_up("taken@example.com", "Taken", STRONG_PASSWORD)
                .await,
        );
        let verify = app.mail.wait_for("taken@example.com").await;
        assert!(verify.body.starts_with("Hello,"), "{}", verify.body);
        assert!(!verify.body.contains("Taken"));

        let answer = |email: &'static str| {
            let app = &app;
            async move {
                let mut browser = app.browser();
                browser.get("/signup").await;
                let fields = [
                    ("email", email),
                    ("display_name", "Visit evil.example now"),
                    ("password", OTHER_PASSWORD),
                    ("accept_terms", "yes"),
                ];
                let page = browser.post("/signup", &fields).await;
                let mut headers: Vec<String> = page
                    .headers
                    .iter()
                    .filter(|(name, _)| !["date", "x-request-id"].contains(&name.as_str()))
                    .map(|(name, value)| {
                        let value = value.to_str().unwrap();
                        // The session id is random; its name and attributes are not.
                        let value = match value.split_once(';') {
                            Some((_, attributes)) if name == "set-cookie" => attributes.to_string(),
                            _ => value.to_string(),
                        };
                        format!("{name}: {value}")
                    })
                    .collect();
                headers.sort();
                (page.status, headers, page.body)
            }
        };
        let new = answer("new@example.com").await;
        let taken = answer("taken@example.com").await;
        assert_eq!(new, taken);
        assert!(
            new.1.iter().any(|h| h.starts_with("set-cookie")),
            "{:?}",
            new.1
        );

        // Ten mails an hour to one address, however many sign-ups.
        for _ in 0..12 {
            drop(answer("taken@example.com").await);
        }
        app.mail.settle().await;
        let mails = app.mail.to("taken@example.com");
        assert_eq!(mails.len(), 10, "{mails:?}");
        assert!(mails.iter().all(|m| !m.body.contains("evil.example")));
    })
    .await;
}

/// Only a taken email reads as "already registered": a write that collides
/// on another key (here the id) is a fault, not an answer to show.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_taken_email_reads_as_already_registered() {
    use gatehouse::domain::{CustomerId, DisplayName, Email, PasswordHash};
    use gatehouse::store::NewCustomer;
    on_each_backend(|app| async move {
        let ada = app
            .insert_customer("ada@example.com", "Ada Lovelace", 1, true)
            .await;
        let hash = PasswordHash::from_phc("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into());
        let insert = |id: CustomerId, email: &'static str| {
            let store = app.state.store.clone();
            let hash = hash.clone();
            async move {
                store
                    .insert_customer(NewCustomer {
                        id,
                        email: &Email::parse(email).unwrap(),
                        display_name: &DisplayName::parse("Someone").unwrap(),
                        password_hash: &hash,
                        terms_version: "1",
                        now: 2,
                    })
                    .await
            }
        };
        assert!(!insert(CustomerId::new(), "ada@example.com").await.unwrap());
        assert!(insert(ada, "grace@example.com").await.is_err());
        assert!(
            insert(CustomerId::new(), "grace@example.com")
                .await
                .unwrap()
        );
    })
    .await;
}
