//! Console search over customers. Every query is a range or equality scan
//! on an index, paged by keyset (the last row's sort key), never by OFFSET.

use super::{Pool, Store, StoreResult, with_pool};
use crate::customers::Customer;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CustomerQuery {
    /// Everyone, newest first.
    All,
    /// Addresses equal to or beginning with this (normalised) text, by address.
    EmailPrefix(String),
    /// Names containing this text (at least 3 characters, the shortest a
    /// trigram index can look up), any case, newest first.
    NameContains(String),
    Id(Uuid),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    Any,
    /// Not disabled.
    Active,
    Disabled,
    Verified,
    Unverified,
}

/// Where the previous page ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cursor {
    Created { created_at: i64, id: Uuid },
    Email(String),
}

pub struct CustomerPage {
    pub rows: Vec<Customer>,
    pub next: Option<Cursor>,
}

impl Store {
    pub async fn search_customers(
        &self,
        query: &CustomerQuery,
        filter: StatusFilter,
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
        let status = match filter {
            StatusFilter::Any => "",
            StatusFilter::Active => " AND disabled_at IS NULL",
            StatusFilter::Disabled => " AND disabled_at IS NOT NULL",
            StatusFilter::Verified => " AND email_verified_at IS NOT NULL",
            StatusFilter::Unverified => " AND email_verified_at IS NULL",
        };
        let columns = super::customers::customer_columns("customers");
        let fetch = limit + 1;

        let rows: Vec<super::customers::CustomerRow> = match query {
            CustomerQuery::Id(id) => {
                let sql = format!("SELECT {columns} FROM customers WHERE id = $1{status}");
                with_pool!(self, |pool| sqlx::query_as(&sql)
                    .bind(*id)
                    .fetch_all(pool)
                    .await)?
            }
            CustomerQuery::EmailPrefix(prefix) => {
                // Addresses are ASCII, so every one starting with `prefix`
                // sorts below `prefix` followed by DEL (0x7f).
                let upper = format!("{prefix}\u{7f}");
                let after_email = match after {
                    Some(Cursor::Email(e)) => e.clone(),
                    _ => String::new(),
                };
                let sql = format!(
                    "SELECT {columns} FROM customers WHERE {email_expr} >= $1 AND {email_expr} < $2 \
                     AND {email_expr} > $3{status} ORDER BY {email_expr} LIMIT $4"
                );
                with_pool!(self, |pool| sqlx::query_as(&sql)
                    .bind(prefix)
                    .bind(&upper)
                    .bind(&after_email)
                    .bind(fetch)
                    .fetch_all(pool)
                    .await)?
            }
            CustomerQuery::All | CustomerQuery::NameContains(_) => {
                let (created, id) = match after {
                    Some(Cursor::Created { created_at, id }) => (*created_at, *id),
                    _ => (i64::MAX, Uuid::max()),
                };
                let (name_clause, pattern) = match query {
                    // Both run on a trigram index: FTS5's on SQLite, pg_trgm's GIN on PostgreSQL.
                    CustomerQuery::NameContains(text) if postgres => (
                        " AND lower(display_name) LIKE $4 ESCAPE '\\'",
                        like_pattern(text),
                    ),
                    // A quoted FTS5 phrase is a substring match on the trigram
                    // table (LIKE with ESCAPE would bypass its index).
                    CustomerQuery::NameContains(text) => (
                        " AND rowid IN (SELECT rowid FROM customer_names WHERE customer_names MATCH $4)",
                        format!("\"{}\"", text.replace('"', "\"\"")),
                    ),
                    _ => ("", String::new()),
                };
                let sql = format!(
                    "SELECT {columns} FROM customers WHERE (created_at < $1 OR (created_at = $1 AND id < $2)){name_clause}{status} \
                     ORDER BY created_at DESC, id DESC LIMIT $3"
                );
                with_pool!(self, |pool| {
                    let q = sqlx::query_as(&sql).bind(created).bind(id).bind(fetch);
                    let q = if name_clause.is_empty() {
                        q
                    } else {
                        q.bind(&pattern)
                    };
                    q.fetch_all(pool).await
                })?
            }
        };

        let mut rows: Vec<Customer> = rows.into_iter().map(Into::into).collect();
        let next = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last().map(|last| match query {
                CustomerQuery::EmailPrefix(_) => Cursor::Email(last.email.as_str().to_string()),
                _ => Cursor::Created {
                    created_at: last.created_at,
                    id: last.id.0,
                },
            })
        } else {
            None
        };
        Ok(CustomerPage { rows, next })
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
