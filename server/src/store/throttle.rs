//! Throttle counters (see `identity::throttle` for the policy). Each
//! decision is one statement, so concurrent requests on any number of
//! instances are counted one after another by the database.

use super::{Pool, Store, StoreResult, with_pool};

/// What a counter allows.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Attempts a window may hold before the counter blocks.
    pub max: i64,
    /// Seconds a window lasts from its first attempt.
    pub window: i64,
}

/// The answer to a reservation.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Reservation {
    pub granted: bool,
    /// Attempts in the window, this one included when granted.
    pub attempts: i64,
    /// When a refused caller may try again (a Unix time).
    pub retry_at: i64,
}

/// Reserves an attempt: a new window when the last one ended (or its block
/// did), else one more attempt if the window has room, no delay is running
/// and the counter is not blocked. `granted` records this statement's own
/// decision, read back by RETURNING.
const RESERVE: &str = "INSERT INTO throttle_counters \
    (key, account, attempts, window_started_at, not_before, blocked_until, granted, updated_at) \
    VALUES ($1, $2, 1, $3, 0, NULL, 1, $3) \
    ON CONFLICT (key) DO UPDATE SET \
      attempts = CASE WHEN FRESH THEN 1 WHEN OPEN THEN throttle_counters.attempts + 1 \
                      ELSE throttle_counters.attempts END, \
      window_started_at = CASE WHEN FRESH THEN $3 ELSE throttle_counters.window_started_at END, \
      not_before = CASE WHEN FRESH THEN 0 ELSE throttle_counters.not_before END, \
      blocked_until = CASE WHEN FRESH THEN NULL ELSE throttle_counters.blocked_until END, \
      granted = CASE WHEN FRESH OR OPEN THEN 1 ELSE 0 END, \
      updated_at = $3 \
    RETURNING granted, attempts, window_started_at, not_before, blocked_until";
/// `$1, $2, ...`: the parameters of an `IN` list of `n` keys.
fn key_params(n: usize) -> String {
    let places: Vec<String> = (1..=n).map(|n| format!("${n}")).collect();
    places.join(", ")
}

/// The window (or its block) is over.
const FRESH: &str = "(throttle_counters.window_started_at <= $3 - $5 \
    OR (throttle_counters.blocked_until IS NOT NULL AND throttle_counters.blocked_until <= $3))";
/// Room for one more attempt now.
const OPEN: &str = "(throttle_counters.blocked_until IS NULL AND throttle_counters.not_before <= $3 \
    AND throttle_counters.attempts < $4)";

impl Store {
    /// Reserves an attempt on counter `key` (of `account`, if it is an
    /// account's) under `limit`, at time `now`.
    pub async fn reserve_attempt(
        &self,
        key: &str,
        account: Option<&str>,
        limit: Limit,
        now: i64,
    ) -> StoreResult<Reservation> {
        // A counter that is plainly closed is answered from a read: a flood
        // held back costs no writes. Whatever the read says, a grant is
        // only ever decided by the one statement below.
        if let Some(refused) = self.closed(key, limit, now).await? {
            return Ok(refused);
        }
        self.reserve_unchecked(key, account, limit, now).await
    }

