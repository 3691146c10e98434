//! Console sign-in, sign-out, and the setup page an invitation leads to.

use super::page;
use super::session::ConsoleVisitor;
use crate::directory::admins::{self, AcceptInvite};
use crate::domain::mfa::FactorKind;
use crate::domain::{Error, Result};
use crate::http::browser;
use crate::http::error::retry_after_header;
use crate::http::extract::FormData;
use crate::http::journey::{self, Outcome};
use crate::http::kept;
use crate::http::messages;
use crate::identity::signin::{self, Account, Credentials, Input, Realm, Step, Waiting};
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

/// Advances this console browser's sign-in with `input`.
pub(super) async fn advance(
    state: &AppState,
    visitor: &ConsoleVisitor,
    input: Input<'_>,
) -> Result<Outcome> {
    let (session, ctx) = (&visitor.session, &visitor.ctx);
    // The console speaks English until its pages are in the catalogues.
    journey::advance(
        state,
        session,
        ctx,
        app::Lang::En,
        Realm::Admins,
        None,
        input,
    )
    .await
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
        Ok(admin) => match advance(&state, &visitor, Input::Invitation(admin)).await? {
            Outcome::Go { to, .. } => Ok(Redirect::to(&to).into_response()),
            Outcome::Show(_) => expired(&visitor).await,
        },
        Err(Error::Invalid(errors)) => {
            let view = AdminSetupView {
                email: form.email,
                display_name: form.display_name,
                errors: super::shown(&errors),
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
    let input = Input::Password(Credentials {
        email: form.email.clone(),
        password: Password::new(form.password),
        remembered: None,
    });
    let refusal = match advance(&state, &visitor, input).await? {
        Outcome::Go { to, .. } => return Ok(Redirect::to(&to).into_response()),
        Outcome::Show(refusal) => refusal,
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
    browser::end_admin(&visitor.session).await?;
    visitor.flash("You are signed out of the console.").await?;
    Ok(Redirect::to(paths::CONSOLE_SIGN_IN).into_response())
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

/// The console sign-in waiting in this browser for its second step.
pub(super) async fn waiting(state: &AppState, visitor: &ConsoleVisitor) -> Result<Option<Waiting>> {
    let held = journey::held(&visitor.session).await?;
    signin::waiting(state, Realm::Admins, held.as_ref()).await
}

/// The admin of a waiting sign-in at a step `want` matches.
pub(super) fn admin_at(
    waiting: Option<Waiting>,
    want: fn(&Step) -> bool,
) -> Option<crate::domain::Admin> {
    match waiting? {
        Waiting {
            account: Account::Admin(admin),
            step,
            ..
        } if want(&step) => Some(admin),
        _ => None,
    }
}

pub(super) fn verifying(step: &Step) -> bool {
    matches!(step, Step::SecondFactor { .. })
}

pub(super) fn enrolling(step: &Step) -> bool {
    matches!(step, Step::Enrol { .. })
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
    let owner = crate::store::FactorOwner::Admin(admin.id);
    let factors = crate::mfa::enrol::factors(state, owner).await?;
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
    let Some(waiting) = waiting(&state, &visitor).await? else {
        return expired(&visitor).await;
    };
    let to = journey::page_for(Realm::Admins, &waiting.step);
    match admin_at(Some(waiting), verifying) {
        None => Ok(Redirect::to(&to).into_response()),
        Some(admin) => {
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
    // Admins: an authenticator code (no recovery codes; an owner resets
    // the factors of an admin who lost theirs).
    let refusal = match advance(&state, &visitor, Input::Code(&form.code)).await? {
        Outcome::Go { to, .. } => return Ok(Redirect::to(&to).into_response()),
        Outcome::Show(refusal) => refusal,
    };
    let Some(admin) = admin_at(waiting(&state, &visitor).await?, verifying) else {
        visitor.flash(&refusal.message).await?;
        return Ok(Redirect::to(paths::CONSOLE_SIGN_IN).into_response());
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
    let shown = kept::begin_app(state, &visitor.session, admin.email.as_str()).await?;
    let view = AdminSecondFactorView {
        error,
        setup: Some((shown.secret, shown.url, shown.qr_svg)),
        passkey: crate::mfa::passkeys::available(state),
        app: true,
    };
    second_factor(visitor, status, &view).await
}

async fn enrol_form(State(state): State<AppState>, visitor: ConsoleVisitor) -> Result<Response> {
    let Some(waiting) = waiting(&state, &visitor).await? else {
        return expired(&visitor).await;
    };
    let to = journey::page_for(Realm::Admins, &waiting.step);
    match admin_at(Some(waiting), enrolling) {
        None => Ok(Redirect::to(&to).into_response()),
        Some(admin) => setup_page(&state, &visitor, &admin, StatusCode::OK, None).await,
    }
}

async fn enrol(
    State(state): State<AppState>,
    visitor: ConsoleVisitor,
    FormData(form): FormData<CodeForm>,
) -> Result<Response> {
    let Some(admin) = admin_at(waiting(&state, &visitor).await?, enrolling) else {
        return expired(&visitor).await;
    };
    let ctx = visitor
        .ctx
        .acting_as(crate::domain::Caller::Admin(admin.clone()));
    let owner = crate::store::FactorOwner::Admin(admin.id);
    match kept::confirm_app(&state, &visitor.session, &ctx, owner, &form.code).await {
        Ok(id) => match advance(&state, &visitor, Input::Enrolled(id)).await? {
            Outcome::Go { to, .. } => Ok(Redirect::to(&to).into_response()),
            Outcome::Show(_) => expired(&visitor).await,
        },
        Err(Error::Invalid(errors)) => {
            let errors = super::shown(&errors);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            setup_page(&state, &visitor, &admin, status, errors.get("code")).await
        }
        Err(e) => Err(e),
    }
}
