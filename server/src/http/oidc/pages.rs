//! The OpenID Connect pages of the customer's browser session: the
//! authorization endpoint (GET, or a POSTed form sent on as the GET), the
//! consent and device confirmation pages (each answering only what it
//! showed), RP-initiated logout, and the applications at `/account/apps`.

use super::is_form;
use crate::domain::{Error, Result};
use crate::http::browser::{self, PendingAuthorization};
use crate::http::error::error_page;
use crate::http::extract::{Customer, FormData, Visitor};
use crate::http::messages;
use crate::oidc::authorize::{self, AuthRequest, Step};
use crate::oidc::issuer;
use crate::oidc::{access, device, logout};
use crate::state::AppState;
use app::hosted::{
    AppRow, AppsView, ConsentView, DeviceView, Link, MessageView, SignOutView, apps_page,
    consent_page, device_page, message_page, sign_out_page,
};
use app::paths;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

/// Pages of the customer's browser session.
pub fn hosted_router() -> Router<AppState> {
    Router::new()
        .route(paths::AUTHORIZE, get(authorize).post(authorize_posted))
        .route(paths::AUTHORIZE_RESUME, get(resume))
        .route(paths::CONSENT, post(consent))
        .route(
            paths::END_SESSION,
            get(end_session).post(end_session_confirmed),
        )
        .route(paths::DEVICE, get(device_form).post(device_code_entered))
        .route(
            paths::DEVICE_CONFIRM,
            get(device_confirm).post(device_answer),
        )
        .route(paths::ACCOUNT_APPS, get(account_apps))
        .route(paths::ACCOUNT_APPS_REVOKE, post(revoke_app))
}

/// `/account/apps`: the applications that hold access, each removable.
async fn account_apps(State(state): State<AppState>, customer: Customer) -> Result<Response> {
    let apps = access::apps_of(&state, customer.signed_in().customer.id).await?;
    let day = |at: i64| {
        time::OffsetDateTime::from_unix_timestamp(at)
            .map(|t| t.date().to_string())
            .unwrap_or_default()
    };
    let view = AppsView {
        apps: apps
            .into_iter()
            .map(|app| AppRow {
                shares: app
                    .scope
                    .unwrap_or_default()
                    .split_whitespace()
                    .filter_map(messages::scope_description)
                    .map(str::to_string)
                    .collect(),
                since: app.last_granted_at.map(day).unwrap_or_default(),
                client_id: app.client_id,
                name: app.name,
            })
            .collect(),
        notice: customer.0.take_flash().await?,
    };
    Ok(Html(apps_page(&customer.0.chrome().await?, &view)).into_response())
}

#[derive(Deserialize)]
struct RevokeAppForm {
    #[serde(default)]
    client_id: String,
}

async fn revoke_app(
    State(state): State<AppState>,
    customer: Customer,
    FormData(form): FormData<RevokeAppForm>,
) -> Result<Response> {
    let signed_in = customer.signed_in();
    access::revoke(
        &state,
        &customer.0.ctx,
        signed_in.customer.id,
        &form.client_id,
    )
    .await?;
    customer
        .0
        .flash("The application no longer has access to your account.")
        .await?;
    Ok(Redirect::to(paths::ACCOUNT_APPS).into_response())
}

async fn authorize(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let params = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    authorization_request(&state, &visitor, params).await
}

/// The same request sent as a form (OpenID Connect Core §3.1.2.1): sent
/// on as the GET it is equivalent to. A cross-site POST carries no
/// `SameSite=Lax` cookie, so answering it here would not see the
/// customer's session; the GET it becomes does. The CSRF guard lets it
/// through: it comes from the application's page and changes nothing.
async fn authorize_posted(headers: HeaderMap, body: Bytes) -> Response {
    if !is_form(&headers) {
        return error_page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported request",
            "Send the authorization request as a form (application/x-www-form-urlencoded).".into(),
        );
    }
    // The parameters' own bounds (64 of at most 2 KiB) are checked on the
    // GET; a body far beyond them is refused here, unread into a URL.
    if body.len() > 32 * 1024 {
        return error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request too large",
            "The authorization request is too large.".into(),
        );
    }
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(url::form_urlencoded::parse(&body))
        .finish();
    Redirect::to(&format!("{}?{query}", paths::AUTHORIZE)).into_response()
}

