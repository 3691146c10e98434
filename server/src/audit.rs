//! The audit trail: who did what to which customer, when and from where.
//! Details record changed fields before and after, never secrets. The table
//! is append-only in the database itself (triggers refuse updates and deletes).

use crate::admins::AdminId;
use crate::customers::CustomerId;
use crate::error::Result;
use crate::state::AppState;
use serde_json::Value;
use uuid::Uuid;

#[derive(Copy, Clone, Debug)]
pub enum Actor {
    Admin(AdminId),
    Customer(CustomerId),
    System,
}

#[derive(Clone, Debug)]
pub struct AuditEntry {
    pub at: i64,
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub customer: Option<CustomerId>,
    pub source_ip: Option<String>,
    pub details: String,
}

pub async fn record(
    state: &AppState,
    actor: Actor,
    action: &str,
    customer: Option<CustomerId>,
    source_ip: Option<&str>,
    details: Value,
) -> Result<()> {
    state
        .store
        .insert_audit_event(
            state.clock.now(),
            actor,
            action,
            customer,
            source_ip,
            &details.to_string(),
        )
        .await?;
    Ok(())
}
