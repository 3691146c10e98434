//! Sign-in's second step in the browser: a code, or setting up the factor
//! the policy requires (the security page and step-up are `security`).

use super::signin::advance;
use super::{page, see_other};
use crate::domain::mfa::{FactorKind, MfaPolicy, MfaProblem};
use crate::domain::{Caller, Customer as CustomerRecord, Error, Result};
use crate::http::browser;
use crate::http::error::retry_after_header;
use crate::http::extract::{FormData, REMEMBER_COOKIE, Visitor};
use crate::http::journey::{self, Outcome, page_for, purpose_here};
use crate::http::kept;
use crate::http::messages;
use crate::identity::signin::{self, Account, Began, Input, Realm, Step, Waiting};
use crate::mfa::{enrol, passkeys};
use crate::state::AppState;
use crate::store::FactorOwner;
use app::hosted::*;
use app::paths;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::SIGN_IN_VERIFY, get(verify_form).post(verify))
        .route(paths::SIGN_IN_ENROL, get(enrol_form).post(enrol_app))
        .route(paths::SIGN_IN_CONTINUE, get(continue_on))
}

#[derive(Deserialize)]
pub(super) struct CodeForm {
    #[serde(default)]
    pub(super) code: String,
    #[serde(default)]
    remember: String,
    #[serde(default)]
    pub(super) next: String,
}

/// This browser's sign-in attempt, while it waits for a second step.
async fn waiting(state: &AppState, visitor: &Visitor) -> Result<Option<Waiting>> {
    let held = journey::held(&visitor.session).await?;
    signin::waiting(state, Realm::Customers, held.as_ref()).await
}

/// Back to the sign-in form: the second step timed out or never began.
async fn expired(visitor: &Visitor) -> Result<Response> {
    visitor
        .flash(&MfaProblem::SignInExpired.to_string())
        .await?;
    Ok(see_other(paths::SIGN_IN))
}

/// What the second-factor page offers, for an account holding `held`
/// under `policy` (remembering a browser for `remember_days`).
pub(super) fn second_factor_view(
    state: &AppState,
    held: &[FactorKind],
    policy: MfaPolicy,
    remember_days: i64,
    action: &'static str,
) -> SecondFactorView {
    let passkey_only = policy == MfaPolicy::PhishingResistant;
    SecondFactorView {
        action,
        remember_days: if passkey_only { 0 } else { remember_days },
        has_app: held.contains(&FactorKind::Totp),
        has_passkey: held.contains(&FactorKind::Passkey) && passkeys::available(state),
        passkey_only,
        ..Default::default()
    }
}

/// The second-factor page of a waiting sign-in. When a held factor must
/// be proven before the policy's own is set up, the code form is shown
/// (the factor held is an app's or recovery codes), no remembering.
fn sign_in_factor_view(state: &AppState, waiting: &Waiting) -> SecondFactorView {
    let (accepted, before_enrol) = match waiting.step {
        Step::SecondFactor {
            accepted,
            before_enrol,
        } => (accepted, before_enrol),
        _ => (MfaPolicy::Required, false),
    };
    let days = waiting.mfa.map_or(0, |m| m.remember_days);
    let view = second_factor_view(state, &waiting.held, accepted, days, paths::SIGN_IN_VERIFY);
    SecondFactorView {
        remember_days: if before_enrol { 0 } else { view.remember_days },
        before_enrol,
        ..view
    }
}

async fn verify_form(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    let Some(waiting) = waiting(&state, &visitor).await? else {
        return expired(&visitor).await;
    };
    if !matches!(waiting.step, Step::SecondFactor { .. }) {
        return Ok(see_other(&page_for(Realm::Customers, &waiting.step)));
    }
    let view = sign_in_factor_view(&state, &waiting);
    Ok(page(
        StatusCode::OK,
        second_factor_page(&visitor.chrome().await?, &view),
    ))
}

/// How a refused code is shown: the page again with the reason, and the
/// status and Retry-After that go with it.
pub(super) fn refused(
    chrome: &app::Chrome,
    mut view: SecondFactorView,
    refusal: messages::Refusal,
) -> Response {
    view.error = Some(refusal.message);
    let mut response = page(refusal.status, second_factor_page(chrome, &view));
    if let Some(seconds) = refusal.retry_after {
        retry_after_header(&mut response, seconds);
    }
    response
}

async fn verify(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<CodeForm>,
) -> Result<Response> {
    let refusal = match advance(&state, &visitor, None, Input::Code(&form.code)).await? {
        Outcome::Go { to, began } => {
            let mut response = see_other(&to);
            if let Some(Began::Customer { id, .. }) = began {
                if crate::mfa::check::is_recovery_code(&form.code) {
                    codes_left_notice(&state, &visitor, id).await?;
                }
                if form.remember == "yes"
                    && let Some((token, lifetime)) = enrol::remember(&state, id).await?
                {
                    set_remember_cookie(&state, &mut response, &token, lifetime);
                }
            }
            return Ok(response);
        }
        Outcome::Show(refusal) => refusal,
    };
    let Some(waiting) = waiting(&state, &visitor).await? else {
        // Refused for good (the account was disabled meanwhile).
        visitor.flash(&refusal.message).await?;
        return Ok(see_other(paths::SIGN_IN));
    };
    let view = sign_in_factor_view(&state, &waiting);
    Ok(refused(&visitor.chrome().await?, view, refusal))
}

