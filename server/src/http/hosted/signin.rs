//! Signing in and out.

use super::{page, see_other};
use crate::domain::Result;
use crate::http::error::retry_after_header;
use crate::http::extract::{FormData, Visitor};
use crate::http::messages;
use crate::identity::sessions;
use crate::identity::signin::{self, Credentials, Next, Realm};
use crate::password::Password;
use crate::state::AppState;
use app::hosted::*;
use app::paths;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use tower_sessions::Session;

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
}

async fn sign_in_form(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    // Signed in already: on to the account, unless an application asks
    // for a fresh sign-in (prompt=login, max_age).
    let pending = sessions::pending_authorization(&visitor.session).await?;
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
    let credentials = Credentials {
        email: form.email.clone(),
        password: Password::new(form.password),
        remembered: crate::http::extract::remembered(&headers),
    };
    let attempt = signin::sign_in(
        &state,
        &visitor.session,
        &visitor.ctx,
        Realm::Customers,
        credentials,
    )
    .await;
    let refusal = match messages::sign_in_answer(Realm::Customers, attempt)? {
        Ok(next) => return go_on(&visitor.session, &next).await,
        Err(refusal) => refusal,
    };
    let messages::Refusal {
        status,
        message,
        retry_after,
    } = refusal;
    let view = SignInView {
        passkeys: crate::mfa::passkeys::available(&state),
        email: form.email,
        error: Some(message),
        notice: None,
    };
    let mut response = page(status, sign_in_page(&visitor.chrome().await?, &view));
    if let Some(seconds) = retry_after {
        retry_after_header(&mut response, seconds);
    }
    Ok(response)
}

/// Where a customer who is signed in goes next: first the details the
/// organisation now requires of them, then back to the application that
/// sent them here, or else their account.
pub(super) async fn go_on(session: &Session, next: &Next) -> Result<Response> {
    Ok(see_other(match next {
        Next::SecondFactor => paths::SIGN_IN_VERIFY,
        Next::Enrol => paths::SIGN_IN_ENROL,
        Next::CompleteProfile => paths::COMPLETE_PROFILE,
        _ if sessions::pending_authorization(session).await?.is_some() => paths::AUTHORIZE_RESUME,
        _ if sessions::pending_device_code(session).await?.is_some() => paths::DEVICE_CONFIRM,
        _ => paths::ACCOUNT,
    }))
}

async fn sign_out(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    sessions::end(&state, &visitor.session).await?;
    visitor.flash("You are signed out.").await?;
    Ok(see_other(paths::SIGN_IN))
}
