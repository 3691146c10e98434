//! Second factors in the browser: sign-in's second step (a code, or setting
//! up a factor the policy requires), the customer's security page, and the
//! step-up check before sensitive actions.

use super::signin::advance;
use super::{page, see_other};
use crate::domain::SignedIn;
use crate::domain::mfa::{Factor, FactorKind, MfaPolicy, MfaProblem};
use crate::domain::{Caller, Customer as CustomerRecord, CustomerId, Error, Result};
use crate::http::browser;
use crate::http::error::retry_after_header;
use crate::http::extract::{Customer, FormData, REMEMBER_COOKIE, Visitor};
use crate::http::journey::{self, Outcome, page_for, purpose_here};
use crate::http::kept;
use crate::http::messages;
use crate::identity::signin::{self, Account, Began, Input, Realm, Step, Waiting};
use crate::mfa::check;
use crate::mfa::{enrol, passkeys};
use crate::state::AppState;
use crate::store::FactorOwner;
use app::hosted::*;
use app::paths;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::SIGN_IN_VERIFY, get(verify_form).post(verify))
        .route(paths::SIGN_IN_ENROL, get(enrol_form).post(enrol_app))
        .route(paths::SIGN_IN_CONTINUE, get(continue_on))
        .route(paths::ACCOUNT_SECURITY, get(security))
        .route(paths::ACCOUNT_TOTP, get(app_form).post(add_app))
        .route(paths::ACCOUNT_FACTOR_REMOVE, post(remove))
        .route(
            paths::ACCOUNT_RECOVERY_CODES,
            get(show_codes).post(new_codes),
        )
        .route(paths::ACCOUNT_STEP_UP, get(step_up_form).post(step_up))
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    remember: String,
    #[serde(default)]
    next: String,
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
fn second_factor_view(
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
fn refused(
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
            if let Some(Began::Customer { id, .. }) = began
                && form.remember == "yes"
                && let Some((token, lifetime)) = enrol::remember(&state, id).await?
            {
                set_remember_cookie(&state, &mut response, &token, lifetime);
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
enum SetupAt {
    /// At sign-in, which the policy holds until a factor is added: a
    /// passkey is offered beside the app (or alone, `passkey_only`).
    SignIn { passkey_only: bool },
    /// From the security page, which has its own passkey button.
    Security,
}

/// The authenticator-app setup page with a new key; `error` after a wrong
/// code.
async fn app_setup_page(
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
            let error = app::FieldErrors::from(errors).get("code");
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

fn day(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

fn factor_row(f: &Factor) -> FactorRow {
    FactorRow {
        id: f.id.to_string(),
        kind: messages::factor_kind_words(f.kind),
        name: f.name.clone(),
        created: day(f.created_at),
        last_used: f.last_used_at.map_or_else(|| "never".into(), day),
    }
}

async fn security_view(state: &AppState, signed_in: &SignedIn) -> Result<SecurityView> {
    let id = signed_in.customer.id;
    let factors = enrol::factors(state, FactorOwner::Customer(id)).await?;
    let policy = crate::mfa::policy::for_customer(state, id).await?;
    Ok(SecurityView {
        passkeys: passkeys::available(state),
        has_app: factors.iter().any(|f| f.kind == FactorKind::Totp),
        factors: factors.iter().map(factor_row).collect(),
        recovery_codes_left: enrol::recovery_codes_left(state, id).await?,
        policy: crate::http::messages::policy_words(policy.policy).into(),
        ..Default::default()
    })
}

async fn security(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    let view = SecurityView {
        notice: customer.0.take_flash().await?,
        ..security_view(&state, customer.signed_in()).await?
    };
    Ok(page(
        StatusCode::OK,
        security_page(&customer.0.chrome().await?, &view),
    ))
}

/// A sensitive action asks for a recent second factor first: the step-up
/// page, which comes back to `here`.
pub(super) async fn step_up_first(
    state: &AppState,
    customer: &Customer,
    here: &str,
) -> Result<Option<Response>> {
    if !enrol::step_up_due(state, customer.signed_in()).await? {
        return Ok(None);
    }
    Ok(Some(see_other(&step_up_url(here))))
}

/// The step-up page, coming back to `here` afterwards.
pub(super) fn step_up_url(here: &str) -> String {
    let here: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    format!("{}?next={here}", paths::ACCOUNT_STEP_UP)
}

async fn app_form(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    if let Some(r) = step_up_first(&state, &customer, paths::ACCOUNT_TOTP).await? {
        return Ok(r);
    }
    let record = &customer.signed_in().customer;
    app_setup_page(&state, &customer.0, record, SetupAt::Security, None).await
}

async fn add_app(
    State(state): State<AppState>,
    customer: Customer,
    FormData(form): FormData<CodeForm>,
) -> Result<Response> {
    if let Some(r) = step_up_first(&state, &customer, paths::ACCOUNT_TOTP).await? {
        return Ok(r);
    }
    let signed_in = customer.signed_in();
    let owner = FactorOwner::Customer(signed_in.customer.id);
    let visitor = &customer.0;
    match kept::confirm_app(&state, &visitor.session, &visitor.ctx, owner, &form.code).await {
        Ok(_) => {}
        Err(Error::Invalid(errors)) => {
            let error = app::FieldErrors::from(errors).get("code");
            let record = &signed_in.customer;
            return app_setup_page(&state, visitor, record, SetupAt::Security, error).await;
        }
        Err(e) => return Err(e),
    }
    // The code just typed is a second factor shown now.
    enrol::stepped_up(&state, signed_in, FactorKind::Totp).await?;
    after_enrolment(visitor, "Your authenticator app is on.").await
}

/// After a factor is added on the security page: the recovery codes made
/// with a first factor, or back to the page.
pub(super) async fn after_enrolment(visitor: &Visitor, done: &str) -> Result<Response> {
    visitor.flash(done).await?;
    Ok(see_other(if kept::codes_waiting(&visitor.session).await? {
        paths::ACCOUNT_RECOVERY_CODES
    } else {
        paths::ACCOUNT_SECURITY
    }))
}

#[derive(Deserialize)]
struct FactorQuery {
    #[serde(default)]
    id: String,
}

async fn remove(
    State(state): State<AppState>,
    customer: Customer,
    Query(query): Query<FactorQuery>,
) -> Result<Response> {
    if let Some(r) = step_up_first(&state, &customer, paths::ACCOUNT_SECURITY).await? {
        return Ok(r);
    }
    let Ok(id) = Uuid::parse_str(&query.id) else {
        return Err(Error::Conflict(MfaProblem::FactorGone.into()));
    };
    let owner = FactorOwner::Customer(customer.signed_in().customer.id);
    enrol::remove(&state, &customer.0.ctx, owner, id).await?;
    customer.0.flash("Removed.").await?;
    Ok(see_other(paths::ACCOUNT_SECURITY))
}

async fn new_codes(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    if let Some(r) = step_up_first(&state, &customer, paths::ACCOUNT_SECURITY).await? {
        return Ok(r);
    }
    let id = customer.signed_in().customer.id;
    if state
        .store
        .factors(FactorOwner::Customer(id))
        .await?
        .is_empty()
    {
        return Ok(see_other(paths::ACCOUNT_SECURITY));
    }
    let codes = enrol::new_recovery_codes(&state, &customer.0.ctx, id).await?;
    kept::keep_codes(&customer.0.session, codes).await?;
    Ok(see_other(paths::ACCOUNT_RECOVERY_CODES))
}

/// The recovery codes just made, shown once (a signed-in visitor: the page
/// comes before any details the organisation still requires).
async fn show_codes(visitor: Visitor) -> Result<Response> {
    if visitor.signed_in.is_none() {
        return Ok(see_other(paths::SIGN_IN));
    }
    let Some(codes) = kept::take_new_codes(&visitor.session).await? else {
        return Ok(see_other(paths::ACCOUNT_SECURITY));
    };
    let view = RecoveryCodesView {
        codes,
        continue_href: paths::SIGN_IN_CONTINUE,
    };
    let mut response = page(
        StatusCode::OK,
        recovery_codes_page(&visitor.chrome().await?, &view),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Deserialize)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Where a step-up may lead back to: Gatehouse's own pages that ask for
/// one, never another site.
pub(super) fn step_up_target(next: &str) -> &str {
    let ours = next.starts_with("/account")
        || next == paths::AUTHORIZE_RESUME
        || next == paths::DEVICE_CONFIRM;
    if ours && !next.starts_with("//") {
        next
    } else {
        paths::ACCOUNT_SECURITY
    }
}

/// The step-up page for `customer`, coming back to `next`.
async fn step_up_view(state: &AppState, id: CustomerId, next: &str) -> Result<SecondFactorView> {
    let policy = crate::mfa::policy::for_customer(state, id).await?;
    let factors = enrol::factors(state, FactorOwner::Customer(id)).await?;
    let held: Vec<FactorKind> = factors.iter().map(|f| f.kind).collect();
    let action = paths::ACCOUNT_STEP_UP;
    Ok(SecondFactorView {
        next: Some(step_up_target(next).to_string()),
        ..second_factor_view(state, &held, policy.policy, policy.remember_days, action)
    })
}

async fn step_up_form(
    State(state): State<AppState>,
    customer: Customer,
    Query(query): Query<NextQuery>,
) -> Result<Response> {
    let id = customer.signed_in().customer.id;
    let view = step_up_view(&state, id, &query.next).await?;
    Ok(page(
        StatusCode::OK,
        second_factor_page(&customer.0.chrome().await?, &view),
    ))
}

async fn step_up(
    State(state): State<AppState>,
    customer: Customer,
    FormData(form): FormData<CodeForm>,
) -> Result<Response> {
    let signed_in = customer.signed_in();
    let id = signed_in.customer.id;
    let policy = crate::mfa::policy::for_customer(&state, id).await?;
    let owner = FactorOwner::Customer(id);
    let checked = check::code(&state, &customer.0.ctx, owner, policy.policy, &form.code).await;
    let kind = match messages::code_answer(checked)? {
        Ok(kind) => kind,
        Err(refusal) => {
            let view = step_up_view(&state, id, &form.next).await?;
            return Ok(refused(&customer.0.chrome().await?, view, refusal));
        }
    };
    enrol::stepped_up(&state, signed_in, kind).await?;
    Ok(see_other(step_up_target(&form.next)))
}
