//! Passkeys (WebAuthn), with webauthn-rs: registering one, using one as a
//! second factor, and signing in with one alone (a discoverable credential:
//! the browser names the account, no email typed).
//!
//! Each ceremony's state (its challenge) is kept in the browser session
//! for five minutes and taken when the answer comes, so an answer is
//! checked once: a replayed or stale one finds no ceremony. The relying
//! party is Gatehouse's public address, which must be a domain name
//! (`localhost` included): browsers refuse passkeys for IP addresses.

use crate::domain::mfa::{FactorKind, MfaProblem};
use crate::domain::{Error, Result};
use crate::identity::sessions::{self, keys};
use crate::state::AppState;
use crate::store::{FactorOwner, NewFactor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_sessions::Session;
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

#[derive(Serialize, Deserialize)]
struct Ceremony {
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

async fn begin(session: &Session, ceremony: Ceremony) -> Result<()> {
    sessions::put(session, keys::PASSKEY_CEREMONY, ceremony).await
}

/// Takes this browser's ceremony: a second answer finds none.
async fn take(state: &AppState, session: &Session) -> Result<Ceremony> {
    let ceremony = sessions::take::<Ceremony>(session, keys::PASSKEY_CEREMONY).await?;
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
    session: &Session,
    owner: FactorOwner,
    (user, email, name): (Uuid, &str, &str),
) -> Result<Value> {
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
    begin(session, ceremony).await?;
    Ok(options)
}

/// Checks the browser's answer to the registration and stores the passkey
/// as `name`; returns its factor id.
pub async fn register(
    state: &AppState,
    session: &Session,
    owner: FactorOwner,
    name: &str,
    answer: &str,
) -> Result<Uuid> {
    let ceremony = take(state, session).await?;
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
pub async fn verify_options(
    state: &AppState,
    session: &Session,
    owner: FactorOwner,
) -> Result<Value> {
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
    begin(session, ceremony).await?;
    to_json(&options)
}

/// Checks the browser's answer: one of `owner`'s passkeys signed this
/// ceremony's challenge, with user verification.
pub async fn verify(
    state: &AppState,
    session: &Session,
    owner: FactorOwner,
    answer: &str,
) -> Result<()> {
    let ceremony = take(state, session).await?;
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
pub async fn sign_in_options(state: &AppState, session: &Session) -> Result<Value> {
    let rp = relying_party(state)?;
    let (options, authentication) = rp
        .start_discoverable_authentication()
        .map_err(|e| Error::Internal(anyhow::anyhow!("passkey sign-in: {e}")))?;
    let ceremony = Ceremony {
        owner: None,
        started_at: state.clock.now(),
        stage: Stage::SignIn(authentication),
    };
    begin(session, ceremony).await?;
    to_json(&options)
}

/// Checks a passkey sign-in: the passkey the browser chose is registered,
/// belongs to the account its user handle names, and signed this
/// ceremony's challenge. Returns its owner.
pub async fn sign_in(state: &AppState, session: &Session, answer: &str) -> Result<FactorOwner> {
    let ceremony = take(state, session).await?;
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
