//! Console search by several name words, on the name word index
//! (`customer_name_words`): whole words in any order, the last as far as
//! it is typed.

use super::CustomerPage;
use super::clauses::{Plan, keyset, where_clause};
use crate::domain::{Cursor, CustomerQuery, CustomerSearch, MatchCount, Sort};
use crate::store::{Bind, Pool, Sql, Store, StoreResult};

/// Name word entries joined to their customers, as `word_page` reads them.
const WORD_JOIN: &str = "customer_name_words AS w JOIN customers ON customers.id = w.customer_id";

/// Up to this many entries of a word are counted to find the rarest.
const RARE_ENOUGH: i64 = 10_000;

/// A name search for two or more words: the words before the last are
/// whole words of the name; the last, as far as it is typed, begins one
/// ("tanaka zo" finds Zoë Tanaka).
pub(super) struct NameWords {
    /// Distinct.
    whole: Vec<String>,
    last: String,
}

impl NameWords {
    pub(super) fn of(query: &CustomerQuery) -> Option<NameWords> {
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

impl Store {
    /// A page of the customers whose names have every one of `words`
    /// (`NameWords`). The rarest whole word's index entries are walked newest
    /// first, the other words tested on the folded name beside each entry
    /// (no customer row is read for an entry that fails), so the newest
    /// matches come without gathering and sorting all of them: "zoe tanaka"
    /// reads about limit / share entries of "zoe". Sorted by last sign-in,
    /// every match is gathered and sorted instead.
    pub(super) async fn word_page(
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
        let columns = crate::store::customers::customer_columns("customers");
        let limit_param = sql.param(Bind::Int(limit + 1));
        sql.text = format!(
            "SELECT {columns} FROM {WORD_JOIN}{} ORDER BY {order} LIMIT {limit_param}",
            where_clause(conditions)
        );
        self.read_page(&sql, limit, false, search.sort).await
    }

    /// How many customers have every one of `words`, counted along the
    /// rarest word's entries up to `COUNT_UP_TO`.
    pub(super) async fn count_word_matches(
        &self,
        search: &CustomerSearch,
        words: &NameWords,
    ) -> StoreResult<MatchCount> {
        let mut sql = Sql::default();
        let conditions = self.word_conditions(&mut sql, search, words).await?;
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
        // In the index's order, where PostgreSQL would otherwise gather
        // every entry of the word first.
        let from = format!("{from}{}", where_clause(conditions));
        self.count_along(sql, &from, "w.customer_created_at DESC, w.customer_id DESC")
            .await
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
}
