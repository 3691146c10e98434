use super::BeginWrite;
use super::{Store, StoreResult, with_pool};
use crate::domain::mfa::{Coverage, Factor, FactorKind, MfaPolicy, MfaSettings, TierMfa};
use crate::domain::{AdminId, CustomerId, TierId};
use uuid::Uuid;

/// Whose factor: a customer's or an admin's (one table, one owner column set).
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FactorOwner {
    Customer(CustomerId),
    Admin(AdminId),
}

impl FactorOwner {
    fn column(self) -> &'static str {
        match self {
            Self::Customer(_) => "customer_id",
            Self::Admin(_) => "admin_id",
        }
    }

    fn id(self) -> Uuid {
        match self {
            Self::Customer(c) => c.0,
            Self::Admin(a) => a.0,
        }
    }
}

/// A factor as it is first stored.
pub struct NewFactor<'a> {
    pub id: Uuid,
    pub owner: FactorOwner,
    pub kind: FactorKind,
    pub name: &'a str,
    /// TOTP: the shared secret, and the step of the code that confirmed it.
    pub totp: Option<(&'a [u8], i64)>,
    /// Passkey: the credential id and webauthn-rs's record (JSON).
    pub passkey: Option<(&'a [u8], &'a str)>,
    pub now: i64,
}

/// An authenticator app's secret, and the last time step it accepted.
pub struct TotpSecret {
    pub id: Uuid,
    pub secret: Vec<u8>,
    pub last_step: i64,
}

/// A stored passkey: its factor, owner and webauthn-rs's record (JSON).
pub struct StoredPasskey {
    pub id: Uuid,
    pub owner: FactorOwner,
    pub passkey: String,
}

#[derive(sqlx::FromRow)]
struct FactorRow {
    id: Uuid,
    kind: String,
    name: String,
    created_at: i64,
    last_used_at: Option<i64>,
}

