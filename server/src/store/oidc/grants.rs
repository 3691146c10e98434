//! Grants to applications: authorization codes, refresh tokens and
//! their rotation, grant families, consents, and taking access back.

use super::clients::AppAccess;
use crate::domain::oidc::{CodeGrant, Grant};
use crate::domain::{Customer, CustomerId};
use crate::store::{BeginWrite, Pool, Store, StoreResult, with_pool};
use uuid::Uuid;

/// What became of a presented authorization code.
pub enum CodeSpend {
    Granted(Box<CodeGrant>),
    /// Already used: whatever it issued has now been revoked.
    Replayed,
    Unknown,
}

/// What became of a presented refresh token.
pub enum RefreshSpend {
    /// Spent; its successor is stored. With the customer as they are now
    /// (the ID token speaks of them), read with it on PostgreSQL.
    Rotated(Box<(Grant, Customer)>),
    /// Already spent: its whole family is now revoked.
    Replayed,
    Unknown,
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    client_id: String,
    customer_id: Uuid,
    scope: String,
    auth_time: i64,
    amr: String,
    family: Uuid,
    /// Only codes carry it; a refresh token's grant finds it by its family
    /// (`grant_session`).
    #[sqlx(default)]
    session_id: Option<Uuid>,
}

impl From<GrantRow> for Grant {
    fn from(r: GrantRow) -> Self {
        Grant {
            client_id: r.client_id,
            customer: CustomerId(r.customer_id),
            scope: r.scope,
            auth_time: r.auth_time,
            amr: r.amr,
            family: r.family,
            session: r.session_id,
        }
    }
}

