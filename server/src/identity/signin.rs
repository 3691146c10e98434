//! Signing in: one flow for customers and admins. Credentials go in; the
//! next step comes out: signed in, a further step the caller must show, or
//! refused. Steps still to come (second factor, enrolment, consent, terms)
//! are decided here too, so every way in asks for them.
//!
//! Unknown emails cost the same argon2 work as known ones and get the same
//! answer. Every attempt is first reserved with `throttle`, so no burst of
//! guesses is evaluated beyond its limits.

use super::second_step::{self, Ahead};
use super::sessions::{self, AuthMethod, Proof};
use super::throttle::{self, AfterFailure};
pub use super::throttle::{Realm, account_key};
use crate::audit;
use crate::directory::attributes;
use crate::domain::{
    Action, Admin, Caller, Customer, Email, Error, PasswordHash, PasswordProblem, RequestContext,
    Result,
};
use crate::password::{PASSWORD_MAX, Password, Verification};
use crate::state::AppState;
use serde_json::json;
use tower_sessions::Session;

/// What a sign-in form sends.
pub struct Credentials {
    pub email: String,
    pub password: Password,
    /// The token of this browser's "remember me" cookie, if it has one:
    /// a remembered browser skips the second factor while the policy allows.
    pub remembered: Option<String>,
}

/// What happens after an attempt.
pub enum Next {
    /// Signed in on this browser: go on.
    Done,
    /// Signed in, but the organisation requires details first: show the
    /// profile form.
    CompleteProfile,
    /// The first factor holds; the second is asked next (not signed in yet).
    SecondFactor,
    /// The first factor holds, but the policy requires a second factor the
    /// customer does not have: they set one up next (not signed in yet).
    Enrol,
    /// Wrong email or password (the same answer for an unknown email).
    Rejected,
    /// The password was right, but an admin has disabled the account.
    Disabled,
    /// Held back by the throttle (too many failures from this address, or
    /// for this account): try again later.
    Locked { seconds_left: i64 },
}

/// The account an email names in a realm, with its stored hash.
enum Account {
    Customer(Customer, PasswordHash),
    Admin(Admin, PasswordHash),
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
    let account = match realm {
        Realm::Customers => (state.store.customer_by_email(&email).await?)
            .map(|(c, hash)| Account::Customer(c, hash)),
        Realm::Admins => {
            (state.store.admin_by_email(&email).await?).map(|(a, hash)| Account::Admin(a, hash))
        }
    };
    let usual_source = match &account {
        Some(Account::Customer(c, _)) => c.last_sign_in_ip.clone(),
        Some(Account::Admin(a, _)) => state.store.admin_last_sign_in_ip(a.id).await?,
        None => None,
    }
    .is_some_and(|ip| Some(ip.as_str()) == ctx.ip());
    let key = account_key(realm, &email);
    let attempt = match throttle::reserve(state, &key, ctx.ip(), usual_source).await? {
        Ok(attempt) => attempt,
        Err(refused) => {
            return Ok(Next::Locked {
                seconds_left: refused.retry_after,
            });
        }
    };
    let checked = match account {
        None => state
            .hasher
            .verify_dummy(password)
            .await
            .map(|()| Next::Rejected)
            .map_err(Error::from),
        Some(Account::Customer(c, hash)) => {
            let remembered = credentials.remembered.as_deref();
            customer(state, session, ctx, (c, hash), password, remembered).await
        }
        Some(Account::Admin(a, hash)) => admin(state, session, ctx, a, hash, password).await,
    };
    let next = match checked {
        Ok(next) => next,
        // Not evaluated (the hashing queue was full, or a fault): the
        // attempt does not count.
        Err(e) => {
            attempt.give_back(state).await?;
            return Err(e);
        }
    };
    if let Next::Rejected = next {
        if let AfterFailure::Blocked = attempt.failed(state).await? {
            blocked(state, ctx, realm, &email).await?;
        }
    } else {
        attempt.succeeded(state).await?;
    }
    Ok(next)
}

