//! The admin console: its own routes under /admin, its own session cookie
//! (`gatehouse_admin`, path /admin, shorter lifetimes) and sign-in, apart from
//! customers'. Every page but sign-in and setup requires a signed-in admin.

mod admin_accounts;
mod apps;
mod attributes;
mod audit;
mod customer;
mod customers;
mod mfa;
mod passkeys;
mod security;
mod session;
mod sign_in;
mod tiers;

use session::SignedInAdmin;

use super::csrf;
use crate::domain::{Error, FieldErrors, Result};
use crate::state::AppState;
use app::console::EventRow;
use app::paths;
use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use uuid::Uuid;

/// A form's problems as console pages show them: English until the
/// console's catalogues come.
fn shown(errors: &FieldErrors) -> app::FieldErrors {
    super::messages::shown(app::Lang::En, errors)
}

pub fn router(state: &AppState) -> Router<AppState> {
    let sessions = SessionManagerLayer::new(state.session_store())
        .with_name("gatehouse_admin")
        .with_path(paths::CONSOLE)
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(state.config.secure_cookies())
        .with_expiry(Expiry::OnInactivity(state.config.admin_session_idle));
    let https = state.config.secure_cookies();
    Router::new()
        .route(
            paths::CONSOLE,
            get(|| async { Redirect::to(paths::CUSTOMERS) }),
        )
        .merge(sign_in::routes())
        .merge(customers::routes())
        .merge(customer::routes())
        .merge(admin_accounts::routes())
        .merge(audit::routes())
        .merge(tiers::routes())
        .merge(attributes::routes())
        .merge(apps::routes())
        .merge(mfa::routes())
        .merge(passkeys::routes())
        .merge(security::routes())
        .layer(middleware::from_fn(move |session, req, next| {
            csrf::guard(https, session, req, next)
        }))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            super::keep_session_alive,
        ))
        .layer(sessions)
}

fn page(status: StatusCode, html: String) -> Response {
    (status, Html(html)).into_response()
}

/// The console's one answer to a form. Saved: `saved` names the notice
/// and the page to go to, and the browser is redirected there (reloading
/// it sends nothing again). Invalid: the same page again, drawn by
/// `again` with the errors, as 422 and changing nothing. Anything else
/// is an error page.
async fn answer<T>(
    admin: &SignedInAdmin,
    result: Result<T>,
    saved: impl FnOnce(T) -> (String, String),
    again: impl AsyncFnOnce(FieldErrors) -> Result<String>,
) -> Result<Response> {
    match result {
        Ok(value) => {
            let (notice, to) = saved(value);
            admin.0.flash(&notice).await?;
            Ok(Redirect::to(&to).into_response())
        }
        Err(Error::Invalid(errors)) => {
            Ok(page(StatusCode::UNPROCESSABLE_ENTITY, again(errors).await?))
        }
        Err(e) => Err(e),
    }
}

use crate::http::messages::date_time;

/// Every admin's email by id, to name admins in tables.
type AdminEmails = std::collections::HashMap<Uuid, String>;

async fn admin_emails(state: &AppState) -> Result<AdminEmails> {
    Ok(crate::directory::admins::list(state)
        .await?
        .0
        .into_iter()
        .map(|l| (l.admin.id.0, l.admin.email.as_str().to_string()))
        .collect())
}

/// Audit events as table rows, naming admins by their email.
fn event_rows(admins: &AdminEmails, events: &[crate::domain::AuditEntry]) -> Vec<EventRow> {
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
