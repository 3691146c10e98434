//! Signing in: one flow for customers and admins. Credentials go in; the
//! next step comes out: signed in, a further step the caller must show, or
//! refused. Steps still to come (second factor, enrolment, consent, terms)
//! are decided here too, so every way in asks for them.
//!
//! Unknown emails cost the same argon2 work as known ones and get the same
//! answer. Failures are counted per email (see `throttle`).

use super::sessions;
use super::throttle::{self, Standing};
use crate::audit;
use crate::directory::attributes;
use crate::domain::{
    Action, Admin, Caller, Customer, Email, Error, PasswordProblem, RequestContext, Result,
};
use crate::password::{PASSWORD_MAX, Password, Verification};
use crate::state::AppState;
use serde_json::json;
use tower_sessions::Session;

/// Whose accounts a sign-in form is for: customers and admins are apart
/// (own tables, own cookies, own failure counters).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Realm {
    Customers,
    Admins,
}

/// What a sign-in form sends.
pub struct Credentials {
    pub email: String,
    pub password: Password,
}

/// What happens after an attempt.
pub enum Next {
    /// Signed in on this browser: go on.
    Done,
    /// Signed in, but the organisation requires details first: show the
    /// profile form.
    CompleteProfile,
    /// Wrong email or password (the same answer for an unknown email).
    Rejected,
    /// The password was right, but an admin has disabled the account.
    Disabled,
    /// Too many failures on this email: try again later.
    Locked { seconds_left: i64 },
}

/// Checks the credentials and, when they hold, signs the account in on
/// this browser (`session`).
pub async fn sign_in(
    state: &AppState,
    session: &Session,
    ctx: &RequestContext,
    realm: Realm,
    credentials: Credentials,
) -> Result<Next> {
    let email = Email::parse(&credentials.email).map_err(|e| Error::invalid("email", e))?;
    let password = credentials.password;
    if password.as_str().is_empty() {
        return Err(Error::invalid("password", PasswordProblem::Missing));
    }
    if password.as_str().chars().count() > PASSWORD_MAX {
        return Ok(Next::Rejected);
    }
    let key = match realm {
        Realm::Customers => throttle::customer_key(&email),
        Realm::Admins => throttle::admin_key(&email),
    };
    let had_failures = match throttle::standing(state, &key).await? {
        Standing::Locked { seconds_left } => return Ok(Next::Locked { seconds_left }),
        Standing::Failed => true,
        Standing::Clear => false,
    };
    let next = match realm {
        Realm::Customers => customer(state, session, ctx, &email, password).await?,
        Realm::Admins => admin(state, session, ctx, &email, password).await?,
    };
    match next {
        Next::Rejected => throttle::count_failure(state, &key).await?,
        Next::Done | Next::CompleteProfile if had_failures => throttle::clear(state, &key).await?,
        _ => {}
    }
    Ok(next)
}

async fn customer(
    state: &AppState,
    session: &Session,
    ctx: &RequestContext,
    email: &Email,
    password: Password,
) -> Result<Next> {
    let Some((customer, hash)) = state.store.customer_by_email(email).await? else {
        state.hasher.verify_dummy(password).await;
        return Ok(Next::Rejected);
    };
    let ctx = ctx.acting_as(Caller::Customer(customer.id));
    let Verification::Valid { rehashed } = state.hasher.verify(password, hash).await else {
        audit::record(
            state,
            &ctx,
            Action::CustomerSignInFailed,
            Some(customer.id),
            json!({}),
        )
        .await?;
        return Ok(Next::Rejected);
    };
    if customer.disabled {
        audit::record(
            state,
            &ctx,
            Action::CustomerSignInRefused,
            Some(customer.id),
            json!({ "reason": "disabled" }),
        )
        .await?;
        return Ok(Next::Disabled);
    }
    let now = state.clock.now();
    if let Some(new_hash) = rehashed {
        state
            .store
            .set_password_hash(customer.id, &new_hash, now)
            .await?;
    }
    state
        .store
        .record_sign_in(customer.id, now, ctx.ip())
        .await?;
    audit::record(
        state,
        &ctx,
        Action::CustomerSignedIn,
        Some(customer.id),
        json!({}),
    )
    .await?;
    tracing::info!(customer_id = %customer.id, "customer signed in");
    enter(state, session, &ctx, &customer).await
}

/// Signs a customer whose identity is settled (by a password, or by the
/// verification link followed in the browser that signed up) in on this
/// browser, and says what they must do before going on.
pub async fn enter(
    state: &AppState,
    session: &Session,
    ctx: &RequestContext,
    customer: &Customer,
) -> Result<Next> {
    sessions::start(state, session, customer, ctx).await?;
    if attributes::missing_for(state, customer.id)
        .await?
        .is_empty()
    {
        return Ok(Next::Done);
    }
    sessions::mark_profile_incomplete(session).await?;
    Ok(Next::CompleteProfile)
}

async fn admin(
    state: &AppState,
    session: &Session,
    ctx: &RequestContext,
    email: &Email,
    password: Password,
) -> Result<Next> {
    let Some((admin, hash)) = state.store.admin_by_email(email).await? else {
        state.hasher.verify_dummy(password).await;
        return Ok(Next::Rejected);
    };
    let ctx = ctx.acting_as(Caller::Admin(admin.clone()));
    let Verification::Valid { rehashed } = state.hasher.verify(password, hash).await else {
        audit::record(state, &ctx, Action::AdminSignInFailed, None, json!({})).await?;
        return Ok(Next::Rejected);
    };
    if let Some(new_hash) = rehashed {
        state
            .store
            .set_admin_password_hash(admin.id, &new_hash)
            .await?;
    }
    state
        .store
        .record_admin_sign_in(admin.id, state.clock.now())
        .await?;
    tracing::info!(admin_id = %admin.id, "admin signed in");
    audit::record(state, &ctx, Action::AdminSignedIn, None, json!({})).await?;
    enter_console(state, session, &admin).await
}

/// Signs an admin whose identity is settled (by a password, or by accepting
/// an invitation) in on this console browser.
pub async fn enter_console(state: &AppState, session: &Session, admin: &Admin) -> Result<Next> {
    sessions::start_admin(state, session, admin).await?;
    Ok(Next::Done)
}
