//! What admins do to customer records from the console. Every action checks
//! the admin's role on the server and leaves an audit event.

use crate::audit;
use crate::directory::attributes::{self, Editor};
use crate::domain::{
    Action, Admin, AuditEntry, Customer, CustomerId, DisplayName, Email, Error, FieldErrors,
    OwnerTask, Problem, RequestContext, Result,
};
use crate::mail;
use crate::state::AppState;
use crate::store::{Ending, SessionInfo};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// The acting admin and the customer they are about to change: refused for
/// anyone but an admin whose role changes customers, and for a customer who
/// no longer exists.
pub async fn for_edit<'c>(
    state: &AppState,
    ctx: &'c RequestContext,
    id: CustomerId,
) -> Result<(&'c Admin, Customer)> {
    let admin = ctx.admin()?;
    require_edit(admin)?;
    let customer = state
        .store
        .customer_by_id(id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((admin, customer))
}

/// Refuses admins whose role only reads customers.
pub(crate) fn require_edit(admin: &Admin) -> Result<()> {
    if admin.role.can_edit_customers() {
        Ok(())
    } else {
        Err(Error::Forbidden(Problem::ReadOnlyRole))
    }
}

/// A customer as the console shows them: the record, their sessions and
/// events, tier history (with every tier, to name them), attributes and
/// second factors (never their secrets).
pub struct CustomerRecord {
    pub customer: Customer,
    pub sessions: Vec<SessionInfo>,
    pub events: Vec<AuditEntry>,
    pub tiers: Vec<crate::domain::Tier>,
    pub tier_history: Vec<crate::domain::TierChange>,
    pub attributes: Vec<crate::domain::Attribute>,
    pub values: crate::domain::Values,
    pub factors: Vec<crate::domain::mfa::Factor>,
    pub recovery_codes_left: i64,
}

/// The customer an email names, if any.
pub async fn by_email(state: &AppState, email: &crate::domain::Email) -> Result<Option<Customer>> {
    Ok(state.store.customer_by_email(email).await?.map(|(c, _)| c))
}

pub async fn view(state: &AppState, id: CustomerId) -> Result<CustomerRecord> {
    let customer = state
        .store
        .customer_by_id(id)
        .await?
        .ok_or(Error::NotFound)?;
    let sessions = state
        .store
        .list_customer_sessions(id, state.clock.now())
        .await?;
    let events = state.store.audit_for_customer(id, 50).await?;
    let (attributes, values) = attributes::of_customer(state, id).await?;
    let owner = crate::store::FactorOwner::Customer(id);
    Ok(CustomerRecord {
        customer,
        sessions,
        events,
        tiers: state.store.list_tiers().await?,
        tier_history: state.store.tier_history(id, 50).await?,
        attributes,
        values,
        factors: state.store.factors(owner).await?,
        recovery_codes_left: state.store.recovery_codes_left(id).await?,
    })
}

/// Signs one device of the customer out (the next request there finds no session).
pub async fn revoke_session(
    state: &AppState,
    id: CustomerId,
    session: Uuid,
    ctx: &RequestContext,
) -> Result<()> {
    let admin = ctx.admin()?;
    require_edit(admin)?;
    end_session_of(state, ctx, id, session).await
}

/// Ends session `session` of customer `id`, on the record as whoever `ctx`
/// names (support, or the customer on their device list); a conflict when
/// it is not theirs or already gone.
pub async fn end_session_of(
    state: &AppState,
    ctx: &RequestContext,
    id: CustomerId,
    session: Uuid,
) -> Result<()> {
    let ending = Ending::OneOf(id, session);
    if state.store.end_sessions(ending, state.clock.now()).await? == 0 {
        return Err(Error::Conflict(Problem::SessionGone));
    }
    let details = json!({ "session_id": session });
    audit::record(
        state,
        ctx,
        Action::CustomerSessionRevoked,
        Some(id),
        details,
    )
    .await
}

/// Disables (ending every session at once) or re-enables a customer.
pub async fn set_disabled(
    state: &AppState,
    id: CustomerId,
    disabled: bool,
    ctx: &RequestContext,
) -> Result<()> {
    let (admin, before) = for_edit(state, ctx, id).await?;
    if before.disabled == disabled {
        return Ok(());
    }
    state
        .store
        .set_customer_disabled(id, disabled, state.clock.now())
        .await?;
    let action = if disabled {
        Action::CustomerDisabled
    } else {
        Action::CustomerEnabled
    };
    audit::record(
        state,
        ctx,
        action,
        Some(id),
        json!({ "disabled": { "before": before.disabled, "after": disabled } }),
    )
    .await?;
    tracing::info!(admin_id = %admin.id, customer_id = %id, action = action.as_str(), "admin changed a customer");
    Ok(())
}

/// An action an admin takes on one customer from their page.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CustomerAction {
    Disable,
    Enable,
    MarkVerified,
    SendPasswordReset,
    RevokeSessions,
    /// Lift sign-in blocks (done by `identity::unblock`).
    UnblockSignIn,
}

impl CustomerAction {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "disable" => Some(Self::Disable),
            "enable" => Some(Self::Enable),
            "verify-email" => Some(Self::MarkVerified),
            "send-reset" => Some(Self::SendPasswordReset),
            "revoke-sessions" => Some(Self::RevokeSessions),
            "unblock" => Some(Self::UnblockSignIn),
            _ => None,
        }
    }
}

