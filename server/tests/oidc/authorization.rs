//! The authorization endpoint and the code flow: discovery, PKCE, signing in on the way, prompts, `acr`, and requests refused without redirecting.

use super::*;

#[tokio::test]
async fn discovery_and_jwks_describe_the_provider() {
    on_each_backend(|app| async move {
        let mut browser = app.browser();
        let page = browser.get("/.well-known/openid-configuration").await;
        page.assert_status(StatusCode::OK);
        let doc: Value = serde_json::from_str(&page.body).unwrap();
        assert_eq!(doc["issuer"], PUBLIC_URL);
        assert_eq!(doc["token_endpoint"], format!("{PUBLIC_URL}/oauth2/token"));
        assert_eq!(
            doc["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
        assert_eq!(
            doc["ui_locales_supported"],
            serde_json::json!(["en", "de", "ar"])
        );
        assert!(
            doc["claims_supported"]
                .as_array()
                .unwrap()
                .contains(&"locale".into())
        );
        let page = browser.get("/oauth2/jwks").await;
        assert_eq!(page.headers[header::CACHE_CONTROL], "public, max-age=300");
        let jwks: Value = serde_json::from_str(&page.body).unwrap();
        let algs: Vec<&str> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["alg"].as_str().unwrap())
            .collect();
        assert_eq!(algs.len(), 3, "{jwks}");
        for alg in ["RS256", "ES256", "EdDSA"] {
            assert!(algs.contains(&alg), "{alg} missing from {jwks}");
        }
        assert!(
            !page.body.contains("\"d\""),
            "a private key component is published"
        );
    })
    .await;
}

#[tokio::test]
async fn code_flow_with_pkce_refresh_rotation_and_replays() {
    on_each_backend(|app| async move {
        let shop = register(&app, true, &[]).await;
        let mut browser = app
            .signed_up_and_verified("ada@example.com", STRONG_PASSWORD)
            .await;

        // Signed in already, first party: straight back with a code.
        let page = browser.get(&authorize_path(&shop.id, &[])).await;
        assert!(page.status.is_redirection(), "{}", page.body);
        let back = returned(page.location().unwrap());
        assert_eq!(back["state"], "st-123");
        assert_eq!(back["iss"], PUBLIC_URL);
        let code = back["code"].clone();

        let mut client = app.browser();
        let (status, tokens) = exchange(&mut client, &shop, &code).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        assert_eq!(tokens["token_type"], "Bearer");
        let id = verify(&mut client, tokens["id_token"].as_str().unwrap(), &shop.id).await;
        assert_eq!(
            id["sub"],
            app.customer_id("ada@example.com").await.to_string()
        );
        assert_eq!(id["nonce"], "n-456");
        assert_eq!(id["email"], "ada@example.com");
        assert_eq!(id["email_verified"], true);
        assert_eq!(id["amr"], serde_json::json!(["email"]));
        let access_token = tokens["access_token"].as_str().unwrap();
        let header = jsonwebtoken::decode_header(access_token).unwrap();
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        let access = verify(&mut client, access_token, PUBLIC_URL).await;
        assert_eq!(access["client_id"], shop.id);

        let info = userinfo(&mut client, access_token).await;
        info.assert_status(StatusCode::OK);
        let info: Value = serde_json::from_str(&info.body).unwrap();
        assert_eq!(info["email"], "ada@example.com");
        assert_eq!(info["name"], "Test Customer");
        // When the record last changed: at sign-up, here (seconds).
        let updated_at = info["updated_at"]
            .as_i64()
            .expect("updated_at under profile");
        assert!((updated_at - app.state.clock.now()).abs() < 60, "{info}");

        // acr_values and ui_locales are accepted: a level the session meets
        // (unknown ones are voluntary) comes straight back, with that acr.
        let page = browser
            .get(&authorize_path(
                &shop.id,
                &[
                    ("acr_values", "urn:example:unknown urn:gatehouse:loa:1"),
                    ("ui_locales", "fr-CA fr en"),
                ],
            ))
            .await;
        let other = returned(page.location().unwrap())["code"].clone();
        let (status, more) = exchange(&mut client, &shop, &other).await;
        assert_eq!(status, StatusCode::OK, "{more}");
        let id = verify(&mut client, more["id_token"].as_str().unwrap(), &shop.id).await;
        assert_eq!(id["acr"], "urn:gatehouse:loa:1");
        let page = browser
            .get(&format!(
                "{}&ui_locales=en",
                authorize_path(&shop.id, &[("ui_locales", "fr")])
            ))
            .await;
        assert_eq!(
            returned(page.location().unwrap())["error"],
            "invalid_request"
        );

        // A code works once; its replay revokes what it issued.
        let (status, replay) = exchange(&mut client, &shop, &code).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(replay["error"], "invalid_grant");
        let first_refresh = tokens["refresh_token"].as_str().unwrap();
        let (status, answer, _) = token_request(
            &mut client,
            &shop,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", first_refresh),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(answer["error"], "invalid_grant");

        // A fresh code; then refresh rotates, and a spent token revokes the family.
        let page = browser.get(&authorize_path(&shop.id, &[])).await;
        let code = returned(page.location().unwrap())["code"].clone();
        let (_, tokens) = exchange(&mut client, &shop, &code).await;
        let r1 = tokens["refresh_token"].as_str().unwrap().to_string();
        let (status, rotated, _) = token_request(
            &mut client,
            &shop,
            &[("grant_type", "refresh_token"), ("refresh_token", &r1)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{rotated}");
        let r2 = rotated["refresh_token"].as_str().unwrap().to_string();
        assert_ne!(r1, r2);
        let id = verify(&mut client, rotated["id_token"].as_str().unwrap(), &shop.id).await;
        assert_eq!(id["email"], "ada@example.com");
        let (status, _, _) = token_request(
            &mut client,
            &shop,
            &[("grant_type", "refresh_token"), ("refresh_token", &r1)],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, answer, _) = token_request(
            &mut client,
            &shop,
            &[("grant_type", "refresh_token"), ("refresh_token", &r2)],
        )
        .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "the newer token survived a replay: {answer}"
        );
        let replays = app
            .audit_trail(gatehouse::domain::Action::OidcRefreshTokenReplayed)
            .await;
        assert_eq!(replays.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn signing_in_on_the_way_returns_to_the_app_and_prompts_are_honoured() {
    on_each_backend(|app| async move {
        let shop = register(&app, true, &[]).await;
        app.signed_up_and_verified("bob@example.com", STRONG_PASSWORD)
            .await;
        let mut browser = app.browser();

        // prompt=none without a session: login_required, at the app.
        let page = browser
            .get(&authorize_path(&shop.id, &[("prompt", "none")]))
            .await;
        let back = returned(page.location().unwrap());
        assert_eq!(back["error"], "login_required");
        assert_eq!(back["state"], "st-123");

        // login_hint: the sign-in form starts with the address filled in.
        let page = browser
            .get(&authorize_path(
                &shop.id,
                &[("login_hint", "Bob@Example.com")],
            ))
            .await;
        page.assert_redirect("/login");
        browser
            .get("/login")
            .await
            .assert_contains("value=\"bob@example.com\"");
        let page = browser.sign_in("bob@example.com", STRONG_PASSWORD).await;
        page.assert_redirect("/oauth2/authorize/resume");
        let page = browser.get("/oauth2/authorize/resume").await;
        page.assert_status(StatusCode::OK);
        let refresh = page.headers["refresh"].to_str().unwrap().to_string();
        let location = refresh.strip_prefix("0;url=").unwrap();
        let code = returned(location)["code"].clone();
        let (status, tokens) = exchange(&mut app.browser(), &shop, &code).await;
        assert_eq!(status, StatusCode::OK);
        let id = verify(
            &mut app.browser(),
            tokens["id_token"].as_str().unwrap(),
            &shop.id,
        )
        .await;
        assert_eq!(id["amr"], serde_json::json!(["pwd"]));
        let signed_in_at = id["auth_time"].as_i64().unwrap();

        // prompt=login asks again even though the session is live.
        app.state.clock.advance(120);
        let page = browser
            .get(&authorize_path(&shop.id, &[("prompt", "login")]))
            .await;
        page.assert_redirect("/login");
        browser.get("/login").await.assert_status(StatusCode::OK);
        // max_age older than the sign-in: asks again too.
        let page = browser
            .get(&authorize_path(&shop.id, &[("max_age", "60")]))
            .await;
        page.assert_redirect("/login");
        let page = browser.sign_in("bob@example.com", STRONG_PASSWORD).await;
        page.assert_redirect("/oauth2/authorize/resume");
        let page = browser.get("/oauth2/authorize/resume").await;
        let location = page.headers["refresh"].to_str().unwrap()[6..].to_string();
        let code = returned(&location)["code"].clone();
        let (_, tokens) = exchange(&mut app.browser(), &shop, &code).await;
        let id = verify(
            &mut app.browser(),
            tokens["id_token"].as_str().unwrap(),
            &shop.id,
        )
        .await;
        assert!(id["auth_time"].as_i64().unwrap() >= signed_in_at + 120);
    })
    .await;
}

#[tokio::test]
async fn bad_authorization_requests_never_redirect_to_unregistered_addresses() {
    on_each_backend(|app| async move {
        let shop = register(&app, true, &[]).await;
        let mut browser = app
            .signed_up_and_verified("di@example.com", STRONG_PASSWORD)
            .await;

        for path in [
            authorize_path("no-such-client", &[]),
            authorize_path(&shop.id, &[("redirect_uri", "https://evil.example.com/cb")]),
            format!("{}&client_id={}", authorize_path(&shop.id, &[]), shop.id),
        ] {
            let page = browser.get(&path).await;
            page.assert_status(StatusCode::BAD_REQUEST);
            assert!(page.location().is_none());
            page.assert_contains("This sign-in request cannot be used");
        }
        // Known client and address: errors go back with the state.
        for (extra, error) in [
            (
                vec![("response_type", "token")],
                "unsupported_response_type",
            ),
            (vec![("scope", "openid admin")], "invalid_scope"),
            (vec![("code_challenge_method", "plain")], "invalid_request"),
            (vec![("prompt", "none login")], "invalid_request"),
            (vec![("max_age", "-1")], "invalid_request"),
        ] {
            let page = browser.get(&authorize_path(&shop.id, &extra)).await;
            let back = returned(page.location().unwrap());
            assert_eq!(back["error"], error, "{extra:?}");
            assert_eq!(back["state"], "st-123");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stronger_acr_asks_for_the_second_factor_again() {
    on_each_backend(|app| async move {
        let shop = register(&app, true, &[]).await;
        // MFA off for everyone: the password alone signs in, even for a
        // customer who has an authenticator app.
        app.state
            .store
            .update_mfa_settings(
                &gatehouse::domain::mfa::MfaSettings {
                    policy: gatehouse::domain::mfa::MfaPolicy::Off,
                    remember_days: 0,
                    step_up_minutes: 10,
                },
                app.state.clock.now(),
            )
            .await
            .unwrap();
        let mut setup = app
            .signed_up_and_verified("ivy@example.com", STRONG_PASSWORD)
            .await;
        let secret = shown_totp_secret(&setup.get("/account/security/app").await.body);
        setup
            .post(
                "/account/security/app",
                &[("code", &totp_code(&secret, app.state.clock.now()))],
            )
            .await
            .assert_redirect("/account/security/recovery-codes");
        let mut browser = app.browser();
        browser
            .sign_in("ivy@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
        let multi = [("acr_values", "urn:gatehouse:loa:2")];

        // Without interaction the level cannot be raised.
        let mut silent = multi.to_vec();
        silent.push(("prompt", "none"));
        let page = browser.get(&authorize_path(&shop.id, &silent)).await;
        assert_eq!(
            returned(page.location().unwrap())["error"],
            "interaction_required"
        );

        // With it: the step-up page, then back to the application.
        let page = browser.get(&authorize_path(&shop.id, &multi)).await;
        page.assert_redirect("/account/verify?next=%2Foauth2%2Fauthorize%2Fresume");
        browser
            .get("/account/verify?next=%2Foauth2%2Fauthorize%2Fresume")
            .await
            .assert_status(StatusCode::OK);
        app.state.clock.advance(30);
        let code = totp_code(&secret, app.state.clock.now());
        browser
            .post(
                "/account/verify",
                &[("code", &code), ("next", "/oauth2/authorize/resume")],
            )
            .await
            .assert_redirect("/oauth2/authorize/resume");
        // After a form, the way back is a page that moves on by itself.
        let page = browser.get("/oauth2/authorize/resume").await;
        let location = page.headers["refresh"].to_str().unwrap()[6..].to_string();
        let back = returned(&location);
        let mut client = app.browser();
        let (status, tokens) = exchange(&mut client, &shop, &back["code"]).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        let id = verify(&mut client, tokens["id_token"].as_str().unwrap(), &shop.id).await;
        assert_eq!(id["acr"], "urn:gatehouse:loa:2");
        assert_eq!(id["amr"], serde_json::json!(["pwd", "otp", "mfa"]));

        // A passkey-only level this customer cannot reach (no passkey):
        // straight back, and the token says the level reached.
        let page = browser
            .get(&authorize_path(
                &shop.id,
                &[("acr_values", "urn:gatehouse:loa:3")],
            ))
            .await;
        let back = returned(page.location().unwrap());
        let (_, tokens) = exchange(&mut client, &shop, &back["code"]).await;
        let id = verify(&mut client, tokens["id_token"].as_str().unwrap(), &shop.id).await;
        assert_eq!(id["acr"], "urn:gatehouse:loa:2");

        // A customer without any factor is not sent round in circles.
        let mut plain = app
            .signed_up_and_verified("joe@example.com", STRONG_PASSWORD)
            .await;
        let page = plain.get(&authorize_path(&shop.id, &multi)).await;
        let back = returned(page.location().unwrap());
        let (_, tokens) = exchange(&mut client, &shop, &back["code"]).await;
        let id = verify(&mut client, tokens["id_token"].as_str().unwrap(), &shop.id).await;
        assert_eq!(id["acr"], "urn:gatehouse:loa:1");
    })
    .await;
}

#[tokio::test]
async fn the_authorization_endpoint_answers_as_the_specs_say() {
    on_each_backend(|app| async move {
        let shop = register(&app, true, &[]).await;
        let mut browser = app
            .signed_up_and_verified("ol@example.com", STRONG_PASSWORD)
            .await;
        let code_from = |location: &str| returned(location)["code"].clone();

        // POST is GET's equal: sent on as the GET (no CSRF token needed).
        let query = authorize_path(&shop.id, &[]);
        let form = query.split_once('?').unwrap().1.to_string();
        let req = browser
            .request(Method::POST, "/oauth2/authorize")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        let page = browser.send(req).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let get = page.location().unwrap().to_string();
        assert!(get.starts_with("/oauth2/authorize?"));
        let page = browser.get(&get).await;
        let (status, _) = exchange(
            &mut app.browser(),
            &shop,
            &code_from(page.location().unwrap()),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let req = browser
            .request(Method::POST, "/oauth2/authorize")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        assert_eq!(
            browser.send(req).await.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );

        // Request objects are refused, not ignored.
        for (param, error) in [
            ("request", "request_not_supported"),
            ("request_uri", "request_uri_not_supported"),
        ] {
            let page = browser
                .get(&authorize_path(
                    &shop.id,
                    &[(param, "eyJhbGciOiJub25lIn0.e30.")],
                ))
                .await;
            assert_eq!(returned(page.location().unwrap())["error"], error);
        }

        // Standard scopes Gatehouse does not offer are left out; a scope
        // it offers but the app may not use is refused.
        let page = browser
            .get(&authorize_path(
                &shop.id,
                &[("scope", "openid address email phone")],
            ))
            .await;
        let (_, tokens) = exchange(
            &mut app.browser(),
            &shop,
            &code_from(page.location().unwrap()),
        )
        .await;
        assert_eq!(tokens["scope"], "openid email");
        let narrow = register_with(
            &app,
            Registration {
                name: "Narrow".into(),
                first_party: true,
                redirect_uris: vec![CALLBACK.into()],
                scopes: Some(vec!["openid".into()]),
                ..Default::default()
            },
        )
        .await;
        let page = browser
            .get(&authorize_path(&narrow.id, &[("scope", "openid email")]))
            .await;
        assert_eq!(returned(page.location().unwrap())["error"], "invalid_scope");

        // id_token_hint naming someone else, with prompt=none: login_required.
        let mut pia = app
            .signed_up_and_verified("pia@example.com", STRONG_PASSWORD)
            .await;
        let pias = tokens_for(&app, &mut pia, &shop).await;
        let ols = tokens_for(&app, &mut browser, &shop).await;
        let hinted = |hint: &Value| {
            authorize_path(
                &shop.id,
                &[
                    ("prompt", "none"),
                    ("id_token_hint", hint.as_str().unwrap()),
                ],
            )
        };
        let page = browser.get(&hinted(&pias["id_token"])).await;
        assert_eq!(
            returned(page.location().unwrap())["error"],
            "login_required"
        );
        let page = browser.get(&hinted(&ols["id_token"])).await;
        assert!(returned(page.location().unwrap()).contains_key("code"));
        let page = browser
            .get(&authorize_path(
                &shop.id,
                &[("id_token_hint", "not-a-token")],
            ))
            .await;
        assert_eq!(
            returned(page.location().unwrap())["error"],
            "invalid_request"
        );

        // max_age=0 asks for the password every time, and the sign-in made
        // for the request answers it (no loop).
        app.state.clock.advance(5);
        for _ in 0..2 {
            browser
                .get(&authorize_path(&shop.id, &[("max_age", "0")]))
                .await
                .assert_redirect("/login");
            browser
                .sign_in("ol@example.com", STRONG_PASSWORD)
                .await
                .assert_redirect("/oauth2/authorize/resume");
            app.state.clock.advance(2);
            let page = browser.get("/oauth2/authorize/resume").await;
            assert!(
                returned(&continued_to(&page)).contains_key("code"),
                "{}",
                page.body
            );
        }

        // A native app's loopback redirect URI, on whatever port it got.
        let native = register_with(
            &app,
            Registration {
                name: "Desktop".into(),
                public: true,
                first_party: true,
                redirect_uris: vec!["http://127.0.0.1/callback".into()],
                ..Default::default()
            },
        )
        .await;
        let path = |uri: &str| authorize_path(&native.id, &[("redirect_uri", uri)]);
        let page = browser.get(&path("http://127.0.0.1:51234/callback")).await;
        let location = page.location().unwrap().to_string();
        assert!(
            location.starts_with("http://127.0.0.1:51234/callback?code="),
            "{location}"
        );
        for other in [
            "http://127.0.0.1:51234/other",
            "http://localhost:51234/callback",
            "https://127.0.0.1:51234/callback",
        ] {
            browser
                .get(&path(other))
                .await
                .assert_status(StatusCode::BAD_REQUEST);
        }
    })
    .await;
}
