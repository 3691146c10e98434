//! The device sign-in pages (RFC 8628 §3.3): the customer types the code
//! a TV shows, then allows or denies the device on the confirmation page.

use super::answer::{ConsentForm, shares};
use crate::domain::{Error, Result};
use crate::http::browser;
use crate::http::error::error_page;
use crate::http::extract::{Customer, FormData, Visitor};
use crate::http::messages;
use crate::oidc::device;
use crate::state::AppState;
use app::hosted::{
    ConsentView, DeviceView, Link, MessageView, consent_page, device_page, message_page,
};
use app::paths;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

/// The code form and the confirmation page.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::DEVICE, get(device_form).post(device_code_entered))
        .route(
            paths::DEVICE_CONFIRM,
            get(device_confirm).post(device_answer),
        )
}

#[derive(Deserialize)]
struct DeviceQuery {
    #[serde(default)]
    user_code: String,
}

/// `/device`: the code form (filled in from `verification_uri_complete`).
async fn device_form(
    visitor: Visitor,
    axum::extract::Query(query): axum::extract::Query<DeviceQuery>,
) -> Result<Response> {
    let view = DeviceView {
        user_code: query.user_code.chars().take(16).collect(),
        error: None,
    };
    Ok(Html(device_page(&visitor.chrome().await?, &view)).into_response())
}

async fn device_code_entered(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<DeviceQuery>,
) -> Result<Response> {
    match device::enter(&state, &visitor.ctx, &form.user_code).await {
        Ok((.., code)) => {
            browser::hold_device_code(&visitor.session, &code).await?;
            let next = if visitor.signed_in.is_some() {
                paths::DEVICE_CONFIRM
            } else {
                paths::SIGN_IN
            };
            Ok(Redirect::to(next).into_response())
        }
        Err(Error::Invalid(errors)) => {
            let view = DeviceView {
                user_code: form.user_code.chars().take(16).collect(),
                error: Some(messages::all_problems(visitor.lang, &errors)),
            };
            let page = device_page(&visitor.chrome().await?, &view);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// "Sign in to the TV app?": what the device's application will see.
async fn device_confirm(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    let (Some(signed_in), Some(code)) = (
        visitor.signed_in.as_ref(),
        browser::pending_device_code(&visitor.session).await?,
    ) else {
        return Ok(Redirect::to(paths::DEVICE).into_response());
    };
    let (client, scopes, code) = match device::pending(&state, &code).await {
        Ok(found) => found,
        Err(_) => {
            browser::drop_device_code(&visitor.session).await?;
            return Ok(Redirect::to(paths::DEVICE).into_response());
        }
    };
    let view = ConsentView {
        logo_url: client.logo_url.clone(),
        app_name: client.name,
        shares: shares(visitor.lang, &scopes),
        customer_email: signed_in.customer.email.as_str().to_string(),
        action: paths::DEVICE_CONFIRM,
        answers: code.clone(),
        device_code: Some(format!("{}-{}", &code[..4], &code[4..])),
    };
    Ok(Html(consent_page(&visitor.chrome().await?, &view)).into_response())
}

async fn device_answer(
    State(state): State<AppState>,
    customer: Customer,
    FormData(form): FormData<ConsentForm>,
) -> Result<Response> {
    let visitor = &customer.0;
    let Some(code) = browser::pending_device_code(&visitor.session).await? else {
        return Ok(Redirect::to(paths::DEVICE).into_response());
    };
    // The code the page showed: a code typed since in another tab is
    // answered on its own page.
    if !device::same_user_code(&form.answers, &code) {
        return Ok(error_page(
            StatusCode::CONFLICT,
            "error-device-waiting-title",
            "error-device-waiting",
        ));
    }
    let approve = form.allowed()?;
    let answered = device::answer(&state, &visitor.ctx, customer.signed_in(), &code, approve).await;
    browser::drop_device_code(&visitor.session).await?;
    let client = answered?;
    let (title, text) = if approve {
        (
            "Device connected",
            format!(
                "{} is signing you in on your device. You can close this page.",
                client.name
            ),
        )
    } else {
        (
            "Device not connected",
            format!(
                "{} was not given access. You can close this page.",
                client.name
            ),
        )
    };
    let view = MessageView {
        title: title.into(),
        tone: if approve { "success" } else { "info" },
        message: text,
        links: vec![Link {
            href: paths::ACCOUNT.into(),
            label: "Go to your account".into(),
        }],
    };
    Ok(Html(message_page(&visitor.chrome().await?, &view)).into_response())
}
