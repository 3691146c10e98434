//! The admin console: its own routes under /admin, its own session cookie
//! (`gatehouse_admin`, path /admin, shorter lifetimes) and sign-in, apart from
//! customers'. Every page but sign-in and setup requires a signed-in admin.

use super::assets::STYLESHEET_HREF;
use super::{csrf, extract::FormData};
use crate::admins::{self, AcceptInvite, Admin, AdminId};
use crate::customer_admin;
use crate::customers::{CustomerId, Email};
use crate::error::{Error, Result};
use crate::password::Password;
use crate::state::AppState;
use crate::store::{Cursor, CustomerQuery, StatusFilter};
use app::console::*;
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
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
        .route("/admin/customers", get(customers))
        .route("/admin/customers/{id}", get(customer_detail))
        .route("/admin/customers/{id}/profile", post(edit_profile))
        .route("/admin/customers/{id}/delete", post(delete_customer))
        .route("/admin/customers/{id}/{action}", post(customer_action))
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
    let (status, error) =
        match admins::sign_in(&state, &form.email, Password::new(form.password)).await {
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

// --- Customers -------------------------------------------------------------------

const PAGE_SIZE: i64 = 50;
const QUERY_MAX: usize = 254;

#[derive(Deserialize)]
struct CustomersQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    after: String,
}

async fn customers(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Query(params): Query<CustomersQuery>,
) -> Result<Response> {
    let text = params.q.trim();
    if text.chars().count() > QUERY_MAX {
        return Err(Error::BadRequest(format!(
            "Search for at most {QUERY_MAX} characters."
        )));
    }
    let field = match params.field.as_str() {
        "" | "email" => SearchField::Email,
        "name" => SearchField::Name,
        "id" => SearchField::Id,
        _ => {
            return Err(Error::BadRequest(
                "Search by email, name or customer id.".into(),
            ));
        }
    };
    let filter = match params.status.as_str() {
        "" | "all" => StatusFilter::Any,
        "active" => StatusFilter::Active,
        "disabled" => StatusFilter::Disabled,
        "verified" => StatusFilter::Verified,
        "unverified" => StatusFilter::Unverified,
        _ => {
            return Err(Error::BadRequest(
                "Filter by status: all, active, disabled, verified or unverified.".into(),
            ));
        }
    };
    let query = match (field, text) {
        (_, "") => CustomerQuery::All,
        (SearchField::Email, t) => CustomerQuery::EmailPrefix(t.to_ascii_lowercase()),
        (SearchField::Name, t) if t.chars().count() < 3 => {
            return Err(Error::BadRequest(
                "Type at least 3 characters of the name.".into(),
            ));
        }
        (SearchField::Name, t) => CustomerQuery::NameContains(t.to_string()),
        (SearchField::Id, t) => CustomerQuery::Id(Uuid::parse_str(t).map_err(|_| {
            Error::BadRequest(
                "A customer id looks like 01890a5d-ac96-774b-bcce-b302099a8057.".into(),
            )
        })?),
    };
    let after = match params.after.as_str() {
        "" => None,
        raw => Some(decode_cursor(raw).ok_or_else(|| {
            Error::BadRequest("This page link is damaged; start from the first page.".into())
        })?),
    };
    let result = state
        .store
        .search_customers(&query, filter, after.as_ref(), PAGE_SIZE)
        .await?;

    let search_link = |cursor: Option<&Cursor>| {
        let mut link = url::form_urlencoded::Serializer::new(String::new());
        link.append_pair("q", text)
            .append_pair("field", field.as_str())
            .append_pair("status", filter_name(filter));
        if let Some(c) = cursor {
            link.append_pair("after", &encode_cursor(c));
        }
        format!("/admin/customers?{}", link.finish())
    };
    let total = if query == CustomerQuery::All && filter == StatusFilter::Any {
        match state.store.estimate_customers().await? {
            (n, true) => format!("{n} customers"),
            (n, false) => format!("About {n} customers"),
        }
    } else {
        format!("{} on this page", result.rows.len())
    };
    let view = CustomersView {
        field,
        query: text.to_string(),
        status: filter_name(filter).into(),
        rows: result.rows.iter().map(customer_row).collect(),
        next_page: result.next.as_ref().map(|c| search_link(Some(c))),
        first_page: after.is_some().then(|| search_link(None)),
        total,
        error: None,
        notice: admin.0.take_flash().await?,
    };
    Ok(page(
        StatusCode::OK,
        customers_page(&admin.0.chrome().await?, &view),
    ))
}

fn parse_customer_id(raw: &str) -> Result<CustomerId> {
    Uuid::parse_str(raw)
        .map(CustomerId)
        .map_err(|_| Error::BadRequest("That is not a customer id.".into()))
}

