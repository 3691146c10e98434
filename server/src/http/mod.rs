//! The HTTP surface: one router assembled from each capability's routes, and
//! the layers every request passes through (tracing, security headers, body
//! limit, session, CSRF).

mod api;
mod assets;
mod attribute_fields;
mod browser;
mod ceremony;
mod console;
mod csrf;
mod error;
mod extract;
mod health;
mod hosted;
mod journey;
mod kept;
mod messages;
mod oidc;
mod speaking;

pub use assets::STYLESHEET_HREF;

use crate::state::AppState;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tracing::Level;

/// Every answer counted and timed, by its route's pattern.
async fn count_request(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let started = std::time::Instant::now();
    // Methods outside the standard few would each make a series.
    let method: &'static str = match req.method().as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    };
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let response = next.run(req).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    state.metrics.request(method, route, status, seconds);
    response
}

/// Inside each session layer: writes an unchanged session at most once a
/// minute (see `browser::keep_alive`).
async fn keep_session_alive(
    axum::extract::State(state): axum::extract::State<AppState>,
    session: tower_sessions::Session,
    req: Request,
    next: Next,
) -> Response {
    let response = next.run(req).await;
    if let Err(e) = browser::keep_alive(&session, state.clock.now()).await {
        tracing::warn!(error = %e, "keeping the session alive");
    }
    response
}

/// `/metrics` alone, for `GATEHOUSE_METRICS_BIND`.
pub fn metrics_router(state: AppState) -> Router {
    health::metrics_only().with_state(state)
}

pub fn router(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(state.session_store())
        .with_name("gatehouse_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies())
        .with_expiry(Expiry::OnInactivity(state.config.session_idle));
    let https = state.config.secure_cookies();
    let timeout = state.config.abuse.request_timeout;
    let config = state.config.clone();

    // Customers and admins have separate session cookies: each router gets
    // its own session layer, inside which the CSRF guard checks its forms.
    let hosted = hosted::router()
        .merge(oidc::hosted_router())
        .layer(middleware::from_fn(move |session, req, next| {
            csrf::guard(https, session, req, next)
        }))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            keep_session_alive,
        ))
        .layer(sessions);
    Router::new()
        .merge(hosted)
        .merge(console::router(&state))
        .merge(oidc::protocol_router())
        .merge(health::router(state.config.metrics_bind.is_some()))
        .merge(assets::router())
        .fallback(not_found)
        .method_not_allowed_fallback(|| async {
            error::error_page(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "error-forbidden-title",
                "error-method",
            )
        })
        .layer(middleware::from_fn_with_state(state.clone(), count_request))
        .layer(middleware::from_fn(move |req, next| {
            security_headers(https, req, next)
        }))
        .layer(
            TraceLayer::new_for_http()
                // The path only: query strings carry single-use tokens.
                .make_span_with(|req: &Request| {
                    // The id the response's `x-request-id` carries, so a
                    // customer's report leads to the lines of their request.
                    let id = req
                        .extensions()
                        .get::<extract::RequestId>()
                        .map(|r| r.0.to_string())
                        .unwrap_or_default();
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = %req.uri().path(),
                        request_id = %id,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO))
                // A fault is logged where it happens, with its cause; a 503
                // that sheds a sign-in is the server working as designed
                // (counted on /metrics), not an error line per request.
                .on_failure(DefaultOnFailure::new().level(Level::DEBUG)),
        )
        .layer(middleware::from_fn(move |req, next| {
            extract::time_limit(timeout, req, next)
        }))
        .layer(middleware::from_fn(move |req, next| {
            extract::client_address(config.clone(), req, next)
        }))
        .layer(middleware::from_fn(speaking::speak))
        .layer(middleware::from_fn(extract::request_id))
        .with_state(state)
}

// Images may also come from https addresses: applications' logos on the
// consent pages (registered by owners; never scripts or styles).
const CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; \
                   img-src 'self' data: https:; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// An unknown address: a page for browsers, a problem document for programs
/// that ask for JSON (an API client with a wrong path, say).
async fn not_found(headers: axum::http::HeaderMap) -> Response {
    use axum::response::IntoResponse;
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let wants_json = accept.contains("json") && !accept.contains("text/html");
    let error = crate::domain::Error::NotFound;
    if wants_json {
        error::ApiError(error).into_response()
    } else {
        error.into_response()
    }
}

async fn security_headers(https: bool, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        // Pages show personal data and carry CSRF tokens: never cache them.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use crate::domain::links;
    use app::paths;

    /// The addresses capabilities mail out are the ones the router serves.
    #[test]
    fn mailed_addresses_are_served() {
        let pairs = [
            (links::SIGN_IN, paths::SIGN_IN),
            (links::FORGOT_PASSWORD, paths::FORGOT_PASSWORD),
            (links::VERIFY_EMAIL, paths::VERIFY_EMAIL),
            (links::RESET_PASSWORD, paths::RESET_PASSWORD),
            (links::UNBLOCK, paths::UNBLOCK),
            (links::ACCOUNT_EMAIL_CONFIRM, paths::ACCOUNT_EMAIL_CONFIRM),
            (links::CONSOLE_SETUP, paths::CONSOLE_SETUP),
            (links::TOKEN, paths::TOKEN),
            (links::REVOKE, paths::REVOKE),
            (links::INTROSPECT, paths::INTROSPECT),
        ];
        for (ours, served) in pairs {
            assert_eq!(ours, served);
        }
    }
}
