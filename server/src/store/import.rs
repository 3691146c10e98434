//! Writing imported customers: a batch per transaction, its new customers
//! with one statement per table (`COPY` on PostgreSQL), its updates with
//! one, and a history entry whenever a tier changes.

use super::BeginWrite;
use super::{Bind, Sql, Store, StoreResult};
use crate::domain::{AttributeId, TierId};
use uuid::Uuid;

/// One valid line of an import file, ready to write.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ImportRow {
    pub line: u64,
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub email_verified_at: Option<i64>,
    pub tier: TierId,
    pub tier_expires_at: Option<i64>,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
    pub disabled_at: Option<i64>,
    /// `None` keeps an existing customer's hash (or, for a new one, stores a
    /// value no password matches: they set one by reset).
    pub password_hash: Option<String>,
    pub external_id: Option<String>,
    /// Attribute values the line gives: `None` removes the customer's value.
    pub attributes: Vec<ImportValue>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ImportValue {
    pub attribute: AttributeId,
    pub value: Option<String>,
    /// Whether the attribute is searchable (its value gets a search form).
    pub searchable: bool,
}

/// A customer already in the database that an import line may match.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExistingCustomer {
    pub id: Uuid,
    pub email: String,
    pub external_id: Option<String>,
    pub tier_id: Uuid,
}

/// Attribute values from a JSON array of [customer id, attribute id, value,
/// searchable] (`$1`) at time `$2`; the search form is lower(value) while
/// the attribute is searchable, as in `set_customer_attributes`.
const UPSERT_VALUES_SQLITE: &str = "INSERT INTO customer_attributes \
    (customer_id, attribute_id, value, search_value, updated_at) \
    SELECT unhex(j.value ->> 0), unhex(j.value ->> 1), j.value ->> 2, \
    CASE WHEN j.value ->> 3 THEN lower(j.value ->> 2) END, $2 FROM json_each($1) AS j WHERE true \
    ON CONFLICT (customer_id, attribute_id) DO UPDATE SET value = excluded.value, \
    search_value = excluded.search_value, updated_at = excluded.updated_at";
const UPSERT_VALUES_POSTGRES: &str = "INSERT INTO customer_attributes \
    (customer_id, attribute_id, value, search_value, updated_at) \
    SELECT (e ->> 0)::uuid, (e ->> 1)::uuid, e ->> 2, \
    CASE WHEN (e ->> 3)::boolean THEN lower(e ->> 2) END, $2 FROM jsonb_array_elements($1::jsonb) AS e \
    ON CONFLICT (customer_id, attribute_id) DO UPDATE SET value = excluded.value, \
    search_value = excluded.search_value, updated_at = excluded.updated_at";

/// New customers from a JSON array of [id, email, display name, password
/// hash, created at, verified at, last sign-in at, disabled at, tier id,
/// tier expires at, external id] (`$1`), with terms version `$2` (accepted
/// when created) at time `$3`.
const INSERT_CUSTOMERS_SQLITE: &str = "INSERT INTO customers (id, email, display_name, password_hash, \
    terms_version, terms_accepted_at, created_at, updated_at, email_verified_at, last_sign_in_at, \
    disabled_at, tier_id, tier_expires_at, external_id) \
    SELECT unhex(j.value ->> 0), j.value ->> 1, j.value ->> 2, j.value ->> 3, $2, j.value ->> 4, \
    j.value ->> 4, $3, j.value ->> 5, j.value ->> 6, j.value ->> 7, unhex(j.value ->> 8), j.value ->> 9, \
    j.value ->> 10 FROM json_each($1) AS j";
/// Updates customers from a JSON array of [id, email, display name,
/// verified at, tier id, tier expires at, disabled at, external id,
/// password hash, last sign-in at] (`$1`) at time `$2`; a null password hash
/// or last sign-in keeps the customer's. The caller sends each customer
/// once.
const UPDATE_CUSTOMERS_SQLITE: &str = "UPDATE customers SET email = j.value ->> 1, \
    display_name = j.value ->> 2, email_verified_at = j.value ->> 3, tier_id = unhex(j.value ->> 4), \
    tier_expires_at = j.value ->> 5, disabled_at = j.value ->> 6, external_id = j.value ->> 7, \
    password_hash = COALESCE(j.value ->> 8, customers.password_hash), \
    last_sign_in_at = COALESCE(j.value ->> 9, customers.last_sign_in_at), updated_at = $2 \
    FROM json_each($1) AS j WHERE customers.id = unhex(j.value ->> 0)";
