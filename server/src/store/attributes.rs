use super::BeginWrite;
use super::{Pool, Store, StoreResult, UniqueKey, unless_taken, with_pool};
use crate::domain::{Attribute, AttributeId, Changes, CustomerId, Kind, Values};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct AttributeRow {
    id: Uuid,
    key: String,
    label: String,
    kind: String,
    choices: String,
    required: bool,
    customer_editable: bool,
    searchable: bool,
    personal: bool,
    position: i64,
    archived_at: Option<i64>,
}

impl From<AttributeRow> for Attribute {
    fn from(r: AttributeRow) -> Self {
        Attribute {
            id: AttributeId(r.id),
            key: r.key,
            label: r.label,
            // The column's CHECK admits only known kinds.
            kind: Kind::parse(&r.kind).unwrap_or(Kind::Text),
            // Written by `insert_attribute`/`update_attribute` from a Vec<String>.
            choices: serde_json::from_str(&r.choices).unwrap_or_default(),
            required: r.required,
            customer_editable: r.customer_editable,
            searchable: r.searchable,
            personal: r.personal,
            position: r.position,
            archived: r.archived_at.is_some(),
        }
    }
}

/// A definition and one customer's value for it, if any.
#[derive(sqlx::FromRow)]
struct AttributeValueRow {
    #[sqlx(flatten)]
    attribute: AttributeRow,
    value: Option<String>,
}

const ATTRIBUTE_COLUMNS: &str = "id, key, label, kind, choices, required, customer_editable, \
                                 searchable, personal, position, archived_at";

/// Writes one value (`$1` customer, `$2` attribute, `$3` value, `$4`
/// searchable, `$5` time), replacing any earlier one. The search form is
/// lower(value) while the attribute is searchable, NULL otherwise; searches
/// lower the query the same way, so both sides fold case alike.
const UPSERT_VALUE: &str = "INSERT INTO customer_attributes \
    (customer_id, attribute_id, value, search_value, updated_at) \
    VALUES ($1, $2, $3, CASE WHEN $4 THEN lower($3) END, $5) \
    ON CONFLICT (customer_id, attribute_id) DO UPDATE SET value = excluded.value, \
    search_value = excluded.search_value, updated_at = excluded.updated_at";

const DELETE_VALUE: &str =
    "DELETE FROM customer_attributes WHERE customer_id = $1 AND attribute_id = $2";

