//! Looking after an account's factors: adding and removing them, new
//! recovery codes, an admin's reset of a customer's MFA, remembering a
//! browser, and the step-up window sensitive actions require.

use super::{recovery, totp};
use crate::audit;
use crate::domain::mfa::{FactorKind, MfaProblem};
use crate::domain::secrets::LinkToken;
use crate::domain::{Action, AdminId, CustomerId, Error, RequestContext, Result};
use crate::identity::second_step;
use crate::identity::sessions::{self, SignedIn, keys};
use crate::state::AppState;
use crate::store::FactorOwner;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

/// Confirms the authenticator app being set up in this browser with its
/// first code, and records it.
pub async fn confirm_totp(
    state: &AppState,
    session: &Session,
    ctx: &RequestContext,
    owner: FactorOwner,
    code: &str,
) -> Result<()> {
    let id = totp::confirm(state, session, owner, code).await?;
    enrolled(
        state,
        session,
        ctx,
        owner,
        (id, FactorKind::Totp, "Authenticator app"),
    )
    .await
}

/// A factor was added: on the record and, for a customer's first factor,
/// a set of recovery codes to show once on the next page.
pub async fn enrolled(
    state: &AppState,
    session: &Session,
    ctx: &RequestContext,
    owner: FactorOwner,
    (id, kind, name): (Uuid, FactorKind, &str),
) -> Result<()> {
    let details = json!({ "factor": kind.as_str(), "id": id, "name": name });
    match owner {
        FactorOwner::Customer(customer) => {
            audit::record(
                state,
                ctx,
                Action::CustomerMfaEnrolled,
                Some(customer),
                details,
            )
            .await?;
            if state.store.recovery_codes_left(customer).await? == 0 {
                new_recovery_codes(state, session, ctx, customer).await?;
            }
        }
        FactorOwner::Admin(_) => {
            audit::record(state, ctx, Action::AdminMfaEnrolled, None, details).await?;
        }
    }
    Ok(())
}

/// Removes one of the owner's factors. Remembered browsers are forgotten:
/// the factor that let them skip may be the one removed.
pub async fn remove(
    state: &AppState,
    ctx: &RequestContext,
    owner: FactorOwner,
    id: Uuid,
) -> Result<()> {
    let Some(factor) = state.store.delete_factor(owner, id).await? else {
        return Err(Error::Conflict(MfaProblem::FactorGone.into()));
    };
    let details = json!({ "factor": factor.kind.as_str(), "id": id, "name": factor.name });
    match owner {
        FactorOwner::Customer(customer) => {
            state.store.forget_browsers(customer).await?;
            audit::record(
                state,
                ctx,
                Action::CustomerMfaRemoved,
                Some(customer),
                details,
            )
            .await
        }
        FactorOwner::Admin(_) => {
            audit::record(state, ctx, Action::AdminMfaRemoved, None, details).await
        }
    }
}

/// Whether an admin who signed in to the console at `signed_in_at` may
/// change their factors now: within the step-up window, so a console
/// session taken over later cannot add its own passkey.
pub async fn admin_sign_in_fresh(state: &AppState, signed_in_at: Option<i64>) -> Result<bool> {
    let window = state.store.mfa_settings().await?.step_up_minutes * 60;
    Ok(signed_in_at.is_some_and(|at| state.clock.now() - at < window))
}

/// Removes one of an admin's own factors, never the last: the console
/// always asks for one.
pub async fn remove_admin_factor(
    state: &AppState,
    ctx: &RequestContext,
    admin: AdminId,
    id: Uuid,
) -> Result<()> {
    let owner = FactorOwner::Admin(admin);
    let factors = state.store.factors(owner).await?;
    if !factors.iter().any(|f| f.id == id) {
        return Err(Error::Conflict(MfaProblem::FactorGone.into()));
    }
    if factors.len() <= 1 {
        return Err(Error::Conflict(MfaProblem::KeepOneFactor.into()));
    }
    remove(state, ctx, owner, id).await
}

/// Makes a new set of recovery codes (the old set stops working), kept in
/// the session for the next page to show once.
pub async fn new_recovery_codes(
    state: &AppState,
    session: &Session,
    ctx: &RequestContext,
    customer: CustomerId,
) -> Result<()> {
    let codes = recovery::regenerate(state, customer).await?;
    // New codes are made when the old ones may have leaked: a browser that
    // skipped the second factor on their strength is asked again.
    state.store.forget_browsers(customer).await?;
    audit::record(
        state,
        ctx,
        Action::CustomerRecoveryCodesGenerated,
        Some(customer),
        json!({ "codes": codes.len() }),
    )
    .await?;
    sessions::put(session, keys::NEW_RECOVERY_CODES, codes).await
}

/// Whether recovery codes just made wait in this browser to be shown.
pub async fn codes_waiting(session: &Session) -> Result<bool> {
    Ok(
        sessions::get::<Vec<String>>(session, keys::NEW_RECOVERY_CODES)
            .await?
            .is_some(),
    )
}

/// The recovery codes just made, once.
pub async fn take_new_codes(session: &Session) -> Result<Option<Vec<String>>> {
    sessions::take(session, keys::NEW_RECOVERY_CODES).await
}

/// Support or an owner removes every factor, recovery code and remembered
/// browser of a customer (they lost their phone): they enrol again at the
/// next sign-in if their tier requires it.
pub async fn reset(state: &AppState, ctx: &RequestContext, customer: CustomerId) -> Result<u64> {
    if !ctx.admin()?.role.can_edit_customers() {
        return Err(Error::Forbidden(crate::domain::Problem::ReadOnlyRole));
    }
    let removed = state
        .store
        .reset_mfa(FactorOwner::Customer(customer))
        .await?;
    audit::record(
        state,
        ctx,
        Action::CustomerMfaReset,
        Some(customer),
        json!({ "factors_removed": removed }),
    )
    .await?;
    Ok(removed)
}

/// Remembers this browser for the customer, when the policy allows: the
/// cookie's value and its lifetime in seconds.
pub async fn remember(state: &AppState, customer: CustomerId) -> Result<Option<(String, i64)>> {
    let policy = second_step::policy_for(state, customer).await?;
    if policy.remember_days == 0 {
        return Ok(None);
    }
    let token = LinkToken::generate();
    let now = state.clock.now();
    let lifetime = policy.remember_days * 86_400;
    state
        .store
        .remember_browser(&token.hash, customer, now, now + lifetime)
        .await?;
    Ok(Some((token.raw, lifetime)))
}

/// Whether a sensitive action must first check a second factor again: the
/// customer has one, and the session last passed one longer ago than the
/// policy's window.
pub async fn step_up_due(state: &AppState, signed_in: &SignedIn) -> Result<bool> {
    let customer = signed_in.customer.id;
    if state
        .store
        .factors(FactorOwner::Customer(customer))
        .await?
        .is_empty()
    {
        return Ok(false);
    }
    let window = second_step::policy_for(state, customer)
        .await?
        .step_up_minutes
        * 60;
    let now = state.clock.now();
    Ok(signed_in.mfa_at.is_none_or(|at| now - at >= window))
}

/// The session passed a second factor (`kind`) now.
pub async fn stepped_up(state: &AppState, signed_in: &SignedIn, kind: FactorKind) -> Result<()> {
    let mut amr: Vec<&str> = signed_in.amr.split_whitespace().collect();
    for value in [kind.amr(), "mfa"] {
        if !amr.contains(&value) {
            amr.push(value);
        }
    }
    state
        .store
        .session_passed_mfa(signed_in.session_id, state.clock.now(), &amr.join(" "))
        .await?;
    Ok(())
}
