//! What operators see at `/metrics` (Prometheus text, OpenMetrics): every
//! request by route and status with its latency, sign-ins by how they
//! ended, and, read when scraped, the password pool's queue, the
//! database pool and the browser-session writes. One registry per
//! instance; Prometheus adds the instance label.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::Arc;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: &'static str,
    /// The route's pattern (`/admin/customers/{id}`), never the path
    /// itself: ids and tokens would make a series per value.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: &'static str,
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// `customers` or `admins`.
    pub realm: &'static str,
    /// How the input ended: `done`, `second_factor`, `enrol`, `profile`,
    /// `refused_credentials`, `refused_factor`, `refused_disabled`,
    /// `expired`, `out_of_step`, `held_back`.
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolLabels {
    /// `in_use` or `idle`.
    pub state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CacheLabels {
    pub cache: &'static str,
    /// `hit` or `miss`.
    pub result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ChangeLabels {
    /// `client`, `keys`, `mail`, `tier_moves`, or `everything` (the
    /// listener came back after missing some).
    pub change: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct GrantLabels {
    /// `authorization_code`, `refresh_token`, `client_credentials`,
    /// `urn:ietf:params:oauth:grant-type:device_code`.
    pub grant_type: &'static str,
    /// `issued`, an OAuth error code (`invalid_grant`,
    /// `authorization_pending`...), or `error`.
    pub result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ThrottleLabels {
    /// The limit that held it back: `account_from_address`, `address`,
    /// `network` or `account` (guesses of passwords, codes and secrets alike).
    pub limit: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FactorLabels {
    /// `totp`, `recovery_code` or `passkey`.
    pub factor: &'static str,
    /// `passed`, `wrong` or `locked`.
    pub result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LogoutLabels {
    /// `sent`, `retry` (refused or unanswered, tried again later) or
    /// `given_up`.
    pub result: &'static str,
}

/// Values read from elsewhere when scraped.
pub struct Readings {
    pub hash_queue: i64,
    pub hash_threads: i64,
    pub db_in_use: i64,
    pub db_idle: i64,
    pub session_writes: i64,
    pub mail_waiting: i64,
    /// Whether other instances' changes reach this one as they happen.
    pub hearing: bool,
    pub draining: bool,
}

/// This instance's metrics.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    sign_in_steps: Family<OutcomeLabels, Counter>,
    hash_queue: Gauge,
    hash_threads: Gauge,
    db_connections: Family<PoolLabels, Gauge>,
    session_writes: Gauge,
    cache_lookups: Family<CacheLabels, Counter>,
    token_grants: Family<GrantLabels, Counter>,
    throttled: Family<ThrottleLabels, Counter>,
    mfa_checks: Family<FactorLabels, Counter>,
    backchannel_logouts: Family<LogoutLabels, Counter>,
    changes_heard: Family<ChangeLabels, Counter>,
    mail_waiting: Gauge,
    hearing: Gauge,
    draining: Gauge,
    queries: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("gatehouse");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route pattern and status",
            requests.clone(),
        );
        // 0.5 ms to about 16 s.
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route pattern",
            latency.clone(),
        );
        let sign_in_steps = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "sign_in_steps",
            "Sign-in inputs (password, passkey, code, link) by where they led",
            sign_in_steps.clone(),
        );
        let hash_queue = Gauge::default();
        registry.register(
            "password_hash_queue",
            "Password checks waiting for a hashing thread",
            hash_queue.clone(),
        );
        let hash_threads = Gauge::default();
        registry.register(
            "password_hash_threads",
            "Threads of the password hashing pool",
            hash_threads.clone(),
        );
        let db_connections = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "database_connections",
            "Database pool connections, in use and idle",
            db_connections.clone(),
        );
        let session_writes = Gauge::default();
        registry.register(
            "browser_session_writes",
            "Browser-session records written since start",
            session_writes.clone(),
        );
        let cache_lookups = Family::<CacheLabels, Counter>::default();
        registry.register(
            "cache_lookups",
            "Lookups in this instance's in-memory copies, by cache and hit or miss",
            cache_lookups.clone(),
        );
        let token_grants = Family::<GrantLabels, Counter>::default();
        registry.register(
            "token_grants",
            "Token endpoint requests of authenticated applications, by grant type and result",
            token_grants.clone(),
        );
        let throttled = Family::<ThrottleLabels, Counter>::default();
        registry.register(
            "throttle_refusals",
            "Attempts held back or blocked by the guessing throttle, by the limit that held them",
            throttled.clone(),
        );
        let mfa_checks = Family::<FactorLabels, Counter>::default();
        registry.register(
            "mfa_checks",
            "Second factors checked, by factor and result",
            mfa_checks.clone(),
        );
        let backchannel_logouts = Family::<LogoutLabels, Counter>::default();
        registry.register(
            "backchannel_logouts",
            "Back-channel logout tokens posted to applications, by result",
            backchannel_logouts.clone(),
        );
        let changes_heard = Family::<ChangeLabels, Counter>::default();
        registry.register(
            "changes_heard",
            "Changes made here or on other instances that dropped a copy or woke a job",
            changes_heard.clone(),
        );
        let mail_waiting = Gauge::default();
        registry.register(
            "mail_outbox_waiting",
            "Messages waiting in the outbox when the mail worker last looked",
            mail_waiting.clone(),
        );
        let hearing = Gauge::default();
        registry.register(
            "hearing_other_instances",
            "1 while other instances' changes arrive as they happen (PostgreSQL LISTEN), else 0",
            hearing.clone(),
        );
        let draining = Gauge::default();
        registry.register(
            "draining",
            "1 once the process was asked to stop and is finishing its requests",
            draining.clone(),
        );
        // 0.1 ms to about 3 s.
        let queries = Histogram::new(exponential_buckets(0.0001, 2.0, 15));
        registry.register(
            "database_query_duration_seconds",
            "Time from asking the database pool for a statement to its answer, waiting for a connection included",
            queries.clone(),
        );
        Self {
            queries,
            registry: Arc::new(registry),
            cache_lookups,
            token_grants,
            throttled,
            mfa_checks,
            backchannel_logouts,
            changes_heard,
            mail_waiting,
            hearing,
            draining,
            requests,
            latency,
            sign_in_steps,
            hash_queue,
            hash_threads,
            db_connections,
            session_writes,
        }
    }

    /// One request answered. The labels are looked up by reference: a
    /// route's series is made once, not per request.
    pub fn request(&self, method: &'static str, route: String, status: u16, seconds: f64) {
        let timed = RouteLabels { method, route };
        self.latency.get_or_create(&timed).observe(seconds);
        let RouteLabels { method, route } = timed;
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route,
                status,
            })
            .inc();
    }

    /// One database statement's time.
    pub fn query(&self, seconds: f64) {
        self.queries.observe(seconds);
    }

    /// One sign-in input, and where it led.
    pub fn sign_in_step(&self, realm: &'static str, outcome: &'static str) {
        self.sign_in_steps
            .get_or_create(&OutcomeLabels { realm, outcome })
            .inc();
    }

    pub fn cache_lookup(&self, cache: &'static str, hit: bool) {
        let result = if hit { "hit" } else { "miss" };
        self.cache_lookups
            .get_or_create(&CacheLabels { cache, result })
            .inc();
    }

    pub fn token_grant(&self, grant_type: &'static str, result: &'static str) {
        self.token_grants
            .get_or_create(&GrantLabels { grant_type, result })
            .inc();
    }

    pub fn throttled(&self, limit: &'static str) {
        self.throttled
            .get_or_create(&ThrottleLabels { limit })
            .inc();
    }

    pub fn mfa_check(&self, factor: &'static str, result: &'static str) {
        self.mfa_checks
            .get_or_create(&FactorLabels { factor, result })
            .inc();
    }

    pub fn backchannel_logout(&self, result: &'static str) {
        self.backchannel_logouts
            .get_or_create(&LogoutLabels { result })
            .inc();
    }

    pub fn change_heard(&self, change: &'static str) {
        self.changes_heard
            .get_or_create(&ChangeLabels { change })
            .inc();
    }

    /// The text Prometheus scrapes, with `readings` taken now.
    pub fn encode(&self, readings: Readings) -> String {
        self.hash_queue.set(readings.hash_queue);
        self.hash_threads.set(readings.hash_threads);
        self.db_connections
            .get_or_create(&PoolLabels { state: "in_use" })
            .set(readings.db_in_use);
        self.db_connections
            .get_or_create(&PoolLabels { state: "idle" })
            .set(readings.db_idle);
        self.session_writes.set(readings.session_writes);
        self.mail_waiting.set(readings.mail_waiting);
        self.hearing.set(i64::from(readings.hearing));
        self.draining.set(i64::from(readings.draining));
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}