impl FactorRow {
    /// The factor, if its kind is one this version knows (written only
    /// from `FactorKind::as_str`, and CHECKed).
    fn into_factor(self) -> Option<Factor> {
        Some(Factor {
            id: self.id,
            kind: FactorKind::parse(&self.kind)?,
            name: self.name,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    policy: String,
    remember_days: i64,
    step_up_minutes: i64,
}

fn policy(raw: &str) -> MfaPolicy {
    // Written only from `MfaPolicy::as_str` (and CHECKed).
    MfaPolicy::parse(raw).unwrap_or(MfaPolicy::Optional)
}

impl Store {
    pub async fn mfa_settings(&self) -> StoreResult<MfaSettings> {
        let sql = "SELECT policy, remember_days, step_up_minutes FROM mfa_settings WHERE id = 1";
        let row: SettingsRow = with_pool!(self, |pool| sqlx::query_as(sql).fetch_one(pool).await)?;
        Ok(MfaSettings {
            policy: policy(&row.policy),
            remember_days: row.remember_days,
            step_up_minutes: row.step_up_minutes,
        })
    }

    pub async fn update_mfa_settings(&self, settings: &MfaSettings, now: i64) -> StoreResult<()> {
        let sql = "UPDATE mfa_settings SET policy = $1, remember_days = $2, step_up_minutes = $3, \
                   updated_at = $4 WHERE id = 1";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(settings.policy.as_str())
            .bind(settings.remember_days)
            .bind(settings.step_up_minutes)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn tier_mfa(&self, tier: TierId) -> StoreResult<Option<TierMfa>> {
        let sql = "SELECT mfa_policy, mfa_remember_days FROM tiers WHERE id = $1";
        let row: Option<(Option<String>, Option<i64>)> = with_pool!(self, |pool| {
            sqlx::query_as(sql).bind(tier.0).fetch_optional(pool).await
        })?;
        Ok(row.map(|(p, days)| TierMfa {
            policy: p.as_deref().map(policy),
            remember_days: days,
        }))
    }

    /// Every tier's own MFA settings.
    pub async fn tiers_mfa(&self) -> StoreResult<Vec<(TierId, TierMfa)>> {
        let sql = "SELECT id, mfa_policy, mfa_remember_days FROM tiers";
        let rows: Vec<(Uuid, Option<String>, Option<i64>)> =
            with_pool!(self, |pool| sqlx::query_as(sql).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, p, days)| {
                let mfa = TierMfa {
                    policy: p.as_deref().map(policy),
                    remember_days: days,
                };
                (TierId(id), mfa)
            })
            .collect())
    }

    /// Sets a tier's own MFA settings; false when the tier is gone.
    pub async fn set_tier_mfa(&self, tier: TierId, mfa: TierMfa, now: i64) -> StoreResult<bool> {
        let sql = "UPDATE tiers SET mfa_policy = $2, mfa_remember_days = $3, updated_at = $4 WHERE id = $1";
        let changed = with_pool!(self, |pool| sqlx::query(sql)
            .bind(tier.0)
            .bind(mfa.policy.map(MfaPolicy::as_str))
            .bind(mfa.remember_days)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(changed > 0)
    }

    /// The customer's tier's own MFA settings (read at each sign-in, so a
    /// tier move applies at the next one).
    /// The global settings and `customer`'s tier's own, in one statement
    /// (read at every sign-in).
    pub async fn mfa_for_customer(
        &self,
        customer: CustomerId,
    ) -> StoreResult<(MfaSettings, TierMfa)> {
        let sql = "SELECT s.policy, s.remember_days, s.step_up_minutes, t.mfa_policy, \
                   t.mfa_remember_days FROM mfa_settings s \
                   LEFT JOIN customers c ON c.id = $1 \
                   LEFT JOIN tiers t ON t.id = c.tier_id WHERE s.id = 1";
        let (global, remember_days, step_up_minutes, tier_policy, tier_days): (
            String,
            i64,
            i64,
            Option<String>,
            Option<i64>,
        ) = with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(customer.0)
            .fetch_one(pool)
            .await)?;
        let settings = MfaSettings {
            policy: policy(&global),
            remember_days,
            step_up_minutes,
        };
        let tier = TierMfa {
            policy: tier_policy.as_deref().map(policy),
            remember_days: tier_days,
        };
        Ok((settings, tier))
    }

    /// The owner's factors, oldest first.
    pub async fn factors(&self, owner: FactorOwner) -> StoreResult<Vec<Factor>> {
        let sql = format!(
            "SELECT id, kind, name, created_at, last_used_at FROM mfa_factors \
             WHERE {} = $1 ORDER BY created_at, id",
            owner.column()
        );
        let rows: Vec<FactorRow> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(owner.id())
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .filter_map(FactorRow::into_factor)
            .collect())
    }

    /// Stores a factor; false when the owner already has an authenticator app.
    pub async fn insert_factor(&self, new: &NewFactor<'_>) -> StoreResult<bool> {
        let sql = format!(
            "INSERT INTO mfa_factors (id, {}, kind, name, totp_secret, totp_last_step, \
             credential_id, passkey, created_at, last_used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            new.owner.column()
        );
        let result = with_pool!(self, |pool| sqlx::query(&sql)
            .bind(new.id)
            .bind(new.owner.id())
            .bind(new.kind.as_str())
            .bind(new.name)
            .bind(new.totp.map(|(secret, _)| secret))
            .bind(new.totp.map_or(0, |(_, step)| step))
            .bind(new.passkey.map(|(id, _)| id))
            .bind(new.passkey.map(|(_, record)| record))
            .bind(new.now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()));
        match result {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    pub async fn totp_secret(&self, owner: FactorOwner) -> StoreResult<Option<TotpSecret>> {
        let sql = format!(
            "SELECT id, totp_secret, totp_last_step FROM mfa_factors WHERE {} = $1 AND kind = 'totp'",
            owner.column()
        );
        let row: Option<(Uuid, Vec<u8>, i64)> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(owner.id())
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|(id, secret, last_step)| TotpSecret {
            id,
            secret,
            last_step,
        }))
    }

    /// Accepts TOTP time step `step` for factor `id`, once: false when
    /// this step (or a later one) was already accepted.
    pub async fn spend_totp_step(&self, id: Uuid, step: i64, now: i64) -> StoreResult<bool> {
        let sql = "UPDATE mfa_factors SET totp_last_step = $2, last_used_at = $3 \
                   WHERE id = $1 AND totp_last_step < $2";
        let changed = with_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(step)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(changed == 1)
    }

    /// Removes one of the owner's factors; false when it is not theirs or gone.
    pub async fn delete_factor(&self, owner: FactorOwner, id: Uuid) -> StoreResult<Option<Factor>> {
        let sql = format!(
            "DELETE FROM mfa_factors WHERE id = $1 AND {} = $2 \
             RETURNING id, kind, name, created_at, last_used_at",
            owner.column()
        );
        let row: Option<FactorRow> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id)
            .bind(owner.id())
            .fetch_optional(pool)
            .await)?;
        Ok(row.and_then(FactorRow::into_factor))
    }

    /// Replaces the customer's recovery codes with these (hashes): the old
    /// set stops working in the same transaction.
    pub async fn replace_recovery_codes(
        &self,
        customer: CustomerId,
        hashes: &[Vec<u8>],
        now: i64,
    ) -> StoreResult<()> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM mfa_recovery_codes WHERE customer_id = $1")
                .bind(customer.0)
                .execute(&mut *tx)
                .await?;
            for hash in hashes {
                sqlx::query(
                    "INSERT INTO mfa_recovery_codes (customer_id, code_hash, created_at) VALUES ($1, $2, $3)",
                )
                .bind(customer.0)
                .bind(hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await
        })
    }

    /// Spends one recovery code; false when it is not one of the
    /// customer's unused codes.
    pub async fn spend_recovery_code(
        &self,
        customer: CustomerId,
        hash: &[u8],
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE mfa_recovery_codes SET used_at = $3 \
                   WHERE customer_id = $1 AND code_hash = $2 AND used_at IS NULL";
        let changed = with_pool!(self, |pool| sqlx::query(sql)
            .bind(customer.0)
            .bind(hash)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(changed == 1)
    }

    pub async fn recovery_codes_left(&self, customer: CustomerId) -> StoreResult<i64> {
        let sql =
            "SELECT COUNT(*) FROM mfa_recovery_codes WHERE customer_id = $1 AND used_at IS NULL";
        with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(customer.0)
            .fetch_one(pool)
            .await)
    }

    pub async fn remember_browser(
        &self,
        token_hash: &[u8],
        customer: CustomerId,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO mfa_remembered_browsers (token_hash, customer_id, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4)";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(token_hash)
            .bind(customer.0)
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Whether this browser's token is one the customer asked to be
    /// remembered, still unexpired and made after `since` (the policy's
    /// days now, which may have shortened).
    pub async fn browser_remembered(
        &self,
        token_hash: &[u8],
        customer: CustomerId,
        now: i64,
        since: i64,
    ) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM mfa_remembered_browsers WHERE token_hash = $1 \
                   AND customer_id = $2 AND expires_at > $3 AND created_at > $4";
        let n: i64 = with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(token_hash)
            .bind(customer.0)
            .bind(now)
            .bind(since)
            .fetch_one(pool)
            .await)?;
        Ok(n > 0)
    }

    /// Removes every factor of the owner and, for a customer, their
    /// recovery codes and remembered browsers, atomically; returns how many
    /// factors there were.
    pub async fn reset_mfa(&self, owner: FactorOwner) -> StoreResult<u64> {
        let factors = format!("DELETE FROM mfa_factors WHERE {} = $1", owner.column());
        let extras: &[&str] = match owner {
            FactorOwner::Customer(_) => &[
                "DELETE FROM mfa_recovery_codes WHERE customer_id = $1",
                "DELETE FROM mfa_remembered_browsers WHERE customer_id = $1",
            ],
            FactorOwner::Admin(_) => &[],
        };
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let removed = sqlx::query(&factors)
                .bind(owner.id())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            for sql in extras {
                sqlx::query(sql).bind(owner.id()).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(removed)
        })
    }

    /// Forgets every remembered browser of the customer (a factor removed,
    /// codes regenerated, a password reset).
    pub async fn forget_browsers(&self, customer: CustomerId) -> StoreResult<()> {
        let sql = "DELETE FROM mfa_remembered_browsers WHERE customer_id = $1";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(customer.0)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The session passed a second factor now: the step-up window starts
    /// again, and its `amr` says how it was signed in.
    pub async fn session_passed_mfa(&self, session: Uuid, now: i64, amr: &str) -> StoreResult<()> {
        let sql = "UPDATE customer_sessions SET mfa_at = $2, amr = $3 WHERE id = $1";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(session)
            .bind(now)
            .bind(amr)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// How many of the tier's members hold a factor, by kind: read from
    /// the factors (only enrolled customers) and each one's tier by its
    /// key, never by scanning the customers; the member count is the
    /// tier's index range.
    pub async fn tier_coverage(&self, tier: TierId) -> StoreResult<Coverage> {
        let sql = "SELECT \
            (SELECT COUNT(*) FROM customers WHERE tier_id = $1), \
            COUNT(DISTINCT f.customer_id), \
            COUNT(DISTINCT CASE WHEN f.kind = 'totp' THEN f.customer_id END), \
            COUNT(DISTINCT CASE WHEN f.kind = 'passkey' THEN f.customer_id END) \
            FROM mfa_factors f JOIN customers c ON c.id = f.customer_id \
            WHERE f.customer_id IS NOT NULL AND c.tier_id = $1";
        let (members, enrolled, totp, passkey): (i64, i64, i64, i64) =
            with_pool!(self, |pool| sqlx::query_as(sql)
                .bind(tier.0)
                .fetch_one(pool)
                .await)?;
        Ok(Coverage {
            members,
            enrolled,
            totp,
            passkey,
        })
    }

    /// Forgets remembered browsers that expired before `before`.
    pub async fn purge_mfa(&self, before: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM mfa_remembered_browsers WHERE expires_at < $1";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
    }

    /// The passkey a credential id names, whoever holds it.
    pub async fn passkey_by_credential(
        &self,
        credential_id: &[u8],
    ) -> StoreResult<Option<StoredPasskey>> {
        let sql = "SELECT id, customer_id, admin_id, passkey FROM mfa_factors \
                   WHERE credential_id = $1 AND kind = 'passkey'";
        let row: Option<(Uuid, Option<Uuid>, Option<Uuid>, String)> =
            with_pool!(self, |pool| sqlx::query_as(sql)
                .bind(credential_id)
                .fetch_optional(pool)
                .await)?;
        Ok(row.and_then(|(id, customer, admin, passkey)| {
            let owner = match (customer, admin) {
                (Some(c), _) => FactorOwner::Customer(CustomerId(c)),
                (None, Some(a)) => FactorOwner::Admin(AdminId(a)),
                (None, None) => return None,
            };
            Some(StoredPasskey { id, owner, passkey })
        }))
    }

    /// The owner's passkeys (webauthn-rs records, JSON).
    pub async fn passkeys(&self, owner: FactorOwner) -> StoreResult<Vec<StoredPasskey>> {
        let sql = format!(
            "SELECT id, passkey FROM mfa_factors WHERE {} = $1 AND kind = 'passkey' ORDER BY created_at",
            owner.column()
        );
        let rows: Vec<(Uuid, String)> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(owner.id())
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, passkey)| StoredPasskey { id, owner, passkey })
            .collect())
    }

    /// A passkey was used: its record (counter, backup state) and time.
    pub async fn passkey_used(&self, id: Uuid, passkey: &str, now: i64) -> StoreResult<bool> {
        let sql = "UPDATE mfa_factors SET passkey = $2, last_used_at = $3 WHERE id = $1 AND kind = 'passkey'";
        let changed = with_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(passkey)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(changed == 1)
    }
}
