//! Signing in with email and password.
//!
//! Unknown emails cost the same argon2 work as known ones and get the same
//! answer. Failures are counted per email in the database, so the throttle
//! holds across instances; it applies to unknown emails too, so a lock-out
//! reveals nothing either.

use crate::audit::{self, Actor};
use crate::customers::{Customer, Email};
use crate::error::{Error, Result};
use crate::password::{Password, Verification};
use crate::state::AppState;
use serde_json::json;

/// Failures counted within this many seconds...
const FAILURE_WINDOW: i64 = 15 * 60;
/// ...up to this many...
const MAX_FAILURES: i64 = 5;
/// ...lock the email for this many seconds.
const LOCK_SECONDS: i64 = 15 * 60;

pub const REJECTED: &str = "That email and password do not match an account.";

pub const DISABLED: &str =
    "This account is disabled. Contact support if you think this is a mistake.";

pub enum SignInOutcome {
    SignedIn(Customer),
    Rejected,
    /// The password was right, but an admin has disabled the account.
    Disabled,
}

pub async fn sign_in(
    state: &AppState,
    raw_email: &str,
    password: Password,
    ip: Option<&str>,
) -> Result<SignInOutcome> {
    let email = Email::parse(raw_email).map_err(|e| Error::invalid("email", e))?;
    if password.as_str().is_empty() {
        return Err(Error::invalid("password", "Enter your password."));
    }
    if password.as_str().chars().count() > crate::password::PASSWORD_MAX {
        return Ok(SignInOutcome::Rejected);
    }
    let had_failures = check_throttle(state, email.as_str()).await?;

    let verified = match state.store.customer_by_email(&email).await? {
        Some((customer, hash)) => match state.hasher.verify(password, hash).await {
            Verification::Valid { rehashed } => Some((customer, rehashed)),
            Verification::Invalid => {
                let who = Actor::Customer(customer.id);
                audit::record(
                    state,
                    who,
                    "customer.sign_in_failed",
                    Some(customer.id),
                    ip,
                    json!({}),
                )
                .await?;
                None
            }
        },
        None => {
            state.hasher.verify_dummy(password).await;
            None
        }
    };

    let Some((customer, rehashed)) = verified else {
        count_failure(state, email.as_str()).await?;
        return Ok(SignInOutcome::Rejected);
    };

    let who = Actor::Customer(customer.id);
    if customer.disabled {
        audit::record(
            state,
            who,
            "customer.sign_in_refused",
            Some(customer.id),
            ip,
            json!({ "reason": "disabled" }),
        )
        .await?;
        return Ok(SignInOutcome::Disabled);
    }
    let now = state.clock.now();
    if had_failures {
        clear_throttle(state, email.as_str()).await?;
    }
    if let Some(new_hash) = rehashed {
        state
            .store
            .set_password_hash(customer.id, &new_hash, now)
            .await?;
    }
    state.store.record_sign_in(customer.id, now, ip).await?;
    audit::record(
        state,
        who,
        "customer.signed_in",
        Some(customer.id),
        ip,
        json!({}),
    )
    .await?;
    tracing::info!(customer_id = %customer.id, "customer signed in");
    Ok(SignInOutcome::SignedIn(customer))
}

/// Refuses the attempt while `key` is locked; otherwise tells whether
/// failures are on record (so a success knows whether to clear them).
pub async fn check_throttle(state: &AppState, key: &str) -> Result<bool> {
    let now = state.clock.now();
    match state.store.sign_in_failures(key, now).await? {
        Some(Some(until)) => Err(locked(until - now)),
        Some(None) => Ok(true),
        None => Ok(false),
    }
}

pub async fn count_failure(state: &AppState, key: &str) -> Result<()> {
    let locked_until = state
        .store
        .record_sign_in_failure(
            key,
            state.clock.now(),
            FAILURE_WINDOW,
            MAX_FAILURES,
            LOCK_SECONDS,
        )
        .await?;
    if locked_until.is_some() {
        tracing::warn!("sign-in locked after repeated failures");
    }
    Ok(())
}

pub async fn clear_throttle(state: &AppState, key: &str) -> Result<()> {
    state.store.clear_sign_in_failures(key).await?;
    Ok(())
}

fn locked(seconds_left: i64) -> Error {
    let minutes = (seconds_left + 59) / 60;
    Error::TooManyRequests(format!(
        "Too many failed attempts for this email. Try again in {minutes} minute{}, or reset your password.",
        if minutes == 1 { "" } else { "s" }
    ))
}
