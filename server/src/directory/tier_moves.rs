//! Customers moving between tiers: one at a time by an admin, everyone a
//! search finds in the background, and automatically when an assignment
//! ends. Every move is kept in the history (from, to, how, who, when, why,
//! until) and on the audit trail.

use crate::audit;
use crate::domain::{
    Action, AdminId, ChangeSource, CustomerId, Error, Problem, RequestContext, Result, TierChange,
    TierId,
};
use crate::state::AppState;
use serde_json::json;
use uuid::Uuid;

/// An admin moves one customer to another tier, with a reason and an
/// optional end date; the move is kept in the history and on the audit trail.
pub async fn assign(
    state: &AppState,
    customer: CustomerId,
    to: TierId,
    reason: &str,
    expires_at: Option<i64>,
    ctx: &RequestContext,
) -> Result<()> {
    let by = ctx.admin()?;
    super::customers::require_edit(by)?;
    let reason = reason.trim();
    if reason.chars().count() > 500 {
        return Err(Error::invalid("reason", Problem::ReasonTooLong));
    }
    let now = state.clock.now();
    if expires_at.is_some_and(|e| e <= now) {
        return Err(Error::invalid("expires", Problem::EndInPast));
    }
    state
        .store
        .customer_by_id(customer)
        .await?
        .ok_or(Error::NotFound)?;
    let change = TierChange {
        customer,
        from: None,
        to,
        source: ChangeSource::Admin,
        actor: Some(by.id),
        reason: reason.to_string(),
        expires_at,
        at: now,
    };
    let from = state
        .store
        .change_customer_tier(&change)
        .await?
        .ok_or_else(|| Error::Conflict(Problem::TierUnavailable))?;
    let details = json!({
        "tier": { "before": from, "after": to },
        "expires_at": expires_at,
        "reason": reason,
    });
    audit::record(
        state,
        ctx,
        Action::CustomerTierChanged,
        Some(customer),
        details,
    )
    .await?;
    Ok(())
}

/// How many expired assignments one pass of the expiry job moves at most.
const EXPIRY_BATCH: i64 = 500;

/// One pass of the expiry job: moves every customer whose time in their tier
/// is over (plus grace days) to the tier's fallback (or the default tier),
/// with a history entry each. Safe to run on several instances at once: each
/// move is conditional on what was read, so it happens once. Returns how
/// many customers this pass moved.
pub async fn expire_assignments(state: &AppState) -> Result<usize> {
    let mut moved = 0;
    loop {
        let now = state.clock.now();
        let due = state
            .store
            .expired_tier_assignments(now, EXPIRY_BATCH)
            .await?;
        let mut moved_now = 0;
        for a in &due {
            let ended = time::OffsetDateTime::from_unix_timestamp(a.expires_at)
                .map(|t| t.date().to_string())
                .unwrap_or_default();
            let reason = format!("The assignment ended on {ended}.");
            if state.store.expire_tier_assignment(a, now, &reason).await? {
                let customer = CustomerId(a.customer_id);
                let details = json!({
                    "tier": { "before": a.tier_id, "after": a.to_tier_id },
                    "expired_at": a.expires_at,
                });
                audit::record(
                    state,
                    &RequestContext::system(),
                    Action::CustomerTierExpired,
                    Some(customer),
                    details,
                )
                .await?;
                moved_now += 1;
            }
        }
        moved += moved_now;
        // A short batch is the last; a batch where others moved everyone is too.
        if (due.len() as i64) < EXPIRY_BATCH || moved_now == 0 {
            return Ok(moved);
        }
    }
}

/// Customers read and moved per step of a bulk change.
const JOB_PAGE: i64 = 200;

/// How long an instance holds a job step before another may take it over.
const JOB_LEASE: i64 = 60;

