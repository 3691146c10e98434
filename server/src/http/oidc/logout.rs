//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the
//! application sends the customer here to sign out of Gatehouse.

use super::answer::continue_page;
use crate::domain::Result;
use crate::http::browser;
use crate::http::extract::Visitor;
use crate::oidc::logout;
use crate::state::AppState;
use app::hosted::{SignOutView, sign_out_page};
use app::paths;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;

/// The end-session endpoint (GET from the application, POST from the question).
pub(super) fn routes() -> Router<AppState> {
    Router::new().route(
        paths::END_SESSION,
        get(end_session).post(end_session_confirmed),
    )
}

/// RP-initiated logout: signs out at once when the application's hint names
/// the customer signed in (or nobody is); otherwise asks first.
async fn end_session(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let request = logout::parse(&state, &pairs).await?;
    if request.confirmed_by_hint(visitor.signed_in.as_ref()) {
        return signed_out(&state, &visitor, &request, false).await;
    }
    let app_name = request
        .client
        .as_ref()
        .map_or("An application".to_string(), |c| c.name.clone());
    let view = SignOutView {
        app_name,
        params: pairs,
    };
    Ok(Html(sign_out_page(&visitor.chrome().await?, &view)).into_response())
}

/// The customer's answer to "sign out?", with the request's parameters.
async fn end_session_confirmed(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Bytes,
) -> Result<Response> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body)
        .into_owned()
        .filter(|(k, _)| k != "csrf_token")
        .collect();
    let request = logout::parse(&state, &pairs).await?;
    signed_out(&state, &visitor, &request, true).await
}

async fn signed_out(
    state: &AppState,
    visitor: &Visitor,
    request: &logout::LogoutRequest,
    after_form: bool,
) -> Result<Response> {
    browser::end(state, &visitor.session).await?;
    match &request.return_to {
        Some(location) if after_form => {
            let name = request
                .client
                .as_ref()
                .map_or("the application", |c| c.name.as_str());
            continue_page(visitor, name, location).await
        }
        Some(location) => Ok(Redirect::to(location).into_response()),
        None => {
            visitor.flash("You are signed out.").await?;
            Ok(Redirect::to(paths::SIGN_IN).into_response())
        }
    }
}
