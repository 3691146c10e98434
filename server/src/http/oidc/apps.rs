//! `/account/apps`: the applications that hold access to the customer's
//! account, each removable.

use crate::domain::Result;
use crate::http::extract::{Customer, FormData};
use crate::http::messages;
use crate::oidc::access;
use crate::state::AppState;
use app::hosted::{AppRow, AppsView, apps_page};
use app::paths;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

/// `/account/apps` and taking an application's access back.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::ACCOUNT_APPS, get(account_apps))
        .route(paths::ACCOUNT_APPS_REVOKE, post(revoke_app))
}

/// `/account/apps`: the applications that hold access, each removable.
async fn account_apps(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    let apps = access::apps_of(&state, customer.signed_in().customer.id).await?;
    let lang = customer.0.lang;
    let view = AppsView {
        apps: apps
            .into_iter()
            .map(|app| AppRow {
                shares: app
                    .scope
                    .unwrap_or_default()
                    .split_whitespace()
                    .filter_map(|scope| messages::scope_description(lang, scope))
                    .collect(),
                since: app
                    .last_granted_at
                    .map(|at| messages::on_day(lang, at))
                    .unwrap_or_default(),
                client_id: app.client_id,
                name: app.name,
            })
            .collect(),
        notice: customer.0.take_flash().await?,
    };
    Ok(Html(apps_page(&customer.0.chrome().await?, &view)).into_response())
}

#[derive(Deserialize)]
struct RevokeAppForm {
    #[serde(default)]
    client_id: String,
}

async fn revoke_app(
    State(state): State<AppState>,
    customer: Customer,
    FormData(form): FormData<RevokeAppForm>,
) -> Result<Response> {
    let signed_in = customer.signed_in();
    let name = access::apps_of(&state, signed_in.customer.id)
        .await?
        .into_iter()
        .find(|app| app.client_id == form.client_id)
        .map(|app| app.name);
    access::revoke(
        &state,
        &customer.0.ctx,
        signed_in.customer.id,
        &form.client_id,
    )
    .await?;
    // `revoke` refuses an application that holds no access, so it was
    // listed (its name is empty only if it lost access meanwhile).
    let name = name.unwrap_or_default();
    let done = customer.0.lang.tf("apps-removed", &[("app", name.into())]);
    customer.0.flash(&done).await?;
    Ok(Redirect::to(paths::ACCOUNT_APPS).into_response())
}
