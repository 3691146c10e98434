//! Handoff tickets: a signed-in session offered to another device
//! (`identity::handoff` decides; here they are rows). Every read joins the
//! source session, so a ticket whose session has ended or expired is gone
//! on every instance at once.

use super::{Store, StoreResult, with_pool};
use uuid::Uuid;

/// A ticket as it begins: pushed by its signed-in source (customer and
/// session known), or pulled by a screen (the claimant from the start).
pub struct NewHandoff<'a> {
    pub id: Uuid,
    pub digest: &'a [u8],
    pub source: Option<(Uuid, Uuid)>,
    pub claimant: Option<Claimant<'a>>,
    pub match_code: &'a str,
    pub purpose: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

/// The browser that holds a ticket's claim: its key's digest and how it
/// names itself.
pub struct Claimant<'a> {
    pub digest: &'a [u8],
    pub user_agent: Option<&'a str>,
    pub ip: Option<&'a str>,
}

/// How a ticket is looked up.
#[derive(Clone, Copy, Debug)]
pub enum HandoffKey<'a> {
    /// By the digest of its secret (the QR code's link).
    Secret(&'a [u8]),
    /// By the digest of the key its claiming browser holds.
    Claim(&'a [u8]),
    /// Ticket `id`, as its source session sees it (used or not).
    OfSource { id: Uuid, session: Uuid },
}

/// A live ticket with what its two devices are shown of each other.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct HandoffRow {
    pub id: Uuid,
    /// `push` or `pull`.
    pub direction: String,
    /// Unknown on a pulled ticket until a phone approves it.
    pub customer_id: Option<Uuid>,
    pub source_session: Option<Uuid>,
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
    pub source_amr: Option<String>,
    pub source_mfa_at: Option<i64>,
}

/// A ticket the clean-up found expired, for the audit trail.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExpiredHandoff {
    pub id: Uuid,
    pub direction: String,
    pub customer_id: Option<Uuid>,
    pub source_session: Option<Uuid>,
    pub claimed_at: Option<i64>,
    pub answer: Option<String>,
    pub used_at: Option<i64>,
}

const SELECT: &str = "SELECT t.id, t.direction, t.customer_id, t.source_session, t.match_code, t.purpose, \
    t.created_at, t.expires_at, t.claimed_at, t.claim_digest, t.claimed_user_agent, t.claimed_ip, t.answer, \
    t.used_at, t.began_session, s.user_agent AS source_user_agent, s.amr AS source_amr, \
    s.mfa_at AS source_mfa_at \
    FROM handoff_tickets t LEFT JOIN customer_sessions s ON s.id = t.source_session";
/// The ticket lives at `$N` (its source session too, once it has one).
fn live(now: &str) -> String {
    format!("t.expires_at > {now} AND (t.source_session IS NULL OR s.expires_at > {now})")
}

impl Store {
    pub async fn insert_handoff(&self, new: &NewHandoff<'_>) -> StoreResult<()> {
        let sql = "INSERT INTO handoff_tickets \
                   (id, digest, direction, customer_id, source_session, match_code, purpose, \
                    created_at, expires_at, claim_digest, claimed_at, claimed_user_agent, claimed_ip) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
        let direction = if new.source.is_some() { "push" } else { "pull" };
        let claimant = new.claimant.as_ref();
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(new.id)
            .bind(new.digest)
            .bind(direction)
            .bind(new.source.map(|(customer, _)| customer))
            .bind(new.source.map(|(_, session)| session))
            .bind(new.match_code)
            .bind(new.purpose)
            .bind(new.now)
            .bind(new.expires_at)
            .bind(claimant.map(|c| c.digest))
            .bind(claimant.map(|_| new.now))
            .bind(claimant.and_then(|c| c.user_agent))
            .bind(claimant.and_then(|c| c.ip))
            .execute(pool)
            .await
            .map(|_| ()))
    }

    /// The ticket `key` finds, while it and its source session (once it
    /// has one) live.
    pub async fn handoff(&self, key: HandoffKey<'_>, now: i64) -> StoreResult<Option<HandoffRow>> {
        let (condition, now_at) = match key {
            HandoffKey::Secret(_) => ("t.digest = $1", "$2"),
            HandoffKey::Claim(_) => ("t.claim_digest = $1", "$2"),
            HandoffKey::OfSource { .. } => ("t.id = $1 AND t.source_session = $2", "$3"),
        };
        let sql = format!("{SELECT} WHERE {condition} AND {}", live(now_at));
        with_pool!(self, |pool| {
            let query = sqlx::query_as::<_, HandoffRow>(&sql);
            let query = match key {
                HandoffKey::Secret(digest) | HandoffKey::Claim(digest) => query.bind(digest),
                HandoffKey::OfSource { id, session } => query.bind(id).bind(session),
            };
            query.bind(now).fetch_optional(pool).await
        })
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

    /// The signed-in `source_session` of `customer` answers a screen's
    /// ticket, once, becoming its source. False when it was answered
    /// already or has expired.
    pub async fn answer_pulled_handoff(
        &self,
        id: Uuid,
        customer: Uuid,
        source_session: Uuid,
        confirmed: bool,
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE handoff_tickets SET customer_id = $2, source_session = $3, answer = $4, \
                   answered_at = $5 WHERE id = $1 AND direction = 'pull' AND answer IS NULL \
                   AND expires_at > $5";
        let answer = if confirmed { "confirmed" } else { "refused" };
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(customer)
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
                   RETURNING id, direction, customer_id, source_session, claimed_at, answer, used_at";
        with_pool!(self, |pool| sqlx::query_as::<_, ExpiredHandoff>(sql)
            .bind(now)
            .fetch_all(pool)
            .await)
    }
}
