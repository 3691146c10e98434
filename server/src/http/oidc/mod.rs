//! The OpenID Connect endpoints. Discovery, JWKS, token and userinfo are
//! for programs: no session, no CSRF (clients authenticate themselves), JSON
//! answers as RFC 6749 words them. The authorization endpoint, the consent
//! and device pages and RP-initiated logout are pages of the customer's
//! browser session (`pages`).

mod answer;
mod apps;
mod device_pages;
mod logout;
mod pages;

use super::extract::context;
use super::messages;
use crate::domain::oidc::{OAuthCode, OAuthError, OAuthProblem, SigningAlg};
use crate::domain::qr::qr_svg;
use crate::domain::{Caller, Error, Result};
use crate::oidc::issuer;
use crate::oidc::params::Params;
use crate::oidc::{SCOPES, clients, device, handoff, introspection, tokens};
use crate::state::AppState;
use app::paths;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

/// Endpoints for programs (outside the session and CSRF layers).
/// Pages of the customer's browser session.
pub fn hosted_router() -> Router<AppState> {
    Router::new()
        .merge(pages::routes())
        .merge(logout::routes())
        .merge(device_pages::routes())
        .merge(apps::routes())
}

pub fn protocol_router() -> Router<AppState> {
    Router::new()
        .route(paths::DISCOVERY, get(discovery))
        .route(paths::JWKS, get(jwks))
        .route(paths::TOKEN, post(token))
        .route(paths::USERINFO, get(userinfo).post(userinfo))
        .route(paths::REVOKE, post(revoke))
        .route(paths::INTROSPECT, post(introspect))
        .route(paths::DEVICE_AUTHORIZATION, post(device_authorization))
        .route(paths::APP_HANDOFF, get(handoff_status).post(handoff_offer))
        .route(paths::APP_HANDOFF_ANSWER, post(handoff_answer))
}

async fn discovery(State(state): State<AppState>) -> Response {
    let issuer = issuer(&state);
    let at = |path: &str| state.config.link(path);
    let algs: Vec<&str> = SigningAlg::ALL.iter().map(|a| a.as_str()).collect();
    let body = json!({
        "issuer": issuer,
        "authorization_endpoint": at(paths::AUTHORIZE),
        "token_endpoint": at(paths::TOKEN),
        "userinfo_endpoint": at(paths::USERINFO),
        "revocation_endpoint": at(paths::REVOKE),
        "end_session_endpoint": at(paths::END_SESSION),
        // OpenID Connect Back-Channel Logout 1.0: logout tokens carry `sid`.
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "device_authorization_endpoint": at(paths::DEVICE_AUTHORIZATION),
        "introspection_endpoint": at(paths::INTROSPECT),
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "jwks_uri": at(paths::JWKS),
        "scopes_supported": SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials",
                                  "urn:ietf:params:oauth:grant-type:device_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "RS512", "PS256", "ES256", "EdDSA"],
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": ["none", "login", "consent", "create"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "acr",
                             "azp", "email", "email_verified", "name", "updated_at", "locale",
                             "gatehouse:tier"],
        "ui_locales_supported": app::Lang::ALL.map(app::Lang::tag),
        "acr_values_supported": crate::oidc::ACR_VALUES,
        "authorization_response_iss_parameter_supported": true,
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
    });
    cacheable(Json(body).into_response())
}

async fn jwks(State(state): State<AppState>) -> Response {
    match state.signing_keys().await {
        Ok(keys) => {
            let mut response = keys.jwks.to_string().into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/jwk-set+json"),
            );
            cacheable(response)
        }
        Err(e) => protocol_error(e),
    }
}

/// Published documents: caches may keep them for five minutes (a rotated
/// key is published a day before and after it signs, so none is missed).
fn cacheable(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
        .headers_mut()
        .insert("access-control-allow-origin", HeaderValue::from_static("*"));
    response
}

async fn token(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    let ctx = context(&parts, Caller::System);
    match token_grant(&state, &ctx, &parts.headers, &body).await {
        Ok(issued) => no_store(Json(issued).into_response()),
        Err(e) => protocol_error(e),
    }
}

