//! Sign-in attempts waiting for their next step (`identity::signin`
//! decides what they hold; here they are rows found by a digest).

use super::{Store, StoreResult, with_pool};
use uuid::Uuid;

/// An attempt as stored: its purpose and proofs are the journey's JSON.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AttemptRow {
    pub realm: String,
    pub subject: Uuid,
    pub purpose: String,
    pub proofs: String,
    pub started_at: i64,
    pub expires_at: i64,
    pub version: i64,
}

impl Store {
    pub async fn insert_sign_in_attempt(&self, digest: &[u8], row: &AttemptRow) -> StoreResult<()> {
        let sql = "INSERT INTO sign_in_attempts \
                   (digest, realm, subject, purpose, proofs, started_at, expires_at, version) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(digest)
            .bind(&row.realm)
            .bind(row.subject)
            .bind(&row.purpose)
            .bind(&row.proofs)
            .bind(row.started_at)
            .bind(row.expires_at)
            .bind(row.version)
            .execute(pool)
            .await
            .map(|_| ()))
    }

    /// The attempt `digest` names, unless it has expired by `now`.
    pub async fn sign_in_attempt(
        &self,
        digest: &[u8],
        now: i64,
    ) -> StoreResult<Option<AttemptRow>> {
        let sql = "SELECT realm, subject, purpose, proofs, started_at, expires_at, version \
                   FROM sign_in_attempts WHERE digest = $1 AND expires_at > $2";
        with_pool!(self, |pool| sqlx::query_as::<_, AttemptRow>(sql)
            .bind(digest)
            .bind(now)
            .fetch_optional(pool)
            .await)
    }

    /// Records the attempt's new proofs, if it is still at `version` (not
    /// advanced meanwhile by another tab); false otherwise.
    pub async fn advance_sign_in_attempt(
        &self,
        digest: &[u8],
        version: i64,
        proofs: &str,
    ) -> StoreResult<bool> {
        let sql = "UPDATE sign_in_attempts SET proofs = $3, version = version + 1 \
                   WHERE digest = $1 AND version = $2";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(digest)
            .bind(version)
            .bind(proofs)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1))
    }

    /// Forgets the attempt (done, refused, or abandoned); false when it was
    /// already gone (finished by another request).
    pub async fn delete_sign_in_attempt(&self, digest: &[u8]) -> StoreResult<bool> {
        let sql = "DELETE FROM sign_in_attempts WHERE digest = $1";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(digest)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1))
    }

    pub async fn purge_sign_in_attempts(&self, now: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM sign_in_attempts WHERE expires_at <= $1";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
    }
}
