//! CSRF protection for every state-changing request.
//!
//! A synchronizer token lives in the session and in a hidden field of every
//! form. This middleware checks it for every POST/PUT/PATCH/DELETE before any
//! handler runs, so a new form cannot forget it. It also bounds the size of
//! every request body, since it is the one place that reads them.

use super::error::error_page;
use crate::domain::Error;
use crate::domain::secrets::{constant_time_eq, random_string};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

const SESSION_KEY: &str = "csrf_token";
/// Forms are small; a body larger than this is refused unread.
const BODY_LIMIT: usize = 64 * 1024;
pub const FIELD: &str = "csrf_token";

/// The session's token, created on first use.
pub async fn token(session: &Session) -> Result<String, Error> {
    if let Some(token) = session
        .get::<String>(SESSION_KEY)
        .await
        .map_err(anyhow::Error::new)?
    {
        return Ok(token);
    }
    let token = random_string();
    session
        .insert(SESSION_KEY, &token)
        .await
        .map_err(anyhow::Error::new)?;
    Ok(token)
}

pub async fn guard(session: Session, req: Request, next: Next) -> Response {
    if !matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) {
        return next.run(req).await;
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return error_page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported request",
            "Send this form from its page.".into(),
        );
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return error_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Too much data",
                "This form sent more data than allowed.".into(),
            );
        }
    };
    let submitted = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned());
    let expected = match session.get::<String>(SESSION_KEY).await {
        Ok(expected) => expected,
        Err(e) => return Error::Internal(anyhow::Error::new(e)).into_response(),
    };
    let valid = matches!((&submitted, &expected), (Some(s), Some(e)) if constant_time_eq(s, e));
    if !valid {
        return error_page(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "For your security, forms expire. Go back, reload the page and try again.".into(),
        );
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
