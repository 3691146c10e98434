//! The device authorization grant (RFC 8628): a TV signs in, and guessing codes is held back.

use super::*;

#[tokio::test]
async fn a_tv_signs_in_with_the_device_grant() {
    on_each_backend(|app| async move {
        let registered = clients::register(
            &app.state,
            &RequestContext::system(),
            Registration {
                name: "Living Room TV".into(),
                public: true,
                first_party: true,
                grant_types: Some(vec![
                    "urn:ietf:params:oauth:grant-type:device_code".into(),
                    "refresh_token".into(),
                ]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let tv_id = registered.client.id;
        let mut tv = app.browser();
        let start = |tv: &mut Browser| {
            let id = tv_id.clone();
            let mut tv = tv.clone();
            async move {
                public_form(
                    &mut tv,
                    "/oauth2/device_authorization",
                    &[("client_id", &id), ("scope", "openid email")],
                )
                .await
            }
        };
        let poll = |tv: &mut Browser, code: String| {
            let id = tv_id.clone();
            let mut tv = tv.clone();
            async move {
                public_form(
                    &mut tv,
                    "/oauth2/token",
                    &[
                        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                        ("device_code", &code),
                        ("client_id", &id),
                    ],
                )
                .await
            }
        };
        let (status, started) = start(&mut tv).await;
        assert_eq!(status, StatusCode::OK, "{started}");
        assert_eq!(started["verification_uri"], format!("{PUBLIC_URL}/device"));
        assert_eq!(started["interval"], 5);
        let device_code = started["device_code"].as_str().unwrap().to_string();
        let user_code = started["user_code"].as_str().unwrap().to_string();
        assert_eq!(user_code.len(), 9);

        let (status, answer) = poll(&mut tv, device_code.clone()).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("authorization_pending"))
        );
        let (_, answer) = poll(&mut tv, device_code.clone()).await;
        assert_eq!(answer["error"], "slow_down");

        // On the phone: a wrong code is refused; the right one, typed loosely, is asked about.
        let mut phone = app
            .signed_up_and_verified("ki@example.com", STRONG_PASSWORD)
            .await;
        phone.get("/device").await.assert_status(StatusCode::OK);
        phone
            .post("/device", &[("user_code", "BCDF-GHJK")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("not valid or has expired");
        let complete =
            started["verification_uri_complete"].as_str().unwrap()[PUBLIC_URL.len()..].to_string();
        phone.get(&complete).await.assert_contains(&user_code);
        let typed = user_code.replace('-', " ").to_lowercase();
        phone
            .post("/device", &[("user_code", &typed)])
            .await
            .assert_redirect("/device/confirm");
        let page = phone.get("/device/confirm").await;
        page.assert_contains("Living Room TV")
            .assert_contains(&user_code);
        let asked = answers(&page.body);
        phone
            .post(
                "/device/confirm",
                &[("decision", "allow"), ("answers", &asked)],
            )
            .await
            .assert_contains("Device connected");

        app.state.clock.advance(15);
        let (status, tokens) = poll(&mut tv, device_code.clone()).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        let claims = verify(&mut tv, tokens["id_token"].as_str().unwrap(), &tv_id).await;
        assert_eq!(claims["email"], "ki@example.com");
        assert!(tokens["refresh_token"].is_string());
        let (_, again) = poll(&mut tv, device_code.clone()).await;
        assert_eq!(again["error"], "invalid_grant", "a device code works once");

        // Signing in on the way, then denying.
        let (_, started) = start(&mut tv).await;
        let code = started["device_code"].as_str().unwrap().to_string();
        let mut other = app.browser();
        other.get("/device").await;
        other
            .post(
                "/device",
                &[("user_code", started["user_code"].as_str().unwrap())],
            )
            .await
            .assert_redirect("/login");
        assert!(
            other.cookie.is_some(),
            "no session cookie after the code was typed"
        );
        other
            .sign_in("ki@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/device/confirm");
        let page = other.get("/device/confirm").await;
        page.assert_status(StatusCode::OK);
        let asked = answers(&page.body);
        other
            .post(
                "/device/confirm",
                &[("decision", "deny"), ("answers", &asked)],
            )
            .await
            .assert_contains("not given access");
        app.state.clock.advance(15);
        let (_, answer) = poll(&mut tv, code).await;
        assert_eq!(answer["error"], "access_denied");

        // Unanswered codes expire.
        let (_, started) = start(&mut tv).await;
        app.state.clock.advance(601);
        let (_, answer) = poll(
            &mut tv,
            started["device_code"].as_str().unwrap().to_string(),
        )
        .await;
        assert_eq!(answer["error"], "expired_token");
        let page = phone
            .post(
                "/device",
                &[("user_code", started["user_code"].as_str().unwrap())],
            )
            .await;
        page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn guessing_device_codes_from_one_address_is_held_back() {
    on_each_backend(|app| async move {
        let registered = clients::register(
            &app.state,
            &RequestContext::system(),
            Registration {
                name: "Car".into(),
                public: true,
                grant_types: Some(vec!["urn:ietf:params:oauth:grant-type:device_code".into()]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let mut car = app.browser();
        let (_, started) = public_form(
            &mut car,
            "/oauth2/device_authorization",
            &[("client_id", &registered.client.id)],
        )
        .await;
        let mut guesser = app
            .signed_up_and_verified("lu@example.com", STRONG_PASSWORD)
            .await;
        guesser.get("/device").await;
        let mut held_back_after = None;
        for n in 1..=60 {
            let page = guesser.post("/device", &[("user_code", "BCDF-GHJK")]).await;
            if page.status == StatusCode::TOO_MANY_REQUESTS {
                assert!(page.headers.contains_key(header::RETRY_AFTER));
                held_back_after = Some(n);
                break;
            }
            page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
            guesser.get("/device").await;
        }
        let n = held_back_after.expect("60 wrong codes from one address were all evaluated");
        assert!(n <= 21, "held back only after {n} guesses");
        // Held back means held back: the right code is not evaluated either.
        // (Asked within the hold: the first hold lasts a second, which a
        // busy machine can spend between two requests, so the clock is set
        // back to the moment of the refusal and a little before.)
        app.state.clock.advance(-5);
        let page = guesser
            .post(
                "/device",
                &[("user_code", started["user_code"].as_str().unwrap())],
            )
            .await;
        page.assert_status(StatusCode::TOO_MANY_REQUESTS);
        app.state.clock.advance(5);
        // Another address is not affected.
        let mut phone = app.browser();
        phone.peer = "203.0.113.9:5000".parse().unwrap();
        phone.sign_in("lu@example.com", STRONG_PASSWORD).await;
        phone.get("/device").await;
        phone
            .post(
                "/device",
                &[("user_code", started["user_code"].as_str().unwrap())],
            )
            .await
            .assert_redirect("/device/confirm");
    })
    .await;
}
