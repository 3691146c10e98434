//! Admins of the console: who they are, what their role lets them do, how
//! they are invited and how they sign in. Admins are not customers.

use crate::audit;
use crate::domain::links as paths;

use crate::domain::secrets::{LinkToken, hash_token, looks_like_token};
use crate::domain::{
    Action, Admin, AdminId, DisplayName, Email, Error, FieldErrors, OwnerTask, Problem, Record,
    RequestContext, Result, Role,
};
use crate::password::{Password, Policy};
use crate::state::AppState;
use crate::store::{AdminListing, FactorOwner, NewAdmin, PendingInvite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use uuid::Uuid;

/// Setup and invitation links work for a day.
pub const INVITE_LIFETIME: i64 = 24 * 3600;
/// Admin passwords guard every customer record: longer than customers'.
pub const ADMIN_PASSWORD_MIN: usize = 12;

/// Creates a one-time link that lets its holder become an admin with `role`
/// (for `email`, or for an address they choose when `None`).
pub async fn invite_link(state: &AppState, email: Option<&Email>, role: Role) -> Result<String> {
    let token = LinkToken::generate();
    let now = state.clock.now();
    state
        .store
        .insert_admin_invite(&token.hash, email, role, now, now + INVITE_LIFETIME)
        .await?;
    Ok(state
        .config
        .link(&format!("{}?token={}", paths::CONSOLE_SETUP, token.raw)))
}

/// On a fresh install with no admin, the link that creates the first owner.
/// Admins' passwords: the customers' policy with a longer minimum.
fn admin_policy(state: &AppState) -> Policy {
    state.config.password_policy.at_least(ADMIN_PASSWORD_MIN)
}

pub async fn bootstrap_link(state: &AppState) -> Result<Option<String>> {
    if state.store.count_admins().await? > 0 {
        return Ok(None);
    }
    invite_link(state, None, Role::Owner).await.map(Some)
}

/// Creates an owner directly (the `gatehouse admin create` command with a password).
pub async fn create(
    state: &AppState,
    raw_email: &str,
    role: Role,
    password: Password,
) -> Result<Admin> {
    let email = Email::parse(raw_email).map_err(|e| Error::invalid("email", e))?;
    admin_policy(state)
        .check(password.as_str(), &[email.as_str(), "gatehouse", "admin"])
        .map_err(|e| Error::invalid("password", e))?;
    let name = DisplayName::parse(email.as_str().split('@').next().unwrap_or("admin"))
        .map_err(|e| Error::invalid("email", e))?;
    let hash = state.hasher.hash(password).await?;
    let id = AdminId(Uuid::now_v7());
    let new = NewAdmin {
        id,
        email: &email,
        display_name: &name,
        role,
        password_hash: &hash,
        now: state.clock.now(),
    };
    if !state.store.insert_admin(new).await? {
        return Err(Error::invalid("email", Problem::AdminExists));
    }
    tracing::info!(admin_id = %id, role = role.as_str(), "admin created");
    Ok(Admin {
        id,
        email,
        display_name: name,
        role,
    })
}

/// The email the invitation is for (if fixed) and its role.
pub async fn check_invite(state: &AppState, raw_token: &str) -> Result<(Option<String>, Role)> {
    if !looks_like_token(raw_token) {
        return Err(Error::BadRequest(Problem::SetupLinkInvalid));
    }
    let invite = state
        .store
        .peek_admin_invite(&hash_token(raw_token), state.clock.now())
        .await?
        .ok_or(Error::BadRequest(Problem::SetupLinkInvalid))?;
    // The first-start setup link names nobody: it stops once anyone is admin.
    if invite.0.is_none() && state.store.count_admins().await? > 0 {
        return Err(Error::BadRequest(Problem::SetupLinkInvalid));
    }
    Ok(invite)
}

pub struct AcceptInvite {
    pub token: String,
    pub email: String,
    pub display_name: String,
    pub password: Password,
}

pub async fn accept_invite(state: &AppState, input: AcceptInvite) -> Result<Admin> {
    let (fixed_email, role) = check_invite(state, &input.token).await?;
    let mut errors = FieldErrors::new();
    let raw_email = fixed_email.as_deref().unwrap_or(&input.email);
    let email = Email::parse(raw_email)
        .map_err(|e| errors.add("email", e))
        .ok();
    let name = DisplayName::parse(&input.display_name)
        .map_err(|e| errors.add("display_name", e))
        .ok();
    let inputs = [raw_email, &input.display_name, "gatehouse", "admin"];
    if let Err(e) = admin_policy(state).check(input.password.as_str(), &inputs) {
        errors.add("password", e);
    }
    let (Some(email), Some(name), true) = (email, name, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let hash = state.hasher.hash(input.password).await?;
    let id = AdminId(Uuid::now_v7());
    let new = NewAdmin {
        id,
        email: &email,
        display_name: &name,
        role,
        password_hash: &hash,
        now: state.clock.now(),
    };
    match state
        .store
        .accept_admin_invite(&hash_token(&input.token), new)
        .await?
    {
        None => Err(Error::BadRequest(Problem::SetupLinkInvalid)),
        Some(false) => Err(Error::invalid("email", Problem::AdminExists)),
        Some(true) => {
            tracing::info!(admin_id = %id, role = role.as_str(), "admin account set up");
            Ok(Admin {
                id,
                email,
                display_name: name,
                role,
            })
        }
    }
}

// --- Managing admins (owners only) ----------------------------------------------

fn parse_role(raw: &str) -> Result<Role> {
    Role::parse(raw).ok_or(Error::BadRequest(Problem::UnknownRole))
}

/// Every admin and every invitation still open.
pub async fn list(state: &AppState) -> Result<(Vec<AdminListing>, Vec<PendingInvite>)> {
    let admins = state.store.list_admins().await?;
    let invites = state.store.pending_admin_invites(state.clock.now()).await?;
    Ok((admins, invites))
}

/// Mails a one-time link that sets up an admin account for `raw_email`.
pub async fn invite(
    state: &AppState,
    raw_email: &str,
    raw_role: &str,
    ctx: &RequestContext,
) -> Result<Email> {
    let by = ctx.admin()?;
    by.require_owner(OwnerTask::ManageAdmins)?;
    let role = parse_role(raw_role)?;
    let email = Email::parse(raw_email).map_err(|e| Error::invalid("email", e))?;
    if state.store.admin_by_email(&email).await?.is_some() {
        return Err(Error::invalid("email", Problem::InviteeIsAdmin));
    }
    let link = invite_link(state, Some(&email), role).await?;
    let mail = crate::mail::admin_invite_mail(
        email.as_str(),
        by.display_name.as_str(),
        role.as_str(),
        &link,
    );
    state.mailer.enqueue(mail).await?;
    let details = json!({ "email": email.as_str(), "role": role.as_str() });
    audit::record(state, ctx, Action::AdminInvited, None, details).await?;
    Ok(email)
}

/// Withdraws an open invitation, named as `invite_id` names it.
pub async fn revoke_invite(state: &AppState, id: &str, ctx: &RequestContext) -> Result<()> {
    let by = ctx.admin()?;
    by.require_owner(OwnerTask::ManageAdmins)?;
    let hash =
        parse_invite_id(id).ok_or(Error::BadRequest(Problem::NotAnId(Record::Invitation)))?;
    if !state
        .store
        .revoke_admin_invite(&hash, state.clock.now())
        .await?
    {
        return Err(Error::Conflict(Problem::InvitationSpent));
    }
    let details = json!({ "invitation": id });
    audit::record(state, ctx, Action::AdminInviteRevoked, None, details).await?;
    Ok(())
}

pub async fn change_role(
    state: &AppState,
    target: AdminId,
    raw_role: &str,
    ctx: &RequestContext,
) -> Result<()> {
    let by = ctx.admin()?;
    by.require_owner(OwnerTask::ManageAdmins)?;
    let role = parse_role(raw_role)?;
    let before = state
        .store
        .admin_by_id(target)
        .await?
        .ok_or(Error::Conflict(Problem::AdminGone))?;
    if before.role == role {
        return Ok(());
    }
    if !state.store.set_admin_role(target, role).await? {
        return Err(Error::Conflict(Problem::LastOwner));
    }
    let details = json!({
        "admin_id": target,
        "email": before.email.as_str(),
        "role": { "before": before.role.as_str(), "after": role.as_str() },
    });
    audit::record(state, ctx, Action::AdminRoleChanged, None, details).await?;
    tracing::info!(admin_id = %target, by = %by.id, role = role.as_str(), "admin role changed");
    Ok(())
}

/// Removes an admin; their console session ends with their next request.
pub async fn remove(state: &AppState, target: AdminId, ctx: &RequestContext) -> Result<()> {
    let by = ctx.admin()?;
    by.require_owner(OwnerTask::ManageAdmins)?;
    let before = state
        .store
        .admin_by_id(target)
        .await?
        .ok_or(Error::Conflict(Problem::AdminGone))?;
    if !state.store.delete_admin(target).await? {
        return Err(Error::Conflict(Problem::LastOwner));
    }
    let details = json!({
        "admin_id": target,
        "email": before.email.as_str(),
        "role": before.role.as_str(),
    });
    audit::record(state, ctx, Action::AdminRemoved, None, details).await?;
    tracing::info!(admin_id = %target, by = %by.id, "admin removed");
    Ok(())
}

/// An owner removes every factor of another admin (a lost phone or
/// passkey): that admin sets one up again at their next sign-in. Their
/// open console sessions go on until they end; removing the admin ends
/// those too. An owner cannot reset their own: a signed-in admin holding
/// a factor needs no reset, and one who reset their own would sign in
/// next time with the password alone.
pub async fn reset_mfa(state: &AppState, target: AdminId, ctx: &RequestContext) -> Result<u64> {
    let by = ctx.admin()?;
    by.require_owner(OwnerTask::ManageAdmins)?;
    if by.id == target {
        return Err(Error::Conflict(Problem::OwnMfaReset));
    }
    let before = state
        .store
        .admin_by_id(target)
        .await?
        .ok_or(Error::Conflict(Problem::AdminGone))?;
    let removed = state.store.reset_mfa(FactorOwner::Admin(target)).await?;
    let details = json!({
        "admin_id": target,
        "email": before.email.as_str(),
        "factors_removed": removed,
    });
    audit::record(state, ctx, Action::AdminMfaReset, None, details).await?;
    tracing::info!(admin_id = %target, by = %by.id, "admin MFA reset");
    Ok(removed)
}

/// How the console names an invitation: its token's hash, base64url (the
/// hash cannot be turned back into the link).
pub fn invite_id(token_hash: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(token_hash)
}

fn parse_invite_id(id: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(id)
        .ok()
        .filter(|hash| hash.len() == 32)
}

/// The admin an email names, if any.
pub async fn by_email(state: &AppState, email: &Email) -> Result<Option<Admin>> {
    Ok(state.store.admin_by_email(email).await?.map(|(a, _)| a))
}
