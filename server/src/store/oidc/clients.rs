//! Applications: their registration, secrets and assertions, and who
//! they hold access for.

use crate::domain::oidc::{Client, GrantType, SigningAlg};
use crate::store::{BeginWrite, Store, StoreResult, with_pool};
use uuid::Uuid;

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
    backchannel_logout_uri: Option<String>,
    initiate_login_uri: Option<String>,
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
            backchannel_logout_uri: r.backchannel_logout_uri,
            initiate_login_uri: r.initiate_login_uri,
            created_at: r.created_at,
        }
    }
}

const CLIENT_COLUMNS: &str = "id, name, is_public, first_party, enabled, redirect_uris, \
    post_logout_redirect_uris, grant_types, scopes, access_token_ttl, refresh_token_ttl, \
    id_token_alg, logo_url, jwks, resource_server, backchannel_logout_uri, initiate_login_uri, \
    created_at";

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
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)"
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
            .bind(&client.backchannel_logout_uri)
            .bind(&client.initiate_login_uri)
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
                   resource_server = $15, backchannel_logout_uri = $16, initiate_login_uri = $17 \
                   WHERE id = $1";
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
            .bind(&client.backchannel_logout_uri)
            .bind(&client.initiate_login_uri)
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