    /// The reserving statement alone, for a caller that has just read the
    /// counter (`first_closed`).
    pub async fn reserve_unchecked(
        &self,
        key: &str,
        account: Option<&str>,
        limit: Limit,
        now: i64,
    ) -> StoreResult<Reservation> {
        let sql = RESERVE.replace("FRESH", FRESH).replace("OPEN", OPEN);
        let (granted, attempts, started, not_before, blocked_until): (
            i64,
            i64,
            i64,
            i64,
            Option<i64>,
        ) = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(key)
            .bind(account)
            .bind(now)
            .bind(limit.max)
            .bind(limit.window)
            .fetch_one(pool)
            .await)?;
        let retry_at = match blocked_until {
            Some(until) => until,
            None if not_before > now => not_before,
            None => started + limit.window,
        };
        Ok(Reservation {
            granted: granted == 1,
            attempts,
            retry_at,
        })
    }

    /// The refusal a counter gives now, if it is closed (blocked, waiting,
    /// or full within its window).
    async fn closed(&self, key: &str, limit: Limit, now: i64) -> StoreResult<Option<Reservation>> {
        let closed = self.first_closed(&[(key, limit)], now).await?;
        Ok(closed.map(|(_, refused)| refused))
    }

    /// The first of `counters` (in their order) that is closed now, by its
    /// place in the list, and its refusal; read in one statement: a sign-in
    /// reads its three or four counters at once, and a flood held back
    /// costs no writes.
    pub async fn first_closed(
        &self,
        counters: &[(&str, Limit)],
        now: i64,
    ) -> StoreResult<Option<(usize, Reservation)>> {
        let sql = format!(
            "SELECT key, attempts, window_started_at, not_before, blocked_until \
             FROM throttle_counters WHERE key IN ({})",
            key_params(counters.len())
        );
        let rows: Vec<(String, i64, i64, i64, Option<i64>)> = with_pool!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            for (key, _) in counters {
                query = query.bind(*key);
            }
            query.fetch_all(pool).await
        })?;
        Ok(counters.iter().enumerate().find_map(|(n, (key, limit))| {
            let (_, attempts, started, not_before, blocked) =
                rows.iter().find(|row| row.0 == *key)?;
            refusal((*attempts, *started, *not_before, *blocked), *limit, now).map(|r| (n, r))
        }))
    }

    /// A reserved attempt failed: no attempt on `key` before `not_before`,
    /// and once the window holds `max` attempts, none until `blocked_until`.
    /// Returns whether this failure blocked the counter (once per block).
    pub async fn attempt_failed(
        &self,
        key: &str,
        max: i64,
        not_before: i64,
        blocked_until: i64,
    ) -> StoreResult<bool> {
        let delay = "UPDATE throttle_counters SET \
                     not_before = CASE WHEN not_before > $2 THEN not_before ELSE $2 END WHERE key = $1";
        let block = "UPDATE throttle_counters SET blocked_until = $3 \
                     WHERE key = $1 AND attempts >= $2 AND blocked_until IS NULL";
        let blocked = with_pool!(self, |pool| {
            sqlx::query(delay)
                .bind(key)
                .bind(not_before)
                .execute(pool)
                .await?;
            sqlx::query(block)
                .bind(key)
                .bind(max)
                .bind(blocked_until)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(blocked == 1)
    }

    /// Gives reserved attempts back (they succeeded, or were never made):
    /// each of `keys` counts one attempt fewer, in one statement, and the
    /// counter `forget` names is dropped (a success clears an account's
    /// failures from that source).
    pub async fn release_attempts(&self, keys: &[&str], forget: Option<&str>) -> StoreResult<()> {
        if let Some(key) = forget {
            let sql = "DELETE FROM throttle_counters WHERE key = $1";
            with_pool!(self, |pool| sqlx::query(sql)
                .bind(key)
                .execute(pool)
                .await
                .map(|done| done.rows_affected()))?;
        }
        let keys: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|k| Some(*k) != forget)
            .collect();
        if keys.is_empty() {
            return Ok(());
        }
        let places = key_params(keys.len());
        // PostgreSQL locks the rows of a multi-row UPDATE in the order it
        // finds them, which each update changes (a new row version moves),
        // so two sign-ins giving back the same counters deadlocked under a
        // spike (bench-spike: 8 of 223 failed, pages waited on locks for a
        // second). Locked first in key order, they only ever queue. SQLite
        // writes one statement at a time and has no row locks.
        let sql = match self.pool {
            Pool::Postgres(_) => format!(
                "UPDATE throttle_counters SET attempts = attempts - 1 WHERE key IN \
                 (SELECT key FROM throttle_counters WHERE key IN ({places}) AND attempts > 0 \
                 ORDER BY key FOR UPDATE) AND attempts > 0"
            ),
            Pool::Sqlite(_) => format!(
                "UPDATE throttle_counters SET attempts = attempts - 1 \
                 WHERE key IN ({places}) AND attempts > 0"
            ),
        };
        with_pool!(self, |pool| {
            let mut query = sqlx::query(&sql);
            for key in &keys {
                query = query.bind(*key);
            }
            query.execute(pool).await.map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Sources currently blocked or held back from signing in to `account`.
    pub async fn blocked_sources(&self, account: &str, now: i64) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM throttle_counters WHERE account = $1 \
                   AND (blocked_until > $2 OR not_before > $2)";
        with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(account)
            .bind(now)
            .fetch_one(pool)
            .await)
    }

    /// Clears every counter of `account`; returns how many there were.
    pub async fn unblock_account(&self, account: &str) -> StoreResult<u64> {
        let sql = "DELETE FROM throttle_counters WHERE account = $1";
        let done = with_pool!(self, |pool| sqlx::query(sql)
            .bind(account)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(done)
    }

    /// Drops counters nobody has touched since `before` (their windows and
    /// blocks are long over).
    pub async fn purge_throttle(&self, before: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM throttle_counters WHERE updated_at < $1 \
                   AND (blocked_until IS NULL OR blocked_until < $1)";
        let done = with_pool!(self, |pool| sqlx::query(sql)
            .bind(before)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(done)
    }
}

/// The refusal a counter in this state (attempts, window start, not
/// before, blocked until) gives under `limit` at `now`, if it is closed.
fn refusal(
    (attempts, started, not_before, blocked_until): (i64, i64, i64, Option<i64>),
    limit: Limit,
    now: i64,
) -> Option<Reservation> {
    let retry_at = match blocked_until {
        Some(until) if until > now => until,
        Some(_) => return None,
        None if started <= now - limit.window => return None,
        None if not_before > now => not_before,
        None if attempts >= limit.max => started + limit.window,
        None => return None,
    };
    Some(Reservation {
        granted: false,
        attempts,
        retry_at,
    })
}
