use super::BeginWrite;
use super::{Pool, Store, StoreResult, UniqueKey, unless_taken, with_pool};
use crate::domain::{AdminId, ChangeSource, CustomerId, Tier, TierChange, TierId};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct TierRow {
    id: Uuid,
    slug: String,
    name: String,
    rank: i64,
    description: String,
    colour: String,
    entitlements: String,
    is_default: bool,
    fallback_tier_id: Option<Uuid>,
    grace_days: i64,
    archived_at: Option<i64>,
}

impl From<TierRow> for Tier {
    fn from(r: TierRow) -> Self {
        Tier {
            id: TierId(r.id),
            slug: r.slug,
            name: r.name,
            rank: r.rank,
            description: r.description,
            colour: r.colour,
            // Written by `insert_tier`/`update_tier` from a Vec<String>.
            entitlements: serde_json::from_str(&r.entitlements).unwrap_or_default(),
            is_default: r.is_default,
            fallback: r.fallback_tier_id.map(TierId),
            grace_days: r.grace_days,
            archived: r.archived_at.is_some(),
        }
    }
}

const TIER_COLUMNS: &str = "id, slug, name, rank, description, colour, entitlements, is_default, \
                            fallback_tier_id, grace_days, archived_at";

#[derive(sqlx::FromRow)]
struct ChangeRow {
    customer_id: Uuid,
    from_tier_id: Option<Uuid>,
    to_tier_id: Uuid,
    source: String,
    actor_id: Option<Uuid>,
    reason: String,
    expires_at: Option<i64>,
    at: i64,
}

impl From<ChangeRow> for TierChange {
    fn from(r: ChangeRow) -> Self {
        TierChange {
            customer: CustomerId(r.customer_id),
            from: r.from_tier_id.map(TierId),
            to: TierId(r.to_tier_id),
            // The column's CHECK admits only known sources.
            source: ChangeSource::parse(&r.source).unwrap_or(ChangeSource::Admin),
            actor: r.actor_id.map(AdminId),
            reason: r.reason,
            expires_at: r.expires_at,
            at: r.at,
        }
    }
}

const CHANGE_COLUMNS: &str =
    "customer_id, from_tier_id, to_tier_id, source, actor_id, reason, expires_at, at";

/// Why a tier could not be archived.
#[derive(Debug, PartialEq, Eq)]
pub enum ArchiveRefusal {
    Gone,
    IsDefault,
    HasMembers,
    IsFallback,
}

impl Store {
    /// Every tier: active ones by rank, then archived ones.
    pub async fn list_tiers(&self) -> StoreResult<Vec<Tier>> {
        let sql = format!(
            "SELECT {TIER_COLUMNS} FROM tiers ORDER BY archived_at IS NOT NULL, rank, name"
        );
        let rows: Vec<TierRow> =
            with_pool!(self, |pool| sqlx::query_as(&sql).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn tier_by_id(&self, id: TierId) -> StoreResult<Option<Tier>> {
        let sql = format!("SELECT {TIER_COLUMNS} FROM tiers WHERE id = $1");
        let row: Option<TierRow> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id.0)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(Into::into))
    }

