use super::BeginWrite;
use super::{Bind, Pool, Sql, Store, StoreResult, UniqueKey, unless_taken, with_pool};
use crate::domain::{Customer, CustomerId, DisplayName, Email, PasswordHash, TierId};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(super) struct CustomerRow {
    id: Uuid,
    email: String,
    display_name: String,
    email_verified_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    last_sign_in_at: Option<i64>,
    last_sign_in_ip: Option<String>,
    disabled_at: Option<i64>,
    tier_id: Uuid,
    tier_expires_at: Option<i64>,
    external_id: Option<String>,
    locale: Option<String>,
}

impl From<CustomerRow> for Customer {
    fn from(row: CustomerRow) -> Self {
        Customer {
            id: CustomerId(row.id),
            email: Email::from_stored(row.email),
            display_name: DisplayName::from_stored(row.display_name),
            email_verified: row.email_verified_at.is_some(),
            created_at: row.created_at,
            updated_at: row.updated_at,
            last_sign_in_at: row.last_sign_in_at,
            last_sign_in_ip: row.last_sign_in_ip,
            tier: TierId(row.tier_id),
            tier_expires_at: row.tier_expires_at,
            external_id: row.external_id,
            disabled: row.disabled_at.is_some(),
            locale: row.locale,
        }
    }
}

#[derive(sqlx::FromRow)]
struct CustomerWithHashRow {
    #[sqlx(flatten)]
    customer: CustomerRow,
    password_hash: String,
}

const CUSTOMER_COLUMNS: &str = "id, email, display_name, email_verified_at, created_at, updated_at, last_sign_in_at, last_sign_in_ip, disabled_at, tier_id, tier_expires_at, external_id, locale";

