//! What every request and background job shares.

use crate::config::Config;
use crate::domain::oidc::Client;
use crate::domain::{Change, Clock};
use crate::mail::Mailer;
use crate::password::Hasher;
use crate::signing::KeyRing;
use crate::store::Store;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub hasher: Hasher,
    pub mailer: Mailer,
    pub clock: Clock,
    /// Token signing keys, parsed once.
    pub keys: KeyRing,
    /// Applications as the token endpoint last read them.
    pub clients: ClientCache,
    /// Where this instance saw client authentications fail lately.
    pub failing_clients: FailingClients,
    /// What `/metrics` shows.
    pub metrics: crate::metrics::Metrics,
    /// Whether other instances' changes reach this one as they happen.
    pub hearing: Hearing,
    /// Wakes the bulk tier job: one was started here or elsewhere.
    pub bulk_work: Arc<tokio::sync::Notify>,
    /// Set when the process was asked to stop: `/readyz` says so, and the
    /// balancer sends new requests elsewhere while these finish.
    pub draining: Arc<AtomicBool>,
}

/// Whether this instance hears other instances' changes as they happen (a
/// live PostgreSQL `LISTEN`). While it does, what it keeps in memory stays
/// until a change is heard; while it does not (SQLite, where a command-line
/// process may share the file, or the connection lost), nothing is kept
/// longer than a second: polling is the fallback.
#[derive(Clone, Default)]
pub struct Hearing(Arc<AtomicBool>);

impl Hearing {
    pub fn live(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    pub fn set_live(&self, live: bool) {
        self.0.store(live, Ordering::Release);
    }

    /// How long a cached copy may be used without a look at the database.
    pub fn fresh_for(&self) -> Duration {
        if self.live() {
            Duration::from_secs(300)
        } else {
            Duration::from_secs(1)
        }
    }
}

/// The (client, source address) pairs whose authentication failed on this
/// instance within the hour: their next attempts are held on the shared
/// throttle before the credential is checked. Kept in memory because it is
/// safe to lose: forgotten, a pair is checked first once more, and its
/// failure is counted all the same.
#[derive(Clone, Default)]
pub struct FailingClients {
    seen: Arc<Mutex<HashMap<String, Instant>>>,
}

impl FailingClients {
    const FOR: Duration = Duration::from_secs(3600);
    /// Bounded, so a flood from many addresses cannot grow the map.
    const MAX_ENTRIES: usize = 10_000;

    fn key(client: &str, source: Option<&str>) -> String {
        format!("{client}|{}", source.unwrap_or("unknown"))
    }

    pub fn seen(&self, client: &str, source: Option<&str>) -> bool {
        let seen = self.seen.lock().expect("failing clients lock");
        seen.get(&Self::key(client, source))
            .is_some_and(|at| at.elapsed() < Self::FOR)
    }

    /// The pair authenticated again: its attempts go unchecked once more.
    pub fn forgive(&self, client: &str, source: Option<&str>) {
        let mut seen = self.seen.lock().expect("failing clients lock");
        seen.remove(&Self::key(client, source));
    }

    pub fn failed(&self, client: &str, source: Option<&str>) {
        let mut seen = self.seen.lock().expect("failing clients lock");
        if seen.len() >= Self::MAX_ENTRIES {
            seen.retain(|_, at| at.elapsed() < Self::FOR);
            if seen.len() >= Self::MAX_ENTRIES {
                seen.clear();
            }
        }
        seen.insert(Self::key(client, source), Instant::now());
    }
}

/// Applications (with their live secrets' digests), kept for a few seconds:
/// every token request names its client, and re-reading two rows for each
/// one halved the token endpoint's rate. A change made anywhere forgets the
/// entry at once (`AppState::hear`); how long an entry is trusted without
/// that is `Hearing::fresh_for`.
#[derive(Clone, Default)]
pub struct ClientCache {
    entries: Arc<Mutex<HashMap<String, Stamped>>>,
}

/// A cache entry and when it was read.
type Stamped = (Instant, Arc<CachedClient>);

/// An application, or the knowledge that there is none by that id.
pub struct CachedClient {
    pub client: Option<Client>,
    /// Its live secrets' digests, each with when it stops working.
    pub secret_digests: Vec<(Vec<u8>, Option<i64>)>,
    /// Its `private_key_jwt` public keys, parsed once.
    pub keys: Option<jsonwebtoken::jwk::JwkSet>,
}

impl ClientCache {
    /// Unknown ids are remembered too; bounded, so a flood of made-up ids
    /// cannot grow the map.
    const MAX_ENTRIES: usize = 10_000;

