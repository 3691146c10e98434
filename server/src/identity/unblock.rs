//! Lifting a sign-in block (see `throttle`): the owner follows the link
//! mailed when the block began, or support lifts it from the customer page.
//! Resetting the password lifts it too (`recovery`).

use super::links;
use crate::audit;
use crate::directory::customers::for_edit;
use crate::domain::links as paths;
use crate::domain::secrets::hash_token;
use crate::domain::{
    Action, AdminId, Caller, Customer, CustomerId, Email, Error, OwnerTask, Problem,
    RequestContext, Result,
};
use crate::mail;
use crate::state::AppState;
use crate::store::TokenPurpose;
use crate::throttle;
use crate::throttle::{Realm, account_key};
use serde_json::json;

pub const LINK_LIFETIME: i64 = 24 * 3600;

/// Tells the customer that sign-ins from `source` were blocked, with a link
/// that lifts it in case it was them.
pub async fn send_link(state: &AppState, customer: &Customer, source: Option<&str>) -> Result<()> {
    let link = links::issue(
        state,
        (customer.id, &customer.email),
        TokenPurpose::UnblockSignIn,
        LINK_LIFETIME,
        paths::UNBLOCK,
    )
    .await?;
    if let Some(link) = link {
        // The owner's own language: the guesses came from someone else's page.
        let lang = mail::language(customer.locale.as_deref(), None);
        let note = mail::blocked_mail(
            lang,
            customer.email.as_str(),
            source.unwrap_or("unknown"),
            &link,
        );
        state.mailer.enqueue(note).await?;
    }
    Ok(())
}

/// Whether the link is good, without spending it (the page that asks to
/// confirm; mail scanners open links, so a GET must change nothing).
pub async fn check_link(state: &AppState, raw_token: &str) -> Result<CustomerId> {
    let purpose = TokenPurpose::UnblockSignIn;
    links::peek(state, raw_token, purpose, Problem::UnblockLinkInvalid).await
}

/// Spends the link and lifts every block on the customer's account.
pub async fn redeem(state: &AppState, raw_token: &str, ctx: &RequestContext) -> Result<()> {
    check_link(state, raw_token).await?;
    let id = state
        .store
        .spend_token(
            &hash_token(raw_token),
            TokenPurpose::UnblockSignIn,
            state.clock.now(),
        )
        .await?
        .ok_or(Error::BadRequest(Problem::UnblockLinkInvalid))?;
    let customer = state
        .store
        .customer_by_id(id)
        .await?
        .ok_or(Error::NotFound)?;
    let ctx = ctx.acting_as(Caller::Customer(id));
    lift(state, &ctx, &customer).await
}

/// Support lifts the blocks on a customer's account.
pub async fn by_admin(state: &AppState, ctx: &RequestContext, id: CustomerId) -> Result<()> {
    let (_, customer) = for_edit(state, ctx, id).await?;
    lift(state, ctx, &customer).await
}

/// An owner lifts the blocks on another admin's console account (admins
/// have no mailed link: an owner is who vouches for them).
pub async fn admin_by_owner(state: &AppState, ctx: &RequestContext, id: AdminId) -> Result<()> {
    if !ctx.admin()?.role.can_manage_admins() {
        return Err(Error::Forbidden(Problem::OnlyOwners(
            OwnerTask::ManageAdmins,
        )));
    }
    let admin = state.store.admin_by_id(id).await?.ok_or(Error::NotFound)?;
    let account = account_key(Realm::Admins, &admin.email);
    let cleared = throttle::unblock(state, &account).await?;
    let details = json!({ "admin": admin.id.to_string(), "counters_cleared": cleared });
    audit::record(state, ctx, Action::AdminSignInUnblocked, None, details).await
}

/// Tells an admin that sign-ins to their console account from `source`
/// were blocked.
pub async fn tell_admin(state: &AppState, email: &Email, source: Option<&str>) -> Result<()> {
    let note = mail::admin_blocked_mail(email.as_str(), source.unwrap_or("unknown"));
    state.mailer.enqueue(note).await?;
    Ok(())
}

async fn lift(state: &AppState, ctx: &RequestContext, customer: &Customer) -> Result<()> {
    let account = account_key(Realm::Customers, &customer.email);
    let cleared = throttle::unblock(state, &account).await?;
    let details = json!({ "counters_cleared": cleared });
    let id = Some(customer.id);
    audit::record(state, ctx, Action::CustomerSignInUnblocked, id, details).await
}
