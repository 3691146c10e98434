//! The name word index (migration 0023): each word of a customer's name
//! (`domain::name_words`) with their creation time and folded name, written
//! in the same transaction as the name, read by searches for several words
//! (`search.rs`). Deleting a customer deletes their words (ON DELETE CASCADE).

use super::{BeginWrite, Pool, Store, StoreResult};
use crate::domain::{name_key, name_words};
use uuid::Uuid;

/// The record (in `deferred_indexes`) of customers whose words are not yet
/// indexed: every customer stored before the index existed.
pub(super) const DEFERRED: &str = "customer_name_words";

/// Customers indexed per transaction when indexing them all.
const BATCH: i64 = 10_000;

/// Indexes the words of customers from a `names_json` array; the creation
/// time comes from the customer's row (a customer not stored is skipped),
/// an entry already there is left as it is.
const INSERT_SQLITE: &str = "INSERT OR IGNORE INTO customer_name_words (word, customer_created_at, customer_id, name) \
    SELECT w.value, customers.created_at, customers.id, c.value ->> 1 FROM json_each($1) AS c \
    JOIN customers ON customers.id = unhex(c.value ->> 0), json_each(c.value, '$[2]') AS w";
const INSERT_POSTGRES: &str = "INSERT INTO customer_name_words (word, customer_created_at, customer_id, name) \
    SELECT w, customers.created_at, customers.id, c ->> 1 FROM jsonb_array_elements($1::jsonb) AS c \
    JOIN customers ON customers.id = (c ->> 0)::uuid \
    CROSS JOIN LATERAL jsonb_array_elements_text(c -> 2) AS w ON CONFLICT DO NOTHING";
/// Forgets the words of the customers of a `names_json` array.
const DELETE_SQLITE: &str = "DELETE FROM customer_name_words WHERE customer_id IN \
    (SELECT unhex(c.value ->> 0) FROM json_each($1) AS c)";
const DELETE_POSTGRES: &str = "DELETE FROM customer_name_words WHERE customer_id IN \
    (SELECT (c ->> 0)::uuid FROM jsonb_array_elements($1::jsonb) AS c)";

/// Customers' names as one JSON parameter of the statements above:
/// `[[id in hex, folded name, [distinct words]], ...]`.
pub(super) fn names_json<'a>(customers: impl IntoIterator<Item = (Uuid, &'a str)>) -> String {
    let rows: Vec<serde_json::Value> = customers
        .into_iter()
        .map(|(id, name)| {
            let words = name_words(name);
            let key = name_key(&words);
            let mut distinct = words;
            distinct.sort_unstable();
            distinct.dedup();
            serde_json::json!([id.simple().to_string(), key, distinct])
        })
        .collect();
    serde_json::Value::Array(rows).to_string()
}

/// The statement that indexes a `names_json` array; with `replace`, the
/// one that first forgets what those customers had.
pub(super) fn statements(pool: &Pool, replace: bool) -> &'static [&'static str] {
    match (pool, replace) {
        (Pool::Sqlite(_), false) => &[INSERT_SQLITE],
        (Pool::Sqlite(_), true) => &[DELETE_SQLITE, INSERT_SQLITE],
        (Pool::Postgres(_), false) => &[INSERT_POSTGRES],
        (Pool::Postgres(_), true) => &[DELETE_POSTGRES, INSERT_POSTGRES],
    }
}

impl Store {
    /// Indexes every customer's name words (batches of `BATCH` by id, each
    /// its own transaction), then drops the record that asked for it. Run
    /// at start while the record is there; an interrupted run starts over
    /// and skips what is indexed.
    pub(super) async fn index_all_name_words(&self) -> StoreResult<()> {
        let mut after = Uuid::nil();
        loop {
            let batch: Vec<(Uuid, String)> = super::with_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT id, display_name FROM customers WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .bind(after)
                .bind(BATCH)
                .fetch_all(pool)
                .await
            })?;
            let Some((last, _)) = batch.last() else { break };
            after = *last;
            let json = names_json(batch.iter().map(|(id, name)| (*id, name.as_str())));
            let insert = statements(&self.pool, false)[0];
            super::with_pool!(self, |pool| {
                let mut tx = pool.begin_write().await?;
                sqlx::query(insert).bind(&json).execute(&mut *tx).await?;
                tx.commit().await
            })?;
        }
        super::with_pool!(self, |pool| {
            sqlx::query("DELETE FROM deferred_indexes WHERE name = $1")
                .bind(DEFERRED)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }
}
