//! Membership tiers: what they are, how owners define them, and how a
//! customer moves from one to another (always with a history entry).

use crate::audit;
use crate::domain::{
    Action, Admin, AdminId, ChangeSource, CustomerId, Error, FieldErrors, RequestContext, Result,
    Tier, TierChange, TierId,
};
use crate::state::AppState;
use crate::store::ArchiveRefusal;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

/// A tier as typed into the console's form (absent fields are empty).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct TierForm {
    pub slug: String,
    pub name: String,
    pub rank: String,
    pub description: String,
    pub colour: String,
    /// Separated by commas, spaces or new lines.
    pub entitlements: String,
    /// A tier's slug, or empty for none.
    pub fallback: String,
    pub grace_days: String,
}

pub const ENTITLEMENTS_MAX: usize = 50;

fn require_owner(admin: &Admin) -> Result<()> {
    if admin.role.can_manage_admins() {
        Ok(())
    } else {
        Err(Error::Forbidden("Only owners define tiers.".into()))
    }
}

fn is_token(s: &str, max: usize, extra: &[char]) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(&c))
}

/// Checks every field; `id` and flags come from the stored tier (or are new).
async fn validate(state: &AppState, form: &TierForm, id: TierId) -> Result<Tier> {
    let mut errors = FieldErrors::new();
    let slug = form.slug.trim().to_ascii_lowercase();
    if !is_token(&slug, 40, &['-']) {
        errors.add(
            "slug",
            "Use 1 to 40 lower-case letters, digits and hyphens, starting with a letter or digit.",
        );
    }
    let name = form.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
        errors.add("name", "Give the tier a name of at most 60 characters.");
    }
    let rank = form
        .rank
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|r| (0..=1_000_000).contains(r));
    if rank.is_none() {
        errors.add("rank", "The rank is a whole number from 0 to 1000000.");
    }
    let description = form.description.trim().to_string();
    if description.chars().count() > 500 {
        errors.add("description", "Keep the description to 500 characters.");
    }
    let colour = form.colour.trim().to_ascii_lowercase();
    let colour_ok = colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit());
    if !colour_ok {
        errors.add("colour", "A colour looks like #b8860b.");
    }
    let mut entitlements: Vec<String> = Vec::new();
    for raw in form
        .entitlements
        .split(|c: char| c == ',' || c.is_whitespace())
    {
        let e = raw.trim().to_ascii_lowercase();
        if e.is_empty() || entitlements.contains(&e) {
            continue;
        }
        if !is_token(&e, 64, &['-', '_', '.', ':']) {
            errors.add(
                "entitlements",
                format!("\"{}\" is not an entitlement: use lower-case letters, digits and - _ . : (at most 64).", raw.trim()),
            );
            break;
        }
        entitlements.push(e);
    }
    if entitlements.len() > ENTITLEMENTS_MAX {
        errors.add(
            "entitlements",
            format!("At most {ENTITLEMENTS_MAX} entitlements."),
        );
    }
    let fallback = match form.fallback.trim() {
        "" => None,
        slug => match state.store.tier_by_slug(slug).await? {
            Some(t) if t.id == id => {
                errors.add("fallback", "A tier cannot fall back to itself.");
                None
            }
            Some(t) if t.archived => {
                errors.add("fallback", "That tier is archived.");
                None
            }
            Some(t) => Some(t.id),
            None => {
                errors.add("fallback", "There is no tier with that slug.");
                None
            }
        },
    };
    let grace_days = match form.grace_days.trim() {
        "" => Some(0),
        raw => raw.parse::<i64>().ok().filter(|d| (0..=365).contains(d)),
    };
    if grace_days.is_none() {
        errors.add(
            "grace_days",
            "Grace is a whole number of days from 0 to 365.",
        );
    }
    let (Some(rank), Some(grace_days), true) = (rank, grace_days, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    Ok(Tier {
        id,
        slug,
        name,
        rank,
        description,
        colour,
        entitlements,
        is_default: false,
        fallback,
        grace_days,
        archived: false,
    })
}

const SLUG_TAKEN: &str = "Another tier already has this slug.";

pub async fn create(state: &AppState, form: &TierForm, ctx: &RequestContext) -> Result<Tier> {
    let by = ctx.admin()?;
    require_owner(by)?;
    let tier = validate(state, form, TierId(Uuid::now_v7())).await?;
    if !state.store.insert_tier(&tier, state.clock.now()).await? {
        return Err(Error::invalid("slug", SLUG_TAKEN));
    }
    let details = json!({ "tier_id": tier.id, "slug": tier.slug, "name": tier.name,
        "rank": tier.rank, "entitlements": tier.entitlements });
    audit::record(state, ctx, Action::TierCreated, None, details).await?;
    Ok(tier)
}