async fn token_grant(
    state: &AppState,
    ctx: &crate::domain::RequestContext,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<tokens::Issued> {
    let pairs = form_pairs(headers, body)?;
    let params = Params::new(&pairs)?;
    let client = authenticated_client(state, ctx, headers, &params).await?;
    tokens::exchange(state, ctx, &client, &params).await
}

async fn revoke(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    let (ctx, headers) = (context(&parts, Caller::System), &parts.headers);
    let revoked = async {
        let pairs = form_pairs(headers, &body)?;
        let params = Params::new(&pairs)?;
        let client = authenticated_client(&state, &ctx, headers, &params).await?;
        introspection::revoke(&state, &client, &params).await
    }
    .await;
    match revoked {
        Ok(()) => no_store(StatusCode::OK.into_response()),
        Err(e) => protocol_error(e),
    }
}

async fn introspect(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    let (ctx, headers) = (context(&parts, Caller::System), &parts.headers);
    let answer = async {
        let pairs = form_pairs(headers, &body)?;
        let params = Params::new(&pairs)?;
        let client = authenticated_client(&state, &ctx, headers, &params).await?;
        // Public clients hold no secret: they cannot prove who asks.
        if client.public {
            return Err(OAuthError::new(
                OAuthCode::InvalidClient,
                OAuthProblem::ClientAuthentication,
            )
            .into());
        }
        introspection::introspect(&state, &client, &params).await
    }
    .await;
    match answer {
        Ok(body) => no_store(Json(body).into_response()),
        Err(e) => protocol_error(e),
    }
}

pub(super) fn is_form(headers: &HeaderMap) -> bool {
    super::csrf::is_form(headers.get(header::CONTENT_TYPE))
}

/// A protocol request's form body, as `(name, value)` pairs.
fn form_pairs(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, String)>> {
    if !is_form(headers) {
        return Err(OAuthError::new(OAuthCode::InvalidRequest, OAuthProblem::ContentType).into());
    }
    Ok(url::form_urlencoded::parse(body).into_owned().collect())
}

/// The client a protocol request authenticates as.
async fn authenticated_client(
    state: &AppState,
    ctx: &crate::domain::RequestContext,
    headers: &HeaderMap,
    params: &Params<'_>,
) -> Result<crate::domain::oidc::Client> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let presented = clients::presented(authorization, params)?;
    clients::authenticate(state, ctx, &presented).await
}

/// The access token a request carries (RFC 6750 §2.1).
fn bearer(headers: &HeaderMap) -> Result<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| OAuthError::new(OAuthCode::InvalidToken, OAuthProblem::BearerToken).into())
}

async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let answer = match bearer(&headers) {
        Ok(token) => tokens::userinfo(&state, token).await,
        Err(e) => Err(e),
    };
    bearer_answer(answer.map(|claims| Json(claims).into_response()))
}

/// The answer of an endpoint a bearer token opens: a token refused is 401
/// with its challenge (RFC 6750 §3), other errors as the token endpoint's.
fn bearer_answer(answer: Result<Response>) -> Response {
    let mut response = match answer {
        Ok(response) => no_store(response),
        Err(Error::OAuth(e)) if e.code == OAuthCode::InvalidToken => {
            let mut response = StatusCode::UNAUTHORIZED.into_response();
            let challenge = format!(
                "Bearer error=\"{}\", error_description=\"{}\"",
                e.code.as_str(),
                e.problem
            );
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
            response
        }
        Err(e) => protocol_error(e),
    };
    response
        .headers_mut()
        .insert("access-control-allow-origin", HeaderValue::from_static("*"));
    response
}

