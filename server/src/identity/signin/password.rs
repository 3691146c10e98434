//! The password, as a sign-in's first input. Unknown emails cost the
//! same argon2 work as known ones and get the same answer; every try is
//! reserved on the throttle first, so no burst of guesses is evaluated
//! beyond its limits.

use super::Realm;
use crate::audit;
use crate::domain::{
    Action, Caller, Email, Error, PasswordHash, PasswordProblem, RequestContext, Result,
};
use crate::password::{Busy, PASSWORD_MAX, Password, Slot, Verification};
use crate::state::AppState;
use crate::throttle::{self, AfterFailure, account_key};
use serde_json::json;
use uuid::Uuid;

/// What a password came to.
pub enum Checked {
    /// Right: the account's id.
    Valid(Uuid),
    /// Wrong email or password.
    Rejected,
    /// Held back by the throttle for this many seconds.
    Locked(i64),
}

/// The account an email names in a realm, with its stored hash, and the
/// address it last signed in from.
struct Account {
    id: Uuid,
    caller: Caller,
    customer: bool,
    hash: PasswordHash,
    usual_ip: Option<String>,
}

async fn account(state: &AppState, realm: Realm, email: &Email) -> Result<Option<Account>> {
    Ok(match realm {
        Realm::Customers => state
            .store
            .customer_by_email(email)
            .await?
            .map(|(c, hash)| Account {
                id: c.id.0,
                caller: Caller::Customer(c.id),
                customer: true,
                hash,
                usual_ip: c.last_sign_in_ip,
            }),
        Realm::Admins => match state.store.admin_by_email(email).await? {
            Some((a, hash)) => Some(Account {
                id: a.id.0,
                usual_ip: state.store.admin_last_sign_in_ip(a.id).await?,
                caller: Caller::Admin(a),
                customer: false,
                hash,
            }),
            None => None,
        },
    })
}

/// Checks `password` for the account `raw_email` names in `realm`.
pub async fn check(
    state: &AppState,
    ctx: &RequestContext,
    realm: Realm,
    raw_email: &str,
    password: Password,
) -> Result<Checked> {
    let email = Email::parse(raw_email).map_err(|e| Error::invalid("email", e))?;
    if password.as_str().is_empty() {
        return Err(Error::invalid("password", PasswordProblem::Missing));
    }
    if password.as_str().chars().count() > PASSWORD_MAX {
        return Ok(Checked::Rejected);
    }
    // With no place left in the hashing queue, a sign-in is refused before
    // it costs the database anything: a spike beyond what the cores can
    // hash is shed at once, and the rest of the server stays fast.
    if !state.hasher.has_room() {
        return Err(Busy.into());
    }
    let account = account(state, realm, &email).await?;
    let usual_source = account
        .as_ref()
        .and_then(|a| a.usual_ip.as_deref())
        .is_some_and(|ip| Some(ip) == ctx.ip());
    let key = account_key(realm, &email);
    let reserved = match throttle::reserve(state, &key, ctx.ip(), usual_source).await? {
        Ok(reserved) => reserved,
        Err(refused) => return Ok(Checked::Locked(refused.retry_after)),
    };
    // Taken after the throttle, so guesses it holds back never take a
    // place from a sign-in it lets through.
    let slot = match state.hasher.slot() {
        Ok(slot) => slot,
        Err(busy) => {
            reserved.give_back(state).await?;
            return Err(busy.into());
        }
    };
    let checked = match account {
        None => {
            slot.verify_dummy(password).await;
            Checked::Rejected
        }
        Some(account) => match verify(state, ctx, slot, account, password).await {
            Ok(checked) => checked,
            // A fault (the database): nothing was decided, so the try is
            // given back.
            Err(e) => {
                reserved.give_back(state).await?;
                return Err(e);
            }
        },
    };
    if let Checked::Rejected = checked {
        if let AfterFailure::Blocked = reserved.failed(state).await? {
            blocked(state, ctx, realm, &email).await?;
        }
    } else {
        reserved.succeeded(state).await?;
    }
    Ok(checked)
}

async fn verify(
    state: &AppState,
    ctx: &RequestContext,
    slot: Slot,
    account: Account,
    password: Password,
) -> Result<Checked> {
    let ctx = ctx.acting_as(account.caller.clone());
    let Verification::Valid { rehashed } = slot.verify(password, account.hash).await else {
        let (action, about) = if account.customer {
            let id = crate::domain::CustomerId(account.id);
            (Action::CustomerSignInFailed, Some(id))
        } else {
            (Action::AdminSignInFailed, None)
        };
        audit::record(state, &ctx, action, about, json!({})).await?;
        return Ok(Checked::Rejected);
    };
    if let Some(new_hash) = rehashed {
        let now = state.clock.now();
        match account.caller {
            Caller::Admin(a) => state.store.set_admin_password_hash(a.id, &new_hash).await?,
            _ => {
                let id = crate::domain::CustomerId(account.id);
                state.store.set_password_hash(id, &new_hash, now).await?
            }
        }
    }
    Ok(Checked::Valid(account.id))
}

/// One source has been blocked from an account: on the record, and the
/// person who owns it is told, with a link that lifts the block.
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
                crate::identity::unblock::send_link(state, &customer, ctx.ip()).await?;
            }
        }
        Realm::Admins => {
            audit::record(state, ctx, Action::AdminSignInBlocked, None, details).await?;
            if state.store.admin_by_email(email).await?.is_some() {
                crate::identity::unblock::tell_admin(state, email, ctx.ip()).await?;
            }
        }
    }
    Ok(())
}
