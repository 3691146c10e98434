//! Liveness and readiness for load balancers and orchestrators.

use crate::state::AppState;
use app::paths;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::HEALTH, get(healthz))
        .route(paths::READY, get(readyz))
}

/// The process is up and serving; touches nothing else.
async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The database is reachable, so this instance can serve customers.
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let (database, ready) = state.database_ready().await;
    match ready {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "database": database })),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": database })),
            )
        }
    }
}