    pub async fn tier_by_slug(&self, slug: &str) -> StoreResult<Option<Tier>> {
        let sql = format!("SELECT {TIER_COLUMNS} FROM tiers WHERE slug = $1");
        let row: Option<TierRow> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(slug)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(Into::into))
    }

    /// Inserts a tier; `Ok(false)` when the slug is taken.
    pub async fn insert_tier(&self, tier: &Tier, now: i64) -> StoreResult<bool> {
        let sql = "INSERT INTO tiers (id, slug, name, rank, description, colour, entitlements, \
                   is_default, fallback_tier_id, grace_days, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, $8, $9, $10, $10)";
        self.write_tier(sql, tier, now).await
    }

    /// Saves a tier's editable fields; `Ok(false)` when the slug is taken.
    pub async fn update_tier(&self, tier: &Tier, now: i64) -> StoreResult<bool> {
        let sql = "UPDATE tiers SET slug = $2, name = $3, rank = $4, description = $5, colour = $6, \
                   entitlements = $7, fallback_tier_id = $8, grace_days = $9, updated_at = $10 WHERE id = $1";
        self.write_tier(sql, tier, now).await
    }

    /// Runs an insert or update that takes a tier's fields as $1..$10.
    async fn write_tier(&self, sql: &str, tier: &Tier, now: i64) -> StoreResult<bool> {
        let entitlements = serde_json::to_string(&tier.entitlements).expect("strings serialise");
        let result = with_pool!(self, |pool| sqlx::query(sql)
            .bind(tier.id.0)
            .bind(&tier.slug)
            .bind(&tier.name)
            .bind(tier.rank)
            .bind(&tier.description)
            .bind(&tier.colour)
            .bind(&entitlements)
            .bind(tier.fallback.map(|f| f.0))
            .bind(tier.grace_days)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()));
        unless_taken(result, UniqueKey::TierSlug)
    }

    /// Makes an active tier the default, in one transaction (there is always
    /// exactly one); `false` when the tier is archived or gone.
    pub async fn set_default_tier(&self, id: TierId, now: i64) -> StoreResult<bool> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query("UPDATE tiers SET is_default = FALSE WHERE is_default AND id <> $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            let made = sqlx::query(
                "UPDATE tiers SET is_default = TRUE, updated_at = $2 WHERE id = $1 AND archived_at IS NULL",
            )
            .bind(id.0)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if made == 1 {
                tx.commit().await?;
            }
            Ok(made == 1)
        })
    }

    /// Archives a tier that is not the default, has no customers and is no
    /// active tier's fallback. On PostgreSQL the tier's row is locked first,
    /// so a concurrent move into it (which takes a share lock) waits.
    pub async fn archive_tier(
        &self,
        id: TierId,
        now: i64,
    ) -> StoreResult<Result<(), ArchiveRefusal>> {
        match self.tier_by_id(id).await? {
            None => return Ok(Err(ArchiveRefusal::Gone)),
            Some(t) if t.is_default => return Ok(Err(ArchiveRefusal::IsDefault)),
            Some(_) => {}
        }
        let fallback_sql = "SELECT COUNT(*) FROM tiers WHERE fallback_tier_id = $1 AND archived_at IS NULL AND id <> $1";
        let archive_sql = "UPDATE tiers SET archived_at = $2, updated_at = $2 WHERE id = $1 AND NOT is_default \
                           AND archived_at IS NULL AND NOT EXISTS (SELECT 1 FROM customers WHERE tier_id = $1)";
        let postgres = matches!(self.pool, Pool::Postgres(_));
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            if postgres {
                sqlx::query("SELECT id FROM tiers WHERE id = $1 FOR UPDATE")
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
            }
            let fallbacks: i64 = sqlx::query_scalar(fallback_sql)
                .bind(id.0)
                .fetch_one(&mut *tx)
                .await?;
            if fallbacks > 0 {
                return Ok(Err(ArchiveRefusal::IsFallback));
            }
            let archived = sqlx::query(archive_sql)
                .bind(id.0)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if archived == 0 {
                return Ok(Err(ArchiveRefusal::HasMembers));
            }
            tx.commit().await?;
            Ok(Ok(()))
        })
    }

    pub async fn unarchive_tier(&self, id: TierId, now: i64) -> StoreResult<bool> {
        let changed = with_pool!(self, |pool| {
            sqlx::query(
            "UPDATE tiers SET archived_at = NULL, updated_at = $2 WHERE id = $1 AND archived_at IS NOT NULL"
        )
        .bind(id.0)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(changed == 1)
    }

    /// How many customers are in the tier (an index-only count).
    pub async fn count_tier_members(&self, id: TierId) -> StoreResult<i64> {
        with_pool!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM customers WHERE tier_id = $1"
        )
        .bind(id.0)
        .fetch_one(pool)
        .await)
    }

    /// Moves a customer to `change.to` and records the change, atomically.
    /// `Ok(None)` when the customer is gone or the target tier is archived
    /// or gone (nothing changes then); otherwise the tier they left.
    pub async fn change_customer_tier(&self, change: &TierChange) -> StoreResult<Option<TierId>> {
        let postgres = matches!(self.pool, Pool::Postgres(_));
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let lock = if postgres { " FOR SHARE" } else { "" };
            let open: Option<Uuid> = sqlx::query_scalar(&format!(
                "SELECT id FROM tiers WHERE id = $1 AND archived_at IS NULL{lock}"
            ))
            .bind(change.to.0)
            .fetch_optional(&mut *tx)
            .await?;
            if open.is_none() {
                return Ok(None);
            }
            let lock = if postgres { " FOR UPDATE" } else { "" };
            let from: Option<Uuid> = sqlx::query_scalar(&format!(
                "SELECT tier_id FROM customers WHERE id = $1{lock}"
            ))
            .bind(change.customer.0)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(from) = from else {
                return Ok(None);
            };
            sqlx::query("UPDATE customers SET tier_id = $2, tier_expires_at = $3, updated_at = $4 WHERE id = $1")
                .bind(change.customer.0)
                .bind(change.to.0)
                .bind(change.expires_at)
                .bind(change.at)
                .execute(&mut *tx)
                .await?;
            sqlx::query(&format!(
                "INSERT INTO tier_changes (id, {CHANGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ))
            .bind(Uuid::now_v7())
            .bind(change.customer.0)
            .bind(from)
            .bind(change.to.0)
            .bind(change.source.as_str())
            .bind(change.actor.map(|a| a.0))
            .bind(&change.reason)
            .bind(change.expires_at)
            .bind(change.at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(TierId(from)))
        })
    }

    /// The customer's tier history, newest first.
    pub async fn tier_history(
        &self,
        customer: CustomerId,
        limit: i64,
    ) -> StoreResult<Vec<TierChange>> {
        let sql = format!(
            "SELECT {CHANGE_COLUMNS} FROM tier_changes WHERE customer_id = $1 ORDER BY at DESC, id DESC LIMIT $2"
        );
        let rows: Vec<ChangeRow> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(customer.0)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Recent moves into or out of the tier, newest first.
    pub async fn tier_recent_changes(
        &self,
        tier: TierId,
        limit: i64,
    ) -> StoreResult<Vec<TierChange>> {
        // Two index range scans (into, out of), merged.
        let sql = format!(
            "SELECT {CHANGE_COLUMNS} FROM (\
               SELECT * FROM (SELECT id, {CHANGE_COLUMNS} FROM tier_changes WHERE to_tier_id = $1 ORDER BY at DESC, id DESC LIMIT $2) AS into_tier \
               UNION \
               SELECT * FROM (SELECT id, {CHANGE_COLUMNS} FROM tier_changes WHERE from_tier_id = $1 ORDER BY at DESC, id DESC LIMIT $2) AS out_of_tier\
             ) AS changes ORDER BY at DESC, id DESC LIMIT $2"
        );
        let rows: Vec<ChangeRow> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(tier.0)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Customers whose time in their tier is over (end date plus the tier's
    /// grace days), with where they go: the tier's fallback, else the default.
    pub async fn expired_tier_assignments(
        &self,
        now: i64,
        limit: i64,
    ) -> StoreResult<Vec<ExpiredAssignment>> {
        let sql = "SELECT c.id AS customer_id, c.tier_id, c.tier_expires_at AS expires_at, \
                   COALESCE(t.fallback_tier_id, (SELECT id FROM tiers WHERE is_default)) AS to_tier_id \
                   FROM customers c JOIN tiers t ON t.id = c.tier_id \
                   WHERE c.tier_expires_at IS NOT NULL AND c.tier_expires_at <= $1 \
                   AND c.tier_expires_at + t.grace_days * 86400 <= $1 \
                   ORDER BY c.tier_expires_at LIMIT $2";
        with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await)
    }

    /// Moves one expired customer, unless someone else (another instance,
    /// an admin) changed their tier or end date since it was read: the
    /// condition on both makes the move happen once. `true` when moved.
    pub async fn expire_tier_assignment(
        &self,
        a: &ExpiredAssignment,
        at: i64,
        reason: &str,
    ) -> StoreResult<bool> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            let moved = sqlx::query(
                "UPDATE customers SET tier_id = $2, tier_expires_at = NULL, updated_at = $5 \
                 WHERE id = $1 AND tier_id = $3 AND tier_expires_at = $4",
            )
            .bind(a.customer_id)
            .bind(a.to_tier_id)
            .bind(a.tier_id)
            .bind(a.expires_at)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved == 0 {
                return Ok(false);
            }
            sqlx::query(&format!(
                "INSERT INTO tier_changes (id, {CHANGE_COLUMNS}) VALUES ($1, $2, $3, $4, 'expiry', NULL, $5, NULL, $6)"
            ))
            .bind(Uuid::now_v7())
            .bind(a.customer_id)
            .bind(a.tier_id)
            .bind(a.to_tier_id)
            .bind(reason)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }
}

/// A customer whose tier assignment has run out, and where they go.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExpiredAssignment {
    pub customer_id: Uuid,
    pub tier_id: Uuid,
    pub expires_at: i64,
    pub to_tier_id: Uuid,
}