/// The customer's page as `admin` sees it (buttons by role).
async fn detail_view(
    state: &AppState,
    admin: &SignedInAdmin,
    id: CustomerId,
) -> Result<CustomerDetailView> {
    let record = customer_admin::view(state, id).await?;
    let c = &record.customer;
    let role = admin.admin().role;
    Ok(CustomerDetailView {
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
        active_sessions: record.active_sessions,
        can_edit: role.can_edit_customers(),
        can_delete: role.can_delete_customers(),
        edit_email: c.email.as_str().into(),
        edit_name: c.display_name.as_str().into(),
        errors: Default::default(),
        notice: None,
        events: record
            .events
            .iter()
            .map(|e| EventRow {
                at: date_time(e.at),
                actor: match e.actor_id {
                    Some(id) => format!("{} {id}", e.actor_kind),
                    None => e.actor_kind.clone(),
                },
                action: e.action.clone(),
                source: e.source_ip.clone().unwrap_or_default(),
                details: e.details.clone(),
            })
            .collect(),
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
}

async fn edit_profile(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path(id): Path<String>,
    FormData(form): FormData<ProfileForm>,
) -> Result<Response> {
    let customer = parse_customer_id(&id)?;
    let who = admin.admin();
    let ip = admin.0.ip.as_deref();
    match customer_admin::edit_profile(&state, who, customer, &form.email, &form.display_name, ip)
        .await
    {
        Ok(()) => {
            admin.0.flash("The profile is saved.").await?;
            Ok(Redirect::to(&format!("/admin/customers/{customer}")).into_response())
        }
        Err(Error::Invalid(errors)) => {
            let view = CustomerDetailView {
                edit_email: form.email,
                edit_name: form.display_name,
                errors,
                ..detail_view(&state, &admin, customer).await?
            };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                customer_detail_page(&admin.0.chrome().await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
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
    let who = admin.admin();
    match customer_admin::delete(
        &state,
        who,
        customer,
        &form.confirm_email,
        admin.0.ip.as_deref(),
    )
    .await
    {
        Ok(()) => {
            admin.0.flash("The customer is deleted.").await?;
            Ok(Redirect::to("/admin/customers").into_response())
        }
        Err(Error::Invalid(errors)) => {
            let view = CustomerDetailView {
                errors,
                ..detail_view(&state, &admin, customer).await?
            };
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                customer_detail_page(&admin.0.chrome().await?, &view),
            ))
        }
        Err(e) => Err(e),
    }
}

async fn customer_action(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Path((id, action)): Path<(String, String)>,
) -> Result<Response> {
    let customer = parse_customer_id(&id)?;
    let action = customer_admin::Action::parse(&action).ok_or(Error::NotFound)?;
    let who = admin.admin();
    let message = customer_admin::act(&state, who, customer, action, admin.0.ip.as_deref()).await?;
    admin.0.flash(message).await?;
    Ok(Redirect::to(&format!("/admin/customers/{customer}")).into_response())
}

fn filter_name(filter: StatusFilter) -> &'static str {
    match filter {
        StatusFilter::Any => "all",
        StatusFilter::Active => "active",
        StatusFilter::Disabled => "disabled",
        StatusFilter::Verified => "verified",
        StatusFilter::Unverified => "unverified",
    }
}

fn customer_row(c: &crate::customers::Customer) -> CustomerRow {
    CustomerRow {
        id: c.id.to_string(),
        email: c.email.as_str().into(),
        display_name: c.display_name.as_str().into(),
        status: match (c.disabled, c.email_verified) {
            (true, _) => "Disabled",
            (false, false) => "Unverified",
            (false, true) => "Active",
        }
        .into(),
        created: date_time(c.created_at),
        last_sign_in: c
            .last_sign_in_at
            .map(date_time)
            .unwrap_or_else(|| "never".into()),
    }
}

fn date_time(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute()))
        .unwrap_or_default()
}

fn encode_cursor(cursor: &Cursor) -> String {
    let raw = match cursor {
        Cursor::Created { created_at, id } => format!("c.{created_at}.{id}"),
        Cursor::Email(email) => format!("e.{email}"),
    };
    URL_SAFE_NO_PAD.encode(raw)
}

fn decode_cursor(encoded: &str) -> Option<Cursor> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(encoded).ok()?).ok()?;
    match raw.split_once('.')? {
        ("c", rest) => {
            let (created, id) = rest.split_once('.')?;
            Some(Cursor::Created {
                created_at: created.parse().ok()?,
                id: Uuid::parse_str(id).ok()?,
            })
        }
        ("e", email) => Email::parse(email)
            .ok()
            .map(|e| Cursor::Email(e.as_str().to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_rejected() {
        let c = Cursor::Created {
            created_at: 1_700_000_000,
            id: Uuid::now_v7(),
        };
        assert_eq!(decode_cursor(&encode_cursor(&c)), Some(c));
        let e = Cursor::Email("ada@example.com".into());
        assert_eq!(decode_cursor(&encode_cursor(&e)), Some(e));
        for bad in [
            "",
            "!!!",
            "Yw",
            "eC4xLnk",
            &URL_SAFE_NO_PAD.encode("c.notanumber.x"),
        ] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }
}
