//! The account page: profile and password.

use super::{page, see_other};
use crate::directory::attributes::{self, Editor};
use crate::domain::{Error, Result};
use crate::http::attribute_fields::{Shown, attribute_inputs};
use crate::http::browser;
use crate::http::extract::{Customer, FormData, Visitor};
use crate::http::messages;
use crate::identity::{account, sessions};
use crate::mfa::enrol;
use crate::oidc::access;
use crate::password::Password;
use crate::state::AppState;
use crate::store::FactorOwner;
use app::FieldErrors;
use app::Lang;
use app::hosted::*;
use app::paths;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::ACCOUNT, get(account_page))
        .route(paths::ACCOUNT_PROFILE, post(update_profile))
        .route(paths::ACCOUNT_PASSWORD, post(change_password))
        .route(paths::ACCOUNT_DELETE, get(delete_form).post(delete))
        .route(paths::ACCOUNT_EMAIL, post(change_email))
        .route(
            paths::ACCOUNT_EMAIL_CONFIRM,
            get(confirm_email_form).post(confirm_email),
        )
}

/// The account page in `lang`, its profile form showing `shown` values and
/// `errors`, and a line on each of the customer's security, devices and
/// applications.
async fn account_view(
    state: &AppState,
    lang: Lang,
    customer: &crate::domain::Customer,
    shown: Option<&HashMap<String, String>>,
    errors: &FieldErrors,
) -> Result<AccountView> {
    let id = customer.id;
    let factors = enrol::factors(state, FactorOwner::Customer(id)).await?;
    let recovery_codes_left = if factors.is_empty() {
        0
    } else {
        enrol::recovery_codes_left(state, id).await?
    };
    let (defs, stored) = crate::directory::attributes::of_customer(state, customer.id).await?;
    let shown = match shown {
        Some(typed) => Shown::Typed(typed),
        None => Shown::Stored(&stored),
    };
    let fields = attributes::on_form(&defs, Editor::Customer);
    Ok(AccountView {
        attributes: attribute_inputs(fields, shown, errors),
        email: customer.email.as_str().into(),
        email_verified: customer.email_verified,
        display_name: customer.display_name.as_str().into(),
        member_since: messages::on_day(lang, customer.created_at),
        password_min: state.config.password_policy.min_length,
        factors: factors.len(),
        recovery_codes_left,
        devices: sessions::devices_of(state, id).await?.len(),
        apps: access::apps_of(state, id).await?.len(),
        ..Default::default()
    })
}

async fn account_page(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    let view = AccountView {
        notice: customer.0.take_flash().await?,
        ..account_view(
            &state,
            customer.0.lang,
            &customer.signed_in().customer,
            None,
            &FieldErrors::new(),
        )
        .await?
    };
    Ok(page(
        StatusCode::OK,
        app::hosted::account_page(&customer.0.chrome().await?, &view),
    ))
}

#[derive(Deserialize)]
struct ProfileForm {
    #[serde(default)]
    display_name: String,
    /// The attribute fields (`attr.<key>`).
    #[serde(flatten)]
    attributes: HashMap<String, String>,
}

