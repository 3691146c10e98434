//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): an
//! application sends the customer here to sign out of Gatehouse, then
//! back to one of its registered post-logout addresses.
//!
//! An `id_token_hint` this Gatehouse signed (an expired one too) names the
//! application and the customer; when that customer is the one signed in,
//! the sign-out happens at once. Otherwise the customer is asked first, so
//! that a link on another site cannot sign anyone out.

use super::issuer;
use super::params::Params;
use crate::domain::oidc::{Client, OAuthCode, OAuthError, OAuthProblem};
use crate::domain::{Error, Result};
use crate::identity::sessions::SignedIn;
use crate::signing::jwt_algorithm;
use crate::state::AppState;
use serde::Deserialize;

/// A sound logout request.
pub struct LogoutRequest {
    /// Where to send the browser afterwards (with `state`), if anywhere.
    pub return_to: Option<String>,
    pub client: Option<Client>,
    /// The customer the hint names.
    pub hinted_subject: Option<String>,
}

impl LogoutRequest {
    /// Whether the customer signed in here is the one the application
    /// named: then no question is needed.
    pub fn confirmed_by_hint(&self, signed_in: Option<&SignedIn>) -> bool {
        match (signed_in, &self.hinted_subject) {
            (Some(s), Some(sub)) => s.customer.id.to_string() == *sub,
            (None, _) => true,
            _ => false,
        }
    }
}

#[derive(Deserialize)]
struct HintClaims {
    sub: String,
    aud: String,
}

pub async fn parse(state: &AppState, pairs: &[(String, String)]) -> Result<LogoutRequest> {
    let params = Params::new(pairs)?;
    let hint = match params.one("id_token_hint")? {
        Some(token) => Some(read_hint(state, token).await?),
        None => None,
    };
    let client_id = match (params.one("client_id")?, &hint) {
        (Some(id), Some(h)) if id != h.aud => {
            return Err(OAuthError::invalid_request("client_id").into());
        }
        (Some(id), _) => Some(id.to_string()),
        (None, Some(h)) => Some(h.aud.clone()),
        (None, None) => None,
    };
    let client = match &client_id {
        Some(id) => Some(super::clients::find(state, id).await?),
        None => None,
    };
    let return_to = match params.one("post_logout_redirect_uri")? {
        None => None,
        Some(uri) => {
            // Only to an address the application registered for this.
            let registered = client
                .as_ref()
                .is_some_and(|c| c.post_logout_redirect_uris.iter().any(|r| r == uri));
            if !registered {
                return Err(
                    OAuthError::new(OAuthCode::InvalidRequest, OAuthProblem::RedirectUri).into(),
                );
            }
            let mut url = url::Url::parse(uri)
                .map_err(|_| OAuthError::invalid_request("post_logout_redirect_uri"))?;
            if let Some(s) = params.one("state")? {
                url.query_pairs_mut().append_pair("state", s);
            }
            Some(url.to_string())
        }
    };
    Ok(LogoutRequest {
        return_to,
        client,
        hinted_subject: hint.map(|h| h.sub),
    })
}

/// The customer an `id_token_hint` names (an ID token this Gatehouse
/// signed, expired or not); an invalid hint is an invalid request.
pub async fn hinted_subject(state: &AppState, token: &str) -> Result<String> {
    Ok(read_hint(state, token).await?.sub)
}

/// An ID token this Gatehouse signed, expired or not.
async fn read_hint(state: &AppState, token: &str) -> Result<HintClaims> {
    let invalid = || Error::from(OAuthError::invalid_request("id_token_hint"));
    let header = jsonwebtoken::decode_header(token).map_err(|_| invalid())?;
    let kid = header.kid.ok_or_else(invalid)?;
    let keys = state.signing_keys().await?;
    let (alg, key) = keys.verifier(&kid).ok_or_else(invalid)?;
    let mut validation = jsonwebtoken::Validation::new(jwt_algorithm(*alg));
    validation.set_issuer(&[issuer(state)]);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["iss", "sub", "aud"]);
    let data =
        jsonwebtoken::decode::<HintClaims>(token, key, &validation).map_err(|_| invalid())?;
    Ok(data.claims)
}
