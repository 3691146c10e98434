//! Handing a customer from an application on one device to the same place
//! of it on another ("continue this chat on your phone").
//!
//! The application asks server to server, with the customer's access
//! token, naming the page to continue on (`target_link_uri`, on one of its
//! registered addresses). Gatehouse offers the session the token was
//! granted in, as "Continue on another device" does, and answers with the
//! link, its QR code and the match code for the application to show. The
//! application, which holds that session on the first device, asks where
//! the ticket stands and confirms or refuses there. Once in, the other
//! device is sent to the application's login initiation address (OpenID
//! Connect Core §4: `iss`, `login_hint`, `target_link_uri`), where the
//! application's ordinary code flow finds it signed in: no password.

use super::issuer;
use super::tokens::verify_access_token;
use crate::domain::oidc::{Client, OAuthCode, OAuthError, OAuthProblem};
use crate::domain::{Caller, Error, RequestContext, Result};
use crate::identity::handoff::{self, AtSource, Offer};
use crate::identity::sessions::{self, SignedIn};
use crate::identity::signin::Purpose;
use crate::state::AppState;
use uuid::Uuid;

/// Where a ticket stands, as the application is told.
#[derive(Debug, serde::Serialize)]
pub struct AppTicket {
    /// `waiting`, `opened`, `confirmed`, `refused` or `gone`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_code: Option<String>,
    /// The device that opened it, in words ("Safari on iPhone").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Once confirmed: whether the other device is signed in yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_in: Option<bool>,
}

/// The application behind `token` and the customer's session it was
/// granted in, while that lasts.
async fn session_of(state: &AppState, token: &str) -> Result<(Client, SignedIn)> {
    let access = verify_access_token(state, token).await?;
    let ended = || Error::oauth(OAuthCode::InvalidToken, OAuthProblem::SessionEnded);
    // A client's own token (client credentials) speaks for no customer.
    let family = access
        .gid
        .ok_or_else(|| Error::oauth(OAuthCode::InvalidToken, OAuthProblem::BearerToken))?;
    let session = state.store.grant_session(family).await?.ok_or_else(ended)?;
    let signed_in = sessions::live(state, session).await?.ok_or_else(ended)?;
    if signed_in.customer.id.to_string() != access.sub {
        return Err(ended());
    }
    let client = super::clients::find(state, &access.client_id).await?;
    Ok((client, signed_in))
}

/// The application offers its customer's session to another device, to
/// continue at `target_link_uri`: the ticket, to show as a link and QR code.
pub async fn offer(
    state: &AppState,
    ctx: &RequestContext,
    token: &str,
    target_link_uri: Option<&str>,
) -> Result<Offer> {
    let (client, signed_in) = session_of(state, token).await?;
    let initiate = client.initiate_login_uri.as_deref().ok_or_else(|| {
        Error::oauth(
            OAuthCode::UnauthorizedClient,
            OAuthProblem::NoInitiateLoginUri,
        )
    })?;
    let target = target_link_uri
        .filter(|t| registered_address(&client, t))
        .ok_or_else(|| OAuthError::invalid_request("target_link_uri"))?;
    let mut to = url::Url::parse(initiate).map_err(|e| Error::Internal(e.into()))?;
    to.query_pairs_mut()
        .append_pair("iss", &issuer(state))
        .append_pair("login_hint", signed_in.customer.email.as_str())
        .append_pair("target_link_uri", target);
    let ctx = ctx.acting_as(Caller::Customer(signed_in.customer.id));
    let purpose = Purpose::App(to.to_string());
    handoff::offer_for(state, &ctx, &signed_in, &purpose).await
}

/// Where the application's ticket stands.
pub async fn status(state: &AppState, token: &str, ticket: Uuid) -> Result<AppTicket> {
    let (_, signed_in) = session_of(state, token).await?;
    let at = handoff::at_source(state, &signed_in, ticket).await?;
    let ticket = |status| AppTicket {
        status,
        match_code: None,
        device: None,
        ip: None,
        signed_in: None,
    };
    Ok(match at {
        AtSource::Waiting { match_code, .. } => AppTicket {
            match_code: Some(match_code),
            ..ticket("waiting")
        },
        AtSource::Opened {
            match_code,
            device,
            ip,
        } => AppTicket {
            match_code: Some(match_code),
            device: Some(device),
            ip,
            ..ticket("opened")
        },
        AtSource::Confirmed { device, signed_in } => AppTicket {
            device: Some(device),
            signed_in: Some(signed_in),
            ..ticket("confirmed")
        },
        AtSource::Refused { device } => AppTicket {
            device: Some(device),
            ..ticket("refused")
        },
        AtSource::Gone => ticket("gone"),
    })
}

/// The application answers for the customer, on the device that holds the
/// session: false when there was nothing to answer.
pub async fn answer(
    state: &AppState,
    ctx: &RequestContext,
    token: &str,
    ticket: Uuid,
    confirm: bool,
) -> Result<bool> {
    let (_, signed_in) = session_of(state, token).await?;
    let ctx = ctx.acting_as(Caller::Customer(signed_in.customer.id));
    handoff::answer(state, &ctx, &signed_in, ticket, confirm).await
}

/// Whether `target` is on one of the application's own addresses: the
/// origin of its login initiation address or of a redirect URI.
fn registered_address(client: &Client, target: &str) -> bool {
    let Ok(target) = url::Url::parse(target) else {
        return false;
    };
    if !matches!(target.scheme(), "https" | "http") || target.fragment().is_some() {
        return false;
    }
    client
        .initiate_login_uri
        .iter()
        .chain(&client.redirect_uris)
        .filter_map(|registered| url::Url::parse(registered).ok())
        .any(|registered| registered.origin() == target.origin())
}
