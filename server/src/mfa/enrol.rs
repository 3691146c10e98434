//! Looking after an account's factors: adding and removing them, new
//! recovery codes, an admin's reset of a customer's MFA, remembering a
//! browser, and the step-up window sensitive actions require.

use super::{recovery, totp};
use crate::audit;
use crate::domain::mfa::{Factor, FactorKind, MfaProblem};
use crate::domain::secrets::LinkToken;
use crate::domain::{Action, AdminId, CustomerId, Error, RequestContext, Result, SignedIn};
use crate::state::AppState;
use crate::store::FactorOwner;
use serde_json::json;
use uuid::Uuid;

/// A factor just added, and the recovery codes made with it (a
/// customer's first factor), to show once.
pub struct Enrolled {
    pub id: Uuid,
    pub new_codes: Option<Vec<String>>,
}

/// Confirms the authenticator app being set up (`kept`) with its first
/// code, and records it.
pub async fn confirm_totp(
    state: &AppState,
    kept: Option<totp::PendingSetup>,
    ctx: &RequestContext,
    owner: FactorOwner,
    code: &str,
) -> Result<Enrolled> {
    let id = totp::confirm(state, kept, owner, code).await?;
    let factor = (id, FactorKind::Totp, "Authenticator app");
    enrolled(state, ctx, owner, factor).await
}

/// A factor was added: on the record and, for a customer's first factor,
/// a set of recovery codes.
pub async fn enrolled(
    state: &AppState,
    ctx: &RequestContext,
    owner: FactorOwner,
    (id, kind, name): (Uuid, FactorKind, &str),
) -> Result<Enrolled> {
    let mut new_codes = None;
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
                new_codes = Some(new_recovery_codes(state, ctx, customer).await?);
            }
        }
        FactorOwner::Admin(_) => {
            audit::record(state, ctx, Action::AdminMfaEnrolled, None, details).await?;
        }
    }
    Ok(Enrolled { id, new_codes })
}

/// Removes one of the owner's factors. Remembered browsers are forgotten:
/// the factor that let them skip may be the one removed.
pub async fn remove(
    state: &AppState,
    ctx: &RequestContext,
    owner: FactorOwner,
    id: Uuid,
) -> Result<Factor> {
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
            .await?
        }
        FactorOwner::Admin(_) => {
            audit::record(state, ctx, Action::AdminMfaRemoved, None, details).await?
        }
    }
    Ok(factor)
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
    remove(state, ctx, owner, id).await.map(|_| ())
}

/// Makes a new set of recovery codes (the old set stops working), to show
/// once.
pub async fn new_recovery_codes(
    state: &AppState,
    ctx: &RequestContext,
    customer: CustomerId,
) -> Result<Vec<String>> {
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
    Ok(codes)
}

/// Support or an owner removes every factor, recovery code and remembered
/// browser of a customer (they lost their phone): they enrol again at the
/// next sign-in if their tier requires it.
pub async fn reset(state: &AppState, ctx: &RequestContext, customer: CustomerId) -> Result<u64> {
    if !ctx.admin()?.role.can_edit_customers() {
        return Err(Error::Forbidden(crate::domain::Problem::ReadOnlyRole));
    }
    if state.store.customer_by_id(customer).await?.is_none() {
        return Err(Error::NotFound);
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
    let policy = crate::mfa::policy::for_customer(state, customer).await?;
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
    let window = crate::mfa::policy::for_customer(state, customer)
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

/// The owner's second factors, as lists show them (never their secrets).
pub async fn factors(state: &AppState, owner: FactorOwner) -> Result<Vec<Factor>> {
    Ok(state.store.factors(owner).await?)
}

/// How many unused recovery codes the customer has.
pub async fn recovery_codes_left(state: &AppState, customer: CustomerId) -> Result<i64> {
    Ok(state.store.recovery_codes_left(customer).await?)
}
