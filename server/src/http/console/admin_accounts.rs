//! Managing the console's admins: every role sees the list, owners change it.

use super::{SignedInAdmin, answer, date_time, page};
use crate::directory::admins;
use crate::domain::{AdminId, Email, Error, Problem, Record, Result};
use crate::http::extract::FormData;
use crate::http::messages;
use crate::identity::unblock;
use crate::state::AppState;
use crate::store::FactorOwner;
use crate::throttle::{self, Realm, account_key};
use app::console::*;
use app::paths;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::ADMINS, get(list))
        .route(paths::ADMINS_INVITE, post(invite))
        .route(paths::INVITE_REVOKE, post(revoke_invite))
        .route(paths::ADMIN_ROLE, post(change_role))
        .route(paths::ADMIN_REMOVE, post(remove))
        .route(paths::ADMIN_UNBLOCK, post(unblock_admin))
        .route(paths::ADMIN_MFA_RESET, post(reset_mfa))
}

async fn view(state: &AppState, admin: &SignedInAdmin) -> Result<AdminsView> {
    let me = admin.admin();
    let (listing, invites) = admins::list(state).await?;
    // Admins are few: one count each.
    let mut blocked = Vec::with_capacity(listing.len());
    let mut factors = Vec::with_capacity(listing.len());
    for l in &listing {
        let account = account_key(Realm::Admins, &l.admin.email);
        blocked.push(throttle::blocked_sources(state, &account).await?);
        let mut kinds: Vec<String> = Vec::new();
        for f in crate::mfa::enrol::factors(state, FactorOwner::Admin(l.admin.id)).await? {
            let words = messages::factor_kind_words(app::Lang::En, f.kind);
            if !kinds.contains(&words) {
                kinds.push(words);
            }
        }
        factors.push(kinds);
    }
    Ok(AdminsView {
        admins: listing
            .into_iter()
            .zip(blocked.into_iter().zip(factors))
            .map(|(l, (blocked_sources, factors))| AdminRow {
                id: l.admin.id.to_string(),
                email: l.admin.email.as_str().into(),
                display_name: l.admin.display_name.as_str().into(),
                role: l.admin.role.as_str().into(),
                created: date_time(l.created_at),
                last_sign_in: l
                    .last_sign_in_at
                    .map(date_time)
                    .unwrap_or_else(|| "never".into()),
                is_me: l.admin.id == me.id,
                blocked_sources,
                factors,
            })
            .collect(),
        invites: invites
            .into_iter()
            .map(|i| InviteRow {
                id: admins::invite_id(&i.token_hash),
                email: i.email.unwrap_or_else(|| "(first owner setup link)".into()),
                role: i.role,
                expires: date_time(i.expires_at),
            })
            .collect(),
        can_manage: me.role.can_manage_admins(),
        invite_role: "support".into(),
        ..Default::default()
    })
}

async fn list(State(state): State<AppState>, admin: SignedInAdmin) -> Result<Response> {
    let view = AdminsView {
        notice: admin.0.take_flash().await?,
        ..view(&state, &admin).await?
    };
    Ok(page(
        StatusCode::OK,
        admins_page(&admin.0.chrome().await?, &view),
    ))
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

async fn invite(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    FormData(form): FormData<InviteForm>,
) -> Result<Response> {
    let invited = admins::invite(&state, &form.email, &form.role, &admin.0.ctx).await;
    let saved = |email: Email| {
        let notice = format!("An invitation is on its way to {}.", email.as_str());
        (notice, paths::ADMINS.into())
    };
    answer(&admin, invited, saved, async |errors| {
        let view = AdminsView {
            invite_email: form.email,
            invite_role: form.role,
            errors: super::shown(&errors),
            ..view(&state, &admin).await?
        };
        Ok(admins_page(&admin.0.chrome().await?, &view))
    })
    .await
}

async fn revoke_invite(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
) -> Result<Response> {
    let ctx = &admin.0.ctx;
    admins::revoke_invite(&state, &id, ctx).await?;
    admin.0.flash("The invitation is withdrawn.").await?;
    Ok(Redirect::to(paths::ADMINS).into_response())
}

fn parse_admin_id(raw: &str) -> Result<AdminId> {
    Uuid::parse_str(raw)
        .map(AdminId)
        .map_err(|_| Error::BadRequest(Problem::NotAnId(Record::Admin)))
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
}

async fn change_role(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
    FormData(form): FormData<RoleForm>,
) -> Result<Response> {
    let target = parse_admin_id(&id)?;
    let ctx = &admin.0.ctx;
    admins::change_role(&state, target, &form.role, ctx).await?;
    admin.0.flash("The role is changed.").await?;
    Ok(Redirect::to(paths::ADMINS).into_response())
}

async fn remove(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
) -> Result<Response> {
    let target = parse_admin_id(&id)?;
    let ctx = &admin.0.ctx;
    admins::remove(&state, target, ctx).await?;
    admin.0.flash("The admin is removed.").await?;
    Ok(Redirect::to(paths::ADMINS).into_response())
}

async fn unblock_admin(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
) -> Result<Response> {
    let target = parse_admin_id(&id)?;
    unblock::admin_by_owner(&state, &admin.0.ctx, target).await?;
    admin
        .0
        .flash("Sign-ins to that account are no longer held back.")
        .await?;
    Ok(Redirect::to(paths::ADMINS).into_response())
}

/// An owner resets another admin's second factors (a lost phone or
/// passkey): they set one up again at their next sign-in.
async fn reset_mfa(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
) -> Result<Response> {
    let target = parse_admin_id(&id)?;
    let removed = admins::reset_mfa(&state, target, &admin.0.ctx).await?;
    let message = format!(
        "MFA is reset: {removed} second factor(s) removed. That admin sets up a new one at their next sign-in."
    );
    admin.0.flash(&message).await?;
    Ok(Redirect::to(paths::ADMINS).into_response())
}
