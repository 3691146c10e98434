//! The token endpoint: its errors, client credentials, refresh, revocation and introspection, and access ending with the customer's.

use super::*;

#[tokio::test]
async fn the_token_endpoint_refuses_as_rfc_6749_says() {
    on_each_backend(|app| async move {
        let shop = register(&app, true, &[]).await;
        let mut browser = app
            .signed_up_and_verified("ed@example.com", STRONG_PASSWORD)
            .await;
        let page = browser.get(&authorize_path(&shop.id, &[])).await;
        let code = returned(page.location().unwrap())["code"].clone();
        let mut client = app.browser();

        // A body is a form only when its media type is exactly that of one.
        for (path, content_type, status) in [
            (
                "/oauth2/token",
                "application/x-www-form-urlencodedX",
                StatusCode::BAD_REQUEST,
            ),
            (
                "/oauth2/token",
                "application/x-www-form-urlencoded-evil; charset=UTF-8",
                StatusCode::BAD_REQUEST,
            ),
            (
                "/login",
                "application/x-www-form-urlencodedX",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
        ] {
            let req = client
                .request(Method::POST, path)
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from("grant_type=client_credentials"))
                .unwrap();
            let page = client.send(req).await;
            assert_eq!(page.status, status, "{path} {content_type}: {}", page.body);
            if path == "/oauth2/token" {
                assert!(page.body.contains("invalid_request"), "{}", page.body);
            }
        }
        // The same body as a form is read (and this grant is not the shop's).
        let (_, json, _) =
            token_request(&mut client, &shop, &[("grant_type", "client_credentials")]).await;
        assert_eq!(json["error"], "unauthorized_client");

        let wrong = App {
            id: shop.id.clone(),
            secret: Some("wrong".into()),
        };
        let (status, answer, page) = token_request(
            &mut client,
            &wrong,
            &[("grant_type", "authorization_code"), ("code", &code)],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer["error"], "invalid_client");
        assert!(
            page.headers[header::WWW_AUTHENTICATE]
                .to_str()
                .unwrap()
                .starts_with("Basic")
        );

        let req = client
            .request(Method::POST, "/oauth2/token")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let page = client.send(req).await;
        page.assert_status(StatusCode::BAD_REQUEST);
        assert!(page.body.contains("invalid_request"));

        let (status, answer, _) =
            token_request(&mut client, &shop, &[("grant_type", "password")]).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("unsupported_grant_type"))
        );
        let (status, answer, _) =
            token_request(&mut client, &shop, &[("grant_type", "client_credentials")]).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("unauthorized_client"))
        );
        let (status, answer, _) = token_request(
            &mut client,
            &shop,
            &[
                ("grant_type", "authorization_code"),
                ("grant_type", "authorization_code"),
                ("code", &code),
            ],
        )
        .await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request"))
        );

        // A wrong verifier spends the code: the right one cannot follow.
        let (status, answer, _) = token_request(
            &mut client,
            &shop,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", CALLBACK),
                (
                    "code_verifier",
                    "another-verifier-of-forty-three-characters-0000",
                ),
            ],
        )
        .await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant"))
        );
        let (status, _) = exchange(&mut client, &shop, &code).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // A code expires after a minute.
        let page = browser.get(&authorize_path(&shop.id, &[])).await;
        let code = returned(page.location().unwrap())["code"].clone();
        app.state.clock.advance(61);
        let (status, answer) = exchange(&mut client, &shop, &code).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant"))
        );

        // userinfo without a valid token.
        let page = userinfo(&mut client, "not-a-token").await;
        page.assert_status(StatusCode::UNAUTHORIZED);
        assert!(
            page.headers[header::WWW_AUTHENTICATE]
                .to_str()
                .unwrap()
                .contains("invalid_token")
        );
    })
    .await;
}