impl Store {
    pub async fn insert_code(
        &self,
        code_hash: &[u8],
        code: &CodeGrant,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO oidc_codes (code_hash, client_id, customer_id, redirect_uri, scope, \
                   nonce, code_challenge, auth_time, amr, family, created_at, expires_at, session_id) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
        let g = &code.grant;
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(code_hash)
            .bind(&g.client_id)
            .bind(g.customer.0)
            .bind(&code.redirect_uri)
            .bind(&g.scope)
            .bind(&code.nonce)
            .bind(&code.code_challenge)
            .bind(g.auth_time)
            .bind(&g.amr)
            .bind(g.family)
            .bind(now)
            .bind(expires_at)
            .bind(g.session)
            .execute(pool)
            .await
            .map(|_| ()))
    }

    /// Spends a code of `client`. A second use finds it spent and revokes
    /// the refresh tokens the first use issued (RFC 6749 §4.1.2).
    pub async fn spend_code(
        &self,
        code_hash: &[u8],
        client: &str,
        now: i64,
    ) -> StoreResult<CodeSpend> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            grant: GrantRow,
            redirect_uri: String,
            nonce: Option<String>,
            code_challenge: Option<String>,
        }
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let spent: Option<Row> = sqlx::query_as(
                "UPDATE oidc_codes SET used_at = $3 \
                 WHERE code_hash = $1 AND client_id = $2 AND used_at IS NULL AND expires_at > $3 \
                 RETURNING client_id, customer_id, scope, auth_time, amr, family, session_id, \
                 redirect_uri, nonce, code_challenge",
            )
            .bind(code_hash)
            .bind(client)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let answer = match spent {
                Some(r) => CodeSpend::Granted(Box::new(CodeGrant {
                    grant: r.grant.into(),
                    redirect_uri: r.redirect_uri,
                    nonce: r.nonce,
                    code_challenge: r.code_challenge,
                })),
                None => {
                    let select = "SELECT family FROM oidc_codes \
                        WHERE code_hash = $1 AND client_id = $2 AND used_at IS NOT NULL";
                    if revoke_if_spent!(tx, select, code_hash, client, now) {
                        CodeSpend::Replayed
                    } else {
                        CodeSpend::Unknown
                    }
                }
            };
            tx.commit().await?;
            Ok(answer)
        })
    }

    pub async fn insert_refresh_token(
        &self,
        token_hash: &[u8],
        grant: &Grant,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        with_pool!(self, |pool| sqlx::query(INSERT_REFRESH)
            .bind(token_hash)
            .bind(grant.family)
            .bind(&grant.client_id)
            .bind(grant.customer.0)
            .bind(&grant.scope)
            .bind(grant.auth_time)
            .bind(&grant.amr)
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|_| ()))
    }

    /// Spends a refresh token of `client` and stores its successor
    /// (`next_hash`, good until `next_expires`) in one transaction.
    /// Presenting a spent token revokes its whole family: whoever holds the
    /// newer one, the thief or the application, must sign in again.
    pub async fn rotate_refresh_token(
        &self,
        token_hash: &[u8],
        client: &str,
        next_hash: &[u8],
        now: i64,
        next_expires: i64,
    ) -> StoreResult<RefreshSpend> {
        // The common case, a live token, is one statement: its successor is
        // stored and it is spent together (PostgreSQL: a data-modifying
        // WITH, the UPDATE's row lock settling a race between two uses;
        // SQLite: the trigger of migration 0017, under the write turn).
        #[derive(sqlx::FromRow)]
        struct Rotated {
            #[sqlx(flatten)]
            grant: GrantRow,
            #[sqlx(flatten)]
            customer: crate::store::customers::CustomerRow,
        }
        let rotated = match &self.pool {
            Pool::Sqlite(pool) => {
                let grant: Option<GrantRow> = {
                    let _turn = crate::store::write_turn_of(pool).await;
                    sqlx::query_as(ROTATE_SQLITE)
                        .bind(token_hash)
                        .bind(client)
                        .bind(now)
                        .bind(next_hash)
                        .bind(next_expires)
                        .fetch_optional(pool)
                        .await?
                };
                match grant.map(Grant::from) {
                    Some(grant) => self
                        .customer_by_id(grant.customer)
                        .await?
                        .map(|customer| (grant, customer)),
                    None => None,
                }
            }
            Pool::Postgres(pool) => {
                let sql = format!(
                    "{ROTATE_POSTGRES} SELECT s.client_id, s.customer_id, s.scope, s.auth_time, \
                     s.amr, s.family, {} FROM spent s JOIN customers c ON c.id = s.customer_id",
                    crate::store::customers::customer_columns("c")
                );
                let row: Option<Rotated> = sqlx::query_as(&sql)
                    .bind(token_hash)
                    .bind(client)
                    .bind(now)
                    .bind(next_hash)
                    .bind(next_expires)
                    .fetch_optional(pool)
                    .await?;
                row.map(|r| (Grant::from(r.grant), Customer::from(r.customer)))
            }
        };
        if let Some((grant, customer)) = rotated {
            return Ok(RefreshSpend::Rotated(Box::new((grant, customer))));
        }
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let select = "SELECT family FROM oidc_refresh_tokens \
                WHERE token_hash = $1 AND client_id = $2 AND used_at IS NOT NULL";
            let answer = if revoke_if_spent!(tx, select, token_hash, client, now) {
                RefreshSpend::Replayed
            } else {
                RefreshSpend::Unknown
            };
            tx.commit().await?;
            Ok(answer)
        })
    }

    /// Ends a customer's access to every application (a password change,
    /// sign-out everywhere, a new email), or to one: see `end_app_access!`.
    /// How many refresh tokens stopped.
    pub async fn end_app_access(
        &self,
        customer: CustomerId,
        client: Option<&str>,
        now: i64,
    ) -> StoreResult<u64> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let ended = crate::store::end_app_access!(tx, customer.0, client, now);
            tx.commit().await?;
            Ok(ended)
        })
    }

    /// Records a new grant's family when its first tokens are minted, so
    /// ending the customer's access reaches its access tokens until
    /// `expires_at` (the last of them expired).
    pub async fn record_grant_family(
        &self,
        grant: &Grant,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO oidc_grant_families \
                   (family, customer_id, client_id, scope, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (family) DO NOTHING";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(grant.family)
            .bind(grant.customer.0)
            .bind(&grant.client_id)
            .bind(&grant.scope)
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|_| ()))
    }

    /// The scopes a customer has agreed to share with an application.
    pub async fn consented_scope(
        &self,
        customer: CustomerId,
        client: &str,
    ) -> StoreResult<Option<String>> {
        let sql = "SELECT scope FROM oidc_grants WHERE customer_id = $1 AND client_id = $2";
        with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(customer.0)
            .bind(client)
            .fetch_optional(pool)
            .await)
    }

    /// Remembers the scopes a customer agreed to share (replacing the set).
    pub async fn save_consent(
        &self,
        customer: CustomerId,
        client: &str,
        scope: &str,
        now: i64,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO oidc_grants (customer_id, client_id, scope, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $4) \
                   ON CONFLICT (customer_id, client_id) DO UPDATE SET scope = $3, updated_at = $4";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(customer.0)
            .bind(client)
            .bind(scope)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ()))
    }

    /// A refresh token as introspection reports it: its grant, when it was
    /// issued and expires, and whether it still works.
    pub async fn refresh_token(
        &self,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<Option<(Grant, i64, i64, bool)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            grant: GrantRow,
            created_at: i64,
            expires_at: i64,
            live: bool,
        }
        let sql = "SELECT client_id, customer_id, scope, auth_time, amr, family, created_at, expires_at, \
                   (used_at IS NULL AND revoked_at IS NULL AND expires_at > $2) AS live \
                   FROM oidc_refresh_tokens WHERE token_hash = $1";
        let row: Option<Row> = with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|r| (r.grant.into(), r.created_at, r.expires_at, r.live)))
    }

    /// Revokes a grant: its refresh tokens stop working, and its access
    /// tokens are reported inactive until they expire.
    pub async fn revoke_grant(&self, family: Uuid, now: i64) -> StoreResult<()> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            revoke_family!(tx, family, now);
            tx.commit().await
        })
    }

    /// Whether a grant has been revoked.
    pub async fn grant_revoked(&self, family: Uuid) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM oidc_revoked_grants WHERE family = $1";
        let n: i64 = with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(family)
            .fetch_one(pool)
            .await)?;
        Ok(n > 0)
    }

    /// The applications that hold access for a customer: a remembered
    /// consent, a refresh token that still works, or a grant whose access
    /// tokens may still be live; with what they may see and when access
    /// was last granted.
    pub async fn customer_apps(
        &self,
        customer: CustomerId,
        now: i64,
    ) -> StoreResult<Vec<AppAccess>> {
        let sql = "SELECT c.id AS client_id, c.name, \
                   COALESCE(g.scope, MAX(t.scope), MAX(f.scope)) AS scope, \
                   COALESCE(MAX(t.created_at), MAX(f.created_at), g.updated_at) AS last_granted_at \
                   FROM oidc_clients c \
                   LEFT JOIN oidc_grants g ON g.client_id = c.id AND g.customer_id = $1 \
                   LEFT JOIN oidc_refresh_tokens t ON t.client_id = c.id AND t.customer_id = $1 \
                        AND t.used_at IS NULL AND t.revoked_at IS NULL AND t.expires_at > $2 \
                   LEFT JOIN oidc_grant_families f ON f.client_id = c.id AND f.customer_id = $1 \
                        AND f.expires_at > $2 AND NOT EXISTS \
                        (SELECT 1 FROM oidc_revoked_grants r WHERE r.family = f.family) \
                   WHERE g.customer_id IS NOT NULL OR t.token_hash IS NOT NULL \
                        OR f.family IS NOT NULL \
                   GROUP BY c.id, c.name, g.scope, g.updated_at \
                   ORDER BY c.name, c.id";
        with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(customer.0)
            .bind(now)
            .fetch_all(pool)
            .await)
    }

    /// Takes an application's access away from a customer, atomically: the
    /// consent is forgotten, its refresh tokens stop working, and its
    /// access tokens are reported inactive. `false` when it held none.
    pub async fn revoke_app_access(
        &self,
        customer: CustomerId,
        client: &str,
        now: i64,
    ) -> StoreResult<bool> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let consents =
                sqlx::query("DELETE FROM oidc_grants WHERE customer_id = $1 AND client_id = $2")
                    .bind(customer.0)
                    .bind(client)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            let live_grants: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM oidc_grant_families \
                 WHERE customer_id = $1 AND client_id = $2 AND expires_at > $3 \
                 AND NOT EXISTS (SELECT 1 FROM oidc_revoked_grants r \
                 WHERE r.family = oidc_grant_families.family)",
            )
            .bind(customer.0)
            .bind(client)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let tokens = crate::store::end_app_access!(tx, customer.0, Some(client), now);
            tx.commit().await?;
            Ok(consents + tokens > 0 || live_grants > 0)
        })
    }
}

