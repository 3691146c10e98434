//! One customer's page in the console: the record, sessions and history, and
//! what admins change from there.

use super::{SignedInAdmin, answer, date_time, event_rows, page};
use crate::directory::attributes::{self, Editor};
use crate::directory::customers::{self as customer_admin, CustomerAction};
use crate::directory::search::{self};
use crate::domain::{CustomerId, Error, Problem, Record, Result};
use crate::http::attribute_fields::{Shown, attribute_inputs};
use crate::http::extract::FormData;
use crate::http::messages;
use crate::identity::signin::{Realm, account_key};
use crate::identity::{recovery, unblock};
use crate::oidc::access;
use crate::state::AppState;
use crate::throttle;
use app::FieldErrors;
use app::console::*;
use app::paths;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::CUSTOMER, get(customer_detail))
        .route(paths::CUSTOMER_PROFILE, post(edit_profile))
        .route(paths::CUSTOMER_DELETE, post(delete_customer))
        .route(paths::CUSTOMER_TIER, post(change_tier))
        .route(paths::CUSTOMER_SESSION_REVOKE, post(revoke_session))
        .route(paths::CUSTOMER_APP_REVOKE, post(revoke_app))
        .route(paths::CUSTOMER_MFA_RESET, post(reset_mfa))
        .route(paths::CUSTOMER_ACTION, post(customer_action))
}

fn parse_customer_id(raw: &str) -> Result<CustomerId> {
    Uuid::parse_str(raw)
        .map(CustomerId)
        .map_err(|_| Error::BadRequest(Problem::NotAnId(Record::Customer)))
}

/// The customer's page as `admin` sees it (buttons by role).
async fn detail_view(
    state: &AppState,
    admin: &SignedInAdmin,
    id: CustomerId,
) -> Result<CustomerDetailView> {
    let record = customer_admin::view(state, id).await?;
    let c = &record.customer;
    let tiers = &record.tiers;
    let tier = tiers.iter().find(|t| t.id == c.tier).cloned();
    let history = &record.tier_history;
    let admins = super::admin_emails(state).await?;
    let role = admin.admin().role;
    let (defs, values) = (&record.attributes, &record.values);
    let fields = attributes::on_form(defs, Editor::Admin);
    let account = account_key(Realm::Customers, &c.email);
    let blocked_sources = throttle::blocked_sources(state, &account).await?;
    let apps = access::apps_of(state, id).await?;
    Ok(CustomerDetailView {
        factors: record
            .factors
            .iter()
            .map(|f| messages::factor_row(app::Lang::En, f, date_time))
            .collect(),
        recovery_codes_left: record.recovery_codes_left,
        id: c.id.to_string(),
        email: c.email.as_str().into(),
        display_name: c.display_name.as_str().into(),
        verified: c.email_verified,
        disabled: c.disabled,
        created: date_time(c.created_at),
        last_sign_in: c
            .last_sign_in_at
            .map(date_time)
            .unwrap_or_else(|| "never".into()),
        last_sign_in_from: c
            .last_sign_in_ip
            .clone()
            .unwrap_or_else(|| "unknown".into()),
        sessions: record
            .sessions
            .iter()
            .map(|s| {
                // The console's words are English until its catalogues come.
                let lang = app::Lang::En;
                messages::device_row(lang, s, None, &state.config.places, &record.sessions)
            })
            .collect(),
        apps: apps
            .into_iter()
            .map(|a| CustomerAppRow {
                shares: a.scope.unwrap_or_default(),
                since: a.last_granted_at.map(date_time).unwrap_or_default(),
                client_id: a.client_id,
                name: a.name,
            })
            .collect(),
        blocked_sources,
        can_edit: role.can_edit_customers(),
        can_delete: role.can_delete_customers(),
        edit_email: c.email.as_str().into(),
        edit_name: c.display_name.as_str().into(),
        errors: Default::default(),
        notice: None,
        events: event_rows(&admins, &record.events),
        tier_name: tier.as_ref().map(|t| t.name.clone()).unwrap_or_default(),
        tier_colour: tier.as_ref().map(|t| t.colour.clone()).unwrap_or_default(),
        tier_id: c.tier.to_string(),
        tier_until: c.tier_expires_at.map(date_time).unwrap_or_default(),
        tier_options: tiers
            .iter()
            .filter(|t| !t.archived)
            .map(|t| (t.id.to_string(), t.name.clone()))
            .collect(),
        tier_history: super::tiers::change_rows(&admins, tiers, history, false),
        attributes: attribute_inputs(fields, Shown::Stored(values), &FieldErrors::new()),
    })
}

async fn customer_detail(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
) -> Result<Response> {
    let view = CustomerDetailView {
        notice: admin.0.take_flash().await?,
        ..detail_view(&state, &admin, parse_customer_id(&id)?).await?
    };
    Ok(page(
        StatusCode::OK,
        customer_detail_page(&admin.0.chrome().await?, &view),
    ))
}

#[derive(Deserialize)]
struct ProfileForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    /// The attribute fields (`attr.<key>`).
    #[serde(flatten)]
    attributes: HashMap<String, String>,
}

