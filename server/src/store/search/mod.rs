//! Console search over customers. Every query is a range or equality scan
//! on an index, paged by keyset (the last row's sort key), never by OFFSET.

use super::{Bind, Pool, Sql, Store, StoreResult};
use crate::domain::{Cursor, Customer, CustomerQuery, CustomerSearch, MatchCount, Sort};
use uuid::Uuid;

mod clauses;
mod words;

use clauses::{
    LAST_SIGN_IN, Plan, attribute_condition, email_expr, filter_conditions, keyset,
    query_condition, where_clause,
};
use words::NameWords;

pub struct CustomerPage {
    pub rows: Vec<Customer>,
    pub next: Option<Cursor>,
    /// About how many match, when choosing the plan took a sample.
    pub sampled: Option<i64>,
}

/// Up to this many customers with an attribute's value are listed from the
/// attribute index and sorted; beyond it the list is walked instead.
const FEW_MATCHES: i64 = 5000;

/// How many customers a sample looks at to estimate how many match.
const SAMPLE: i64 = 1000;

/// Up to this many customers, PostgreSQL counts matches exactly.
const SMALL: i64 = 20_000;

impl Store {
    pub async fn search_customers(
        &self,
        search: &CustomerSearch,
        after: Option<&Cursor>,
        limit: i64,
    ) -> StoreResult<CustomerPage> {
        // A name thousands share ("tanaka"): its index lists every match, and
        // all of them would be fetched and sorted for one page (1.8 s at 10M
        // customers). The newest matches are among the newest customers, so
        // walking the sort order fills a page after about limit / share
        // customers. The walk wins when that is fewer than the matches, that
        // is, when matches^2 > limit * customers; a sample says which.
        if let Some(words) = NameWords::of(&search.query) {
            return self.word_page(search, &words, after, limit).await;
        }
        if matches!(search.query, CustomerQuery::NameContains(_)) {
            let (matches, customers) = self.sample_matches(search).await?;
            let walk = (limit + 1) * customers / matches.max(1);
            let walked = if matches.saturating_mul(matches) > (limit + 1) * customers {
                Some(
                    self.page(search, after, limit, Plan::Walk(walk * 4))
                        .await?,
                )
            } else {
                None
            };
            // A walk that ends before the page is full proves nothing
            // about the rest: the index answers then.
            let mut page = match walked {
                Some(page) if page.next.is_some() => page,
                _ => self.page(search, after, limit, Plan::Index).await?,
            };
            page.sampled = Some(matches);
            return Ok(page);
        }
        self.page(search, after, limit, Plan::Index).await
    }

    /// How many customers `search` finds: an email prefix is counted along
    /// its index up to `COUNT_UP_TO`; anything else is estimated from a
    /// fixed sample, the same each time, so a page reloaded says the same.
    pub async fn count_matches(&self, search: &CustomerSearch) -> StoreResult<MatchCount> {
        if let Some(words) = NameWords::of(&search.query) {
            return self.count_word_matches(search, &words).await;
        }
        if !matches!(search.query, CustomerQuery::EmailPrefix(_)) {
            return Ok(MatchCount::About(self.sample_matches(search).await?.0));
        }
        let postgres = matches!(self.pool, Pool::Postgres(_));
        let mut sql = Sql::default();
        let conditions = self
            .conditions(&mut sql, search, postgres, Plan::Index)
            .await?;
        // In the index's order, or PostgreSQL may scan the table for a
        // prefix it expects to be common.
        let from = format!("customers{}", where_clause(conditions));
        self.count_along(sql, &from, email_expr(postgres)).await
    }

