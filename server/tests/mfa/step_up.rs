//! Sensitive changes need a recent second factor.

use super::*;

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
