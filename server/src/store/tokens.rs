use super::BeginWrite;
use super::{Store, StoreResult, with_pool};
use crate::domain::{CustomerId, Email, PasswordHash};
use uuid::Uuid;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
    UnblockSignIn,
    /// A customer's own change of address: the link goes to the new one.
    ChangeEmail,
}

/// What following an email-change link came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EmailChange {
    /// The account now has the new address (verified: the link reached it).
    Changed(CustomerId, Email),
    /// Used, expired, or the account's address changed since.
    Invalid,
    /// Another account took the new address in the meantime.
    Taken,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
            Self::UnblockSignIn => "unblock_sign_in",
            Self::ChangeEmail => "change_email",
        }
    }
}

impl Store {
    /// Stores a mailed link's token for the customer at the address it is
    /// sent to: it stops working if the customer's email changes.
    /// `new_email`: the address an email-change link would give the account.
    pub async fn insert_token(
        &self,
        token_hash: &[u8],
        (customer, email): (CustomerId, &Email),
        (purpose, new_email): (TokenPurpose, Option<&Email>),
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO customer_tokens (token_hash, customer_id, email, purpose, created_at, expires_at, new_email) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7)";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(token_hash)
            .bind(customer.0)
            .bind(email.as_str())
            .bind(purpose.as_str())
            .bind(now)
            .bind(expires_at)
            .bind(new_email.map(Email::as_str))
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// How many tokens of this purpose the customer was sent since `since`;
    /// bounds how much mail one address can be made to receive.
    pub async fn tokens_issued_since(
        &self,
        customer: CustomerId,
        purpose: TokenPurpose,
        since: i64,
    ) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM customer_tokens WHERE customer_id = $1 AND purpose = $2 AND created_at >= $3";
        with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(customer.0)
            .bind(purpose.as_str())
            .bind(since)
            .fetch_one(pool)
            .await)
    }

    /// The customer a token belongs to, if it is unused and unexpired; does not spend it.
    pub async fn peek_token(
        &self,
        token_hash: &[u8],
        purpose: TokenPurpose,
        now: i64,
    ) -> StoreResult<Option<CustomerId>> {
        let sql = "SELECT customer_id FROM customer_tokens \
                   WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 \
                   AND email = (SELECT c.email FROM customers c WHERE c.id = customer_tokens.customer_id)";
        let id: Option<Uuid> = with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(token_hash)
            .bind(purpose.as_str())
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        Ok(id.map(CustomerId))
    }

    /// The address an email-change link would give, while the link is good.
    pub async fn peek_email_change(
        &self,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<Option<String>> {
        let sql = "SELECT new_email FROM customer_tokens \
                   WHERE token_hash = $1 AND purpose = 'change_email' AND used_at IS NULL AND expires_at > $2 \
                   AND email = (SELECT c.email FROM customers c WHERE c.id = customer_tokens.customer_id)";
        let new: Option<Option<String>> = with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        Ok(new.flatten())
    }

    /// Spends an email-change token and gives the account its new address,
    /// verified, atomically: if another account has taken the address
    /// since, nothing changes and the link stays good.
    pub async fn change_email_with_token(
        &self,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<EmailChange> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let spent: Option<(Uuid, Option<String>)> = sqlx::query_as(
                "UPDATE customer_tokens SET used_at = $3 \
                 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 \
                 AND email = (SELECT c.email FROM customers c WHERE c.id = customer_tokens.customer_id) \
                 RETURNING customer_id, new_email",
            )
            .bind(token_hash)
            .bind(TokenPurpose::ChangeEmail.as_str())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((id, Some(new_email))) = spent else {
                return Ok(EmailChange::Invalid);
            };
            let Ok(email) = Email::parse(&new_email) else {
                return Ok(EmailChange::Invalid);
            };
            let changed = sqlx::query(
                "UPDATE customers SET email = $2, email_verified_at = $3, updated_at = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(email.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await;
            match changed {
                Ok(_) => {}
                Err(e) if super::is_taken(&e, super::UniqueKey::CustomerEmail) => {
                    return Ok(EmailChange::Taken);
                }
                Err(e) => return Err(e),
            }
            tx.commit().await?;
            Ok(EmailChange::Changed(CustomerId(id), email))
        })
    }

    /// Spends a verification token and marks the address verified, atomically.
    pub async fn verify_email_with_token(
        &self,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<Option<CustomerId>> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            // The first statement writes, so SQLite takes its write lock up front.
            let id: Option<Uuid> = sqlx::query_scalar(SPEND_TOKEN)
                .bind(token_hash)
                .bind(TokenPurpose::VerifyEmail.as_str())
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(id) = id {
                sqlx::query("UPDATE customers SET email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $1")
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(id.map(CustomerId))
        })
    }

    /// Spends a reset token, sets the new password, retires the customer's
    /// other reset links, ends all of their sessions and revokes their
    /// applications' refresh tokens, atomically. Following
    /// the link also proves the customer reads that mailbox, so it is verified.
    pub async fn reset_password_with_token(
        &self,
        token_hash: &[u8],
        new_hash: &PasswordHash,
        now: i64,
    ) -> StoreResult<Option<CustomerId>> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let id: Option<Uuid> = sqlx::query_scalar(SPEND_TOKEN)
                .bind(token_hash)
                .bind(TokenPurpose::ResetPassword.as_str())
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(id) = id {
                sqlx::query(
                    "UPDATE customers SET password_hash = $2, updated_at = $3, \
                     email_verified_at = COALESCE(email_verified_at, $3) WHERE id = $1",
                )
                .bind(id)
                .bind(new_hash.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE customer_tokens SET used_at = $2 \
                     WHERE customer_id = $1 AND purpose = 'reset_password' AND used_at IS NULL",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                super::end_sessions!(tx, super::Ending::All(CustomerId(id)), now);
                super::end_app_access!(tx, id, None, now);
                sqlx::query(super::FORGET_BROWSERS)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(id.map(CustomerId))
        })
    }
}

impl Store {
    /// Spends a token that does nothing else (an unblock link).
    pub async fn spend_token(
        &self,
        token_hash: &[u8],
        purpose: TokenPurpose,
        now: i64,
    ) -> StoreResult<Option<CustomerId>> {
        let id: Option<Uuid> = with_pool!(self, |pool| sqlx::query_scalar(SPEND_TOKEN)
            .bind(token_hash)
            .bind(purpose.as_str())
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        Ok(id.map(CustomerId))
    }

    /// Retires every unused link of a customer (their email changed).
    pub async fn retire_tokens(&self, customer: CustomerId, now: i64) -> StoreResult<u64> {
        let sql =
            "UPDATE customer_tokens SET used_at = $2 WHERE customer_id = $1 AND used_at IS NULL";
        let done = with_pool!(self, |pool| sqlx::query(sql)
            .bind(customer.0)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(done)
    }
}

/// Marks a token used if it is unused, unexpired and was sent to the
/// customer's current address; a concurrent second use finds `used_at` set
/// and gets no row.
const SPEND_TOKEN: &str = "UPDATE customer_tokens SET used_at = $3 \
    WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 \
    AND email = (SELECT c.email FROM customers c WHERE c.id = customer_tokens.customer_id) \
    RETURNING customer_id";