impl Store {
    /// Every attribute: active ones in form order, then archived ones.
    pub async fn list_attributes(&self) -> StoreResult<Vec<Attribute>> {
        let sql = format!(
            "SELECT {ATTRIBUTE_COLUMNS} FROM attributes ORDER BY archived_at IS NOT NULL, position, key"
        );
        let rows: Vec<AttributeRow> =
            with_pool!(self, |pool| sqlx::query_as(&sql).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Every attribute as `list_attributes` orders them, with one
    /// customer's values, in one statement (the account page reads both on
    /// every view).
    pub async fn attributes_with_values(
        &self,
        customer: CustomerId,
    ) -> StoreResult<(Vec<Attribute>, Values)> {
        let sql = format!(
            "SELECT {ATTRIBUTE_COLUMNS}, v.value FROM attributes \
             LEFT JOIN customer_attributes v ON v.attribute_id = attributes.id AND v.customer_id = $1 \
             ORDER BY archived_at IS NOT NULL, position, key"
        );
        let rows: Vec<AttributeValueRow> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(customer.0)
            .fetch_all(pool)
            .await)?;
        let mut values = Values::new();
        let defs = rows
            .into_iter()
            .map(|row| {
                if let Some(value) = row.value {
                    values.insert(AttributeId(row.attribute.id), value);
                }
                Attribute::from(row.attribute)
            })
            .collect();
        Ok((defs, values))
    }

    pub async fn attribute_by_id(&self, id: AttributeId) -> StoreResult<Option<Attribute>> {
        let sql = format!("SELECT {ATTRIBUTE_COLUMNS} FROM attributes WHERE id = $1");
        let row: Option<AttributeRow> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id.0)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(Into::into))
    }

    /// Inserts a definition at the end of the form order; `None` when the
    /// key is taken.
    pub async fn insert_attribute(
        &self,
        attribute: Attribute,
        now: i64,
    ) -> StoreResult<Option<Attribute>> {
        let sql = "INSERT INTO attributes (id, key, label, kind, choices, required, customer_editable, \
                   searchable, personal, position, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
                   (SELECT COALESCE(MAX(position), 0) + 1 FROM attributes), $10, $10)";
        let choices = serde_json::to_string(&attribute.choices).unwrap_or_else(|_| "[]".into());
        let a = &attribute;
        let result = with_pool!(self, |pool| sqlx::query(sql)
            .bind(a.id.0)
            .bind(&a.key)
            .bind(&a.label)
            .bind(a.kind.as_str())
            .bind(&choices)
            .bind(a.required)
            .bind(a.customer_editable)
            .bind(a.searchable)
            .bind(a.personal)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()));
        if !unless_taken(result, UniqueKey::AttributeKey)? {
            return Ok(None);
        }
        self.attribute_by_id(attribute.id).await
    }

    /// Updates what may change of a definition (not its key or type). When
    /// it becomes searchable, or stops being, every stored value's search
    /// form is rewritten in the same transaction: one statement over the
    /// attribute's values, which takes seconds at millions.
    pub async fn update_attribute(
        &self,
        a: &Attribute,
        was_searchable: bool,
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE attributes SET label = $2, choices = $3, required = $4, customer_editable = $5, \
                   searchable = $6, personal = $7, updated_at = $8 WHERE id = $1";
        let reindex = "UPDATE customer_attributes SET search_value = CASE WHEN $2 THEN lower(value) END \
                       WHERE attribute_id = $1";
        let choices = serde_json::to_string(&a.choices).unwrap_or_else(|_| "[]".into());
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query(sql)
                .bind(a.id.0)
                .bind(&a.label)
                .bind(&choices)
                .bind(a.required)
                .bind(a.customer_editable)
                .bind(a.searchable)
                .bind(a.personal)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated == 1 && a.searchable != was_searchable {
                sqlx::query(reindex)
                    .bind(a.id.0)
                    .bind(a.searchable)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(updated == 1)
        })
    }

    /// `Ok(false)` when the attribute is gone or already in that state.
    pub async fn set_attribute_archived(
        &self,
        id: AttributeId,
        archived: bool,
        now: i64,
    ) -> StoreResult<bool> {
        let sql = if archived {
            "UPDATE attributes SET archived_at = $2, updated_at = $2 WHERE id = $1 AND archived_at IS NULL"
        } else {
            "UPDATE attributes SET archived_at = NULL, updated_at = $2 WHERE id = $1 AND archived_at IS NOT NULL"
        };
        let changed = with_pool!(self, |pool| sqlx::query(sql)
            .bind(id.0)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(changed == 1)
    }

    /// How many customers hold this value (a scan of the attribute's
    /// values: only for rare definition changes).
    pub async fn count_attribute_value(&self, id: AttributeId, value: &str) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM customer_attributes WHERE attribute_id = $1 AND value = $2";
        with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(id.0)
            .bind(value)
            .fetch_one(pool)
            .await)
    }

    pub async fn customer_attributes(&self, customer: CustomerId) -> StoreResult<Values> {
        let sql = "SELECT attribute_id, value FROM customer_attributes WHERE customer_id = $1";
        let rows: Vec<(Uuid, String)> = with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(customer.0)
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, v)| (AttributeId(id), v))
            .collect())
    }

    /// The values of several customers at once (for export pages), in one
    /// statement with one parameter: a list of thousands of `$n` binds costs
    /// far more than the lookups (see import).
    pub async fn attributes_of(
        &self,
        customers: &[Uuid],
    ) -> StoreResult<Vec<(Uuid, AttributeId, String)>> {
        if customers.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(Uuid, Uuid, String)> = match &self.pool {
            Pool::Sqlite(pool) => {
                let ids: Vec<String> = customers.iter().map(|id| id.simple().to_string()).collect();
                let ids = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
                sqlx::query_as(
                    "SELECT customer_id, attribute_id, value FROM customer_attributes \
                     WHERE customer_id IN (SELECT unhex(value) FROM json_each($1))",
                )
                .bind(ids)
                .fetch_all(pool)
                .await?
            }
            Pool::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT customer_id, attribute_id, value FROM customer_attributes \
                     WHERE customer_id = ANY($1)",
                )
                .bind(customers)
                .fetch_all(pool)
                .await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|(c, a, v)| (c, AttributeId(a), v))
            .collect())
    }

    /// How many customers' searchable value of `id` is `value` (any case),
    /// counting no further than `cap`.
    pub async fn attribute_matches(
        &self,
        id: AttributeId,
        value: &str,
        cap: i64,
    ) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM (SELECT 1 FROM customer_attributes WHERE attribute_id = $1 \
                   AND search_value = lower($2) AND search_value IS NOT NULL LIMIT $3) AS m";
        with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(id.0)
            .bind(value)
            .bind(cap)
            .fetch_one(pool)
            .await)
    }

    /// The stored value of an attribute for the customer with this email
    /// (for benchmarks: real values to search for, from sampled customers).
    pub async fn attribute_value_by_email(
        &self,
        id: AttributeId,
        email: &str,
    ) -> StoreResult<Option<String>> {
        let sql = "SELECT v.value FROM customer_attributes v JOIN customers c ON c.id = v.customer_id \
                   WHERE c.email = $1 AND v.attribute_id = $2";
        with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(email)
            .bind(id.0)
            .fetch_optional(pool)
            .await)
    }

    /// Writes a customer's changed values in one transaction.
    pub async fn set_customer_attributes(
        &self,
        customer: CustomerId,
        defs: &[Attribute],
        changes: &Changes,
        now: i64,
    ) -> StoreResult<()> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            for (id, value) in changes {
                let searchable = defs.iter().any(|a| a.id == *id && a.searchable);
                match value {
                    Some(v) => {
                        sqlx::query(UPSERT_VALUE)
                            .bind(customer.0)
                            .bind(id.0)
                            .bind(v)
                            .bind(searchable)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?
                    }
                    None => {
                        sqlx::query(DELETE_VALUE)
                            .bind(customer.0)
                            .bind(id.0)
                            .execute(&mut *tx)
                            .await?
                    }
                };
            }
            tx.commit().await?;
            Ok(())
        })
    }
}
