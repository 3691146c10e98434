//! How applications prove who they are: secrets (and their rotation), `private_key_jwt`, and failures held back.

use super::*;

#[tokio::test]
async fn a_rotated_secret_keeps_working_for_the_overlap_only() {
    on_each_backend(|app| async move {
        let service = register(&app, true, &["client_credentials"]).await;
        let ctx = RequestContext::system();
        let new_secret = clients::rotate_secret(&app.state, &ctx, &service.id, 3600)
            .await
            .unwrap();
        let rotated = App {
            id: service.id.clone(),
            secret: Some(new_secret),
        };
        let mut client = app.browser();
        let grant = [("grant_type", "client_credentials")];
        assert_eq!(
            token_request(&mut client, &rotated, &grant).await.0,
            StatusCode::OK
        );
        assert_eq!(
            token_request(&mut client, &service, &grant).await.0,
            StatusCode::OK
        );
        app.state.clock.advance(3601);
        // The cache of applications is per instance and keeps a copy for a
        // few seconds; a fresh read decides after the overlap.
        app.state.clients.forget(&service.id);
        assert_eq!(
            token_request(&mut client, &rotated, &grant).await.0,
            StatusCode::OK
        );
        let (status, answer, _) = token_request(&mut client, &service, &grant).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_client"))
        );
    })
    .await;
}

