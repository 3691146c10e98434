//! Passkey ceremonies for the page script: each step is a form post (the
//! CSRF guard checks it like any other) answered with JSON: the options for
//! the browser, then where to go once the browser's answer holds.
//!
//! Who is asking decides what a ceremony is for: a browser holding a
//! pending sign-in registers its first factor or shows its second; a
//! signed-in customer adds a passkey or steps up; anyone may sign in with
//! a passkey alone.

use super::mfa::{after_sign_in_enrolment, step_up_target, step_up_url};
use super::signin::go_on;
use crate::domain::mfa::{FactorKind, MfaProblem};
use crate::domain::{Caller, CustomerId, Error, Result};
use crate::http::ceremony::{self, Answer, answer, go, location};
use crate::http::extract::{FormData, Visitor};
use crate::identity::second_step::{self, PendingSignIn};
use crate::identity::sessions::{AuthMethod, Proof};
use crate::identity::signin;
use crate::mfa::{check, enrol, passkeys};
use crate::state::AppState;
use crate::store::FactorOwner;
use app::paths;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use serde_json::Value;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::PASSKEY_REGISTER_OPTIONS, post(register_options))
        .route(paths::PASSKEY_REGISTER, post(register))
        .route(paths::PASSKEY_VERIFY_OPTIONS, post(verify_options))
        .route(paths::PASSKEY_VERIFY, post(verify))
        .route(paths::PASSKEY_SIGN_IN_OPTIONS, post(sign_in_options))
        .route(paths::PASSKEY_SIGN_IN, post(sign_in))
}

async fn options(visitor: &Visitor, value: Value) -> Result<Response> {
    ceremony::options(&visitor.session, visitor.visitor_token.as_ref(), value).await
}

/// The pending sign-in of this browser and its customer, or refused.
async fn pending(state: &AppState, visitor: &Visitor) -> Result<(PendingSignIn, CustomerId)> {
    let pending = second_step::pending(state, &visitor.session)
        .await?
        .ok_or_else(|| Error::invalid("passkey", MfaProblem::SignInExpired))?;
    Ok((pending.clone(), CustomerId(pending.customer)))
}

/// The pending sign-in that may set up a factor now: one that must, and
/// whose customer has no factor or has just proven one they hold.
async fn enrolling(state: &AppState, visitor: &Visitor) -> Result<(PendingSignIn, CustomerId)> {
    let (pending, id) = pending(state, visitor).await?;
    if !pending.enrol {
        return Err(Error::invalid("passkey", MfaProblem::SignInExpired));
    }
    if pending.prove_first {
        return Err(Error::invalid("passkey", MfaProblem::HeldFactorFirst));
    }
    Ok((pending, id))
}

async fn register_options(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    answer(register_options_for(&state, &visitor).await)
}

async fn register_options_for(state: &AppState, visitor: &Visitor) -> Result<Response> {
    let customer = match &visitor.signed_in {
        Some(signed_in) => {
            if enrol::step_up_due(state, signed_in).await? {
                return Ok(go(&step_up_url(paths::ACCOUNT_SECURITY)));
            }
            signed_in.customer.clone()
        }
        None => {
            let (_, id) = enrolling(state, visitor).await?;
            state
                .store
                .customer_by_id(id)
                .await?
                .ok_or(Error::NotFound)?
        }
    };
    let user = (
        customer.id.0,
        customer.email.as_str(),
        customer.display_name.as_str(),
    );
    let owner = FactorOwner::Customer(customer.id);
    let value = passkeys::register_options(state, &visitor.session, owner, user).await?;
    options(visitor, value).await
}

async fn register(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<Answer>,
) -> Result<Response> {
    answer(register_for(&state, &visitor, &form).await)
}

