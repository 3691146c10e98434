//! Checking a code a person types as their second factor: at sign-in's
//! second step, or to step up before a sensitive action. Each try is
//! reserved on the throttle first (under the account's own key, so
//! starting the sign-in again does not reset it), and failures are on the
//! audit trail.

use super::{recovery, totp};
use crate::audit;
use crate::domain::mfa::{FactorKind, MfaPolicy, MfaProblem};
use crate::domain::{Action, Error, RequestContext, Result};
use crate::state::AppState;
use crate::store::FactorOwner;
use crate::throttle::{self, AfterFailure};
use serde_json::json;

/// What a typed code came to.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Checked {
    Passed(FactorKind),
    /// Wrong, expired or already used.
    Wrong,
    /// Too many failures: try again later.
    Locked {
        seconds_left: i64,
    },
}

/// The throttle's name for an account's second factor.
fn throttle_key(owner: FactorOwner) -> String {
    match owner {
        FactorOwner::Customer(id) => format!("mfa:customer:{id}"),
        FactorOwner::Admin(id) => format!("mfa:admin:{id}"),
    }
}

/// Checks `raw` (an authenticator code, or a customer's recovery code)
/// for `owner` under `policy`.
/// Whether a code as typed is a recovery code (rather than an app's six
/// digits): how a sign-in knows to say how many codes are left.
pub fn is_recovery_code(raw: &str) -> bool {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    !totp::looks_like_code(&compact) && recovery::normalise(raw).is_some()
}

pub async fn code(
    state: &AppState,
    ctx: &RequestContext,
    owner: FactorOwner,
    policy: MfaPolicy,
    raw: &str,
) -> Result<Checked> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err(Error::invalid("code", MfaProblem::CodeMissing));
    }
    let kind = if totp::looks_like_code(&compact) {
        FactorKind::Totp
    } else if matches!(owner, FactorOwner::Customer(_)) && is_recovery_code(raw) {
        FactorKind::RecoveryCode
    } else if matches!(owner, FactorOwner::Admin(_)) {
        return Err(Error::invalid("code", MfaProblem::SixDigits));
    } else {
        return Err(Error::invalid("code", MfaProblem::CodeFormat));
    };
    if !policy.accepts(kind) {
        return Err(Error::invalid("code", MfaProblem::PasskeyRequired));
    }
    let attempt = match throttle::reserve(state, &throttle_key(owner), ctx.ip(), false).await? {
        Ok(attempt) => attempt,
        Err(refused) => {
            state.metrics.mfa_check(kind.as_str(), "locked");
            return Ok(Checked::Locked {
                seconds_left: refused.retry_after,
            });
        }
    };
    let passed = match (kind, owner) {
        (FactorKind::RecoveryCode, FactorOwner::Customer(customer)) => {
            recovery::spend(state, customer, raw).await
        }
        _ => totp::verify(state, owner, &compact)
            .await
            .map(|v| v.is_some()),
    };
    let passed = match passed {
        Ok(passed) => passed,
        Err(e) => {
            attempt.give_back(state).await?;
            return Err(e);
        }
    };
    if passed {
        attempt.succeeded(state).await?;
        if let (FactorKind::RecoveryCode, FactorOwner::Customer(customer)) = (kind, owner) {
            let left = state.store.recovery_codes_left(customer).await?;
            let details = json!({ "codes_left": left });
            audit::record(
                state,
                ctx,
                Action::CustomerRecoveryCodeUsed,
                Some(customer),
                details,
            )
            .await?;
        }
        state.metrics.mfa_check(kind.as_str(), "passed");
        return Ok(Checked::Passed(kind));
    }
    state.metrics.mfa_check(kind.as_str(), "wrong");
    let blocked = matches!(attempt.failed(state).await?, AfterFailure::Blocked);
    failed(state, ctx, owner, kind, blocked).await?;
    Ok(Checked::Wrong)
}

/// A refused second factor (and a block it caused) on the audit trail.
pub async fn failed(
    state: &AppState,
    ctx: &RequestContext,
    owner: FactorOwner,
    kind: FactorKind,
    blocked: bool,
) -> Result<()> {
    let details = json!({ "factor": kind.as_str() });
    let (fail, block, customer) = match owner {
        FactorOwner::Customer(c) => (
            Action::CustomerMfaFailed,
            Action::CustomerMfaBlocked,
            Some(c),
        ),
        FactorOwner::Admin(_) => (Action::AdminMfaFailed, Action::AdminMfaBlocked, None),
    };
    audit::record(state, ctx, fail, customer, details.clone()).await?;
    if blocked {
        tracing::warn!("second factor blocked from one address after repeated failures");
        audit::record(state, ctx, block, customer, details).await?;
    }
    Ok(())
}
