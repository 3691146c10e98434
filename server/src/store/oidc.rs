//! Applications, their secrets, signing keys, authorization codes, refresh
//! tokens and consents.

use super::{BeginWrite, Pool, Store, StoreResult, with_pool};
use crate::domain::oidc::{Client, CodeGrant, Grant, GrantType, SigningAlg, StoredKey};
use crate::domain::{Customer, CustomerId};
use uuid::Uuid;

/// Revokes a grant in transaction `$tx`: its refresh tokens, and (until
/// every access token it issued has expired) the grant itself. A macro, as
/// the transaction's type differs per backend.
macro_rules! revoke_family {
    ($tx:expr, $family:expr, $now:expr) => {{
        sqlx::query(
            "UPDATE oidc_refresh_tokens SET revoked_at = $2 WHERE family = $1 AND revoked_at IS NULL",
        )
        .bind($family)
        .bind($now)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "INSERT INTO oidc_revoked_grants (family, revoked_at, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (family) DO NOTHING",
        )
        .bind($family)
        .bind($now)
        .bind($now + crate::domain::oidc::ACCESS_TOKEN_LIFETIME_MAX)
        .execute(&mut *$tx)
        .await?;
    }};
}

/// In transaction `$tx`: when `$hash` names a code or refresh token of
/// `$client` that was already spent (`$select` finds its family), its whole
/// grant is revoked, as the replay of a stolen one. `true` if so.
macro_rules! revoke_if_spent {
    ($tx:expr, $select:expr, $hash:expr, $client:expr, $now:expr) => {{
        let family: Option<Uuid> = sqlx::query_scalar($select)
            .bind($hash)
            .bind($client)
            .fetch_optional(&mut *$tx)
            .await?;
        match family {
            Some(family) => {
                revoke_family!($tx, family, $now);
                true
            }
            None => false,
        }
    }};
}

#[derive(sqlx::FromRow)]
struct ClientRow {
    id: String,
    name: String,
    is_public: bool,
    first_party: bool,
    resource_server: bool,
    enabled: bool,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    grant_types: String,
    scopes: String,
    access_token_ttl: i64,
    refresh_token_ttl: i64,
    id_token_alg: String,
    logo_url: Option<String>,
    jwks: Option<String>,
    created_at: i64,
}

impl From<ClientRow> for Client {
    fn from(r: ClientRow) -> Self {
        let lines = |s: &str| s.lines().map(str::to_string).collect();
        Client {
            id: r.id,
            name: r.name,
            public: r.is_public,
            first_party: r.first_party,
            resource_server: r.resource_server,
            enabled: r.enabled,
            redirect_uris: lines(&r.redirect_uris),
            post_logout_redirect_uris: lines(&r.post_logout_redirect_uris),
            grant_types: r
                .grant_types
                .split_whitespace()
                .filter_map(GrantType::parse)
                .collect(),
            scopes: r.scopes.split_whitespace().map(str::to_string).collect(),
            access_token_ttl: r.access_token_ttl,
            refresh_token_ttl: r.refresh_token_ttl,
            id_token_alg: SigningAlg::parse(&r.id_token_alg).unwrap_or(SigningAlg::RS256),
            logo_url: r.logo_url,
            jwks: r.jwks,
            created_at: r.created_at,
        }
    }
}

const CLIENT_COLUMNS: &str = "id, name, is_public, first_party, enabled, redirect_uris, \
    post_logout_redirect_uris, grant_types, scopes, access_token_ttl, refresh_token_ttl, \
    id_token_alg, logo_url, jwks, resource_server, created_at";

/// An application that holds access for a customer.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AppAccess {
    pub client_id: String,
    pub name: String,
    pub scope: Option<String>,
    pub last_granted_at: Option<i64>,
}

/// A customer an application holds access for, as the console lists them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AppHolder {
    pub customer_id: Uuid,
    pub email: String,
    pub last_granted_at: i64,
}

/// Who an application holds access for ($1 the client, $2 now): remembered
/// consents and live refresh tokens.
const HOLDERS: &str = "SELECT customer_id, updated_at AS at FROM oidc_grants WHERE client_id = $1 \
    UNION ALL SELECT customer_id, created_at AS at FROM oidc_refresh_tokens \
    WHERE client_id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2";

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

/// What became of a presented authorization code.
pub enum CodeSpend {
    Granted(CodeGrant),
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
        }
    }
}

