//! Handlers for the customer-facing pages. Each parses the form, calls one
//! capability function, and renders a page or redirects (POST-redirect-GET).
//! A form that fails validation is rendered again with the input and errors.

use super::attribute_fields::{Shown, attribute_inputs};
use super::extract::{Customer, FormData, PROFILE_INCOMPLETE, Visitor};
use crate::attributes::{self, Editor};
use crate::error::{Error, Result};
use crate::password::Password;
use crate::signin::{REJECTED, SignInOutcome};
use crate::signup::{SignUpInput, SignUpOutcome};
use crate::state::AppState;
use crate::{account, recovery, sessions, signin, signup, verification};
use app::FieldErrors;
use app::hosted::*;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/terms", get(terms))
        .route("/signup", get(sign_up_form).post(sign_up))
        .route("/signup/check-email", get(check_email))
        .route("/verify-email", get(verify_email_form).post(verify_email))
        .route("/verify-email/resend", get(resend_form).post(resend))
        .route("/login", get(sign_in_form).post(sign_in))
        .route("/logout", post(sign_out))
        .route("/forgot-password", get(forgot_form).post(forgot))
        .route("/forgot-password/sent", get(forgot_sent))
        .route("/reset-password", get(reset_form).post(reset))
        .route("/account", get(account_page))
        .route("/account/profile", post(update_profile))
        .route("/account/complete", get(complete_form).post(complete))
        .route("/account/password", post(change_password))
        .route("/account/verify-email", post(send_verification))
}

/// Marks the customer who just signed up in this browser, so following the
/// verification link here signs them in; the link opened elsewhere only verifies.
const PENDING_SIGNUP: &str = "pending_signup";

fn page(status: StatusCode, html: String) -> Response {
    (status, Html(html)).into_response()
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

fn link(href: &str, label: &str) -> Link {
    Link {
        href: href.into(),
        label: label.into(),
    }
}

async fn message(
    visitor: &Visitor,
    title: &str,
    tone: &'static str,
    text: &str,
    links: Vec<Link>,
) -> Result<Response> {
    let view = MessageView {
        title: title.into(),
        tone,
        message: text.into(),
        links,
    };
    Ok(page(
        StatusCode::OK,
        message_page(&visitor.chrome().await?, &view),
    ))
}

async fn home(visitor: Visitor) -> Response {
    see_other(if visitor.signed_in.is_some() {
        "/account"
    } else {
        "/login"
    })
}

async fn terms(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    let text = format!(
        "These are the terms of service, version {}. The organisation running Gatehouse publishes its own terms here.",
        state.config.terms_version
    );
    message(
        &visitor,
        "Terms of service",
        "info",
        &text,
        vec![link("/signup", "Back to sign-up")],
    )
    .await
}

// --- Sign-up --------------------------------------------------------------

#[derive(Deserialize)]
struct SignUpForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    accept_terms: Option<String>,
    /// The attribute fields (`attr.<key>`).
    #[serde(flatten)]
    attributes: HashMap<String, String>,
}

async fn sign_up_view(
    state: &AppState,
    shown: &HashMap<String, String>,
    errors: &FieldErrors,
) -> Result<SignUpView> {
    let defs = state.store.list_attributes().await?;
    let fields = attributes::on_form(&defs, Editor::Customer);
    Ok(SignUpView {
        terms_version: state.config.terms_version.clone(),
        password_min: state.config.password_min_length,
        attributes: attribute_inputs(fields, Shown::Typed(shown), errors),
        ..Default::default()
    })
}

async fn sign_up_form(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    if visitor.signed_in.is_some() {
        return Ok(see_other("/account"));
    }
    let view = sign_up_view(&state, &HashMap::new(), &FieldErrors::new()).await?;
    Ok(page(
        StatusCode::OK,
        sign_up_page(&visitor.chrome().await?, &view),
    ))
}

