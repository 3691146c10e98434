//! The customer-facing pages, one file per page family. Each parses the form, calls one
//! capability function, and renders a page or redirects (POST-redirect-GET).
//! A form that fails validation is rendered again with the input and errors.

use super::extract::Visitor;
use crate::domain::Result;
use crate::state::AppState;
use app::hosted::{Link, MessageView, message_page};
use app::paths;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

mod account;
mod devices;
mod handoff;
mod language;
mod mfa;
mod passkeys;
mod profile;
mod recovery;
mod security;
mod signin;
mod signup;
mod unblock;
mod verification;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::HOME, get(home))
        .route(paths::TERMS, get(terms))
        .merge(signup::router())
        .merge(verification::router())
        .merge(signin::router())
        .merge(recovery::router())
        .merge(account::router())
        .merge(devices::router())
        .merge(handoff::router())
        .merge(language::router())
        .merge(mfa::router())
        .merge(security::router())
        .merge(passkeys::router())
        .merge(profile::router())
        .merge(unblock::router())
}

/// A single-use link's token, in a query or a confirmation form.
#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// A form that asks only for an email address.
#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

fn page(status: StatusCode, html: String) -> Response {
    (status, Html(html)).into_response()
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

fn link(href: &str, label: &str) -> Link {
    Link {
        href: href.into(),
        label: label.into(),
    }
}

async fn message(
    visitor: &Visitor,
    title: &str,
    tone: &'static str,
    text: &str,
    links: Vec<Link>,
) -> Result<Response> {
    let view = MessageView {
        title: title.into(),
        tone,
        message: text.into(),
        links,
    };
    Ok(page(
        StatusCode::OK,
        message_page(&visitor.chrome().await?, &view),
    ))
}

async fn home(visitor: Visitor) -> Response {
    see_other(if visitor.signed_in.is_some() {
        paths::ACCOUNT
    } else {
        paths::SIGN_IN
    })
}

async fn terms(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    let text = format!(
        "These are the terms of service, version {}. The organisation running Gatehouse publishes its own terms here.",
        state.config.terms_version
    );
    message(
        &visitor,
        "Terms of service",
        "info",
        &text,
        vec![link(paths::SIGN_UP, "Back to sign-up")],
    )
    .await
}