impl Store {
    /// Registers an application with its first secret (none for a public client).
    pub async fn insert_client(
        &self,
        client: &Client,
        secret_digest: Option<&[u8]>,
    ) -> StoreResult<()> {
        let grants: Vec<&str> = client.grant_types.iter().map(|g| g.as_str()).collect();
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(&format!(
                "INSERT INTO oidc_clients ({CLIENT_COLUMNS}, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)"
            ))
            .bind(&client.id)
            .bind(&client.name)
            .bind(client.public)
            .bind(client.first_party)
            .bind(client.enabled)
            .bind(client.redirect_uris.join("\n"))
            .bind(client.post_logout_redirect_uris.join("\n"))
            .bind(grants.join(" "))
            .bind(client.scopes.join(" "))
            .bind(client.access_token_ttl)
            .bind(client.refresh_token_ttl)
            .bind(client.id_token_alg.as_str())
            .bind(&client.logo_url)
            .bind(&client.jwks)
            .bind(client.resource_server)
            .bind(client.created_at)
            .execute(&mut *tx)
            .await?;
            if let Some(digest) = secret_digest {
                sqlx::query(
                    "INSERT INTO oidc_client_secrets (digest, client_id, created_at) VALUES ($1, $2, $3)",
                )
                .bind(digest)
                .bind(&client.id)
                .bind(client.created_at)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await
        })
    }

    pub async fn client(&self, id: &str) -> StoreResult<Option<Client>> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM oidc_clients WHERE id = $1");
        let row: Option<ClientRow> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(Client::from))
    }

    pub async fn clients(&self) -> StoreResult<Vec<Client>> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM oidc_clients ORDER BY name, id");
        let rows: Vec<ClientRow> =
            with_pool!(self, |pool| sqlx::query_as(&sql).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(Client::from).collect())
    }

    /// Saves an application's settings (all but its id, kind and creation time).
    pub async fn update_client(&self, client: &Client, now: i64) -> StoreResult<bool> {
        let grants: Vec<&str> = client.grant_types.iter().map(|g| g.as_str()).collect();
        let sql = "UPDATE oidc_clients SET name = $2, first_party = $3, enabled = $4, \
                   redirect_uris = $5, post_logout_redirect_uris = $6, grant_types = $7, \
                   scopes = $8, access_token_ttl = $9, refresh_token_ttl = $10, \
                   id_token_alg = $11, logo_url = $12, jwks = $13, updated_at = $14, \
                   resource_server = $15 WHERE id = $1";
        let done = with_pool!(self, |pool| sqlx::query(sql)
            .bind(&client.id)
            .bind(&client.name)
            .bind(client.first_party)
            .bind(client.enabled)
            .bind(client.redirect_uris.join("\n"))
            .bind(client.post_logout_redirect_uris.join("\n"))
            .bind(grants.join(" "))
            .bind(client.scopes.join(" "))
            .bind(client.access_token_ttl)
            .bind(client.refresh_token_ttl)
            .bind(client.id_token_alg.as_str())
            .bind(&client.logo_url)
            .bind(&client.jwks)
            .bind(now)
            .bind(client.resource_server)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// The customers an application holds access for (a remembered consent
    /// or a live refresh token), most recently granted first, up to `limit`.
    pub async fn client_holders(
        &self,
        client: &str,
        now: i64,
        limit: i64,
    ) -> StoreResult<Vec<AppHolder>> {
        let sql = format!(
            "SELECT h.customer_id, cu.email, MAX(h.at) AS last_granted_at \
             FROM ({HOLDERS}) h JOIN customers cu ON cu.id = h.customer_id \
             GROUP BY h.customer_id, cu.email ORDER BY last_granted_at DESC, cu.email LIMIT $3"
        );
        with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(client)
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await)
    }

    /// How many customers an application holds access for, counted up to
    /// `cap` so the page stays quick for an application with millions.
    pub async fn count_client_holders(&self, client: &str, now: i64, cap: i64) -> StoreResult<i64> {
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT DISTINCT customer_id FROM ({HOLDERS}) h LIMIT $3) capped"
        );
        with_pool!(self, |pool| sqlx::query_scalar(&sql)
            .bind(client)
            .bind(now)
            .bind(cap)
            .fetch_one(pool)
            .await)
    }

    /// The client's secrets that still work at `now`: each digest, and
    /// when it stops working (`None`: until replaced).
    pub async fn client_secret_digests(
        &self,
        client: &str,
        now: i64,
    ) -> StoreResult<Vec<(Vec<u8>, Option<i64>)>> {
        let sql = "SELECT digest, expires_at FROM oidc_client_secrets \
                   WHERE client_id = $1 AND (expires_at IS NULL OR expires_at > $2)";
        with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(client)
            .bind(now)
            .fetch_all(pool)
            .await)
    }

    /// Remembers a client assertion's `jti` until it expires; `false` when
    /// it was already used.
    pub async fn spend_assertion(
        &self,
        client: &str,
        jti: &str,
        expires_at: i64,
    ) -> StoreResult<bool> {
        let sql = "INSERT INTO oidc_assertion_jtis (client_id, jti, expires_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (client_id, jti) DO NOTHING";
        let inserted = with_pool!(self, |pool| sqlx::query(sql)
            .bind(client)
            .bind(jti)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(inserted == 1)
    }

    /// Adds a secret; the ones before it stop working at `old_until`.
    pub async fn rotate_client_secret(
        &self,
        client: &str,
        digest: &[u8],
        now: i64,
        old_until: i64,
    ) -> StoreResult<()> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "UPDATE oidc_client_secrets SET expires_at = $2 \
                 WHERE client_id = $1 AND (expires_at IS NULL OR expires_at > $2)",
            )
            .bind(client)
            .bind(old_until)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO oidc_client_secrets (digest, client_id, created_at) VALUES ($1, $2, $3)",
            )
            .bind(digest)
            .bind(client)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })
    }
}

