//! The customer's security page (their factors, recovery codes) and the
//! step-up check before sensitive actions.

use super::mfa::{
    CodeForm, SetupAt, app_setup_page, codes_left_notice, refused, second_factor_view,
};
use super::{page, see_other};
use crate::domain::SignedIn;
use crate::domain::mfa::{Factor, FactorKind, MfaProblem};
use crate::domain::{CustomerId, Error, Result};
use crate::http::extract::{Customer, FormData, Visitor};
use crate::http::kept;
use crate::http::messages;
use crate::mfa::check;
use crate::mfa::{enrol, passkeys};
use crate::state::AppState;
use crate::store::FactorOwner;
use app::Lang;
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
        .route(paths::ACCOUNT_SECURITY, get(security))
        .route(paths::ACCOUNT_TOTP, get(app_form).post(add_app))
        .route(paths::ACCOUNT_FACTOR_REMOVE, post(remove))
        .route(
            paths::ACCOUNT_RECOVERY_CODES,
            get(show_codes).post(new_codes),
        )
        .route(paths::ACCOUNT_STEP_UP, get(step_up_form).post(step_up))
}

fn factor_row(lang: Lang, f: &Factor) -> FactorRow {
    messages::factor_row(lang, f, |at| messages::on_day(lang, at))
}

async fn security_view(state: &AppState, lang: Lang, signed_in: &SignedIn) -> Result<SecurityView> {
    let id = signed_in.customer.id;
    let factors = enrol::factors(state, FactorOwner::Customer(id)).await?;
    let policy = crate::mfa::policy::for_customer(state, id).await?;
    Ok(SecurityView {
        passkeys: passkeys::available(state),
        has_app: factors.iter().any(|f| f.kind == FactorKind::Totp),
        factors: factors.iter().map(|f| factor_row(lang, f)).collect(),
        recovery_codes_left: enrol::recovery_codes_left(state, id).await?,
        policy: messages::policy_words(lang, policy.policy),
        ..Default::default()
    })
}

async fn security(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    let view = SecurityView {
        notice: customer.0.take_flash().await?,
        ..security_view(&state, customer.0.lang, customer.signed_in()).await?
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
            let error = messages::shown(visitor.lang, &errors).get("code");
            let record = &signed_in.customer;
            return app_setup_page(&state, visitor, record, SetupAt::Security, error).await;
        }
        Err(e) => return Err(e),
    }
    // The code just typed is a second factor shown now.
    enrol::stepped_up(&state, signed_in, FactorKind::Totp).await?;
    after_enrolment(visitor, &visitor.lang.t("factor-app-on")).await
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
    let removed = enrol::remove(&state, &customer.0.ctx, owner, id).await?;
    let done = customer
        .0
        .lang
        .tf("factor-removed", &[("name", removed.name.into())]);
    customer.0.flash(&done).await?;
    Ok(see_other(paths::ACCOUNT_SECURITY))
}

async fn new_codes(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    if let Some(r) = step_up_first(&state, &customer, paths::ACCOUNT_SECURITY).await? {
        return Ok(r);
    }
    let id = customer.signed_in().customer.id;
    if enrol::factors(&state, FactorOwner::Customer(id))
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
        email: match &visitor.signed_in {
            Some(signed_in) => signed_in.customer.email.as_str().into(),
            None => String::new(),
        },
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
    let kind = match messages::code_answer(customer.0.lang, checked)? {
        Ok(kind) => kind,
        Err(refusal) => {
            let view = step_up_view(&state, id, &form.next).await?;
            return Ok(refused(&customer.0.chrome().await?, view, refusal));
        }
    };
    enrol::stepped_up(&state, signed_in, kind).await?;
    if kind == FactorKind::RecoveryCode {
        codes_left_notice(&state, &customer.0, id).await?;
    }
    Ok(see_other(step_up_target(&form.next)))
}
