//! Single sign-on's records: applications (`clients`), signing keys
//! (`keys`), grants, codes, refresh tokens and consents (`grants`), and
//! device codes (`device`).

use super::{Store, StoreResult, with_pool};

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

mod backchannel;
mod clients;
mod device;
mod grants;
mod keys;

pub use backchannel::DueLogout;
pub use clients::{AppAccess, AppHolder};
pub use device::DevicePoll;
pub use grants::{CodeSpend, RefreshSpend};

impl Store {
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
            // Kept a week once settled, for the operator's questions.
            "DELETE FROM oidc_backchannel_logouts WHERE COALESCE(sent_at, failed_at) < $1 - 604800",
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
