//! Database access: the only module that knows SQLite from PostgreSQL.
//!
//! Queries are written once in SQL both dialects accept (numbered `$n`
//! parameters, `ON CONFLICT`, `RETURNING`) and run on whichever pool is
//! configured; `with_pool!` expands a query body once per backend.

mod admins;
mod attributes;
mod audit;
mod bulk;
mod changes;
mod copy;
mod customers;
mod deferred_indexes;
mod handoff;
mod import;
mod mail;
mod mfa;
mod name_words;
mod oidc;
mod search;
mod sessions;
mod sign_in_attempts;
mod throttle;
mod tier_jobs;
mod tiers;
mod tokens;

pub use admins::{AdminListing, NewAdmin, PendingInvite};
pub use bulk::BulkCustomer;
pub use changes::ChangeListener;
pub use customers::NewCustomer;
pub use handoff::{Claimant, ExpiredHandoff, HandoffKey, HandoffRow, NewHandoff};
pub use import::{ExistingCustomer, ImportRow, ImportValue};
pub use mail::OutboxMail;
pub use mfa::{FactorOwner, NewFactor, StoredPasskey, TotpSecret};
pub use oidc::{AppAccess, AppHolder, CodeSpend, DevicePoll, DueLogout, RefreshSpend};
pub use search::CustomerPage;
pub(crate) use sessions::end_sessions;
pub use sessions::{Ending, LiveSession, NewSession, SessionBackend, SessionInfo};
pub use sign_in_attempts::AttemptRow;
pub use throttle::{Limit, Reservation};
pub use tier_jobs::{JobProgress, TierJobRow};
pub use tiers::{ArchiveRefusal, ExpiredAssignment};
pub use tokens::{EmailChange, TokenPurpose};

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub type StoreResult<T> = Result<T, sqlx::Error>;

/// A database fault, to capabilities: unexpected, logged with context.
/// (Here, so that `domain` knows nothing of sqlx.)
/// How long a request waits for a PostgreSQL connection: when the
/// database is down or every connection is stuck, the answer is a 503
/// with `Retry-After` within a second, not a page that hangs.
const POSTGRES_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);

impl From<sqlx::Error> for crate::domain::Error {
    fn from(e: sqlx::Error) -> Self {
        match e {
            // The database is out of reach, not wrong: try again soon.
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => Self::Offline { retry_after: 5 },
            e => Self::Internal(anyhow::Error::new(e).context("database")),
        }
    }
}

/// Ends customer `$customer`'s access to applications (every one, or only
/// `$client`'s) at `$now`, in transaction `$tx`: every grant is revoked, so
/// its access tokens are reported inactive until they expire, whether or
/// not it holds a refresh token, and its refresh tokens stop working. Its
/// value: how many refresh tokens stopped. A macro, as the transaction's
/// type differs per backend; the SQL is portable.
macro_rules! end_app_access {
    ($tx:expr, $customer:expr, $client:expr, $now:expr) => {{
        let customer: uuid::Uuid = $customer;
        let client: Option<&str> = $client;
        let now: i64 = $now;
        sqlx::query(
            "INSERT INTO oidc_revoked_grants (family, revoked_at, expires_at) \
             SELECT family, $3, $4 FROM oidc_grant_families \
             WHERE customer_id = $1 AND ($2 IS NULL OR client_id = $2) AND expires_at > $3 \
             UNION SELECT family, $3, $4 FROM oidc_refresh_tokens \
             WHERE customer_id = $1 AND ($2 IS NULL OR client_id = $2) AND expires_at > $3 \
             ON CONFLICT (family) DO NOTHING",
        )
        .bind(customer)
        .bind(client)
        .bind(now)
        .bind(now + crate::domain::oidc::ACCESS_TOKEN_LIFETIME_MAX)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "UPDATE oidc_refresh_tokens SET revoked_at = $3 \
             WHERE customer_id = $1 AND ($2 IS NULL OR client_id = $2) AND revoked_at IS NULL \
             AND used_at IS NULL AND expires_at > $3",
        )
        .bind(customer)
        .bind(client)
        .bind(now)
        .execute(&mut *$tx)
        .await?
        .rows_affected()
    }};
}
pub(crate) use end_app_access;