impl Store {
    /// Every signing key, newest first.
    pub async fn signing_keys(&self) -> StoreResult<Vec<StoredKey>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            kid: String,
            alg: String,
            sealed_private: Vec<u8>,
            public_jwk: String,
            created_at: i64,
            retired_at: Option<i64>,
        }
        let sql = "SELECT kid, alg, sealed_private, public_jwk, created_at, retired_at \
                   FROM signing_keys ORDER BY created_at DESC, kid DESC";
        let rows: Vec<Row> = with_pool!(self, |pool| sqlx::query_as(sql).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(StoredKey {
                    alg: SigningAlg::parse(&r.alg)?,
                    kid: r.kid,
                    sealed_private: r.sealed_private,
                    public_jwk: r.public_jwk,
                    created_at: r.created_at,
                    retired_at: r.retired_at,
                })
            })
            .collect())
    }

    /// Stores a new key; when `retire` is set, the keys of its algorithm
    /// that signed until now stop signing (they stay published).
    pub async fn insert_signing_key(&self, key: &StoredKey, retire: bool) -> StoreResult<()> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            if retire {
                sqlx::query(
                    "UPDATE signing_keys SET retired_at = $2 WHERE alg = $1 AND retired_at IS NULL",
                )
                .bind(key.alg.as_str())
                .bind(key.created_at)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO signing_keys (kid, alg, sealed_private, public_jwk, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&key.kid)
            .bind(key.alg.as_str())
            .bind(&key.sealed_private)
            .bind(&key.public_jwk)
            .bind(key.created_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })
    }

    /// Forgets keys retired before `before` (no token they signed is alive).
    pub async fn delete_keys_retired_before(&self, before: i64) -> StoreResult<u64> {
        with_pool!(self, |pool| sqlx::query(
            "DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < $1"
        )
        .bind(before)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
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
                   nonce, code_challenge, auth_time, amr, family, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
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
                 RETURNING client_id, customer_id, scope, auth_time, amr, family, redirect_uri, nonce, code_challenge",
            )
            .bind(code_hash)
            .bind(client)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let answer = match spent {
                Some(r) => CodeSpend::Granted(CodeGrant {
                    grant: r.grant.into(),
                    redirect_uri: r.redirect_uri,
                    nonce: r.nonce,
                    code_challenge: r.code_challenge,
                }),
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
            customer: super::customers::CustomerRow,
        }
        let rotated = match &self.pool {
            Pool::Sqlite(pool) => {
                let grant: Option<GrantRow> = {
                    let _turn = super::write_turn_of(pool).await;
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
                    super::customers::customer_columns("c")
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
            let ended = super::end_app_access!(tx, customer.0, client, now);
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
            let tokens = super::end_app_access!(tx, customer.0, Some(client), now);
            tx.commit().await?;
            Ok(consents + tokens > 0 || live_grants > 0)
        })
    }

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

    /// Forgets codes and refresh tokens that expired before `before`.
    pub async fn purge_oidc(&self, before: i64) -> StoreResult<u64> {
        let mut gone = 0;
        for sql in [
            "DELETE FROM oidc_codes WHERE expires_at < $1",
            "DELETE FROM oidc_refresh_tokens WHERE expires_at < $1",
            "DELETE FROM oidc_revoked_grants WHERE expires_at < $1",
            "DELETE FROM oidc_grant_families WHERE expires_at < $1",
            "DELETE FROM oidc_device_codes WHERE expires_at < $1",
            "DELETE FROM oidc_assertion_jtis WHERE expires_at < $1",
        ] {
            gone += with_pool!(self, |pool| sqlx::query(sql)
                .bind(before)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
        }
        Ok(gone)
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
