use super::{BeginWrite, Pool, Store, StoreResult, with_pool};
use crate::domain::{Customer, CustomerId};
use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};
use uuid::Uuid;

/// Which customer sessions end (`end_sessions!`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// One session.
    One(Uuid),
    /// One session, if it is this customer's.
    OneOf(CustomerId, Uuid),
    /// Every session of the customer but one (the one making the change).
    AllBut(CustomerId, Uuid),
    /// Every session of the customer.
    All(CustomerId),
}

impl Ending {
    /// The condition on `customer_sessions` and the ids it binds, from `$1`.
    pub(crate) fn condition(self) -> (&'static str, Vec<Uuid>) {
        match self {
            Self::One(id) => ("id = $1", vec![id]),
            Self::OneOf(customer, id) => ("customer_id = $1 AND id = $2", vec![customer.0, id]),
            Self::AllBut(customer, keep) => {
                ("customer_id = $1 AND id <> $2", vec![customer.0, keep])
            }
            Self::All(customer) => ("customer_id = $1", vec![customer.0]),
        }
    }
}

/// Ends the customer sessions `$ending` names at `$now`, in transaction
/// `$tx`, and what hangs on them (OpenID Connect Back-Channel Logout):
/// each application that received an ID token in one of them is queued a
/// logout token, and their grants' refresh and access tokens stop, except
/// grants the customer allowed for while away (`offline_access`, §2.7).
/// The session grants go with the sessions (ON DELETE CASCADE). Its value:
/// how many sessions ended. A macro, as the transaction's type differs per
/// backend; the SQL is portable.
macro_rules! end_sessions {
    ($tx:expr, $ending:expr, $now:expr) => {{
        let (condition, ids) = $crate::store::Ending::condition($ending);
        let now: i64 = $now;
        let at = ids.len() + 1;
        let ended = format!("SELECT id FROM customer_sessions WHERE {condition}");
        let online = format!(
            "SELECT family FROM oidc_session_grants WHERE session_id IN ({ended}) \
             AND ' ' || scope || ' ' NOT LIKE '% offline_access %'"
        );
        let statements = [
            format!(
                "INSERT INTO oidc_backchannel_logouts \
                 (client_id, session_id, customer_id, created_at, next_attempt_at) \
                 SELECT g.client_id, g.session_id, g.customer_id, ${at}, ${at} \
                 FROM oidc_session_grants g JOIN oidc_clients c ON c.id = g.client_id \
                 WHERE g.session_id IN ({ended}) AND c.backchannel_logout_uri IS NOT NULL \
                 AND ' ' || g.scope || ' ' LIKE '% openid %' \
                 GROUP BY g.client_id, g.session_id, g.customer_id \
                 ON CONFLICT (client_id, session_id) DO NOTHING"
            ),
            format!(
                "INSERT INTO oidc_revoked_grants (family, revoked_at, expires_at) \
                 SELECT family, ${at}, ${at} + {} FROM oidc_session_grants \
                 WHERE family IN ({online}) ON CONFLICT (family) DO NOTHING",
                $crate::domain::oidc::ACCESS_TOKEN_LIFETIME_MAX
            ),
            format!(
                "UPDATE oidc_refresh_tokens SET revoked_at = ${at} \
                 WHERE family IN ({online}) AND revoked_at IS NULL AND used_at IS NULL"
            ),
        ];
        for sql in &statements {
            let mut query = sqlx::query(sql);
            for id in &ids {
                query = query.bind(*id);
            }
            query.bind(now).execute(&mut *$tx).await?;
        }
        let sql = format!("DELETE FROM customer_sessions WHERE {condition}");
        let mut delete = sqlx::query(&sql);
        for id in &ids {
            delete = delete.bind(*id);
        }
        delete.execute(&mut *$tx).await?.rows_affected()
    }};
}
pub(crate) use end_sessions;

/// A signed-in session as the console lists it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionInfo {
    pub id: Uuid,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// How it began: `amr` values (RFC 8176), space-separated.
    pub amr: String,
    /// The session it was handed off from, if it was.
    pub handed_off_from: Option<Uuid>,
    /// A shared screen's short session, which signs itself out.
    pub shared_screen: bool,
}

/// A customer's session as it begins.
pub struct NewSession<'a> {
    pub id: Uuid,
    pub customer: CustomerId,
    pub now: i64,
    pub expires_at: i64,
    pub user_agent: Option<&'a str>,
    pub ip: Option<&'a str>,
    /// How the customer proved who they are (`pwd`, `email`).
    pub amr: &'a str,
    /// When a second factor was shown (now, or for a handed-off session,
    /// its source's).
    pub mfa_at: Option<i64>,
    /// The session this one was handed off from.
    pub handed_off_from: Option<Uuid>,
    pub shared_screen: bool,
}

/// A live customer session: who, how and when they signed in (`amr`,
/// `auth_time`), and when the session was last seen.
pub struct LiveSession {
    pub customer: Customer,
    pub auth_time: i64,
    pub amr: String,
    pub last_seen_at: i64,
    /// When the session last passed a second factor.
    pub mfa_at: Option<i64>,
}

