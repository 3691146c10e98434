//! Background tier changes for a whole search: leased to one instance at a
//! time, advanced a page at a time.

use super::{Store, StoreResult, with_pool};
use uuid::Uuid;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TierJobRow {
    pub id: Uuid,
    pub to_tier_id: Uuid,
    pub search: String,
    pub description: String,
    pub reason: String,
    pub actor_id: Uuid,
    pub cursor: Option<String>,
    pub scanned: i64,
    pub moved: i64,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub error: Option<String>,
}

const JOB_COLUMNS: &str = "id, to_tier_id, search, description, reason, actor_id, cursor, scanned, moved, \
                           created_at, finished_at, error";

/// How a page of work ends a job step.
pub struct JobProgress<'a> {
    pub cursor: Option<&'a str>,
    pub scanned: i64,
    pub moved: i64,
    pub finished_at: Option<i64>,
    pub error: Option<&'a str>,
}

impl Store {
    pub async fn insert_tier_job(&self, job: &TierJobRow) -> StoreResult<()> {
        let sql = "INSERT INTO tier_jobs (id, to_tier_id, search, description, reason, actor_id, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7)";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(job.id)
            .bind(job.to_tier_id)
            .bind(&job.search)
            .bind(&job.description)
            .bind(&job.reason)
            .bind(job.actor_id)
            .bind(job.created_at)
            .execute(pool)
            .await
            .map(|_| ()))
    }

    pub async fn tier_job(&self, id: Uuid) -> StoreResult<Option<TierJobRow>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM tier_jobs WHERE id = $1");
        with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)
    }

    /// Leases the oldest unfinished job nobody holds (and whose time has
    /// come: `created_at <= now`) to this instance until
    /// `lease_until`. The lease condition is re-checked on the row, so two
    /// instances cannot both take it; a crashed holder's lease runs out.
    pub async fn lease_tier_job(
        &self,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<Option<TierJobRow>> {
        let sql = format!(
            "UPDATE tier_jobs SET leased_until = $2 WHERE finished_at IS NULL AND leased_until <= $1 AND id = ( \
               SELECT id FROM tier_jobs WHERE finished_at IS NULL AND leased_until <= $1 AND created_at <= $1 \
               ORDER BY created_at LIMIT 1) \
             RETURNING {JOB_COLUMNS}"
        );
        with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(now)
            .bind(lease_until)
            .fetch_optional(pool)
            .await)
    }

    /// Records a finished page (and keeps or ends the lease), only if this
    /// instance still holds the lease it was given.
    pub async fn advance_tier_job(
        &self,
        id: Uuid,
        held_until: i64,
        next_lease: i64,
        progress: JobProgress<'_>,
    ) -> StoreResult<bool> {
        let sql = "UPDATE tier_jobs SET cursor = $3, scanned = scanned + $4, moved = moved + $5, \
                   leased_until = $6, finished_at = $7, error = $8 WHERE id = $1 AND leased_until = $2";
        let changed = with_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(held_until)
            .bind(progress.cursor)
            .bind(progress.scanned)
            .bind(progress.moved)
            .bind(next_lease)
            .bind(progress.finished_at)
            .bind(progress.error)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(changed == 1)
    }
}
