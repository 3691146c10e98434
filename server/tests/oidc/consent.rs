//! Consent for third-party applications, and customers taking access back.

use super::*;

#[tokio::test]
async fn third_party_apps_ask_for_consent_once() {
    on_each_backend(|app| async move {
        let partner = register(&app, false, &[]).await;
        let mut browser = app
            .signed_up_and_verified("cy@example.com", STRONG_PASSWORD)
            .await;

        let page = browser
            .get(&authorize_path(&partner.id, &[("prompt", "none")]))
            .await;
        assert_eq!(
            returned(page.location().unwrap())["error"],
            "consent_required"
        );

        let page = browser.get(&authorize_path(&partner.id, &[])).await;
        page.assert_status(StatusCode::OK);
        page.assert_contains("Continue to Web Shop?");
        page.assert_contains("Your email address");
        let asked = answers(&page.body);
        let page = browser
            .post(
                "/oauth2/consent",
                &[("decision", "deny"), ("answers", &asked)],
            )
            .await;
        let location = page.headers["refresh"].to_str().unwrap()[6..].to_string();
        assert_eq!(returned(&location)["error"], "access_denied");

        let page = browser.get(&authorize_path(&partner.id, &[])).await;
        page.assert_status(StatusCode::OK);
        let asked = answers(&page.body);
        let page = browser
            .post(
                "/oauth2/consent",
                &[("decision", "allow"), ("answers", &asked)],
            )
            .await;
        let location = page.headers["refresh"].to_str().unwrap()[6..].to_string();
        assert!(returned(&location).contains_key("code"));
        // Remembered: no question the second time.
        let page = browser.get(&authorize_path(&partner.id, &[])).await;
        assert!(returned(page.location().unwrap()).contains_key("code"));
        // A forged answer without a pending request changes nothing, nor
        // does a second answer to one already answered.
        for fields in [
            vec![("decision", "allow")],
            vec![("decision", "allow"), ("answers", asked.as_str())],
        ] {
            browser
                .post("/oauth2/consent", &fields)
                .await
                .assert_status(StatusCode::BAD_REQUEST);
        }
    })
    .await;
}

