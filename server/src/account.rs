//! What a signed-in customer changes about their own account.

use crate::audit::{self, Actor};
use crate::customers::{Customer, DisplayName};
use crate::error::{Error, Result};
use crate::password::{Password, Verification, check_policy};
use crate::state::AppState;
use app::FieldErrors;
use serde_json::json;
use uuid::Uuid;

pub async fn update_display_name(
    state: &AppState,
    customer: &Customer,
    raw: &str,
    ip: Option<&str>,
) -> Result<()> {
    let name = DisplayName::parse(raw).map_err(|e| Error::invalid("display_name", e))?;
    state
        .store
        .set_display_name(customer.id, &name, state.clock.now())
        .await?;
    tracing::info!(customer_id = %customer.id, "display name changed");
    let change = json!({ "display_name": { "before": customer.display_name.as_str(), "after": name.as_str() } });
    let who = Actor::Customer(customer.id);
    audit::record(
        state,
        who,
        "customer.profile_updated",
        Some(customer.id),
        ip,
        change,
    )
    .await?;
    Ok(())
}

/// Changes the password after checking the current one, and signs out every
/// other session (a stolen session should not outlive a password change).
pub async fn change_password(
    state: &AppState,
    customer: &Customer,
    session: Uuid,
    current: Password,
    new: Password,
    ip: Option<&str>,
) -> Result<()> {
    let mut errors = FieldErrors::new();
    if current.as_str().is_empty() {
        errors.add("current_password", "Enter your current password.");
    }
    let inputs = [
        customer.email.as_str(),
        customer.display_name.as_str(),
        "gatehouse",
    ];
    if let Err(e) = check_policy(new.as_str(), state.config.password_min_length, &inputs) {
        errors.add("new_password", e);
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let stored = state
        .store
        .password_hash(customer.id)
        .await?
        .ok_or(Error::NotFound)?;
    if let Verification::Invalid = state.hasher.verify(current, stored).await {
        return Err(Error::invalid(
            "current_password",
            "That is not your current password.",
        ));
    }
    let hash = state.hasher.hash(new).await;
    state
        .store
        .set_password_hash(customer.id, &hash, state.clock.now())
        .await?;
    let ended = state
        .store
        .delete_other_customer_sessions(customer.id, session)
        .await?;
    tracing::info!(customer_id = %customer.id, other_sessions_ended = ended, "password changed");
    let details = json!({ "other_sessions_ended": ended });
    let who = Actor::Customer(customer.id);
    audit::record(
        state,
        who,
        "customer.password_changed",
        Some(customer.id),
        ip,
        details,
    )
    .await?;
    Ok(())
}
