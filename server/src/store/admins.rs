use super::BeginWrite;
use super::{Pool, Store, StoreResult, UniqueKey, is_taken, unless_taken, with_pool};
use crate::domain::{Admin, AdminId, DisplayName, Email, PasswordHash, Role};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct AdminRow {
    id: Uuid,
    email: String,
    display_name: String,
    role: String,
    password_hash: String,
}

impl AdminRow {
    fn into_admin(self) -> (Admin, PasswordHash) {
        let admin = Admin {
            id: AdminId(self.id),
            email: Email::from_stored(self.email),
            display_name: DisplayName::from_stored(self.display_name),
            // The column's CHECK constraint admits only known roles.
            role: Role::parse(&self.role).unwrap_or(Role::Auditor),
        };
        (admin, PasswordHash::from_phc(self.password_hash))
    }
}

const ADMIN_COLUMNS: &str = "id, email, display_name, role, password_hash";

pub struct NewAdmin<'a> {
    pub id: AdminId,
    pub email: &'a Email,
    pub display_name: &'a DisplayName,
    pub role: Role,
    pub password_hash: &'a PasswordHash,
    pub now: i64,
}

/// An admin as the console's admin list shows them.
pub struct AdminListing {
    pub admin: Admin,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
}

/// An invitation not yet used, named by its token's hash (never the token).
#[derive(sqlx::FromRow)]
pub struct PendingInvite {
    pub token_hash: Vec<u8>,
    pub email: Option<String>,
    pub role: String,
    pub expires_at: i64,
}

/// True when the change leaves at least one owner. Evaluated inside the
/// write itself, so two owners demoting each other cannot both succeed.
const KEEPS_AN_OWNER: &str = "(SELECT COUNT(*) FROM admins WHERE role = 'owner' AND id <> $1) > 0";

