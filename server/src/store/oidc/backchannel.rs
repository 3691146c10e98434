//! OpenID Connect Back-Channel Logout's records: the grants made in each
//! session (`oidc_session_grants`) and the logout tokens waiting to be sent
//! (`oidc_backchannel_logouts`, queued by `end_sessions!`).

use crate::domain::oidc::Grant;
use crate::store::{Store, StoreResult, with_pool};
use uuid::Uuid;

/// A logout an application is to be told of.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DueLogout {
    pub client_id: String,
    pub session_id: Uuid,
    pub customer_id: Uuid,
    pub created_at: i64,
    /// Tries so far, this one included.
    pub attempts: i64,
}

impl Store {
    /// Records that `grant` was made in its session, if that session still
    /// lives: false when it has ended (the code came too late to be used).
    pub async fn record_session_grant(&self, grant: &Grant, now: i64) -> StoreResult<bool> {
        let Some(session) = grant.session else {
            return Ok(true);
        };
        let sql = "INSERT INTO oidc_session_grants (family, session_id, client_id, customer_id, scope) \
                   SELECT $1, $2, $3, $4, $5 WHERE EXISTS \
                   (SELECT 1 FROM customer_sessions WHERE id = $2 AND expires_at > $6) \
                   ON CONFLICT (family) DO NOTHING";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(grant.family)
            .bind(session)
            .bind(&grant.client_id)
            .bind(grant.customer.0)
            .bind(&grant.scope)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1))
    }

    /// The session grant `family` was made in, while that session lasts.
    pub async fn grant_session(&self, family: Uuid) -> StoreResult<Option<Uuid>> {
        let sql = "SELECT session_id FROM oidc_session_grants WHERE family = $1";
        with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(family)
            .fetch_optional(pool)
            .await)
    }

    /// When the next logout is due (`None`: none waits).
    pub async fn next_logout_due(&self) -> StoreResult<Option<i64>> {
        let sql = "SELECT MIN(next_attempt_at) FROM oidc_backchannel_logouts \
                   WHERE sent_at IS NULL AND failed_at IS NULL";
        with_pool!(self, |pool| sqlx::query_scalar(sql).fetch_one(pool).await)
    }

    /// Leases up to `limit` due logouts to this instance until
    /// `lease_until`; the condition is checked again on the locked row, so
    /// two instances cannot both take one.
    pub async fn lease_due_logouts(
        &self,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> StoreResult<Vec<DueLogout>> {
        let sql = "UPDATE oidc_backchannel_logouts SET next_attempt_at = $2, attempts = attempts + 1 \
                   WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
                   AND (client_id, session_id) IN ( \
                     SELECT client_id, session_id FROM oidc_backchannel_logouts \
                     WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
                     ORDER BY next_attempt_at LIMIT $3) \
                   RETURNING client_id, session_id, customer_id, created_at, attempts";
        with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(now)
            .bind(lease_until)
            .bind(limit)
            .fetch_all(pool)
            .await)
    }

    /// Marks a logout sent, or (`error` given) failed: tried again at
    /// `retry_at`, or given up for good when that is `None`.
    pub async fn logout_tried(
        &self,
        logout: &DueLogout,
        now: i64,
        error: Option<&str>,
        retry_at: Option<i64>,
    ) -> StoreResult<()> {
        let sql = match (error, retry_at) {
            (None, _) => {
                "UPDATE oidc_backchannel_logouts SET sent_at = $3, last_error = NULL \
                          WHERE client_id = $1 AND session_id = $2"
            }
            (Some(_), Some(_)) => {
                "UPDATE oidc_backchannel_logouts SET last_error = $4, \
                                   next_attempt_at = $5 WHERE client_id = $1 AND session_id = $2"
            }
            (Some(_), None) => {
                "UPDATE oidc_backchannel_logouts SET last_error = $4, failed_at = $3 \
                                WHERE client_id = $1 AND session_id = $2"
            }
        };
        with_pool!(self, |pool| {
            let query = sqlx::query(sql)
                .bind(&logout.client_id)
                .bind(logout.session_id)
                .bind(now);
            let query = match (error, retry_at) {
                (None, _) => query,
                (Some(e), Some(at)) => query.bind(e).bind(at),
                (Some(e), None) => query.bind(e),
            };
            query.execute(pool).await.map(|_| ())
        })
    }
}
