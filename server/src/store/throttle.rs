use super::{Store, StoreResult, with_pool};

impl Store {
    /// Failures recorded for this key (a normalised email), if any: `Some(locked_until)`, where
    /// `locked_until` is set while sign-ins are locked.
    pub async fn sign_in_failures(&self, key: &str, now: i64) -> StoreResult<Option<Option<i64>>> {
        let sql = "SELECT CASE WHEN locked_until > $2 THEN locked_until END \
                   FROM sign_in_failures WHERE email = $1";
        with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(key)
            .bind(now)
            .fetch_optional(pool)
            .await)
    }

    /// Counts a failed sign-in; after `max` failures within `window` seconds
    /// the email is locked for `lock` seconds. Returns the lock end if locked now.
    pub async fn record_sign_in_failure(
        &self,
        key: &str,
        now: i64,
        window: i64,
        max: i64,
        lock: i64,
    ) -> StoreResult<Option<i64>> {
        // One statement, so concurrent failures on several instances all count.
        let sql = "INSERT INTO sign_in_failures (email, failures, window_started_at, locked_until) \
                   VALUES ($1, 1, $2, NULL) \
                   ON CONFLICT (email) DO UPDATE SET \
                     failures = CASE WHEN sign_in_failures.window_started_at <= $2 - $3 THEN 1 \
                                     ELSE sign_in_failures.failures + 1 END, \
                     window_started_at = CASE WHEN sign_in_failures.window_started_at <= $2 - $3 THEN $2 \
                                     ELSE sign_in_failures.window_started_at END, \
                     locked_until = CASE WHEN sign_in_failures.window_started_at > $2 - $3 \
                                          AND sign_in_failures.failures + 1 >= $4 THEN $2 + $5 \
                                     ELSE sign_in_failures.locked_until END \
                   RETURNING locked_until";
        let until: Option<i64> = with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(key)
            .bind(now)
            .bind(window)
            .bind(max)
            .bind(lock)
            .fetch_one(pool)
            .await)?;
        Ok(until.filter(|t| *t > now))
    }

    pub async fn clear_sign_in_failures(&self, key: &str) -> StoreResult<()> {
        with_pool!(self, |pool| sqlx::query(
            "DELETE FROM sign_in_failures WHERE email = $1"
        )
        .bind(key)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
