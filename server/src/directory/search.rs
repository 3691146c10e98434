//! Customer search as people ask for it: a form of text fields (the console
//! list, its download, a bulk tier change; later the API) read and checked
//! once into a [`CustomerSearch`], which the store turns into SQL.

use crate::domain::{
    Attribute, Cursor, CustomerQuery, CustomerSearch, Error, MatchCount, Problem, Result, Sort,
    StatusFilter, Tier, clock,
};
use crate::state::AppState;
use serde::Deserialize;
use uuid::Uuid;

/// Longest search text: an email address at most.
const QUERY_MAX: usize = 254;

/// A search as typed (absent fields are empty).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchForm {
    pub q: String,
    /// `email` (the default), `name` or `id`.
    pub field: String,
    pub status: String,
    /// Created on or after this day (YYYY-MM-DD, UTC).
    pub from: String,
    /// Created on or before this day.
    pub to: String,
    pub sort: String,
    /// A tier's slug.
    pub tier: String,
    /// A searchable attribute's key, and the value to find.
    pub attr: String,
    pub attr_value: String,
}

/// Which part of a customer the search text is matched against.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SearchField {
    Email,
    Name,
    Id,
}

impl SearchField {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Name => "name",
            Self::Id => "id",
        }
    }
}

/// A search read, with the tiers and attributes it may name (the list page
/// shows them as choices).
pub struct ParsedSearch {
    pub search: CustomerSearch,
    pub field: SearchField,
    pub tiers: Vec<Tier>,
    pub attributes: Vec<Attribute>,
}

/// Reads and checks a search form.
pub async fn parse(state: &AppState, form: &SearchForm) -> Result<ParsedSearch> {
    let (field, query) = text_query(form)?;
    let status =
        StatusFilter::parse(&form.status).ok_or(Error::BadRequest(Problem::StatusFilter))?;
    let sort = Sort::parse(&form.sort).ok_or(Error::BadRequest(Problem::SortKey))?;
    let created_from = day(&form.from, "from")?;
    let created_before = day(&form.to, "to")?.map(|day| day + clock::DAY);
    if let (Some(from), Some(before)) = (created_from, created_before)
        && from >= before
    {
        return Err(Error::BadRequest(Problem::DaysReversed));
    }
    let tiers = state.store.list_tiers().await?;
    let tier = match form.tier.trim() {
        "" => None,
        slug => Some(
            tiers
                .iter()
                .find(|t| t.slug == slug)
                .ok_or(Error::BadRequest(Problem::NoSuchTier))?
                .id,
        ),
    };
    let attributes = state.store.list_attributes().await?;
    let attribute = attribute_filter(&attributes, form)?;
    let search = CustomerSearch {
        query,
        status,
        created_from,
        created_before,
        tier,
        attribute,
        sort,
    };
    Ok(ParsedSearch {
        search,
        field,
        tiers,
        attributes,
    })
}

/// The search text, and the part of a customer it is matched against.
fn text_query(form: &SearchForm) -> Result<(SearchField, CustomerQuery)> {
    let text = form.q.trim();
    if text.chars().count() > QUERY_MAX {
        return Err(Error::BadRequest(Problem::SearchTooLong { max: QUERY_MAX }));
    }
    let field = match form.field.as_str() {
        "" | "email" => SearchField::Email,
        "name" => SearchField::Name,
        "id" => SearchField::Id,
        _ => return Err(Error::BadRequest(Problem::SearchField)),
    };
    let query = match (field, text) {
        (_, "") => CustomerQuery::All,
        (SearchField::Email, t) => CustomerQuery::EmailPrefix(t.to_ascii_lowercase()),
        (SearchField::Name, t) if t.chars().count() < 3 => {
            return Err(Error::BadRequest(Problem::NameQueryTooShort));
        }
        (SearchField::Name, t) => CustomerQuery::NameContains(t.to_string()),
        (SearchField::Id, t) => CustomerQuery::Id(
            Uuid::parse_str(t).map_err(|_| Error::BadRequest(Problem::CustomerIdFormat))?,
        ),
    };
    Ok((field, query))
}

