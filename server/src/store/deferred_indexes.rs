//! Search indexes dropped for a bulk import into an empty database and
//! built once at its end (or at the next start, if the import was cut
//! short), recorded in `deferred_indexes` so nothing is left unbuilt.

use super::BeginWrite;
use super::{Store, StoreResult};

/// What a bulk import defers, as (name, statement that drops it, statement
/// that builds it again): every index on customers and their attribute
/// values but the unique ones, which keep emails, external ids and ids
/// unique. On SQLite also the name index (FTS5), which is not dropped but
/// filled at the end with every customer it lacks. On both, the name word
/// index (`name_words::DEFERRED`), filled at the end in the customers' id
/// order: 41,000 words written in creation order cost a PostgreSQL seed
/// batch more than its customers did.
const DEFERRABLE_SQLITE: &str = "SELECT name, 'DROP INDEX \"' || name || '\"', sql FROM sqlite_master \
    WHERE type = 'index' AND tbl_name IN ('customers', 'customer_attributes') AND sql IS NOT NULL \
    AND sql NOT LIKE 'CREATE UNIQUE%' \
    UNION ALL SELECT 'customer_names', NULL, 'INSERT INTO customer_names (rowid, display_name) \
    SELECT rowid, display_name FROM customers WHERE rowid NOT IN (SELECT rowid FROM customer_names)' \
    UNION ALL SELECT 'customer_name_words', NULL, ''";
/// On PostgreSQL also the foreign keys of both tables: a key is checked by
/// a query per row, which took more than half the time of writing
/// attribute values. Rows whose customer was deleted meanwhile (the cascade
/// did not run) are deleted, and the key added back `NOT VALID`: enforced
/// from then on without a second pass over every row, which would find
/// nothing (imported rows name existing tiers and attributes, which are
/// archived, never deleted, and the customers just deleted from).
const DEFERRABLE_POSTGRES: &str = "SELECT indexname::text, format('DROP INDEX %I', indexname), indexdef \
    FROM pg_indexes WHERE schemaname = current_schema() \
    AND tablename IN ('customers', 'customer_attributes') AND indexdef NOT LIKE 'CREATE UNIQUE%' \
    UNION ALL SELECT c.conname::text, format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname), \
    CASE WHEN c.confrelid = 'customers'::regclass THEN format('DELETE FROM %s WHERE NOT EXISTS \
    (SELECT 1 FROM customers WHERE customers.id = %s.%I); ', c.conrelid::regclass, c.conrelid::regclass, a.attname) \
    ELSE '' END || format('ALTER TABLE %s ADD CONSTRAINT %I %s NOT VALID', c.conrelid::regclass, c.conname, \
    replace(pg_get_constraintdef(c.oid), ' NOT VALID', '')) \
    FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
    WHERE c.contype = 'f' AND c.conrelid IN ('customers'::regclass, 'customer_attributes'::regclass) \
    UNION ALL SELECT 'customer_name_words', NULL, ''";

impl Store {
    /// Before a bulk import: if there are no customers yet, drops the
    /// customer search indexes (every index on customers and their
    /// attribute values but the unique ones, which keep emails, external ids
    /// and ids unique) and records how to build each again, in one
    /// transaction. `build_deferred_indexes` builds them once at the end:
    /// 2x faster on SQLite and more on PostgreSQL than keeping each up to
    /// date row by row. Console searches scan until then. Returns whether it
    /// deferred them.
    pub async fn defer_search_indexes(&self) -> StoreResult<bool> {
        let listing = match self.pool {
            super::Pool::Sqlite(_) => DEFERRABLE_SQLITE,
            super::Pool::Postgres(_) => DEFERRABLE_POSTGRES,
        };
        super::with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let any: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM customers)")
                .fetch_one(&mut *tx)
                .await?;
            let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deferred_indexes")
                .fetch_one(&mut *tx)
                .await?;
            if any || pending > 0 {
                return Ok(false);
            }
            let deferrable: Vec<(String, Option<String>, String)> =
                sqlx::query_as(listing).fetch_all(&mut *tx).await?;
            for (name, drop, rebuild) in &deferrable {
                if let Some(drop) = drop {
                    sqlx::query(drop).execute(&mut *tx).await?;
                }
                sqlx::query("INSERT INTO deferred_indexes (name, rebuild) VALUES ($1, $2)")
                    .bind(name)
                    .bind(rebuild)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Builds the indexes a bulk import deferred (at its end, or at the next
    /// start after it was interrupted), each in its own transaction with
    /// its record, so no index is built twice or forgotten. PostgreSQL
    /// builds two at a time (one per core; building indexes of one table
    /// at once is allowed).
    pub async fn build_deferred_indexes(&self) -> StoreResult<()> {
        use futures_util::StreamExt;
        // Indexes first, the GIN one (the slowest) first so the other
        // worker builds the rest meanwhile; then the foreign keys (and
        // SQLite's name index) one by one: adding a foreign key locks out
        // index builds on both its tables, so beside them it only waits.
        let deferred: Vec<(String, bool)> = super::with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT name, rebuild LIKE 'CREATE %' FROM deferred_indexes \
                 ORDER BY rebuild LIKE '% USING gin %' DESC, name",
            )
            .fetch_all(pool)
            .await?
        });
        // Name words are indexed by Rust code, last, once the customers
        // they join are indexed.
        let words = deferred
            .iter()
            .any(|(name, _)| name == super::name_words::DEFERRED);
        let (indexes, others): (Vec<_>, Vec<_>) = deferred
            .into_iter()
            .filter(|(name, _)| name != super::name_words::DEFERRED)
            .partition(|(_, index)| *index);
        let mut results: Vec<StoreResult<()>> = futures_util::stream::iter(indexes)
            .map(|(name, _)| self.build_deferred_index(name))
            .buffer_unordered(self.concurrent_writers())
            .collect()
            .await;
        for (name, _) in others {
            results.push(self.build_deferred_index(name).await);
        }
        if words {
            results.push(self.index_all_name_words().await);
        }
        results.into_iter().collect()
    }

    async fn build_deferred_index(&self, name: String) -> StoreResult<()> {
        super::with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            // Claims the record: another instance building at the same
            // time finds it gone and skips it.
            let rebuild: Option<String> = sqlx::query_scalar(
                "DELETE FROM deferred_indexes WHERE name = $1 RETURNING rebuild",
            )
            .bind(&name)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(rebuild) = rebuild else {
                return Ok(());
            };
            if !matches!(self.pool, super::Pool::Sqlite(_)) {
                // Sorting and joining in memory instead of temporary files.
                sqlx::raw_sql(
                    "SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL work_mem = '256MB'",
                )
                .execute(&mut *tx)
                .await?;
            }
            sqlx::raw_sql(&rebuild).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(())
        })
    }
}
