//! Forgotten passwords: a single-use link by mail, then a new password.

use crate::audit::{self, Actor};
use crate::customers::{Customer, CustomerId, Email};
use crate::error::{Error, Result};
use crate::mail;
use crate::password::{Password, check_policy};
use crate::secrets::{LinkToken, hash_token, looks_like_token};
use crate::state::AppState;
use crate::store::TokenPurpose;
use serde_json::json;

pub const LINK_LIFETIME: i64 = 3600;
const MAILS_PER_HOUR: i64 = 5;

const INVALID_LINK: &str =
    "This reset link is invalid, expired or already used. Ask for a new one.";

/// Checks the address and returns at once; the lookup and mail happen in the
/// background so the response time is the same for every address.
pub fn request_reset(state: &AppState, raw_email: &str, ip: Option<&str>) -> Result<()> {
    let email = Email::parse(raw_email).map_err(|e| Error::invalid("email", e))?;
    let state = state.clone();
    let ip = ip.map(str::to_string);
    tokio::spawn(async move {
        if let Err(e) = send_reset_link(&state, &email, ip.as_deref()).await {
            tracing::error!(error = %e, "password reset mail not queued");
        }
    });
    Ok(())
}

async fn send_reset_link(state: &AppState, email: &Email, ip: Option<&str>) -> Result<()> {
    if let Some((customer, _)) = state.store.customer_by_email(email).await? {
        let sent = mail_reset_link(state, &customer).await?;
        let who = Actor::Customer(customer.id);
        let details = json!({ "mail_sent": sent });
        audit::record(
            state,
            who,
            "customer.password_reset_requested",
            Some(customer.id),
            ip,
            details,
        )
        .await?;
    }
    Ok(())
}

/// Mails the customer a reset link, unless they already got the hourly
/// maximum; returns whether a mail was queued.
pub async fn mail_reset_link(state: &AppState, customer: &Customer) -> Result<bool> {
    let now = state.clock.now();
    let recent = state
        .store
        .tokens_issued_since(customer.id, TokenPurpose::ResetPassword, now - 3600)
        .await?;
    if recent >= MAILS_PER_HOUR {
        tracing::info!(customer_id = %customer.id, "reset mail not sent: hourly limit reached");
        return Ok(false);
    }
    let token = LinkToken::generate();
    state
        .store
        .insert_token(
            &token.hash,
            customer.id,
            TokenPurpose::ResetPassword,
            now,
            now + LINK_LIFETIME,
        )
        .await?;
    let link = state
        .config
        .link(&format!("/reset-password?token={}", token.raw));
    state
        .mailer
        .enqueue(mail::reset_mail(
            customer.email.as_str(),
            customer.display_name.as_str(),
            &link,
        ))
        .await?;
    tracing::info!(customer_id = %customer.id, "password reset requested");
    Ok(true)
}

/// Whether a reset link can still be used, for showing the form.
pub async fn check_link(state: &AppState, raw_token: &str) -> Result<CustomerId> {
    if !looks_like_token(raw_token) {
        return Err(Error::BadRequest(INVALID_LINK.into()));
    }
    state
        .store
        .peek_token(
            &hash_token(raw_token),
            TokenPurpose::ResetPassword,
            state.clock.now(),
        )
        .await?
        .ok_or_else(|| Error::BadRequest(INVALID_LINK.into()))
}

/// Sets the new password and ends every session of the customer.
pub async fn reset_password(
    state: &AppState,
    raw_token: &str,
    password: Password,
    ip: Option<&str>,
) -> Result<CustomerId> {
    let id = check_link(state, raw_token).await?;
    let customer = state
        .store
        .customer_by_id(id)
        .await?
        .ok_or(Error::NotFound)?;
    let inputs = [
        customer.email.as_str(),
        customer.display_name.as_str(),
        "gatehouse",
    ];
    check_policy(password.as_str(), state.config.password_min_length, &inputs)
        .map_err(|e| Error::invalid("password", e))?;
    let hash = state.hasher.hash(password).await;
    let id = state
        .store
        .reset_password_with_token(&hash_token(raw_token), &hash, state.clock.now())
        .await?
        .ok_or_else(|| Error::BadRequest(INVALID_LINK.into()))?;
    state
        .store
        .clear_sign_in_failures(customer.email.as_str())
        .await?;
    tracing::info!(customer_id = %id, "password reset; all sessions ended");
    let who = Actor::Customer(id);
    let details = json!({ "sessions_ended": "all" });
    audit::record(state, who, "customer.password_reset", Some(id), ip, details).await?;
    Ok(id)
}