const UPDATE_CUSTOMERS_POSTGRES: &str = "UPDATE customers AS c SET email = e ->> 1, \
    display_name = e ->> 2, email_verified_at = (e ->> 3)::bigint, tier_id = (e ->> 4)::uuid, \
    tier_expires_at = (e ->> 5)::bigint, disabled_at = (e ->> 6)::bigint, external_id = e ->> 7, \
    password_hash = COALESCE(e ->> 8, c.password_hash), \
    last_sign_in_at = COALESCE((e ->> 9)::bigint, c.last_sign_in_at), updated_at = $2 \
    FROM jsonb_array_elements($1::jsonb) AS e WHERE c.id = (e ->> 0)::uuid";
/// The names of the customers of that array, again in the name search
/// index (SQLite).
const NAME_INDEX_UPDATE_SQLITE: &str = "UPDATE customer_names SET display_name = \
    (SELECT display_name FROM customers AS c WHERE c.rowid = customer_names.rowid) \
    WHERE rowid IN (SELECT rowid FROM customers WHERE id IN \
    (SELECT unhex(j.value ->> 0) FROM json_each($1) AS j))";
/// The name search index (SQLite) for the customers of that array.
const NAME_INDEX_INSERT_SQLITE: &str = "INSERT INTO customer_names (rowid, display_name) \
    SELECT rowid, display_name FROM customers WHERE id IN (SELECT unhex(j.value ->> 0) FROM json_each($1) AS j)";

/// Stored for imported customers who came without a password hash: no
/// password verifies against it.
pub(super) const NO_PASSWORD: &str = "!imported-without-password";

/// Rows per multi-row INSERT. Small on purpose: binding costs grow faster
/// than linearly with a statement's parameter count (sqlx looks each `$n` up
/// by name), and 50 rows measured 3x faster than 400 on both databases.
const INSERT_ROWS: usize = 50;

/// A JSON array of strings, one query parameter for SQLite's `json_each`.
fn json_array<S: serde::Serialize>(values: &[S]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".into())
}

impl Store {
    /// How many import batches to write at once: SQLite has one writer at
    /// a time, while PostgreSQL writes two batches on two cores in about
    /// the time of one.
    pub fn concurrent_writers(&self) -> usize {
        match self.pool {
            super::Pool::Sqlite(_) => 1,
            super::Pool::Postgres(_) => 2,
        }
    }