impl Store {
    pub async fn count_admins(&self) -> StoreResult<i64> {
        with_pool!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM admins"
        )
        .fetch_one(pool)
        .await)
    }

    /// Inserts an admin; `Ok(false)` when the email is already an admin.
    pub async fn insert_admin(&self, new: NewAdmin<'_>) -> StoreResult<bool> {
        let sql = "INSERT INTO admins (id, email, display_name, role, password_hash, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6)";
        let result = with_pool!(self, |pool| sqlx::query(sql)
            .bind(new.id.0)
            .bind(new.email.as_str())
            .bind(new.display_name.as_str())
            .bind(new.role.as_str())
            .bind(new.password_hash.as_str())
            .bind(new.now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()));
        unless_taken(result, UniqueKey::AdminEmail)
    }

    pub async fn admin_by_email(
        &self,
        email: &Email,
    ) -> StoreResult<Option<(Admin, PasswordHash)>> {
        let sql = format!("SELECT {ADMIN_COLUMNS} FROM admins WHERE email = $1");
        let row: Option<AdminRow> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(email.as_str())
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(AdminRow::into_admin))
    }

    pub async fn admin_by_id(&self, id: AdminId) -> StoreResult<Option<Admin>> {
        let sql = format!("SELECT {ADMIN_COLUMNS} FROM admins WHERE id = $1");
        let row: Option<AdminRow> = with_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(id.0)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|r| r.into_admin().0))
    }

    pub async fn set_admin_password_hash(
        &self,
        id: AdminId,
        hash: &PasswordHash,
    ) -> StoreResult<()> {
        with_pool!(self, |pool| sqlx::query(
            "UPDATE admins SET password_hash = $2 WHERE id = $1"
        )
        .bind(id.0)
        .bind(hash.as_str())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn record_admin_sign_in(
        &self,
        id: AdminId,
        now: i64,
        ip: Option<&str>,
    ) -> StoreResult<()> {
        let sql = "UPDATE admins SET last_sign_in_at = $2, last_sign_in_ip = $3 WHERE id = $1";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(id.0)
            .bind(now)
            .bind(ip)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The address an admin last signed in from.
    pub async fn admin_last_sign_in_ip(&self, id: AdminId) -> StoreResult<Option<String>> {
        let sql = "SELECT last_sign_in_ip FROM admins WHERE id = $1";
        let ip: Option<Option<String>> = with_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(id.0)
            .fetch_optional(pool)
            .await)?;
        Ok(ip.flatten())
    }

    pub async fn insert_admin_invite(
        &self,
        token_hash: &[u8],
        email: Option<&Email>,
        role: Role,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO admin_invites (token_hash, email, role, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4, $5)";
        with_pool!(self, |pool| sqlx::query(sql)
            .bind(token_hash)
            .bind(email.map(Email::as_str))
            .bind(role.as_str())
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The invitation behind a link, if it is unused and unexpired: the
    /// invited email (none for a setup link) and role.
    pub async fn peek_admin_invite(
        &self,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<Option<(Option<String>, Role)>> {
        let sql = "SELECT email, role FROM admin_invites WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";
        let row: Option<(Option<String>, String)> = with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        Ok(row.and_then(|(email, role)| Role::parse(&role).map(|r| (email, r))))
    }

    /// Spends an invitation and creates the admin it invites, atomically:
    /// `Ok(None)` when the link was spent meanwhile, `Ok(Some(false))` when
    /// the email already belongs to an admin (nothing is spent then).
    pub async fn accept_admin_invite(
        &self,
        token_hash: &[u8],
        new: NewAdmin<'_>,
    ) -> StoreResult<Option<bool>> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin_write().await?;
            // A first-start setup link (no email) is good only while there
            // is no admin at all; spending one retires the others.
            let spent: Option<Option<String>> = sqlx::query_scalar(
                "UPDATE admin_invites SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL \
                 AND expires_at > $2 AND (email IS NOT NULL OR NOT EXISTS (SELECT 1 FROM admins)) \
                 RETURNING email",
            )
            .bind(token_hash)
            .bind(new.now)
            .fetch_optional(&mut *tx)
            .await?;
            match spent {
                None => return Ok(None),
                Some(None) => {
                    sqlx::query(
                        "UPDATE admin_invites SET used_at = $1 WHERE email IS NULL AND used_at IS NULL",
                    )
                    .bind(new.now)
                    .execute(&mut *tx)
                    .await?;
                }
                Some(Some(_)) => {}
            }
            let inserted = sqlx::query(
                "INSERT INTO admins (id, email, display_name, role, password_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(new.id.0)
            .bind(new.email.as_str())
            .bind(new.display_name.as_str())
            .bind(new.role.as_str())
            .bind(new.password_hash.as_str())
            .bind(new.now)
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(_) => {
                    tx.commit().await?;
                    Ok(Some(true))
                }
                Err(e) if is_taken(&e, UniqueKey::AdminEmail) => Ok(Some(false)),
                Err(e) => Err(e),
            }
        })
    }

    /// Every admin, owners first, then by email.
    pub async fn list_admins(&self) -> StoreResult<Vec<AdminListing>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            admin: AdminRow,
            created_at: i64,
            last_sign_in_at: Option<i64>,
        }
        let sql = format!(
            "SELECT {ADMIN_COLUMNS}, created_at, last_sign_in_at FROM admins \
             ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'support' THEN 1 ELSE 2 END, email LIMIT 1000"
        );
        let rows: Vec<Row> = with_pool!(self, |pool| sqlx::query_as(&sql).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| AdminListing {
                admin: r.admin.into_admin().0,
                created_at: r.created_at,
                last_sign_in_at: r.last_sign_in_at,
            })
            .collect())
    }

    pub async fn pending_admin_invites(&self, now: i64) -> StoreResult<Vec<PendingInvite>> {
        let sql = "SELECT token_hash, email, role, expires_at FROM admin_invites \
                   WHERE used_at IS NULL AND expires_at > $1 ORDER BY expires_at DESC LIMIT 1000";
        with_pool!(self, |pool| sqlx::query_as(sql)
            .bind(now)
            .fetch_all(pool)
            .await)
    }

    /// Withdraws an unused invitation; `false` when it was used or withdrawn already.
    pub async fn revoke_admin_invite(&self, token_hash: &[u8], now: i64) -> StoreResult<bool> {
        let sql = "UPDATE admin_invites SET used_at = $2, expires_at = $2 \
                   WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";
        let changed = with_pool!(self, |pool| sqlx::query(sql)
            .bind(token_hash)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(changed == 1)
    }

    /// Changes an admin's role unless that would leave no owner; `false`
    /// when refused (or when the admin is gone).
    pub async fn set_admin_role(&self, id: AdminId, role: Role) -> StoreResult<bool> {
        let sql = format!(
            "UPDATE admins SET role = $2 WHERE id = $1 AND ($2 = 'owner' OR {KEEPS_AN_OWNER})"
        );
        self.guarding_owners(&sql, id, Some(role)).await
    }

    /// Removes an admin unless they are the last owner; `false` when refused
    /// (or when the admin is gone).
    pub async fn delete_admin(&self, id: AdminId) -> StoreResult<bool> {
        let sql =
            format!("DELETE FROM admins WHERE id = $1 AND (role <> 'owner' OR {KEEPS_AN_OWNER})");
        self.guarding_owners(&sql, id, None).await
    }

    /// Runs a write whose condition counts owners. SQLite runs one writer at
    /// a time, so the statement alone is atomic; PostgreSQL first locks the
    /// owners' rows, so a concurrent change waits and then counts afresh.
    async fn guarding_owners(
        &self,
        sql: &str,
        id: AdminId,
        role: Option<Role>,
    ) -> StoreResult<bool> {
        let changed = match &self.pool {
            Pool::Sqlite(pool) => {
                let q = sqlx::query(sql).bind(id.0);
                let q = match role {
                    Some(r) => q.bind(r.as_str()),
                    None => q,
                };
                q.execute(pool).await?.rows_affected()
            }
            Pool::Postgres(pool) => {
                let mut tx = pool.begin_write().await?;
                sqlx::query("SELECT id FROM admins WHERE role = 'owner' FOR UPDATE")
                    .execute(&mut *tx)
                    .await?;
                let q = sqlx::query(sql).bind(id.0);
                let q = match role {
                    Some(r) => q.bind(r.as_str()),
                    None => q,
                };
                let changed = q.execute(&mut *tx).await?.rows_affected();
                tx.commit().await?;
                changed
            }
        };
        Ok(changed == 1)
    }
}
