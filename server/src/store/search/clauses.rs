//! The pieces of SQL every console search is built from: conditions, the
//! keyset order and where the next page starts.

use super::CustomerPage;
use crate::domain::{
    AttributeId, Cursor, Customer, CustomerQuery, CustomerSearch, MatchCount, Sort, StatusFilter,
};
use crate::store::{Bind, Sql, Store, StoreResult};

/// How far matches are counted along an index before "more than".
const COUNT_UP_TO: i64 = 1000;

/// The sort key expression for last sign-in, exactly as the index declares it.
pub(super) const LAST_SIGN_IN: &str = "COALESCE(last_sign_in_at, 0)";

/// How a search reaches its rows.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(super) enum Plan {
    /// Through the index of its condition, sorting every match.
    Index,
    /// Along the sort order, newest first, testing each customer until a
    /// page is full, looking at no more than this many.
    Walk(i64),
}

/// PostgreSQL compares text by locale unless told otherwise; an email
/// prefix range must compare bytes, as SQLite does by default.
pub(super) fn email_expr(postgres: bool) -> &'static str {
    if postgres {
        "email COLLATE \"C\""
    } else {
        "email"
    }
}

/// ` WHERE a AND b`, or nothing.
pub(super) fn where_clause(conditions: impl IntoIterator<Item = String>) -> String {
    let all: Vec<String> = conditions.into_iter().collect();
    if all.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", all.join(" AND "))
    }
}

/// The condition of the text query, if any.
pub(super) fn query_condition(
    sql: &mut Sql,
    query: &CustomerQuery,
    email_expr: &str,
    by_like: bool,
) -> Option<String> {
    Some(match query {
        CustomerQuery::All => return None,
        CustomerQuery::Id(id) => format!("id = {}", sql.param(Bind::Id(*id))),
        CustomerQuery::EmailPrefix(prefix) => {
            // Addresses are ASCII, so every one starting with `prefix`
            // sorts below `prefix` followed by DEL (0x7f).
            let low = sql.param(Bind::Text(prefix.clone()));
            let high = sql.param(Bind::Text(format!("{prefix}\u{7f}")));
            format!("{email_expr} >= {low} AND {email_expr} < {high}")
        }
        // Both run on a trigram index: pg_trgm's GIN on PostgreSQL (and
        // LIKE also tests one row at a time, on either database)...
        CustomerQuery::NameContains(text) if by_like => {
            let p = sql.param(Bind::Text(like_pattern(text)));
            format!("lower(display_name) LIKE {p} ESCAPE '\\'")
        }
        // ...and FTS5's on SQLite, where a quoted phrase is a substring
        // match on the trigram table (LIKE with ESCAPE would bypass it).
        CustomerQuery::NameContains(text) => {
            let p = sql.param(Bind::Text(format!("\"{}\"", text.replace('"', "\"\""))));
            format!("rowid IN (SELECT rowid FROM customer_names WHERE customer_names MATCH {p})")
        }
    })
}

/// The conditions of status, tier and creation dates.
pub(super) fn filter_conditions(sql: &mut Sql, search: &CustomerSearch) -> Vec<String> {
    let mut conditions = Vec::new();
    let status = match search.status {
        StatusFilter::Any => None,
        StatusFilter::Active => Some("disabled_at IS NULL"),
        StatusFilter::Disabled => Some("disabled_at IS NOT NULL"),
        StatusFilter::Verified => Some("email_verified_at IS NOT NULL"),
        StatusFilter::Unverified => Some("email_verified_at IS NULL"),
    };
    conditions.extend(status.map(str::to_string));
    if let Some(from) = search.created_from {
        conditions.push(format!("created_at >= {}", sql.param(Bind::Int(from))));
    }
    if let Some(tier) = search.tier {
        conditions.push(format!("tier_id = {}", sql.param(Bind::Id(tier.0))));
    }
    if let Some(before) = search.created_before {
        conditions.push(format!("created_at < {}", sql.param(Bind::Int(before))));
    }
    conditions
}

