//! Membership tiers: how owners define them (slug, name, rank, colour,
//! entitlements, fallback and grace days), make one the default, and archive
//! them. Customers move between them in `tier_moves`.

use crate::audit;
use crate::domain::{
    Action, Error, FieldErrors, OwnerTask, Problem, RequestContext, Result, Tier, TierId,
};
use crate::state::AppState;
use crate::store::ArchiveRefusal;
use serde_json::json;
use uuid::Uuid;

/// A tier as an owner defines it: what the console's form and the admin
/// API both send, typed. Every field is checked here, all at once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TierDraft {
    pub slug: String,
    pub name: String,
    /// `None`: not given (or not a whole number), which is refused.
    pub rank: Option<i64>,
    pub description: String,
    pub colour: String,
    /// Slugs, in order; repeats are dropped, case is ignored.
    pub entitlements: Vec<String>,
    /// The slug of the tier its customers fall back to.
    pub fallback: Option<String>,
    /// `None`: not a whole number, which is refused.
    pub grace_days: Option<i64>,
}

pub const ENTITLEMENTS_MAX: usize = 50;

fn is_token(s: &str, max: usize, extra: &[char]) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(&c))
}

/// Checks every field; `id` and flags come from the stored tier (or are new).
async fn validate(state: &AppState, form: &TierDraft, id: TierId) -> Result<Tier> {
    let mut errors = FieldErrors::new();
    let slug = form.slug.trim().to_ascii_lowercase();
    if !is_token(&slug, 40, &['-']) {
        errors.add("slug", Problem::SlugFormat);
    }
    let name = form.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
        errors.add("name", Problem::TierName);
    }
    let rank = form.rank.filter(|r| (0..=1_000_000).contains(r));
    if rank.is_none() {
        errors.add("rank", Problem::RankRange);
    }
    let description = form.description.trim().to_string();
    if description.chars().count() > 500 {
        errors.add("description", Problem::DescriptionTooLong);
    }
    let colour = form.colour.trim().to_ascii_lowercase();
    let colour_ok = colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit());
    if !colour_ok {
        errors.add("colour", Problem::ColourFormat);
    }
    let entitlements = entitlements(&form.entitlements).unwrap_or_else(|problem| {
        errors.add("entitlements", problem);
        Vec::new()
    });
    let fallback = fallback(state, form.fallback.as_deref().unwrap_or("").trim(), id)
        .await?
        .unwrap_or_else(|problem| {
            errors.add("fallback", problem);
            None
        });
    let grace_days = form.grace_days.filter(|d| (0..=365).contains(d));
    if grace_days.is_none() {
        errors.add("grace_days", Problem::GraceRange);
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

/// The entitlements of a list, lowercased and without repeats.
fn entitlements(list: &[String]) -> std::result::Result<Vec<String>, Problem> {
    let mut entitlements: Vec<String> = Vec::new();
    for raw in list {
        let e = raw.trim().to_ascii_lowercase();
        if e.is_empty() || entitlements.contains(&e) {
            continue;
        }
        if !is_token(&e, 64, &['-', '_', '.', ':']) {
            return Err(Problem::Entitlement(raw.trim().to_string()));
        }
        entitlements.push(e);
    }
    if entitlements.len() > ENTITLEMENTS_MAX {
        return Err(Problem::TooManyEntitlements {
            max: ENTITLEMENTS_MAX,
        });
    }
    Ok(entitlements)
}

/// The tier that customers of tier `id` fall back to, by slug: another
/// tier in use, or none.
async fn fallback(
    state: &AppState,
    slug: &str,
    id: TierId,
) -> Result<std::result::Result<Option<TierId>, Problem>> {
    if slug.is_empty() {
        return Ok(Ok(None));
    }
    Ok(match state.store.tier_by_slug(slug).await? {
        Some(t) if t.id == id => Err(Problem::FallbackIsSelf),
        Some(t) if t.archived => Err(Problem::FallbackArchived),
        Some(t) => Ok(Some(t.id)),
        None => Err(Problem::NoSuchTier),
    })
}

pub async fn create(state: &AppState, form: &TierDraft, ctx: &RequestContext) -> Result<Tier> {
    let by = ctx.admin()?;
    by.require_owner(OwnerTask::DefineTiers)?;
    let tier = validate(state, form, TierId(Uuid::now_v7())).await?;
    if !state.store.insert_tier(&tier, state.clock.now()).await? {
        return Err(Error::invalid("slug", Problem::SlugTaken));
    }
    let details = json!({ "tier_id": tier.id, "slug": tier.slug, "name": tier.name,
        "rank": tier.rank, "entitlements": tier.entitlements });
    audit::record(state, ctx, Action::TierCreated, None, details).await?;
    Ok(tier)
}

pub async fn update(
    state: &AppState,
    id: TierId,
    form: &TierDraft,
    ctx: &RequestContext,
) -> Result<Tier> {
    let by = ctx.admin()?;
    by.require_owner(OwnerTask::DefineTiers)?;
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
        return Err(Error::invalid("slug", Problem::SlugTaken));
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
    by.require_owner(OwnerTask::DefineTiers)?;
    if !state.store.set_default_tier(id, state.clock.now()).await? {
        return Err(Error::Conflict(Problem::DefaultMustBeActive));
    }
    let details = json!({ "tier_id": id });
    audit::record(state, ctx, Action::TierMadeDefault, None, details).await?;
    Ok(())
}

pub async fn archive(state: &AppState, id: TierId, ctx: &RequestContext) -> Result<()> {
    let by = ctx.admin()?;
    by.require_owner(OwnerTask::DefineTiers)?;
    let refusal = match state.store.archive_tier(id, state.clock.now()).await? {
        Ok(()) => {
            let details = json!({ "tier_id": id });
            audit::record(state, ctx, Action::TierArchived, None, details).await?;
            return Ok(());
        }
        Err(r) => r,
    };
    Err(Error::Conflict(match refusal {
        ArchiveRefusal::Gone => Problem::TierGone,
        ArchiveRefusal::IsDefault => Problem::DefaultNotArchivable,
        ArchiveRefusal::HasMembers => Problem::TierHasMembers,
        ArchiveRefusal::IsFallback => Problem::TierIsFallback,
    }))
}

pub async fn unarchive(state: &AppState, id: TierId, ctx: &RequestContext) -> Result<()> {
    let by = ctx.admin()?;
    by.require_owner(OwnerTask::DefineTiers)?;
    if !state.store.unarchive_tier(id, state.clock.now()).await? {
        return Err(Error::Conflict(Problem::TierNotArchived));
    }
    let details = json!({ "tier_id": id });
    audit::record(state, ctx, Action::TierUnarchived, None, details).await?;
    Ok(())
}

/// Every tier, archived ones included.
pub async fn list(state: &AppState) -> Result<Vec<Tier>> {
    Ok(state.store.list_tiers().await?)
}

/// A tier's page: every tier (the one asked for among them), its latest
/// changes, and how many customers it has.
pub struct TierDetail {
    pub all: Vec<Tier>,
    pub changes: Vec<crate::domain::TierChange>,
    pub members: i64,
}

pub async fn detail(state: &AppState, id: TierId) -> Result<TierDetail> {
    let all = list(state).await?;
    if !all.iter().any(|t| t.id == id) {
        return Err(Error::NotFound);
    }
    Ok(TierDetail {
        all,
        changes: state.store.tier_recent_changes(id, 50).await?,
        members: state.store.count_tier_members(id).await?,
    })
}