#[tokio::test]
async fn customers_see_their_apps_and_take_access_back() {
    on_each_backend(|app| async move {
        let shop = register(&app, true, &[]).await;
        let partner = register(&app, false, &[]).await;
        let mut browser = app.signed_up_and_verified("ha@example.com", STRONG_PASSWORD).await;
        browser.get("/account/apps").await.assert_contains("No application holds access");

        let tokens = tokens_for(&app, &mut browser, &shop).await;
        let page = browser.get(&authorize_path(&partner.id, &[])).await;
        page.assert_status(StatusCode::OK);
        let asked = answers(&page.body);
        browser.post("/oauth2/consent", &[("decision", "allow"), ("answers", &asked)]).await.assert_status(StatusCode::OK);
        let page = browser.get("/account/apps").await;
        page.assert_status(StatusCode::OK);
        assert_eq!(page.body.matches("Remove access for").count(), 2, "{}", page.body);
        page.assert_contains("Your email address");

        // Another customer cannot take this customer's apps away.
        let mut stranger = app.signed_up_and_verified("ib@example.com", STRONG_PASSWORD).await;
        stranger.get("/account/apps").await;
        stranger
            .post("/account/apps/revoke", &[("client_id", &shop.id)])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let mut client = app.browser();
        assert_eq!(introspect(&mut client, &shop, tokens["access_token"].as_str().unwrap()).await["active"], true);

        browser.get("/account/apps").await;
        browser
            .post("/account/apps/revoke", &[("client_id", &shop.id)])
            .await
            .assert_redirect("/account/apps");
        let page = browser.get("/account/apps").await;
        page.assert_contains("no longer has access");
        assert_eq!(page.body.matches("Remove access for").count(), 1);
        let (status, _, _) = token_request(&mut client, &shop, &[("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"].as_str().unwrap())]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(introspect(&mut client, &shop, tokens["access_token"].as_str().unwrap()).await["active"], false);

        // The partner's consent is forgotten with its access: it asks again.
        browser.get("/account/apps").await;
        browser.post("/account/apps/revoke", &[("client_id", &partner.id)]).await.assert_redirect("/account/apps");
        browser.get(&authorize_path(&partner.id, &[])).await.assert_contains("Continue to Web Shop?");
        browser.get("/account/apps").await;
        browser.post("/account/apps/revoke", &[("client_id", "bad id!")]).await.assert_status(StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn a_consent_answers_only_the_request_its_page_showed() {
    on_each_backend(|app| async move {
        let shop = register(&app, false, &[]).await;
        let broker = register_with(
            &app,
            Registration {
                name: "Data Broker".into(),
                redirect_uris: vec![CALLBACK.into()],
                ..Default::default()
            },
        )
        .await;
        let mut browser = app
            .signed_up_and_verified("jo@example.com", STRONG_PASSWORD)
            .await;
        let jo = app.customer_id("jo@example.com").await;

        // Two tabs: the shop's request, then the broker's.
        let shop_page = browser.get(&authorize_path(&shop.id, &[])).await;
        shop_page.assert_contains("Continue to Web Shop?");
        let broker_page = browser.get(&authorize_path(&broker.id, &[])).await;
        broker_page.assert_contains("Continue to Data Broker?");
        let (for_shop, for_broker) = (answers(&shop_page.body), answers(&broker_page.body));
        assert_ne!(for_shop, for_broker);

        // "Allow" on the shop's page answers the shop, and only it.
        let page = browser
            .post(
                "/oauth2/consent",
                &[("decision", "allow"), ("answers", &for_shop)],
            )
            .await;
        page.assert_contains("Continuing to Web Shop");
        let code = returned(&continued_to(&page))["code"].clone();
        let (status, _) = exchange(&mut app.browser(), &broker, &code).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "the shop's code is not the broker's"
        );
        let consented = |client: String| {
            let state = app.state.clone();
            async move { state.store.consented_scope(jo, &client).await.unwrap() }
        };
        assert!(consented(shop.id.clone()).await.is_some());
        assert_eq!(consented(broker.id.clone()).await, None);

        // The broker's page still waits, and is answered on its own.
        let page = browser
            .post(
                "/oauth2/consent",
                &[("decision", "deny"), ("answers", &for_broker)],
            )
            .await;
        assert_eq!(returned(&continued_to(&page))["error"], "access_denied");
        assert_eq!(consented(broker.id.clone()).await, None);
        browser
            .post(
                "/oauth2/consent",
                &[("decision", "allow"), ("answers", &for_broker)],
            )
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        assert_eq!(consented(broker.id.clone()).await, None);

        // A device's confirmation answers the code its page showed.
        let tv = register_with(
            &app,
            Registration {
                name: "Living Room TV".into(),
                public: true,
                first_party: true,
                grant_types: Some(vec!["urn:ietf:params:oauth:grant-type:device_code".into()]),
                ..Default::default()
            },
        )
        .await;
        let mut device = app.browser();
        let mut started = Vec::new();
        for _ in 0..2 {
            let (status, json) = public_form(
                &mut device,
                "/oauth2/device_authorization",
                &[("client_id", &tv.id), ("scope", "openid")],
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{json}");
            started.push(json);
        }
        let user_code = |i: usize| started[i]["user_code"].as_str().unwrap().to_string();
        browser.get("/device").await;
        browser
            .post("/device", &[("user_code", &user_code(0))])
            .await
            .assert_redirect("/device/confirm");
        let first = answers(&browser.get("/device/confirm").await.body);
        browser.get("/device").await;
        browser
            .post("/device", &[("user_code", &user_code(1))])
            .await
            .assert_redirect("/device/confirm");
        browser
            .get("/device/confirm")
            .await
            .assert_contains(&user_code(1));
        browser
            .post(
                "/device/confirm",
                &[("decision", "allow"), ("answers", &first)],
            )
            .await
            .assert_status(StatusCode::CONFLICT);
        app.state.clock.advance(15);
        for json in &started {
            let (_, answer) = public_form(
                &mut device,
                "/oauth2/token",
                &[
                    ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                    ("device_code", json["device_code"].as_str().unwrap()),
                    ("client_id", &tv.id),
                ],
            )
            .await;
            assert_eq!(
                answer["error"], "authorization_pending",
                "nothing was approved"
            );
        }
    })
    .await;
}