    /// Whether there is any customer at all.
    pub async fn has_customers(&self) -> StoreResult<bool> {
        super::with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM customers)")
                .fetch_one(pool)
                .await
        })
    }

    /// The customers these emails, external ids or ids already belong to.
    /// One statement per key with the batch's values as one array
    /// parameter: an `IN` list binds each value by name, which costs more
    /// than the lookups.
    pub async fn existing_for_import(
        &self,
        emails: &[&str],
        external_ids: &[&str],
        ids: &[Uuid],
    ) -> StoreResult<Vec<ExistingCustomer>> {
        const COLUMNS: &str = "SELECT id, email, external_id, tier_id FROM customers";
        let mut found = Vec::new();
        match &self.pool {
            super::Pool::Sqlite(pool) => {
                let ids: Vec<String> = ids.iter().map(|id| id.simple().to_string()).collect();
                for (filter, values) in [
                    (
                        "email IN (SELECT value FROM json_each($1))",
                        json_array(emails),
                    ),
                    (
                        "external_id IN (SELECT value FROM json_each($1))",
                        json_array(external_ids),
                    ),
                    (
                        "id IN (SELECT unhex(value) FROM json_each($1))",
                        json_array(&ids),
                    ),
                ] {
                    found.extend(
                        sqlx::query_as::<_, ExistingCustomer>(&format!("{COLUMNS} WHERE {filter}"))
                            .bind(values)
                            .fetch_all(pool)
                            .await?,
                    );
                }
            }
            super::Pool::Postgres(pool) => {
                for (column, values) in [("email", emails), ("external_id", external_ids)] {
                    found.extend(
                        sqlx::query_as::<_, ExistingCustomer>(&format!(
                            "{COLUMNS} WHERE {column} = ANY($1)"
                        ))
                        .bind(values)
                        .fetch_all(pool)
                        .await?,
                    );
                }
                found.extend(
                    sqlx::query_as::<_, ExistingCustomer>(&format!("{COLUMNS} WHERE id = ANY($1)"))
                        .bind(ids)
                        .fetch_all(pool)
                        .await?,
                );
            }
        }
        Ok(found)
    }

    /// Writes one batch in one transaction: `updates` pairs a row with the
    /// customer it matched. Returns (created, updated).
    /// `deferred`: the search indexes are being built at the end (see
    /// `defer_search_indexes`), so the name index is not written here.
    pub async fn import_batch(
        &self,
        inserts: &[ImportRow],
        updates: &[(ImportRow, ExistingCustomer)],
        terms_version: &str,
        now: i64,
        deferred: bool,
    ) -> StoreResult<(u64, u64)> {
        let sqlite = matches!(self.pool, super::Pool::Sqlite(_));
        let (update, names, upsert) = if sqlite {
            let names = Some(NAME_INDEX_UPDATE_SQLITE);
            (UPDATE_CUSTOMERS_SQLITE, names, UPSERT_VALUES_SQLITE)
        } else {
            (UPDATE_CUSTOMERS_POSTGRES, None, UPSERT_VALUES_POSTGRES)
        };
        let history = tier_history(updates, now);
        // The name words of the batch, as (statements, names) to run:
        // deferred, every customer's are written once at the end instead.
        let words = |replace: bool, names: Vec<(Uuid, &str)>| {
            if deferred || names.is_empty() {
                (&[][..], String::new())
            } else {
                (
                    super::name_words::statements(&self.pool, replace),
                    super::name_words::names_json(names),
                )
            }
        };
        let (replace_words, updated_names) = words(
            true,
            updates
                .iter()
                .map(|(r, existing)| (existing.id, r.display_name.as_str()))
                .collect(),
        );
        let (insert_words, inserted_names) = words(
            false,
            inserts
                .iter()
                .map(|r| (r.id, r.display_name.as_str()))
                .collect(),
        );
        let values: Vec<(Uuid, &ImportValue)> = updates
            .iter()
            .flat_map(|(r, existing)| r.attributes.iter().map(|v| (existing.id, v)))
            .collect();
        let (set, removed): (Vec<_>, Vec<_>) =
            values.into_iter().partition(|(_, v)| v.value.is_some());
        super::with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            (*tx)
                .insert_new(inserts, terms_version, now, deferred)
                .await?;
            if !updates.is_empty() {
                let rows = updates_json(updates);
                sqlx::query(update)
                    .bind(&rows)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                if let Some(names) = names {
                    sqlx::query(names).bind(&rows).execute(&mut *tx).await?;
                }
                for sql in replace_words {
                    sqlx::query(sql)
                        .bind(&updated_names)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            for sql in insert_words {
                sqlx::query(sql)
                    .bind(&inserted_names)
                    .execute(&mut *tx)
                    .await?;
            }
            for sql in &history {
                super::bind_sql!(sqlx::query(&sql.text), sql)
                    .execute(&mut *tx)
                    .await?;
            }
            if !set.is_empty() {
                sqlx::query(upsert)
                    .bind(values_json(set.into_iter()))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            for (id, v) in removed {
                sqlx::query(
                    "DELETE FROM customer_attributes WHERE customer_id = $1 AND attribute_id = $2",
                )
                .bind(id)
                .bind(v.attribute.0)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok((inserts.len() as u64, updates.len() as u64))
        })
    }
}

/// A batch's updates as one JSON parameter of `UPDATE_CUSTOMERS_*`: like
/// inserts, in one statement, as a statement per customer took 1.7x
/// (PostgreSQL) to 1.9x (SQLite) as long.
fn updates_json(updates: &[(ImportRow, ExistingCustomer)]) -> String {
    let rows: Vec<serde_json::Value> = updates
        .iter()
        .map(|(r, existing)| {
            serde_json::json!([
                existing.id.simple().to_string(),
                r.email,
                r.display_name,
                r.email_verified_at,
                r.tier.0.simple().to_string(),
                r.tier_expires_at,
                r.disabled_at,
                r.external_id,
                r.password_hash,
                r.last_sign_in_at,
            ])
        })
        .collect();
    serde_json::Value::Array(rows).to_string()
}

/// The tier history entries of the updates that move a customer, as
/// multi-row inserts of `INSERT_ROWS`.
fn tier_history(updates: &[(ImportRow, ExistingCustomer)], now: i64) -> Vec<Sql> {
    let changes: Vec<_> = updates
        .iter()
        .filter(|(r, existing)| existing.tier_id != r.tier.0)
        .map(|(r, existing)| (existing.id, existing.tier_id, r))
        .collect();
    changes
        .chunks(INSERT_ROWS)
        .map(|chunk| {
            let mut sql = Sql::default();
            let values: Vec<String> = chunk
                .iter()
                .map(|(id, from, r)| {
                    format!(
                        "({}, {}, {}, {}, 'import', NULL, {}, {}, {})",
                        sql.param(Bind::Id(Uuid::now_v7())),
                        sql.param(Bind::Id(*id)),
                        sql.param(Bind::Id(*from)),
                        sql.param(Bind::Id(r.tier.0)),
                        sql.param(Bind::Text(format!("Import, line {}", r.line))),
                        sql.param(Bind::OptInt(r.tier_expires_at)),
                        sql.param(Bind::Int(now)),
                    )
                })
                .collect();
            sql.text = format!(
                "INSERT INTO tier_changes (id, customer_id, from_tier_id, to_tier_id, source, actor_id, reason, \
                 expires_at, at) VALUES {}",
                values.join(", ")
            );
            sql
        })
        .collect()
}

/// A JSON array of [customer id, attribute id, value, searchable] for
/// `UPSERT_VALUES_*`: the whole batch's values in one statement with one
/// parameter, as per-value binds cost more than the writes.
fn values_json<'a>(values: impl Iterator<Item = (Uuid, &'a ImportValue)>) -> String {
    let rows: Vec<serde_json::Value> = values
        .filter(|(_, v)| v.value.is_some())
        .map(|(id, v)| {
            serde_json::json!([
                id.simple().to_string(),
                v.attribute.0.simple().to_string(),
                v.value,
                v.searchable
            ])
        })
        .collect();
    serde_json::Value::Array(rows).to_string()
}