    pub fn get(&self, id: &str, fresh_for: Duration) -> Option<Arc<CachedClient>> {
        let entries = self.entries.lock().expect("client cache lock");
        entries
            .get(id)
            .filter(|(at, _)| at.elapsed() < fresh_for)
            .map(|(_, c)| c.clone())
    }

    pub fn put(&self, id: &str, entry: CachedClient) -> Arc<CachedClient> {
        let entry = Arc::new(entry);
        let mut entries = self.entries.lock().expect("client cache lock");
        if entries.len() >= Self::MAX_ENTRIES {
            entries.clear();
            if entries.len() >= Self::MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(id.to_string(), (Instant::now(), entry.clone()));
        entry
    }

    pub fn forget(&self, id: &str) {
        self.entries.lock().expect("client cache lock").remove(id);
    }

    pub fn forget_all(&self) {
        self.entries.lock().expect("client cache lock").clear();
    }
}

impl AppState {
    /// Applies a change made here and tells the other instances (through
    /// the database, after the change committed). Telling is best effort:
    /// an instance that misses it has its listener down, and then trusts
    /// nothing it holds for more than a second.
    pub async fn announce(&self, change: Change) {
        self.hear(&change);
        if let Err(e) = self.store.announce(&change.to_payload()).await {
            tracing::warn!(error = %e, change = change.kind(), "other instances not told of a change");
        }
    }

    /// A change made here or on another instance: forget what it makes
    /// stale, wake the job it gives work.
    pub fn hear(&self, change: &Change) {
        match change {
            Change::Client(id) => self.clients.forget(id),
            Change::Keys => self.keys.forget(),
            Change::Mail => self.mailer.wake(),
            Change::TierMoves => self.bulk_work.notify_one(),
        }
        self.metrics.change_heard(change.kind());
    }

    /// Changes may have been missed (the listener was down): forget
    /// everything kept and let every job look for work.
    pub fn heard_everything(&self) {
        self.clients.forget_all();
        self.keys.forget();
        self.mailer.wake();
        self.bulk_work.notify_one();
        self.metrics.change_heard("everything");
    }

    /// The token signing keys, looked at again in the database when a
    /// change was heard or, without a live listener, every second.
    pub async fn signing_keys(&self) -> crate::domain::Result<Arc<crate::signing::Keys>> {
        let recheck = self.hearing.fresh_for().as_secs() as i64;
        self.keys.keys(&self.store, &self.clock, recheck).await
    }

    /// Which database this instance uses: `sqlite` or `postgres`.
    pub fn database_name(&self) -> &'static str {
        self.store.backend_name()
    }

    /// Which database this instance uses, and whether it answers now.
    pub async fn database_ready(&self) -> (&'static str, crate::domain::Result<()>) {
        let name = self.store.backend_name();
        // Answered within a second whatever the database does: a
        // balancer's probe must not hang on it.
        let limit = std::time::Duration::from_millis(900);
        let ready = match tokio::time::timeout(limit, self.store.ping()).await {
            Ok(pinged) => pinged.map_err(Into::into),
            Err(_) => Err(crate::domain::Error::Offline { retry_after: 5 }),
        };
        (name, ready)
    }

    /// The metrics text, with the pools and counters read now.
    pub fn metrics_text(&self) -> String {
        let (in_use, idle) = self.store.connections();
        let whole = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.metrics.encode(crate::metrics::Readings {
            hash_queue: whole(self.hasher.queued()),
            hash_threads: whole(self.hasher.threads()),
            db_in_use: whole(in_use),
            db_idle: whole(idle),
            session_writes: i64::try_from(self.store.session_writes()).unwrap_or(i64::MAX),
            mail_waiting: self.mailer.waiting(),
            hearing: self.hearing.live(),
            draining: self.draining.load(Ordering::Relaxed),
        })
    }

    /// Where browser sessions are kept: the same database.
    pub fn session_store(&self) -> crate::store::SessionBackend {
        self.store.session_backend()
    }

    pub fn new(config: Config, store: Store, clock: Clock) -> Self {
        let queue = (config.abuse.hash_queue).unwrap_or(config.hash_threads * 32);
        let hasher = Hasher::new(config.hash_threads, queue);
        let per_hour = config.abuse.mails_per_address_per_hour;
        let mailer = Mailer::new(store.clone(), clock.clone(), per_hour);
        let keys = KeyRing::new(config.key_source.clone());
        let metrics = crate::metrics::Metrics::new();
        let timed = metrics.clone();
        store.observe_queries(move |seconds| timed.query(seconds));
        Self {
            keys,
            clients: ClientCache::default(),
            failing_clients: FailingClients::default(),
            metrics,
            hearing: Hearing::default(),
            bulk_work: Arc::default(),
            draining: Arc::default(),
            config: Arc::new(config),
            store,
            hasher,
            mailer,
            clock,
        }
    }
}