/// Rotation of live refresh token $1 of client $2 at $3 into $4, good
/// until $5; returns the grant. See `rotate_refresh_token`.
const ROTATE_SQLITE: &str = "INSERT INTO oidc_refresh_tokens (token_hash, family, client_id, \
    customer_id, scope, auth_time, amr, created_at, expires_at, parent_hash) \
    SELECT $4, family, client_id, customer_id, scope, auth_time, amr, $3, $5, token_hash \
    FROM oidc_refresh_tokens WHERE token_hash = $1 AND client_id = $2 AND used_at IS NULL \
    AND revoked_at IS NULL AND expires_at > $3 AND EXISTS (SELECT 1 FROM customers c \
    WHERE c.id = oidc_refresh_tokens.customer_id AND c.disabled_at IS NULL) \
    RETURNING client_id, customer_id, scope, auth_time, amr, family";
const ROTATE_POSTGRES: &str = "WITH spent AS (UPDATE oidc_refresh_tokens SET used_at = $3 \
    WHERE token_hash = $1 AND client_id = $2 AND used_at IS NULL AND revoked_at IS NULL \
    AND expires_at > $3 AND EXISTS (SELECT 1 FROM customers c \
    WHERE c.id = oidc_refresh_tokens.customer_id AND c.disabled_at IS NULL) \
    RETURNING token_hash, client_id, customer_id, scope, auth_time, amr, family), \
    next AS (INSERT INTO oidc_refresh_tokens (token_hash, family, client_id, customer_id, scope, \
    auth_time, amr, created_at, expires_at, parent_hash) \
    SELECT $4, family, client_id, customer_id, scope, auth_time, amr, $3, $5, token_hash FROM spent)";

const INSERT_REFRESH: &str = "INSERT INTO oidc_refresh_tokens (token_hash, family, client_id, \
    customer_id, scope, auth_time, amr, created_at, expires_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
