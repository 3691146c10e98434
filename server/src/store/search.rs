//! Console search over customers. Every query is a range or equality scan
//! on an index, paged by keyset (the last row's sort key), never by OFFSET.

use super::{Bind, Pool, Sql, Store, StoreResult};
use crate::domain::{
    AttributeId, Cursor, Customer, CustomerQuery, CustomerSearch, MatchCount, Sort, StatusFilter,
};
use uuid::Uuid;

pub struct CustomerPage {
    pub rows: Vec<Customer>,
    pub next: Option<Cursor>,
    /// About how many match, when choosing the plan took a sample.
    pub sampled: Option<i64>,
}

/// Up to this many customers with an attribute's value are listed from the
/// attribute index and sorted; beyond it the list is walked instead.
const FEW_MATCHES: i64 = 5000;

/// The sort key expression for last sign-in, exactly as the index declares it.
const LAST_SIGN_IN: &str = "COALESCE(last_sign_in_at, 0)";

/// How many customers a sample looks at to estimate how many match.
const SAMPLE: i64 = 1000;

/// Up to this many customers, PostgreSQL counts matches exactly.
const SMALL: i64 = 20_000;

/// How far matches are counted along an index before "more than".
const COUNT_UP_TO: i64 = 1000;

/// How a search reaches its rows.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Plan {
    /// Through the index of its condition, sorting every match.
    Index,
    /// Along the sort order, newest first, testing each customer until a
    /// page is full, looking at no more than this many.
    Walk(i64),
}

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
        let bound = sql.param(Bind::Int(COUNT_UP_TO + 1));
        // In the index's order, or PostgreSQL may scan the table for a
        // prefix it expects to be common.
        sql.text = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM customers{} ORDER BY {} LIMIT {bound}) AS found",
            where_clause(conditions),
            email_expr(postgres)
        );
        let (n,): (i64,) = self.fetch_one(&sql).await?;
        Ok(if n > COUNT_UP_TO {
            MatchCount::MoreThan(COUNT_UP_TO)
        } else {
            MatchCount::Exactly(n)
        })
    }

    /// A page of the customers whose names have every one of `words`
    /// (`NameWords`). The rarest whole word's index entries are walked newest
    /// first, the other words tested on the folded name beside each entry
    /// (no customer row is read for an entry that fails), so the newest
    /// matches come without gathering and sorting all of them: "zoe tanaka"
    /// reads about limit / share entries of "zoe". Sorted by last sign-in,
    /// every match is gathered and sorted instead.
    async fn word_page(
        &self,
        search: &CustomerSearch,
        words: &NameWords,
        after: Option<&Cursor>,
        limit: i64,
    ) -> StoreResult<CustomerPage> {
        let mut sql = Sql::default();
        let mut conditions = self.word_conditions(&mut sql, search, words).await?;
        let order = match search.sort {
            Sort::Created => {
                if let Some(Cursor::Created { created_at, id }) = after {
                    let k = sql.param(Bind::Int(*created_at));
                    let id = sql.param(Bind::Id(*id));
                    conditions.push(format!(
                        "w.customer_created_at <= {k} AND (w.customer_created_at < {k} OR w.customer_id < {id})"
                    ));
                }
                "w.customer_created_at DESC, w.customer_id DESC".to_string()
            }
            Sort::LastSignIn => keyset(&mut sql, &mut conditions, search.sort, after),
        };
        let columns = super::customers::customer_columns("customers");
        let limit_param = sql.param(Bind::Int(limit + 1));
        sql.text = format!(
            "SELECT {columns} FROM {WORD_JOIN}{} ORDER BY {order} LIMIT {limit_param}",
            where_clause(conditions)
        );
        let rows: Vec<super::customers::CustomerRow> = self.fetch_all(&sql).await?;
        let mut rows: Vec<Customer> = rows.into_iter().map(Into::into).collect();
        let next = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last()
                .map(|last| next_cursor(last, false, search.sort))
        } else {
            None
        };
        Ok(CustomerPage {
            rows,
            next,
            sampled: None,
        })
    }

    /// How many customers have every one of `words`, counted along the
    /// rarest word's entries up to `COUNT_UP_TO`.
    async fn count_word_matches(
        &self,
        search: &CustomerSearch,
        words: &NameWords,
    ) -> StoreResult<MatchCount> {
        let mut sql = Sql::default();
        let conditions = self.word_conditions(&mut sql, search, words).await?;
        let bound = sql.param(Bind::Int(COUNT_UP_TO + 1));
        // Customers are joined only to test filters: every entry has one.
        let unfiltered = CustomerSearch {
            query: CustomerQuery::All,
            ..search.clone()
        }
        .is_everyone();
        let from = if unfiltered {
            "customer_name_words AS w"
        } else {
            WORD_JOIN
        };
        // In the index's order: a walk that stops at the bound, where
        // PostgreSQL would otherwise gather every entry of the word first.
        sql.text = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {from}{} \
             ORDER BY w.customer_created_at DESC, w.customer_id DESC LIMIT {bound}) AS found",
            where_clause(conditions)
        );
        let (n,): (i64,) = self.fetch_one(&sql).await?;
        Ok(if n > COUNT_UP_TO {
            MatchCount::MoreThan(COUNT_UP_TO)
        } else {
            MatchCount::Exactly(n)
        })
    }

    /// The conditions of a search for several name words over `WORD_JOIN`:
    /// the rarest whole word's entries, the other whole words and the
    /// beginning of a word of the folded name, and the search's filters.
    async fn word_conditions(
        &self,
        sql: &mut Sql,
        search: &CustomerSearch,
        words: &NameWords,
    ) -> StoreResult<Vec<String>> {
        let rarest = self.rarest_word(&words.whole).await?;
        let mut conditions = vec![format!(
            "w.word = {}",
            sql.param(Bind::Text(rarest.clone()))
        )];
        // Words hold letters, digits and marks only: nothing LIKE treats
        // specially.
        let patterns = words
            .whole
            .iter()
            .filter(|w| **w != rarest)
            .map(|w| format!("% {w} %"))
            .chain([format!("% {}%", words.last)]);
        for pattern in patterns {
            conditions.push(format!("w.name LIKE {}", sql.param(Bind::Text(pattern))));
        }
        let filters = CustomerSearch {
            query: CustomerQuery::All,
            ..search.clone()
        };
        let postgres = matches!(self.pool, Pool::Postgres(_));
        conditions.extend(
            self.conditions(sql, &filters, postgres, Plan::Index)
                .await?,
        );
        Ok(conditions)
    }

    /// The word of `words` with the fewest index entries, counted up to
    /// `RARE_ENOUGH` each (beyond that, the longest).
    async fn rarest_word(&self, words: &[String]) -> StoreResult<String> {
        if let [only] = words {
            return Ok(only.clone());
        }
        let mut best: Option<(i64, usize, &String)> = None;
        for word in words {
            let (n,): (i64,) = self
                .fetch_one(&Sql {
                    text: format!(
                        "SELECT COUNT(*) FROM (SELECT 1 FROM customer_name_words WHERE word = $1 \
                         LIMIT {RARE_ENOUGH}) AS found"
                    ),
                    binds: vec![Bind::Text(word.clone())],
                })
                .await?;
            // Fewer entries first, then a longer word.
            let key = (n, usize::MAX - word.len(), word);
            if best.as_ref().is_none_or(|b| key < *b) {
                best = Some(key);
            }
        }
        Ok(best.map(|(_, _, w)| w.clone()).unwrap_or_default())
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
        let columns = super::customers::customer_columns("customers");
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

        let rows: Vec<super::customers::CustomerRow> = self.fetch_all(&sql).await?;
        let mut rows: Vec<Customer> = rows.into_iter().map(Into::into).collect();
        let next = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last()
                .map(|last| next_cursor(last, by_email, search.sort))
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

/// Name word entries joined to their customers, as `word_page` reads them.
const WORD_JOIN: &str = "customer_name_words AS w JOIN customers ON customers.id = w.customer_id";

/// Up to this many entries of a word are counted to find the rarest.
const RARE_ENOUGH: i64 = 10_000;

/// A name search for two or more words: the words before the last are
/// whole words of the name; the last, as far as it is typed, begins one
/// ("tanaka zo" finds Zoë Tanaka).
struct NameWords {
    /// Distinct.
    whole: Vec<String>,
    last: String,
}

impl NameWords {
    fn of(query: &CustomerQuery) -> Option<NameWords> {
        let CustomerQuery::NameContains(text) = query else {
            return None;
        };
        let mut whole = crate::domain::name_words(text);
        if whole.len() < 2 {
            return None;
        }
        let last = whole.pop()?;
        whole.sort_unstable();
        whole.dedup();
        Some(NameWords { whole, last })
    }
}

/// PostgreSQL compares text by locale unless told otherwise; an email
/// prefix range must compare bytes, as SQLite does by default.
fn email_expr(postgres: bool) -> &'static str {
    if postgres {
        "email COLLATE \"C\""
    } else {
        "email"
    }
}

/// ` WHERE a AND b`, or nothing.
fn where_clause(conditions: impl IntoIterator<Item = String>) -> String {
    let all: Vec<String> = conditions.into_iter().collect();
    if all.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", all.join(" AND "))
    }
}

/// The condition of the text query, if any.
fn query_condition(
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
