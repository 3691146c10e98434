//! Token signing keys, sealed, with their rotation.

use crate::domain::oidc::{SigningAlg, StoredKey};
use crate::store::{BeginWrite, Store, StoreResult, with_pool};

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
