//! The sign-in journey in the browser: the one place its steps become
//! pages, and the cookie's part (which attempt this browser holds, the
//! session a finished attempt began, a fresh cookie id at each step up).
//! Customers and admins differ only in their cookie and their pages.

use super::extract::flash;
use super::messages::{self, Refusal};
use crate::domain::{Error, RequestContext, Result};
use crate::http::browser::{self, keys};
use crate::identity::signin::{
    self, Advanced, AttemptKey, Began, Input, Purpose, Realm, Refusal as Why, Step,
};
use crate::state::AppState;
use app::{Lang, paths};
use tower_sessions::Session;

/// The attempt this browser holds in its realm's cookie.
pub async fn held(session: &Session) -> Result<Option<AttemptKey>> {
    browser::get(session, keys::SIGN_IN_ATTEMPT).await
}

/// What a sign-in begun in this browser now is for: the application's
/// request it was asked for (`asked`, its id), else the latest request or
/// the device code or the shared screen's code waiting here, else the account (or, for admins, the
/// console).
pub async fn purpose_here(session: &Session, realm: Realm, asked: Option<&str>) -> Result<Purpose> {
    if realm == Realm::Admins {
        return Ok(Purpose::Console);
    }
    if let Some(id) = asked
        && browser::authorization(session, id).await?.is_some()
    {
        return Ok(Purpose::Authorization(id.to_string()));
    }
    if let Some(pending) = browser::pending_authorization(session).await? {
        return Ok(Purpose::Authorization(pending.id));
    }
    if let Some(code) = browser::pending_device_code(session).await? {
        return Ok(Purpose::Device(code));
    }
    if browser::pending_screen_code(session).await?.is_some() {
        return Ok(Purpose::Screen);
    }
    Ok(Purpose::Account)
}

/// The page each step leads to.
pub fn page_for(realm: Realm, step: &Step) -> String {
    match step {
        Step::Done(Purpose::Authorization(id)) => return resume_request(id),
        Step::Done(Purpose::App(to)) => return to.clone(),
        _ => {}
    }
    page_of(realm, step).into()
}

/// Where an application's request `id` goes on once the customer is in.
pub fn resume_request(id: &str) -> String {
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("{}?request={id}", paths::AUTHORIZE_RESUME)
}

fn page_of(realm: Realm, step: &Step) -> &'static str {
    match (realm, step) {
        (Realm::Customers, Step::SecondFactor { .. }) => paths::SIGN_IN_VERIFY,
        (Realm::Customers, Step::Enrol { .. }) => paths::SIGN_IN_ENROL,
        (Realm::Customers, Step::CompleteProfile(_)) => paths::COMPLETE_PROFILE,
        (Realm::Admins, Step::SecondFactor { .. }) => paths::CONSOLE_SIGN_IN_VERIFY,
        (Realm::Admins, Step::Enrol { .. }) => paths::CONSOLE_SIGN_IN_ENROL,
        (_, Step::Done(Purpose::Authorization(_))) => paths::AUTHORIZE_RESUME,
        (_, Step::Done(Purpose::Device(_))) => paths::DEVICE_CONFIRM,
        (_, Step::Done(Purpose::Screen)) => paths::HANDOFF_APPROVE,
        (_, Step::Done(Purpose::App(_))) => paths::ACCOUNT,
        (_, Step::Done(Purpose::Account)) => paths::ACCOUNT,
        (_, Step::Done(Purpose::Console)) | (Realm::Admins, Step::CompleteProfile(_)) => {
            paths::CUSTOMERS
        }
        (Realm::Customers, Step::Refused(_) | Step::HeldBack { .. }) => paths::SIGN_IN,
        (Realm::Admins, Step::Refused(_) | Step::HeldBack { .. }) => paths::CONSOLE_SIGN_IN,
    }
}

/// Where an input leaves the browser.
pub enum Outcome {
    /// On to page `to`; `began`: the session the input finished with.
    Go { to: String, began: Option<Began> },
    /// The same page again, with why.
    Show(Refusal),
}