/// Forgets every browser remembered for customer `$1` (the 30-day "skip
/// the second factor"): when their password or their factors change.
const FORGET_BROWSERS: &str = "DELETE FROM mfa_remembered_browsers WHERE customer_id = $1";

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: Pool,
    /// A streaming replica for reads that may lag (console search, exports).
    replica: Option<Pool>,
    /// Browser-session records written (created or saved) by this process:
    /// page views must not write, and this is how that is seen.
    session_writes: Arc<AtomicU64>,
    /// Told how long each statement took, once someone listens.
    query_times: Arc<QueryTimes>,
}

/// Called with a statement's seconds: how `/metrics` sees the database.
type QueryObserver = Box<dyn Fn(f64) + Send + Sync>;

/// Where statement times go, once someone listens.
#[derive(Default)]
pub(crate) struct QueryTimes(std::sync::OnceLock<QueryObserver>);

impl std::fmt::Debug for QueryTimes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueryTimes")
    }
}

/// Times one statement from asking the pool to the answer (a wait for a
/// connection included: that is what a request waits for too).
pub(crate) struct QueryTimer<'a> {
    observer: &'a QueryTimes,
    started: std::time::Instant,
}

impl Drop for QueryTimer<'_> {
    fn drop(&mut self) {
        if let Some(observe) = self.observer.0.get() {
            observe(self.started.elapsed().as_secs_f64());
        }
    }
}

/// Runs `$body` with `$pool` bound to the concrete pool of either backend,
/// timed.
macro_rules! with_pool {
    ($store:expr, |$pool:ident| $body:expr) => {{
        let _timer = $store.query_timer();
        match &$store.pool {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    }};
}
pub(crate) use with_pool;

/// Opens a transaction that writes. On SQLite it takes the write lock at
/// `BEGIN IMMEDIATE`: a deferred transaction that reads first and writes
/// later fails at once with "database is locked" (its snapshot is stale)
/// when another connection wrote in between, instead of waiting its turn
/// under the busy timeout. Every store transaction writes, so all use this.
///
/// SQLite has one writer at a time. Writers of this process also queue for
/// their turn here first, so the next one starts the moment the last one
/// commits; left to SQLite's busy handler they would sleep and poll (1, 2,
/// 5, 10 ms...), which under load costs most of the throughput and adds
/// tens of milliseconds of latency. Other processes (a CLI command) still
/// meet the busy timeout.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(&self) -> impl Future<Output = StoreResult<WriteTx<Self::Db>>> + Send;
}

/// A write transaction, holding its turn to write while it lives. Used as
/// the transaction it wraps: `&mut *tx` is its connection.
pub(crate) struct WriteTx<DB: sqlx::Database> {
    tx: sqlx::Transaction<'static, DB>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl<DB: sqlx::Database> WriteTx<DB> {
    pub async fn commit(self) -> StoreResult<()> {
        self.tx.commit().await
    }
}

impl<DB: sqlx::Database> std::ops::Deref for WriteTx<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        &self.tx
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for WriteTx<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        &mut self.tx
    }
}

/// The turn to write to one SQLite database file, shared by every pool of
/// this process that opens it.
fn write_turn(database: &std::path::Path) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    static TURNS: std::sync::LazyLock<
        std::sync::Mutex<
            std::collections::HashMap<std::path::PathBuf, std::sync::Arc<tokio::sync::Mutex<()>>>,
        >,
    > = std::sync::LazyLock::new(Default::default);
    let mut turns = TURNS.lock().expect("write turns lock");
    // Looked up by reference: the path is copied once per database, not
    // on every write.
    if let Some(turn) = turns.get(database) {
        return turn.clone();
    }
    turns.entry(database.to_path_buf()).or_default().clone()
}

/// This process's turn to write to `pool`'s database, for a write that is
/// one statement (no transaction to hold it).
pub(crate) async fn write_turn_of(pool: &SqlitePool) -> tokio::sync::OwnedMutexGuard<()> {
    write_turn(pool.connect_options().get_filename())
        .lock_owned()
        .await
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> StoreResult<WriteTx<sqlx::Sqlite>> {
        // The turn first, then a connection: writers waiting their turn do
        // not hold connections readers need.
        let turn = write_turn_of(self).await;
        let tx = self.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx {
            tx,
            _turn: Some(turn),
        })
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> StoreResult<WriteTx<sqlx::Postgres>> {
        Ok(WriteTx {
            tx: self.begin().await?,
            _turn: None,
        })
    }
}

