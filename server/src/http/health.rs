//! Liveness and readiness for load balancers and orchestrators.

use crate::state::AppState;
use app::paths;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

/// The probes, and `/metrics` unless it has an address of its own.
pub fn router(metrics_apart: bool) -> Router<AppState> {
    let probes = Router::new()
        .route(paths::HEALTH, get(healthz))
        .route(paths::READY, get(readyz));
    if metrics_apart {
        probes
    } else {
        probes.merge(metrics_only())
    }
}

/// `/metrics` alone, for its own listen address.
pub fn metrics_only() -> Router<AppState> {
    Router::new().route(paths::METRICS, get(metrics))
}

/// Prometheus' scrape (OpenMetrics text). Counts and pool sizes only:
/// no customer, address or token is ever a label.
async fn metrics(State(state): State<AppState>) -> impl axum::response::IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics_text(),
    )
}

/// The process is up and serving; touches nothing else.
async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The database is reachable and the process is not stopping, so this
/// instance can take new customers.
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.draining.load(std::sync::atomic::Ordering::Relaxed) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "draining", "database": state.database_name() })),
        );
    }
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