/// Starts moving every customer `search` finds to tier `to`, in the
/// background; returns the job's id. `description` is the search as shown.
pub async fn start_bulk(
    state: &AppState,
    search: &crate::domain::CustomerSearch,
    description: &str,
    to: TierId,
    reason: &str,
    ctx: &RequestContext,
) -> Result<Uuid> {
    let by = ctx.admin()?;
    super::customers::require_edit(by)?;
    let reason = reason.trim();
    if reason.chars().count() > 500 {
        return Err(Error::BadRequest(Problem::ReasonTooLong));
    }
    match state.store.tier_by_id(to).await? {
        Some(t) if !t.archived => {}
        _ => {
            return Err(Error::Conflict(Problem::TierUnavailable));
        }
    }
    let job = crate::store::TierJobRow {
        id: Uuid::now_v7(),
        to_tier_id: to.0,
        search: serde_json::to_string(search).map_err(anyhow::Error::new)?,
        description: description.to_string(),
        reason: reason.to_string(),
        actor_id: by.id.0,
        cursor: None,
        scanned: 0,
        moved: 0,
        created_at: state.clock.now(),
        finished_at: None,
        error: None,
    };
    state.store.insert_tier_job(&job).await?;
    let details = json!({ "job_id": job.id, "to": to, "search": description, "reason": reason });
    audit::record(state, ctx, Action::TiersBulkStarted, None, details).await?;
    state.announce(crate::domain::Change::TierMoves).await;
    Ok(job.id)
}

/// One step of the oldest open bulk change: leases it, moves one page of
/// matching customers (skipping those already in the tier, so a step redone
/// after a crash changes nothing twice), records where it got to and lets
/// go. Returns whether there was a step to take.
pub async fn run_bulk_step(state: &AppState) -> Result<bool> {
    use crate::domain::{Cursor, CustomerSearch};
    use crate::store::JobProgress;
    let now = state.clock.now();
    let lease = now + JOB_LEASE;
    let Some(job) = state.store.lease_tier_job(now, lease).await? else {
        return Ok(false);
    };
    let search: CustomerSearch = serde_json::from_str(&job.search).map_err(anyhow::Error::new)?;
    let to = TierId(job.to_tier_id);
    let cursor = job.cursor.as_deref().and_then(Cursor::decode);
    let page = state
        .store
        .search_customers(&search, cursor.as_ref(), JOB_PAGE)
        .await?;
    let (mut moved, mut error) = (0, None);
    for customer in page.rows.iter().filter(|c| c.tier != to) {
        let change = TierChange {
            customer: customer.id,
            from: None,
            to,
            source: ChangeSource::Bulk,
            actor: Some(AdminId(job.actor_id)),
            reason: job.reason.clone(),
            expires_at: None,
            at: now,
        };
        if state.store.change_customer_tier(&change).await?.is_some() {
            moved += 1;
        } else if !matches!(state.store.tier_by_id(to).await?, Some(t) if !t.archived) {
            error =
                Some("The tier was archived while customers were being moved; the job stopped.");
            break;
        }
        // Otherwise the customer was deleted meanwhile: nothing to move.
    }
    let next = page.next.as_ref().map(Cursor::encode);
    let finished = (next.is_none() || error.is_some()).then_some(now);
    let progress = JobProgress {
        cursor: next.as_deref(),
        scanned: page.rows.len() as i64,
        moved,
        finished_at: finished,
        error,
    };
    // Released after every step (lease 0), so any instance may take the next.
    if state
        .store
        .advance_tier_job(job.id, lease, 0, progress)
        .await?
        && finished.is_some()
    {
        let details = json!({ "job_id": job.id, "scanned": job.scanned + page.rows.len() as i64,
            "moved": job.moved + moved, "error": error });
        audit::record(
            state,
            &RequestContext::system(),
            Action::TiersBulkFinished,
            None,
            details,
        )
        .await?;
    }
    Ok(true)
}

/// A bulk tier move, as its progress page shows it.
pub async fn job(state: &AppState, id: uuid::Uuid) -> Result<crate::store::TierJobRow> {
    state.store.tier_job(id).await?.ok_or(Error::NotFound)
}