/// A PostgreSQL pool as Gatehouse uses one.
async fn postgres_pool(url: &str) -> StoreResult<PgPool> {
    // JIT compiles queries whose estimated cost is high; for short console
    // and sign-in queries that costs hundreds of ms (seen on the attribute
    // search) and never pays back.
    let options = sqlx::postgres::PgConnectOptions::from_str(url)?.options([("jit", "off")]);
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(POSTGRES_ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
}

impl Store {
    pub async fn connect(url: &str) -> StoreResult<Self> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                // 64 MiB of page cache per connection (SQLite's default is
                // 2 MiB): index pages of millions of customers stay in memory
                // instead of being read again for every batch written.
                .pragma("cache_size", "-65536")
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Self {
                pool: Pool::Sqlite(pool),
                replica: None,
                session_writes: Arc::default(),
                query_times: Arc::default(),
            })
        } else {
            Ok(Self {
                pool: Pool::Postgres(postgres_pool(url).await?),
                replica: None,
                session_writes: Arc::default(),
                query_times: Arc::default(),
            })
        }
    }

    /// Adds a PostgreSQL streaming replica for reads that may lag.
    pub async fn with_replica(mut self, url: &str) -> StoreResult<Self> {
        self.replica = Some(Pool::Postgres(postgres_pool(url).await?));
        Ok(self)
    }

    /// The store for reads that may lag a moment behind the latest writes
    /// (console search, exports): the replica when there is one. Nothing
    /// that must see a write it just made reads from here.
    pub fn lagging_reads(&self) -> Store {
        Store {
            pool: self.replica.clone().unwrap_or_else(|| self.pool.clone()),
            replica: None,
            session_writes: self.session_writes.clone(),
            query_times: self.query_times.clone(),
        }
    }

    /// Has `observe` told how long each statement takes from now on (the
    /// first observer stays).
    pub fn observe_queries(&self, observe: impl Fn(f64) + Send + Sync + 'static) {
        let _ = self.query_times.0.set(Box::new(observe));
    }

    pub(crate) fn query_timer(&self) -> QueryTimer<'_> {
        QueryTimer {
            observer: &self.query_times,
            started: std::time::Instant::now(),
        }
    }

    /// Which server a lagging read goes to: `replica` or `primary`.
    pub fn lagging_reads_from(&self) -> &'static str {
        if self.replica.is_some() {
            "replica"
        } else {
            "primary"
        }
    }

    /// The pool's connections: (in use, idle).
    pub fn connections(&self) -> (usize, usize) {
        let (size, idle) = with_pool!(self, |pool| (pool.size() as usize, pool.num_idle()));
        (size.saturating_sub(idle), idle)
    }

    /// How many browser-session records this process has written.
    pub fn session_writes(&self) -> u64 {
        self.session_writes.load(Ordering::Relaxed)
    }

    /// Closed at shutdown: background work stops.
    pub fn is_closed(&self) -> bool {
        with_pool!(self, |pool| pool.is_closed())
    }

    pub fn backend_name(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// Applies pending migrations (ours and the session store's).
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await?,
            Pool::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
        }
        self.session_backend().migrate().await?;
        // Indexes an interrupted bulk import left to build.
        self.build_deferred_indexes().await?;
        Ok(())
    }

    /// Refreshes the planner's statistics of the tables a bulk load filled.
    /// Autovacuum would do it on PostgreSQL, but minutes later: right after
    /// a million-customer seed, paging 50 pages deep in the console took
    /// 140 ms before `ANALYZE` and 10 ms after. SQLite has no statistics
    /// until asked, and `PRAGMA optimize` then keeps them current.
    /// On PostgreSQL the name word index is also vacuumed: a multi-word
    /// search walks it by index alone only where the visibility map says
    /// its pages are all visible (at 10M customers, 1.6 s p95 before, as
    /// each entry was checked in the table).
    pub async fn analyze(&self) -> StoreResult<()> {
        const FILLED: &str = "customers, customer_attributes, tier_changes, customer_name_words";
        match &self.pool {
            Pool::Sqlite(pool) => {
                for table in FILLED.split(", ") {
                    sqlx::query(&format!("ANALYZE {table}"))
                        .execute(pool)
                        .await?;
                }
                sqlx::query("PRAGMA optimize").execute(pool).await?;
            }
            Pool::Postgres(pool) => {
                sqlx::query(&format!("ANALYZE {FILLED}"))
                    .execute(pool)
                    .await?;
                sqlx::raw_sql("VACUUM customer_name_words")
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// Readiness: can we reach the database right now?
    pub async fn ping(&self) -> StoreResult<()> {
        with_pool!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))
    }

    pub async fn close(&self) {
        with_pool!(self, |pool| pool.close().await);
        if let Some(Pool::Postgres(replica)) = &self.replica {
            replica.close().await;
        }
    }
}