impl Store {
    pub async fn insert_customer_session(&self, new: &NewSession<'_>) -> StoreResult<()> {
        let sql = "INSERT INTO customer_sessions (id, customer_id, created_at, expires_at, last_seen_at, user_agent, ip, amr, mfa_at, handed_off_from, shared_screen) \
                   VALUES ($1, $2, $3, $4, $3, $5, $6, $7, $8, $9, $10)";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(new.id)
            .bind(new.customer.0)
            .bind(new.now)
            .bind(new.expires_at)
            .bind(new.user_agent)
            .bind(new.ip)
            .bind(new.amr)
            .bind(new.mfa_at)
            .bind(new.handed_off_from)
            .bind(new.shared_screen)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The customer signed in through this session, if it is still live,
    /// with how and when the session began and when it was last seen.
    pub async fn customer_for_session(
        &self,
        id: Uuid,
        now: i64,
    ) -> StoreResult<Option<LiveSession>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            customer: super::customers::CustomerRow,
            created_at_session: i64,
            amr: String,
            last_seen_at: i64,
            mfa_at: Option<i64>,
        }
        let sql = format!(
            "SELECT {}, s.created_at AS created_at_session, s.amr, s.last_seen_at, s.mfa_at \
             FROM customer_sessions s JOIN customers c ON c.id = s.customer_id \
             WHERE s.id = $1 AND s.expires_at > $2 AND c.disabled_at IS NULL",
            super::customers::customer_columns("c")
        );
        let row: Option<Row> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|r| LiveSession {
            customer: r.customer.into(),
            auth_time: r.created_at_session,
            amr: r.amr,
            last_seen_at: r.last_seen_at,
            mfa_at: r.mfa_at,
        }))
    }

    pub async fn touch_customer_session(&self, id: Uuid, now: i64) -> StoreResult<()> {
        with_pool!(self, |pool| sqlx::query(
            "UPDATE customer_sessions SET last_seen_at = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Ends the sessions `ending` names, telling applications and ending
    /// their grants as `end_sessions!` says: how many ended.
    pub async fn end_sessions(&self, ending: Ending, now: i64) -> StoreResult<u64> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let ended = end_sessions!(tx, ending, now);
            tx.commit().await?;
            Ok(ended)
        })
    }

    /// The customer's live sessions, most recently used first.
    pub async fn list_customer_sessions(
        &self,
        customer: CustomerId,
        now: i64,
    ) -> StoreResult<Vec<SessionInfo>> {
        let sql = "SELECT id, created_at, last_seen_at, expires_at, user_agent, ip, amr, handed_off_from, shared_screen FROM customer_sessions \
                   WHERE customer_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC, id DESC LIMIT 100";
        with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(customer.0)
            .bind(now)
            .fetch_all(pool)
            .await)
    }

    pub async fn delete_expired_customer_sessions(&self, now: i64) -> StoreResult<()> {
        with_pool!(self, |pool| sqlx::query(
            "DELETE FROM customer_sessions WHERE expires_at <= $1"
        )
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Deletes browser sessions (tower-sessions' records) past their expiry.
    pub async fn purge_browser_sessions(&self) -> Result<(), session_store::Error> {
        self.session_backend().delete_expired().await
    }

    /// The browser-session store for tower-sessions, in the same database.
    pub fn session_backend(&self) -> SessionBackend {
        let sql = match &self.pool {
            Pool::Sqlite(pool) => SessionSql::Sqlite(SqliteStore::new(pool.clone())),
            Pool::Postgres(pool) => SessionSql::Postgres(PostgresStore::new(pool.clone())),
        };
        SessionBackend {
            sql,
            writes: self.session_writes.clone(),
        }
    }
}

/// tower-sessions' SQL stores are one type per database; this picks at
/// run time, and counts the records it writes.
#[derive(Clone, Debug)]
pub struct SessionBackend {
    sql: SessionSql,
    writes: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

#[derive(Clone, Debug)]
enum SessionSql {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl SessionBackend {
    pub async fn migrate(&self) -> sqlx::Result<()> {
        match &self.sql {
            SessionSql::Sqlite(s) => s.migrate().await,
            SessionSql::Postgres(s) => s.migrate().await,
        }
    }

    fn wrote(&self) {
        self.writes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.wrote();
        match &self.sql {
            SessionSql::Sqlite(s) => s.create(record).await,
            SessionSql::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.wrote();
        match &self.sql {
            SessionSql::Sqlite(s) => s.save(record).await,
            SessionSql::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match &self.sql {
            SessionSql::Sqlite(s) => s.load(id).await,
            SessionSql::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match &self.sql {
            SessionSql::Sqlite(s) => s.delete(id).await,
            SessionSql::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for SessionBackend {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match &self.sql {
            SessionSql::Sqlite(s) => s.delete_expired().await,
            SessionSql::Postgres(s) => s.delete_expired().await,
        }
    }
}
