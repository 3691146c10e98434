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
    pub id: Uuid,
    pub at: i64,
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub customer: Option<CustomerId>,
    pub source_ip: Option<String>,
    pub details: String,
}

/// What the audit page narrows the trail to; `None` means any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub action: Option<String>,
    /// The admin or customer who acted.
    pub actor: Option<Uuid>,
    /// The customer acted on.
    pub customer: Option<CustomerId>,
    /// At or after this Unix time.
    pub from: Option<i64>,
    /// Before this Unix time.
    pub before: Option<i64>,
}

/// Every action the trail records, for the audit page's filter.
pub const ACTIONS: &[&str] = &[
    "admin.invited",
    "admin.invite_revoked",
    "admin.removed",
    "admin.role_changed",
    "admin.sign_in_failed",
    "admin.signed_in",
    "attribute.archived",
    "attribute.defined",
    "attribute.unarchived",
    "attribute.updated",
    "customer.attributes_updated",
    "customer.deleted",
    "customer.disabled",
    "customer.email_marked_verified",
    "customer.email_verified",
    "customer.enabled",
    "customer.password_changed",
    "customer.password_reset",
    "customer.password_reset_requested",
    "customer.password_reset_sent",
    "customer.profile_edited",
    "customer.profile_updated",
    "customer.session_revoked",
    "customer.sessions_revoked",
    "customer.sign_in_failed",
    "customer.sign_in_refused",
    "customer.signed_in",
    "customer.signed_up",
    "customer.tier_changed",
    "customer.tier_expired",
    "customers.exported",
    "tier.archived",
    "tier.created",
    "tier.made_default",
    "tier.unarchived",
    "tier.updated",
    "tiers.bulk_finished",
    "tiers.bulk_started",
];

pub async fn record(
    state: &AppState,
    actor: Actor,
    action: &str,
    customer: Option<CustomerId>,
    source_ip: Option<&str>,
    details: Value,
) -> Result<()> {
    debug_assert!(ACTIONS.contains(&action), "unlisted audit action {action}");
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
