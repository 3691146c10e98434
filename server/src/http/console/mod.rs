//! The admin console: its own routes under /admin, its own session cookie
//! (`gatehouse_admin`, path /admin, shorter lifetimes) and sign-in, apart from
//! customers'. Every page but sign-in and setup requires a signed-in admin.

mod admin_accounts;
mod attributes;
mod audit;
mod customers;
mod tiers;

use super::assets::STYLESHEET_HREF;
use super::{csrf, extract::FormData};
use crate::admins::{self, AcceptInvite, Admin, AdminId};
use crate::error::{Error, Result};
use crate::password::Password;
use crate::state::AppState;
use app::console::*;
use axum::Router;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use uuid::Uuid;

pub fn router(state: &AppState) -> Router<AppState> {
    let sessions = SessionManagerLayer::new(state.store.session_backend())
        .with_name("gatehouse_admin")
        .with_path("/admin")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(state.config.secure_cookies())
        .with_expiry(Expiry::OnInactivity(state.config.admin_session_idle));
    Router::new()
        .route("/admin", get(|| async { Redirect::to("/admin/customers") }))
        .route("/admin/setup", get(setup_form).post(setup))
        .route("/admin/login", get(sign_in_form).post(sign_in))
        .route("/admin/logout", post(sign_out))
        .merge(customers::routes())
        .merge(admin_accounts::routes())
        .merge(audit::routes())
        .merge(tiers::routes())
        .merge(attributes::routes())
        .layer(middleware::from_fn(csrf::guard))
        .layer(sessions)
}

const ADMIN_KEY: &str = "admin";

#[derive(Serialize, Deserialize)]
struct AdminSession {
    id: Uuid,
    signed_in_at: i64,
}

/// Anyone on a console page, signed in or not.
struct ConsoleVisitor {
    session: Session,
    admin: Option<Admin>,
    ip: Option<String>,
}

impl ConsoleVisitor {
    async fn chrome(&self) -> Result<ConsoleChrome> {
        Ok(ConsoleChrome {
            stylesheet: STYLESHEET_HREF.into(),
            csrf_token: csrf::token(&self.session).await?,
            admin: self.admin.as_ref().map(|a| {
                (
                    a.display_name.as_str().to_string(),
                    a.role.as_str().to_string(),
                )
            }),
        })
    }

    async fn flash(&self, message: &str) -> Result<()> {
        super::extract::flash(&self.session, message).await
    }

    async fn take_flash(&self) -> Result<Option<String>> {
        super::extract::take_flash(&self.session).await
    }

    /// Signs the admin in on this browser, with a fresh cookie id.
    async fn start(&self, state: &AppState, admin: &Admin) -> Result<()> {
        self.session.cycle_id().await.map_err(anyhow::Error::new)?;
        let record = AdminSession {
            id: admin.id.0,
            signed_in_at: state.clock.now(),
        };
        self.session
            .insert(ADMIN_KEY, record)
            .await
            .map_err(anyhow::Error::new)?;
        Ok(())
    }
}

impl FromRequestParts<AppState> for ConsoleVisitor {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let admin = current_admin(state, &session)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self {
            session,
            admin,
            ip: super::extract::peer_ip(parts),
        })
    }
}

/// The admin signed in on this browser. Loaded on every request, so a
/// removed admin or a changed role takes effect at once.
async fn current_admin(state: &AppState, session: &Session) -> Result<Option<Admin>> {
    let Some(record) = session
        .get::<AdminSession>(ADMIN_KEY)
        .await
        .map_err(anyhow::Error::new)?
    else {
        return Ok(None);
    };
    let expired = state.clock.now() - record.signed_in_at
        >= state.config.admin_session_absolute.whole_seconds();
    let admin = if expired {
        None
    } else {
        state.store.admin_by_id(AdminId(record.id)).await?
    };
    if admin.is_none() {
        session.flush().await.map_err(anyhow::Error::new)?;
    }
    Ok(admin)
}

/// A console visitor who must be a signed-in admin.
struct SignedInAdmin(ConsoleVisitor);

impl SignedInAdmin {
    fn admin(&self) -> &Admin {
        self.0.admin.as_ref().expect("checked by the extractor")
    }
}

impl FromRequestParts<AppState> for SignedInAdmin {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let visitor = ConsoleVisitor::from_request_parts(parts, state).await?;
        if visitor.admin.is_none() {
            return Err(Redirect::to("/admin/login").into_response());
        }
        Ok(Self(visitor))
    }
}

fn page(status: StatusCode, html: String) -> Response {
    (status, Html(html)).into_response()
}

