//! Signing in and out.

use super::{page, see_other};
use crate::domain::Result;
use crate::http::browser::{self, PendingAuthorization};
use crate::http::error::retry_after_header;
use crate::http::extract::{FormData, Visitor};
use crate::http::journey::{self, Outcome};
use crate::identity::signin::{Credentials, Input, Realm};
use crate::password::Password;
use crate::state::AppState;
use app::hosted::*;
use app::paths;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::SIGN_IN, get(sign_in_form).post(sign_in))
        .route(paths::SIGN_OUT, post(sign_out))
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    /// The application's request this sign-in is for (its id), if any.
    #[serde(default)]
    request: String,
}

#[derive(Deserialize)]
struct SignInQuery {
    #[serde(default)]
    request: String,
}

/// The application's request waiting in this browser that a sign-in page
/// serves: the one it names, else the latest.
async fn serving(visitor: &Visitor, asked: &str) -> Result<Option<PendingAuthorization>> {
    if let Some(pending) = browser::authorization(&visitor.session, asked).await? {
        return Ok(Some(pending));
    }
    browser::pending_authorization(&visitor.session).await
}

async fn sign_in_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<SignInQuery>,
) -> Result<Response> {
    // Signed in already: on to the account, unless an application asks
    // for a fresh sign-in (prompt=login, max_age).
    let pending = serving(&visitor, &query.request).await?;
    if visitor.signed_in.is_some() && pending.is_none() {
        return Ok(see_other(paths::ACCOUNT));
    }
    let view = SignInView {
        passkeys: crate::mfa::passkeys::available(&state),
        notice: visitor.take_flash().await?,
        // The application's `login_hint`, when it is an email address.
        email: pending
            .as_ref()
            .and_then(|p| p.login_hint())
            .unwrap_or_default(),
        request: pending.map(|p| p.id).unwrap_or_default(),
        ..Default::default()
    };
    Ok(page(
        StatusCode::OK,
        sign_in_page(&visitor.chrome().await?, &view),
    ))
}

async fn sign_in(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    FormData(form): FormData<SignInForm>,
) -> Result<Response> {
    let input = Input::Password(Credentials {
        email: form.email.clone(),
        password: Password::new(form.password),
        remembered: crate::http::extract::remembered(&headers),
    });
    let asked = Some(form.request.as_str()).filter(|r| !r.is_empty());
    let refusal = match advance(&state, &visitor, asked, input).await? {
        Outcome::Go { to, .. } => return Ok(see_other(&to)),
        Outcome::Show(refusal) => refusal,
    };
    let view = SignInView {
        passkeys: crate::mfa::passkeys::available(&state),
        email: form.email,
        error: Some(refusal.message),
        notice: None,
        request: form.request,
    };
    let mut response = page(
        refusal.status,
        sign_in_page(&visitor.chrome().await?, &view),
    );
    if let Some(seconds) = refusal.retry_after {
        retry_after_header(&mut response, seconds);
    }
    Ok(response)
}

/// Advances this browser's sign-in with `input` (a new one begun for the
/// application's request `asked`, if one was).
pub(super) async fn advance(
    state: &AppState,
    visitor: &Visitor,
    asked: Option<&str>,
    input: Input<'_>,
) -> Result<Outcome> {
    let (session, ctx) = (&visitor.session, &visitor.ctx);
    journey::advance(
        state,
        session,
        ctx,
        visitor.lang,
        Realm::Customers,
        asked,
        input,
    )
    .await
}

async fn sign_out(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    browser::end(&state, &visitor.session).await?;
    visitor.flash("You are signed out.").await?;
    Ok(see_other(paths::SIGN_IN))
}