/// The searchable attribute the form names, and its value in canonical form.
fn attribute_filter(
    attributes: &[Attribute],
    form: &SearchForm,
) -> Result<Option<(crate::domain::AttributeId, String)>> {
    let key = form.attr.trim();
    if key.is_empty() {
        return Ok(None);
    }
    let a = attributes
        .iter()
        .find(|a| a.key == key && a.searchable && !a.archived)
        .ok_or(Error::BadRequest(Problem::NoSuchSearchableAttribute))?;
    match a.canonical(&form.attr_value) {
        Ok(Some(value)) => Ok(Some((a.id, value))),
        Ok(None) => Err(Error::BadRequest(Problem::ValueToFind {
            label: a.label.clone(),
        })),
        Err(problem) => Err(Error::BadRequest(a.problem(problem))),
    }
}

/// A day field, as the Unix time the day starts; `which` names the field
/// in the message.
pub fn day(raw: &str, which: &'static str) -> Result<Option<i64>> {
    clock::day_start(raw).map_err(|_| Error::BadRequest(Problem::DayFormat { which }))
}

impl SearchForm {
    /// The search's parameters as links and hidden fields carry them.
    pub fn pairs(&self, parsed: &ParsedSearch) -> Vec<(&'static str, String)> {
        let s = &parsed.search;
        [
            ("q", self.q.trim()),
            ("field", parsed.field.as_str()),
            ("status", s.status.as_str()),
            ("from", self.from.trim()),
            ("to", self.to.trim()),
            ("sort", s.sort.as_str()),
            ("tier", self.tier.trim()),
            ("attr", self.attr.trim()),
            ("attr_value", self.attr_value.trim()),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect()
    }

    /// The search in a few words, for a bulk change's page and record.
    pub fn describe(&self) -> String {
        let text = self.q.trim();
        let described: Vec<String> = [
            ("search", text),
            ("in", self.field.trim()),
            ("status", self.status.trim()),
            ("created from", self.from.trim()),
            ("created to", self.to.trim()),
            ("tier", self.tier.trim()),
        ]
        .into_iter()
        .filter(|(_, v)| {
            !v.is_empty()
                && *v != "all"
                && !(text.is_empty() && ["email", "name", "id"].contains(v))
        })
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
        if described.is_empty() {
            "every customer".to_string()
        } else {
            described.join(", ")
        }
    }
}

/// A page of the customers `search` finds, after `after`, at most `limit`.
pub async fn customers(
    state: &AppState,
    search: &CustomerSearch,
    after: Option<&Cursor>,
    limit: i64,
) -> Result<crate::store::CustomerPage> {
    // A list may lag the latest change by the replica's delay (usually
    // milliseconds); the customer's own page reads the primary. A replica
    // out of reach costs a second, not the search.
    let store = &state.store;
    match store
        .lagging_reads()
        .search_customers(search, after, limit)
        .await
        .map_err(Error::from)
    {
        Err(Error::Offline { .. }) if store.lagging_reads_from() == "replica" => {
            tracing::warn!("the replica is out of reach: searching the primary");
            Ok(store.search_customers(search, after, limit).await?)
        }
        found => found,
    }
}

/// How many customers `search` finds, as far as it is cheap to know
/// (counting every match exactly is what made common searches slow).
pub async fn count_matches(state: &AppState, search: &CustomerSearch) -> Result<MatchCount> {
    let store = &state.store;
    match store
        .lagging_reads()
        .count_matches(search)
        .await
        .map_err(Error::from)
    {
        Err(Error::Offline { .. }) if store.lagging_reads_from() == "replica" => {
            Ok(store.count_matches(search).await?)
        }
        found => found,
    }
}

/// How many customers there are, and whether that is exact (a large
/// table is estimated: counting it exactly would scan it).
pub async fn estimate(state: &AppState) -> Result<(i64, bool)> {
    Ok(state.store.estimate_customers().await?)
}
