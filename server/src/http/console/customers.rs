//! The console's customer list: search, its download, and a tier change for
//! everyone it finds.

use super::{SignedInAdmin, date_time, page};
use crate::directory::search::{self, SearchForm};
use crate::domain::{Cursor, CustomerSearch, MatchCount, Tier};
use crate::domain::{Error, Problem, Result};
use crate::http::extract::FormData;
use crate::state::AppState;
use app::console::*;
use app::paths;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::CUSTOMERS, get(customers))
        .route(paths::CUSTOMERS_EXPORT, get(export))
        .route(paths::CUSTOMERS_BULK_TIER, post(bulk_tier))
}

const PAGE_SIZE: i64 = 50;
/// The list's request: a search and where the previous page ended.
#[derive(Deserialize)]
struct ListQuery {
    #[serde(flatten)]
    search: SearchForm,
    #[serde(default)]
    after: String,
}

async fn customers(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Query(params): Query<ListQuery>,
) -> Result<Response> {
    let parsed = search::parse(&state, &params.search).await?;
    let pairs = params.search.pairs(&parsed);
    let search::ParsedSearch {
        search,
        field,
        tiers,
        attributes,
    } = parsed;
    let form = &params.search;
    let (text, filter, sort) = (form.q.trim(), search.status, search.sort);
    let after = match params.after.as_str() {
        "" => None,
        raw => Some(Cursor::decode(raw).ok_or(Error::BadRequest(Problem::DamagedPageLink))?),
    };
    let result = search::customers(&state, &search, after.as_ref(), PAGE_SIZE).await?;

    let search_link = |base: &str, cursor: Option<&Cursor>| search_link(&pairs, base, cursor);
    let total = total(&state, &search, &result, after.is_none()).await?;
    let view = CustomersView {
        field: match field {
            search::SearchField::Email => SearchField::Email,
            search::SearchField::Name => SearchField::Name,
            search::SearchField::Id => SearchField::Id,
        },
        query: text.to_string(),
        status: filter.as_str().into(),
        from: form.from.trim().to_string(),
        to: form.to.trim().to_string(),
        sort: sort.as_str().into(),
        tier: form.tier.trim().to_string(),
        attribute: form.attr.trim().to_string(),
        attribute_value: form.attr_value.trim().to_string(),
        attributes: attributes
            .iter()
            .filter(|a| a.searchable && !a.archived)
            .map(|a| (a.key.clone(), a.label.clone()))
            .collect(),
        export_link: admin
            .admin()
            .role
            .can_manage_admins()
            .then(|| search_link(paths::CUSTOMERS_EXPORT, None)),
        bulk: admin
            .admin()
            .role
            .can_edit_customers()
            .then(|| bulk_form(&pairs, &tiers)),
        tiers: tiers
            .iter()
            .map(|t| (t.slug.clone(), t.name.clone()))
            .collect(),
        rows: result.rows.iter().map(customer_row).collect(),
        next_page: result
            .next
            .as_ref()
            .map(|c| search_link(paths::CUSTOMERS, Some(c))),
        first_page: after.is_some().then(|| search_link(paths::CUSTOMERS, None)),
        total,
        error: None,
        notice: admin.0.take_flash().await?,
    };
    Ok(page(
        StatusCode::OK,
        customers_page(&admin.0.chrome().await?, &view),
    ))
}

/// The list's address with the search's parameters, from `cursor` on.
fn search_link(pairs: &[(&'static str, String)], base: &str, cursor: Option<&Cursor>) -> String {
    let mut link = url::form_urlencoded::Serializer::new(String::new());
    link.extend_pairs(pairs);
    if let Some(c) = cursor {
        link.append_pair("after", &c.encode());
    }
    format!("{base}?{}", link.finish())
}

/// How many customers: the whole table's count (estimated when large,
/// which counting exactly would scan); a search's exact count when it fits
/// on its first page, otherwise an estimate.
async fn total(
    state: &AppState,
    search: &CustomerSearch,
    page: &crate::store::CustomerPage,
    first: bool,
) -> Result<String> {
    if search.is_everyone() {
        return Ok(match search::estimate(state).await? {
            (n, true) => customers_count(n),
            (n, false) => format!("About {}", customers_count(rounded(n))),
        });
    }
    let on_page = page.rows.len() as i64;
    if first && page.next.is_none() {
        return Ok(customers_count(on_page));
    }
    let count = match page.sampled {
        Some(n) => MatchCount::About(n),
        None => search::count_matches(state, search).await?,
    };
    Ok(match count {
        MatchCount::Exactly(n) => customers_count(n),
        MatchCount::About(n) if n > on_page => format!("About {}", customers_count(rounded(n))),
        MatchCount::About(_) => format!("More than {}", customers_count(on_page)),
        MatchCount::MoreThan(n) => format!("More than {}", customers_count(n)),
    })
}

/// "1 customer", "12,400 customers".
fn customers_count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(d);
    }
    match n {
        1 => "1 customer".to_string(),
        _ => format!("{grouped} customers"),
    }
}

