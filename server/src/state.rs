//! What every request and background job shares.

use crate::clock::Clock;
use crate::config::Config;
use crate::mail::Mailer;
use crate::password::Hasher;
use crate::store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub hasher: Hasher,
    pub mailer: Mailer,
    pub clock: Clock,
}

impl AppState {
    pub fn new(config: Config, store: Store, clock: Clock) -> Self {
        let hasher = Hasher::new(config.hash_threads);
        let mailer = Mailer::new(store.clone(), clock.clone());
        Self {
            config: Arc::new(config),
            store,
            hasher,
            mailer,
            clock,
        }
    }

    /// Starts the background jobs of one instance: mail delivery and clean-up.
    pub fn spawn_background_jobs(&self) {
        tokio::spawn(self.mailer.clone().run_worker(self.config.clone()));
        let state = self.clone();
        let bulk = self.clone();
        tokio::spawn(async move {
            // Bulk tier changes: step through open jobs, page by page.
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
            loop {
                tick.tick().await;
                loop {
                    match crate::tiers::run_bulk_step(&bulk).await {
                        Ok(true) => tokio::task::yield_now().await,
                        Ok(false) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, "bulk tier step failed");
                            break;
                        }
                    }
                }
            }
        });
        let expiry = self.clone();
        tokio::spawn(async move {
            // Tier assignments are checked every minute on every instance;
            // each move is conditional, so none happens twice.
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tick.tick().await;
                match crate::tiers::expire_assignments(&expiry).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(moved = n, "expired tier assignments moved"),
                    Err(e) => tracing::warn!(error = %e, "tier expiry pass failed"),
                }
            }
        });
        tokio::spawn(async move {
            let backend = state.store.session_backend();
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
            loop {
                tick.tick().await;
                use tower_sessions::session_store::ExpiredDeletion;
                if let Err(e) = backend.delete_expired().await {
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
        });
    }
}
