//! Owners invite, change and remove admins; the last owner stays.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_invite_change_and_remove_admins() {
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        owner
            .get("/admin/admins")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Admin Person (you)")
            .assert_contains("Send invitation");

        // Bad input: field errors or a 400, and no invitation.
        let invites = |app: &TestApp| {
            let store = app.state.store.clone();
            let now = app.state.clock.now();
            async move { store.pending_admin_invites(now).await.unwrap().len() }
        };
        let before = invites(&app).await;
        owner
            .post(
                "/admin/admins/invite",
                &[("email", "not-an-email"), ("role", "support")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("not-an-email");
        owner
            .post(
                "/admin/admins/invite",
                &[("email", "OWNER@example.com"), ("role", "support")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("already belongs to an admin");
        owner
            .post(
                "/admin/admins/invite",
                &[("email", "sue@example.com"), ("role", "superuser")],
            )
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        assert_eq!(invites(&app).await, before);

        owner
            .post(
                "/admin/admins/invite",
                &[("email", "Sue@Example.com"), ("role", "support")],
            )
            .await
            .assert_redirect("/admin/admins");
        owner
            .get("/admin/admins")
            .await
            .assert_contains("An invitation is on its way to sue@example.com.")
            .assert_contains("Open invitations")
            .assert_contains(">sue@example.com<");
        let mut sue = accept_mailed_invite(&app, "sue@example.com").await;
        let sue_id = admin_id(&app, "sue@example.com").await;

        // A withdrawn invitation's link stops working; withdrawing twice is a conflict.
        owner
            .post(
                "/admin/admins/invite",
                &[("email", "tom@example.com"), ("role", "auditor")],
            )
            .await
            .assert_redirect("/admin/admins");
        let mail = app.mail.wait_for("tom@example.com").await;
        let tom_link = link_to(&mail.body, "/admin/setup?token=");
        let pending = app
            .state
            .store
            .pending_admin_invites(app.state.clock.now())
            .await
            .unwrap();
        let tom = pending
            .iter()
            .find(|i| i.email.as_deref() == Some("tom@example.com"))
            .unwrap();
        let withdraw = format!(
            "/admin/admins/invites/{}/revoke",
            gatehouse::directory::admins::invite_id(&tom.token_hash)
        );
        owner.get("/admin/admins").await;
        owner
            .post(&withdraw, &[])
            .await
            .assert_redirect("/admin/admins");
        app.browser()
            .get(&tom_link)
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        owner
            .post(&withdraw, &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        owner
            .post("/admin/admins/invites/garbage/revoke", &[])
            .await
            .assert_status(StatusCode::BAD_REQUEST);

        // Role changes apply to the admin's very next request.
        let customer = app.insert_customer("cal@example.com", "Cal", 1, true).await;
        sue.get(&format!("/admin/customers/{customer}")).await;
        owner
            .post(
                &format!("/admin/admins/{sue_id}/role"),
                &[("role", "auditor")],
            )
            .await
            .assert_redirect("/admin/admins");
        sue.post(&format!("/admin/customers/{customer}/disable"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        owner
            .post(&format!("/admin/admins/{sue_id}/role"), &[("role", "root")])
            .await
            .assert_status(StatusCode::BAD_REQUEST);

        // Removal ends the admin's console session at once.
        owner
            .post(&format!("/admin/admins/{sue_id}/remove"), &[])
            .await
            .assert_redirect("/admin/admins");
        sue.get("/admin/customers")
            .await
            .assert_redirect("/admin/login");
        owner
            .post(&format!("/admin/admins/{sue_id}/remove"), &[])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("no longer exists");

        // Everything is on the record, with before and after.
        let events = app
            .state
            .store
            .audit_events(&Default::default(), None, 50)
            .await
            .unwrap();
        let admin_actions: Vec<&str> = events
            .iter()
            .map(|e| e.action.as_str())
            .filter(|a| a.starts_with("admin.") && *a != "admin.signed_in")
            .collect();
        assert_eq!(
            admin_actions,
            [
                "admin.removed",
                "admin.role_changed",
                "admin.invite_revoked",
                "admin.invited",
                // The invited admin's authenticator app, at their first sign-in.
                "admin.mfa_enrolled",
                "admin.invited",
                // The owner's own.
                "admin.mfa_enrolled",
            ]
        );
        let change = events
            .iter()
            .find(|e| e.action == "admin.role_changed")
            .unwrap();
        assert!(change.details.contains(r#""before":"support""#));
        assert!(change.details.contains(r#""after":"auditor""#));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_owner_cannot_be_removed_or_demoted() {
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        let me = admin_id(&app, "owner@example.com").await;
        owner.get("/admin/admins").await;
        owner
            .post(&format!("/admin/admins/{me}/role"), &[("role", "support")])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("at least one owner");
        owner
            .post(&format!("/admin/admins/{me}/remove"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        assert_eq!(
            app.state.store.admin_by_id(me).await.unwrap().unwrap().role,
            Role::Owner
        );

        // With a second owner, either may step down, but not both.
        let mut second = app.admin_browser("second@example.com", Role::Owner).await;
        let second_id = admin_id(&app, "second@example.com").await;
        second.get("/admin/admins").await;
        owner
            .post(&format!("/admin/admins/{me}/role"), &[("role", "auditor")])
            .await
            .assert_redirect("/admin/admins");
        second
            .post(&format!("/admin/admins/{second_id}/remove"), &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        // The demoted owner can no longer manage admins.
        owner
            .post(
                &format!("/admin/admins/{second_id}/role"),
                &[("role", "auditor")],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);

        // Racing demotions of two owners leave one owner standing.
        let third = app.admin_browser("third@example.com", Role::Owner).await;
        drop(third);
        let third_id = admin_id(&app, "third@example.com").await;
        let store = app.state.store.clone();
        let (a, b) = tokio::join!(
            store.set_admin_role(second_id, Role::Support),
            store.set_admin_role(third_id, Role::Support)
        );
        assert!(a.unwrap() ^ b.unwrap(), "exactly one demotion goes through");
        let owners = store
            .list_admins()
            .await
            .unwrap()
            .into_iter()
            .filter(|l| l.admin.role == Role::Owner)
            .count();
        assert_eq!(owners, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_owners_manage_admins() {
    on_each_backend(|app| async move {
        app.admin_browser("owner@example.com", Role::Owner).await;
        let owner_id = admin_id(&app, "owner@example.com").await;
        for role in [Role::Support, Role::Auditor] {
            let email = format!("{}@example.com", role.as_str());
            let mut admin = app.admin_browser(&email, role).await;
            let page = admin.get("/admin/admins").await;
            page.assert_status(StatusCode::OK)
                .assert_contains("owner@example.com");
            assert!(!page.body.contains("Send invitation"));
            assert!(!page.body.contains("/remove"));
            admin
                .post(
                    "/admin/admins/invite",
                    &[("email", "x@example.com"), ("role", "owner")],
                )
                .await
                .assert_status(StatusCode::FORBIDDEN);
            admin
                .post(
                    &format!("/admin/admins/{owner_id}/role"),
                    &[("role", "auditor")],
                )
                .await
                .assert_status(StatusCode::FORBIDDEN);
            admin
                .post(&format!("/admin/admins/{owner_id}/remove"), &[])
                .await
                .assert_status(StatusCode::FORBIDDEN);
            let me = admin_id(&app, &email).await;
            admin
                .post(&format!("/admin/admins/{me}/role"), &[("role", "owner")])
                .await
                .assert_status(StatusCode::FORBIDDEN);
        }
        let roles: Vec<Role> = app
            .state
            .store
            .list_admins()
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.admin.role)
            .collect();
        assert_eq!(roles, [Role::Owner, Role::Support, Role::Auditor]);
        assert!(app.mail.to("x@example.com").is_empty());
    })
    .await;
}