    /// `(matching, all)`: estimates of how many customers match and of how
    /// many there are, from about `SAMPLE` customers.
    async fn sample_matches(&self, search: &CustomerSearch) -> StoreResult<(i64, i64)> {
        let postgres = matches!(self.pool, Pool::Postgres(_));
        let mut sql = Sql::default();
        let conditions = self
            .conditions(&mut sql, search, postgres, Plan::Walk(0))
            .await?;
        let test = if conditions.is_empty() {
            "TRUE".to_string()
        } else {
            conditions.join(" AND ")
        };
        let customers = match self.pool {
            // Planner statistics; blocks are sampled whole (SYSTEM), at a
            // fixed seed. A table the statistics call small (or never
            // analysed) is read up to a bound instead.
            Pool::Postgres(_) => {
                let (mut all,): (i64,) = self
                    .fetch_one(&Sql::plain(
                        "SELECT GREATEST(reltuples::BIGINT, 0) FROM pg_class WHERE oid = 'customers'::regclass",
                    ))
                    .await?;
                if all < SMALL {
                    sql.text = format!(
                        "SELECT COUNT(*) FILTER (WHERE {test}), COUNT(*) FROM \
                         (SELECT * FROM customers LIMIT {}) AS customers",
                        SMALL + 1
                    );
                    let (matching, read): (i64, i64) = self.fetch_one(&sql).await?;
                    if read <= SMALL {
                        return Ok((matching, read));
                    }
                    all = read;
                }
                let percent = (100.0 * SAMPLE as f64 / all as f64).min(100.0);
                sql.text = format!(
                    "SELECT COUNT(*) FILTER (WHERE {test}), COUNT(*) FROM customers \
                     TABLESAMPLE SYSTEM ({percent:.6}) REPEATABLE (7)"
                );
                let (matching, sampled): (i64, i64) = self.fetch_one(&sql).await?;
                return Ok((matching * all / sampled.max(1), all));
            }
            Pool::Sqlite(_) => {
                let (all,): (i64,) = self
                    .fetch_one(&Sql::plain("SELECT COALESCE(MAX(rowid), 0) FROM customers"))
                    .await?;
                all
            }
        };
        // Runs of consecutive rowids (range reads are cheap; point reads
        // cost four times as much), spread evenly up to the largest rowid
        // (rowids are dense unless customers were deleted).
        let run = 10;
        let stride = (customers / (SAMPLE / run)).max(run);
        sql.text = format!(
            "WITH RECURSIVE pick(r) AS (SELECT 1 UNION ALL SELECT r + {stride} FROM pick \
             WHERE r + {stride} <= {customers}) \
             SELECT COUNT(*) FILTER (WHERE {test}), COUNT(*) FROM pick \
             JOIN customers ON customers.rowid BETWEEN pick.r AND pick.r + {}",
            run - 1
        );
        let (matching, _): (i64, i64) = self.fetch_one(&sql).await?;
        Ok((matching * stride / run, customers))
    }

    /// The conditions of a search. `Plan::Walk` tests each row as it comes
    /// (no index lookups to gather matches first).
    async fn conditions(
        &self,
        sql: &mut Sql,
        search: &CustomerSearch,
        postgres: bool,
        plan: Plan,
    ) -> StoreResult<Vec<String>> {
        let mut conditions: Vec<String> = Vec::new();
        conditions.extend(query_condition(
            sql,
            &search.query,
            email_expr(postgres),
            postgres || plan != Plan::Index,
        ));
        conditions.extend(filter_conditions(sql, search));
        if let Some((attribute, value)) = &search.attribute {
            let few = plan == Plan::Index
                && self
                    .attribute_matches(*attribute, value, FEW_MATCHES + 1)
                    .await?
                    <= FEW_MATCHES;
            conditions.push(attribute_condition(sql, *attribute, value, few));
        }
        Ok(conditions)
    }

    /// A page by `plan`.
    async fn page(
        &self,
        search: &CustomerSearch,
        after: Option<&Cursor>,
        limit: i64,
        plan: Plan,
    ) -> StoreResult<CustomerPage> {
        let postgres = matches!(self.pool, Pool::Postgres(_));
        let email_expr = email_expr(postgres);
        let mut sql = Sql::default();
        let conditions = self.conditions(&mut sql, search, postgres, plan).await?;
        // Where the page starts: the cursor's condition.
        let mut start = Vec::new();
        let by_email = matches!(search.query, CustomerQuery::EmailPrefix(_));
        let order = if by_email {
            if let Some(Cursor::Email(e)) = after {
                let p = sql.param(Bind::Text(e.clone()));
                start.push(format!("{email_expr} > {p}"));
            }
            email_expr.to_string()
        } else {
            keyset(&mut sql, &mut start, search.sort, after)
        };
        let columns = crate::store::customers::customer_columns("customers");
        let limit_param = sql.param(Bind::Int(limit + 1));
        sql.text = match plan {
            Plan::Index => format!(
                "SELECT {columns} FROM customers{} ORDER BY {order} LIMIT {limit_param}",
                where_clause(start.into_iter().chain(conditions))
            ),
            // The inner query is the walk: a range of the sort index,
            // bounded; the outer one tests each customer on it and stops
            // when the page is full. PostgreSQL knows the inner order and
            // sorts nothing; SQLite reads the inner query as a co-routine,
            // in its order, but would sort the whole walk for an outer
            // ORDER BY, so it gets none.
            Plan::Walk(walk) => {
                let walk = sql.param(Bind::Int(walk));
                format!(
                    "SELECT {columns} FROM (SELECT * FROM customers{} ORDER BY {order} \
                     LIMIT {walk}) AS customers{}{} LIMIT {limit_param}",
                    where_clause(start),
                    where_clause(conditions),
                    if postgres {
                        format!(" ORDER BY {order}")
                    } else {
                        String::new()
                    }
                )
            }
        };

        self.read_page(&sql, limit, by_email, search.sort).await
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
