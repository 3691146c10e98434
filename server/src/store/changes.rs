//! Telling other instances what changed, through the database they share:
//! PostgreSQL's `NOTIFY`/`LISTEN`. SQLite is one instance's file, so there
//! is no one to tell (a command-line process sharing it is seen by the
//! caches' short freshness instead).

use super::{Pool, Store, StoreResult};
use sqlx::postgres::PgListener;

/// The one channel every instance listens on.
const CHANNEL: &str = "gatehouse_changes";

/// An open `LISTEN` on its own connection (PostgreSQL only).
pub struct ChangeListener(PgListener);

impl ChangeListener {
    /// The next payload; `Ok(None)` when the connection was lost, after
    /// which notifications sent meanwhile are gone: the caller starts
    /// again with a new listener and forgets what it held.
    pub async fn next(&mut self) -> StoreResult<Option<String>> {
        Ok(self
            .0
            .try_recv()
            .await?
            .map(|notification| notification.payload().to_string()))
    }
}

impl Store {
    /// Sends `payload` to every listening instance (this one included).
    /// Sent after the change committed, so a listener that re-reads sees it.
    pub async fn announce(&self, payload: &str) -> StoreResult<()> {
        match &self.pool {
            Pool::Sqlite(_) => Ok(()),
            Pool::Postgres(pool) => sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(payload)
                .execute(pool)
                .await
                .map(|_| ()),
        }
    }

    /// Starts listening; `None` on SQLite.
    pub async fn listen_for_changes(&self) -> StoreResult<Option<ChangeListener>> {
        match &self.pool {
            Pool::Sqlite(_) => Ok(None),
            Pool::Postgres(pool) => {
                let mut listener = PgListener::connect_with(pool).await?;
                listener.listen(CHANNEL).await?;
                Ok(Some(ChangeListener(listener)))
            }
        }
    }

    /// Takes the lease on job `name` for `holder` until `until`, if it is
    /// free or ran out by `now` (or `holder` holds it already). True when
    /// taken: the job runs here this time.
    pub async fn take_job_lease(
        &self,
        name: &str,
        holder: &str,
        now: i64,
        until: i64,
    ) -> StoreResult<bool> {
        let sql = "INSERT INTO job_leases (name, holder, until) VALUES ($1, $2, $3) \
                   ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
                   WHERE job_leases.until <= $4 OR job_leases.holder = excluded.holder";
        super::with_pool!(self, |pool| sqlx::query(sql)
            .bind(name)
            .bind(holder)
            .bind(until)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1))
    }
}
