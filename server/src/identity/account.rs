//! What a signed-in customer changes about their own account.

use crate::audit;
use crate::directory::attributes::{self, Editor};
use crate::domain::links as paths;
use crate::domain::secrets::{hash_token, looks_like_token};
use crate::domain::{
    Action, Caller, Customer, DisplayName, Email, Error, FieldErrors, Problem, RequestContext,
    Result,
};
use crate::mail;
use crate::password::{Password, Verification};
use crate::state::AppState;
use crate::store::{EmailChange, Ending, TokenPurpose};
use crate::throttle::{self, AfterFailure};
use crate::throttle::{Realm, account_key};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Saves the profile form: the name and the attributes customers may change.
pub async fn update_profile(
    state: &AppState,
    customer: &Customer,
    display_name: &str,
    form: &HashMap<String, String>,
    ctx: &RequestContext,
) -> Result<()> {
    let mut errors = FieldErrors::new();
    let name = DisplayName::parse(display_name)
        .map_err(|e| errors.add("display_name", e))
        .ok();
    let defs = state.store.list_attributes().await?;
    let fields = attributes::on_form(&defs, Editor::Customer);
    let changes = attributes::read_form(fields, form, Editor::Customer)
        .map_err(|e| errors.extend(e))
        .ok();
    let (Some(name), Some(changes)) = (name, changes) else {
        return Err(Error::Invalid(errors));
    };
    if name.as_str() != customer.display_name.as_str() {
        state
            .store
            .set_display_name(customer.id, &name, state.clock.now())
            .await?;
        tracing::info!(customer_id = %customer.id, "display name changed");
        let change = json!({ "display_name": { "before": customer.display_name.as_str(), "after": name.as_str() } });
        audit::record(
            state,
            ctx,
            Action::CustomerProfileUpdated,
            Some(customer.id),
            change,
        )
        .await?;
    }
    attributes::save(state, customer.id, changes, ctx).await
}

/// Keeps the language a customer chose (a tag the pages speak, checked by
/// the caller) for their pages and mails on every device.
pub async fn set_language(
    state: &AppState,
    customer: &Customer,
    tag: &str,
    ctx: &RequestContext,
) -> Result<()> {
    if customer.locale.as_deref() == Some(tag) {
        return Ok(());
    }
    state
        .store
        .set_locale(customer.id, Some(tag), state.clock.now())
        .await?;
    let change = json!({ "locale": { "before": customer.locale, "after": tag } });
    audit::record(
        state,
        ctx,
        Action::CustomerProfileUpdated,
        Some(customer.id),
        change,
    )
    .await
}

/// Saves what a customer was asked for before continuing (progressive
/// profiling): the required attributes they had not given.
pub async fn complete_profile(
    state: &AppState,
    customer: &Customer,
    form: &HashMap<String, String>,
    ctx: &RequestContext,
) -> Result<()> {
    let defs = state.store.list_attributes().await?;
    let values = state.store.customer_attributes(customer.id).await?;
    let missing = attributes::missing_required(&defs, &values);
    let changes = attributes::read_form(missing.into_iter(), form, Editor::Customer)
        .map_err(Error::Invalid)?;
    attributes::save(state, customer.id, changes, ctx).await
}

