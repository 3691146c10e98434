//! Handoff tickets: a signed-in session offered to another device
//! (`identity::handoff` decides; here they are rows). Every read joins the
//! source session, so a ticket whose session has ended or expired is gone
//! on every instance at once.

use super::{Store, StoreResult, with_pool};
use uuid::Uuid;

/// A ticket as its source device creates it.
pub struct NewHandoff<'a> {
    pub id: Uuid,
    pub digest: &'a [u8],
    pub customer: Uuid,
    pub source_session: Uuid,
    pub match_code: &'a str,
    pub purpose: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

/// A live ticket with what its two devices are shown of each other.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct HandoffRow {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub source_session: Uuid,
    pub match_code: String,
    pub purpose: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub claimed_at: Option<i64>,
    /// The digest of the claiming browser's key (compared as digests, so
    /// no timing reveals the key).
    pub claim_digest: Option<Vec<u8>>,
    pub claimed_user_agent: Option<String>,
    pub claimed_ip: Option<String>,
    pub answer: Option<String>,
    pub used_at: Option<i64>,
    pub began_session: Option<Uuid>,
    /// The source session: its device, and how it was proven.
    pub source_user_agent: Option<String>,
    pub source_amr: String,
    pub source_mfa_at: Option<i64>,
}

/// A ticket the clean-up found expired, for the audit trail.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExpiredHandoff {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub source_session: Uuid,
    pub claimed_at: Option<i64>,
    pub answer: Option<String>,
    pub used_at: Option<i64>,
}

const SELECT: &str = "SELECT t.id, t.customer_id, t.source_session, t.match_code, t.purpose, \
    t.created_at, t.expires_at, t.claimed_at, t.claim_digest, t.claimed_user_agent, t.claimed_ip, t.answer, \
    t.used_at, t.began_session, s.user_agent AS source_user_agent, s.amr AS source_amr, \
    s.mfa_at AS source_mfa_at \
    FROM handoff_tickets t JOIN customer_sessions s ON s.id = t.source_session";

impl Store {
    pub async fn insert_handoff(&self, new: &NewHandoff<'_>) -> StoreResult<()> {
        let sql = "INSERT INTO handoff_tickets \
                   (id, digest, customer_id, source_session, match_code, purpose, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(new.id)
            .bind(new.digest)
            .bind(new.customer)
            .bind(new.source_session)
            .bind(new.match_code)
            .bind(new.purpose)
            .bind(new.now)
            .bind(new.expires_at)
            .execute(pool)
            .await
            .map(|_| ()))
    }

    /// The ticket whose secret has `digest`, while it and its source
    /// session live.
    pub async fn handoff_by_secret(
        &self,
        digest: &[u8],
        now: i64,
    ) -> StoreResult<Option<HandoffRow>> {
        let sql =
            format!("{SELECT} WHERE t.digest = $1 AND t.expires_at > $2 AND s.expires_at > $2");
        with_pool!(self, |pool| sqlx::query_as::<_, HandoffRow>(&sql)
            .bind(digest)
            .bind(now)
            .fetch_optional(pool)
            .await)
    }

    /// Ticket `id` as its source session sees it (used or not), while it
    /// lives.
    pub async fn handoff_of_source(
        &self,
        id: Uuid,
        source_session: Uuid,
        now: i64,
    ) -> StoreResult<Option<HandoffRow>> {
        let sql = format!(
            "{SELECT} WHERE t.id = $1 AND t.source_session = $2 AND t.expires_at > $3 \
             AND s.expires_at > $3"
        );
        with_pool!(self, |pool| sqlx::query_as::<_, HandoffRow>(&sql)
            .bind(id)
            .bind(source_session)
            .bind(now)
            .fetch_optional(pool)
            .await)
    }

    /// The ticket the browser holding the claim `digest` claimed, while it
    /// lives.
    pub async fn handoff_by_claim(
        &self,
        digest: &[u8],
        now: i64,
    ) -> StoreResult<Option<HandoffRow>> {
        let sql = format!(
            "{SELECT} WHERE t.claim_digest = $1 AND t.expires_at > $2 AND s.expires_at > $2"
        );
        with_pool!(self, |pool| sqlx::query_as::<_, HandoffRow>(&sql)
            .bind(digest)
            .bind(now)
            .fetch_optional(pool)
            .await)
    }

    /// The first browser to open ticket `id` claims it; the ticket then
    /// waits for its source's answer until `expires_at`. False when it was
    /// claimed already or has expired.
    pub async fn claim_handoff(
        &self,
        id: Uuid,
        claim_digest: &[u8],
        user_agent: Option<&str>,
        ip: Option<&str>,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE handoff_tickets SET claim_digest = $2, claimed_user_agent = $3, \
                   claimed_ip = $4, claimed_at = $5, expires_at = $6 \
                   WHERE id = $1 AND claimed_at IS NULL AND expires_at > $5";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(claim_digest)
            .bind(user_agent)
            .bind(ip)
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1))
    }

    /// The source session answers its claimed ticket, once. False when it
    /// is unclaimed, answered already, or expired.
    pub async fn answer_handoff(
        &self,
        id: Uuid,
        source_session: Uuid,
        confirmed: bool,
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE handoff_tickets SET answer = $3, answered_at = $4 \
                   WHERE id = $1 AND source_session = $2 AND claimed_at IS NOT NULL \
                   AND answer IS NULL AND expires_at > $4";
        let answer = if confirmed { "confirmed" } else { "refused" };
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(source_session)
            .bind(answer)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1))
    }

    /// Spends a confirmed ticket for the browser that claimed it: true
    /// once, for the one request that may begin its session.
    pub async fn use_handoff(&self, id: Uuid, claim_digest: &[u8], now: i64) -> StoreResult<bool> {
        let sql = "UPDATE handoff_tickets SET used_at = $3 \
                   WHERE id = $1 AND claim_digest = $2 AND answer = 'confirmed' \
                   AND used_at IS NULL AND expires_at > $3";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(claim_digest)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1))
    }

    /// Records the session a spent ticket began (shown to its source).
    pub async fn handoff_began(&self, id: Uuid, session: Uuid) -> StoreResult<()> {
        let sql = "UPDATE handoff_tickets SET began_session = $2 WHERE id = $1";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(session)
            .execute(pool)
            .await
            .map(|_| ()))
    }

    /// Deletes the tickets expired by `now`, returning each once (with
    /// several instances, only one deletes a given row).
    pub async fn purge_handoffs(&self, now: i64) -> StoreResult<Vec<ExpiredHandoff>> {
        let sql = "DELETE FROM handoff_tickets WHERE expires_at <= $1 \
                   RETURNING id, customer_id, source_session, claimed_at, answer, used_at";
        with_pool!(self, |pool| sqlx::query_as::<_, ExpiredHandoff>(sql)
            .bind(now)
            .fetch_all(pool)
            .await)
    }
}
