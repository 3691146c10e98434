//! Sign-up and the page that says to check the inbox.

use super::{link, message, page, see_other};
use crate::directory::attributes::{self, Editor};
use crate::domain::{Error, Result};
use crate::http::attribute_fields::{Shown, attribute_inputs};
use crate::http::browser;
use crate::http::extract::{FormData, Visitor};
use crate::identity::signup;
use crate::identity::signup::{Pending, SignUpInput};
use crate::password::Password;
use crate::state::AppState;
use app::FieldErrors;
use app::hosted::*;
use app::paths;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::SIGN_UP, get(sign_up_form).post(sign_up))
        .route(paths::SIGN_UP_SENT, get(check_email))
}

#[derive(Deserialize)]
struct SignUpForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    accept_terms: Option<String>,
    /// The attribute fields (`attr.<key>`).
    #[serde(flatten)]
    attributes: HashMap<String, String>,
}

async fn sign_up_view(
    state: &AppState,
    shown: &HashMap<String, String>,
    errors: &FieldErrors,
) -> Result<SignUpView> {
    let defs = attributes::defined(state).await?;
    let fields = attributes::on_form(&defs, Editor::Customer);
    Ok(SignUpView {
        terms_version: state.config.terms_version.clone(),
        password_min: state.config.password_policy.min_length,
        attributes: attribute_inputs(fields, Shown::Typed(shown), errors),
        ..Default::default()
    })
}

async fn sign_up_form(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    if visitor.signed_in.is_some() {
        return Ok(see_other(paths::ACCOUNT));
    }
    let view = sign_up_view(&state, &HashMap::new(), &FieldErrors::new()).await?;
    Ok(page(
        StatusCode::OK,
        sign_up_page(&visitor.chrome().await?, &view),
    ))
}

async fn sign_up(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<SignUpForm>,
) -> Result<Response> {
    let accepted = form.accept_terms.as_deref() == Some("yes");
    let input = SignUpInput {
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        password: Password::new(form.password),
        accept_terms: accepted,
        attributes: form.attributes.clone(),
    };
    match signup::sign_up(&state, input, &visitor.ctx).await {
        Ok(Pending(id)) => {
            browser::remember_signup(&visitor.session, id).await?;
            Ok(see_other(paths::SIGN_UP_SENT))
        }
        Err(Error::Invalid(errors)) => {
            let errors = crate::http::messages::shown(visitor.lang, &errors);
            let view = SignUpView {
                email: form.email,
                display_name: form.display_name,
                accepted_terms: accepted,
                ..sign_up_view(&state, &form.attributes, &errors).await?
            };
            let view = SignUpView { errors, ..view };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                sign_up_page(&visitor.chrome().await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

async fn check_email(visitor: Visitor) -> Result<Response> {
    message(
        &visitor,
        "Check your inbox",
        "info",
        "We sent a message to the address you gave. Follow the link in it to finish setting up your account.",
        vec![link(paths::RESEND_VERIFICATION, "Didn't get it? Send a new link"), link(paths::SIGN_IN, "Sign in")],
    )
    .await
}
