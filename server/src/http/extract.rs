//! Extractors that hand handlers the caller: the browser session, the
//! request context (who acts, from where, which request), and the signed-in
//! customer where a page requires one.

use super::assets::{SCRIPT_HREF, STYLESHEET_HREF};
use super::csrf;
use crate::domain::SignedIn;
use crate::domain::{Caller, Error, Problem, RequestContext};
use crate::http::browser::{self, keys};
use crate::state::AppState;
use app::{Chrome, Lang};
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;
use uuid::Uuid;

/// The id of one request, made when it arrives: on its log lines, its
/// audit records and the `x-request-id` response header.
#[derive(Copy, Clone, Debug)]
pub struct RequestId(pub Uuid);

/// Gives every request its id (never the client's: it would be trusted
/// into logs and the audit trail).
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = Uuid::now_v7();
    req.extensions_mut().insert(RequestId(id));
    let mut response = next.run(req).await;
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// The context of a request made by `caller`.
pub fn context(parts: &Parts, caller: Caller) -> RequestContext {
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let request_id = parts
        .extensions
        .get::<RequestId>()
        .map_or_else(Uuid::now_v7, |r| r.0);
    RequestContext::new(caller, peer_ip(parts), user_agent, request_id)
}

fn peer_ip(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<ClientAddress>()
        .map(|client| client.0.to_string())
}

/// The address of the client a request comes from: the peer, or behind
/// trusted proxies the address they forwarded (see `config::Abuse`).
#[derive(Copy, Clone, Debug)]
pub struct ClientAddress(pub std::net::IpAddr);

/// Finds the client's address once per request, for the request context
/// and every throttle.
pub async fn client_address(
    config: std::sync::Arc<crate::config::Config>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(peer) = peer {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        let client = config.abuse.client_address(peer, forwarded);
        req.extensions_mut().insert(ClientAddress(client));
    }
    next.run(req).await
}

/// Answers 503 with Retry-After when a request takes longer than `limit`
/// (a stuck database, a flood): the client learns to retry instead of
/// holding a connection open forever.
pub async fn time_limit(limit: std::time::Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(?limit, "request timed out");
            Error::Unavailable { retry_after: 5 }.into_response()
        }
    }
}

/// Any visitor of the customer pages, signed in or not.
pub struct Visitor {
    pub session: Session,
    pub signed_in: Option<SignedIn>,
    pub ctx: RequestContext,
    /// The CSRF token of a browser without a session (see `csrf`).
    pub visitor_token: Option<csrf::VisitorToken>,
    /// The language pages speak to this visitor.
    pub lang: Lang,
    /// This request's path and query (the language menu comes back here).
    pub here: String,
}

impl Visitor {
    /// What every page needs: stylesheet, CSRF token and who is signed in.
    pub async fn chrome(&self) -> Result<Chrome, Error> {
        Ok(Chrome {
            stylesheet: STYLESHEET_HREF.into(),
            csrf_token: csrf::token(&self.session, self.visitor_token.as_ref()).await?,
            customer_name: self
                .signed_in
                .as_ref()
                .map(|s| s.customer.display_name.as_str().to_string()),
            script: Some(SCRIPT_HREF.into()),
            lang: self.lang,
            here: self.here.clone(),
            app: browser::pending_authorization(&self.session)
                .await?
                .and_then(|pending| pending.badge()),
        })
    }

    /// The language to speak when this very request asks for `asked` (an
    /// application's `ui_locales`): the customer's saved one still wins.
    pub fn speaking(&self, asked: Lang) -> Lang {
        saved_lang(self.signed_in.as_ref()).unwrap_or(asked)
    }

    /// The chrome of a page drawn in answer to a form posted elsewhere than
    /// the page's own address (the language menu comes back to `page`).
    pub async fn chrome_at(&self, page: &str) -> Result<Chrome, Error> {
        Ok(Chrome {
            here: page.into(),
            ..self.chrome().await?
        })
    }

