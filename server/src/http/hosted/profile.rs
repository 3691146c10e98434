//! Progressive profiling: details the organisation now requires.

use super::{page, see_other};
use crate::directory::attributes::{self};
use crate::domain::{Error, Result};
use crate::http::attribute_fields::{Shown, attribute_inputs};
use crate::http::browser;
use crate::http::extract::{Customer, FormData};
use crate::http::messages;
use crate::identity::account;
use crate::state::AppState;
use app::FieldErrors;
use app::hosted::*;
use app::paths;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new().route(paths::COMPLETE_PROFILE, get(complete_form).post(complete))
}

async fn complete_view(
    state: &AppState,
    customer: &crate::domain::Customer,
    typed: &HashMap<String, String>,
    errors: &FieldErrors,
) -> Result<CompleteProfileView> {
    let missing = attributes::missing_for(state, customer.id).await?;
    Ok(CompleteProfileView {
        attributes: attribute_inputs(missing.iter(), Shown::Typed(typed), errors),
        invalid: !errors.is_empty(),
    })
}

async fn complete_form(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    let view = complete_view(
        &state,
        &customer.signed_in().customer,
        &HashMap::new(),
        &FieldErrors::new(),
    )
    .await?;
    if view.attributes.is_empty() {
        return finish_profile(&customer).await;
    }
    Ok(page(
        StatusCode::OK,
        complete_profile_page(&customer.0.chrome().await?, &view),
    ))
}

async fn complete(
    State(state): State<AppState>,
    customer: Customer,
    FormData(form): FormData<HashMap<String, String>>,
) -> Result<Response> {
    let signed_in = &customer.signed_in().customer;
    match account::complete_profile(&state, signed_in, &form, &customer.0.ctx).await {
        Ok(()) => finish_profile(&customer).await,
        Err(Error::Invalid(errors)) => {
            let view = complete_view(
                &state,
                signed_in,
                &form,
                &messages::shown(customer.0.lang, &errors),
            )
            .await?;
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                complete_profile_page(&customer.0.chrome().await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

/// Nothing is missing any more: the customer goes on to their account.
async fn finish_profile(customer: &Customer) -> Result<Response> {
    browser::profile_completed(&customer.0.session).await?;
    Ok(see_other(paths::ACCOUNT))
}