/// An application hands its customer to another device: the ticket to
/// show (see `oidc::handoff`): `ticket` (to ask after and answer), `link`
/// and its `qr_svg` (an SVG element for the page), `match_code`, and
/// `expires_in` (seconds left to open it).
async fn handoff_offer(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    let ctx = context(&parts, Caller::System);
    let answer = async {
        let token = bearer(&parts.headers)?;
        let pairs = form_pairs(&parts.headers, &body)?;
        let params = Params::new(&pairs)?;
        let target = params.one("target_link_uri")?;
        let offer = handoff::offer(&state, &ctx, token, target).await?;
        let link = state
            .config
            .link(&format!("{}?token={}", paths::HANDOFF_OPEN, offer.secret));
        let shown = json!({
            "ticket": offer.id,
            "qr_svg": qr_svg(&link, "QR code to continue on another device")?,
            "link": link,
            "match_code": offer.match_code,
            "expires_in": crate::identity::handoff::OPEN_SECONDS,
        });
        Ok((StatusCode::CREATED, Json(shown)).into_response())
    }
    .await;
    bearer_answer(answer)
}

#[derive(serde::Deserialize)]
struct TicketQuery {
    #[serde(default)]
    ticket: String,
}

/// A ticket's id, as the application gives it back.
fn ticket_id(raw: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(raw).map_err(|_| OAuthError::invalid_request("ticket").into())
}

async fn handoff_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<TicketQuery>,
) -> Response {
    let answer = async {
        let token = bearer(&headers)?;
        let status = handoff::status(&state, token, ticket_id(&query.ticket)?).await?;
        Ok(Json(status).into_response())
    }
    .await;
    bearer_answer(answer)
}

async fn handoff_answer(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    let ctx = context(&parts, Caller::System);
    let answer = async {
        let token = bearer(&parts.headers)?;
        let pairs = form_pairs(&parts.headers, &body)?;
        let params = Params::new(&pairs)?;
        let ticket = ticket_id(params.one("ticket")?.unwrap_or_default())?;
        let confirm = match params.one("answer")? {
            Some("confirm") => true,
            Some("refuse") => false,
            _ => return Err(OAuthError::invalid_request("answer").into()),
        };
        let answered = handoff::answer(&state, &ctx, token, ticket, confirm).await?;
        // Nothing to answer: not opened yet, answered, or expired.
        let status = if answered {
            StatusCode::OK
        } else {
            StatusCode::CONFLICT
        };
        Ok((status, Json(json!({ "answered": answered }))).into_response())
    }
    .await;
    bearer_answer(answer)
}

/// Token responses carry credentials: never cached (RFC 6749 §5.1).
fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    response
}

/// An error as the token endpoint answers it (RFC 6749 §5.2).
fn protocol_error(error: Error) -> Response {
    let (status, code, description) = match &error {
        Error::OAuth(e) => (error.status(), e.code.as_str(), e.problem.to_string()),
        Error::Unavailable { .. } | Error::Offline { .. } => (
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            messages::problem_detail(app::Lang::En, &error),
        ),
        // A client held back after failed authentications from here.
        Error::Throttled { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            "invalid_client",
            messages::problem_detail(app::Lang::En, &error),
        ),
        Error::Internal(e) => {
            tracing::error!(error = ?e, "token endpoint failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "Something went wrong on our side.".into(),
            )
        }
        _ => (
            StatusCode::BAD_REQUEST,
            "invalid_request",
            messages::problem_detail(app::Lang::En, &error),
        ),
    };
    let mut response = no_store(
        (
            status,
            Json(json!({ "error": code, "error_description": description })),
        )
            .into_response(),
    );
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"gatehouse\""),
        );
    }
    if let Error::Throttled { retry_after }
    | Error::Unavailable { retry_after }
    | Error::Offline { retry_after } = error
    {
        super::error::retry_after_header(&mut response, retry_after);
    }
    response
}

/// RFC 8628 §3.1: a device asks for a code pair.
async fn device_authorization(
    State(state): State<AppState>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let (ctx, headers) = (context(&parts, Caller::System), &parts.headers);
    let started = async {
        let pairs = form_pairs(headers, &body)?;
        let params = Params::new(&pairs)?;
        let client = authenticated_client(&state, &ctx, headers, &params).await?;
        device::start(&state, &client, &params, state.config.link(paths::DEVICE)).await
    }
    .await;
    match started {
        Ok(started) => no_store(Json(started).into_response()),
        Err(e) => protocol_error(e),
    }
}
