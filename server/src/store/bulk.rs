//! Loading many customers at once: multi-row INSERTs in large transactions
//! on SQLite, `COPY` on PostgreSQL. Rows whose email already exists are
//! skipped on SQLite; on PostgreSQL the caller gives fresh emails. Their
//! name words are indexed in the same transaction.

use super::BeginWrite;
use super::{Pool, Store, StoreResult};
use uuid::Uuid;

pub struct BulkCustomer {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub email_verified_at: Option<i64>,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
}

/// Rows per INSERT statement on SQLite: few, since binding costs grow faster
/// than linearly with the parameter count (see `store::import`).
const ROWS_PER_STATEMENT: usize = 50;

impl Store {
    pub async fn bulk_insert_customers(
        &self,
        rows: &[BulkCustomer],
        terms_version: &str,
    ) -> StoreResult<()> {
        let names =
            super::name_words::names_json(rows.iter().map(|r| (r.id, r.display_name.as_str())));
        let words = super::name_words::statements(&self.pool, false);
        match &self.pool {
            Pool::Sqlite(pool) => {
                let mut tx = pool.begin_write().await?;
                for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                    let sql = insert_statement(chunk.len());
                    let mut query = sqlx::query(&sql);
                    for row in chunk {
                        query = query
                            .bind(row.id)
                            .bind(&row.email)
                            .bind(&row.display_name)
                            .bind(&row.password_hash)
                            .bind(terms_version)
                            .bind(row.created_at)
                            .bind(row.email_verified_at)
                            .bind(row.last_sign_in_at);
                    }
                    query.execute(&mut *tx).await?;
                    let names =
                        super::customers::name_index_insert_many(chunk.iter().map(|r| r.id));
                    super::bind_sql!(sqlx::query(&names.text), names)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(words[0]).bind(&names).execute(&mut *tx).await?;
                tx.commit().await
            }
            Pool::Postgres(pool) => {
                let mut tx = pool.begin_write().await?;
                let mut copy = tx
                    .copy_in_raw(
                        "COPY customers (id, email, display_name, password_hash, terms_version, terms_accepted_at, \
                         created_at, updated_at, email_verified_at, last_sign_in_at) FROM STDIN WITH (FORMAT csv)",
                    )
                    .await?;
                let buf = copy_rows(rows, terms_version);
                copy.send(buf.as_bytes()).await?;
                copy.finish().await?;
                sqlx::query(words[0]).bind(&names).execute(&mut *tx).await?;
                tx.commit().await
            }
        }
    }
}

/// SQLite's INSERT of `rows` customers, eight parameters each (the
/// creation time is also when terms were accepted and the last update).
fn insert_statement(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|i| {
            let p = |n: usize| format!("${}", i * 8 + n);
            format!(
                "({}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                p(1),
                p(2),
                p(3),
                p(4),
                p(5),
                p(6),
                p(6),
                p(6),
                p(7),
                p(8)
            )
        })
        .collect();
    format!(
        "INSERT OR IGNORE INTO customers (id, email, display_name, password_hash, terms_version, \
         terms_accepted_at, created_at, updated_at, email_verified_at, last_sign_in_at) VALUES {}",
        values.join(",")
    )
}

/// PostgreSQL's COPY input (CSV) of the customers.
fn copy_rows(rows: &[BulkCustomer], terms_version: &str) -> String {
    let mut buf = String::with_capacity(rows.len() * 200);
    for row in rows {
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        buf.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            row.id,
            csv(&row.email),
            csv(&row.display_name),
            csv(&row.password_hash),
            csv(terms_version),
            row.created_at,
            row.created_at,
            row.created_at,
            opt(row.email_verified_at),
            opt(row.last_sign_in_at),
        ));
    }
    buf
}

/// A CSV field, quoted (COPY's csv format reads an unquoted empty field as NULL).
fn csv(value: &str) -> String {
    format!("\"{}\"", value.replace('"', "\"\""))
}