#[tokio::test]
async fn client_credentials_and_key_rotation() {
    on_each_backend(|app| async move {
        let service = register(&app, true, &["client_credentials"]).await;
        let mut client = app.browser();
        let (status, tokens, _) = token_request(
            &mut client,
            &service,
            &[("grant_type", "client_credentials")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        assert!(tokens.get("refresh_token").is_none() && tokens.get("id_token").is_none());
        let before = tokens["access_token"].as_str().unwrap().to_string();
        let claims = verify(&mut client, &before, PUBLIC_URL).await;
        assert_eq!(claims["sub"], service.id);
        let (status, answer, _) = token_request(
            &mut client,
            &service,
            &[("grant_type", "client_credentials"), ("scope", "openid")],
        )
        .await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_scope"))
        );

        // Rotation: new tokens carry the new key, the old key stays published.
        let old_kid = jsonwebtoken::decode_header(&before).unwrap().kid.unwrap();
        app.state
            .keys
            .rotate(&app.state.store, &app.state.clock)
            .await
            .unwrap();
        let (_, tokens, _) = token_request(
            &mut client,
            &service,
            &[("grant_type", "client_credentials")],
        )
        .await;
        let after = tokens["access_token"].as_str().unwrap();
        assert_ne!(
            jsonwebtoken::decode_header(after).unwrap().kid.unwrap(),
            old_kid
        );
        verify(&mut client, &before, PUBLIC_URL).await;
        verify(&mut client, after, PUBLIC_URL).await;
        let jwks = client.get("/oauth2/jwks").await.body;
        assert_eq!(
            serde_json::from_str::<Value>(&jwks).unwrap()["keys"]
                .as_array()
                .unwrap()
                .len(),
            6
        );
    })
    .await;
}

#[tokio::test]
async fn revocation_and_introspection_follow_rfc_7009_and_7662() {
    on_each_backend(|app| async move {
        let shop = register(&app, true, &[]).await;
        let other = register(&app, true, &[]).await;
        let mut browser = app
            .signed_up_and_verified("fa@example.com", STRONG_PASSWORD)
            .await;
        let mut client = app.browser();
        let tokens = tokens_for(&app, &mut browser, &shop).await;
        let access = tokens["access_token"].as_str().unwrap();
        let refresh = tokens["refresh_token"].as_str().unwrap();

        let seen = introspect(&mut client, &shop, access).await;
        assert_eq!(seen["active"], true, "{seen}");
        assert_eq!(seen["token_type"], "access_token");
        assert_eq!(seen["client_id"], shop.id);
        assert!(seen.get("gid").is_none());
        let seen = introspect(&mut client, &shop, refresh).await;
        assert_eq!(
            (seen["active"].as_bool(), seen["token_type"].as_str()),
            (Some(true), Some("refresh_token"))
        );
        // Another client learns nothing of a refresh token it does not hold,
        // nor of another application's access token, unless it is
        // registered as a resource server (RFC 7662 §4).
        assert_eq!(
            introspect(&mut client, &other, refresh).await,
            serde_json::json!({ "active": false })
        );
        assert_eq!(
            introspect(&mut client, &other, access).await,
            serde_json::json!({ "active": false })
        );
        let api = register_with(
            &app,
            Registration {
                name: "Orders API".into(),
                resource_server: true,
                grant_types: Some(vec!["client_credentials".into()]),
                ..Default::default()
            },
        )
        .await;
        let seen = introspect(&mut client, &api, access).await;
        assert_eq!(
            (seen["active"].as_bool(), seen["client_id"].as_str()),
            (Some(true), Some(shop.id.as_str()))
        );
        assert_eq!(
            introspect(&mut client, &api, refresh).await,
            serde_json::json!({ "active": false })
        );
        let bad = clients::register(
            &app.state,
            &RequestContext::system(),
            Registration {
                name: "Public API".into(),
                public: true,
                resource_server: true,
                redirect_uris: vec![CALLBACK.into()],
                ..Default::default()
            },
        )
        .await;
        assert!(
            matches!(bad, Err(gatehouse::domain::Error::Invalid(_))),
            "a public resource server is refused"
        );
        assert_eq!(
            introspect(&mut client, &shop, "garbage").await,
            serde_json::json!({ "active": false })
        );

        // Another client cannot revoke it; an unknown token is answered alike.
        assert_eq!(revoke(&mut client, &other, refresh).await, StatusCode::OK);
        assert_eq!(
            introspect(&mut client, &shop, refresh).await["active"],
            true
        );
        assert_eq!(
            revoke(&mut client, &shop, "no-such-token").await,
            StatusCode::OK
        );

        // Revoking the refresh token ends the grant: its access token too.
        assert_eq!(revoke(&mut client, &shop, refresh).await, StatusCode::OK);
        assert_eq!(
            introspect(&mut client, &shop, refresh).await["active"],
            false
        );
        assert_eq!(
            introspect(&mut client, &shop, access).await["active"],
            false
        );
        userinfo(&mut client, access)
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        let (status, _, _) = token_request(
            &mut client,
            &shop,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // Revoking an access token ends its grant as well.
        let tokens = tokens_for(&app, &mut browser, &shop).await;
        assert_eq!(
            revoke(&mut client, &shop, tokens["access_token"].as_str().unwrap()).await,
            StatusCode::OK
        );
        let (status, _, _) = token_request(
            &mut client,
            &shop,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn disabling_a_customer_or_resetting_their_password_revokes_app_tokens() {
    on_each_backend(|app| async move {
        let shop = register(&app, true, &[]).await;
        let mut browser = app.signed_up_and_verified("gi@example.com", STRONG_PASSWORD).await;
        let mut client = app.browser();
        let before_reset = tokens_for(&app, &mut browser, &shop).await;

        // A password reset by mailed link.
        app.reset_password_by_mail("gi@example.com", OTHER_PASSWORD).await;
        let (status, _, _) = token_request(&mut client, &shop, &[("grant_type", "refresh_token"), ("refresh_token", before_reset["refresh_token"].as_str().unwrap())]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "a reset left an app's refresh token working");

        let mut browser = app.browser();
        browser.sign_in("gi@example.com", OTHER_PASSWORD).await;
        let tokens = tokens_for(&app, &mut browser, &shop).await;
        let id = app.customer_id("gi@example.com").await;
        app.state.store.set_customer_disabled(id, true, app.state.clock.now()).await.unwrap();
        let (status, _, _) = token_request(&mut client, &shop, &[("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"].as_str().unwrap())]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(introspect(&mut client, &shop, tokens["access_token"].as_str().unwrap()).await["active"], false);
        userinfo(&mut client, tokens["access_token"].as_str().unwrap()).await.assert_status(StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn ending_a_customers_access_ends_their_access_tokens() {
    on_each_backend(|app| async move {
        // No refresh token is ever issued: only the grant's record can end
        // its access tokens.
        let shop = register(&app, true, &["authorization_code"]).await;
        let client = app.browser();
        let mut browser = app
            .signed_up_and_verified("lu@example.com", STRONG_PASSWORD)
            .await;
        let id = app.customer_id("lu@example.com").await;
        let active = |tokens: &Value| {
            let token = tokens["access_token"].as_str().unwrap().to_string();
            let mut client = client.clone();
            let shop = App {
                id: shop.id.clone(),
                secret: shop.secret.clone(),
            };
            async move {
                let introspected = introspect(&mut client, &shop, &token).await["active"] == true;
                let userinfo_ok = userinfo(&mut client, &token).await.status == StatusCode::OK;
                assert_eq!(
                    introspected, userinfo_ok,
                    "introspection and userinfo agree"
                );
                introspected
            }
        };

        // A password change.
        let tokens = tokens_for(&app, &mut browser, &shop).await;
        assert!(tokens.get("refresh_token").is_none());
        assert!(active(&tokens).await);
        browser
            .change_password(STRONG_PASSWORD, OTHER_PASSWORD)
            .await;
        assert!(
            !active(&tokens).await,
            "a password change ends access tokens"
        );

        // A reset by mailed link.
        let tokens = tokens_for(&app, &mut browser, &shop).await;
        assert!(active(&tokens).await);
        app.reset_password_by_mail("lu@example.com", STRONG_PASSWORD)
            .await;
        assert!(!active(&tokens).await, "a reset ends access tokens");

        // Disabled, then enabled again: the old tokens stay ended.
        let mut browser = app.browser();
        browser.sign_in("lu@example.com", STRONG_PASSWORD).await;
        let tokens = tokens_for(&app, &mut browser, &shop).await;
        assert!(active(&tokens).await);
        let now = app.state.clock.now();
        app.state
            .store
            .set_customer_disabled(id, true, now)
            .await
            .unwrap();
        app.state
            .store
            .set_customer_disabled(id, false, now)
            .await
            .unwrap();
        assert!(!active(&tokens).await, "re-enabling brings no token back");

        // Removed at /account/apps, though it holds no refresh token.
        let mut browser = app.browser();
        browser.sign_in("lu@example.com", STRONG_PASSWORD).await;
        let tokens = tokens_for(&app, &mut browser, &shop).await;
        assert!(active(&tokens).await);
        browser
            .get("/account/apps")
            .await
            .assert_contains("Remove access for")
            .assert_contains("Your email address");
        browser
            .post("/account/apps/revoke", &[("client_id", &shop.id)])
            .await
            .assert_redirect("/account/apps");
        assert!(
            !active(&tokens).await,
            "removing the app ends its access tokens"
        );
        browser
            .get("/account/apps")
            .await
            .assert_contains("No application holds access");
        let fresh = tokens_for(&app, &mut browser, &shop).await;
        assert!(active(&fresh).await, "a new sign-in to the app works");
    })
    .await;
}

#[tokio::test]
async fn a_refused_refresh_leaves_the_grant_as_it_was() {
    on_each_backend(|app| async move {
        let shop = register_with(
            &app,
            Registration {
                name: "Web Shop".into(),
                first_party: true,
                redirect_uris: vec![CALLBACK.into()],
                scopes: Some(vec!["openid".into(), "email".into(), "profile".into(), "gatehouse:tier".into()]),
                ..Default::default()
            },
        )
        .await;
        let mut browser = app
            .signed_up_and_verified("mo@example.com", STRONG_PASSWORD)
            .await;
        let mut client = app.browser();
        let tokens = tokens_for(&app, &mut browser, &shop).await;
        let refresh = tokens["refresh_token"].as_str().unwrap();
        // Wider than granted, then unknown: refused, the token unspent.
        for scope in ["openid gatehouse:tier", "openid admin"] {
            let (status, json, _) = token_request(
                &mut client,
                &shop,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh),
                    ("scope", scope),
                ],
            )
            .await;
            assert_eq!((status, json["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_scope")));
        }
        assert_eq!(introspect(&mut client, &shop, refresh).await["active"], true);
        assert_eq!(introspect(&mut client, &shop, tokens["access_token"].as_str().unwrap()).await["active"], true);
        // The client's retry, narrower, works: the grant was left as it was.
        let (status, refreshed, _) = token_request(
            &mut client,
            &shop,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh),
                ("scope", "openid"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{refreshed}");
        assert_eq!(refreshed["scope"], "openid");
    })
    .await;
}

#[tokio::test]
async fn refresh_tokens_go_only_with_offline_access_or_to_first_parties() {
    on_each_backend(|app| async move {
        let partner = register(&app, false, &[]).await;
        let mut browser = app
            .signed_up_and_verified("ne@example.com", STRONG_PASSWORD)
            .await;
        let consent = |browser: &mut Browser, scope: &'static str| {
            let mut browser = browser.clone();
            let id = partner.id.clone();
            async move {
                let page = browser.get(&authorize_path(&id, &[("scope", scope)])).await;
                page.assert_status(StatusCode::OK);
                let asked = answers(&page.body);
                let shown = page.body.contains("Stay connected while you are away");
                let page = browser
                    .post(
                        "/oauth2/consent",
                        &[("decision", "allow"), ("answers", &asked)],
                    )
                    .await;
                (returned(&continued_to(&page))["code"].clone(), shown)
            }
        };
        let (code, shown) = consent(&mut browser, "openid email").await;
        assert!(!shown);
        let (status, tokens) = exchange(&mut app.browser(), &partner, &code).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        assert!(tokens.get("refresh_token").is_none(), "{tokens}");

        let (code, shown) = consent(&mut browser, "openid email offline_access").await;
        assert!(shown, "the consent page says the app stays connected");
        let (_, tokens) = exchange(&mut app.browser(), &partner, &code).await;
        assert!(tokens["refresh_token"].is_string(), "{tokens}");
        assert_eq!(tokens["scope"], "openid email offline_access");

        // The organisation's own application needs no offline_access.
        let shop = register(&app, true, &[]).await;
        let tokens = tokens_for(&app, &mut browser, &shop).await;
        assert!(tokens["refresh_token"].is_string());
    })
    .await;
}
