//! Links mailed to a customer (verify, reset, unblock): a single-use token
//! kept as its digest, good only while the customer's email is still the
//! address it went to, and a bounded number per hour.

use crate::domain::secrets::{LinkToken, hash_token, looks_like_token};
use crate::domain::{CustomerId, Email, Error, Problem, Result};
use crate::state::AppState;
use crate::store::TokenPurpose;

/// At most this many links of one kind per customer per hour.
const LINKS_PER_HOUR: i64 = 5;

/// A new link to `path` for the customer at `email`, valid `lifetime`
/// seconds; `None` when the hour's links of this kind are used up.
pub async fn issue(
    state: &AppState,
    (id, email): (CustomerId, &Email),
    purpose: TokenPurpose,
    lifetime: i64,
    path: &str,
) -> Result<Option<String>> {
    issue_with(state, (id, email), (purpose, None), lifetime, path).await
}

/// A link that gives the customer at `email` the address `new_email`
/// (sent to the new address), like `issue` otherwise.
pub async fn issue_email_change(
    state: &AppState,
    (id, email): (CustomerId, &Email),
    new_email: &Email,
    lifetime: i64,
    path: &str,
) -> Result<Option<String>> {
    let purpose = (TokenPurpose::ChangeEmail, Some(new_email));
    issue_with(state, (id, email), purpose, lifetime, path).await
}

async fn issue_with(
    state: &AppState,
    (id, email): (CustomerId, &Email),
    (purpose, new_email): (TokenPurpose, Option<&Email>),
    lifetime: i64,
    path: &str,
) -> Result<Option<String>> {
    let now = state.clock.now();
    let recent = state
        .store
        .tokens_issued_since(id, purpose, now - 3600)
        .await?;
    if recent >= LINKS_PER_HOUR {
        tracing::info!(customer_id = %id, ?purpose, "link not sent: hourly limit reached");
        return Ok(None);
    }
    let token = LinkToken::generate();
    state
        .store
        .insert_token(
            &token.hash,
            (id, email),
            (purpose, new_email),
            now,
            now + lifetime,
        )
        .await?;
    Ok(Some(
        state.config.link(&format!("{path}?token={}", token.raw)),
    ))
}

/// The customer a mailed link of `purpose` is for, if it is still good;
/// does not spend it. Anything else is refused with `invalid`.
pub async fn peek(
    state: &AppState,
    raw_token: &str,
    purpose: TokenPurpose,
    invalid: Problem,
) -> Result<CustomerId> {
    if !looks_like_token(raw_token) {
        return Err(Error::BadRequest(invalid));
    }
    let hash = hash_token(raw_token);
    let now = state.clock.now();
    (state.store.peek_token(&hash, purpose, now).await?).ok_or(Error::BadRequest(invalid))
}