async fn update_profile(
    State(state): State<AppState>,
    customer: Customer,
    FormData(form): FormData<ProfileForm>,
) -> Result<Response> {
    match account::update_profile(
        &state,
        &customer.signed_in().customer,
        &form.display_name,
        &form.attributes,
        &customer.0.ctx,
    )
    .await
    {
        Ok(()) => {
            let done = customer.0.lang.t("account-notice-profile-saved");
            customer.0.flash(&done).await?;
            Ok(see_other(paths::ACCOUNT))
        }
        Err(Error::Invalid(errors)) => {
            let signed_in = &customer.signed_in().customer;
            let lang = customer.0.lang;
            let errors = messages::shown(lang, &errors);
            let view = AccountView {
                display_name: form.display_name,
                ..account_view(&state, lang, signed_in, Some(&form.attributes), &errors).await?
            };
            let view = AccountView {
                profile_errors: errors,
                ..view
            };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                app::hosted::account_page(&customer.0.chrome_at(paths::ACCOUNT).await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    customer: Customer,
    FormData(form): FormData<PasswordForm>,
) -> Result<Response> {
    // A new password needs a recent second factor, when the customer has one.
    if let Some(step_up) = super::security::step_up_first(&state, &customer, paths::ACCOUNT).await?
    {
        return Ok(step_up);
    }
    let signed_in = customer.signed_in();
    let result = account::change_password(
        &state,
        &signed_in.customer,
        signed_in.session_id,
        Password::new(form.current_password),
        Password::new(form.new_password),
        &customer.0.ctx,
    )
    .await;
    match result {
        Ok(()) => {
            // A privilege-relevant change: issue a fresh cookie id.
            customer
                .0
                .session
                .cycle_id()
                .await
                .map_err(anyhow::Error::new)?;
            let done = customer.0.lang.t("account-notice-password-changed");
            customer.0.flash(&done).await?;
            Ok(see_other(paths::ACCOUNT))
        }
        Err(Error::Invalid(errors)) => {
            let lang = customer.0.lang;
            let view = AccountView {
                password_errors: messages::shown(lang, &errors),
                ..account_view(&state, lang, &signed_in.customer, None, &FieldErrors::new()).await?
            };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                app::hosted::account_page(&customer.0.chrome_at(paths::ACCOUNT).await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

async fn delete_form(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    if let Some(r) =
        super::security::step_up_first(&state, &customer, paths::ACCOUNT_DELETE).await?
    {
        return Ok(r);
    }
    let view = DeleteAccountView {
        email: customer.signed_in().customer.email.as_str().into(),
        error: None,
    };
    Ok(page(
        StatusCode::OK,
        delete_account_page(&customer.0.chrome().await?, &view),
    ))
}

#[derive(Deserialize)]
struct DeleteForm {
    #[serde(default)]
    current_password: String,
}

async fn delete(
    State(state): State<AppState>,
    customer: Customer,
    FormData(form): FormData<DeleteForm>,
) -> Result<Response> {
    if let Some(r) =
        super::security::step_up_first(&state, &customer, paths::ACCOUNT_DELETE).await?
    {
        return Ok(r);
    }
    let record = &customer.signed_in().customer;
    let password = Password::new(form.current_password);
    match account::delete_own(&state, record, password, &customer.0.ctx).await {
        Ok(()) => {}
        Err(Error::Invalid(errors)) => {
            let errors = messages::shown(customer.0.lang, &errors);
            let view = DeleteAccountView {
                email: record.email.as_str().into(),
                error: errors.get("current_password"),
            };
            return Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                delete_account_page(&customer.0.chrome().await?, &view),
            ));
        }
        Err(e) => return Err(e),
    }
    browser::end(&state, &customer.0.session).await?;
    let t = customer.0.lang;
    let view = MessageView {
        title: t.t("deleted-title"),
        tone: "success",
        message: t.t("deleted"),
        links: vec![Link {
            href: paths::SIGN_UP.into(),
            label: t.t("deleted-create"),
        }],
    };
    let chrome = app::Chrome {
        customer_name: None,
        ..customer.0.chrome().await?
    };
    Ok(page(StatusCode::OK, message_page(&chrome, &view)))
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    new_email: String,
    #[serde(default)]
    current_password: String,
}

async fn change_email(
    State(state): State<AppState>,
    customer: Customer,
    FormData(form): FormData<EmailForm>,
) -> Result<Response> {
    // A new address needs a recent second factor, when the customer has one.
    if let Some(step_up) = super::security::step_up_first(&state, &customer, paths::ACCOUNT).await?
    {
        return Ok(step_up);
    }
    let record = &customer.signed_in().customer;
    let password = Password::new(form.current_password);
    let ctx = &customer.0.ctx;
    match account::request_email_change(&state, record, &form.new_email, password, ctx).await {
        Ok(new) => {
            let message = customer.0.lang.tf(
                "account-notice-email-link-sent",
                &[
                    ("new", new.as_str().into()),
                    ("old", record.email.as_str().into()),
                ],
            );
            customer.0.flash(&message).await?;
            Ok(see_other(paths::ACCOUNT))
        }
        Err(Error::Invalid(errors)) => {
            let lang = customer.0.lang;
            let view = AccountView {
                new_email: form.new_email,
                email_errors: messages::shown(lang, &errors),
                ..account_view(&state, lang, record, None, &FieldErrors::new()).await?
            };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                app::hosted::account_page(&customer.0.chrome_at(paths::ACCOUNT).await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    token: String,
}

async fn confirm_email_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<TokenForm>,
) -> Result<Response> {
    let new = account::email_change_for(&state, &query.token).await?;
    let view = ConfirmEmailView {
        token: query.token,
        new_email: new.as_str().into(),
    };
    Ok(page(
        StatusCode::OK,
        confirm_email_page(&visitor.chrome().await?, &view),
    ))
}

async fn confirm_email(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<TokenForm>,
) -> Result<Response> {
    let new = account::confirm_email_change(&state, &form.token, &visitor.ctx).await?;
    // Every session of the account ended; this browser's too.
    browser::end(&state, &visitor.session).await?;
    let t = visitor.lang;
    let view = MessageView {
        title: t.t("email-changed-title"),
        tone: "success",
        message: t.tf("email-changed", &[("email", new.as_str().into())]),
        links: vec![Link {
            href: paths::SIGN_IN.into(),
            label: t.t("sign-in-title"),
        }],
    };
    let chrome = app::Chrome {
        customer_name: None,
        ..visitor.chrome().await?
    };
    Ok(page(StatusCode::OK, message_page(&chrome, &view)))
}