/// Takes `action` on the customer.
pub async fn act(
    state: &AppState,
    id: CustomerId,
    action: CustomerAction,
    ctx: &RequestContext,
) -> Result<()> {
    match action {
        CustomerAction::Disable => return set_disabled(state, id, true, ctx).await,
        CustomerAction::Enable => return set_disabled(state, id, false, ctx).await,
        _ => {}
    }
    let (admin, customer) = for_edit(state, ctx, id).await?;
    match action {
        CustomerAction::MarkVerified => {
            if !customer.email_verified {
                state
                    .store
                    .mark_email_verified(id, state.clock.now())
                    .await?;
                let details = json!({ "email_verified": { "before": false, "after": true } });
                audit::record(
                    state,
                    ctx,
                    Action::CustomerEmailMarkedVerified,
                    Some(id),
                    details,
                )
                .await?;
            }
        }
        CustomerAction::RevokeSessions => {
            let now = state.clock.now();
            let ended = state.store.end_sessions(Ending::All(id), now).await?;
            // Signed out everywhere includes the applications.
            let revoked = state
                .store
                .end_app_access(id, None, state.clock.now())
                .await?;
            audit::record(
                state,
                ctx,
                Action::CustomerSessionsRevoked,
                Some(id),
                json!({ "sessions": ended, "app_tokens_revoked": revoked }),
            )
            .await?;
        }
        CustomerAction::Disable
        | CustomerAction::Enable
        | CustomerAction::SendPasswordReset
        | CustomerAction::UnblockSignIn => {
            unreachable!("handled above, or by identity::recovery and identity::unblock")
        }
    };
    tracing::info!(admin_id = %admin.id, customer_id = %id, ?action, "admin acted on a customer");
    Ok(())
}

/// An admin's edit of the customer's name and email, recorded before and after.
pub async fn edit_profile(
    state: &AppState,
    id: CustomerId,
    raw_email: &str,
    raw_name: &str,
    raw_attributes: &HashMap<String, String>,
    ctx: &RequestContext,
) -> Result<()> {
    let (_, before) = for_edit(state, ctx, id).await?;
    let mut errors = FieldErrors::new();
    let email = Email::parse(raw_email)
        .map_err(|e| errors.add("email", e))
        .ok();
    let name = DisplayName::parse(raw_name)
        .map_err(|e| errors.add("display_name", e))
        .ok();
    let defs = state.store.list_attributes().await?;
    let fields = attributes::on_form(&defs, Editor::Admin);
    let values = attributes::read_form(fields, raw_attributes, Editor::Admin)
        .map_err(|e| errors.extend(e))
        .ok();
    let (Some(email), Some(name), Some(values)) = (email, name, values) else {
        return Err(Error::Invalid(errors));
    };
    // Email and name first: a taken address refuses the whole form.
    if email != before.email || name != before.display_name {
        edit_email_and_name(state, &before, &email, &name, ctx).await?;
    }
    attributes::save(state, id, values, ctx).await
}

async fn edit_email_and_name(
    state: &AppState,
    before: &Customer,
    email: &Email,
    name: &DisplayName,
    ctx: &RequestContext,
) -> Result<()> {
    let _admin = ctx.admin()?;
    let id = before.id;
    if !state
        .store
        .update_profile(id, email, name, state.clock.now())
        .await?
    {
        return Err(Error::invalid("email", Problem::CustomerEmailTaken));
    }
    if *email != before.email {
        email_changed(state, before).await?;
    }
    let mut changes = serde_json::Map::new();
    if *email != before.email {
        changes.insert(
            "email".into(),
            json!({ "before": before.email.as_str(), "after": email.as_str() }),
        );
    }
    if *name != before.display_name {
        changes.insert(
            "display_name".into(),
            json!({ "before": before.display_name.as_str(), "after": name.as_str() }),
        );
    }
    audit::record(
        state,
        ctx,
        Action::CustomerProfileEdited,
        Some(id),
        changes.into(),
    )
    .await?;
    Ok(())
}

/// The address a customer is known by changed: links mailed to the old one
/// stop working, every session ends (whoever held one knew the old
/// address), and the old address is told, in case the change was not
/// theirs to make.
pub async fn email_changed(state: &AppState, before: &Customer) -> Result<()> {
    let now = state.clock.now();
    let retired = state.store.retire_tokens(before.id, now).await?;
    let ended = state
        .store
        .end_sessions(Ending::All(before.id), now)
        .await?;
    let revoked = state.store.end_app_access(before.id, None, now).await?;
    tracing::info!(customer_id = %before.id, retired, ended, revoked, "email changed: links retired, sessions and app tokens ended");
    let note = mail::email_changed_mail(
        mail::language(before.locale.as_deref(), None),
        before.email.as_str(),
    );
    state.mailer.enqueue(note).await?;
    Ok(())
}

/// Deletes a customer and their personal data and sessions. Owners only, and
/// only when the admin typed the customer's email to confirm.
pub async fn delete(
    state: &AppState,
    id: CustomerId,
    typed_email: &str,
    ctx: &RequestContext,
) -> Result<()> {
    let admin = ctx.admin()?;
    if !admin.role.can_delete_customers() {
        return Err(Error::Forbidden(Problem::OnlyOwners(
            OwnerTask::DeleteCustomers,
        )));
    }
    let customer = state
        .store
        .customer_by_id(id)
        .await?
        .ok_or(Error::NotFound)?;
    let confirmed = Email::parse(typed_email).is_ok_and(|typed| typed == customer.email);
    if !confirmed {
        return Err(Error::invalid("confirm_email", Problem::DeleteNotConfirmed));
    }
    if state.store.delete_customer(id, state.clock.now()).await? {
        // The record names the id only: the personal data is gone.
        audit::record(state, ctx, Action::CustomerDeleted, Some(id), json!({})).await?;
        tracing::info!(admin_id = %admin.id, customer_id = %id, "customer deleted");
    }
    Ok(())
}
