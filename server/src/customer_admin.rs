//! What admins do to customer records from the console. Every action checks
//! the admin's role on the server and leaves an audit event.

use crate::admins::Admin;
use crate::audit::{self, Actor, AuditEntry};
use crate::customers::{Customer, CustomerId};
use crate::error::{Error, Result};
use crate::state::AppState;
use serde_json::json;

pub struct CustomerRecord {
    pub customer: Customer,
    pub active_sessions: i64,
    pub events: Vec<AuditEntry>,
}

pub async fn view(state: &AppState, id: CustomerId) -> Result<CustomerRecord> {
    let customer = state
        .store
        .customer_by_id(id)
        .await?
        .ok_or(Error::NotFound)?;
    let active_sessions = state
        .store
        .count_customer_sessions(id, state.clock.now())
        .await?;
    let events = state.store.audit_for_customer(id, 50).await?;
    Ok(CustomerRecord {
        customer,
        active_sessions,
        events,
    })
}

/// Disables (ending every session at once) or re-enables a customer.
pub async fn set_disabled(
    state: &AppState,
    admin: &Admin,
    id: CustomerId,
    disabled: bool,
    ip: Option<&str>,
) -> Result<()> {
    if !admin.role.can_edit_customers() {
        return Err(Error::Forbidden(
            "Your role can view customers but not change them.".into(),
        ));
    }
    let before = state
        .store
        .customer_by_id(id)
        .await?
        .ok_or(Error::NotFound)?;
    if before.disabled == disabled {
        return Ok(());
    }
    state
        .store
        .set_customer_disabled(id, disabled, state.clock.now())
        .await?;
    let action = if disabled {
        "customer.disabled"
    } else {
        "customer.enabled"
    };
    audit::record(
        state,
        Actor::Admin(admin.id),
        action,
        Some(id),
        ip,
        json!({ "disabled": { "before": before.disabled, "after": disabled } }),
    )
    .await?;
    tracing::info!(admin_id = %admin.id, customer_id = %id, action, "admin changed a customer");
    Ok(())
}
