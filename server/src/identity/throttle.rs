//! Failed sign-ins counted per key (a normalised email, customers' and
//! admins' apart), in the database so the count holds across instances. It
//! applies to unknown emails too, so a lock-out reveals nothing.

use crate::domain::{Email, Result};
use crate::state::AppState;

/// Failures counted within this many seconds...
const FAILURE_WINDOW: i64 = 15 * 60;
/// ...up to this many...
const MAX_FAILURES: i64 = 5;
/// ...lock the key for this many seconds.
const LOCK_SECONDS: i64 = 15 * 60;

/// Where a key stands before an attempt.
pub enum Standing {
    Clear,
    /// Failures are on record: a success clears them.
    Failed,
    Locked {
        seconds_left: i64,
    },
}

/// The counter key of a customer's address.
pub fn customer_key(email: &Email) -> String {
    email.as_str().to_string()
}

/// The counter key of an admin's address, apart from customers'.
pub fn admin_key(email: &Email) -> String {
    format!("admin:{}", email.as_str())
}

pub async fn standing(state: &AppState, key: &str) -> Result<Standing> {
    let now = state.clock.now();
    Ok(match state.store.sign_in_failures(key, now).await? {
        Some(Some(until)) => Standing::Locked {
            seconds_left: until - now,
        },
        Some(None) => Standing::Failed,
        None => Standing::Clear,
    })
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

pub async fn clear(state: &AppState, key: &str) -> Result<()> {
    state.store.clear_sign_in_failures(key).await?;
    Ok(())
}
