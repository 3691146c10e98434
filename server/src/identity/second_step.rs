//! What the MFA policy asks after the first factor: nothing, the second
//! factor, or enrolling one first. Decided here, from the customer's tier
//! and factors as they are now, so a tier move or a policy change applies
//! at the next sign-in; the factors themselves are checked in `mfa`.
//!
//! Until the second step is done the browser holds a pending sign-in, not
//! a session: nothing signed-in is reachable with the first factor alone.

use super::sessions::{self, AuthMethod, keys};
use crate::domain::mfa::EffectiveMfa;
use crate::domain::secrets::hash_token;
use crate::domain::{AdminId, Customer, CustomerId, Result};
use crate::state::AppState;
use crate::store::FactorOwner;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use uuid::Uuid;

/// How long the second step may take after the first.
pub const PENDING_SECONDS: i64 = 600;

/// What comes after the first factor.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Ahead {
    Nothing,
    Verify,
    /// No factor at all: set one up (the password alone may do this only
    /// for an account that has none).
    Enrol,
    /// Factors the policy no longer accepts (an app, where only passkeys
    /// count now): prove one of them, then set up what the policy asks.
    /// A stolen password alone never binds a new authenticator.
    ProveThenEnrol,
}

/// A sign-in waiting for its second step, kept in the browser session.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub customer: Uuid,
    pub first: AuthMethod,
    pub started_at: i64,
    /// The customer must set up a factor before going on.
    pub enrol: bool,
    /// ... and first prove a factor they already hold.
    #[serde(default)]
    pub prove_first: bool,
}

/// The MFA policy that applies to the customer now: their tier's, else
/// the global one.
pub async fn policy_for(state: &AppState, customer: CustomerId) -> Result<EffectiveMfa> {
    let settings = state.store.mfa_settings().await?;
    let tier = state.store.customer_tier_mfa(customer).await?;
    Ok(settings.for_tier(tier))
}

/// What the policy asks of `customer` after `first`. `remembered`: this
/// browser's remember-me token, if any.
pub async fn ahead(
    state: &AppState,
    customer: &Customer,
    first: AuthMethod,
    remembered: Option<&str>,
) -> Result<Ahead> {
    // A verified passkey is two factors in one, and phishing-resistant.
    if first == AuthMethod::Passkey {
        return Ok(Ahead::Nothing);
    }
    let policy = policy_for(state, customer.id).await?;
    if policy.policy == crate::domain::mfa::MfaPolicy::Off {
        return Ok(Ahead::Nothing);
    }
    let factors = state
        .store
        .factors(FactorOwner::Customer(customer.id))
        .await?;
    if !factors.iter().any(|f| policy.policy.accepts(f.kind)) {
        return Ok(
            match (policy.policy.enrolment_required(), factors.is_empty()) {
                (false, _) => Ahead::Nothing,
                (true, true) => Ahead::Enrol,
                (true, false) => Ahead::ProveThenEnrol,
            },
        );
    }
    if remembered_here(state, customer.id, &policy, remembered).await? {
        return Ok(Ahead::Nothing);
    }
    Ok(Ahead::Verify)
}

/// Whether this browser was remembered after a second factor, within the
/// days the policy allows now. Never under the phishing-resistant policy:
/// there, only a passkey signs in.
async fn remembered_here(
    state: &AppState,
    customer: CustomerId,
    policy: &EffectiveMfa,
    token: Option<&str>,
) -> Result<bool> {
    let Some(token) = token else {
        return Ok(false);
    };
    if policy.remember_days == 0 || !policy.policy.accepts(crate::domain::mfa::FactorKind::Totp) {
        return Ok(false);
    }
    let now = state.clock.now();
    let since = now - policy.remember_days * 86_400;
    Ok(state
        .store
        .browser_remembered(&hash_token(token), customer, now, since)
        .await?)
}

/// Holds the sign-in for the second step `ahead` names (a fresh cookie
/// id: the first factor is a step up in privilege).
pub async fn hold(
    state: &AppState,
    session: &Session,
    customer: &Customer,
    first: AuthMethod,
    ahead: Ahead,
) -> Result<()> {
    sessions::cycle(session).await?;
    let pending = PendingSignIn {
        customer: customer.id.0,
        first,
        started_at: state.clock.now(),
        enrol: matches!(ahead, Ahead::Enrol | Ahead::ProveThenEnrol),
        prove_first: ahead == Ahead::ProveThenEnrol,
    };
    sessions::put(session, keys::MFA_PENDING, pending).await
}

/// The customer of the pending sign-in proved a factor they hold: they may
/// now set up the one the policy asks for (within the same time limit).
pub async fn held_factor_proven(session: &Session, mut pending: PendingSignIn) -> Result<()> {
    pending.prove_first = false;
    sessions::put(session, keys::MFA_PENDING, pending).await
}

/// The sign-in waiting in this browser, while it is recent enough.
pub async fn pending(state: &AppState, session: &Session) -> Result<Option<PendingSignIn>> {
    let pending = sessions::get::<PendingSignIn>(session, keys::MFA_PENDING).await?;
    Ok(pending.filter(|p| state.clock.now() - p.started_at < PENDING_SECONDS))
}

/// Ends the wait (the second step done, or the sign-in abandoned).
pub async fn release(session: &Session) -> Result<()> {
    sessions::take::<PendingSignIn>(session, keys::MFA_PENDING).await?;
    Ok(())
}

/// An admin waiting for the console's second step, kept in the console
/// session. Admins always use a second factor, whatever the customers'
/// policy; one without sets it up first.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingConsole {
    pub admin: Uuid,
    pub started_at: i64,
    pub enrol: bool,
}

/// Holds the console sign-in of `admin` for its second step.
pub async fn hold_console(state: &AppState, session: &Session, admin: AdminId) -> Result<bool> {
    let factors = state.store.factors(FactorOwner::Admin(admin)).await?;
    let enrol = factors.is_empty();
    sessions::cycle(session).await?;
    let pending = PendingConsole {
        admin: admin.0,
        started_at: state.clock.now(),
        enrol,
    };
    sessions::put(session, keys::ADMIN_MFA_PENDING, pending).await?;
    Ok(enrol)
}

/// The console sign-in waiting in this browser, while recent enough.
pub async fn pending_console(
    state: &AppState,
    session: &Session,
) -> Result<Option<PendingConsole>> {
    let pending = sessions::get::<PendingConsole>(session, keys::ADMIN_MFA_PENDING).await?;
    Ok(pending.filter(|p| state.clock.now() - p.started_at < PENDING_SECONDS))
}

pub async fn release_console(session: &Session) -> Result<()> {
    sessions::take::<PendingConsole>(session, keys::ADMIN_MFA_PENDING).await?;
    Ok(())
}
