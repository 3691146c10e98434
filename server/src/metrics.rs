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

/// Values read from elsewhere when scraped.
pub struct Readings {
    pub hash_queue: i64,
    pub hash_threads: i64,
    pub db_in_use: i64,
    pub db_idle: i64,
    pub session_writes: i64,
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
        Self {
            registry: Arc::new(registry),
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

    /// One sign-in input, and where it led.
    pub fn sign_in_step(&self, realm: &'static str, outcome: &'static str) {
        self.sign_in_steps
            .get_or_create(&OutcomeLabels { realm, outcome })
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
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}