async fn register_for(state: &AppState, visitor: &Visitor, form: &Answer) -> Result<Response> {
    let name = passkeys::name_for(visitor.ctx.user_agent());
    if let Some(signed_in) = &visitor.signed_in {
        let owner = FactorOwner::Customer(signed_in.customer.id);
        let id =
            passkeys::register(state, &visitor.session, owner, &name, &form.credential).await?;
        let factor = (id, FactorKind::Passkey, name.as_str());
        enrol::enrolled(state, &visitor.session, &visitor.ctx, owner, factor).await?;
        enrol::stepped_up(state, signed_in, FactorKind::Passkey).await?;
        let next = super::mfa::after_enrolment(visitor, "Your passkey is added.").await?;
        return Ok(go(&location(&next)));
    }
    let (pending, id) = enrolling(state, visitor).await?;
    let customer = state
        .store
        .customer_by_id(id)
        .await?
        .ok_or(Error::NotFound)?;
    let ctx = visitor.ctx.acting_as(Caller::Customer(id));
    let owner = FactorOwner::Customer(id);
    let factor_id =
        passkeys::register(state, &visitor.session, owner, &name, &form.credential).await?;
    let factor = (factor_id, FactorKind::Passkey, name.as_str());
    enrol::enrolled(state, &visitor.session, &ctx, owner, factor).await?;
    second_step::release(&visitor.session).await?;
    let proof = Proof {
        first: pending.first,
        second: Some(FactorKind::Passkey),
    };
    signin::finish(state, &visitor.session, &ctx, &customer, proof).await?;
    Ok(go(after_sign_in_enrolment(&visitor.session).await?))
}

/// Whose passkey a verification is for: the signed-in customer (step-up)
/// or the pending sign-in's.
async fn verifying(state: &AppState, visitor: &Visitor) -> Result<CustomerId> {
    match &visitor.signed_in {
        Some(signed_in) => Ok(signed_in.customer.id),
        None => Ok(pending(state, visitor).await?.1),
    }
}

async fn verify_options(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    answer(
        async {
            let id = verifying(&state, &visitor).await?;
            let owner = FactorOwner::Customer(id);
            let value = passkeys::verify_options(&state, &visitor.session, owner).await?;
            options(&visitor, value).await
        }
        .await,
    )
}

async fn verify(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<Answer>,
) -> Result<Response> {
    answer(verify_for(&state, &visitor, &form).await)
}

async fn verify_for(state: &AppState, visitor: &Visitor, form: &Answer) -> Result<Response> {
    let id = verifying(state, visitor).await?;
    let owner = FactorOwner::Customer(id);
    let ctx = visitor.ctx.acting_as(Caller::Customer(id));
    if let Err(e) = passkeys::verify(state, &visitor.session, owner, &form.credential).await {
        if matches!(e, Error::Invalid(_)) {
            check::failed(state, &ctx, owner, FactorKind::Passkey, false).await?;
        }
        return Err(e);
    }
    if let Some(signed_in) = &visitor.signed_in {
        enrol::stepped_up(state, signed_in, FactorKind::Passkey).await?;
        return Ok(go(step_up_target(&form.next)));
    }
    let (pending, _) = pending(state, visitor).await?;
    let customer = state
        .store
        .customer_by_id(id)
        .await?
        .filter(|c| !c.disabled)
        .ok_or_else(|| Error::invalid("passkey", MfaProblem::SignInExpired))?;
    second_step::release(&visitor.session).await?;
    let proof = Proof {
        first: pending.first,
        second: Some(FactorKind::Passkey),
    };
    let next = signin::finish(state, &visitor.session, &ctx, &customer, proof).await?;
    Ok(go(&location(&go_on(&visitor.session, &next).await?)))
}

async fn sign_in_options(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    answer(
        async {
            let value = passkeys::sign_in_options(&state, &visitor.session).await?;
            options(&visitor, value).await
        }
        .await,
    )
}

async fn sign_in(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<Answer>,
) -> Result<Response> {
    answer(
        async {
            let owner = passkeys::sign_in(&state, &visitor.session, &form.credential).await?;
            // An admin's passkey does not open a customer account.
            let FactorOwner::Customer(id) = owner else {
                return Err(Error::invalid("passkey", MfaProblem::PasskeyRefused));
            };
            let customer = state
                .store
                .customer_by_id(id)
                .await?
                .filter(|c| !c.disabled)
                .ok_or_else(|| Error::invalid("passkey", MfaProblem::PasskeyRefused))?;
            let ctx = visitor.ctx.acting_as(Caller::Customer(id));
            let method = AuthMethod::Passkey;
            let next =
                signin::enter(&state, &visitor.session, &ctx, &customer, method, None).await?;
            Ok(go(&location(&go_on(&visitor.session, &next).await?)))
        }
        .await,
    )
}