/// Advances this browser's sign-in in `realm` with `input`: where it goes
/// next, or what to show again.
pub async fn advance(
    state: &AppState,
    session: &Session,
    ctx: &RequestContext,
    lang: Lang,
    realm: Realm,
    asked: Option<&str>,
    input: Input<'_>,
) -> Result<Outcome> {
    let held = held(session).await?;
    let purpose = purpose_here(session, realm, asked).await?;
    let advanced = signin::advance(state, ctx, realm, held.as_ref(), purpose, input).await;
    outcome(state, session, lang, realm, advanced).await
}

/// Applies an input's result to this browser (`session`, in `realm`)
/// and says where it goes (in `lang`): the one place every sign-in
/// handler ends.
pub async fn outcome(
    state: &AppState,
    session: &Session,
    lang: Lang,
    realm: Realm,
    advanced: Result<Advanced>,
) -> Result<Outcome> {
    let realm_name = match realm {
        Realm::Customers => "customers",
        Realm::Admins => "admins",
    };
    let advanced = match advanced {
        Ok(advanced) => advanced,
        Err(Error::Invalid(errors)) => {
            state.metrics.sign_in_step(realm_name, "invalid");
            return Ok(Outcome::Show(messages::invalid(lang, &errors)));
        }
        Err(e) => return Err(e),
    };
    state
        .metrics
        .sign_in_step(realm_name, outcome_name(&advanced.step));
    match &advanced.step {
        Step::Refused(Why::Expired) => {
            browser::take::<AttemptKey>(session, keys::SIGN_IN_ATTEMPT).await?;
            flash(session, &messages::sign_in_expired(lang)).await?;
            return Ok(go(&page_for(realm, &advanced.step)));
        }
        Step::Refused(Why::OutOfStep) => {
            // Another tab moved on, or a page out of turn: the page of the
            // step the attempt is at.
            let held = held(session).await?;
            return Ok(go(
                &match signin::waiting(state, realm, held.as_ref()).await? {
                    Some(waiting) => page_for(realm, &waiting.step),
                    None => page_for(realm, &Step::Refused(Why::Expired)),
                },
            ));
        }
        _ => {}
    }
    if let Some(refusal) = messages::step_refusal(lang, realm, &advanced.step) {
        return Ok(Outcome::Show(refusal));
    }
    let held = held(session).await?;
    if let Some(key) = &advanced.waiting {
        if held.as_ref() != Some(key) {
            // The first factor holds: a step up in privilege.
            browser::cycle(session).await?;
            browser::put(session, keys::SIGN_IN_ATTEMPT, key).await?;
        }
    } else if held.is_some() {
        browser::take::<AttemptKey>(session, keys::SIGN_IN_ATTEMPT).await?;
    }
    let mut to = page_for(realm, &advanced.step);
    match &advanced.began {
        Some(Began::Customer { session: id, .. }) => {
            browser::signed_in_here(session, *id).await?;
            if let Step::CompleteProfile(_) = advanced.step {
                browser::mark_profile_incomplete(session).await?;
            }
            // A factor set up at sign-in made recovery codes: shown first.
            if super::kept::codes_waiting(session).await? {
                to = paths::ACCOUNT_RECOVERY_CODES.into();
            }
        }
        Some(Began::Admin(admin)) => browser::start_admin(state, session, admin).await?,
        None => {}
    }
    Ok(Outcome::Go {
        to,
        began: advanced.began,
    })
}

/// A step as `/metrics` names it.
fn outcome_name(step: &Step) -> &'static str {
    match step {
        Step::SecondFactor { .. } => "second_factor",
        Step::Enrol { .. } => "enrol",
        Step::CompleteProfile(_) => "profile",
        Step::Done(_) => "done",
        Step::Refused(Why::Credentials) => "refused_credentials",
        Step::Refused(Why::Factor) => "refused_factor",
        Step::Refused(Why::Disabled) => "refused_disabled",
        Step::Refused(Why::Expired) => "expired",
        Step::Refused(Why::OutOfStep) => "out_of_step",
        Step::HeldBack { .. } => "held_back",
    }
}

fn go(to: &str) -> Outcome {
    Outcome::Go {
        to: to.into(),
        began: None,
    }
}
