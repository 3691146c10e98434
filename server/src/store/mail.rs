use super::{Store, StoreResult, with_pool};
use uuid::Uuid;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OutboxMail {
    pub id: Uuid,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

impl Store {
    pub async fn enqueue_mail(
        &self,
        recipient: &str,
        subject: &str,
        body: &str,
        now: i64,
    ) -> StoreResult<Uuid> {
        let id = Uuid::now_v7();
        let sql = "INSERT INTO mail_outbox (id, recipient, subject, body, created_at, next_attempt_at) \
                   VALUES ($1, $2, $3, $4, $5, $5)";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(recipient)
            .bind(subject)
            .bind(body)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(id)
    }

    /// The outbox at a glance: messages waiting, and when the next is due
    /// (`None` when none waits). One index read: the worker asks it
    /// instead of trying a lease on a clock.
    pub async fn mail_waiting(&self) -> StoreResult<(i64, Option<i64>)> {
        let sql = "SELECT COUNT(*), MIN(next_attempt_at) FROM mail_outbox WHERE sent_at IS NULL";
        with_pool!(self, |pool| sqlx::query_as(sql).fetch_one(pool).await)
    }

    /// Leases up to `limit` due messages to this instance until `lease_until`.
    /// The outer `next_attempt_at <= $1` is re-checked on the locked row, so two
    /// instances racing for the same message cannot both lease it.
    pub async fn lease_due_mail(
        &self,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMail>> {
        let sql = "UPDATE mail_outbox SET next_attempt_at = $2, attempts = attempts + 1 \
                   WHERE sent_at IS NULL AND next_attempt_at <= $1 AND id IN ( \
                     SELECT id FROM mail_outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 \
                     ORDER BY next_attempt_at LIMIT $3) \
                   RETURNING id, recipient, subject, body, attempts";
        with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(now)
            .bind(lease_until)
            .bind(limit)
            .fetch_all(pool)
            .await)
    }

    /// Marks a message delivered. Bodies carry single-use links, so a sent
    /// body is blanked unless `keep_body` (the development outbox shows it).
    pub async fn mark_mail_sent(&self, id: Uuid, now: i64, keep_body: bool) -> StoreResult<()> {
        let sql = if keep_body {
            "UPDATE mail_outbox SET sent_at = $2, last_error = NULL WHERE id = $1"
        } else {
            "UPDATE mail_outbox SET sent_at = $2, last_error = NULL, body = '' WHERE id = $1"
        };
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn mark_mail_failed(&self, id: Uuid, error: &str, retry_at: i64) -> StoreResult<()> {
        let sql = "UPDATE mail_outbox SET last_error = $2, next_attempt_at = $3 WHERE id = $1";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(error)
            .bind(retry_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Latest messages to an address, newest first (development outbox and tests).
    pub async fn mail_to(&self, recipient: &str, limit: i64) -> StoreResult<Vec<OutboxMail>> {
        let sql = "SELECT id, recipient, subject, body, attempts FROM mail_outbox \
                   WHERE recipient = $1 ORDER BY created_at DESC, id DESC LIMIT $2";
        with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(recipient)
            .bind(limit)
            .fetch_all(pool)
            .await)
    }
}