async fn sign_up(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<SignUpForm>,
) -> Result<Response> {
    let accepted = form.accept_terms.as_deref() == Some("yes");
    let input = SignUpInput {
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        password: Password::new(form.password),
        accept_terms: accepted,
        attributes: form.attributes.clone(),
    };
    match signup::sign_up(&state, input, visitor.ip.as_deref()).await {
        Ok(outcome) => {
            if let SignUpOutcome::Created(id) = outcome {
                visitor
                    .session
                    .insert(PENDING_SIGNUP, id.0)
                    .await
                    .map_err(anyhow::Error::new)?;
            }
            Ok(see_other("/signup/check-email"))
        }
        Err(Error::Invalid(errors)) => {
            let view = SignUpView {
                email: form.email,
                display_name: form.display_name,
                accepted_terms: accepted,
                ..sign_up_view(&state, &form.attributes, &errors).await?
            };
            let view = SignUpView { errors, ..view };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                sign_up_page(&visitor.chrome().await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

async fn check_email(visitor: Visitor) -> Result<Response> {
    message(
        &visitor,
        "Check your inbox",
        "info",
        "We sent a message to the address you gave. Follow the link in it to finish setting up your account.",
        vec![link("/verify-email/resend", "Didn't get it? Send a new link"), link("/login", "Sign in")],
    )
    .await
}

// --- Email verification ------------------------------------------------------

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn verify_email_form(visitor: Visitor, Query(q): Query<TokenQuery>) -> Result<Response> {
    if !crate::secrets::looks_like_token(&q.token) {
        return Err(Error::BadRequest(
            "This verification link is incomplete. Copy the whole link from the email.".into(),
        ));
    }
    Ok(page(
        StatusCode::OK,
        verify_email_page(&visitor.chrome().await?, &q.token),
    ))
}

async fn verify_email(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<TokenQuery>,
) -> Result<Response> {
    let id = verification::verify(&state, &form.token, visitor.ip.as_deref()).await?;
    if visitor.signed_in.is_some() {
        visitor.flash("Your email address is verified.").await?;
        return Ok(see_other("/account"));
    }
    let pending: Option<Uuid> = visitor
        .session
        .remove(PENDING_SIGNUP)
        .await
        .map_err(anyhow::Error::new)?;
    if pending == Some(id.0)
        && let Some(customer) = state.store.customer_by_id(id).await?
    {
        let next = start_session(&state, &visitor, &customer).await?;
        visitor
            .flash("Your email address is verified. Welcome!")
            .await?;
        return Ok(next);
    }
    visitor
        .flash("Your email address is verified. Sign in to continue.")
        .await?;
    Ok(see_other("/login"))
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

async fn resend_form(visitor: Visitor) -> Result<Response> {
    let view = ResendVerificationView::default();
    Ok(page(
        StatusCode::OK,
        resend_verification_page(&visitor.chrome().await?, &view),
    ))
}

async fn resend(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<EmailForm>,
) -> Result<Response> {
    if let Err(e) = crate::customers::Email::parse(&form.email) {
        let view = ResendVerificationView {
            email: form.email,
            error: Some(e.into()),
        };
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            resend_verification_page(&visitor.chrome().await?, &view),
        ));
    }
    // In the background: the answer must not take longer for a real account.
    let email = form.email.clone();
    let background = state.clone();
    tokio::spawn(async move {
        if let Err(e) = verification::resend(&background, &email).await {
            tracing::error!(error = %e, "verification resend failed");
        }
    });
    message(
        &visitor,
        "Check your inbox",
        "info",
        "If that address belongs to an account that still needs verifying, a new link is on its way.",
        vec![link("/login", "Sign in")],
    )
    .await
}

async fn send_verification(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    let c = &customer.signed_in().customer;
    if !c.email_verified {
        verification::send_link(&state, c.id, &c.email, &c.display_name).await?;
    }
    customer
        .0
        .flash(&format!(
            "We sent a verification link to {}.",
            c.email.as_str()
        ))
        .await?;
    Ok(see_other("/account"))
}

// --- Sign-in and sign-out ------------------------------------------------------

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn sign_in_form(visitor: Visitor) -> Result<Response> {
    if visitor.signed_in.is_some() {
        return Ok(see_other("/account"));
    }
    let view = SignInView {
        notice: visitor.take_flash().await?,
        ..Default::default()
    };
    Ok(page(
        StatusCode::OK,
        sign_in_page(&visitor.chrome().await?, &view),
    ))
}

async fn sign_in(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<SignInForm>,
) -> Result<Response> {
    let ip = visitor.ip.as_deref();
    let (status, error) =
        match signin::sign_in(&state, &form.email, Password::new(form.password), ip).await {
            Ok(SignInOutcome::SignedIn(customer)) => {
                return start_session(&state, &visitor, &customer).await;
            }
            Ok(SignInOutcome::Rejected) => (StatusCode::UNAUTHORIZED, REJECTED.to_string()),
            Ok(SignInOutcome::Disabled) => (StatusCode::FORBIDDEN, signin::DISABLED.to_string()),
            Err(Error::Invalid(errors)) => {
                let message = errors
                    .iter()
                    .map(|(_, m)| m.to_string())
                    .collect::<Vec<_>>()
                    .join(" ");
                (StatusCode::UNPROCESSABLE_ENTITY, message)
            }
            Err(e @ Error::TooManyRequests(_)) => (e.status(), e.to_string()),
            Err(e) => return Err(e),
        };
    let view = SignInView {
        email: form.email,
        error: Some(error),
        notice: None,
    };
    Ok(page(status, sign_in_page(&visitor.chrome().await?, &view)))
}

/// Signs the customer in on this browser and sends them on: to their
/// account, or first to the details the organisation now requires of them.
async fn start_session(
    state: &AppState,
    visitor: &Visitor,
    customer: &crate::customers::Customer,
) -> Result<Response> {
    sessions::start(
        state,
        &visitor.session,
        customer,
        visitor.user_agent.as_deref(),
        visitor.ip.as_deref(),
    )
    .await?;
    if attributes::missing_for(state, customer.id)
        .await?
        .is_empty()
    {
        return Ok(see_other("/account"));
    }
    visitor
        .session
        .insert(PROFILE_INCOMPLETE, true)
        .await
        .map_err(anyhow::Error::new)?;
    Ok(see_other("/account/complete"))
}

async fn sign_out(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    sessions::end(&state, &visitor.session).await?;
    visitor.flash("You are signed out.").await?;
    Ok(see_other("/login"))
}

// --- Password recovery ------------------------------------------------------

async fn forgot_form(visitor: Visitor) -> Result<Response> {
    Ok(page(
        StatusCode::OK,
        forgot_password_page(&visitor.chrome().await?, &ForgotPasswordView::default()),
    ))
}

async fn forgot(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<EmailForm>,
) -> Result<Response> {
    match recovery::request_reset(&state, &form.email, visitor.ip.as_deref()) {
        Ok(()) => Ok(see_other("/forgot-password/sent")),
        Err(Error::Invalid(errors)) => {
            let view = ForgotPasswordView {
                email: form.email,
                error: errors.get("email"),
            };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                forgot_password_page(&visitor.chrome().await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

async fn forgot_sent(visitor: Visitor) -> Result<Response> {
    message(
        &visitor,
        "Check your inbox",
        "info",
        "If an account uses that address, we sent it a link to choose a new password. The link expires in 1 hour.",
        vec![link("/login", "Back to sign in")],
    )
    .await
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

async fn reset_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<TokenQuery>,
) -> Result<Response> {
    recovery::check_link(&state, &q.token).await?;
    let view = ResetPasswordView {
        token: q.token,
        password_min: state.config.password_min_length,
        errors: FieldErrors::new(),
    };
    Ok(page(
        StatusCode::OK,
        reset_password_page(&visitor.chrome().await?, &view),
    ))
}

async fn reset(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<ResetForm>,
) -> Result<Response> {
    match recovery::reset_password(
        &state,
        &form.token,
        Password::new(form.password),
        visitor.ip.as_deref(),
    )
    .await
    {
        Ok(_) => {
            // Every session of the customer has ended, this browser's included.
            sessions::end(&state, &visitor.session).await?;
            visitor
                .flash("Your password has been changed. Sign in with your new password.")
                .await?;
            Ok(see_other("/login"))
        }
        Err(Error::Invalid(errors)) => {
            let view = ResetPasswordView {
                token: form.token,
                password_min: state.config.password_min_length,
                errors,
            };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                reset_password_page(&visitor.chrome().await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

// --- Account ------------------------------------------------------------------

/// The account page, its profile form showing `shown` values and `errors`.
async fn account_view(
    state: &AppState,
    customer: &crate::customers::Customer,
    shown: Option<&HashMap<String, String>>,
    errors: &FieldErrors,
) -> Result<AccountView> {
    let defs = state.store.list_attributes().await?;
    let stored = state.store.customer_attributes(customer.id).await?;
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
        member_since: time::OffsetDateTime::from_unix_timestamp(customer.created_at)
            .map(|t| t.date().to_string())
            .unwrap_or_default(),
        password_min: state.config.password_min_length,
        ..Default::default()
    })
}

async fn account_page(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    let view = AccountView {
        notice: customer.0.take_flash().await?,
        ..account_view(
            &state,
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
        customer.0.ip.as_deref(),
    )
    .await
    {
        Ok(()) => {
            customer.0.flash("Your profile is saved.").await?;
            Ok(see_other("/account"))
        }
        Err(Error::Invalid(errors)) => {
            let signed_in = &customer.signed_in().customer;
            let view = AccountView {
                display_name: form.display_name,
                ..account_view(&state, signed_in, Some(&form.attributes), &errors).await?
            };
            let view = AccountView {
                profile_errors: errors,
                ..view
            };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                app::hosted::account_page(&customer.0.chrome().await?, &view),
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
    let signed_in = customer.signed_in();
    let result = account::change_password(
        &state,
        &signed_in.customer,
        signed_in.session_id,
        Password::new(form.current_password),
        Password::new(form.new_password),
        customer.0.ip.as_deref(),
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
            customer
                .0
                .flash("Your password is changed. Other devices have been signed out.")
                .await?;
            Ok(see_other("/account"))
        }
        Err(Error::Invalid(errors)) => {
            let view = AccountView {
                password_errors: errors,
                ..account_view(&state, &signed_in.customer, None, &FieldErrors::new()).await?
            };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                app::hosted::account_page(&customer.0.chrome().await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

// --- Progressive profiling ----------------------------------------------------

async fn complete_view(
    state: &AppState,
    customer: &crate::customers::Customer,
    typed: &HashMap<String, String>,
    errors: &FieldErrors,
) -> Result<CompleteProfileView> {
    let missing = attributes::missing_for(state, customer.id).await?;
    Ok(CompleteProfileView {
        attributes: attribute_inputs(missing.iter(), Shown::Typed(typed), errors),
        invalid: !errors.is_empty(),
    })
}

async fn complete_form(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    let view = complete_view(
        &state,
        &customer.signed_in().customer,
        &HashMap::new(),
        &FieldErrors::new(),
    )
    .await?;
    if view.attributes.is_empty() {
        return finish_profile(&customer).await;
    }
    Ok(page(
        StatusCode::OK,
        complete_profile_page(&customer.0.chrome().await?, &view),
    ))
}

async fn complete(
    State(state): State<AppState>,
    customer: Customer,
    FormData(form): FormData<HashMap<String, String>>,
) -> Result<Response> {
    let signed_in = &customer.signed_in().customer;
    match account::complete_profile(&state, signed_in, &form, customer.0.ip.as_deref()).await {
        Ok(()) => finish_profile(&customer).await,
        Err(Error::Invalid(errors)) => {
            let view = complete_view(&state, signed_in, &form, &errors).await?;
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                complete_profile_page(&customer.0.chrome().await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

/// Nothing is missing any more: the customer goes on to their account.
async fn finish_profile(customer: &Customer) -> Result<Response> {
    customer
        .0
        .session
        .remove::<bool>(PROFILE_INCOMPLETE)
        .await
        .map_err(anyhow::Error::new)?;
    Ok(see_other("/account"))
}
