use super::{Bind, Sql, Store, StoreResult, with_pool};
use crate::domain::{Action, Actor, AuditEntry, AuditFilter, CustomerId, RequestContext};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: Uuid,
    at: i64,
    actor_kind: String,
    actor_id: Option<Uuid>,
    action: String,
    customer_id: Option<Uuid>,
    source_ip: Option<String>,
    details: String,
    request_id: Option<String>,
    user_agent: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            id: r.id,
            at: r.at,
            actor_kind: r.actor_kind,
            actor_id: r.actor_id,
            action: r.action,
            customer: r.customer_id.map(CustomerId),
            source_ip: r.source_ip,
            details: r.details,
            request_id: r.request_id,
            user_agent: r.user_agent,
        }
    }
}

const AUDIT_COLUMNS: &str =
    "id, at, actor_kind, actor_id, action, customer_id, source_ip, details, request_id, user_agent";

impl Store {
    pub async fn insert_audit_event(
        &self,
        at: i64,
        actor: Actor,
        action: Action,
        customer: Option<CustomerId>,
        ctx: &RequestContext,
        details: &str,
    ) -> StoreResult<()> {
        let (kind, actor_id) = match actor {
            Actor::Admin(id) => ("admin", Some(id.0)),
            Actor::Customer(id) => ("customer", Some(id.0)),
            Actor::System => ("system", None),
        };
        let sql = "INSERT INTO audit_events \
                   (id, at, actor_kind, actor_id, action, customer_id, source_ip, details, request_id, user_agent) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(Uuid::now_v7())
            .bind(at)
            .bind(kind)
            .bind(actor_id)
            .bind(action.as_str())
            .bind(customer.map(|c| c.0))
            .bind(ctx.ip())
            .bind(details)
            .bind(ctx.request_id.to_string())
            .bind(ctx.user_agent())
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
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE customer_id = $1 ORDER BY at DESC, id DESC LIMIT $2"
        );
        let rows: Vec<AuditRow> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(customer.0)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Events matching `filter`, newest first, after the keyset `(at, id)`
    /// where the previous page ended. Each filter has an index that leads
    /// with its column and then the sort key.
    pub async fn audit_events(
        &self,
        filter: &AuditFilter,
        after: Option<(i64, Uuid)>,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        let mut sql = Sql::default();
        let mut conditions = Vec::new();
        if let Some(action) = &filter.action {
            conditions.push(format!(
                "action = {}",
                sql.param(Bind::Text(action.as_str().into()))
            ));
        }
        if let Some(actor) = filter.actor {
            conditions.push(format!("actor_id = {}", sql.param(Bind::Id(actor))));
        }
        if let Some(customer) = filter.customer {
            conditions.push(format!("customer_id = {}", sql.param(Bind::Id(customer.0))));
        }
        if let Some(from) = filter.from {
            conditions.push(format!("at >= {}", sql.param(Bind::Int(from))));
        }
        if let Some(before) = filter.before {
            conditions.push(format!("at < {}", sql.param(Bind::Int(before))));
        }
        if let Some((at, id)) = after {
            let at = sql.param(Bind::Int(at));
            let id = sql.param(Bind::Id(id));
            conditions.push(format!("at <= {at} AND (at < {at} OR id < {id})"));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let limit = sql.param(Bind::Int(limit));
        sql.text = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_events{filter} ORDER BY at DESC, id DESC LIMIT {limit}"
        );
        let rows: Vec<AuditRow> = self.fetch_all(&sql).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