/// A parameter of a query assembled at run time.
pub(crate) enum Bind {
    Int(i64),
    Text(String),
    Id(uuid::Uuid),
    OptInt(Option<i64>),
}

/// SQL text with its parameters, numbered as they are added.
#[derive(Default)]
pub(crate) struct Sql {
    pub(crate) text: String,
    binds: Vec<Bind>,
}

/// Binds every parameter of a `Sql` to a query (or query_as) of either backend.
macro_rules! bind_sql {
    ($query:expr, $sql:expr) => {{
        let mut q = $query;
        for bind in &$sql.binds {
            q = match bind {
                $crate::store::Bind::Int(v) => q.bind(*v),
                $crate::store::Bind::Text(v) => q.bind(v.as_str()),
                $crate::store::Bind::Id(v) => q.bind(*v),
                $crate::store::Bind::OptInt(v) => q.bind(*v),
            };
        }
        q
    }};
}
pub(crate) use bind_sql;

impl Sql {
    /// A statement without parameters.
    pub(crate) fn plain(text: &str) -> Self {
        Self {
            text: text.to_string(),
            binds: Vec::new(),
        }
    }

    /// Adds a parameter and returns its placeholder (`$n`).
    pub(crate) fn param(&mut self, bind: Bind) -> String {
        self.binds.push(bind);
        format!("${}", self.binds.len())
    }
}

/// A row either database can read into `Self`.
pub(crate) trait AnyRow:
    Send
    + Unpin
    + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
    + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
{
}

impl<T> AnyRow for T where
    T: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
{
}

impl Store {
    /// Runs a query assembled with `Sql` and reads every row.
    pub(crate) async fn fetch_all<T: AnyRow>(&self, sql: &Sql) -> StoreResult<Vec<T>> {
        with_pool!(self, |pool| {
            bind_sql!(sqlx::query_as(&sql.text), sql)
                .fetch_all(pool)
                .await
        })
    }

    /// Runs a query assembled with `Sql` and reads its one row.
    pub(crate) async fn fetch_one<T: AnyRow>(&self, sql: &Sql) -> StoreResult<T> {
        with_pool!(self, |pool| {
            bind_sql!(sqlx::query_as(&sql.text), sql)
                .fetch_one(pool)
                .await
        })
    }
}

/// A unique key that people choose values for, so a write may find the
/// value taken; each database names it its own way.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum UniqueKey {
    CustomerEmail,
    AdminEmail,
    TierSlug,
    AttributeKey,
}

impl UniqueKey {
    /// The constraint PostgreSQL reports.
    fn constraint(self) -> &'static str {
        match self {
            Self::CustomerEmail => "customers_email_key",
            Self::AdminEmail => "admins_email_key",
            Self::TierSlug => "tiers_slug_key",
            Self::AttributeKey => "attributes_key_key",
        }
    }

    /// The column SQLite names (`UNIQUE constraint failed: customers.email`).
    fn column(self) -> &'static str {
        match self {
            Self::CustomerEmail => "customers.email",
            Self::AdminEmail => "admins.email",
            Self::TierSlug => "tiers.slug",
            Self::AttributeKey => "attributes.key",
        }
    }
}

/// Whether `err` is a write that found `key`'s value taken. Any other
/// violation (an id, another key) is not: it is a fault to report, not a
/// "that email is taken" to show.
pub(crate) fn is_taken(err: &sqlx::Error, key: UniqueKey) -> bool {
    let Some(e) = err.as_database_error() else {
        return false;
    };
    e.is_unique_violation()
        && match e.constraint() {
            Some(name) => name == key.constraint(),
            None => e
                .message()
                .strip_prefix("UNIQUE constraint failed: ")
                .is_some_and(|columns| columns == key.column()),
        }
}

/// `Ok(true)` when the write went through, `Ok(false)` when `key`'s value
/// was already taken: the caller turns that into a field error.
pub(crate) fn unless_taken(result: StoreResult<u64>, key: UniqueKey) -> StoreResult<bool> {
    match result {
        Ok(_) => Ok(true),
        Err(e) if is_taken(&e, key) => Ok(false),
        Err(e) => Err(e),
    }
}
