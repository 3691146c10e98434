//! Background work of one instance, started in one place at start-up: mail
//! delivery, bulk tier moves, tier expiry and clean-up. Every job is safe to
//! run on several instances at once (leases and conditional writes), so
//! instances need not know about each other.

use crate::directory::tier_moves;
use crate::state::AppState;
use std::future::Future;
use std::time::Duration;

/// Starts every job; they run until the process ends.
pub fn start(state: &AppState) {
    tokio::spawn(state.mailer.clone().run_worker(state.config.clone()));
    every(Duration::from_secs(2), state, bulk_tier_moves);
    every(Duration::from_secs(60), state, tier_expiry);
    every(Duration::from_secs(600), state, clean_up);
}

/// Runs `job` now and then after each `period`.
fn every<F, Fut>(period: Duration, state: &AppState, job: F)
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            job(state.clone()).await;
        }
    });
}

/// Steps through open bulk tier changes, page by page, until none is left.
async fn bulk_tier_moves(state: AppState) {
    loop {
        match tier_moves::run_bulk_step(&state).await {
            Ok(true) => tokio::task::yield_now().await,
            Ok(false) => break,
            Err(e) => {
                tracing::warn!(error = %e, "bulk tier step failed");
                break;
            }
        }
    }
}

/// Moves customers whose tier assignment has ended; each move is conditional,
/// so with several instances none happens twice.
async fn tier_expiry(state: AppState) {
    match tier_moves::expire_assignments(&state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(moved = n, "expired tier assignments moved"),
        Err(e) => tracing::warn!(error = %e, "tier expiry pass failed"),
    }
}

/// Throttle counters untouched for this long are over (the longest window
/// is an hour, a lockout as long as configured).
const THROTTLE_KEPT: i64 = 24 * 3600;

/// Deletes expired browser sessions, sign-in attempts, signed-in sessions, throttle
/// counters, and single sign-on's expired codes, refresh tokens, device
/// codes and revoked-grant records.
async fn clean_up(state: AppState) {
    let lockout = state.config.abuse.throttling.lockout_seconds;
    let before = state.clock.now() - THROTTLE_KEPT.max(2 * lockout);
    match state.store.purge_throttle(before).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(counters = n, "old throttle counters deleted"),
        Err(e) => tracing::warn!(error = %e, "old throttle counters not deleted"),
    }
    match state.store.purge_oidc(state.clock.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(rows = n, "expired single sign-on records deleted"),
        Err(e) => tracing::warn!(error = %e, "expired single sign-on records not deleted"),
    }
    match state.store.purge_mfa(state.clock.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(rows = n, "expired remembered browsers deleted"),
        Err(e) => tracing::warn!(error = %e, "expired remembered browsers not deleted"),
    }
    match state.store.purge_sign_in_attempts(state.clock.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(rows = n, "abandoned sign-in attempts deleted"),
        Err(e) => tracing::warn!(error = %e, "abandoned sign-in attempts not deleted"),
    }
    if let Err(e) = state.store.purge_browser_sessions().await {
        tracing::warn!(error = %e, "expired browser sessions not deleted");
    }
    if let Err(e) = state
        .store
        .delete_expired_customer_sessions(state.clock.now())
        .await
    {
        tracing::warn!(error = %e, "expired customer sessions not deleted");
    }
}
