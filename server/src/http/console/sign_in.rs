//! Console sign-in, sign-out, and the setup page an invitation leads to.

use super::page;
use super::session::ConsoleVisitor;
use crate::directory::admins::{self, AcceptInvite};
use crate::domain::{Error, Result};
use crate::http::error::retry_after_header;
use crate::http::extract::FormData;
use crate::http::messages;
use crate::identity::sessions;
use crate::identity::signin::{self, Credentials, Realm};
use crate::password::Password;
use crate::state::AppState;
use app::console::*;
use app::paths;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::CONSOLE_SETUP, get(setup_form).post(setup))
        .route(paths::CONSOLE_SIGN_IN, get(sign_in_form).post(sign_in))
        .route(paths::CONSOLE_SIGN_OUT, post(sign_out))
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn setup_view(state: &AppState, token: String) -> Result<AdminSetupView> {
    let (invited_email, role) = admins::check_invite(state, &token).await?;
    Ok(AdminSetupView {
        token,
        invited_email,
        role: role.as_str().into(),
        password_min: admins::ADMIN_PASSWORD_MIN,
        ..Default::default()
    })
}

async fn setup_form(
    State(state): State<AppState>,
    visitor: ConsoleVisitor,
    Query(q): Query<TokenQuery>,
) -> Result<Response> {
    let view = setup_view(&state, q.token).await?;
    Ok(page(
        StatusCode::OK,
        admin_setup_page(&visitor.chrome().await?, &view),
    ))
}

#[derive(Deserialize)]
struct SetupForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

async fn setup(
    State(state): State<AppState>,
    visitor: ConsoleVisitor,
    FormData(form): FormData<SetupForm>,
) -> Result<Response> {
    let input = AcceptInvite {
        token: form.token.clone(),
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        password: Password::new(form.password),
    };
    match admins::accept_invite(&state, input).await {
        Ok(admin) => {
            signin::enter_console(&state, &visitor.session, &admin).await?;
            Ok(Redirect::to(paths::CUSTOMERS).into_response())
        }
        Err(Error::Invalid(errors)) => {
            let view = AdminSetupView {
                email: form.email,
                display_name: form.display_name,
                errors: errors.into(),
                ..setup_view(&state, form.token).await?
            };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                admin_setup_page(&visitor.chrome().await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

async fn sign_in_form(visitor: ConsoleVisitor) -> Result<Response> {
    if visitor.admin.is_some() {
        return Ok(Redirect::to(paths::CUSTOMERS).into_response());
    }
    let view = AdminSignInView {
        notice: visitor.take_flash().await?,
        ..Default::default()
    };
    Ok(page(
        StatusCode::OK,
        admin_sign_in_page(&visitor.chrome().await?, &view),
    ))
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn sign_in(
    State(state): State<AppState>,
    visitor: ConsoleVisitor,
    FormData(form): FormData<SignInForm>,
) -> Result<Response> {
    let credentials = Credentials {
        email: form.email.clone(),
        password: Password::new(form.password),
        remembered: None,
    };
    let attempt = signin::sign_in(
        &state,
        &visitor.session,
        &visitor.ctx,
        Realm::Admins,
        credentials,
    )
    .await;
    let refusal = match messages::sign_in_answer(Realm::Admins, attempt)? {
        Ok(_) => return Ok(Redirect::to(paths::CUSTOMERS).into_response()),
        Err(refusal) => refusal,
    };
    let messages::Refusal {
        status,
        message,
        retry_after,
    } = refusal;
    let view = AdminSignInView {
        email: form.email,
        error: Some(message),
        notice: None,
    };
    let mut response = page(status, admin_sign_in_page(&visitor.chrome().await?, &view));
    if let Some(seconds) = retry_after {
        retry_after_header(&mut response, seconds);
    }
    Ok(response)
}

async fn sign_out(visitor: ConsoleVisitor) -> Result<Response> {
    sessions::end_admin(&visitor.session).await?;
    visitor.flash("You are signed out of the console.").await?;
    Ok(Redirect::to(paths::CONSOLE_SIGN_IN).into_response())
}
