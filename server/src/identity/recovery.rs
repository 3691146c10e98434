//! Forgotten passwords: a single-use link by mail, then a new password.

use crate::audit;
use crate::directory::customers::for_edit;
use crate::domain::links as paths;

use crate::domain::secrets::hash_token;
use crate::domain::{
    Action, Caller, Customer, CustomerId, Email, Error, Problem, RequestContext, Result,
};
use crate::mail;
use crate::password::Password;
use crate::state::AppState;
use crate::store::TokenPurpose;
use serde_json::json;

pub const LINK_LIFETIME: i64 = 3600;

/// Checks the address and returns at once; the lookup and mail happen in the
/// background so the response time is the same for every address.
pub fn request_reset(state: &AppState, raw_email: &str, ctx: &RequestContext) -> Result<()> {
    let email = Email::parse(raw_email).map_err(|e| Error::invalid("email", e))?;
    let state = state.clone();
    let ctx = ctx.clone();
    tokio::spawn(async move {
        if let Err(e) = send_reset_link(&state, &email, &ctx).await {
            tracing::error!(error = %e, "password reset mail not queued");
        }
    });
    Ok(())
}

async fn send_reset_link(state: &AppState, email: &Email, ctx: &RequestContext) -> Result<()> {
    if let Some((customer, _)) = state.store.customer_by_email(email).await? {
        let sent = mail_reset_link(state, &customer, ctx).await?;
        let details = json!({ "mail_sent": sent });
        let ctx = ctx.acting_as(Caller::Customer(customer.id));
        audit::record(
            state,
            &ctx,
            Action::CustomerPasswordResetRequested,
            Some(customer.id),
            details,
        )
        .await?;
    }
    Ok(())
}

/// Support's "send a password reset" from the console; returns whether a
/// mail was queued (not when the customer had the hourly maximum).
pub async fn send_by_admin(state: &AppState, ctx: &RequestContext, id: CustomerId) -> Result<bool> {
    let (_, customer) = for_edit(state, ctx, id).await?;
    let sent = mail_reset_link(state, &customer, ctx).await?;
    audit::record(
        state,
        ctx,
        Action::CustomerPasswordResetSent,
        Some(id),
        json!({ "sent": sent }),
    )
    .await?;
    Ok(sent)
}

/// Mails the customer a reset link, unless they already got the hourly
/// maximum; returns whether a mail was queued.
async fn mail_reset_link(
    state: &AppState,
    customer: &Customer,
    ctx: &RequestContext,
) -> Result<bool> {
    let link = super::links::issue(
        state,
        (customer.id, &customer.email),
        TokenPurpose::ResetPassword,
        LINK_LIFETIME,
        paths::RESET_PASSWORD,
    )
    .await?;
    let Some(link) = link else {
        return Ok(false);
    };
    state
        .mailer
        .enqueue(mail::reset_mail(
            mail::language(customer.locale.as_deref(), ctx.lang),
            customer.email.as_str(),
            &link,
        ))
        .await?;
    tracing::info!(customer_id = %customer.id, "password reset requested");
    Ok(true)
}

/// Whether a reset link can still be used, for showing the form.
pub async fn check_link(state: &AppState, raw_token: &str) -> Result<CustomerId> {
    let purpose = TokenPurpose::ResetPassword;
    super::links::peek(state, raw_token, purpose, Problem::ResetLinkInvalid).await
}

/// Sets the new password and ends every session of the customer.
pub async fn reset_password(
    state: &AppState,
    raw_token: &str,
    password: Password,
    ctx: &RequestContext,
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
    state
        .config
        .password_policy
        .check(password.as_str(), &inputs)
        .map_err(|e| Error::invalid("password", e))?;
    let hash = state.hasher.hash(password).await?;
    let id = state
        .store
        .reset_password_with_token(&hash_token(raw_token), &hash, state.clock.now())
        .await?
        .ok_or_else(|| Error::BadRequest(Problem::ResetLinkInvalid))?;
    // The owner proved they read the mailbox: any sign-in block is lifted.
    let account = crate::throttle::account_key(crate::throttle::Realm::Customers, &customer.email);
    crate::throttle::unblock(state, &account).await?;
    tracing::info!(customer_id = %id, "password reset; all sessions ended");
    let details = json!({ "sessions_ended": "all" });
    let ctx = ctx.acting_as(Caller::Customer(id));
    audit::record(
        state,
        &ctx,
        Action::CustomerPasswordReset,
        Some(id),
        details,
    )
    .await?;
    Ok(id)
}
