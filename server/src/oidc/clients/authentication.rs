//! Authenticating an application at the token, revocation and
//! introspection endpoints: HTTP Basic or the secret in the form, a
//! private_key_jwt assertion, or a public client's id alone. A registered
//! client's failures are on the audit trail and the throttle.
//!
//! Digests are compared in constant time, every live one of the client in
//! turn (two live during a rotation's overlap).

use super::cached;
use crate::audit;
use crate::domain::links as paths;
use crate::domain::oidc::{Client, ClientAuth, OAuthCode, OAuthError, OAuthProblem};
use crate::domain::secrets::hash_token;
use crate::domain::{Action, Error, RequestContext, Result};
use crate::oidc::assertion::{self, ASSERTION_TYPE, AssertionProblem};
use crate::oidc::params::Params;
use crate::state::AppState;
use crate::throttle::{self, AfterFailure};
use base64::Engine;
use serde_json::json;
use subtle::ConstantTimeEq;

/// How a client identified itself at a protocol endpoint.
pub struct Presented {
    pub client_id: String,
    pub credential: Credential,
}

pub enum Credential {
    /// A public client: its id alone.
    None,
    /// `client_secret_basic` or `client_secret_post`.
    Secret(String),
    /// `private_key_jwt`: a signed JWT (RFC 7523).
    Assertion(String),
}

/// Reads how a protocol request authenticates: HTTP Basic, the secret in
/// the form, a client assertion, or (a public client) the id alone. One
/// way per request (RFC 6749 §2.3).
pub fn presented(
    authorization: Option<&str>,
    params: &Params<'_>,
) -> std::result::Result<Presented, OAuthError> {
    let refused = || OAuthError::new(OAuthCode::InvalidClient, OAuthProblem::ClientAuthentication);
    let form_id = params.one("client_id")?;
    let form_secret = params.one("client_secret")?;
    let assertion_type = params.one("client_assertion_type")?;
    let assertion = params.one("client_assertion")?;
    let ways = [
        authorization.is_some(),
        form_secret.is_some(),
        assertion_type.is_some() || assertion.is_some(),
    ];
    if ways.iter().filter(|w| **w).count() > 1 {
        return Err(OAuthError::invalid_request("client_secret"));
    }
    let presented = if let Some(header) = authorization {
        from_basic_header(header).ok_or_else(refused)?
    } else if assertion_type.is_some() || assertion.is_some() {
        let (Some(ASSERTION_TYPE), Some(jwt)) = (assertion_type, assertion) else {
            return Err(OAuthError::invalid_request("client_assertion_type"));
        };
        Presented {
            client_id: form_id
                .map(str::to_string)
                .or_else(|| crate::oidc::assertion::claimed_client(jwt))
                .unwrap_or_default(),
            credential: Credential::Assertion(jwt.to_string()),
        }
    } else {
        Presented {
            client_id: form_id.unwrap_or_default().to_string(),
            credential: form_secret.map_or(Credential::None, |s| Credential::Secret(s.to_string())),
        }
    };
    if form_id.is_some_and(|id| id != presented.client_id) {
        return Err(OAuthError::invalid_request("client_id"));
    }
    Ok(presented)
}

/// Authenticates the client a protocol request names. Failed attempts of a
/// registered client are counted on the sign-in throttle (under the key
/// `client:<id>`, per source address, network and overall) and audited, as
/// password guesses are. A source already seen failing for this client on
/// this instance is held back *before* its credential is checked; a client
/// that authenticates cleanly never touches the throttle, so the token
/// endpoint's common path writes nothing for it.
pub async fn authenticate(
    state: &AppState,
    ctx: &RequestContext,
    presented: &Presented,
) -> Result<Client> {
    let id = &presented.client_id;
    let source = ctx.ip();
    let account = format!("client:{id}");
    let suspect = state.failing_clients.seen(id, source);
    let held = if suspect {
        match throttle::reserve(state, &account, source, false).await? {
            Ok(attempt) => Some(attempt),
            Err(refused) => return Err(refused.into()),
        }
    } else {
        None
    };
    let checked = check_credential(state, presented).await;
    let known = matches!(&checked, Err(Error::OAuth(e)) if e.code == OAuthCode::InvalidClient)
        && cached(state, id).await?.client.is_some();
    match (&checked, held) {
        (Ok(_), Some(attempt)) => {
            attempt.succeeded(state).await?;
            state.failing_clients.forgive(id, source);
        }
        (Err(_), held) if known => {
            let attempt = match held {
                Some(attempt) => Some(attempt),
                None => throttle::reserve(state, &account, source, false)
                    .await?
                    .ok(),
            };
            let blocked = match attempt {
                Some(attempt) => matches!(attempt.failed(state).await?, AfterFailure::Blocked),
                None => true,
            };
            state.failing_clients.failed(id, source);
            let details = json!({ "client_id": id, "blocked": blocked });
            audit::record(state, ctx, Action::OidcClientAuthFailed, None, details).await?;
        }
        (Err(_), Some(attempt)) => attempt.give_back(state).await?,
        _ => {}
    }
    checked
}