/// After a recovery code is spent, the next page says how many are left.
pub(super) async fn codes_left_notice(
    state: &AppState,
    visitor: &Visitor,
    id: crate::domain::CustomerId,
) -> Result<()> {
    let left = enrol::recovery_codes_left(state, id).await?;
    let words = visitor
        .lang
        .tf("recovery-code-used", &[("count", left.into())]);
    visitor.flash(&words).await
}

fn set_remember_cookie(state: &AppState, response: &mut Response, token: &str, lifetime: i64) {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{REMEMBER_COOKIE}={token}; Max-Age={lifetime}; Path=/; HttpOnly; SameSite=Lax{secure}"
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Where an authenticator app is being set up.
pub(super) enum SetupAt {
    /// At sign-in, which the policy holds until a factor is added: a
    /// passkey is offered beside the app (or alone, `passkey_only`).
    SignIn { passkey_only: bool },
    /// From the security page, which has its own passkey button.
    Security,
}

/// The authenticator-app setup page with a new key; `error` after a wrong
/// code.
pub(super) async fn app_setup_page(
    state: &AppState,
    visitor: &Visitor,
    customer: &CustomerRecord,
    at: SetupAt,
    error: Option<String>,
) -> Result<Response> {
    let shown = kept::begin_app(state, &visitor.session, customer.email.as_str()).await?;
    let (action, required, passkey_only) = match at {
        SetupAt::SignIn { passkey_only } => (paths::SIGN_IN_ENROL, true, passkey_only),
        SetupAt::Security => (paths::ACCOUNT_TOTP, false, false),
    };
    let view = TotpSetupView {
        action,
        secret: shown.secret,
        otpauth_url: shown.url,
        qr_svg: shown.qr_svg,
        required,
        offer_passkey: required && passkeys::available(state),
        passkey_only,
        error,
    };
    let status = match view.error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    Ok(page(
        status,
        totp_setup_page(&visitor.chrome().await?, &view),
    ))
}

async fn enrol_form(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    let Some(waiting) = waiting(&state, &visitor).await? else {
        return expired(&visitor).await;
    };
    let (&Step::Enrol { accepted }, Account::Customer(customer)) =
        (&waiting.step, &waiting.account)
    else {
        return Ok(see_other(&page_for(Realm::Customers, &waiting.step)));
    };
    let passkey_only = accepted == MfaPolicy::PhishingResistant;
    let at = SetupAt::SignIn { passkey_only };
    app_setup_page(&state, &visitor, customer, at, None).await
}

async fn enrol_app(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<CodeForm>,
) -> Result<Response> {
    let Some(waiting) = waiting(&state, &visitor).await? else {
        return expired(&visitor).await;
    };
    let (&Step::Enrol { accepted }, Account::Customer(customer)) =
        (&waiting.step, &waiting.account)
    else {
        return Ok(see_other(&page_for(Realm::Customers, &waiting.step)));
    };
    if !accepted.accepts(FactorKind::Totp) {
        return Ok(see_other(paths::SIGN_IN_ENROL));
    }
    let ctx = visitor.ctx.acting_as(Caller::Customer(customer.id));
    let owner = FactorOwner::Customer(customer.id);
    let id = match kept::confirm_app(&state, &visitor.session, &ctx, owner, &form.code).await {
        Ok(id) => id,
        Err(Error::Invalid(errors)) => {
            let error = messages::shown(visitor.lang, &errors).get("code");
            // The app is refused under a passkey-only policy (above).
            let at = SetupAt::SignIn {
                passkey_only: false,
            };
            return app_setup_page(&state, &visitor, customer, at, error).await;
        }
        Err(e) => return Err(e),
    };
    match advance(&state, &visitor, None, Input::Enrolled(id)).await? {
        Outcome::Go { to, .. } => Ok(see_other(&to)),
        Outcome::Show(_) => expired(&visitor).await,
    }
}

/// After the recovery codes: wherever the sign-in leads.
async fn continue_on(visitor: Visitor) -> Result<Response> {
    if visitor.signed_in.is_none() {
        return Ok(see_other(paths::SIGN_IN));
    }
    let purpose = purpose_here(&visitor.session, Realm::Customers, None).await?;
    let step = if browser::profile_incomplete(&visitor.session).await? {
        Step::CompleteProfile(purpose)
    } else {
        Step::Done(purpose)
    };
    Ok(see_other(&page_for(Realm::Customers, &step)))
}
