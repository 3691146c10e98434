//! The OpenID Connect pages of the customer's browser session: the
//! authorization endpoint (GET, or a POSTed form sent on as the GET) and
//! the consent page (answering only the request it showed). Logout, the
//! device pages and `/account/apps` have their own files.

use super::answer::{ConsentForm, continue_page, shares};
use super::is_form;
use crate::domain::Result;
use crate::http::browser::{self, PendingAuthorization};
use crate::http::error::error_page;
use crate::http::extract::{FormData, Visitor};
use crate::oidc::authorize::{self, Answer, AuthRequest};
use crate::oidc::issuer;
use crate::state::AppState;
use app::hosted::{ConsentView, consent_page};
use app::paths;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

/// The authorization endpoint and the consent page.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::AUTHORIZE, get(authorize).post(authorize_posted))
        .route(paths::AUTHORIZE_RESUME, get(resume))
        .route(paths::CONSENT, post(consent))
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
            "error-form-type-title",
            "error-authorize-form",
        );
    }
    // The parameters' own bounds (64 of at most 2 KiB) are checked on the
    // GET; a body far beyond them is refused here, unread into a URL.
    if body.len() > 32 * 1024 {
        return error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "error-authorize-too-large-title",
            "error-authorize-too-large",
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
    mut pending: PendingAuthorization,
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
    // The pages on the way name the application, in the language it asked
    // for (unless the customer saved one of their own).
    pending.app_name = Some(request.client.name.clone());
    pending.app_logo = request.client.logo_url.clone();
    // This very answer speaks it too (a consent page).
    let mut lang = visitor.lang;
    if let Some(asked) = pending.ui_locales() {
        browser::choose_lang(&visitor.session, asked).await?;
        lang = visitor.speaking(asked);
    }
    let signed_in = visitor.signed_in.as_ref();
    let signed_in_for_it = signed_in.is_some_and(|s| pending.signed_in_since(s));
    let step =
        authorize::decide(state, &visitor.ctx, &request, signed_in, signed_in_for_it).await?;
    match step {
        Answer::SignIn => {
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
        Answer::StepUp => {
            browser::hold_authorization(&visitor.session, &pending).await?;
            let resume: String =
                url::form_urlencoded::byte_serialize(paths::AUTHORIZE_RESUME.as_bytes()).collect();
            let to = format!("{}?next={resume}", paths::ACCOUNT_STEP_UP);
            Ok(Redirect::to(&to).into_response())
        }
        Answer::Consent => {
            browser::hold_authorization(&visitor.session, &pending).await?;
            consent_form(visitor, lang, &request, &pending.id).await
        }
        Answer::Redirect(location) => {
            browser::drop_authorization(&visitor.session, &pending.id).await?;
            if after_form {
                continue_page(visitor, &request.client.name, &location).await
            } else {
                Ok(Redirect::to(&location).into_response())
            }
        }
    }
}

async fn consent_form(
    visitor: &Visitor,
    lang: app::Lang,
    request: &AuthRequest,
    id: &str,
) -> Result<Response> {
    let Some(signed_in) = &visitor.signed_in else {
        return Ok(Redirect::to(paths::SIGN_IN).into_response());
    };
    let view = ConsentView {
        app_name: request.client.name.clone(),
        logo_url: request.client.logo_url.clone(),
        shares: shares(lang, &request.scopes),
        customer_email: signed_in.customer.email.as_str().to_string(),
        action: paths::CONSENT,
        answers: id.to_string(),
        device_code: None,
    };
    let chrome = app::Chrome {
        lang,
        ..visitor.chrome().await?
    };
    Ok(Html(consent_page(&chrome, &view)).into_response())
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
            "error-nothing-to-answer-title",
            "error-nothing-to-answer",
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