async fn edit_profile(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
    FormData(form): FormData<ProfileForm>,
) -> Result<Response> {
    let customer = parse_customer_id(&id)?;
    let ctx = &admin.0.ctx;
    let result = customer_admin::edit_profile(
        &state,
        customer,
        &form.email,
        &form.display_name,
        &form.attributes,
        ctx,
    )
    .await;
    let back = paths::at(paths::CUSTOMER, &[&customer]);
    after_form(
        &state,
        &admin,
        customer,
        result,
        "The profile is saved.",
        &back,
        |view| {
            view.edit_email = form.email;
            view.edit_name = form.display_name;
            for input in &mut view.attributes {
                input.value = form
                    .attributes
                    .get(&input.name)
                    .cloned()
                    .unwrap_or_default();
                input.error = view.errors.get(&input.name);
            }
        },
    )
    .await
}

/// How every form on a customer's page ends: on success a confirmation and
/// a redirect to `to`; on invalid input the page again, with the errors and
/// what `keep` restores of the input (422); any other error as it is.
async fn after_form(
    state: &AppState,
    admin: &SignedInAdmin,
    customer: CustomerId,
    result: Result<()>,
    done: &str,
    to: &str,
    keep: impl FnOnce(&mut CustomerDetailView),
) -> Result<Response> {
    let saved = |()| (done.to_string(), to.to_string());
    answer(admin, result, saved, async |errors| {
        let mut view = CustomerDetailView {
            errors: super::shown(&errors),
            ..detail_view(state, admin, customer).await?
        };
        keep(&mut view);
        Ok(customer_detail_page(&admin.0.chrome().await?, &view))
    })
    .await
}

#[derive(Deserialize)]
struct DeleteForm {
    #[serde(default)]
    confirm_email: String,
}

async fn delete_customer(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
    FormData(form): FormData<DeleteForm>,
) -> Result<Response> {
    let customer = parse_customer_id(&id)?;
    let result = customer_admin::delete(&state, customer, &form.confirm_email, &admin.0.ctx).await;
    let done = "The customer is deleted.";
    after_form(
        &state,
        &admin,
        customer,
        result,
        done,
        paths::CUSTOMERS,
        |_| {},
    )
    .await
}

async fn customer_action(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path((id, action)): Path<(String, String)>,
) -> Result<Response> {
    let customer = parse_customer_id(&id)?;
    let action = CustomerAction::parse(&action).ok_or(Error::NotFound)?;
    let ctx = &admin.0.ctx;
    let sent = match action {
        CustomerAction::SendPasswordReset => recovery::send_by_admin(&state, ctx, customer).await?,
        CustomerAction::UnblockSignIn => {
            unblock::by_admin(&state, ctx, customer).await?;
            true
        }
        other => {
            customer_admin::act(&state, customer, other, ctx).await?;
            true
        }
    };
    admin.0.flash(messages::action_done(action, sent)).await?;
    Ok(Redirect::to(&paths::at(paths::CUSTOMER, &[&customer])).into_response())
}

#[derive(Deserialize)]
struct TierForm {
    #[serde(default)]
    tier: String,
    #[serde(default)]
    reason: String,
    /// The last day in the tier (YYYY-MM-DD), or empty for no end.
    #[serde(default)]
    expires: String,
}

async fn change_tier(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
    FormData(form): FormData<TierForm>,
) -> Result<Response> {
    let customer = parse_customer_id(&id)?;
    let to = Uuid::parse_str(form.tier.trim())
        .map(crate::domain::TierId)
        .map_err(|_| Error::BadRequest(Problem::ChooseTier))?;
    let result = match search::day(&form.expires, "until") {
        // The assignment ends as the chosen day begins (UTC).
        Ok(until) => {
            let ctx = &admin.0.ctx;
            crate::directory::tier_moves::assign(&state, customer, to, &form.reason, until, ctx)
                .await
        }
        Err(Error::BadRequest(problem)) => Err(Error::invalid("expires", problem)),
        Err(e) => Err(e),
    };
    let back = paths::at(paths::CUSTOMER, &[&customer]);
    let done = "The customer's tier is changed.";
    after_form(&state, &admin, customer, result, done, &back, |_| {}).await
}

async fn revoke_session(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path((id, session)): Path<(String, String)>,
) -> Result<Response> {
    let customer = parse_customer_id(&id)?;
    let session = Uuid::parse_str(&session)
        .map_err(|_| Error::BadRequest(Problem::NotAnId(Record::Session)))?;
    let ctx = &admin.0.ctx;
    customer_admin::revoke_session(&state, customer, session, ctx).await?;
    admin.0.flash("That session has ended.").await?;
    Ok(Redirect::to(&paths::at(paths::CUSTOMER, &[&customer])).into_response())
}

async fn revoke_app(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path((id, client)): Path<(String, String)>,
) -> Result<Response> {
    let customer = parse_customer_id(&id)?;
    access::revoke(&state, &admin.0.ctx, customer, &client).await?;
    admin
        .0
        .flash("The application no longer has access to the customer's account.")
        .await?;
    Ok(Redirect::to(&paths::at(paths::CUSTOMER, &[&customer])).into_response())
}

/// Support or an owner removes the customer's second factors (a lost
/// phone): they enrol again at the next sign-in if their tier requires it.
async fn reset_mfa(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
) -> Result<Response> {
    let customer = parse_customer_id(&id)?;
    let removed = crate::mfa::enrol::reset(&state, &admin.0.ctx, customer).await?;
    let message = format!(
        "MFA is reset: {removed} second factor(s) and every recovery code removed. The customer sets up a factor again if their tier requires it."
    );
    admin.0.flash(&message).await?;
    Ok(Redirect::to(&paths::at(paths::CUSTOMER, &[&customer])).into_response())
}