async fn authorization_request(
    state: &AppState,
    visitor: &Visitor,
    params: Vec<(String, String)>,
) -> Result<Response> {
    let pending = PendingAuthorization::new(params, visitor.signed_in.as_ref());
    proceed(state, visitor, pending, false).await
}

/// Back from the sign-in (or sign-up) pages with a pending request.
#[derive(Deserialize)]
struct ResumeQuery {
    #[serde(default)]
    request: String,
}

/// After a sign-in: on with the request it was for (else the latest).
async fn resume(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<ResumeQuery>,
) -> Result<Response> {
    let named = browser::authorization(&visitor.session, &query.request).await?;
    let pending = match named {
        Some(pending) => Some(pending),
        None => browser::pending_authorization(&visitor.session).await?,
    };
    match pending {
        Some(pending) => proceed(&state, &visitor, pending, true).await,
        None => Ok(Redirect::to(paths::ACCOUNT).into_response()),
    }
}

/// Runs the request's next step. `after_form` says the browser came here
/// by a redirect from a form: a redirect to the application would then be
/// refused by the form's `form-action 'self'` policy, so a short page
/// sends the browser on instead.
async fn proceed(
    state: &AppState,
    visitor: &Visitor,
    pending: PendingAuthorization,
    after_form: bool,
) -> Result<Response> {
    let request = match authorize::parse(state, &pending.params).await {
        Ok(Ok(request)) => request,
        Ok(Err(rejection)) => {
            browser::drop_authorization(&visitor.session, &pending.id).await?;
            let location = rejection.location(&issuer(state));
            return Ok(Redirect::to(&location).into_response());
        }
        Err(e) => {
            browser::drop_authorization(&visitor.session, &pending.id).await?;
            return Err(e);
        }
    };
    let signed_in = visitor.signed_in.as_ref();
    let signed_in_for_it = signed_in.is_some_and(|s| pending.signed_in_since(s));
    let step =
        authorize::decide(state, &visitor.ctx, &request, signed_in, signed_in_for_it).await?;
    match step {
        Step::SignIn => {
            browser::hold_authorization(&visitor.session, &pending).await?;
            let page = if request.prompt.create {
                paths::SIGN_UP.to_string()
            } else {
                let id: String =
                    url::form_urlencoded::byte_serialize(pending.id.as_bytes()).collect();
                format!("{}?request={id}", paths::SIGN_IN)
            };
            Ok(Redirect::to(&page).into_response())
        }
        Step::StepUp => {
            browser::hold_authorization(&visitor.session, &pending).await?;
            let resume: String =
                url::form_urlencoded::byte_serialize(paths::AUTHORIZE_RESUME.as_bytes()).collect();
            let to = format!("{}?next={resume}", paths::ACCOUNT_STEP_UP);
            Ok(Redirect::to(&to).into_response())
        }
        Step::Consent => {
            browser::hold_authorization(&visitor.session, &pending).await?;
            consent_form(visitor, &request, &pending.id).await
        }
        Step::Redirect(location) => {
            browser::drop_authorization(&visitor.session, &pending.id).await?;
            if after_form {
                continue_page(visitor, &request.client.name, &location).await
            } else {
                Ok(Redirect::to(&location).into_response())
            }
        }
    }
}

async fn consent_form(visitor: &Visitor, request: &AuthRequest, id: &str) -> Result<Response> {
    let Some(signed_in) = &visitor.signed_in else {
        return Ok(Redirect::to(paths::SIGN_IN).into_response());
    };
    let view = ConsentView {
        app_name: request.client.name.clone(),
        logo_url: request.client.logo_url.clone(),
        shares: shares(&request.scopes),
        customer_email: signed_in.customer.email.as_str().to_string(),
        action: paths::CONSENT,
        answers: id.to_string(),
        device_code: None,
    };
    Ok(Html(consent_page(&visitor.chrome().await?, &view)).into_response())
}