pub async fn update(
    state: &AppState,
    id: TierId,
    form: &TierForm,
    ctx: &RequestContext,
) -> Result<Tier> {
    let by = ctx.admin()?;
    require_owner(by)?;
    let before = state.store.tier_by_id(id).await?.ok_or(Error::NotFound)?;
    let after = Tier {
        is_default: before.is_default,
        archived: before.archived,
        ..validate(state, form, id).await?
    };
    if after == before {
        return Ok(after);
    }
    if !state.store.update_tier(&after, state.clock.now()).await? {
        return Err(Error::invalid("slug", SLUG_TAKEN));
    }
    let mut changes = serde_json::Map::new();
    let mut note = |field: &str, b: serde_json::Value, a: serde_json::Value| {
        if b != a {
            changes.insert(field.into(), json!({ "before": b, "after": a }));
        }
    };
    note("slug", json!(before.slug), json!(after.slug));
    note("name", json!(before.name), json!(after.name));
    note("rank", json!(before.rank), json!(after.rank));
    note(
        "description",
        json!(before.description),
        json!(after.description),
    );
    note("colour", json!(before.colour), json!(after.colour));
    note(
        "entitlements",
        json!(before.entitlements),
        json!(after.entitlements),
    );
    note("fallback", json!(before.fallback), json!(after.fallback));
    note(
        "grace_days",
        json!(before.grace_days),
        json!(after.grace_days),
    );
    changes.insert("tier_id".into(), json!(id));
    audit::record(state, ctx, Action::TierUpdated, None, changes.into()).await?;
    Ok(after)
}

pub async fn make_default(state: &AppState, id: TierId, ctx: &RequestContext) -> Result<()> {
    let by = ctx.admin()?;
    require_owner(by)?;
    if !state.store.set_default_tier(id, state.clock.now()).await? {
        return Err(Error::Conflict(
            "Only an active tier can be the default.".into(),
        ));
    }
    let details = json!({ "tier_id": id });
    audit::record(state, ctx, Action::TierMadeDefault, None, details).await?;
    Ok(())
}

pub async fn archive(state: &AppState, id: TierId, ctx: &RequestContext) -> Result<()> {
    let by = ctx.admin()?;
    require_owner(by)?;
    let refusal = match state.store.archive_tier(id, state.clock.now()).await? {
        Ok(()) => {
            let details = json!({ "tier_id": id });
            audit::record(state, ctx, Action::TierArchived, None, details).await?;
            return Ok(());
        }
        Err(r) => r,
    };
    Err(Error::Conflict(
        match refusal {
            ArchiveRefusal::Gone => "That tier no longer exists.",
            ArchiveRefusal::IsDefault => "The default tier cannot be archived: make another tier the default first.",
            ArchiveRefusal::HasMembers => "This tier still has customers (or is archived already): move them to another tier first.",
            ArchiveRefusal::IsFallback => "Another tier falls back to this one: change that tier's fallback first.",
        }
        .into(),
    ))
}

pub async fn unarchive(state: &AppState, id: TierId, ctx: &RequestContext) -> Result<()> {
    let by = ctx.admin()?;
    require_owner(by)?;
    if !state.store.unarchive_tier(id, state.clock.now()).await? {
        return Err(Error::Conflict("That tier is not archived.".into()));
    }
    let details = json!({ "tier_id": id });
    audit::record(state, ctx, Action::TierUnarchived, None, details).await?;
    Ok(())
}

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
    if !by.role.can_edit_customers() {
        return Err(Error::Forbidden(
            "Your role can view customers but not change them.".into(),
        ));
    }
    let reason = reason.trim();
    if reason.chars().count() > 500 {
        return Err(Error::invalid(
            "reason",
            "Keep the reason to 500 characters.",
        ));
    }
    let now = state.clock.now();
    if expires_at.is_some_and(|e| e <= now) {
        return Err(Error::invalid(
            "expires",
            "The end date must be in the future.",
        ));
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
        .ok_or_else(|| Error::Conflict("That tier is archived or no longer exists.".into()))?;
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
    if !by.role.can_edit_customers() {
        return Err(Error::Forbidden(
            "Your role can view customers but not change them.".into(),
        ));
    }
    let reason = reason.trim();
    if reason.chars().count() > 500 {
        return Err(Error::BadRequest(
            "Keep the reason to 500 characters.".into(),
        ));
    }
    match state.store.tier_by_id(to).await? {
        Some(t) if !t.archived => {}
        _ => {
            return Err(Error::Conflict(
                "That tier is archived or no longer exists.".into(),
            ));
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