/// Writes a batch's new customers and their attribute values, each backend
/// its fastest way.
pub(super) trait InsertNew {
    async fn insert_new(
        &mut self,
        rows: &[ImportRow],
        terms_version: &str,
        now: i64,
        deferred: bool,
    ) -> StoreResult<()>;
}

impl InsertNew for sqlx::SqliteConnection {
    /// The batch in one statement per table with one JSON parameter:
    /// binding thousands of parameters costs more than the writes.
    async fn insert_new(
        &mut self,
        rows: &[ImportRow],
        terms_version: &str,
        now: i64,
        deferred: bool,
    ) -> StoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let customers: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!([
                    r.id.simple().to_string(),
                    r.email,
                    r.display_name,
                    r.password_hash.as_deref().unwrap_or(NO_PASSWORD),
                    r.created_at,
                    r.email_verified_at,
                    r.last_sign_in_at,
                    r.disabled_at,
                    r.tier.0.simple().to_string(),
                    r.tier_expires_at,
                    r.external_id,
                ])
            })
            .collect();
        let customers = serde_json::Value::Array(customers).to_string();
        sqlx::query(INSERT_CUSTOMERS_SQLITE)
            .bind(&customers)
            .bind(terms_version)
            .bind(now)
            .execute(&mut *self)
            .await?;
        if !deferred {
            sqlx::query(NAME_INDEX_INSERT_SQLITE)
                .bind(&customers)
                .execute(&mut *self)
                .await?;
        }
        let values = rows
            .iter()
            .flat_map(|r| r.attributes.iter().map(|v| (r.id, v)));
        sqlx::query(UPSERT_VALUES_SQLITE)
            .bind(values_json(values))
            .bind(now)
            .execute(&mut *self)
            .await?;
        Ok(())
    }
}
