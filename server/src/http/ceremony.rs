//! The JSON the passkey script reads, for the customers' ceremonies and
//! the console's alike: the browser's options with the session's CSRF
//! token, where to go once an answer holds, or a refusal to show beside
//! the button.

use super::csrf;
use super::messages;
use crate::domain::{Error, Result};
use crate::http::browser::{self, keys};
use crate::mfa::passkeys::Ceremony;
use app::paths;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tower_sessions::Session;

/// The browser's answer to a ceremony, posted as a form.
#[derive(Deserialize)]
pub struct Answer {
    #[serde(default)]
    pub credential: String,
    /// A step-up's way back.
    #[serde(default)]
    pub next: String,
    /// The application's request a passkey sign-in is for (its id).
    #[serde(default)]
    pub request: String,
}

/// The browser's options, with the session's CSRF token: starting a
/// ceremony may have started the session, whose token the next post needs.
/// The ceremony waits in the browser session for the answer.
pub async fn options(
    session: &Session,
    visitor_token: Option<&csrf::VisitorToken>,
    (options, ceremony): (Value, Ceremony),
) -> Result<Response> {
    browser::put(session, keys::PASSKEY_CEREMONY, ceremony).await?;
    let token = csrf::token(session, visitor_token).await?;
    let mut body = options;
    body["csrf"] = token.into();
    Ok(Json(body).into_response())
}

/// The ceremony this browser's answer belongs to, taken: a second answer
/// finds none.
pub async fn take(session: &Session) -> Result<Option<Ceremony>> {
    browser::take(session, keys::PASSKEY_CEREMONY).await
}

/// Where the script goes next.
pub fn go(to: &str) -> Response {
    Json(json!({ "redirect": to })).into_response()
}

/// Where a redirect response leads.
pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or(paths::ACCOUNT)
        .to_string()
}

/// Where a sign-in step leaves the script: on to a page, or a refusal
/// shown beside the button.
pub fn outcome(outcome: super::journey::Outcome) -> Response {
    match outcome {
        super::journey::Outcome::Go { to, .. } => go(&to),
        super::journey::Outcome::Show(refusal) => {
            // Bad input is a 400 to the script, as `answer` says it.
            let status = match refusal.status {
                StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
                status => status,
            };
            (status, Json(json!({ "error": refusal.message }))).into_response()
        }
    }
}

/// A refusal the script shows beside its button; faults stay errors.
pub fn answer(lang: app::Lang, result: Result<Response>) -> Result<Response> {
    match result {
        Err(Error::Invalid(errors)) => Ok((
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": messages::all_problems(lang, &errors) })),
        )
            .into_response()),
        Err(Error::Conflict(problem)) => Ok((
            StatusCode::CONFLICT,
            Json(json!({ "error": messages::problem_words(lang, &problem) })),
        )
            .into_response()),
        other => other,
    }
}
