//! Passkey ceremonies for the page script: each step is a form post (the
//! CSRF guard checks it like any other) answered with JSON: the options for
//! the browser, then where to go once the browser's answer holds.
//!
//! Who is asking decides what a ceremony is for: a browser whose sign-in
//! waits registers the factor it must set up or shows its second; a
//! signed-in customer adds a passkey or steps up; anyone may sign in with
//! a passkey alone. Sign-ins go through the journey (`identity::signin`).

use super::security::{after_enrolment, step_up_target, step_up_url};
use super::signin::advance;
use crate::domain::mfa::{FactorKind, MfaProblem};
use crate::domain::{Error, Result};
use crate::http::ceremony::{self, Answer, answer, go, location};
use crate::http::extract::{FormData, Visitor};
use crate::http::{journey, kept};
use crate::identity::signin::{self, Account, Input, Realm, Step};
use crate::mfa::{enrol, passkeys};
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

async fn options(visitor: &Visitor, started: (Value, passkeys::Ceremony)) -> Result<Response> {
    ceremony::options(&visitor.session, visitor.visitor_token.as_ref(), started).await
}

/// The account whose sign-in may set up a factor now (the journey says).
async fn enrolling(state: &AppState, visitor: &Visitor) -> Result<Account> {
    let held = journey::held(&visitor.session).await?;
    Ok(signin::enrolling(state, Realm::Customers, held.as_ref())
        .await?
        .0)
}

async fn register_options(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    answer(visitor.lang, register_options_for(&state, &visitor).await)
}

async fn register_options_for(state: &AppState, visitor: &Visitor) -> Result<Response> {
    let account = match &visitor.signed_in {
        Some(signed_in) => {
            if enrol::step_up_due(state, signed_in).await? {
                return Ok(go(&step_up_url(paths::ACCOUNT_SECURITY)));
            }
            Account::Customer(signed_in.customer.clone())
        }
        None => enrolling(state, visitor).await?,
    };
    let started =
        passkeys::register_options(state, account.owner(), account.passkey_user()).await?;
    options(visitor, started).await
}

async fn register(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<Answer>,
) -> Result<Response> {
    answer(visitor.lang, register_for(&state, &visitor, &form).await)
}

async fn register_for(state: &AppState, visitor: &Visitor, form: &Answer) -> Result<Response> {
    let name = passkeys::name_for(visitor.ctx.user_agent());
    let session = &visitor.session;
    let taken = ceremony::take(session).await?;
    if let Some(signed_in) = &visitor.signed_in {
        let owner = FactorOwner::Customer(signed_in.customer.id);
        let id = passkeys::register(state, taken, owner, &name, &form.credential).await?;
        let factor = (id, FactorKind::Passkey, name.as_str());
        kept::keep(
            session,
            enrol::enrolled(state, &visitor.ctx, owner, factor).await?,
        )
        .await?;
        enrol::stepped_up(state, signed_in, FactorKind::Passkey).await?;
        let next = after_enrolment(visitor, &visitor.lang.t("factor-passkey-added")).await?;
        return Ok(go(&location(&next)));
    }
    let account = enrolling(state, visitor).await?;
    let ctx = visitor.ctx.acting_as(account.caller());
    let owner = account.owner();
    let id = passkeys::register(state, taken, owner, &name, &form.credential).await?;
    let factor = (id, FactorKind::Passkey, name.as_str());
    kept::keep(session, enrol::enrolled(state, &ctx, owner, factor).await?).await?;
    Ok(ceremony::outcome(
        advance(state, visitor, None, Input::Enrolled(id)).await?,
    ))
}

/// Whose passkey a verification is for: the signed-in customer (step-up)
/// or the one whose sign-in waits for its second factor.
async fn verifying(state: &AppState, visitor: &Visitor) -> Result<FactorOwner> {
    if let Some(signed_in) = &visitor.signed_in {
        return Ok(FactorOwner::Customer(signed_in.customer.id));
    }
    let held = journey::held(&visitor.session).await?;
    match signin::waiting(state, Realm::Customers, held.as_ref()).await? {
        Some(waiting) if matches!(waiting.step, Step::SecondFactor { .. }) => {
            Ok(waiting.account.owner())
        }
        _ => Err(Error::invalid("passkey", MfaProblem::SignInExpired)),
    }
}

async fn verify_options(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    answer(
        visitor.lang,
        async {
            let owner = verifying(&state, &visitor).await?;
            options(&visitor, passkeys::verify_options(&state, owner).await?).await
        }
        .await,
    )
}

async fn verify(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<Answer>,
) -> Result<Response> {
    answer(visitor.lang, verify_for(&state, &visitor, &form).await)
}

async fn verify_for(state: &AppState, visitor: &Visitor, form: &Answer) -> Result<Response> {
    let taken = ceremony::take(&visitor.session).await?;
    let Some(signed_in) = &visitor.signed_in else {
        let input = Input::Passkey {
            ceremony: taken,
            answer: &form.credential,
        };
        return Ok(ceremony::outcome(
            advance(state, visitor, None, input).await?,
        ));
    };
    let owner = FactorOwner::Customer(signed_in.customer.id);
    passkeys::verify(state, &visitor.ctx, taken, owner, &form.credential).await?;
    enrol::stepped_up(state, signed_in, FactorKind::Passkey).await?;
    Ok(go(step_up_target(&form.next)))
}

async fn sign_in_options(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    answer(
        visitor.lang,
        async { options(&visitor, passkeys::sign_in_options(&state).await?).await }.await,
    )
}

async fn sign_in(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<Answer>,
) -> Result<Response> {
    answer(
        visitor.lang,
        async {
            let input = Input::PasskeyAlone {
                ceremony: ceremony::take(&visitor.session).await?,
                answer: &form.credential,
            };
            let asked = Some(form.request.as_str()).filter(|r| !r.is_empty());
            Ok(ceremony::outcome(
                advance(&state, &visitor, asked, input).await?,
            ))
        }
        .await,
    )
}
