//! What every request and background job shares.

use crate::config::Config;
use crate::domain::Clock;
use crate::mail::Mailer;
use crate::password::Hasher;
use crate::signing::KeyRing;
use crate::store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub hasher: Hasher,
    pub mailer: Mailer,
    pub clock: Clock,
    /// Token signing keys, parsed once.
    pub keys: KeyRing,
}

impl AppState {
    pub fn new(config: Config, store: Store, clock: Clock) -> Self {
        let queue = (config.abuse.hash_queue).unwrap_or(config.hash_threads * 32);
        let hasher = Hasher::new(config.hash_threads, queue);
        let per_hour = config.abuse.mails_per_address_per_hour;
        let mailer = Mailer::new(store.clone(), clock.clone(), per_hour);
        let keys = KeyRing::new(config.key_source.clone());
        Self {
            keys,
            config: Arc::new(config),
            store,
            hasher,
            mailer,
            clock,
        }
    }
}
