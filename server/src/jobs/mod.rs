//! Background work of one instance, started in one place at start-up:
//! hearing other instances, mail delivery, bulk tier moves, tier expiry and
//! clean-up. With several instances each piece of work is done once: mail
//! and bulk steps are leased row by row, the periodic jobs take a lease per
//! run (`job_leases`). Jobs wake when work is announced (PostgreSQL
//! `NOTIFY`), with a slow look on a clock only as the fallback for a lost
//! notice; the periodic jobs are on a clock by nature.

use crate::directory::tier_moves;
use crate::domain::Change;
use crate::state::AppState;
use std::future::Future;
use std::sync::LazyLock;
use std::time::Duration;

/// This process, as the holder of job leases.
static INSTANCE: LazyLock<String> = LazyLock::new(crate::domain::secrets::random_string);

/// Starts every job; they run until the process ends.
pub fn start(state: &AppState) {
    tokio::spawn(listen(state.clone()));
    tokio::spawn(state.mailer.clone().run_worker(state.config.clone()));
    tokio::spawn(bulk_tier_moves(state.clone()));
    tokio::spawn(crate::oidc::backchannel::run_worker(state.clone()));
    every("tier_expiry", 60, state, tier_expiry);
    every("clean_up", 600, state, clean_up);
}

/// Hears what other instances change (PostgreSQL `LISTEN`) until the
/// process ends, reconnecting when the connection is lost. While it is not
/// listening, `Hearing` is off and caches keep nothing longer than a second.
async fn listen(state: AppState) {
    loop {
        match state.store.listen_for_changes().await {
            // SQLite: one instance, nobody to hear.
            Ok(None) => return,
            Ok(Some(mut listener)) => {
                // Changes made while nobody listened are unknown: drop
                // every copy first, then trust copies read from now on.
                state.heard_everything();
                state.hearing.set_live(true);
                tracing::info!("hearing other instances' changes");
                // Until the connection is lost (or fails).
                while let Ok(Some(payload)) = listener.next().await {
                    match Change::from_payload(&payload) {
                        Some(change) => state.hear(&change),
                        None => tracing::debug!(%payload, "unknown change ignored"),
                    }
                }
                state.hearing.set_live(false);
                tracing::warn!(
                    "stopped hearing other instances; copies are kept a second at most until this is back"
                );
            }
            Err(_) if state.store.is_closed() => return,
            Err(e) => tracing::warn!(error = %e, "cannot listen for other instances' changes"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Runs `job` every `period` seconds on whichever instance takes that
/// run's lease first.
fn every<F, Fut>(name: &'static str, period: i64, state: &AppState, job: F)
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(period as u64));
        loop {
            tick.tick().await;
            let now = state.clock.now();
            // Held a second short of the period, so this instance's next
            // tick (or another's) finds it free.
            match state
                .store
                .take_job_lease(name, &INSTANCE, now, now + period - 1)
                .await
            {
                Ok(true) => job(state.clone()).await,
                Ok(false) => {}
                Err(e) => tracing::warn!(job = name, error = %e, "job lease unavailable"),
            }
        }
    });
}

/// Steps through open bulk tier changes, page by page, until none is left;
/// then sleeps until one is started anywhere (or a minute passes: a job
/// whose instance died is taken over when its lease runs out).
async fn bulk_tier_moves(state: AppState) {
    loop {
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
        let _ = tokio::time::timeout(Duration::from_secs(60), state.bulk_work.notified()).await;
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
    match crate::identity::handoff::expire(&state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(tickets = n, "expired handoff tickets deleted"),
        Err(e) => tracing::warn!(error = %e, "expired handoff tickets not deleted"),
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
