//! An admin's own second factors (`/admin/security`): the list, and
//! removing one. Adding a passkey is a ceremony (`console::passkeys`).
//! Changes need a console sign-in within the step-up window.

use super::session::ConsoleVisitor;
use super::{SignedInAdmin, date_time, page};
use crate::domain::mfa::MfaProblem;
use crate::domain::{Error, Result};
use crate::http::browser;
use crate::http::messages;
use crate::mfa::{enrol, passkeys};
use crate::state::AppState;
use crate::store::FactorOwner;
use app::console::*;
use app::paths;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::CONSOLE_SECURITY, get(security))
        .route(paths::CONSOLE_FACTOR_REMOVE, post(remove))
}

/// Whether this browser's console sign-in may change its admin's factors.
pub(super) async fn fresh(state: &AppState, visitor: &ConsoleVisitor) -> Result<bool> {
    let signed_in_at = browser::admin_signed_in_at(&visitor.session).await?;
    enrol::admin_sign_in_fresh(state, signed_in_at).await
}

async fn security(State(state): State<AppState>, admin: SignedInAdmin) -> Result<Response> {
    let owner = FactorOwner::Admin(admin.admin().id);
    let factors = crate::mfa::enrol::factors(&state, owner).await?;
    let view = AdminSecurityView {
        factors: factors
            .iter()
            .map(|f| messages::factor_row(app::Lang::En, f, date_time))
            .collect(),
        fresh: fresh(&state, &admin.0).await?,
        passkeys: passkeys::available(&state),
        notice: admin.0.take_flash().await?,
    };
    Ok(page(
        StatusCode::OK,
        admin_security_page(&admin.0.chrome().await?, &view),
    ))
}

#[derive(Deserialize)]
struct FactorQuery {
    #[serde(default)]
    id: String,
}

async fn remove(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Query(query): Query<FactorQuery>,
) -> Result<Response> {
    if !fresh(&state, &admin.0).await? {
        return Err(Error::Conflict(MfaProblem::SignInAgain.into()));
    }
    let Ok(id) = Uuid::parse_str(&query.id) else {
        return Err(Error::Conflict(MfaProblem::FactorGone.into()));
    };
    enrol::remove_admin_factor(&state, &admin.0.ctx, admin.admin().id, id).await?;
    admin.0.flash("Removed.").await?;
    Ok(Redirect::to(paths::CONSOLE_SECURITY).into_response())
}