// --- Setup and sign-in ---------------------------------------------------------

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn setup_view(state: &AppState, token: String) -> Result<AdminSetupView> {
    let (invited_email, role) = admins::check_invite(state, &token).await?;
    Ok(AdminSetupView {
        token,
        invited_email,
        role: role.as_str().into(),
        password_min: admins::ADMIN_PASSWORD_MIN,
        ..Default::default()
    })
}

async fn setup_form(
    State(state): State<AppState>,
    visitor: ConsoleVisitor,
    Query(q): Query<TokenQuery>,
) -> Result<Response> {
    let view = setup_view(&state, q.token).await?;
    Ok(page(
        StatusCode::OK,
        admin_setup_page(&visitor.chrome().await?, &view),
    ))
}

#[derive(Deserialize)]
struct SetupForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

async fn setup(
    State(state): State<AppState>,
    visitor: ConsoleVisitor,
    FormData(form): FormData<SetupForm>,
) -> Result<Response> {
    let input = AcceptInvite {
        token: form.token.clone(),
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        password: Password::new(form.password),
    };
    match admins::accept_invite(&state, input).await {
        Ok(admin) => {
            visitor.start(&state, &admin).await?;
            Ok(Redirect::to("/admin/customers").into_response())
        }
        Err(Error::Invalid(errors)) => {
            let view = AdminSetupView {
                email: form.email,
                display_name: form.display_name,
                errors,
                ..setup_view(&state, form.token).await?
            };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                admin_setup_page(&visitor.chrome().await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

async fn sign_in_form(visitor: ConsoleVisitor) -> Result<Response> {
    if visitor.admin.is_some() {
        return Ok(Redirect::to("/admin/customers").into_response());
    }
    let view = AdminSignInView {
        notice: visitor.take_flash().await?,
        ..Default::default()
    };
    Ok(page(
        StatusCode::OK,
        admin_sign_in_page(&visitor.chrome().await?, &view),
    ))
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn sign_in(
    State(state): State<AppState>,
    visitor: ConsoleVisitor,
    FormData(form): FormData<SignInForm>,
) -> Result<Response> {
    let (status, error) = match admins::sign_in(
        &state,
        &form.email,
        Password::new(form.password),
        visitor.ip.as_deref(),
    )
    .await
    {
        Ok(Some(admin)) => {
            visitor.start(&state, &admin).await?;
            return Ok(Redirect::to("/admin/customers").into_response());
        }
        Ok(None) => (
            StatusCode::UNAUTHORIZED,
            "That email and password do not match an admin account.".to_string(),
        ),
        Err(Error::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors
                .iter()
                .map(|(_, m)| m.to_string())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Err(e @ Error::TooManyRequests(_)) => (e.status(), e.to_string()),
        Err(e) => return Err(e),
    };
    let view = AdminSignInView {
        email: form.email,
        error: Some(error),
        notice: None,
    };
    Ok(page(
        status,
        admin_sign_in_page(&visitor.chrome().await?, &view),
    ))
}

async fn sign_out(visitor: ConsoleVisitor) -> Result<Response> {
    visitor.session.flush().await.map_err(anyhow::Error::new)?;
    visitor.flash("You are signed out of the console.").await?;
    Ok(Redirect::to("/admin/login").into_response())
}

fn date_time(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute()))
        .unwrap_or_default()
}

const DAY: i64 = 24 * 3600;

/// A day as typed in a date field (YYYY-MM-DD), as the Unix time it starts (UTC).
fn parse_day(raw: &str, name: &str) -> Result<Option<i64>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(raw, &format)
        .map(|d| Some(d.midnight().assume_utc().unix_timestamp()))
        .map_err(|_| Error::BadRequest(format!("The {name} day must look like 2026-01-31.")))
}

/// Every admin's email by id, to name admins in tables.
type AdminEmails = std::collections::HashMap<Uuid, String>;

async fn admin_emails(state: &AppState) -> Result<AdminEmails> {
    Ok(state
        .store
        .list_admins()
        .await?
        .into_iter()
        .map(|l| (l.admin.id.0, l.admin.email.as_str().to_string()))
        .collect())
}

/// Audit events as table rows, naming admins by their email.
fn event_rows(admins: &AdminEmails, events: &[crate::audit::AuditEntry]) -> Vec<EventRow> {
    events
        .iter()
        .map(|e| EventRow {
            at: date_time(e.at),
            customer: e.customer.map(|c| c.to_string()),
            actor: match (e.actor_kind.as_str(), e.actor_id) {
                ("admin", Some(id)) => admins
                    .get(&id)
                    .map(|email| format!("admin {email}"))
                    .unwrap_or_else(|| format!("admin {id} (removed)")),
                (kind, _) => kind.to_string(),
            },
            action: e.action.clone(),
            source: e.source_ip.clone().unwrap_or_default(),
            details: e.details.clone(),
        })
        .collect()
}
