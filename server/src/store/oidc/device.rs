//! The device authorization grant's codes (RFC 8628).

use crate::domain::CustomerId;
use crate::domain::oidc::Grant;
use crate::store::{BeginWrite, Store, StoreResult, with_pool};
use uuid::Uuid;

/// What a device's poll finds (RFC 8628 §3.5).
pub enum DevicePoll {
    Pending,
    /// Polled before its interval was up: the interval grows by 5 s.
    SlowDown,
    Denied,
    Expired,
    /// Approved: the grant, spent by this poll.
    Approved(Grant),
    Unknown,
}

impl Store {
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_device_code(
        &self,
        device_code_hash: &[u8],
        user_code: &str,
        client: &str,
        scope: &str,
        interval: i64,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO oidc_device_codes (device_code_hash, user_code, client_id, scope, status, \
                   poll_interval, created_at, expires_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7)";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(device_code_hash)
            .bind(user_code)
            .bind(client)
            .bind(scope)
            .bind(interval)
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|_| ()))
    }

    /// The application and scope a pending, unexpired user code asks for.
    pub async fn pending_device_code(
        &self,
        user_code: &str,
        now: i64,
    ) -> StoreResult<Option<(String, String)>> {
        let sql = "SELECT client_id, scope FROM oidc_device_codes \
                   WHERE user_code = $1 AND status = 'pending' AND expires_at > $2";
        with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(user_code)
            .bind(now)
            .fetch_optional(pool)
            .await)
    }

    /// The customer's answer to a pending user code; `false` when it is no
    /// longer pending (answered, expired, unknown).
    pub async fn answer_device_code(
        &self,
        user_code: &str,
        approved: Option<(CustomerId, i64, &str)>,
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE oidc_device_codes SET status = $2, customer_id = $3, auth_time = $4, amr = $5 \
                   WHERE user_code = $1 AND status = 'pending' AND expires_at > $6";
        let status = if approved.is_some() {
            "approved"
        } else {
            "denied"
        };
        let done = with_pool!(self, |pool| sqlx::query(sql)
            .bind(user_code)
            .bind(status)
            .bind(approved.map(|a| a.0.0))
            .bind(approved.map(|a| a.1))
            .bind(approved.map(|a| a.2))
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// A device's poll with its `device_code`, in one transaction.
    pub async fn poll_device_code(
        &self,
        device_code_hash: &[u8],
        client: &str,
        now: i64,
    ) -> StoreResult<DevicePoll> {
        #[derive(sqlx::FromRow)]
        struct Row {
            status: String,
            poll_interval: i64,
            last_polled_at: Option<i64>,
            expires_at: i64,
            customer_id: Option<Uuid>,
            scope: String,
            auth_time: Option<i64>,
            amr: Option<String>,
        }
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            // Writes first, so SQLite holds its write lock from the start.
            sqlx::query("UPDATE oidc_device_codes SET last_polled_at = last_polled_at WHERE device_code_hash = $1")
                .bind(device_code_hash)
                .execute(&mut *tx)
                .await?;
            let row: Option<Row> = sqlx::query_as(
                "SELECT status, poll_interval, last_polled_at, expires_at, customer_id, scope, auth_time, amr \
                 FROM oidc_device_codes WHERE device_code_hash = $1 AND client_id = $2",
            )
            .bind(device_code_hash)
            .bind(client)
            .fetch_optional(&mut *tx)
            .await?;
            let answer = match row {
                None => DevicePoll::Unknown,
                Some(r) if r.expires_at <= now => DevicePoll::Expired,
                Some(r) if r.status == "denied" => DevicePoll::Denied,
                Some(r) if r.status == "pending" => {
                    let early = r
                        .last_polled_at
                        .is_some_and(|at| now < at + r.poll_interval);
                    let interval = if early {
                        r.poll_interval + 5
                    } else {
                        r.poll_interval
                    };
                    sqlx::query(
                        "UPDATE oidc_device_codes SET last_polled_at = $2, poll_interval = $3 WHERE device_code_hash = $1",
                    )
                    .bind(device_code_hash)
                    .bind(now)
                    .bind(interval)
                    .execute(&mut *tx)
                    .await?;
                    if early {
                        DevicePoll::SlowDown
                    } else {
                        DevicePoll::Pending
                    }
                }
                Some(r) if r.status == "approved" => {
                    sqlx::query(
                        "UPDATE oidc_device_codes SET status = 'used' WHERE device_code_hash = $1",
                    )
                    .bind(device_code_hash)
                    .execute(&mut *tx)
                    .await?;
                    match (r.customer_id, r.auth_time, r.amr) {
                        (Some(customer), Some(auth_time), Some(amr)) => {
                            DevicePoll::Approved(Grant {
                                client_id: client.to_string(),
                                customer: CustomerId(customer),
                                scope: r.scope,
                                auth_time,
                                amr,
                                family: Uuid::now_v7(),
                                session: None,
                            })
                        }
                        _ => DevicePoll::Unknown,
                    }
                }
                Some(_) => DevicePoll::Unknown,
            };
            tx.commit().await?;
            Ok(answer)
        })
    }
}