/// One source has been blocked from an account: on the record, and the
/// customer who owns it is told, with a link that lifts the block.
async fn blocked(
    state: &AppState,
    ctx: &RequestContext,
    realm: Realm,
    email: &Email,
) -> Result<()> {
    let details = json!({ "address": ctx.ip() });
    // Gatehouse itself blocks, on behalf of nobody who signed in.
    let ctx = &ctx.acting_as(Caller::System);
    match realm {
        Realm::Customers => {
            let customer = state.store.customer_by_email(email).await?.map(|(c, _)| c);
            let id = customer.as_ref().map(|c| c.id);
            audit::record(state, ctx, Action::CustomerSignInBlocked, id, details).await?;
            if let Some(customer) = customer {
                super::unblock::send_link(state, &customer, ctx.ip()).await?;
            }
        }
        Realm::Admins => {
            audit::record(state, ctx, Action::AdminSignInBlocked, None, details).await?;
            if state.store.admin_by_email(email).await?.is_some() {
                super::unblock::tell_admin(state, email, ctx.ip()).await?;
            }
        }
    }
    Ok(())
}

async fn customer(
    state: &AppState,
    session: &Session,
    ctx: &RequestContext,
    (customer, hash): (Customer, PasswordHash),
    password: Password,
    remembered: Option<&str>,
) -> Result<Next> {
    let ctx = ctx.acting_as(Caller::Customer(customer.id));
    let Verification::Valid { rehashed } = state.hasher.verify(password, hash).await? else {
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
    if let Some(new_hash) = rehashed {
        state
            .store
            .set_password_hash(customer.id, &new_hash, state.clock.now())
            .await?;
    }
    enter(
        state,
        session,
        &ctx,
        &customer,
        AuthMethod::Password,
        remembered,
    )
    .await
}

/// A customer whose first factor holds (a password, the verification link
/// followed in the browser that signed up, a passkey): signed in on this
/// browser when the MFA policy asks nothing more, else held for the second
/// factor or for enrolling one.
pub async fn enter(
    state: &AppState,
    session: &Session,
    ctx: &RequestContext,
    customer: &Customer,
    method: AuthMethod,
    remembered: Option<&str>,
) -> Result<Next> {
    Ok(
        match second_step::ahead(state, customer, method, remembered).await? {
            Ahead::Nothing => finish(state, session, ctx, customer, Proof::single(method)).await?,
            ahead @ (Ahead::Verify | Ahead::ProveThenEnrol) => {
                second_step::hold(state, session, customer, method, ahead).await?;
                Next::SecondFactor
            }
            Ahead::Enrol => {
                second_step::hold(state, session, customer, method, Ahead::Enrol).await?;
                Next::Enrol
            }
        },
    )
}

/// Signs in a customer who proved everything the policy asks (`proof`),
/// and says what they must do before going on.
pub async fn finish(
    state: &AppState,
    session: &Session,
    ctx: &RequestContext,
    customer: &Customer,
    proof: Proof,
) -> Result<Next> {
    let now = state.clock.now();
    state
        .store
        .record_sign_in(customer.id, now, ctx.ip())
        .await?;
    let details = json!({ "amr": proof.amr() });
    let acting = ctx.acting_as(Caller::Customer(customer.id));
    audit::record(
        state,
        &acting,
        Action::CustomerSignedIn,
        Some(customer.id),
        details,
    )
    .await?;
    tracing::info!(customer_id = %customer.id, "customer signed in");
    sessions::start(state, session, customer, ctx, proof).await?;
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
    admin: Admin,
    hash: PasswordHash,
    password: Password,
) -> Result<Next> {
    let ctx = ctx.acting_as(Caller::Admin(admin.clone()));
    let Verification::Valid { rehashed } = state.hasher.verify(password, hash).await? else {
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
        .record_admin_sign_in(admin.id, state.clock.now(), ctx.ip())
        .await?;
    tracing::info!(admin_id = %admin.id, "admin signed in");
    audit::record(state, &ctx, Action::AdminSignedIn, None, json!({})).await?;
    enter_console(state, session, &admin).await
}

/// An admin whose password holds (or who just accepted an invitation):
/// the console opens after their second factor, set up first if they
/// have none.
pub async fn enter_console(state: &AppState, session: &Session, admin: &Admin) -> Result<Next> {
    Ok(
        if second_step::hold_console(state, session, admin.id).await? {
            Next::Enrol
        } else {
            Next::SecondFactor
        },
    )
}

/// Opens the console for an admin who passed both steps.
pub async fn finish_console(state: &AppState, session: &Session, admin: &Admin) -> Result<()> {
    second_step::release_console(session).await?;
    sessions::start_admin(state, session, admin).await
}
