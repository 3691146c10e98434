//! CSRF protection for every state-changing request.
//!
//! Every form carries a token that must match one the browser holds: for a
//! browser with a session, a synchronizer token kept in that session; for a
//! visitor without one (someone who only opened the sign-in page), the value
//! of a `gatehouse_csrf` cookie (double submit), so that viewing a page
//! stores nothing on the server. Signing in gives the session its own token
//! (`browser::cycle` drops the old one), and from then on the
//! cookie's value no longer counts. This middleware checks every
//! POST/PUT/PATCH/DELETE before any handler runs, so a new form cannot
//! forget it. It also bounds the size of every request body, since it is the
//! one place that reads them.

use super::error::error_page;
use crate::domain::Error;
use crate::domain::secrets::{constant_time_eq, looks_like_token, random_string};
use crate::http::browser::keys;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

/// Forms are small; a body larger than this is refused unread.
const BODY_LIMIT: usize = 64 * 1024;
pub const FIELD: &str = "csrf_token";
const COOKIE: &str = "gatehouse_csrf";

/// The token of a browser without a session, from its cookie (or new, and
/// then sent with the response).
#[derive(Clone, Debug)]
pub struct VisitorToken {
    value: String,
    fresh: bool,
}

/// The token a page's forms carry: the session's, or for a browser without
/// a session the cookie's. A session with data but no token (just signed
/// in) gets a new one.
pub async fn token(session: &Session, visitor: Option<&VisitorToken>) -> Result<String, Error> {
    if let Some(token) = session_token(session).await? {
        return Ok(token);
    }
    if let (true, Some(visitor)) = (session.is_empty().await, visitor) {
        return Ok(visitor.value.clone());
    }
    let token = random_string();
    session
        .insert(keys::CSRF, &token)
        .await
        .map_err(anyhow::Error::new)?;
    Ok(token)
}

async fn session_token(session: &Session) -> Result<Option<String>, Error> {
    Ok(session
        .get::<String>(keys::CSRF)
        .await
        .map_err(anyhow::Error::new)?)
}

/// The visitor token a request's cookie holds, if well-formed.
fn cookie_token(req: &Request) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|value| looks_like_token(value))
}

/// Checks state-changing requests; hands every request its visitor token
/// and sets the cookie when it is new.
pub async fn guard(secure: bool, session: Session, mut req: Request, next: Next) -> Response {
    let visitor = match cookie_token(&req) {
        Some(value) => VisitorToken {
            value,
            fresh: false,
        },
        None => VisitorToken {
            value: random_string(),
            fresh: true,
        },
    };
    req.extensions_mut().insert(visitor.clone());
    let mut response = check(&session, &visitor, req, next).await;
    if visitor.fresh {
        let cookie = format!(
            "{COOKIE}={}; Path=/; HttpOnly; SameSite=Lax{}",
            visitor.value,
            if secure { "; Secure" } else { "" }
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

async fn check(session: &Session, visitor: &VisitorToken, req: Request, next: Next) -> Response {
    if !matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) {
        return next.run(req).await;
    }
    // An application's authorization request sent as a form: like its GET,
    // it changes nothing until the customer answers one of our pages.
    if *req.method() == Method::POST && req.uri().path() == app::paths::AUTHORIZE {
        return next.run(req).await;
    }
    if !is_form(req.headers().get(header::CONTENT_TYPE)) {
        return error_page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "error-form-type-title",
            "error-form-type",
        );
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return error_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "error-too-much-title",
                "error-too-much",
            );
        }
    };
    let submitted = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned());
    let expected = match session_token(session).await {
        Ok(Some(token)) => Some(token),
        // Only a browser without a session goes by its cookie, and only
        // with the cookie it sent.
        Ok(None) if session.is_empty().await && !visitor.fresh => Some(visitor.value.clone()),
        Ok(None) => None,
        Err(e) => return e.into_response(),
    };
    let valid = matches!((&submitted, &expected), (Some(s), Some(e)) if constant_time_eq(s, e));
    if !valid {
        return error_page(
            StatusCode::FORBIDDEN,
            "error-form-expired-title",
            "error-form-expired",
        );
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Whether a `Content-Type` is a form: exactly
/// `application/x-www-form-urlencoded`, in any case, with parameters
/// (`; charset=UTF-8`) allowed; nothing that merely starts with it.
pub fn is_form(content_type: Option<&axum::http::HeaderValue>) -> bool {
    content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| {
            media
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    #[test]
    fn a_form_is_its_media_type_exactly() {
        let form = |v: &'static str| super::is_form(Some(&HeaderValue::from_static(v)));
        assert!(form("application/x-www-form-urlencoded"));
        assert!(form("Application/X-WWW-Form-Urlencoded; charset=UTF-8"));
        assert!(!form("application/x-www-form-urlencodedX"));
        assert!(!form(
            "application/x-www-form-urlencoded-evil; charset=UTF-8"
        ));
        assert!(!form("application/json"));
        assert!(!super::is_form(None));
    }
}
