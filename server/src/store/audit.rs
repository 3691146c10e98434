use super::{Store, StoreResult, with_pool};
use crate::audit::{Actor, AuditEntry};
use crate::customers::CustomerId;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct AuditRow {
    at: i64,
    actor_kind: String,
    actor_id: Option<Uuid>,
    action: String,
    customer_id: Option<Uuid>,
    source_ip: Option<String>,
    details: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            at: r.at,
            actor_kind: r.actor_kind,
            actor_id: r.actor_id,
            action: r.action,
            customer: r.customer_id.map(CustomerId),
            source_ip: r.source_ip,
            details: r.details,
        }
    }
}

impl Store {
    pub async fn insert_audit_event(
        &self,
        at: i64,
        actor: Actor,
        action: &str,
        customer: Option<CustomerId>,
        source_ip: Option<&str>,
        details: &str,
    ) -> StoreResult<()> {
        let (kind, actor_id) = match actor {
            Actor::Admin(id) => ("admin", Some(id.0)),
            Actor::Customer(id) => ("customer", Some(id.0)),
            Actor::System => ("system", None),
        };
        let sql = "INSERT INTO audit_events (id, at, actor_kind, actor_id, action, customer_id, source_ip, details) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(Uuid::now_v7())
            .bind(at)
            .bind(kind)
            .bind(actor_id)
            .bind(action)
            .bind(customer.map(|c| c.0))
            .bind(source_ip)
            .bind(details)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The customer's most recent events, newest first.
    pub async fn audit_for_customer(
        &self,
        customer: CustomerId,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        let sql = "SELECT at, actor_kind, actor_id, action, customer_id, source_ip, details FROM audit_events \
                   WHERE customer_id = $1 ORDER BY id DESC LIMIT $2";
        let rows: Vec<AuditRow> = with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(customer.0)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
