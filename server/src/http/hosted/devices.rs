//! `/account/devices`: where the customer is signed in (each session in
//! words, this one first), each other device signed out on request, and
//! the applications that hold access.

use crate::domain::Result;
use crate::http::extract::Customer;
use crate::http::messages;
use crate::identity::sessions;
use crate::oidc::access;
use crate::state::AppState;
use app::hosted::{AppRow, DevicesView, devices_page};
use app::paths;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use uuid::Uuid;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(paths::ACCOUNT_DEVICES, get(devices))
        .route(paths::ACCOUNT_DEVICE_SIGN_OUT, post(sign_out_device))
        .route(
            paths::ACCOUNT_DEVICES_SIGN_OUT_OTHERS,
            post(sign_out_others),
        )
}

async fn devices(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    let signed_in = customer.signed_in();
    let id = signed_in.customer.id;
    let lang = customer.0.lang;
    let sessions = sessions::devices_of(&state, id).await?;
    let mut devices: Vec<_> = sessions
        .iter()
        .map(|s| {
            let here = Some(signed_in.session_id);
            messages::device_row(lang, s, here, &state.config.places, &sessions)
        })
        .collect();
    // This device first; the rest stay most recently used first.
    devices.sort_by_key(|d| !d.current);
    let apps = access::apps_of(&state, id)
        .await?
        .into_iter()
        .map(|app| AppRow {
            since: app
                .last_granted_at
                .map(|at| messages::on_day(lang, at))
                .unwrap_or_default(),
            client_id: app.client_id,
            name: app.name,
            shares: Vec::new(),
        })
        .collect();
    let view = DevicesView {
        devices,
        apps,
        notice: customer.0.take_flash().await?,
    };
    Ok(Html(devices_page(&customer.0.chrome().await?, &view)).into_response())
}

/// Signs one device out. A session id that is not a UUID is one that
/// cannot be the customer's: the same answer as one already gone.
async fn sign_out_device(
    State(state): State<AppState>,
    customer: Customer,
    Path(session): Path<String>,
) -> Result<Response> {
    let session = Uuid::parse_str(&session).unwrap_or(Uuid::nil());
    sessions::end_device(&state, &customer.0.ctx, customer.signed_in(), session).await?;
    let done = customer.0.lang.t("devices-signed-out");
    customer.0.flash(&done).await?;
    Ok(Redirect::to(paths::ACCOUNT_DEVICES).into_response())
}

async fn sign_out_others(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    let ended = sessions::end_other_devices(&state, &customer.0.ctx, customer.signed_in()).await?;
    let message = customer.0.lang.tf(
        "devices-others-signed-out",
        &[("count", (ended as i64).into())],
    );
    customer.0.flash(&message).await?;
    Ok(Redirect::to(paths::ACCOUNT_DEVICES).into_response())
}
