//! Registering and managing applications in the console.

use super::*;

#[tokio::test]
async fn owners_register_and_manage_applications_in_the_console() {
    use gatehouse::domain::Role;
    on_each_backend(|app| async move {
        let mut owner = app.admin_browser("owner@example.com", Role::Owner).await;
        let mut auditor = app
            .admin_browser("auditor@example.com", Role::Auditor)
            .await;
        owner
            .get("/admin/apps")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Register an application");
        let page = auditor.get("/admin/apps").await;
        page.assert_status(StatusCode::OK);
        assert!(
            !page.body.contains("Register an application"),
            "auditors see no form"
        );

        // Bad input: every field's error at once, and nothing registered.
        let page = owner
            .post(
                "/admin/apps",
                &[
                    ("name", " "),
                    ("redirect_uris", "http://shop.example.com/cb"),
                    ("grant.authorization_code", "yes"),
                    ("access_token_ttl", "ten"),
                    ("logo_url", "http://shop.example.com/logo.png"),
                ],
            )
            .await;
        page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Give the application a name")
            .assert_contains("http://shop.example.com/cb")
            .assert_contains("Allow at least one scope")
            .assert_contains("Token lifetimes are")
            .assert_contains("must be an https:// address");
        assert!(app.state.store.clients().await.unwrap().is_empty());
        auditor
            .post(
                "/admin/apps",
                &[
                    ("name", "Sneaky"),
                    ("grant.client_credentials", "yes"),
                    ("scope.openid", "yes"),
                ],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);
        assert!(app.state.store.clients().await.unwrap().is_empty());

        // Registered: the secret is shown once, never cached, and works.
        let page = owner
            .post(
                "/admin/apps",
                &[
                    ("name", "Support Portal"),
                    ("redirect_uris", &format!("{CALLBACK}\n")),
                    ("grant.authorization_code", "yes"),
                    ("grant.refresh_token", "yes"),
                    ("grant.client_credentials", "yes"),
                    ("scope.openid", "yes"),
                    ("scope.email", "yes"),
                    ("scope.offline_access", "yes"),
                    ("first_party", "yes"),
                    ("access_token_ttl", "600"),
                    ("refresh_token_ttl", ""),
                    ("id_token_alg", "ES256"),
                ],
            )
            .await;
        page.assert_status(StatusCode::CREATED)
            .assert_contains("shown this once");
        assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
        let clients = app.state.store.clients().await.unwrap();
        assert_eq!(clients.len(), 1);
        let stored = &clients[0];
        // An id a command line, URL or shell takes as it is: never "-…".
        assert!(
            stored.id.len() == 32 && stored.id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{}",
            stored.id
        );
        assert_eq!(
            (stored.name.as_str(), stored.first_party, stored.public),
            ("Support Portal", true, false)
        );
        assert_eq!(stored.redirect_uris, [CALLBACK]);
        assert_eq!(stored.scopes, ["email", "offline_access", "openid"]);
        assert_eq!(
            (stored.access_token_ttl, stored.refresh_token_ttl),
            (600, 30 * 24 * 3600)
        );
        let portal = App {
            id: stored.id.clone(),
            secret: Some(shown_secret(&page)),
        };
        let mut client = app.browser();
        let (status, json) = client_credentials(&mut client, &portal).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        let earlier_token = json["access_token"].as_str().unwrap().to_string();
        let resource_server = register_with(
            &app,
            Registration {
                name: "Orders API".into(),
                first_party: true,
                resource_server: true,
                redirect_uris: vec![CALLBACK.into()],
                ..Default::default()
            },
        )
        .await;
        let detail = format!("/admin/apps/{}", portal.id);
        let page = owner.get(&detail).await;
        page.assert_status(StatusCode::OK)
            .assert_contains("Support Portal");
        assert!(
            !page.body.contains("shown this once"),
            "the secret is shown once only"
        );

        // Disabled: no tokens, no sign-in; an auditor cannot do it.
        auditor.get(&detail).await.assert_status(StatusCode::OK);
        auditor
            .post(&format!("{detail}/disable"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        assert_eq!(
            client_credentials(&mut client, &portal).await.0,
            StatusCode::OK
        );
        owner
            .post(&format!("{detail}/disable"), &[])
            .await
            .assert_redirect(&detail);
        let (status, json) = client_credentials(&mut client, &portal).await;
        assert_eq!(
            (status, json["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_client"))
        );
        // Its tokens issued before stop at once at introspection.
        let active = |v: Value| v["active"].clone();
        assert_eq!(
            active(introspect(&mut client, &resource_server, &earlier_token).await),
            false
        );
        let mut customer = app
            .signed_up_and_verified("cy@example.com", STRONG_PASSWORD)
            .await;
        let page = customer.get(&authorize_path(&portal.id, &[])).await;
        assert!(
            !page.status.is_redirection(),
            "a disabled app gets no redirect"
        );
        owner.get(&detail).await;
        owner
            .post(&format!("{detail}/enable"), &[])
            .await
            .assert_redirect(&detail);
        assert_eq!(
            client_credentials(&mut client, &portal).await.0,
            StatusCode::OK
        );
        assert_eq!(
            active(introspect(&mut client, &resource_server, &earlier_token).await),
            true
        );

        // A new secret: both work during the overlap.
        owner.get(&detail).await;
        let page = owner.post(&format!("{detail}/rotate-secret"), &[]).await;
        page.assert_status(StatusCode::OK)
            .assert_contains("keeps working for 24 hours");
        assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
        let rotated = App {
            id: portal.id.clone(),
            secret: Some(shown_secret(&page)),
        };
        assert_ne!(rotated.secret, portal.secret);
        assert_eq!(
            client_credentials(&mut client, &rotated).await.0,
            StatusCode::OK
        );
        assert_eq!(
            client_credentials(&mut client, &portal).await.0,
            StatusCode::OK
        );

        // Edited: an invalid change is refused whole; a valid one applies at once.
        let page = owner
            .post(
                &detail,
                &[
                    ("name", "Help Centre"),
                    ("redirect_uris", "javascript:alert(1)"),
                    ("scope.openid", "yes"),
                    ("grant.authorization_code", "yes"),
                ],
            )
            .await;
        page.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("javascript:alert(1)");
        assert_eq!(
            app.state
                .store
                .client(&portal.id)
                .await
                .unwrap()
                .unwrap()
                .name,
            "Support Portal"
        );
        owner
            .post(
                &detail,
                &[
                    ("name", "Help Centre"),
                    ("redirect_uris", CALLBACK),
                    ("grant.authorization_code", "yes"),
                    ("grant.refresh_token", "yes"),
                    ("scope.openid", "yes"),
                    ("scope.email", "yes"),
                    ("scope.profile", "yes"),
                    ("scope.offline_access", "yes"),
                    ("first_party", "yes"),
                    ("access_token_ttl", "600"),
                    ("refresh_token_ttl", "86400"),
                    ("id_token_alg", "RS256"),
                    ("public", "yes"),
                ],
            )
            .await
            .assert_redirect(&detail);
        let edited = app.state.store.client(&portal.id).await.unwrap().unwrap();
        assert_eq!(
            (
                edited.name.as_str(),
                edited.refresh_token_ttl,
                edited.public
            ),
            ("Help Centre", 86400, false)
        );
        let (status, json) = client_credentials(&mut client, &rotated).await;
        assert_eq!(
            (status, json["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("unauthorized_client"))
        );
        let trail = owner.get("/admin/audit").await;
        for action in [
            "app.registered",
            "app.disabled",
            "app.enabled",
            "app.secret_rotated",
            "app.updated",
        ] {
            trail.assert_contains(action);
        }
        trail.assert_contains("grant_types");

        // Its grants: the customer who signed in through it, on both pages;
        // support takes the access back, an auditor cannot.
        let tokens = tokens_for(&app, &mut customer, &rotated).await;
        let page = owner.get(&detail).await;
        page.assert_contains("Customers it holds access for: 1.")
            .assert_contains("cy@example.com");
        let customer_id = app.customer_id("cy@example.com").await;
        let customer_page = format!("/admin/customers/{customer_id}");
        owner
            .get(&customer_page)
            .await
            .assert_contains("Help Centre");
        let revoke = format!("{customer_page}/apps/{}/revoke", portal.id);
        auditor.get(&customer_page).await;
        auditor
            .post(&revoke, &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        let mut support = app
            .admin_browser("support@example.com", Role::Support)
            .await;
        support.get(&customer_page).await;
        support
            .post(&revoke, &[])
            .await
            .assert_redirect(&customer_page);
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let (status, json, _) = token_request(
            &mut client,
            &rotated,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
        )
        .await;
        assert_eq!(
            (status, json["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant"))
        );
        owner
            .get(&detail)
            .await
            .assert_contains("Customers it holds access for: 0.");
        support
            .get(&customer_page)
            .await
            .assert_contains("No application holds access");
        support
            .post(&revoke, &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        owner
            .get("/admin/apps/not!an-id")
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        owner
            .get("/admin/apps/unknown-client")
            .await
            .assert_status(StatusCode::NOT_FOUND);
    })
    .await;
}
