//! The device authorization grant (RFC 8628): a TV, car or console asks
//! for a code pair, shows the short `user_code`, and polls the token
//! endpoint with the long `device_code` while the customer approves on
//! `/device` from a phone or laptop.
//!
//! User codes are eight letters from an alphabet without vowels or
//! look-alikes (RFC 8628 §6.1), shown as `BCDF-GHJK`: 20^8 codes, each
//! living ten minutes, entered only by a signed-in customer.

use super::authorize::requested_scopes;
use super::params::Params;
use crate::audit;
use crate::domain::oidc::{Client, Grant, GrantType, OAuthCode, OAuthError, OAuthProblem};
use crate::domain::secrets::{LinkToken, hash_token};
use crate::domain::{Action, Error, Problem, RequestContext, Result};
use crate::identity::sessions::SignedIn;
use crate::state::AppState;
use crate::store::DevicePoll;
use crate::throttle;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use serde::Serialize;
use serde_json::json;

pub const LIFETIME: i64 = 600;
pub const POLL_INTERVAL: i64 = 5;
const ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

/// The device authorization response (RFC 8628 §3.2).
#[derive(Debug, Serialize)]
pub struct Started {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
    pub expires_in: i64,
    pub interval: i64,
}

/// Starts a device's sign-in; `page` is where customers type the code.
pub async fn start(
    state: &AppState,
    client: &Client,
    params: &Params<'_>,
    page: String,
) -> Result<Started> {
    if !client.allows(GrantType::DeviceCode) {
        return Err(
            OAuthError::new(OAuthCode::UnauthorizedClient, OAuthProblem::GrantNotAllowed).into(),
        );
    }
    let scopes = requested_scopes(params.one("scope")?.unwrap_or("openid"), client)?;
    let device_code = LinkToken::generate();
    let user_code = new_user_code();
    let now = state.clock.now();
    state
        .store
        .insert_device_code(
            &device_code.hash,
            &user_code,
            &client.id,
            &scopes.join(" "),
            POLL_INTERVAL,
            now,
            now + LIFETIME,
        )
        .await?;
    let shown = format!("{}-{}", &user_code[..4], &user_code[4..]);
    Ok(Started {
        device_code: device_code.raw,
        verification_uri_complete: format!("{page}?user_code={shown}"),
        verification_uri: page,
        user_code: shown,
        expires_in: LIFETIME,
        interval: POLL_INTERVAL,
    })
}

fn new_user_code() -> String {
    let mut code = String::with_capacity(8);
    while code.len() < 8 {
        let mut byte = [0u8; 1];
        OsRng.fill_bytes(&mut byte);
        // 240 is a multiple of 20: no letter is likelier than another.
        if byte[0] < 240 {
            code.push(ALPHABET[usize::from(byte[0]) % ALPHABET.len()] as char);
        }
    }
    code
}

/// A user code as typed (any case, with or without the dash or spaces),
/// in its stored form.
pub fn normalize(raw: &str) -> Option<String> {
    let code: String = raw
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == 8 && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// Whether the code a confirmation form carried is `held`, the code this
/// browser is confirming.
pub fn same_user_code(carried: &str, held: &str) -> bool {
    normalize(carried).is_some_and(|c| crate::domain::secrets::constant_time_eq(&c, held))
}

/// A code typed on `/device`: guesses from one address are held back as
/// password guesses are (RFC 8628 §5.1), so the code space cannot be walked.
pub async fn enter(
    state: &AppState,
    ctx: &RequestContext,
    raw: &str,
) -> Result<(Client, Vec<String>, String)> {
    let key = format!("device-code:{}", ctx.ip().unwrap_or("unknown"));
    // Keyed by the address itself, so no account-wide ceiling is needed.
    let attempt = throttle::reserve(state, &key, ctx.ip(), true).await??;
    match pending(state, raw).await {
        Ok(found) => {
            attempt.succeeded(state).await?;
            Ok(found)
        }
        Err(Error::Invalid(problems)) => {
            attempt.failed(state).await?;
            Err(Error::Invalid(problems))
        }
        Err(e) => {
            attempt.give_back(state).await?;
            Err(e)
        }
    }
}

/// The application and scopes a pending user code asks for.
pub async fn pending(state: &AppState, raw: &str) -> Result<(Client, Vec<String>, String)> {
    let invalid = || Error::invalid("user_code", Problem::DeviceCodeUnknown);
    let code = normalize(raw).ok_or_else(invalid)?;
    let (client_id, scope) = state
        .store
        .pending_device_code(&code, state.clock.now())
        .await?
        .ok_or_else(invalid)?;
    let client = state.store.client(&client_id).await?.ok_or_else(invalid)?;
    let scopes = scope.split_whitespace().map(str::to_string).collect();
    Ok((client, scopes, code))
}

/// The signed-in customer approves (or denies) the device showing `raw`.
pub async fn answer(
    state: &AppState,
    ctx: &RequestContext,
    signed_in: &SignedIn,
    raw: &str,
    approve: bool,
) -> Result<Client> {
    let (client, _, code) = pending(state, raw).await?;
    let now = state.clock.now();
    let approved = approve.then_some((
        signed_in.customer.id,
        signed_in.auth_time,
        signed_in.amr.as_str(),
    ));
    if !state.store.answer_device_code(&code, approved, now).await? {
        return Err(Error::invalid("user_code", Problem::DeviceCodeUnknown));
    }
    let action = if approve {
        Action::OidcDeviceApproved
    } else {
        Action::OidcDeviceDenied
    };
    audit::record(
        state,
        ctx,
        action,
        Some(signed_in.customer.id),
        json!({ "client_id": client.id }),
    )
    .await?;
    Ok(client)
}

/// The device's poll: the grant once approved, else the RFC's error.
pub async fn poll(state: &AppState, client: &Client, params: &Params<'_>) -> Result<Grant> {
    let code = params
        .one("device_code")?
        .ok_or_else(|| OAuthError::invalid_request("device_code"))?;
    let refuse = |code, problem| Err(Error::oauth(code, problem));
    match state
        .store
        .poll_device_code(&hash_token(code), &client.id, state.clock.now())
        .await?
    {
        DevicePoll::Approved(grant) => Ok(grant),
        DevicePoll::Pending => refuse(OAuthCode::AuthorizationPending, OAuthProblem::DevicePending),
        DevicePoll::SlowDown => refuse(OAuthCode::SlowDown, OAuthProblem::DeviceSlowDown),
        DevicePoll::Denied => refuse(OAuthCode::AccessDenied, OAuthProblem::Denied),
        DevicePoll::Expired => refuse(OAuthCode::ExpiredToken, OAuthProblem::DeviceCodeExpired),
        DevicePoll::Unknown => refuse(OAuthCode::InvalidGrant, OAuthProblem::DeviceCodeInvalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_typed_forgivingly_and_checked_strictly() {
        let code = new_user_code();
        assert_eq!(code.len(), 8);
        assert_eq!(normalize(&code).as_deref(), Some(code.as_str()));
        assert_eq!(normalize("bcdf-ghjk").as_deref(), Some("BCDFGHJK"));
        assert_eq!(normalize(" BCDF GHJK ").as_deref(), Some("BCDFGHJK"));
        assert_eq!(
            normalize("BCDF-GHJA"),
            None,
            "vowels are not in the alphabet"
        );
        assert_eq!(normalize("BCDF-GHJ"), None);
        assert_eq!(normalize("BCDF-GHJKL"), None);
    }
}
