//! The audit trail page: every role reads it; nothing here writes to it.

use super::{SignedInAdmin, event_rows, page};
use crate::directory::search::day;
use crate::domain::clock::DAY;
use crate::domain::{
    Action, AdminId, AuditFilter, CustomerId, Email, Error, Problem, Record, Result, cursor,
};
use crate::state::AppState;
use app::console::*;
use app::paths;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route(paths::AUDIT, get(audit))
}

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize)]
struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    customer: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    after: String,
}

/// Why a filter named nobody (the page then shows no events).
struct NoOne(&'static str);

async fn audit(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Query(q): Query<AuditQuery>,
) -> Result<Response> {
    let action = match q.action.trim() {
        "" => None,
        a => Some(Action::parse(a).ok_or(Error::BadRequest(Problem::ChooseAction))?),
    };
    let from = day(&q.from, "from")?;
    let before = day(&q.to, "to")?.map(|start| start + DAY);
    let after = match q.after.as_str() {
        "" => None,
        raw => Some(decode_cursor(raw).ok_or(Error::BadRequest(Problem::DamagedPageLink))?),
    };
    let actor = find_admin(&state, q.actor.trim()).await?;
    let customer = find_customer(&state, q.customer.trim()).await?;

    let (rows, next, notice) = match (actor, customer) {
        (Err(NoOne(why)), _) | (_, Err(NoOne(why))) => (Vec::new(), None, Some(why.to_string())),
        (Ok(actor), Ok(customer)) => {
            let filter = AuditFilter {
                action,
                actor: actor.map(|a| a.0),
                customer,
                from,
                before,
            };
            let mut events = crate::audit::events(&state, &filter, after, PAGE_SIZE + 1).await?;
            let next = (events.len() as i64 > PAGE_SIZE).then(|| {
                events.truncate(PAGE_SIZE as usize);
                let last = events.last().expect("a full page");
                (last.at, last.id)
            });
            let admins = super::admin_emails(&state).await?;
            (event_rows(&admins, &events), next, None)
        }
    };

    let link = |cursor: Option<(i64, Uuid)>| {
        let mut link = url::form_urlencoded::Serializer::new(String::new());
        link.append_pair("action", q.action.trim())
            .append_pair("actor", q.actor.trim())
            .append_pair("customer", q.customer.trim())
            .append_pair("from", q.from.trim())
            .append_pair("to", q.to.trim());
        if let Some(c) = cursor {
            link.append_pair("after", &encode_cursor(c));
        }
        format!("{}?{}", paths::AUDIT, link.finish())
    };
    let view = AuditView {
        action: q.action.trim().to_string(),
        actor: q.actor.trim().to_string(),
        customer: q.customer.trim().to_string(),
        from: q.from.trim().to_string(),
        to: q.to.trim().to_string(),
        actions: Action::ALL.iter().map(|a| a.as_str()).collect(),
        rows,
        next_page: next.map(|c| link(Some(c))),
        first_page: after.is_some().then(|| link(None)),
        notice,
    };
    Ok(page(
        StatusCode::OK,
        audit_page(&admin.0.chrome().await?, &view),
    ))
}

/// The acting admin by email or id. An id is taken as is, so events of
/// admins since removed stay findable.
async fn find_admin(state: &AppState, raw: &str) -> Result<Result<Option<AdminId>, NoOne>> {
    if raw.is_empty() {
        return Ok(Ok(None));
    }
    if let Ok(id) = Uuid::parse_str(raw) {
        return Ok(Ok(Some(AdminId(id))));
    }
    let email =
        Email::parse(raw).map_err(|_| Error::BadRequest(Problem::GiveEmailOrId(Record::Admin)))?;
    Ok(
        match crate::directory::admins::by_email(state, &email).await? {
            Some(admin) => Ok(Some(admin.id)),
            None => Err(NoOne("No admin has that email address.")),
        },
    )
}

/// The customer by email or id; an id also finds deleted customers' events.
async fn find_customer(state: &AppState, raw: &str) -> Result<Result<Option<CustomerId>, NoOne>> {
    if raw.is_empty() {
        return Ok(Ok(None));
    }
    if let Ok(id) = Uuid::parse_str(raw) {
        return Ok(Ok(Some(CustomerId(id))));
    }
    let email = Email::parse(raw)
        .map_err(|_| Error::BadRequest(Problem::GiveEmailOrId(Record::Customer)))?;
    Ok(
        match crate::directory::customers::by_email(state, &email).await? {
            Some(customer) => Ok(Some(customer.id)),
            None => Err(NoOne(
                "No customer has that email address. Search a deleted customer by id.",
            )),
        },
    )
}

/// Where a page of the trail ended: the last event's time and id.
fn encode_cursor((at, id): (i64, Uuid)) -> String {
    cursor::encode("a", &[&at, &id])
}

fn decode_cursor(encoded: &str) -> Option<(i64, Uuid)> {
    let [at, id] = cursor::decode(encoded, "a")?;
    Some((at.parse().ok()?, Uuid::parse_str(&id).ok()?))
}
