//! Passkeys (WebAuthn), with webauthn-rs: registering one, using one as a
//! second factor, and signing in with one alone (a discoverable credential:
//! the browser names the account, no email typed).
//!
//! Each ceremony's state (its challenge) is a value the caller keeps (the
//! web layer, in the browser session) for five minutes and hands back,
//! taken, when the answer comes, so an answer is checked once: a replayed
//! or stale one finds no ceremony. The relying
//! party is Gatehouse's public address, which must be a domain name
//! (`localhost` included): browsers refuse passkeys for IP addresses.

use crate::domain::mfa::{FactorKind, MfaProblem};
use crate::domain::{Error, RequestContext, Result};
use crate::state::AppState;
use crate::store::{FactorOwner, NewFactor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Webauthn,
    WebauthnBuilder,
};

/// How long a ceremony waits for the browser's answer.
const CEREMONY_SECONDS: i64 = 300;

#[derive(Serialize, Deserialize)]
enum Stage {
    Register(PasskeyRegistration),
    Verify(PasskeyAuthentication),
    SignIn(DiscoverableAuthentication),
}

/// A ceremony waiting for the browser's answer.
#[derive(Serialize, Deserialize)]
pub struct Ceremony {
    /// Whose ceremony (none for signing in, where the passkey says).
    owner: Option<FactorOwner>,
    started_at: i64,
    stage: Stage,
}

/// The relying party: Gatehouse's public address.
fn relying_party(state: &AppState) -> Result<Webauthn> {
    let origin = &state.config.public_url;
    let unavailable = || Error::Conflict(MfaProblem::PasskeysUnavailable.into());
    let rp_id = origin.domain().ok_or_else(unavailable)?;
    WebauthnBuilder::new(rp_id, origin)
        .and_then(|b| b.rp_name("Gatehouse").build())
        .map_err(|_| unavailable())
}

/// Whether passkeys can work here (a domain name, not an IP address).
pub fn available(state: &AppState) -> bool {
    relying_party(state).is_ok()
}

fn refused() -> Error {
    Error::invalid("passkey", MfaProblem::PasskeyRefused)
}

/// The ceremony an answer belongs to, while it is recent enough.
fn live(state: &AppState, ceremony: Option<Ceremony>) -> Result<Ceremony> {
    ceremony
        .filter(|c| state.clock.now() - c.started_at < CEREMONY_SECONDS)
        .ok_or_else(|| Error::invalid("passkey", MfaProblem::CeremonyExpired))
}

fn to_json(value: &impl Serialize) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::Internal(e.into()))
}

fn stored(passkey: &str) -> Result<Passkey> {
    serde_json::from_str(passkey).map_err(|e| Error::Internal(e.into()))
}

/// The owner's passkeys, as webauthn-rs records.
async fn passkeys_of(state: &AppState, owner: FactorOwner) -> Result<Vec<(Uuid, Passkey)>> {
    state
        .store
        .passkeys(owner)
        .await?
        .into_iter()
        .map(|p| Ok((p.id, stored(&p.passkey)?)))
        .collect()
}

/// The options for registering a passkey for `owner` (`user`: their id,
/// email and name, which the authenticator shows). Passkeys already
/// registered are excluded, and the credential must be discoverable, so
/// it can sign in without an email.
pub async fn register_options(
    state: &AppState,
    owner: FactorOwner,
    (user, email, name): (Uuid, &str, &str),
) -> Result<(Value, Ceremony)> {
    let rp = relying_party(state)?;
    let existing = passkeys_of(state, owner).await?;
    let exclude = existing.iter().map(|(_, p)| p.cred_id().clone()).collect();
    let (options, registration) = rp
        .start_passkey_registration(user, email, name, Some(exclude))
        .map_err(|e| Error::Internal(anyhow::anyhow!("passkey registration: {e}")))?;
    let mut options = to_json(&options)?;
    if let Some(selection) = options.pointer_mut("/publicKey/authenticatorSelection") {
        selection["residentKey"] = "required".into();
        selection["requireResidentKey"] = true.into();
    }
    let ceremony = Ceremony {
        owner: Some(owner),
        started_at: state.clock.now(),
        stage: Stage::Register(registration),
    };
    Ok((options, ceremony))
}

/// Checks the browser's answer to the registration and stores the passkey
/// as `name`; returns its factor id.
pub async fn register(
    state: &AppState,
    ceremony: Option<Ceremony>,
    owner: FactorOwner,
    name: &str,
    answer: &str,
) -> Result<Uuid> {
    let ceremony = live(state, ceremony)?;
    let (Some(for_owner), Stage::Register(registration)) = (ceremony.owner, ceremony.stage) else {
        return Err(Error::invalid("passkey", MfaProblem::CeremonyExpired));
    };
    if for_owner != owner {
        return Err(refused());
    }
    let credential: RegisterPublicKeyCredential =
        serde_json::from_str(answer).map_err(|_| refused())?;
    let passkey = relying_party(state)?
        .finish_passkey_registration(&credential, &registration)
        .map_err(|e| {
            tracing::info!(error = %e, "passkey registration refused");
            refused()
        })?;
    let id = Uuid::now_v7();
    let record = serde_json::to_string(&passkey).map_err(|e| Error::Internal(e.into()))?;
    let stored = state
        .store
        .insert_factor(&NewFactor {
            id,
            owner,
            kind: FactorKind::Passkey,
            name,
            totp: None,
            passkey: Some((passkey.cred_id().as_ref(), &record)),
            now: state.clock.now(),
        })
        .await?;
    // The same credential registered twice (or by another account).
    if !stored {
        return Err(refused());
    }
    Ok(id)
}

