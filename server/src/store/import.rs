//! Writing imported customers: a batch per transaction, inserts many rows at
//! a time, updates by id, and a history entry whenever a tier changes.

use super::{Bind, Sql, Store, StoreResult};
use crate::attributes::AttributeId;
use crate::tiers::TierId;
use uuid::Uuid;

/// One valid line of an import file, ready to write.
#[derive(Clone, Debug)]
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

#[derive(Clone, Debug)]
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
    CASE WHEN (e ->> 3)::boolean THEN lower(e ->> 2) END, $2 FROM json_array_elements($1::json) AS e \
    ON CONFLICT (customer_id, attribute_id) DO UPDATE SET value = excluded.value, \
    search_value = excluded.search_value, updated_at = excluded.updated_at";

/// Stored for imported customers who came without a password hash: no
/// password verifies against it.
const NO_PASSWORD: &str = "!imported-without-password";

/// Rows per multi-row INSERT. Small on purpose: binding costs grow faster
/// than linearly with a statement's parameter count (sqlx looks each `$n` up
/// by name), and 50 rows measured 3x faster than 400 on both databases.
const INSERT_ROWS: usize = 50;
/// Values per `IN (...)` lookup, for the same reason.
const LOOKUP_CHUNK: usize = 100;

impl Store {
    /// The customers these emails, external ids or ids already belong to.
    pub async fn existing_for_import(
        &self,
        emails: &[&str],
        external_ids: &[&str],
        ids: &[Uuid],
    ) -> StoreResult<Vec<ExistingCustomer>> {
        let mut found = Vec::new();
        for (column, values) in [("email", emails), ("external_id", external_ids)] {
            for chunk in values.chunks(LOOKUP_CHUNK) {
                let mut sql = Sql::default();
                let params: Vec<String> = chunk
                    .iter()
                    .map(|v| sql.param(Bind::Text(v.to_string())))
                    .collect();
                sql.text = format!(
                    "SELECT id, email, external_id, tier_id FROM customers WHERE {column} IN ({})",
                    params.join(", ")
                );
                found.extend(self.fetch_all::<ExistingCustomer>(&sql).await?);
            }
        }
        for chunk in ids.chunks(LOOKUP_CHUNK) {
            let mut sql = Sql::default();
            let params: Vec<String> = chunk.iter().map(|v| sql.param(Bind::Id(*v))).collect();
            sql.text = format!(
                "SELECT id, email, external_id, tier_id FROM customers WHERE id IN ({})",
                params.join(", ")
            );
            found.extend(self.fetch_all::<ExistingCustomer>(&sql).await?);
        }
        Ok(found)
    }

    /// Writes one batch in one transaction: `updates` pairs a row with the
    /// customer it matched. Returns (created, updated).
    pub async fn import_batch(
        &self,
        inserts: &[ImportRow],
        updates: &[(ImportRow, ExistingCustomer)],
        terms_version: &str,
        now: i64,
    ) -> StoreResult<(u64, u64)> {
        const UPDATE: &str = "UPDATE customers SET email = $2, display_name = $3, email_verified_at = $4, \
            tier_id = $5, tier_expires_at = $6, disabled_at = $7, external_id = $8, \
            password_hash = COALESCE($9, password_hash), last_sign_in_at = COALESCE($10, last_sign_in_at), \
            updated_at = $11 WHERE id = $1";
        let sqlite = matches!(self.pool, super::Pool::Sqlite(_));
        super::with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for chunk in inserts.chunks(INSERT_ROWS) {
                let mut sql = Sql::default();
                let mut values = Vec::with_capacity(chunk.len());
                for r in chunk {
                    let p = [
                        sql.param(Bind::Id(r.id)),
                        sql.param(Bind::Text(r.email.clone())),
                        sql.param(Bind::Text(r.display_name.clone())),
                        sql.param(Bind::Text(
                            r.password_hash
                                .clone()
                                .unwrap_or_else(|| NO_PASSWORD.into()),
                        )),
                        sql.param(Bind::Text(terms_version.into())),
                        sql.param(Bind::Int(r.created_at)),
                        sql.param(Bind::Int(now)),
                        sql.param(Bind::OptInt(r.email_verified_at)),
                        sql.param(Bind::OptInt(r.last_sign_in_at)),
                        sql.param(Bind::OptInt(r.disabled_at)),
                        sql.param(Bind::Id(r.tier.0)),
                        sql.param(Bind::OptInt(r.tier_expires_at)),
                        sql.param(Bind::OptText(r.external_id.clone())),
                    ];
                    values.push(format!(
                        "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                        p[0],
                        p[1],
                        p[2],
                        p[3],
                        p[4],
                        p[5],
                        p[5],
                        p[6],
                        p[7],
                        p[8],
                        p[9],
                        p[10],
                        p[11],
                        p[12]
                    ));
                }
                sql.text = format!(
                    "INSERT INTO customers (id, email, display_name, password_hash, terms_version, terms_accepted_at, \
                     created_at, updated_at, email_verified_at, last_sign_in_at, disabled_at, tier_id, tier_expires_at, \
                     external_id) VALUES {}",
                    values.join(", ")
                );
                super::bind_sql!(sqlx::query(&sql.text), sql)
                    .execute(&mut *tx)
                    .await?;
                if sqlite {
                    let names =
                        super::customers::name_index_insert_many(chunk.iter().map(|r| r.id));
                    super::bind_sql!(sqlx::query(&names.text), names)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            let mut changes = Vec::new();
            for (r, existing) in updates {
                sqlx::query(UPDATE)
                    .bind(existing.id)
                    .bind(&r.email)
                    .bind(&r.display_name)
                    .bind(r.email_verified_at)
                    .bind(r.tier.0)
                    .bind(r.tier_expires_at)
                    .bind(r.disabled_at)
                    .bind(&r.external_id)
                    .bind(&r.password_hash)
                    .bind(r.last_sign_in_at)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                if sqlite {
                    sqlx::query(super::customers::NAME_INDEX_UPDATE)
                        .bind(existing.id)
                        .execute(&mut *tx)
                        .await?;
                }
                if existing.tier_id != r.tier.0 {
                    changes.push((existing.id, existing.tier_id, r));
                }
            }
            for chunk in changes.chunks(INSERT_ROWS) {
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
                super::bind_sql!(sqlx::query(&sql.text), sql)
                    .execute(&mut *tx)
                    .await?;
            }
            let values: Vec<(Uuid, &ImportValue)> = inserts
                .iter()
                .map(|r| (r.id, r))
                .chain(updates.iter().map(|(r, existing)| (existing.id, r)))
                .flat_map(|(id, r)| r.attributes.iter().map(move |v| (id, v)))
                .collect();
            let (set, removed): (Vec<_>, Vec<_>) =
                values.into_iter().partition(|(_, v)| v.value.is_some());
            // The whole batch's values in one statement with one JSON
            // parameter: per-value binds cost more than the writes.
            if !set.is_empty() {
                let rows: Vec<serde_json::Value> = set
                    .iter()
                    .map(|(id, v)| {
                        serde_json::json!([
                            id.simple().to_string(),
                            v.attribute.0.simple().to_string(),
                            v.value,
                            v.searchable
                        ])
                    })
                    .collect();
                let rows = serde_json::Value::Array(rows).to_string();
                let sql = if sqlite {
                    UPSERT_VALUES_SQLITE
                } else {
                    UPSERT_VALUES_POSTGRES
                };
                sqlx::query(sql)
                    .bind(rows)
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