/// The condition on an attribute's value. A value `few` customers share:
/// the partial index on (attribute, search value) lists them, and only they
/// are sorted. A common one (a country): walk customers in page order and
/// look each one's value up by primary key; a page needs a few hundred.
/// The walk is written as a scalar subquery because neither planner turns
/// that into a join: as EXISTS, PostgreSQL joined all 50,000 matches first
/// (400 ms at 1M customers).
pub(super) fn attribute_condition(
    sql: &mut Sql,
    attribute: AttributeId,
    value: &str,
    few: bool,
) -> String {
    let a = sql.param(Bind::Id(attribute.0));
    let v = sql.param(Bind::Text(value.to_string()));
    if few {
        format!(
            "id IN (SELECT customer_id FROM customer_attributes WHERE attribute_id = {a} \
             AND search_value = lower({v}) AND search_value IS NOT NULL)"
        )
    } else {
        format!(
            "(SELECT v.search_value FROM customer_attributes v WHERE v.customer_id = customers.id \
             AND v.attribute_id = {a}) = lower({v})"
        )
    }
}

/// The ORDER BY of a date sort, adding the condition for rows after the
/// cursor. Written as `key <= k AND (key < k OR id < i)` so both databases
/// see a plain range on the index's first column.
pub(super) fn keyset(
    sql: &mut Sql,
    conditions: &mut Vec<String>,
    sort: Sort,
    after: Option<&Cursor>,
) -> String {
    let (key, cursor) = match (sort, after) {
        (Sort::Created, Some(Cursor::Created { created_at, id })) => {
            ("created_at", Some((*created_at, *id)))
        }
        (Sort::LastSignIn, Some(Cursor::LastSignIn { at, id })) => (LAST_SIGN_IN, Some((*at, *id))),
        (Sort::Created, _) => ("created_at", None),
        (Sort::LastSignIn, _) => (LAST_SIGN_IN, None),
    };
    if let Some((k, id)) = cursor {
        let k = sql.param(Bind::Int(k));
        let id = sql.param(Bind::Id(id));
        conditions.push(format!("{key} <= {k} AND ({key} < {k} OR id < {id})"));
    }
    format!("{key} DESC, id DESC")
}

/// Where the page after the one ending at `last` starts.
fn next_cursor(last: &Customer, by_email: bool, sort: Sort) -> Cursor {
    match (by_email, sort) {
        (true, _) => Cursor::Email(last.email.as_str().to_string()),
        (false, Sort::Created) => Cursor::Created {
            created_at: last.created_at,
            id: last.id.0,
        },
        (false, Sort::LastSignIn) => Cursor::LastSignIn {
            at: last.last_sign_in_at.unwrap_or(0),
            id: last.id.0,
        },
    }
}

/// `%text%` for LIKE, lower-cased, with LIKE's wildcards taken literally.
fn like_pattern(text: &str) -> String {
    let escaped: String = text
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

impl Store {
    /// How many rows of `from` (a table and its WHERE, whose parameters
    /// `sql` holds) there are, read in `order` (an index's: a walk that
    /// stops at the bound) up to `COUNT_UP_TO`.
    pub(super) async fn count_along(
        &self,
        mut sql: Sql,
        from: &str,
        order: &str,
    ) -> StoreResult<MatchCount> {
        let bound = sql.param(Bind::Int(COUNT_UP_TO + 1));
        sql.text = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {from} ORDER BY {order} LIMIT {bound}) AS found"
        );
        let (n,): (i64,) = self.fetch_one(&sql).await?;
        Ok(if n > COUNT_UP_TO {
            MatchCount::MoreThan(COUNT_UP_TO)
        } else {
            MatchCount::Exactly(n)
        })
    }

    /// Runs `sql`, which asks for `limit + 1` customers in page order: the
    /// extra row only says whether another page follows.
    pub(super) async fn read_page(
        &self,
        sql: &Sql,
        limit: i64,
        by_email: bool,
        sort: Sort,
    ) -> StoreResult<CustomerPage> {
        let rows: Vec<crate::store::customers::CustomerRow> = self.fetch_all(sql).await?;
        let mut rows: Vec<Customer> = rows.into_iter().map(Into::into).collect();
        let next = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last().map(|last| next_cursor(last, by_email, sort))
        } else {
            None
        };
        Ok(CustomerPage {
            rows,
            next,
            sampled: None,
        })
    }
}
