//! The audit trail: who did what to which customer, when and from where.
//! Details record changed fields before and after, never secrets. The table
//! is append-only in the database itself (triggers refuse updates and deletes).

use crate::domain::{Action, AuditEntry, AuditFilter, CustomerId, Error, RequestContext, Result};
use crate::state::AppState;
use crate::store::Store;
use serde_json::Value;

/// Records that `ctx`'s actor did `action` (to `customer`, if any), with
/// `details`: fields before and after, never a secret.
pub async fn record(
    state: &AppState,
    ctx: &RequestContext,
    action: Action,
    customer: Option<CustomerId>,
    details: Value,
) -> Result<()> {
    write(
        &state.store,
        state.clock.now(),
        ctx,
        action,
        customer,
        details,
    )
    .await
}

/// A page of the trail matching `filter`, newest first, after the
/// record `after` (its time and id), at most `limit` records.
pub async fn events(
    state: &AppState,
    filter: &AuditFilter,
    after: Option<(i64, uuid::Uuid)>,
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    Ok(state.store.audit_events(filter, after, limit).await?)
}

/// [`record`] for a command run without the server's state (an operator's
/// import or export), at `now`.
pub async fn write(
    store: &Store,
    now: i64,
    ctx: &RequestContext,
    action: Action,
    customer: Option<CustomerId>,
    details: Value,
) -> Result<()> {
    let Some(actor) = ctx.actor() else {
        return Err(Error::Internal(anyhow::anyhow!(
            "audit event {} without an actor",
            action.as_str()
        )));
    };
    store
        .insert_audit_event(now, actor, action, customer, ctx, &details.to_string())
        .await?;
    Ok(())
}
