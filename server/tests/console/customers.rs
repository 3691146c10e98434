//! Support's work on one customer: disabling, verifying, resets, profile and email edits, deletion, sessions, and who may do what.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_ends_sessions_blocks_sign_in_and_is_audited() {
    on_each_backend(|app| async move {
        let mut customer = app
            .signed_up_and_verified("dana@example.com", STRONG_PASSWORD)
            .await;
        let (found, _) = app
            .state
            .store
            .customer_by_email(&gatehouse::domain::Email::parse("dana@example.com").unwrap())
            .await
            .unwrap()
            .unwrap();
        let id = found.id;
        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        let detail = support.get(&format!("/admin/customers/{id}")).await;
        detail
            .assert_status(StatusCode::OK)
            .assert_contains("Active sessions")
            .assert_contains("Disable customer");

        support
            .post(&format!("/admin/customers/{id}/disable"), &[])
            .await
            .assert_redirect(&format!("/admin/customers/{id}"));
        support
            .get(&format!("/admin/customers/{id}"))
            .await
            .assert_contains("signed out everywhere")
            .assert_contains("Disabled")
            .assert_contains("customer.disabled")
            .assert_contains("Enable customer");

        // Signed out at once, and the right password is refused.
        customer.get("/account").await.assert_redirect("/login");
        customer.get("/login").await;
        customer
            .post(
                "/login",
                &[("email", "dana@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("disabled");
        // A wrong password still gets the ordinary answer.
        customer
            .post(
                "/login",
                &[
                    ("email", "dana@example.com"),
                    ("password", "wrong password here"),
                ],
            )
            .await
            .assert_status(StatusCode::UNAUTHORIZED);

        let events = app.state.store.audit_for_customer(id, 50).await.unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            &actions[..3],
            [
                "customer.sign_in_failed",
                "customer.sign_in_refused",
                "customer.disabled"
            ]
        );
        let disabled = &events[2];
        assert_eq!(disabled.actor_kind, "admin");
        assert!(
            disabled.details.contains(r#""before":false"#)
                && disabled.details.contains(r#""after":true"#)
        );

        support
            .post(&format!("/admin/customers/{id}/enable"), &[])
            .await
            .assert_redirect(&format!("/admin/customers/{id}"));
        customer
            .post(
                "/login",
                &[("email", "dana@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_redirect("/account");
        let latest = app.state.store.audit_for_customer(id, 1).await.unwrap();
        assert_eq!(latest[0].action, "customer.signed_in");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auditors_read_but_cannot_change_customers() {
    on_each_backend(|app| async move {
        let id = app
            .insert_customer("eli@example.com", "Eli", 5_000, true)
            .await;
        let mut auditor = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        let page = auditor.get(&format!("/admin/customers/{id}")).await;
        page.assert_status(StatusCode::OK)
            .assert_contains("eli@example.com");
        assert!(
            !page.body.contains("Disable customer"),
            "no button the role cannot use"
        );

        // A forged form is refused on the server.
        auditor
            .post(&format!("/admin/customers/{id}/disable"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("not change them");
        assert!(
            !app.state
                .store
                .customer_by_id(id)
                .await
                .unwrap()
                .unwrap()
                .disabled
        );
        assert!(
            app.state
                .store
                .audit_for_customer(id, 10)
                .await
                .unwrap()
                .is_empty()
        );

        auditor
            .get("/admin/customers/01890a5d-ac96-774b-bcce-b302099a8057")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        auditor
            .get("/admin/customers/not-an-id")
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        auditor
            .post("/admin/customers/not-an-id/disable", &[])
            .await
            .assert_status(StatusCode::BAD_REQUEST);

        // Not signed in at all: to the sign-in page, nothing changes.
        let mut stranger = app.browser();
        stranger
            .get(&format!("/admin/customers/{id}"))
            .await
            .assert_redirect("/admin/login");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_marks_verified_sends_resets_and_ends_sessions() {
    on_each_backend(|app| async move {
        let mut customer = app.sign_up("gil@example.com", "Gil", STRONG_PASSWORD).await;
        app.mail.wait_for("gil@example.com").await;
        customer.get("/login").await;
        customer
            .post(
                "/login",
                &[("email", "gil@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_redirect("/account");
        let email = gatehouse::domain::Email::parse("gil@example.com").unwrap();
        let id = app
            .state
            .store
            .customer_by_email(&email)
            .await
            .unwrap()
            .unwrap()
            .0
            .id;
        let base = format!("/admin/customers/{id}");

        // An auditor can do none of it.
        let mut auditor = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        auditor.get(&base).await;
        for action in ["verify-email", "send-reset", "revoke-sessions", "enable"] {
            auditor
                .post(&format!("{base}/{action}"), &[])
                .await
                .assert_status(StatusCode::FORBIDDEN);
        }

        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        let page = support.get(&base).await;
        page.assert_contains("Mark email verified")
            .assert_contains("Sign out everywhere");
        support
            .post(&format!("{base}/frobnicate"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);

        support
            .post(&format!("{base}/verify-email"), &[])
            .await
            .assert_redirect(&base);
        assert!(
            app.state
                .store
                .customer_by_id(id)
                .await
                .unwrap()
                .unwrap()
                .email_verified
        );

        support
            .post(&format!("{base}/send-reset"), &[])
            .await
            .assert_redirect(&base);
        support
            .get(&base)
            .await
            .assert_contains("A password-reset link is on its way");
        let reset = app.mail.wait_for_nth("gil@example.com", 2).await;
        assert_eq!(reset.subject, "Reset your password");

        support
            .post(&format!("{base}/revoke-sessions"), &[])
            .await
            .assert_redirect(&base);
        customer.get("/account").await.assert_redirect("/login");

        let actions: Vec<String> = app
            .state
            .store
            .audit_for_customer(id, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            &actions[..3],
            [
                "customer.sessions_revoked",
                "customer.password_reset_sent",
                "customer.email_marked_verified"
            ]
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_edit_profiles_with_before_and_after_on_record() {
    on_each_backend(|app| async move {
        let id = app
            .insert_customer("hal@example.com", "Hal", 5_000, true)
            .await;
        app.insert_customer("taken@example.com", "Taken", 5_001, true)
            .await;
        let base = format!("/admin/customers/{id}");
        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        support.get(&base).await.assert_contains("Edit profile");
        assert!(
            !support.get(&base).await.body.contains("Delete customer"),
            "support cannot delete"
        );

        support
            .post(
                &format!("{base}/profile"),
                &[("email", "taken@example.com"), ("display_name", "Hal")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Another customer already uses");
        support
            .post(
                &format!("{base}/profile"),
                &[("email", "not an email"), ("display_name", "")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Enter your name");
        let unchanged = app.state.store.customer_by_id(id).await.unwrap().unwrap();
        assert_eq!(unchanged.email.as_str(), "hal@example.com");

        support
            .post(
                &format!("{base}/profile"),
                &[
                    ("email", " HAL.9000@Example.com "),
                    ("display_name", "Hal 9000"),
                ],
            )
            .await
            .assert_redirect(&base);
        let edited = app.state.store.customer_by_id(id).await.unwrap().unwrap();
        assert_eq!(edited.email.as_str(), "hal.9000@example.com");
        assert_eq!(edited.display_name.as_str(), "Hal 9000");
        assert!(
            !edited.email_verified,
            "a changed address is verified again"
        );
        let event = &app.state.store.audit_for_customer(id, 1).await.unwrap()[0];
        assert_eq!(event.action, "customer.profile_edited");
        let details: serde_json::Value = serde_json::from_str(&event.details).unwrap();
        assert_eq!(details["email"]["before"], "hal@example.com");
        assert_eq!(details["email"]["after"], "hal.9000@example.com");
        assert_eq!(details["display_name"]["after"], "Hal 9000");

        let mut auditor = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        auditor.get(&base).await;
        auditor
            .post(
                &format!("{base}/profile"),
                &[("email", "x@example.com"), ("display_name", "X")],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);
    })
    .await;
}

/// Links and sessions follow the email: when support changes a customer's
/// address, links mailed to the old one stop working, every session ends,
/// and the old address is told.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_email_retires_links_and_sessions_and_tells_the_old_address() {
    on_each_backend(|app| async move {
        let mut customer = app
            .signed_up_and_verified("old@example.com", STRONG_PASSWORD)
            .await;
        let mut forgot = app.browser();
        forgot.get("/forgot-password").await;
        forgot
            .post("/forgot-password", &[("email", "old@example.com")])
            .await;
        let reset = app.mail.wait_for_nth("old@example.com", 2).await;
        let reset_link = link_to(&reset.body, "/reset-password?token=");
        forgot.get(&reset_link).await.assert_status(StatusCode::OK);

        let id = app.customer_id("old@example.com").await;
        let base = format!("/admin/customers/{id}");
        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        support.get(&base).await;
        support
            .post(
                &format!("{base}/profile"),
                &[
                    ("email", "new@example.com"),
                    ("display_name", "Test Customer"),
                ],
            )
            .await
            .assert_redirect(&base);

        forgot
            .get(&reset_link)
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        customer.get("/account").await.assert_redirect("/login");
        let note = app.mail.wait_for_nth("old@example.com", 3).await;
        assert_eq!(note.subject, "Your email address was changed");
        assert!(!note.body.contains("new@example.com"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_owners_delete_and_only_with_the_email_typed() {
    on_each_backend(|app| async move {
        let mut customer = app
            .signed_up_and_verified("ivy@example.com", STRONG_PASSWORD)
            .await;
        let email = gatehouse::domain::Email::parse("ivy@example.com").unwrap();
        let id = app
            .state
            .store
            .customer_by_email(&email)
            .await
            .unwrap()
            .unwrap()
            .0
            .id;
        let base = format!("/admin/customers/{id}");

        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        support.get(&base).await;
        support
            .post(
                &format!("{base}/delete"),
                &[("confirm_email", "ivy@example.com")],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);

        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        let by_name = "/admin/customers?field=name&q=test+cust";
        assert_eq!(
            listed_emails(&owner.get(by_name).await.body),
            ["ivy@example.com"]
        );
        owner.get(&base).await.assert_contains("Delete customer");
        owner
            .post(
                &format!("{base}/delete"),
                &[("confirm_email", "ivy@example.org")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Type the customer");
        assert!(app.state.store.customer_by_id(id).await.unwrap().is_some());

        owner
            .post(
                &format!("{base}/delete"),
                &[("confirm_email", "IVY@example.com")],
            )
            .await
            .assert_redirect("/admin/customers");
        owner
            .get("/admin/customers")
            .await
            .assert_contains("The customer is deleted.");
        assert!(app.state.store.customer_by_id(id).await.unwrap().is_none());
        owner.get(&base).await.assert_status(StatusCode::NOT_FOUND);
        // Gone from the name index too.
        assert!(listed_emails(&owner.get(by_name).await.body).is_empty());

        // Their session ended with them, and the address signs in to nothing.
        customer.get("/account").await.assert_redirect("/login");
        // As a browser follows the redirect (sign-in replaced the token).
        customer.get("/login").await;
        customer
            .post(
                "/login",
                &[("email", "ivy@example.com"), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        // The record of the deletion stays, naming only the id.
        let events = app.state.store.audit_for_customer(id, 5).await.unwrap();
        assert!(
            events
                .iter()
                .any(|e| e.action == "customer.deleted" && e.details == "{}")
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_see_each_session_and_end_one() {
    on_each_backend(|app| async move {
        let mut laptop = app
            .signed_up_and_verified("sam@example.com", STRONG_PASSWORD)
            .await;
        let mut phone = app.browser();
        phone.peer = "203.0.113.9:5555".parse().unwrap();
        phone
            .sign_in("sam@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
        let email = gatehouse::domain::Email::parse("sam@example.com").unwrap();
        let (sam, _) = app
            .state
            .store
            .customer_by_email(&email)
            .await
            .unwrap()
            .unwrap();
        let now = app.state.clock.now();
        let sessions = app
            .state
            .store
            .list_customer_sessions(sam.id, now)
            .await
            .unwrap();
        assert_eq!(sessions.len(), 2);
        let phone_session = sessions
            .iter()
            .find(|s| s.ip.as_deref() == Some("203.0.113.9"))
            .expect("the phone's session records its address")
            .id;

        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        let path = format!("/admin/customers/{}", sam.id);
        let page = support.get(&path).await;
        page.assert_status(StatusCode::OK)
            .assert_contains("203.0.113.9")
            .assert_contains("gatehouse-tests")
            .assert_contains(&format!("/sessions/{phone_session}/revoke"));

        // An auditor's forged form changes nothing.
        let mut auditor = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        auditor.get(&path).await.assert_status(StatusCode::OK);
        let revoke = format!("{path}/sessions/{phone_session}/revoke");
        auditor
            .post(&revoke, &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        phone.get("/account").await.assert_status(StatusCode::OK);

        support.post(&revoke, &[]).await.assert_redirect(&path);
        support
            .get(&path)
            .await
            .assert_contains("That session has ended.");
        phone.get("/account").await.assert_redirect("/login");
        laptop.get("/account").await.assert_status(StatusCode::OK);

        let events = app.state.store.audit_for_customer(sam.id, 1).await.unwrap();
        assert_eq!(events[0].action, "customer.session_revoked");
        assert_eq!(events[0].actor_kind, "admin");
        assert!(events[0].details.contains(&phone_session.to_string()));
        assert_eq!(events[0].source_ip.as_deref(), Some("198.51.100.7"));

        // A stale form (the session is gone) or another customer's session: 409, no record.
        support
            .post(&revoke, &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("already ended");
        let other = app
            .insert_customer("other@example.com", "Other", 1, true)
            .await;
        let laptop_session = app
            .state
            .store
            .list_customer_sessions(sam.id, now)
            .await
            .unwrap()[0]
            .id;
        support
            .post(
                &format!("/admin/customers/{other}/sessions/{laptop_session}/revoke"),
                &[],
            )
            .await
            .assert_status(StatusCode::CONFLICT);
        support
            .post(&format!("{path}/sessions/not-a-session/revoke"), &[])
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        laptop.get("/account").await.assert_status(StatusCode::OK);
        let after = app
            .state
            .store
            .audit_for_customer(sam.id, 50)
            .await
            .unwrap();
        assert_eq!(
            after
                .iter()
                .filter(|e| e.action == "customer.session_revoked")
                .count(),
            1
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_self_service_is_on_the_record() {
    on_each_backend(|app| async move {
        let mut browser = app
            .signed_up_and_verified("val@example.com", STRONG_PASSWORD)
            .await;
        browser.get("/account").await;
        browser
            .post("/account/profile", &[("display_name", "Val Kilmer")])
            .await
            .assert_redirect("/account");
        browser.get("/account").await;
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
        let mut other = app.browser();
        other.get("/forgot-password").await;
        other
            .post("/forgot-password", &[("email", "val@example.com")])
            .await
            .assert_redirect("/forgot-password/sent");
        let mail = app.mail.wait_for_nth("val@example.com", 2).await;
        let token = link_to(&mail.body, "/reset-password?token=")
            .split("token=")
            .nth(1)
            .unwrap()
            .to_string();
        other.get(&format!("/reset-password?token={token}")).await;
        other
            .post(
                "/reset-password",
                &[("token", &token), ("password", STRONG_PASSWORD)],
            )
            .await
            .assert_redirect("/login");

        let email = gatehouse::domain::Email::parse("val@example.com").unwrap();
        let (val, _) = app
            .state
            .store
            .customer_by_email(&email)
            .await
            .unwrap()
            .unwrap();
        let mut events = app
            .state
            .store
            .audit_for_customer(val.id, 50)
            .await
            .unwrap();
        events.reverse();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "customer.signed_up",
                "customer.email_verified",
                // The link followed in the browser that signed up signs in.
                "customer.signed_in",
                "customer.profile_updated",
                "customer.password_changed",
                "customer.password_reset_requested",
                "customer.password_reset",
            ]
        );
        for e in &events {
            assert_eq!(e.actor_kind, "customer");
            assert_eq!(e.actor_id, Some(val.id.0));
            assert_eq!(e.source_ip.as_deref(), Some("198.51.100.7"), "{}", e.action);
            for secret in [STRONG_PASSWORD, OTHER_PASSWORD, token.as_str()] {
                assert!(!e.details.contains(secret), "{} leaks a secret", e.action);
            }
        }
        assert!(events[3].details.contains(r#""before":"Test Customer""#));
        assert!(events[3].details.contains(r#""after":"Val Kilmer""#));

        // The console shows them on the customer's page.
        let mut admin = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        admin
            .get(&format!("/admin/customers/{}", val.id))
            .await
            .assert_contains("customer.password_reset_requested")
            .assert_contains("customer.signed_up");
        // The customer's own rename reached the name search.
        let found = admin.get("/admin/customers?field=name&q=kilmer").await;
        assert_eq!(listed_emails(&found.body), ["val@example.com"]);
        let old = admin
            .get("/admin/customers?field=name&q=test+customer")
            .await;
        assert!(listed_emails(&old.body).is_empty());
    })
    .await;
}
