//! The admin console: admin setup and sign-in apart from customers, and
//! customer search with keyset pages, on every backend.

#[path = "../support/mod.rs"]
mod support;

mod admin_sessions;
mod admins;
mod audit_trail;
mod customers;
mod search;

use axum::http::{StatusCode, header};
use gatehouse::domain::Role;
use std::collections::HashSet;
use support::*;

/// Opens a setup link; returns the browser and the form that sets up an
/// owner with it.
async fn open_setup(app: &TestApp, link: &str) -> (Browser, String) {
    let mut browser = app.browser();
    browser
        .get(&link[PUBLIC_URL.len()..])
        .await
        .assert_status(StatusCode::OK);
    (browser, link.split("token=").nth(1).unwrap().to_string())
}

async fn set_up_owner(browser: &mut Browser, token: &str, email: &str) -> Page {
    browser
        .post(
            "/admin/setup",
            &[
                ("token", token),
                ("email", email),
                ("display_name", "Someone"),
                ("password", ADMIN_PASSWORD),
            ],
        )
        .await
}

fn extract_next(html: &str) -> Option<String> {
    let at = html.find(r#"rel="next""#)?;
    let before = &html[..at];
    let href_at = before.rfind("href=\"")? + 6;
    let href = &html[href_at..href_at + html[href_at..].find('"')?];
    Some(href.replace("&amp;", "&"))
}

/// Accepts a mailed admin invitation in a fresh browser and returns it, signed in.
async fn accept_mailed_invite(app: &TestApp, email: &str) -> Browser {
    let mail = app.mail.wait_for(email).await;
    assert!(mail.body.contains("invited you to the Gatehouse console"));
    let link = link_to(&mail.body, "/admin/setup?token=");
    let token = link.split("token=").nth(1).unwrap().to_string();
    let mut browser = app.browser();
    browser.get(&link).await.assert_status(StatusCode::OK);
    browser
        .post(
            "/admin/setup",
            &[
                ("token", &token),
                ("display_name", "Invited Admin"),
                ("password", ADMIN_PASSWORD),
            ],
        )
        .await
        .assert_redirect("/admin/login/enrol");
    app.admin_enrols(&mut browser).await;
    browser
}

async fn admin_id(app: &TestApp, email: &str) -> gatehouse::domain::AdminId {
    let email = gatehouse::domain::Email::parse(email).unwrap();
    app.state
        .store
        .admin_by_email(&email)
        .await
        .unwrap()
        .unwrap()
        .0
        .id
}
