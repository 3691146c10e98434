//! Tiers in the console: every role reads them, owners define them.

use super::mfa::TierMfaForm;
use super::{SignedInAdmin, answer, date_time, page};
use crate::directory::tiers::{self, TierDraft};
use crate::domain::{Error, Problem, Record, Result, Tier, TierChange, TierId};
use crate::http::extract::FormData;
use crate::state::AppState;
use app::console::*;
use app::paths;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use uuid::Uuid;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::TIERS, get(list).post(create))
        .route(paths::TIER, get(detail).post(update))
        .route(paths::TIER_ACTION, post(act))
        .route(paths::TIER_MFA, post(set_mfa))
        .route(paths::TIER_JOB, get(job))
}

/// A tier as its form sends it (absent fields are empty).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
struct TierForm {
    slug: String,
    name: String,
    rank: String,
    description: String,
    colour: String,
    /// Separated by commas, spaces or new lines.
    entitlements: String,
    /// A tier's slug, or empty for none.
    fallback: String,
    /// Empty for none.
    grace_days: String,
}

impl TierForm {
    /// The typed tier the form stands for.
    fn draft(&self) -> TierDraft {
        let fallback = self.fallback.trim();
        TierDraft {
            slug: self.slug.clone(),
            name: self.name.clone(),
            rank: self.rank.trim().parse().ok(),
            description: self.description.clone(),
            colour: self.colour.clone(),
            entitlements: self
                .entitlements
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|e| !e.is_empty())
                .map(str::to_string)
                .collect(),
            fallback: (!fallback.is_empty()).then(|| fallback.to_string()),
            grace_days: match self.grace_days.trim() {
                "" => Some(0),
                raw => raw.parse().ok(),
            },
        }
    }
}

/// The form as typed, to show again with its errors.
fn typed_values(f: TierForm) -> TierFormValues {
    TierFormValues {
        slug: f.slug,
        name: f.name,
        rank: f.rank,
        description: f.description,
        colour: f.colour,
        entitlements: f.entitlements,
        fallback: f.fallback,
        grace_days: f.grace_days,
    }
}

fn row(t: &Tier) -> TierRow {
    TierRow {
        id: t.id.to_string(),
        slug: t.slug.clone(),
        name: t.name.clone(),
        rank: t.rank,
        colour: t.colour.clone(),
        entitlements: t.entitlements.join(", "),
        is_default: t.is_default,
        archived: t.archived,
    }
}

fn stored_values(t: &Tier, all: &[Tier]) -> TierFormValues {
    TierFormValues {
        slug: t.slug.clone(),
        name: t.name.clone(),
        rank: t.rank.to_string(),
        description: t.description.clone(),
        colour: t.colour.clone(),
        entitlements: t.entitlements.join(", "),
        fallback: slug_of(all, t.fallback),
        grace_days: t.grace_days.to_string(),
    }
}

fn slug_of(all: &[Tier], id: Option<TierId>) -> String {
    id.and_then(|id| all.iter().find(|t| t.id == id))
        .map(|t| t.slug.clone())
        .unwrap_or_default()
}

fn name_of(all: &[Tier], id: Option<TierId>) -> String {
    match id {
        None => "none".into(),
        Some(id) => all
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| id.to_string()),
    }
}

/// History entries as table rows, naming tiers and admins.
pub(super) fn change_rows(
    admins: &super::AdminEmails,
    tiers: &[Tier],
    changes: &[TierChange],
    with_customer: bool,
) -> Vec<TierChangeRow> {
    changes
        .iter()
        .map(|c| TierChangeRow {
            at: date_time(c.at),
            customer: if with_customer {
                c.customer.to_string()
            } else {
                String::new()
            },
            from: name_of(tiers, c.from),
            to: name_of(tiers, Some(c.to)),
            source: c.source.as_str().into(),
            by: c
                .actor
                .map(|a| admins.get(&a.0).cloned().unwrap_or_else(|| a.to_string()))
                .unwrap_or_default(),
            reason: c.reason.clone(),
            until: c.expires_at.map(date_time).unwrap_or_default(),
        })
        .collect()
}

async fn list_view(state: &AppState, admin: &SignedInAdmin) -> Result<TiersView> {
    Ok(TiersView {
        tiers: tiers::list(state).await?.iter().map(row).collect(),
        can_manage: admin.admin().role.can_manage_admins(),
        form: TierFormValues {
            colour: "#64748b".into(),
            rank: "10".into(),
            grace_days: "0".into(),
            ..Default::default()
        },
        ..Default::default()
    })
}

async fn list(State(state): State<AppState>, admin: SignedInAdmin) -> Result<Response> {
    let view = TiersView {
        notice: admin.0.take_flash().await?,
        ..list_view(&state, &admin).await?
    };
    Ok(page(
        StatusCode::OK,
        tiers_page(&admin.0.chrome().await?, &view),
    ))
}

async fn create(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    FormData(fields): FormData<TierForm>,
) -> Result<Response> {
    let created = tiers::create(&state, &fields.draft(), &admin.0.ctx).await;
    let saved = |tier: Tier| {
        let notice = format!("The tier {} is created.", tier.name);
        (notice, paths::at(paths::TIER, &[&tier.id]))
    };
    answer(&admin, created, saved, async |errors| {
        let view = TiersView {
            form: typed_values(fields),
            errors: super::shown(&errors),
            ..list_view(&state, &admin).await?
        };
        Ok(tiers_page(&admin.0.chrome().await?, &view))
    })
    .await
}

