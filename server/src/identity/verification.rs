//! Proving a customer owns their email address: single-use links that expire.

use super::signin::{self, Advanced, Input, Purpose, Realm};
use crate::audit;
use crate::domain::links as paths;

use crate::domain::secrets::{hash_token, looks_like_token};
use crate::domain::{Action, Caller, CustomerId, Email, Error, Problem, RequestContext, Result};
use crate::mail;
use crate::state::AppState;
use crate::store::TokenPurpose;
use app::Lang;
use serde_json::json;

pub const LINK_LIFETIME: i64 = 24 * 3600;

/// Mails a verification link, in `lang`.
pub async fn send_link(state: &AppState, id: CustomerId, email: &Email, lang: Lang) -> Result<()> {
    let link = super::links::issue(
        state,
        (id, email),
        TokenPurpose::VerifyEmail,
        LINK_LIFETIME,
        paths::VERIFY_EMAIL,
    )
    .await?;
    let Some(link) = link else {
        return Ok(());
    };
    state
        .mailer
        .enqueue(mail::verification_mail(lang, email.as_str(), &link))
        .await?;
    Ok(())
}

/// Resend on request by address. Says nothing about whether the address is
/// registered: unknown and already-verified addresses simply get no mail.
/// `page`: the language of the page that asked.
pub async fn resend(state: &AppState, raw_email: &str, page: Option<&str>) -> Result<()> {
    let email = Email::parse(raw_email).map_err(|e| Error::invalid("email", e))?;
    if let Some((customer, _)) = state.store.customer_by_email(&email).await?
        && !customer.email_verified
    {
        let lang = mail::language(customer.locale.as_deref(), page);
        send_link(state, customer.id, &customer.email, lang).await?;
    }
    Ok(())
}

/// What following a verification link led to.
pub enum Verified {
    /// Someone is signed in on this browser already: they stay as they are.
    WhileSignedIn,
    /// Followed in the browser that signed up: the sign-in it begins.
    SignedIn(Advanced),
    /// Followed elsewhere (another browser, a mail scanner's): verified
    /// only; the customer signs in themselves.
    SignInToContinue,
}

/// Verifies the address behind `raw_token`; in the browser that signed up
/// (`signed_up_here` names who did), also begins their sign-in, for
/// `purpose`.
pub async fn verify_and_enter(
    state: &AppState,
    ctx: &RequestContext,
    raw_token: &str,
    signed_up_here: Option<CustomerId>,
    purpose: Purpose,
) -> Result<Verified> {
    let id = verify(state, raw_token, ctx).await?;
    if ctx.actor().is_some() {
        return Ok(Verified::WhileSignedIn);
    }
    if signed_up_here == Some(id) {
        let input = Input::EmailLink(id);
        let advanced = signin::advance(state, ctx, Realm::Customers, None, purpose, input).await?;
        return Ok(Verified::SignedIn(advanced));
    }
    Ok(Verified::SignInToContinue)
}

async fn verify(state: &AppState, raw_token: &str, ctx: &RequestContext) -> Result<CustomerId> {
    let invalid = || Error::BadRequest(Problem::VerificationLinkInvalid);
    if !looks_like_token(raw_token) {
        return Err(invalid());
    }
    let id = state
        .store
        .verify_email_with_token(&hash_token(raw_token), state.clock.now())
        .await?
        .ok_or_else(invalid)?;
    tracing::info!(customer_id = %id, "email verified");
    let ctx = ctx.acting_as(Caller::Customer(id));
    audit::record(
        state,
        &ctx,
        Action::CustomerEmailVerified,
        Some(id),
        json!({}),
    )
    .await?;
    Ok(id)
}
