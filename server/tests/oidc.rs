//! Single sign-on through the real router, on each backend: discovery and
//! JWKS, the authorization code flow with PKCE (signed in already, and
//! signing in on the way), consent, refresh rotation and replay, client
//! credentials, userinfo, key rotation, and the protocol's errors. ID and
//! access tokens are checked with jsonwebtoken against the published JWKS,
//! not with Gatehouse's own code.

mod support;

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use gatehouse::domain::RequestContext;
use gatehouse::oidc::clients::{self, Registration};
use serde_json::Value;
use sha2::{Digest, Sha256};
use support::*;

const CALLBACK: &str = "https://shop.example.com/callback";
const VERIFIER: &str = "a-code-verifier-of-forty-three-characters-or-more-0123";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

struct App {
    id: String,
    secret: Option<String>,
}

async fn register(app: &TestApp, first_party: bool, grants: &[&str]) -> App {
    let registered = clients::register(
        &app.state,
        &RequestContext::system(),
        Registration {
            name: "Web Shop".into(),
            first_party,
            redirect_uris: vec![CALLBACK.into()],
            grant_types: (!grants.is_empty())
                .then(|| grants.iter().map(|g| g.to_string()).collect()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    App {
        id: registered.client.id,
        secret: registered.secret,
    }
}

fn authorize_path(client: &str, extra: &[(&str, &str)]) -> String {
    let challenge = challenge(VERIFIER);
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", CALLBACK),
        ("scope", "openid email profile"),
        ("state", "st-123"),
        ("nonce", "n-456"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    for (k, v) in extra {
        pairs.retain(|(key, _)| key != k);
        pairs.push((k, v));
    }
    format!("/oauth2/authorize?{}", encode(&pairs))
}

/// What a consent or device confirmation page answers (its `answers`
/// field: the pending request's id, or the device's code).
fn answers(html: &str) -> String {
    let at = html
        .find(r#"name="answers" value=""#)
        .expect("the page says what it answers")
        + r#"name="answers" value=""#.len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// The query parameters of a redirect to the application.
fn returned(location: &str) -> std::collections::HashMap<String, String> {
    assert!(
        location.starts_with(CALLBACK),
        "not sent back to the app: {location}"
    );
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

async fn token_request(
    browser: &mut Browser,
    app: &App,
    fields: &[(&str, &str)],
) -> (StatusCode, Value, Page) {
    let mut req = browser
        .request(Method::POST, "/oauth2/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(secret) = &app.secret {
        let basic = STANDARD.encode(format!("{}:{}", app.id, secret));
        req = req.header(header::AUTHORIZATION, format!("Basic {basic}"));
    }
    let page = browser
        .send(req.body(Body::from(encode(fields))).unwrap())
        .await;
    let json: Value = serde_json::from_str(&page.body).unwrap_or(Value::Null);
    (page.status, json, page)
}

async fn exchange(browser: &mut Browser, app: &App, code: &str) -> (StatusCode, Value) {
    let (status, json, page) = token_request(
        browser,
        app,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    if status == StatusCode::OK {
        assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    }
    (status, json)
}

/// Verifies a JWT with jsonwebtoken against the JWKS the server publishes.
async fn verify(browser: &mut Browser, token: &str, audience: &str) -> Value {
    let jwks: jsonwebtoken::jwk::JwkSet =
        serde_json::from_str(&browser.get("/oauth2/jwks").await.body).unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("kid published");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    validation.set_issuer(&[PUBLIC_URL]);
    validation.set_audience(&[audience]);
    // The test clock starts at the real time, so exp checks hold.
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .unwrap()
        .claims
}

async fn userinfo(browser: &mut Browser, access_token: &str) -> Page {
    let req = browser
        .request(Method::GET, "/oauth2/userinfo")
        .header(header::AUTHORIZATION, format!("Bearer {access_token}"))
        .body(Body::empty())
        .unwrap();
    browser.send(req).await
}

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

async fn introspect(client: &mut Browser, app: &App, token: &str) -> Value {
    let mut req = client
        .request(Method::POST, "/oauth2/introspect")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    let basic = STANDARD.encode(format!("{}:{}", app.id, app.secret.as_deref().unwrap()));
    req = req.header(header::AUTHORIZATION, format!("Basic {basic}"));
    let page = client
        .send(req.body(Body::from(encode(&[("token", token)]))).unwrap())
        .await;
    page.assert_status(StatusCode::OK);
    serde_json::from_str(&page.body).unwrap()
}

async fn revoke(client: &mut Browser, app: &App, token: &str) -> StatusCode {
    let basic = STANDARD.encode(format!("{}:{}", app.id, app.secret.as_deref().unwrap()));
    let req = client
        .request(Method::POST, "/oauth2/revoke")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .body(Body::from(encode(&[("token", token)])))
        .unwrap();
    client.send(req).await.status
}

/// A customer's tokens from a fresh code flow.
async fn tokens_for(app: &TestApp, browser: &mut Browser, shop: &App) -> Value {
    let page = browser.get(&authorize_path(&shop.id, &[])).await;
    let code = returned(page.location().unwrap())["code"].clone();
    let (status, tokens) = exchange(&mut app.browser(), shop, &code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
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

async fn public_form(
    client: &mut Browser,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Value) {
    let req = client
        .request(Method::POST, path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(encode(fields)))
        .unwrap();
    let page = client.send(req).await;
    (
        page.status,
        serde_json::from_str(&page.body).unwrap_or(Value::Null),
    )
}

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
        let page = guesser
            .post(
                "/device",
                &[("user_code", started["user_code"].as_str().unwrap())],
            )
            .await;
        page.assert_status(StatusCode::TOO_MANY_REQUESTS);
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

/// The client secret the console shows once.
fn shown_secret(page: &Page) -> String {
    let at = page
        .body
        .find("data-testid=\"client-secret\"")
        .unwrap_or_else(|| panic!("no secret shown: {}", page.body));
    let rest = &page.body[at..];
    let start = rest.find('>').unwrap() + 1;
    rest[start..].split('<').next().unwrap().to_string()
}

async fn client_credentials(client: &mut Browser, app: &App) -> (StatusCode, Value) {
    let (status, json, _) =
        token_request(client, app, &[("grant_type", "client_credentials")]).await;
    (status, json)
}

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

// A P-256 key made for these tests only: the application's private key.
const APP_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgWU39fRgj/my3b2go
jBG75DI7tSX9mCCoyfKaMY/dzWShRANCAASwvy47Pb1fVIJSwl8JuHsnydqczVU3
d5oJQBfvNTNnWW90mPWfGlJY7w4dgVXkPoZHbyPOwVM0mUiSbzvzYJ5g
-----END PRIVATE KEY-----";

fn app_key_der() -> Vec<u8> {
    let body: String = APP_KEY
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    STANDARD.decode(body).unwrap()
}

/// The public half of `APP_KEY`, as the application registers it.
fn app_jwks() -> String {
    let key = jsonwebtoken::EncodingKey::from_ec_der(&app_key_der());
    let mut jwk =
        jsonwebtoken::jwk::Jwk::from_encoding_key(&key, jsonwebtoken::Algorithm::ES256).unwrap();
    jwk.common.key_id = Some("app-1".into());
    serde_json::to_string(&jsonwebtoken::jwk::JwkSet { keys: vec![jwk] }).unwrap()
}

/// A client assertion (RFC 7523) signed with `APP_KEY`.
fn assertion(claims: Value) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("app-1".into());
    let key = jsonwebtoken::EncodingKey::from_ec_der(&app_key_der());
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

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

async fn register_with(app: &TestApp, registration: Registration) -> App {
    let registered = clients::register(&app.state, &RequestContext::system(), registration)
        .await
        .unwrap();
    App {
        id: registered.client.id,
        secret: registered.secret,
    }
}

/// Where a continue page (the short page after a form) sends the browser.
fn continued_to(page: &Page) -> String {
    page.headers["refresh"].to_str().unwrap()[6..].to_string()
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