#[tokio::test]
async fn private_key_jwt_authenticates_once_per_assertion() {
    on_each_backend(|app| async move {
        // Keys with their private half are refused at registration.
        let mut private: Value = serde_json::from_str(&app_jwks()).unwrap();
        private["keys"][0]["d"] = Value::String("WU39fRgj_my3b2gojBG75DI7tSX9mCCoyfKaMY_dzWQ".into());
        let refused = clients::register(
            &app.state,
            &RequestContext::system(),
            Registration {
                name: "Leaky".into(),
                grant_types: Some(vec!["client_credentials".into()]),
                jwks: Some(private.to_string()),
                ..Default::default()
            },
        )
        .await;
        assert!(matches!(refused, Err(gatehouse::domain::Error::Invalid(_))));
        assert!(app.state.store.clients().await.unwrap().is_empty());

        let registered = clients::register(
            &app.state,
            &RequestContext::system(),
            Registration {
                name: "Ledger".into(),
                grant_types: Some(vec!["client_credentials".into()]),
                jwks: Some(app_jwks()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(registered.secret.is_none(), "a key-holding client gets no secret");
        let id = registered.client.id;
        let public = App { id: id.clone(), secret: None };
        let now = app.state.clock.now();
        let claims = |jti: &str| serde_json::json!({ "iss": id, "sub": id, "aud": PUBLIC_URL, "exp": now + 60, "jti": jti });
        let mut client = app.browser();
        let grant = |jwt: String| {
            vec![
                ("grant_type".to_string(), "client_credentials".to_string()),
                ("client_assertion_type".to_string(), JWT_BEARER.to_string()),
                ("client_assertion".to_string(), jwt),
            ]
        };
        let send = |fields: Vec<(String, String)>| {
            let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            encode(&borrowed)
        };
        // Each request from an address of its own: these are the rules of
        // one assertion each, not repeated guessing (held back elsewhere).
        let sources = std::sync::atomic::AtomicU8::new(1);
        let post = async |client: &mut Browser, body: String| {
            let n = sources.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            client.peer = format!("198.51.100.{n}:40000").parse().unwrap();
            let req = client
                .request(Method::POST, "/oauth2/token")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap();
            let page = client.send(req).await;
            let json: Value = serde_json::from_str(&page.body).unwrap_or(Value::Null);
            (page.status, json)
        };

        // A sound assertion: tokens, checked against JWKS.
        let first = assertion(claims("j-1"));
        let (status, json) = post(&mut client, send(grant(first.clone()))).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        let token = json["access_token"].as_str().unwrap();
        assert_eq!(verify(&mut client, token, PUBLIC_URL).await["client_id"], id.as_str());

        // The same assertion again: refused, as a replay.
        let (status, json) = post(&mut client, send(grant(first))).await;
        assert_eq!((status, json["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
        assert!(json["error_description"].as_str().unwrap().contains("already used"), "{json}");

        // Each rule: the wrong audience, an expired one, another client's id.
        let mut wrong_aud = claims("j-2");
        wrong_aud["aud"] = "https://elsewhere.example".into();
        let mut expired = claims("j-3");
        expired["exp"] = (now - 120).into();
        let mut impostor = claims("j-4");
        impostor["iss"] = "someone-else".into();
        for (bad, words) in [(wrong_aud, "aud"), (expired, "expired"), (impostor, "iss and sub")] {
            let (status, json) = post(&mut client, send(grant(assertion(bad)))).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{json}");
            assert!(json["error_description"].as_str().unwrap().contains(words), "{json}");
        }
        // Garbage, and a secret where keys are registered.
        let (status, json) = post(&mut client, send(grant("not.a.jwt".into()))).await;
        assert_eq!((status, json["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
        let with_secret = App { id: id.clone(), secret: Some("guess".into()) };
        client.peer = "198.51.100.200:40000".parse().unwrap();
        let (status, _, _) = token_request(&mut client, &with_secret, &[("grant_type", "client_credentials")]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // Two ways at once, or the wrong assertion type: invalid_request.
        let mut two = grant(assertion(claims("j-5")));
        two.push(("client_secret".into(), "x".into()));
        assert_eq!(post(&mut client, send(two)).await.1["error"], "invalid_request");
        let mut wrong_type = grant(assertion(claims("j-6")));
        wrong_type[1].1 = "urn:example:saml".into();
        assert_eq!(post(&mut client, send(wrong_type)).await.1["error"], "invalid_request");
        // Neither spent the assertion: it still works once.
        let (status, _) = post(&mut client, send(grant(assertion(claims("j-5"))))).await;
        assert_eq!(status, StatusCode::OK);
        // The token endpoint's address as the audience works too.
        let mut to_endpoint = claims("j-7");
        to_endpoint["aud"] = Value::String(format!("{PUBLIC_URL}/oauth2/token"));
        assert_eq!(post(&mut client, send(grant(assertion(to_endpoint)))).await.0, StatusCode::OK);

        // No secret to rotate; and no way in without an assertion.
        let rotate = clients::rotate_secret(&app.state, &RequestContext::system(), &id, 0).await;
        assert!(rotate.is_err());
        let (status, _, _) = token_request(&mut client, &public, &[("grant_type", "client_credentials"), ("client_id", &id)]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let doc: Value = serde_json::from_str(&client.get("/.well-known/openid-configuration").await.body).unwrap();
        assert!(doc["token_endpoint_auth_methods_supported"].as_array().unwrap().contains(&"private_key_jwt".into()));
    })
    .await;
}

#[tokio::test]
async fn failed_client_authentications_are_held_back_and_audited() {
    on_each_backend(|app| async move {
        let shop = register(&app, true, &["client_credentials"]).await;
        let guess = App {
            id: shop.id.clone(),
            secret: Some("not-the-secret".into()),
        };
        let mut attacker = app.browser();
        // The first failures are answered at once: the secret is wrong.
        for _ in 0..4 {
            let (status, json) = client_credentials(&mut attacker, &guess).await;
            assert_eq!(
                (status, json["error"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("invalid_client"))
            );
        }
        // Then this address waits, whatever it presents, the right secret too.
        let req = attacker
            .request(Method::POST, "/oauth2/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(
                header::AUTHORIZATION,
                format!(
                    "Basic {}",
                    STANDARD.encode(format!("{}:{}", shop.id, shop.secret.as_deref().unwrap()))
                ),
            )
            .body(Body::from("grant_type=client_credentials"))
            .unwrap();
        let page = attacker.send(req).await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
        assert!(page.headers.contains_key(header::RETRY_AFTER));
        // The application itself, from its own address, is not held back.
        let mut server = app.browser();
        server.peer = "203.0.113.20:443".parse().unwrap();
        let (status, json) = client_credentials(&mut server, &shop).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        // Every failure is on the audit trail, naming the application.
        let failed = app
            .audit_trail(gatehouse::domain::Action::OidcClientAuthFailed)
            .await;
        assert_eq!(failed.len(), 4);
        assert!(failed.iter().all(|e| e.details.contains(&shop.id)));
        // An unknown client id is refused without a record.
        let nobody = App {
            id: "no-such-client".into(),
            secret: Some("x".into()),
        };
        let (status, _) = client_credentials(&mut server, &nobody).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            app.audit_trail(gatehouse::domain::Action::OidcClientAuthFailed)
                .await
                .len(),
            4
        );
        // Once the wait is over, the right secret works from there again.
        app.state.clock.advance(120);
        let (status, json) = client_credentials(&mut attacker, &shop).await;
        assert_eq!(status, StatusCode::OK, "{json}");
    })
    .await;
}
