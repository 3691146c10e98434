//! What every request and background job shares.

use crate::config::Config;
use crate::domain::Clock;
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
}