fn parse_tier_id(raw: &str) -> Result<TierId> {
    Uuid::parse_str(raw)
        .map(TierId)
        .map_err(|_| Error::BadRequest(Problem::NotAnId(Record::Tier)))
}

async fn detail_view(
    state: &AppState,
    admin: &SignedInAdmin,
    id: TierId,
) -> Result<TierDetailView> {
    let tiers::TierDetail {
        all,
        changes,
        members,
    } = tiers::detail(state, id).await?;
    let tier = all.iter().find(|t| t.id == id).ok_or(Error::NotFound)?;
    Ok(TierDetailView {
        tier: row(tier),
        description: tier.description.clone(),
        fallback: name_of(&all, tier.fallback),
        grace_days: tier.grace_days,
        members,
        changes: change_rows(&super::admin_emails(state).await?, &all, &changes, true),
        all_tiers: all
            .iter()
            .filter(|t| !t.archived)
            .map(|t| (t.slug.clone(), t.name.clone()))
            .collect(),
        can_manage: admin.admin().role.can_manage_admins(),
        form: stored_values(tier, &all),
        errors: Default::default(),
        notice: None,
        mfa: super::mfa::tier_view(state, id, None).await?,
    })
}

async fn detail(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
) -> Result<Response> {
    let view = TierDetailView {
        notice: admin.0.take_flash().await?,
        ..detail_view(&state, &admin, parse_tier_id(&id)?).await?
    };
    Ok(page(
        StatusCode::OK,
        tier_detail_page(&admin.0.chrome().await?, &view),
    ))
}

async fn update(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
    FormData(fields): FormData<TierForm>,
) -> Result<Response> {
    let id = parse_tier_id(&id)?;
    let updated = tiers::update(&state, id, &fields.draft(), &admin.0.ctx).await;
    let saved = |_| ("The tier is saved.".into(), paths::at(paths::TIER, &[&id]));
    answer(&admin, updated, saved, async |errors| {
        let view = TierDetailView {
            form: typed_values(fields),
            errors: super::shown(&errors),
            ..detail_view(&state, &admin, id).await?
        };
        Ok(tier_detail_page(&admin.0.chrome().await?, &view))
    })
    .await
}

async fn set_mfa(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
    FormData(form): FormData<TierMfaForm>,
) -> Result<Response> {
    let id = parse_tier_id(&id)?;
    let saved = match form.own() {
        Ok(own) => crate::mfa::policy::set_for_tier(&state, &admin.0.ctx, id, own).await,
        Err(e) => Err(e),
    };
    let done = |()| {
        let notice = "The tier's MFA policy is saved.".into();
        (notice, paths::at(paths::TIER, &[&id]))
    };
    answer(&admin, saved, done, async |errors| {
        let typed = Some((form.policy, form.remember_days));
        let mfa = TierMfaView {
            errors: super::shown(&errors),
            ..super::mfa::tier_view(&state, id, typed).await?
        };
        let view = TierDetailView {
            mfa,
            ..detail_view(&state, &admin, id).await?
        };
        Ok(tier_detail_page(&admin.0.chrome().await?, &view))
    })
    .await
}

async fn act(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path((id, action)): Path<(String, String)>,
) -> Result<Response> {
    let id = parse_tier_id(&id)?;
    let ctx = &admin.0.ctx;
    let message = match action.as_str() {
        "default" => {
            tiers::make_default(&state, id, ctx).await?;
            "New customers now join this tier."
        }
        "archive" => {
            tiers::archive(&state, id, ctx).await?;
            "The tier is archived."
        }
        "unarchive" => {
            tiers::unarchive(&state, id, ctx).await?;
            "The tier is restored."
        }
        _ => return Err(Error::NotFound),
    };
    admin.0.flash(message).await?;
    Ok(Redirect::to(&paths::at(paths::TIER, &[&id])).into_response())
}

async fn job(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
) -> Result<Response> {
    let id =
        Uuid::parse_str(&id).map_err(|_| Error::BadRequest(Problem::NotAnId(Record::TierJob)))?;
    let job = crate::directory::tier_moves::job(&state, id).await?;
    let all = tiers::list(&state).await?;
    let admins = super::admin_emails(&state).await?;
    let view = TierJobView {
        tier: name_of(&all, Some(TierId(job.to_tier_id))),
        search: job.description,
        reason: job.reason,
        started_by: admins
            .get(&job.actor_id)
            .cloned()
            .unwrap_or_else(|| job.actor_id.to_string()),
        started: date_time(job.created_at),
        scanned: job.scanned,
        moved: job.moved,
        finished: job.finished_at.map(date_time).unwrap_or_default(),
        error: job.error,
        notice: admin.0.take_flash().await?,
        path: paths::at(paths::TIER_JOB, &[&id]),
    };
    Ok(page(
        StatusCode::OK,
        tier_job_page(&admin.0.chrome().await?, &view),
    ))
}