/// The enabled client the credentials prove, or `invalid_client`.
async fn check_credential(state: &AppState, presented: &Presented) -> Result<Client> {
    let refused = |problem| Error::oauth(OAuthCode::InvalidClient, problem);
    let id = &presented.client_id;
    if id.is_empty() || id.len() > 64 {
        return Err(refused(OAuthProblem::ClientAuthentication));
    }
    let entry = cached(state, id).await?;
    let Some(client) = entry.client.as_ref().filter(|c| c.enabled) else {
        return Err(refused(OAuthProblem::ClientAuthentication));
    };
    let now = state.clock.now();
    match (&presented.credential, client.auth()) {
        (Credential::None, ClientAuth::None) => Ok(client.clone()),
        (Credential::Secret(secret), ClientAuth::ClientSecret) => {
            let digest = hash_token(secret);
            // Every live digest is compared, so the time taken does not
            // say which (if any) matched.
            let matched = entry
                .secret_digests
                .iter()
                .filter(|(_, until)| until.is_none_or(|until| until > now))
                .fold(subtle::Choice::from(0), |found, (stored, _)| {
                    found | stored.ct_eq(&digest)
                });
            if bool::from(matched) {
                Ok(client.clone())
            } else {
                Err(refused(OAuthProblem::ClientAuthentication))
            }
        }
        (Credential::Assertion(jwt), ClientAuth::PrivateKeyJwt) => {
            let keys = entry
                .keys
                .as_ref()
                .ok_or_else(|| refused(OAuthProblem::ClientAuthentication))?;
            let verified = assertion::verify(jwt, &client.id, keys, &audiences(state), now)
                .map_err(|p| refused(OAuthProblem::ClientAssertion(p)))?;
            if !state
                .store
                .spend_assertion(&client.id, &verified.jti, verified.expires_at)
                .await?
            {
                return Err(refused(OAuthProblem::ClientAssertion(
                    AssertionProblem::Replayed,
                )));
            }
            Ok(client.clone())
        }
        _ => Err(refused(OAuthProblem::ClientAuthentication)),
    }
}

/// What a client assertion may be addressed to: the issuer, or the
/// endpoint it is presented at (libraries differ).
fn audiences(state: &AppState) -> Vec<String> {
    let mut audiences = vec![crate::oidc::issuer(state)];
    for path in [paths::TOKEN, paths::REVOKE, paths::INTROSPECT] {
        audiences.push(state.config.link(path));
    }
    audiences
}

/// A client secret from an HTTP Basic `Authorization` header (RFC 6749
/// §2.3.1: both parts form-urlencoded, then base64).
pub fn from_basic_header(value: &str) -> Option<Presented> {
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some(Presented {
        client_id: unescape(id)?,
        credential: Credential::Secret(unescape(secret)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        use base64::engine::general_purpose::STANDARD;
        let header = format!("Basic {}", STANDARD.encode("my%3Aapp:s%2Bcret"));
        let presented = from_basic_header(&header).unwrap();
        assert_eq!(presented.client_id, "my:app");
        assert!(matches!(presented.credential, Credential::Secret(s) if s == "s+cret"));
        assert!(from_basic_header("Bearer abc").is_none());
        assert!(from_basic_header("Basic !!!").is_none());
        assert!(from_basic_header(&format!("Basic {}", STANDARD.encode("nocolon"))).is_none());
    }

    mod properties {
        use super::super::from_basic_header;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn basic_headers_never_panic(raw in "\\PC{0,200}") {
                let _ = from_basic_header(&raw);
                let _ = from_basic_header(&format!("Basic {raw}"));
            }
        }
    }
}
