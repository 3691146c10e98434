//! What admins do to customer records from the console. Every action checks
//! the admin's role on the server and leaves an audit event.

use crate::admins::Admin;
use crate::attributes::{self, Editor};
use crate::audit::{self, Actor, AuditEntry};
use crate::customers::{Customer, CustomerId, DisplayName, Email};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::SessionInfo;
use app::FieldErrors;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Refuses admins whose role only reads customers.
fn require_edit(admin: &Admin) -> Result<()> {
    if admin.role.can_edit_customers() {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "Your role can view customers but not change them.".into(),
        ))
    }
}

pub struct CustomerRecord {
    pub customer: Customer,
    pub sessions: Vec<SessionInfo>,
    pub events: Vec<AuditEntry>,
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
    Ok(CustomerRecord {
        customer,
        sessions,
        events,
    })
}

/// Signs one device of the customer out (the next request there finds no session).
pub async fn revoke_session(
    state: &AppState,
    admin: &Admin,
    id: CustomerId,
    session: Uuid,
    ip: Option<&str>,
) -> Result<()> {
    require_edit(admin)?;
    if !state.store.delete_session_of(id, session).await? {
        return Err(Error::Conflict(
            "That session has already ended, or belongs to someone else.".into(),
        ));
    }
    let details = json!({ "session_id": session });
    let who = Actor::Admin(admin.id);
    audit::record(
        state,
        who,
        "customer.session_revoked",
        Some(id),
        ip,
        details,
    )
    .await?;
    Ok(())
}

/// Disables (ending every session at once) or re-enables a customer.
pub async fn set_disabled(
    state: &AppState,
    admin: &Admin,
    id: CustomerId,
    disabled: bool,
    ip: Option<&str>,
) -> Result<()> {
    require_edit(admin)?;
    let before = state
        .store
        .customer_by_id(id)
        .await?
        .ok_or(Error::NotFound)?;
    if before.disabled == disabled {
        return Ok(());
    }
    state
        .store
        .set_customer_disabled(id, disabled, state.clock.now())
        .await?;
    let action = if disabled {
        "customer.disabled"
    } else {
        "customer.enabled"
    };
    audit::record(
        state,
        Actor::Admin(admin.id),
        action,
        Some(id),
        ip,
        json!({ "disabled": { "before": before.disabled, "after": disabled } }),
    )
    .await?;
    tracing::info!(admin_id = %admin.id, customer_id = %id, action, "admin changed a customer");
    Ok(())
}

/// An action an admin takes on one customer from their page.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Disable,
    Enable,
    MarkVerified,
    SendPasswordReset,
    RevokeSessions,
}

impl Action {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "disable" => Some(Self::Disable),
            "enable" => Some(Self::Enable),
            "verify-email" => Some(Self::MarkVerified),
            "send-reset" => Some(Self::SendPasswordReset),
            "revoke-sessions" => Some(Self::RevokeSessions),
            _ => None,
        }
    }
}

/// Takes `action` on the customer and returns the confirmation to show.
pub async fn act(
    state: &AppState,
    admin: &Admin,
    id: CustomerId,
    action: Action,
    ip: Option<&str>,
) -> Result<&'static str> {
    match action {
        Action::Disable => {
            set_disabled(state, admin, id, true, ip).await?;
            return Ok("The customer is disabled and signed out everywhere.");
        }
        Action::Enable => {
            set_disabled(state, admin, id, false, ip).await?;
            return Ok("The customer is enabled and can sign in again.");
        }
        _ => {}
    }
    require_edit(admin)?;
    let customer = state
        .store
        .customer_by_id(id)
        .await?
        .ok_or(Error::NotFound)?;
    let who = Actor::Admin(admin.id);
    let message = match action {
        Action::MarkVerified => {
            if !customer.email_verified {
                state
                    .store
                    .mark_email_verified(id, state.clock.now())
                    .await?;
                let details = json!({ "email_verified": { "before": false, "after": true } });
                audit::record(
                    state,
                    who,
                    "customer.email_marked_verified",
                    Some(id),
                    ip,
                    details,
                )
                .await?;
            }
            "The email address is marked verified."
        }
        Action::SendPasswordReset => {
            let sent = crate::recovery::mail_reset_link(state, &customer).await?;
            audit::record(
                state,
                who,
                "customer.password_reset_sent",
                Some(id),
                ip,
                json!({ "sent": sent }),
            )
            .await?;
            if sent {
                "A password-reset link is on its way to the customer."
            } else {
                "No mail sent: the customer already received the hourly maximum of reset links."
            }
        }
        Action::RevokeSessions => {
            let ended = state.store.delete_customer_sessions(id).await?;
            audit::record(
                state,
                who,
                "customer.sessions_revoked",
                Some(id),
                ip,
                json!({ "sessions": ended }),
            )
            .await?;
            "Every session of the customer has ended."
        }
        Action::Disable | Action::Enable => unreachable!("handled above"),
    };
    tracing::info!(admin_id = %admin.id, customer_id = %id, ?action, "admin acted on a customer");
    Ok(message)
}

/// An admin's edit of the customer's name and email, recorded before and after.
pub async fn edit_profile(
    state: &AppState,
    admin: &Admin,
    id: CustomerId,
    raw_email: &str,
    raw_name: &str,
    raw_attributes: &HashMap<String, String>,
    ip: Option<&str>,
) -> Result<()> {
    require_edit(admin)?;
    let before = state
        .store
        .customer_by_id(id)
        .await?
        .ok_or(Error::NotFound)?;
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
        edit_email_and_name(state, admin, &before, &email, &name, ip).await?;
    }
    attributes::save(state, id, values, Actor::Admin(admin.id), ip).await
}

async fn edit_email_and_name(
    state: &AppState,
    admin: &Admin,
    before: &Customer,
    email: &Email,
    name: &DisplayName,
    ip: Option<&str>,
) -> Result<()> {
    let id = before.id;
    if !state
        .store
        .update_profile(id, email, name, state.clock.now())
        .await?
    {
        return Err(Error::invalid(
            "email",
            "Another customer already uses this email address.",
        ));
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
        Actor::Admin(admin.id),
        "customer.profile_edited",
        Some(id),
        ip,
        changes.into(),
    )
    .await?;
    Ok(())
}

/// Deletes a customer and their personal data and sessions. Owners only, and
/// only when the admin typed the customer's email to confirm.
pub async fn delete(
    state: &AppState,
    admin: &Admin,
    id: CustomerId,
    typed_email: &str,
    ip: Option<&str>,
) -> Result<()> {
    if !admin.role.can_delete_customers() {
        return Err(Error::Forbidden("Only owners can delete customers.".into()));
    }
    let customer = state
        .store
        .customer_by_id(id)
        .await?
        .ok_or(Error::NotFound)?;
    let confirmed = Email::parse(typed_email).is_ok_and(|typed| typed == customer.email);
    if !confirmed {
        return Err(Error::invalid(
            "confirm_email",
            "Type the customer's email address exactly to confirm.",
        ));
    }
    if state.store.delete_customer(id).await? {
        // The record names the id only: the personal data is gone.
        audit::record(
            state,
            Actor::Admin(admin.id),
            "customer.deleted",
            Some(id),
            ip,
            json!({}),
        )
        .await?;
        tracing::info!(admin_id = %admin.id, customer_id = %id, "customer deleted");
    }
    Ok(())
}