/// The customer columns, qualified by `table` for joins.
pub(super) fn customer_columns(table: &str) -> String {
    CUSTOMER_COLUMNS
        .split(", ")
        .map(|c| format!("{table}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// On SQLite the store keeps the name search index (FTS5, see migration 0009)
// in step with customers, inside each write's transaction. PostgreSQL's GIN
// index needs nothing.
pub(super) const NAME_INDEX_UPDATE: &str = "UPDATE customer_names SET display_name = \
    (SELECT display_name FROM customers WHERE id = $1) WHERE rowid = (SELECT rowid FROM customers WHERE id = $1)";

/// What a customer write does to the name index.
#[derive(Copy, Clone, PartialEq, Eq)]
enum NameIndex {
    Insert,
    Update,
    Delete,
}

impl NameIndex {
    fn sql(self) -> &'static str {
        match self {
            Self::Insert => {
                "INSERT INTO customer_names (rowid, display_name) SELECT rowid, display_name FROM customers WHERE id = $1"
            }
            Self::Update => NAME_INDEX_UPDATE,
            Self::Delete => {
                "DELETE FROM customer_names WHERE rowid = (SELECT rowid FROM customers WHERE id = $1)"
            }
        }
    }
}

/// The SQLite statement that indexes the names of these newly inserted customers.
pub(super) fn name_index_insert_many(ids: impl Iterator<Item = uuid::Uuid>) -> Sql {
    let mut sql = Sql::default();
    let params: Vec<String> = ids.map(|id| sql.param(Bind::Id(id))).collect();
    sql.text = format!(
        "INSERT INTO customer_names (rowid, display_name) SELECT rowid, display_name FROM customers WHERE id IN ({})",
        params.join(", ")
    );
    sql
}

pub struct NewCustomer<'a> {
    pub id: CustomerId,
    pub email: &'a Email,
    pub display_name: &'a DisplayName,
    pub password_hash: &'a PasswordHash,
    pub terms_version: &'a str,
    pub now: i64,
}

impl Store {
    /// Inserts a customer; `Ok(false)` when the email is already registered.
    pub async fn insert_customer(&self, new: NewCustomer<'_>) -> StoreResult<bool> {
        let sql = "INSERT INTO customers (id, email, display_name, password_hash, terms_version, \
                   terms_accepted_at, created_at, updated_at, tier_id) \
                   VALUES ($1, $2, $3, $4, $5, $6, $6, $6, (SELECT id FROM tiers WHERE is_default))";
        let result = self
            .write_with_name_index(
                new.id,
                sql,
                NameIndex::Insert,
                vec![
                    Bind::Id(new.id.0),
                    Bind::Text(new.email.as_str().into()),
                    Bind::Text(new.display_name.as_str().into()),
                    Bind::Text(new.password_hash.as_str().into()),
                    Bind::Text(new.terms_version.into()),
                    Bind::Int(new.now),
                ],
                Some(new.display_name),
            )
            .await;
        unless_taken(result, UniqueKey::CustomerEmail)
    }

    /// Runs a statement that may change a customer's name, and the matching
    /// name-index changes, in one transaction: the word index (`name`, the
    /// name written, if any) and, on SQLite, the trigram one (PostgreSQL's
    /// GIN index needs nothing).
    async fn write_with_name_index(
        &self,
        id: CustomerId,
        sql: &str,
        index: NameIndex,
        binds: Vec<Bind>,
        name: Option<&DisplayName>,
    ) -> StoreResult<u64> {
        let statement = Sql {
            text: sql.to_string(),
            binds,
        };
        let sqlite = matches!(self.pool, Pool::Sqlite(_));
        let words = name.map(|n| super::name_words::names_json([(id.0, n.as_str())]));
        let word_statements = super::name_words::statements(&self.pool, index == NameIndex::Update);
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            // A delete must find the row before it goes; the others after.
            let delete_first = index == NameIndex::Delete;
            if sqlite && delete_first {
                sqlx::query(index.sql())
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
            }
            let changed = super::bind_sql!(sqlx::query(&statement.text), statement)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if sqlite && !delete_first {
                sqlx::query(index.sql())
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(words) = &words {
                for word_sql in word_statements {
                    sqlx::query(word_sql).bind(words).execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            Ok(changed)
        })
    }

    pub async fn customer_by_email(
        &self,
        email: &Email,
    ) -> StoreResult<Option<(Customer, PasswordHash)>> {
        let sql =
            format!("SELECT {CUSTOMER_COLUMNS}, password_hash FROM customers WHERE email = $1");
        let row: Option<CustomerWithHashRow> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(email.as_str())
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|r| (r.customer.into(), PasswordHash::from_phc(r.password_hash))))
    }

    pub async fn customer_by_id(&self, id: CustomerId) -> StoreResult<Option<Customer>> {
        let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = $1");
        let row: Option<CustomerRow> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id.0)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(Into::into))
    }

    pub async fn password_hash(&self, id: CustomerId) -> StoreResult<Option<PasswordHash>> {
        let sql = "SELECT password_hash FROM customers WHERE id = $1";
        let hash: Option<String> = with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(id.0)
            .fetch_optional(pool)
            .await)?;
        Ok(hash.map(PasswordHash::from_phc))
    }

    pub async fn set_password_hash(
        &self,
        id: CustomerId,
        hash: &PasswordHash,
        now: i64,
    ) -> StoreResult<()> {
        let sql = "UPDATE customers SET password_hash = $2, updated_at = $3 WHERE id = $1";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(id.0)
            .bind(hash.as_str())
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Changes name and email as an admin edit. A new email is unverified.
    /// `Ok(false)` when the email belongs to another customer.
    pub async fn update_profile(
        &self,
        id: CustomerId,
        email: &Email,
        name: &DisplayName,
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE customers SET display_name = $2, updated_at = $4, \
                   email_verified_at = CASE WHEN email = $3 THEN email_verified_at END, email = $3 WHERE id = $1";
        let result = self
            .write_with_name_index(
                id,
                sql,
                NameIndex::Update,
                vec![
                    Bind::Id(id.0),
                    Bind::Text(name.as_str().into()),
                    Bind::Text(email.as_str().into()),
                    Bind::Int(now),
                ],
                Some(name),
            )
            .await;
        unless_taken(result, UniqueKey::CustomerEmail)
    }

    /// Deletes the customer; their tokens and sessions go with them (ON
    /// DELETE CASCADE), the sessions ended first so that applications are
    /// told (`end_sessions!`; should the delete fail, they stay ended).
    pub async fn delete_customer(&self, id: CustomerId, now: i64) -> StoreResult<bool> {
        self.end_sessions(super::Ending::All(id), now).await?;
        let deleted = self
            .write_with_name_index(
                id,
                "DELETE FROM customers WHERE id = $1",
                NameIndex::Delete,
                vec![Bind::Id(id.0)],
                None,
            )
            .await?;
        Ok(deleted == 1)
    }

    pub async fn set_display_name(
        &self,
        id: CustomerId,
        name: &DisplayName,
        now: i64,
    ) -> StoreResult<()> {
        let sql = "UPDATE customers SET display_name = $2, updated_at = $3 WHERE id = $1";
        self.write_with_name_index(
            id,
            sql,
            NameIndex::Update,
            vec![
                Bind::Id(id.0),
                Bind::Text(name.as_str().into()),
                Bind::Int(now),
            ],
            Some(name),
        )
        .await?;
        Ok(())
    }

    pub async fn set_locale(
        &self,
        id: CustomerId,
        locale: Option<&str>,
        now: i64,
    ) -> StoreResult<()> {
        let sql = "UPDATE customers SET locale = $2, updated_at = $3 WHERE id = $1";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(id.0)
            .bind(locale)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    pub async fn mark_email_verified(&self, id: CustomerId, now: i64) -> StoreResult<()> {
        let sql = "UPDATE customers SET email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $1";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(id.0)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Disables or enables a customer; disabling also ends every session and
    /// revokes every application's refresh tokens, in the same transaction. Returns false when the customer does not exist.
    pub async fn set_customer_disabled(
        &self,
        id: CustomerId,
        disabled: bool,
        now: i64,
    ) -> StoreResult<bool> {
        let disabled_at = disabled.then_some(now);
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let found =
                sqlx::query("UPDATE customers SET disabled_at = $2, updated_at = $3 WHERE id = $1")
                    .bind(id.0)
                    .bind(disabled_at)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if disabled {
                super::end_sessions!(tx, super::Ending::All(id), now);
                super::end_app_access!(tx, id.0, None, now);
                sqlx::query(super::FORGET_BROWSERS)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(found == 1)
        })
    }

    pub async fn record_sign_in(
        &self,
        id: CustomerId,
        now: i64,
        ip: Option<&str>,
    ) -> StoreResult<()> {
        let sql = "UPDATE customers SET last_sign_in_at = $2, last_sign_in_ip = $3 WHERE id = $1";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(id.0)
            .bind(now)
            .bind(ip)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// How many customers there are: exact when few, otherwise an estimate
    /// read in constant time (`(count, exact)`), since counting millions of
    /// rows on every console page would be the slowest thing on it.
    pub async fn estimate_customers(&self) -> StoreResult<(i64, bool)> {
        const EXACT_BELOW: i64 = 100_000;
        let estimate: i64 = match &self.pool {
            // The largest rowid: deleted rows make it an over-estimate.
            super::Pool::Sqlite(pool) => {
                sqlx::query_scalar("SELECT COALESCE(MAX(rowid), 0) FROM customers")
                    .fetch_one(pool)
                    .await?
            }
            // The planner's statistics, kept by autovacuum (-1 before the first ANALYZE).
            super::Pool::Postgres(pool) => {
                sqlx::query_scalar(
                    "SELECT reltuples::BIGINT FROM pg_class WHERE oid = 'customers'::regclass",
                )
                .fetch_one(pool)
                .await?
            }
        };
        if estimate < EXACT_BELOW {
            return Ok((self.count_customers().await?, true));
        }
        Ok((estimate, false))
    }

    pub async fn count_customers(&self) -> StoreResult<i64> {
        with_pool!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM customers"
        )
        .fetch_one(pool)
        .await)
    }

    /// The stored password hashes of these customers (for an export that
    /// moves them to another Gatehouse).
    pub async fn password_hashes(
        &self,
        ids: &[CustomerId],
    ) -> StoreResult<std::collections::HashMap<CustomerId, String>> {
        let mut hashes = std::collections::HashMap::with_capacity(ids.len());
        // Short IN lists: binding cost grows faster than the list (see import).
        for chunk in ids.chunks(100) {
            let mut sql = super::Sql::default();
            let params: Vec<String> = chunk
                .iter()
                .map(|id| sql.param(super::Bind::Id(id.0)))
                .collect();
            sql.text = format!(
                "SELECT id, password_hash FROM customers WHERE id IN ({})",
                params.join(", ")
            );
            let rows: Vec<(Uuid, String)> = self.fetch_all(&sql).await?;
            hashes.extend(rows.into_iter().map(|(id, h)| (CustomerId(id), h)));
        }
        Ok(hashes)
    }
}