/// The options for using one of `owner`'s passkeys as a second factor.
pub async fn verify_options(state: &AppState, owner: FactorOwner) -> Result<(Value, Ceremony)> {
    let rp = relying_party(state)?;
    let passkeys: Vec<Passkey> = passkeys_of(state, owner)
        .await?
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    if passkeys.is_empty() {
        return Err(Error::invalid("passkey", MfaProblem::FactorGone));
    }
    let (options, authentication) = rp
        .start_passkey_authentication(&passkeys)
        .map_err(|e| Error::Internal(anyhow::anyhow!("passkey authentication: {e}")))?;
    let ceremony = Ceremony {
        owner: Some(owner),
        started_at: state.clock.now(),
        stage: Stage::Verify(authentication),
    };
    Ok((to_json(&options)?, ceremony))
}

/// Checks the browser's answer: one of `owner`'s passkeys signed this
/// ceremony's challenge, with user verification. A refused answer is on
/// the audit trail, like a wrong code.
pub async fn verify(
    state: &AppState,
    ctx: &RequestContext,
    ceremony: Option<Ceremony>,
    owner: FactorOwner,
    answer: &str,
) -> Result<()> {
    let checked = check_answer(state, ceremony, owner, answer).await;
    match &checked {
        Ok(()) => state.metrics.mfa_check("passkey", "passed"),
        Err(Error::Invalid(_)) => {
            state.metrics.mfa_check("passkey", "wrong");
            super::check::failed(state, ctx, owner, FactorKind::Passkey, false).await?;
        }
        Err(_) => {}
    }
    checked
}

async fn check_answer(
    state: &AppState,
    ceremony: Option<Ceremony>,
    owner: FactorOwner,
    answer: &str,
) -> Result<()> {
    let ceremony = live(state, ceremony)?;
    let (Some(for_owner), Stage::Verify(authentication)) = (ceremony.owner, ceremony.stage) else {
        return Err(Error::invalid("passkey", MfaProblem::CeremonyExpired));
    };
    if for_owner != owner {
        return Err(refused());
    }
    let credential: PublicKeyCredential = serde_json::from_str(answer).map_err(|_| refused())?;
    let result = relying_party(state)?
        .finish_passkey_authentication(&credential, &authentication)
        .map_err(|e| {
            tracing::info!(error = %e, "passkey refused");
            refused()
        })?;
    // Removed since the ceremony began: no longer a factor.
    let mut passkeys = passkeys_of(state, owner).await?;
    let Some((id, passkey)) = passkeys
        .iter_mut()
        .find(|(_, p)| p.cred_id() == result.cred_id())
    else {
        return Err(refused());
    };
    passkey.update_credential(&result);
    used(state, *id, passkey).await
}

async fn used(state: &AppState, id: Uuid, passkey: &Passkey) -> Result<()> {
    let record = serde_json::to_string(passkey).map_err(|e| Error::Internal(e.into()))?;
    if !state
        .store
        .passkey_used(id, &record, state.clock.now())
        .await?
    {
        return Err(refused());
    }
    Ok(())
}

/// The options for signing in with a passkey alone: no account named, the
/// browser offers the passkeys it holds for Gatehouse.
pub async fn sign_in_options(state: &AppState) -> Result<(Value, Ceremony)> {
    let rp = relying_party(state)?;
    let (options, authentication) = rp
        .start_discoverable_authentication()
        .map_err(|e| Error::Internal(anyhow::anyhow!("passkey sign-in: {e}")))?;
    let ceremony = Ceremony {
        owner: None,
        started_at: state.clock.now(),
        stage: Stage::SignIn(authentication),
    };
    Ok((to_json(&options)?, ceremony))
}

/// Checks a passkey sign-in: the passkey the browser chose is registered,
/// belongs to the account its user handle names, and signed this
/// ceremony's challenge. Returns its owner.
pub async fn sign_in(
    state: &AppState,
    ceremony: Option<Ceremony>,
    answer: &str,
) -> Result<FactorOwner> {
    let ceremony = live(state, ceremony)?;
    let Stage::SignIn(authentication) = ceremony.stage else {
        return Err(Error::invalid("passkey", MfaProblem::CeremonyExpired));
    };
    let credential: PublicKeyCredential = serde_json::from_str(answer).map_err(|_| refused())?;
    let rp = relying_party(state)?;
    let (user, credential_id) = rp
        .identify_discoverable_authentication(&credential)
        .map_err(|_| refused())?;
    let Some(found) = state.store.passkey_by_credential(credential_id).await? else {
        return Err(refused());
    };
    let owner_id = match found.owner {
        FactorOwner::Customer(c) => c.0,
        FactorOwner::Admin(a) => a.0,
    };
    if owner_id != user {
        return Err(refused());
    }
    let mut passkey = stored(&found.passkey)?;
    let key = DiscoverableKey::from(&passkey);
    let result = rp
        .finish_discoverable_authentication_v2(&credential, authentication, &key)
        .map_err(|e| {
            tracing::info!(error = %e, "passkey sign-in refused");
            refused()
        })?;
    passkey.update_credential(&result);
    used(state, found.id, &passkey).await?;
    Ok(found.owner)
}

/// A passkey's name from the device that made it (the browser's
/// user-agent), for the factor list.
pub fn name_for(user_agent: Option<&str>) -> String {
    let ua = user_agent.unwrap_or_default();
    let device = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Mac OS", "Mac"),
        ("Windows", "Windows"),
        ("CrOS", "Chromebook"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| name);
    match device {
        Some(device) => format!("Passkey on {device}"),
        None => "Passkey".to_string(),
    }
}