#[derive(Deserialize)]
struct ConsentForm {
    #[serde(default)]
    decision: String,
    /// What the page asked about: the pending request's id, or the
    /// device's user code.
    #[serde(default)]
    answers: String,
}

impl ConsentForm {
    /// Allow or deny, as the two buttons send it.
    fn allowed(&self) -> Result<bool> {
        match self.decision.as_str() {
            "allow" => Ok(true),
            "deny" => Ok(false),
            _ => Err(Error::BadRequest(crate::domain::Problem::UnreadableForm(
                "decision".into(),
            ))),
        }
    }
}

/// What the scopes let an application see, one line each.
fn shares(scopes: &[String]) -> Vec<String> {
    scopes
        .iter()
        .filter_map(|s| messages::scope_description(s))
        .map(str::to_string)
        .collect()
}

async fn consent(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<ConsentForm>,
) -> Result<Response> {
    // Only the request the page showed: another tab's, or one already
    // answered, is not this answer's to decide.
    let (Some(signed_in), Some(pending)) = (
        visitor.signed_in.as_ref(),
        browser::authorization(&visitor.session, &form.answers).await?,
    ) else {
        return Ok(error_page(
            StatusCode::BAD_REQUEST,
            "Nothing to answer",
            "This request is no longer waiting for your answer (it was answered, or it expired). \
             Start again from the application."
                .into(),
        ));
    };
    let request = match authorize::parse(&state, &pending.params).await? {
        Ok(request) => request,
        Err(rejection) => {
            browser::drop_authorization(&visitor.session, &pending.id).await?;
            let location = rejection.location(&issuer(&state));
            return continue_page(&visitor, "the application", &location).await;
        }
    };
    let allowed = form.allowed()?;
    let location = authorize::consent(&state, &visitor.ctx, &request, signed_in, allowed).await?;
    browser::drop_authorization(&visitor.session, &pending.id).await?;
    continue_page(&visitor, &request.client.name, &location).await
}

/// "Continuing to the Web Shop": sends the browser to the application at
/// once (a `Refresh` header, which needs no script), with a link as well.
async fn continue_page(visitor: &Visitor, app_name: &str, location: &str) -> Result<Response> {
    let view = MessageView {
        title: format!("Continuing to {app_name}"),
        tone: "info",
        message: "You are being sent back to the application.".into(),
        links: vec![Link {
            href: location.to_string(),
            label: format!("Continue to {app_name}"),
        }],
    };
    let mut response = Html(message_page(&visitor.chrome().await?, &view)).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("0;url={location}")) {
        response.headers_mut().insert("refresh", value);
    }
    Ok(response)
}

/// RP-initiated logout: signs out at once when the application's hint names
/// the customer signed in (or nobody is); otherwise asks first.
async fn end_session(
    State(state): State<AppState>,
    visitor: Visitor,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let request = logout::parse(&state, &pairs).await?;
    if request.confirmed_by_hint(visitor.signed_in.as_ref()) {
        return signed_out(&state, &visitor, &request, false).await;
    }
    let app_name = request
        .client
        .as_ref()
        .map_or("An application".to_string(), |c| c.name.clone());
    let view = SignOutView {
        app_name,
        params: pairs,
    };
    Ok(Html(sign_out_page(&visitor.chrome().await?, &view)).into_response())
}

/// The customer's answer to "sign out?", with the request's parameters.
async fn end_session_confirmed(
    State(state): State<AppState>,
    visitor: Visitor,
    body: Bytes,
) -> Result<Response> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body)
        .into_owned()
        .filter(|(k, _)| k != "csrf_token")
        .collect();
    let request = logout::parse(&state, &pairs).await?;
    signed_out(&state, &visitor, &request, true).await
}

async fn signed_out(
    state: &AppState,
    visitor: &Visitor,
    request: &logout::LogoutRequest,
    after_form: bool,
) -> Result<Response> {
    browser::end(state, &visitor.session).await?;
    match &request.return_to {
        Some(location) if after_form => {
            let name = request
                .client
                .as_ref()
                .map_or("the application", |c| c.name.as_str());
            continue_page(visitor, name, location).await
        }
        Some(location) => Ok(Redirect::to(location).into_response()),
        None => {
            visitor.flash("You are signed out.").await?;
            Ok(Redirect::to(paths::SIGN_IN).into_response())
        }
    }
}

