//! Console search over customers. Every query is a range or equality scan
//! on an index, paged by keyset (the last row's sort key), never by OFFSET.

use super::{Bind, Pool, Sql, Store, StoreResult};
use crate::domain::{
    AttributeId, Cursor, Customer, CustomerQuery, CustomerSearch, Sort, StatusFilter,
};
use uuid::Uuid;

pub struct CustomerPage {
    pub rows: Vec<Customer>,
    pub next: Option<Cursor>,
}

/// Up to this many customers with an attribute's value are listed from the
/// attribute index and sorted; beyond it the list is walked instead.
const FEW_MATCHES: i64 = 5000;

/// The sort key expression for last sign-in, exactly as the index declares it.
const LAST_SIGN_IN: &str = "COALESCE(last_sign_in_at, 0)";

impl Store {
    pub async fn search_customers(
        &self,
        search: &CustomerSearch,
        after: Option<&Cursor>,
        limit: i64,
    ) -> StoreResult<CustomerPage> {
        let postgres = matches!(self.pool, Pool::Postgres(_));
        // PostgreSQL compares text by locale unless told otherwise; the
        // prefix range must compare bytes, as SQLite does by default.
        let email_expr = if postgres {
            "email COLLATE \"C\""
        } else {
            "email"
        };
        let mut sql = Sql::default();
        let mut conditions: Vec<String> = Vec::new();
        conditions.extend(query_condition(
            &mut sql,
            &search.query,
            email_expr,
            postgres,
        ));
        conditions.extend(filter_conditions(&mut sql, search));
        if let Some((attribute, value)) = &search.attribute {
            let few = self
                .attribute_matches(*attribute, value, FEW_MATCHES + 1)
                .await?
                <= FEW_MATCHES;
            conditions.push(attribute_condition(&mut sql, *attribute, value, few));
        }
        let by_email = matches!(search.query, CustomerQuery::EmailPrefix(_));
        let order = if by_email {
            if let Some(Cursor::Email(e)) = after {
                let p = sql.param(Bind::Text(e.clone()));
                conditions.push(format!("{email_expr} > {p}"));
            }
            email_expr.to_string()
        } else {
            keyset(&mut sql, &mut conditions, search.sort, after)
        };

        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let limit_param = sql.param(Bind::Int(limit + 1));
        sql.text = format!(
            "SELECT {} FROM customers{filter} ORDER BY {order} LIMIT {limit_param}",
            super::customers::customer_columns("customers")
        );

        let rows: Vec<super::customers::CustomerRow> = self.fetch_all(&sql).await?;
        let mut rows: Vec<Customer> = rows.into_iter().map(Into::into).collect();
        let next = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last()
                .map(|last| next_cursor(last, by_email, search.sort))
        } else {
            None
        };
        Ok(CustomerPage { rows, next })
    }
}

/// The condition of the text query, if any.
fn query_condition(
    sql: &mut Sql,
    query: &CustomerQuery,
    email_expr: &str,
    postgres: bool,
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
        // Both run on a trigram index: pg_trgm's GIN on PostgreSQL...
        CustomerQuery::NameContains(text) if postgres => {
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
fn filter_conditions(sql: &mut Sql, search: &CustomerSearch) -> Vec<String> {
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
fn attribute_condition(sql: &mut Sql, attribute: AttributeId, value: &str, few: bool) -> String {
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
fn keyset(
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

impl Store {
    /// The first customer whose email sorts at or after `from`, with their
    /// name: how the console benchmark picks real customers to look for.
    pub async fn customer_email_at_or_after(
        &self,
        from: &str,
    ) -> StoreResult<Option<(String, String)>> {
        let email = match self.pool {
            Pool::Postgres(_) => "email COLLATE \"C\"",
            Pool::Sqlite(_) => "email",
        };
        let sql = format!(
            "SELECT email, display_name FROM customers WHERE {email} >= $1 ORDER BY {email} LIMIT 1"
        );
        super::with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(from)
            .fetch_optional(pool)
            .await)
    }

    /// The cursor after `depth` customers in `sort` order (an OFFSET scan:
    /// for the benchmark's set-up only, never for a page).
    pub async fn cursor_at_depth(&self, sort: Sort, depth: i64) -> StoreResult<Option<Cursor>> {
        let key = match sort {
            Sort::Created => "created_at",
            Sort::LastSignIn => LAST_SIGN_IN,
        };
        let sql = format!(
            "SELECT {key}, id FROM customers ORDER BY {key} DESC, id DESC LIMIT 1 OFFSET $1"
        );
        let row: Option<(i64, Uuid)> = super::with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(depth)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|(at, id)| match sort {
            Sort::Created => Cursor::Created { created_at: at, id },
            Sort::LastSignIn => Cursor::LastSignIn { at, id },
        }))
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