    /// Leaves a one-time message for the next page (POST-redirect-GET).
    pub async fn flash(&self, message: &str) -> Result<(), Error> {
        flash(&self.session, message).await
    }

    pub async fn take_flash(&self) -> Result<Option<String>, Error> {
        take_flash(&self.session).await
    }
}

/// Stores a one-time message in whichever session (customer or console) it is given.
pub async fn flash(session: &Session, message: &str) -> Result<(), Error> {
    browser::put(session, keys::FLASH, message).await
}

pub async fn take_flash(session: &Session) -> Result<Option<String>, Error> {
    browser::take(session, keys::FLASH).await
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let signed_in = browser::current(state, &session)
            .await
            .map_err(IntoResponse::into_response)?;
        let caller = signed_in
            .as_ref()
            .map_or(Caller::Visitor, |s| Caller::Customer(s.customer.id));
        let lang = lang(parts, &session, signed_in.as_ref())
            .await
            .map_err(IntoResponse::into_response)?;
        let mut ctx = context(parts, caller);
        ctx.lang = Some(lang.tag());
        super::speaking::heard(lang);
        Ok(Self {
            ctx,
            session,
            signed_in,
            visitor_token: parts.extensions.get().cloned(),
            lang,
            here: parts
                .uri
                .path_and_query()
                .map_or_else(|| "/".to_string(), |p| p.as_str().to_string()),
        })
    }
}

/// The language to speak: the customer's saved preference, else what this
/// browser asked for (the language menu, an application's `ui_locales`),
/// else its `Accept-Language`, else English.
async fn lang(
    parts: &Parts,
    session: &Session,
    signed_in: Option<&SignedIn>,
) -> Result<Lang, Error> {
    if let Some(saved) = saved_lang(signed_in) {
        return Ok(saved);
    }
    if let Some(chosen) = browser::chosen_lang(session).await? {
        return Ok(chosen);
    }
    Ok(parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
        .unwrap_or_default())
}

/// The language the signed-in customer saved, if any: it beats every other
/// wish.
fn saved_lang(signed_in: Option<&SignedIn>) -> Option<Lang> {
    signed_in
        .and_then(|s| s.customer.locale.as_deref())
        .and_then(Lang::from_tag)
}

/// A visitor who must be signed in; others are sent to the sign-in page.
pub struct Customer(pub Visitor);

impl Customer {
    pub fn signed_in(&self) -> &SignedIn {
        self.0.signed_in.as_ref().expect("checked by the extractor")
    }
}

impl FromRequestParts<AppState> for Customer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        if visitor.signed_in.is_none() {
            return Err(Redirect::to(app::paths::SIGN_IN).into_response());
        }
        // Progressive profiling: until the customer gives what the
        // organisation requires, every customer page leads to that form.
        let incomplete = browser::profile_incomplete(&visitor.session)
            .await
            .map_err(IntoResponse::into_response)?;
        if incomplete && parts.uri.path() != app::paths::COMPLETE_PROFILE {
            return Err(Redirect::to(app::paths::COMPLETE_PROFILE).into_response());
        }
        Ok(Self(visitor))
    }
}

/// `axum::Form`, with a malformed body answered by a readable error page.
pub struct FormData<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for FormData<T>
where
    axum::Form<T>:
        axum::extract::FromRequest<S, Rejection = axum::extract::rejection::FormRejection>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Self(value)),
            Err(rejection) => Err(Error::BadRequest(Problem::UnreadableForm(
                rejection.body_text(),
            ))),
        }
    }
}

/// The cookie that lets a remembered browser skip the second factor (set
/// by sign-in's second step, read by the sign-in form).
pub const REMEMBER_COOKIE: &str = "gatehouse_mfa_remember";

/// The remember-me token this browser sent, if any.
pub fn remembered(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == REMEMBER_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| crate::domain::secrets::looks_like_token(v))
}
