//! Second factors through the real router, on every backend: an
//! authenticator app (codes accepted once, only in their window), recovery
//! codes, each policy mode and a tier move, remembered browsers, the
//! step-up window, throttling that survives a new sign-in, an admin's
//! reset of a customer's factors, and admins' own factors.

#[path = "../support/mod.rs"]
mod support;

mod admins;
mod apps;
mod passkeys;
mod policy;
mod step_up;

use axum::http::StatusCode;
use gatehouse::domain::{Action, Role};
use support::*;

const REGULAR: &str = "00000000-0000-7000-8000-000000000001";

async fn events(app: &TestApp, action: Action) -> usize {
    app.audit_trail(action).await.len()
}

/// The `amr` the last sign-in recorded.
async fn last_sign_in_amr(app: &TestApp) -> String {
    let events = app.audit_trail(Action::CustomerSignedIn).await;
    let details: serde_json::Value = serde_json::from_str(&events[0].details).unwrap();
    details["amr"].as_str().unwrap().to_string()
}

/// Signs in with the password and, when asked, the app's next code.
async fn sign_in_with_code(app: &TestApp, email: &str, secret: &[u8]) -> Browser {
    let mut browser = app.browser();
    browser
        .sign_in(email, STRONG_PASSWORD)
        .await
        .assert_redirect("/login/verify");
    browser.get("/login/verify").await;
    // A fresh step: codes of earlier steps are spent.
    app.state.clock.advance(30);
    let code = totp_code(secret, app.state.clock.now());
    browser
        .post("/login/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
    browser
}

/// A registration answer that parses but was made by no authenticator.
const FORGED_REGISTRATION: &str = r#"{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"attestationObject":"o2NmbXRkbm9uZQ","clientDataJSON":"e30"},"extensions":{}}"#;

fn forged_assertion(user: uuid::Uuid) -> String {
    use base64::Engine;
    let handle = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(user.as_bytes());
    format!(
        r#"{{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{{"authenticatorData":"AAAA","clientDataJSON":"e30","signature":"AAAA","userHandle":"{handle}"}},"extensions":{{}}}}"#
    )
}

/// A ceremony step refused as bad input, saying `words`.
fn refused((status, json): (StatusCode, serde_json::Value), words: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    let error = json["error"].as_str().unwrap_or_default();
    assert!(error.contains(words), "{error}");
}

/// Posts a ceremony step and reads its JSON, taking up the session's new
/// CSRF token when it gives one.
async fn ceremony(
    browser: &mut Browser,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, serde_json::Value) {
    let page = browser.post(path, fields).await;
    let json: serde_json::Value = serde_json::from_str(&page.body)
        .unwrap_or_else(|_| panic!("{path}: not JSON: {}", page.body));
    if let Some(token) = json["csrf"].as_str() {
        browser.csrf = Some(token.to_string());
    }
    (page.status, json)
}

/// Signs the console browser out, then in again with the password only:
/// the answer says which second step comes.
async fn console_password_again(browser: &mut Browser, email: &str) -> Page {
    browser.get("/admin/customers").await;
    browser
        .post("/admin/logout", &[])
        .await
        .assert_redirect("/admin/login");
    browser.get("/admin/login").await;
    browser
        .post(
            "/admin/login",
            &[("email", email), ("password", ADMIN_PASSWORD)],
        )
        .await
}

async fn admin_id(app: &TestApp, email: &str) -> gatehouse::domain::AdminId {
    let email = gatehouse::domain::Email::parse(email).unwrap();
    let (admin, _) = app
        .state
        .store
        .admin_by_email(&email)
        .await
        .unwrap()
        .unwrap();
    admin.id
}