/// An estimate to two significant digits: more would claim a precision
/// it does not have.
fn rounded(n: i64) -> i64 {
    let mut unit = 1;
    while n / unit >= 100 {
        unit *= 10;
    }
    (n + unit / 2) / unit * unit
}

/// The form that moves every customer of the search to another tier.
fn bulk_form(pairs: &[(&'static str, String)], tiers: &[Tier]) -> BulkTierForm {
    BulkTierForm {
        search: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        tiers: tiers
            .iter()
            .filter(|t| !t.archived)
            .map(|t| (t.id.to_string(), t.name.clone()))
            .collect(),
    }
}

#[derive(Deserialize)]
struct ExportQuery {
    #[serde(default)]
    format: String,
    #[serde(flatten)]
    search: SearchForm,
}

/// Streams every customer the search finds as a download (never password
/// hashes). Owners only: it is personal data in bulk, and it is audited.
async fn export(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    Query(params): Query<ExportQuery>,
) -> Result<Response> {
    use crate::transfer::{columns::Format, export};
    let format =
        Format::parse(params.format.trim()).ok_or(Error::BadRequest(Problem::ExportFormat))?;
    let search = search::parse(&state, &params.search).await?.search;
    let exporter = export::download(&state, &admin.0.ctx, search, format).await?;
    let chunks = futures_util::stream::unfold(Some(exporter), |exporter| async move {
        let mut exporter = exporter?;
        match exporter.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(axum::body::Bytes::from(chunk)), Some(exporter))),
            Ok(None) => None,
            // Headers are gone by now: cutting the stream short is the only
            // way left to tell the client the file is incomplete.
            Err(e) => {
                tracing::error!(error = %e, "export stopped");
                Some((Err(std::io::Error::other("export failed")), None))
            }
        }
    });
    let day = crate::http::messages::day(state.clock.now());
    let disposition = format!(
        "attachment; filename=\"customers-{day}.{}\"",
        format.extension()
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                format.content_type().to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        axum::body::Body::from_stream(chunks),
    )
        .into_response())
}

#[derive(Deserialize)]
struct BulkTierRequest {
    #[serde(default)]
    to_tier: String,
    #[serde(default)]
    bulk_reason: String,
    #[serde(flatten)]
    search: SearchForm,
}

/// Starts moving everyone a search finds to a tier, in the background.
async fn bulk_tier(
    State(state): State<AppState>,
    admin: SignedInAdmin,
    FormData(form): FormData<BulkTierRequest>,
) -> Result<Response> {
    let to = Uuid::parse_str(form.to_tier.trim())
        .map(crate::domain::TierId)
        .map_err(|_| Error::BadRequest(Problem::ChooseTier))?;
    let search = search::parse(&state, &form.search).await?.search;
    let description = form.search.describe();
    let ctx = &admin.0.ctx;
    let job = crate::directory::tier_moves::start_bulk(
        &state,
        &search,
        &description,
        to,
        &form.bulk_reason,
        ctx,
    )
    .await?;
    admin.0.flash("The tier change has started.").await?;
    Ok(Redirect::to(&paths::at(paths::TIER_JOB, &[&job])).into_response())
}

fn customer_row(c: &crate::domain::Customer) -> CustomerRow {
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

#[cfg(test)]
mod tests {
    use super::{customers_count, rounded};

    #[test]
    fn counts_read_as_words_and_estimates_claim_two_digits() {
        assert_eq!(customers_count(1), "1 customer");
        assert_eq!(customers_count(0), "0 customers");
        assert_eq!(customers_count(999), "999 customers");
        assert_eq!(customers_count(1000), "1,000 customers");
        assert_eq!(customers_count(12_345_678), "12,345,678 customers");
        assert_eq!(rounded(7), 7);
        assert_eq!(rounded(99), 99);
        assert_eq!(rounded(123), 120);
        assert_eq!(rounded(269_458), 270_000);
        assert_eq!(rounded(10_049_999), 10_000_000);
    }
}
