//! Console sign-in, sign-out, and the setup page an invitation leads to.

use super::page;
use super::session::ConsoleVisitor;
use crate::directory::admins::{self, AcceptInvite};
use crate::domain::mfa::FactorKind;
use crate::domain::{Error, Result};
use crate::http::error::retry_after_header;
use crate::http::extract::FormData;
use crate::http::messages;
use crate::identity::second_step;
use crate::identity::sessions;
use crate::identity::signin::{self, Credentials, Next, Realm};
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
        .route(paths::CONSOLE_SIGN_IN_VERIFY, get(verify_form).post(verify))
        .route(paths::CONSOLE_SIGN_IN_ENROL, get(enrol_form).post(enrol))
}

/// Where the console's sign-in leads after the password (or an accepted
/// invitation): the second factor, or setting one up.
fn second_step(next: &Next) -> Response {
    Redirect::to(match next {
        Next::Enrol => paths::CONSOLE_SIGN_IN_ENROL,
        _ => paths::CONSOLE_SIGN_IN_VERIFY,
    })
    .into_response()
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
            let next = signin::enter_console(&state, &visitor.session, &admin).await?;
            Ok(second_step(&next))
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
        Ok(next) => return Ok(second_step(&next)),
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

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

/// The admin whose console sign-in waits in this browser, and whether
/// they must set up their factor first.
pub(super) async fn pending_admin(
    state: &AppState,
    visitor: &ConsoleVisitor,
) -> Result<Option<(crate::domain::Admin, bool)>> {
    let Some(pending) = second_step::pending_console(state, &visitor.session).await? else {
        return Ok(None);
    };
    let admin = state
        .store
        .admin_by_id(crate::domain::AdminId(pending.admin))
        .await?;
    Ok(admin.map(|a| (a, pending.enrol)))
}

async fn expired(visitor: &ConsoleVisitor) -> Result<Response> {
    visitor
        .flash(&crate::domain::mfa::MfaProblem::SignInExpired.to_string())
        .await?;
    Ok(Redirect::to(paths::CONSOLE_SIGN_IN).into_response())
}

async fn second_factor(
    visitor: &ConsoleVisitor,
    status: StatusCode,
    view: &AdminSecondFactorView,
) -> Result<Response> {
    Ok(page(
        status,
        admin_second_factor_page(&visitor.chrome().await?, view),
    ))
}

/// The second step for `admin`: their passkey, their app's code, or both.
async fn verify_view(
    state: &AppState,
    admin: &crate::domain::Admin,
    error: Option<String>,
) -> Result<AdminSecondFactorView> {
    let factors = state
        .store
        .factors(crate::store::FactorOwner::Admin(admin.id))
        .await?;
    let has = |kind| factors.iter().any(|f| f.kind == kind);
    Ok(AdminSecondFactorView {
        error,
        setup: None,
        // A passkey works only where the browser can make one (a domain).
        passkey: has(FactorKind::Passkey) && crate::mfa::passkeys::available(state),
        app: has(FactorKind::Totp),
    })
}

async fn verify_form(State(state): State<AppState>, visitor: ConsoleVisitor) -> Result<Response> {
    match pending_admin(&state, &visitor).await? {
        None => expired(&visitor).await,
        Some((_, true)) => Ok(Redirect::to(paths::CONSOLE_SIGN_IN_ENROL).into_response()),
        Some((admin, false)) => {
            let view = verify_view(&state, &admin, None).await?;
            second_factor(&visitor, StatusCode::OK, &view).await
        }
    }
}

async fn verify(
    State(state): State<AppState>,
    visitor: ConsoleVisitor,
    FormData(form): FormData<CodeForm>,
) -> Result<Response> {
    let Some((admin, false)) = pending_admin(&state, &visitor).await? else {
        return expired(&visitor).await;
    };
    let ctx = visitor
        .ctx
        .acting_as(crate::domain::Caller::Admin(admin.clone()));
    let owner = crate::store::FactorOwner::Admin(admin.id);
    // Admins: an authenticator code (no recovery codes; an owner resets
    // the factors of an admin who lost theirs).
    let policy = crate::domain::mfa::MfaPolicy::Required;
    let checked = crate::mfa::check::code(&state, &ctx, owner, policy, &form.code).await;
    let refusal = match messages::code_answer(checked)? {
        Ok(_) => {
            signin::finish_console(&state, &visitor.session, &admin).await?;
            return Ok(Redirect::to(paths::CUSTOMERS).into_response());
        }
        Err(refusal) => refusal,
    };
    let messages::Refusal {
        status,
        message,
        retry_after,
    } = refusal;
    let view = verify_view(&state, &admin, Some(message)).await?;
    let mut response = second_factor(&visitor, status, &view).await?;
    if let Some(seconds) = retry_after {
        retry_after_header(&mut response, seconds);
    }
    Ok(response)
}

/// The setup page for an admin's first factor (a passkey, or an
/// authenticator app), with `error` for the app's code.
async fn setup_page(
    state: &AppState,
    visitor: &ConsoleVisitor,
    admin: &crate::domain::Admin,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response> {
    let shown = crate::mfa::totp::begin(state, &visitor.session, admin.email.as_str()).await?;
    let view = AdminSecondFactorView {
        error,
        setup: Some((shown.secret, shown.url, shown.qr_svg)),
        passkey: crate::mfa::passkeys::available(state),
        app: true,
    };
    second_factor(visitor, status, &view).await
}

async fn enrol_form(State(state): State<AppState>, visitor: ConsoleVisitor) -> Result<Response> {
    match pending_admin(&state, &visitor).await? {
        None => expired(&visitor).await,
        Some((_, false)) => Ok(Redirect::to(paths::CONSOLE_SIGN_IN_VERIFY).into_response()),
        Some((admin, true)) => setup_page(&state, &visitor, &admin, StatusCode::OK, None).await,
    }
}

async fn enrol(
    State(state): State<AppState>,
    visitor: ConsoleVisitor,
    FormData(form): FormData<CodeForm>,
) -> Result<Response> {
    let Some((admin, true)) = pending_admin(&state, &visitor).await? else {
        return expired(&visitor).await;
    };
    let ctx = visitor
        .ctx
        .acting_as(crate::domain::Caller::Admin(admin.clone()));
    let owner = crate::store::FactorOwner::Admin(admin.id);
    match crate::mfa::enrol::confirm_totp(&state, &visitor.session, &ctx, owner, &form.code).await {
        Ok(()) => {
            signin::finish_console(&state, &visitor.session, &admin).await?;
            Ok(Redirect::to(paths::CUSTOMERS).into_response())
        }
        Err(Error::Invalid(errors)) => {
            let errors: app::FieldErrors = errors.into();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            setup_page(&state, &visitor, &admin, status, errors.get("code")).await
        }
        Err(e) => Err(e),
    }
}
