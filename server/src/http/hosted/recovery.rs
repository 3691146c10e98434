//! Forgotten passwords: asking for a link, choosing a new password.

use super::{EmailForm, TokenQuery, link, message, page, see_other};
use crate::domain::{Error, Result};
use crate::http::browser;
use crate::http::extract::{FormData, Visitor};
use crate::identity::recovery;
use crate::password::Password;
use crate::state::AppState;
use app::FieldErrors;
use app::hosted::*;
use app::paths;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::FORGOT_PASSWORD, get(forgot_form).post(forgot))
        .route(paths::FORGOT_PASSWORD_SENT, get(forgot_sent))
        .route(paths::RESET_PASSWORD, get(reset_form).post(reset))
}

async fn forgot_form(visitor: Visitor) -> Result<Response> {
    Ok(page(
        StatusCode::OK,
        forgot_password_page(&visitor.chrome().await?, &ForgotPasswordView::default()),
    ))
}

async fn forgot(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<EmailForm>,
) -> Result<Response> {
    match recovery::request_reset(&state, &form.email, &visitor.ctx) {
        Ok(()) => Ok(see_other(paths::FORGOT_PASSWORD_SENT)),
        Err(Error::Invalid(errors)) => {
            let view = ForgotPasswordView {
                email: form.email,
                error: errors.get("email").map(ToString::to_string),
            };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                forgot_password_page(&visitor.chrome().await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

async fn forgot_sent(visitor: Visitor) -> Result<Response> {
    message(
        &visitor,
        "Check your inbox",
        "info",
        "If an account uses that address, we sent it a link to choose a new password. The link expires in 1 hour.",
        vec![link(paths::SIGN_IN, "Back to sign in")],
    )
    .await
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

async fn reset_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<TokenQuery>,
) -> Result<Response> {
    recovery::check_link(&state, &q.token).await?;
    let view = ResetPasswordView {
        token: q.token,
        password_min: state.config.password_policy.min_length,
        errors: FieldErrors::new(),
    };
    Ok(page(
        StatusCode::OK,
        reset_password_page(&visitor.chrome().await?, &view),
    ))
}

async fn reset(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<ResetForm>,
) -> Result<Response> {
    match recovery::reset_password(
        &state,
        &form.token,
        Password::new(form.password),
        &visitor.ctx,
    )
    .await
    {
        Ok(_) => {
            // Every session of the customer has ended, this browser's included.
            browser::end(&state, &visitor.session).await?;
            visitor
                .flash(&visitor.lang.t("password-reset-done"))
                .await?;
            Ok(see_other(paths::SIGN_IN))
        }
        Err(Error::Invalid(errors)) => {
            let view = ResetPasswordView {
                token: form.token,
                password_min: state.config.password_policy.min_length,
                errors: crate::http::messages::shown(visitor.lang, &errors),
            };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                reset_password_page(&visitor.chrome().await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}
