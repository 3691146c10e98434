//! An application hands its customer to another device, into the same
//! page of it: server to server with the customer's access token, the
//! application confirms on the first device, and the phone is sent to the
//! application's login initiation address (`iss`, `login_hint`,
//! `target_link_uri`), where the ordinary code flow finds it signed in.

use super::*;

const INITIATE: &str = "https://shop.example.com/login/start";
const CHAT: &str = "https://shop.example.com/chat/42";

async fn chat_shop(app: &TestApp, initiate: Option<&str>) -> App {
    register_with(
        app,
        Registration {
            name: "Web Shop".into(),
            first_party: true,
            redirect_uris: vec![CALLBACK.into()],
            initiate_login_uri: initiate.map(str::to_string),
            ..Default::default()
        },
    )
    .await
}

/// An application's call with the customer's access token.
async fn call(
    client: &mut Browser,
    method: Method,
    path: &str,
    access_token: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Value) {
    let req = client
        .request(method, path)
        .header(header::AUTHORIZATION, format!("Bearer {access_token}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(encode(fields)))
        .unwrap();
    let page = client.send(req).await;
    let json = serde_json::from_str(&page.body).unwrap_or(Value::Null);
    (page.status, json)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_hands_its_customer_to_a_phone_into_the_same_page() {
    on_each_backend(|app| async move {
        let shop = chat_shop(&app, Some(INITIATE)).await;
        let mut laptop = app
            .signed_up_and_verified("cy@example.com", STRONG_PASSWORD)
            .await;
        let tokens = tokens_for(&app, &mut laptop, &shop).await;
        let access = tokens["access_token"].as_str().unwrap();
        let mut server = app.browser();

        // Bad asks change nothing: no token, a page off the app's addresses.
        let (status, _) = call(&mut server, Method::POST, "/oauth2/handoff", "nope", &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let evil = [("target_link_uri", "https://evil.example.com/chat")];
        let (status, body) =
            call(&mut server, Method::POST, "/oauth2/handoff", access, &evil).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request"))
        );

        let chat = [("target_link_uri", CHAT)];
        let (status, offer) =
            call(&mut server, Method::POST, "/oauth2/handoff", access, &chat).await;
        assert_eq!(status, StatusCode::CREATED, "{offer}");
        assert!(offer["qr_svg"].as_str().unwrap().starts_with("<svg"));
        let code = offer["match_code"].as_str().unwrap().to_string();
        let ticket = offer["ticket"].as_str().unwrap().to_string();
        let link = offer["link"].as_str().unwrap();
        let token = link.split("token=").nth(1).unwrap().to_string();
        assert!(link.starts_with(&format!("{PUBLIC_URL}/handoff/open?token=")));
        let status_path = format!("/oauth2/handoff?ticket={ticket}");
        let (_, waiting) = call(&mut server, Method::GET, &status_path, access, &[]).await;
        assert_eq!(waiting["status"], "waiting");

        // The phone opens it, sees the same code, and asks to continue.
        let mut phone = app.device(SAFARI_IPHONE, "198.51.100.7:50000");
        let open = phone.get(&format!("/handoff/open?token={token}")).await;
        open.assert_status(StatusCode::OK).assert_contains(&code);
        phone
            .post("/handoff/open", &[("token", &token)])
            .await
            .assert_redirect("/handoff");
        let (_, opened) = call(&mut server, Method::GET, &status_path, access, &[]).await;
        assert_eq!(opened["status"], "opened");
        assert_eq!(opened["device"], "Safari on iPhone");
        assert_eq!(opened["match_code"], code.as_str());

        // The application confirms on the laptop; the phone goes to the
        // application's login initiation address.
        let answer = [("ticket", ticket.as_str()), ("answer", "confirm")];
        let (status, _) = call(
            &mut server,
            Method::POST,
            "/oauth2/handoff/answer",
            access,
            &answer,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = call(
            &mut server,
            Method::POST,
            "/oauth2/handoff/answer",
            access,
            &answer,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "answered once");
        let went = phone.get("/handoff").await;
        let to = url::Url::parse(went.location().expect("sent on")).unwrap();
        assert_eq!(
            format!("{}://{}{}", to.scheme(), to.host_str().unwrap(), to.path()),
            INITIATE
        );
        let asked: std::collections::HashMap<_, _> = to.query_pairs().into_owned().collect();
        assert_eq!(asked["iss"], PUBLIC_URL);
        assert_eq!(asked["target_link_uri"], CHAT);
        assert_eq!(asked["login_hint"], "cy@example.com");

        // The application's ordinary code flow finds the phone signed in.
        let page = phone
            .get(&authorize_path(
                &shop.id,
                &[("login_hint", "cy@example.com")],
            ))
            .await;
        let code = returned(page.location().unwrap())["code"].clone();
        let (status, on_phone) = exchange(&mut app.browser(), &shop, &code).await;
        assert_eq!(status, StatusCode::OK, "{on_phone}");
        let laptop_id = verify(
            &mut app.browser(),
            tokens["id_token"].as_str().unwrap(),
            &shop.id,
        )
        .await;
        let phone_id = verify(
            &mut app.browser(),
            on_phone["id_token"].as_str().unwrap(),
            &shop.id,
        )
        .await;
        assert_eq!(phone_id["sub"], laptop_id["sub"]);
        assert_ne!(phone_id["sid"], laptop_id["sid"], "a session of its own");
        let (_, done) = call(&mut server, Method::GET, &status_path, access, &[]).await;
        assert_eq!(
            (done["status"].as_str(), done["signed_in"].as_bool()),
            (Some("confirmed"), Some(true))
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handoffs_need_a_registered_address_a_live_session_and_a_yes() {
    on_each_backend(|app| async move {
        let mut laptop = app
            .signed_up_and_verified("di@example.com", STRONG_PASSWORD)
            .await;
        let chat = [("target_link_uri", CHAT)];
        let mut server = app.browser();
        // No login initiation address: the application cannot ask.
        let plain = chat_shop(&app, None).await;
        let tokens = tokens_for(&app, &mut laptop, &plain).await;
        let access = tokens["access_token"].as_str().unwrap();
        let (status, body) =
            call(&mut server, Method::POST, "/oauth2/handoff", access, &chat).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("unauthorized_client"))
        );

        // Refused: the phone is told, and signed in nowhere.
        let shop = chat_shop(&app, Some(INITIATE)).await;
        let tokens = tokens_for(&app, &mut laptop, &shop).await;
        let access = tokens["access_token"].as_str().unwrap().to_string();
        let (_, offer) = call(&mut server, Method::POST, "/oauth2/handoff", &access, &chat).await;
        let token = offer["link"]
            .as_str()
            .unwrap()
            .split("token=")
            .nth(1)
            .unwrap()
            .to_string();
        let ticket = offer["ticket"].as_str().unwrap().to_string();
        let mut phone = app.device(SAFARI_IPHONE, "198.51.100.8:50000");
        phone.get(&format!("/handoff/open?token={token}")).await;
        phone.post("/handoff/open", &[("token", &token)]).await;
        let refuse = [("ticket", ticket.as_str()), ("answer", "refuse")];
        let (status, _) = call(
            &mut server,
            Method::POST,
            "/oauth2/handoff/answer",
            &access,
            &refuse,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        phone
            .get("/handoff")
            .await
            .assert_contains("The other device refused");
        phone.get("/account").await.assert_redirect("/login");

        // The laptop signs out: the token speaks for no session any more.
        laptop.get("/account").await;
        laptop.post("/logout", &[]).await;
        let (status, _) = call(&mut server, Method::POST, "/oauth2/handoff", &access, &chat).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    })
    .await;
}
