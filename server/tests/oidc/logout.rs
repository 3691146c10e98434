//! RP-initiated logout.

use super::*;

#[tokio::test]
async fn applications_sign_customers_out_through_rp_initiated_logout() {
    on_each_backend(|app| async move {
        let registered = clients::register(
            &app.state,
            &RequestContext::system(),
            Registration {
                name: "Web Shop".into(),
                first_party: true,
                redirect_uris: vec![CALLBACK.into()],
                post_logout_redirect_uris: vec!["https://shop.example.com/bye".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let shop = App {
            id: registered.client.id,
            secret: registered.secret,
        };
        let mut browser = app
            .signed_up_and_verified("jo@example.com", STRONG_PASSWORD)
            .await;
        let tokens = tokens_for(&app, &mut browser, &shop).await;
        let hint = tokens["id_token"].as_str().unwrap().to_string();

        // An unregistered address, or a forged hint: refused on our page, still signed in.
        let bad = format!(
            "/oauth2/logout?{}",
            encode(&[
                ("id_token_hint", &hint),
                ("post_logout_redirect_uri", "https://evil.example.com/")
            ])
        );
        browser
            .get(&bad)
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        let forged = format!("{}x", &hint[..hint.len() - 1]);
        let bad = format!("/oauth2/logout?{}", encode(&[("id_token_hint", &forged)]));
        browser
            .get(&bad)
            .await
            .assert_status(StatusCode::BAD_REQUEST);
        browser.get("/account").await.assert_status(StatusCode::OK);

        // Without a hint, the customer is asked first.
        let ask = format!(
            "/oauth2/logout?{}",
            encode(&[
                ("client_id", &shop.id),
                ("post_logout_redirect_uri", "https://shop.example.com/bye"),
                ("state", "s1")
            ])
        );
        browser
            .get(&ask)
            .await
            .assert_contains("asks to sign you out");
        browser.get("/account").await.assert_status(StatusCode::OK);

        // With the hint (expired ones too), at once, and back to the app.
        app.state.clock.advance(7200);
        let go = format!(
            "/oauth2/logout?{}",
            encode(&[
                ("id_token_hint", &hint),
                ("post_logout_redirect_uri", "https://shop.example.com/bye"),
                ("state", "s2")
            ])
        );
        let page = browser.get(&go).await;
        page.assert_redirect("https://shop.example.com/bye?state=s2");
        browser.get("/account").await.assert_redirect("/login");

        // Asked and confirmed: signed out, then back through a short page.
        let mut browser = app.browser();
        browser
            .sign_in("jo@example.com", STRONG_PASSWORD)
            .await
            .assert_redirect("/account");
        browser.get(&ask).await.assert_status(StatusCode::OK);
        let page = browser
            .post(
                "/oauth2/logout",
                &[
                    ("client_id", &shop.id),
                    ("post_logout_redirect_uri", "https://shop.example.com/bye"),
                    ("state", "s1"),
                ],
            )
            .await;
        page.assert_status(StatusCode::OK);
        assert_eq!(
            page.headers["refresh"],
            "0;url=https://shop.example.com/bye?state=s1"
        );
        browser.get("/account").await.assert_redirect("/login");
    })
    .await;
}