/// Changes the password after checking the current one, and signs out every
/// other session (a stolen session should not outlive a password change).
pub async fn change_password(
    state: &AppState,
    customer: &Customer,
    session: Uuid,
    current: Password,
    new: Password,
    ctx: &RequestContext,
) -> Result<()> {
    let mut errors = FieldErrors::new();
    if current.as_str().is_empty() {
        errors.add("current_password", Problem::CurrentPasswordMissing);
    }
    let inputs = [
        customer.email.as_str(),
        customer.display_name.as_str(),
        "gatehouse",
    ];
    if let Err(e) = state.config.password_policy.check(new.as_str(), &inputs) {
        errors.add("new_password", e);
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    current_password_holds(state, customer, current, ctx).await?;
    let hash = state.hasher.hash(new).await?;
    state
        .store
        .set_password_hash(customer.id, &hash, state.clock.now())
        .await?;
    let ending = Ending::AllBut(customer.id, session);
    let ended = state.store.end_sessions(ending, state.clock.now()).await?;
    // Applications signed in with the old password must sign in again, and
    // a browser remembered under it shows the second factor again.
    let revoked = state
        .store
        .end_app_access(customer.id, None, state.clock.now())
        .await?;
    state.store.forget_browsers(customer.id).await?;
    tracing::info!(customer_id = %customer.id, other_sessions_ended = ended, "password changed");
    let details = json!({ "other_sessions_ended": ended, "app_tokens_revoked": revoked });
    audit::record(
        state,
        ctx,
        Action::CustomerPasswordChanged,
        Some(customer.id),
        details,
    )
    .await?;
    Ok(())
}

/// Checks the password a signed-in customer types again before a change
/// only they should make. Guessing it from a stolen session is held back
/// as guessing at the sign-in form is, on the same counters.
async fn current_password_holds(
    state: &AppState,
    customer: &Customer,
    current: Password,
    ctx: &RequestContext,
) -> Result<()> {
    let stored = state
        .store
        .password_hash(customer.id)
        .await?
        .ok_or(Error::NotFound)?;
    let account = account_key(Realm::Customers, &customer.email);
    let usual = customer.last_sign_in_ip.as_deref() == ctx.ip() && ctx.ip().is_some();
    let attempt = throttle::reserve(state, &account, ctx.ip(), usual).await??;
    if let Verification::Invalid = state.hasher.verify(current, stored).await? {
        if let AfterFailure::Blocked = attempt.failed(state).await? {
            super::unblock::send_link(state, customer, ctx.ip()).await?;
        }
        return Err(Error::invalid(
            "current_password",
            Problem::CurrentPasswordWrong,
        ));
    }
    attempt.succeeded(state).await
}

/// The customer deletes their own account, after typing their password
/// again: the record, their personal data, sessions and applications'
/// tokens go with it (as an owner's deletion does), and the trail keeps
/// only the id.
pub async fn delete_own(
    state: &AppState,
    customer: &Customer,
    current: Password,
    ctx: &RequestContext,
) -> Result<()> {
    if current.as_str().is_empty() {
        return Err(Error::invalid(
            "current_password",
            Problem::CurrentPasswordMissing,
        ));
    }
    current_password_holds(state, customer, current, ctx).await?;
    let now = state.clock.now();
    if state.store.delete_customer(customer.id, now).await? {
        let details = json!({ "by": "customer" });
        audit::record(
            state,
            ctx,
            Action::CustomerDeleted,
            Some(customer.id),
            details,
        )
        .await?;
        tracing::info!(customer_id = %customer.id, "customer deleted their account");
    }
    Ok(())
}

/// How long an email-change link works.
const EMAIL_CHANGE_SECONDS: i64 = 24 * 3600;

/// A customer asks to move their account to `raw_new`, typing their
/// password again: a link goes to the new address, and the account keeps
/// its old one until the link is followed. An address another account has
/// gets no link, and the asker hears the same as for a free one, so the
/// form cannot tell who has an account.
pub async fn request_email_change(
    state: &AppState,
    customer: &Customer,
    raw_new: &str,
    current: Password,
    ctx: &RequestContext,
) -> Result<Email> {
    let mut errors = FieldErrors::new();
    let new = Email::parse(raw_new)
        .map_err(|e| errors.add("new_email", e))
        .ok();
    if new.as_ref() == Some(&customer.email) {
        errors.add("new_email", Problem::EmailUnchanged);
    }
    if current.as_str().is_empty() {
        errors.add("current_password", Problem::CurrentPasswordMissing);
    }
    let (Some(new), true) = (new, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    current_password_holds(state, customer, current, ctx).await?;
    let taken = state.store.customer_by_email(&new).await?.is_some();
    if taken {
        tracing::info!(customer_id = %customer.id, "email change asked for an address in use: no link sent");
    } else if let Some(link) = super::links::issue_email_change(
        state,
        (customer.id, &customer.email),
        &new,
        EMAIL_CHANGE_SECONDS,
        paths::ACCOUNT_EMAIL_CONFIRM,
    )
    .await?
    {
        let lang = mail::language(customer.locale.as_deref(), ctx.lang);
        let note = mail::email_change_mail(lang, new.as_str(), &link);
        state.mailer.enqueue(note).await?;
    }
    let details = json!({ "new_email": new.as_str() });
    audit::record(
        state,
        ctx,
        Action::CustomerEmailChangeRequested,
        Some(customer.id),
        details,
    )
    .await?;
    Ok(new)
}

fn change_link_invalid() -> Error {
    Error::BadRequest(Problem::EmailChangeLinkInvalid)
}

/// The address an email-change link would give, while it is good.
pub async fn email_change_for(state: &AppState, raw_token: &str) -> Result<Email> {
    if !looks_like_token(raw_token) {
        return Err(change_link_invalid());
    }
    let new = state
        .store
        .peek_email_change(&hash_token(raw_token), state.clock.now())
        .await?;
    new.and_then(|n| Email::parse(&n).ok())
        .ok_or_else(change_link_invalid)
}

/// Follows an email-change link: the account takes the new address
/// (verified, since the link reached it). As with an admin's change, links
/// sent to the old address stop working, every session and application
/// token ends, and the old address is told.
pub async fn confirm_email_change(
    state: &AppState,
    raw_token: &str,
    ctx: &RequestContext,
) -> Result<Email> {
    if !looks_like_token(raw_token) {
        return Err(change_link_invalid());
    }
    let hash = hash_token(raw_token);
    let now = state.clock.now();
    let id = state
        .store
        .peek_token(&hash, TokenPurpose::ChangeEmail, now)
        .await?
        .ok_or_else(change_link_invalid)?;
    let before = state
        .store
        .customer_by_id(id)
        .await?
        .ok_or_else(change_link_invalid)?;
    let new = match state.store.change_email_with_token(&hash, now).await? {
        EmailChange::Changed(_, new) => new,
        EmailChange::Invalid => return Err(change_link_invalid()),
        EmailChange::Taken => return Err(Error::Conflict(Problem::EmailChangeTaken)),
    };
    crate::directory::customers::email_changed(state, &before).await?;
    let ctx = ctx.acting_as(Caller::Customer(id));
    let details = json!({ "email": { "before": before.email.as_str(), "after": new.as_str() } });
    audit::record(state, &ctx, Action::CustomerEmailChanged, Some(id), details).await?;
    tracing::info!(customer_id = %id, "customer changed their email");
    Ok(new)
}
