//! Single sign-on through the real router, on each backend: discovery and
//! JWKS, the authorization code flow with PKCE (signed in already, and
//! signing in on the way), consent, refresh rotation and replay, client
//! credentials, userinfo, key rotation, and the protocol's errors. ID and
//! access tokens are checked with jsonwebtoken against the published JWKS,
//! not with Gatehouse's own code.

#[path = "../support/mod.rs"]
mod support;

mod authorization;
mod backchannel;
mod client_auth;
mod consent;
mod console_apps;
mod device;
mod handoff;
mod logout;
mod tokens;

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
    tokens_for_scope(app, browser, shop, "openid email profile").await
}

/// A customer's tokens from a fresh code flow asking for `scope`.
async fn tokens_for_scope(app: &TestApp, browser: &mut Browser, shop: &App, scope: &str) -> Value {
    let page = browser
        .get(&authorize_path(&shop.id, &[("scope", scope)]))
        .await;
    let code = returned(page.location().unwrap())["code"].clone();
    let (status, tokens) = exchange(&mut app.browser(), shop, &code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
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