#[derive(Deserialize)]
struct DeviceQuery {
    #[serde(default)]
    user_code: String,
}

/// `/device`: the code form (filled in from `verification_uri_complete`).
async fn device_form(
    visitor: Visitor,
    axum::extract::Query(query): axum::extract::Query<DeviceQuery>,
) -> Result<Response> {
    let view = DeviceView {
        user_code: query.user_code.chars().take(16).collect(),
        error: None,
    };
    Ok(Html(device_page(&visitor.chrome().await?, &view)).into_response())
}

async fn device_code_entered(
    State(state): State<AppState>,
    visitor: Visitor,
    FormData(form): FormData<DeviceQuery>,
) -> Result<Response> {
    match device::enter(&state, &visitor.ctx, &form.user_code).await {
        Ok((.., code)) => {
            browser::hold_device_code(&visitor.session, &code).await?;
            let next = if visitor.signed_in.is_some() {
                paths::DEVICE_CONFIRM
            } else {
                paths::SIGN_IN
            };
            Ok(Redirect::to(next).into_response())
        }
        Err(Error::Invalid(errors)) => {
            let view = DeviceView {
                user_code: form.user_code.chars().take(16).collect(),
                error: Some(messages::all_problems(&errors)),
            };
            let page = device_page(&visitor.chrome().await?, &view);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// "Sign in to the TV app?": what the device's application will see.
async fn device_confirm(State(state): State<AppState>, visitor: Visitor) -> Result<Response> {
    let (Some(signed_in), Some(code)) = (
        visitor.signed_in.as_ref(),
        browser::pending_device_code(&visitor.session).await?,
    ) else {
        return Ok(Redirect::to(paths::DEVICE).into_response());
    };
    let (client, scopes, code) = match device::pending(&state, &code).await {
        Ok(found) => found,
        Err(_) => {
            browser::drop_device_code(&visitor.session).await?;
            return Ok(Redirect::to(paths::DEVICE).into_response());
        }
    };
    let view = ConsentView {
        logo_url: client.logo_url.clone(),
        app_name: client.name,
        shares: shares(&scopes),
        customer_email: signed_in.customer.email.as_str().to_string(),
        action: paths::DEVICE_CONFIRM,
        answers: code.clone(),
        device_code: Some(format!("{}-{}", &code[..4], &code[4..])),
    };
    Ok(Html(consent_page(&visitor.chrome().await?, &view)).into_response())
}

async fn device_answer(
    State(state): State<AppState>,
    customer: Customer,
    FormData(form): FormData<ConsentForm>,
) -> Result<Response> {
    let visitor = &customer.0;
    let Some(code) = browser::pending_device_code(&visitor.session).await? else {
        return Ok(Redirect::to(paths::DEVICE).into_response());
    };
    // The code the page showed: a code typed since in another tab is
    // answered on its own page.
    if !device::same_user_code(&form.answers, &code) {
        return Ok(error_page(
            StatusCode::CONFLICT,
            "Another device is waiting",
            "Another code was entered since this page was shown. Answer on the newest page, \
             or enter this device's code again."
                .into(),
        ));
    }
    let approve = form.allowed()?;
    let answered = device::answer(&state, &visitor.ctx, customer.signed_in(), &code, approve).await;
    browser::drop_device_code(&visitor.session).await?;
    let client = answered?;
    let (title, text) = if approve {
        (
            "Device connected",
            format!(
                "{} is signing you in on your device. You can close this page.",
                client.name
            ),
        )
    } else {
        (
            "Device not connected",
            format!(
                "{} was not given access. You can close this page.",
                client.name
            ),
        )
    };
    let view = MessageView {
        title: title.into(),
        tone: if approve { "success" } else { "info" },
        message: text,
        links: vec![Link {
            href: paths::ACCOUNT.into(),
            label: "Go to your account".into(),
        }],
    };
    Ok(Html(message_page(&visitor.chrome().await?, &view)).into_response())
}
