//! Accounts.

use chrono::{DateTime, Utc};
use todo_domain::account::{User, UserId};
use todo_domain::TimeZone;

use crate::{on_pool, writing, Store, StoreError, StoreResult, Timestamp};

/// A user with the password hash, for signing in; never leaves the server.
#[derive(Clone)]
pub struct UserRecord {
    pub user: User,
    pub password_hash: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRowParts {
    pub(crate) id: i64,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) password_hash: String,
    pub(crate) timezone: String,
}

impl From<UserRowParts> for UserRecord {
    fn from(row: UserRowParts) -> Self {
        UserRecord {
            user: User {
                id: row.id,
                email: row.email,
                name: row.name,
                // A zone stored by an older tz database may vanish; fall back to UTC.
                timezone: TimeZone::parse(&row.timezone).unwrap_or_default(),
            },
            password_hash: row.password_hash,
        }
    }
}

const USER_COLUMNS: &str = "id, email, name, password_hash, timezone";

impl Store {
    /// Fails with [`StoreError::Conflict`] when the email is taken.
    pub async fn insert_user(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        timezone: TimeZone,
        now: DateTime<Utc>,
    ) -> StoreResult<User> {
        let sql = format!(
            "INSERT INTO users (email, name, password_hash, timezone, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING {USER_COLUMNS}"
        );
        let row: UserRowParts = writing!(self, pool => sqlx::query_as(&sql)
            .bind(email)
            .bind(name)
            .bind(password_hash)
            .bind(timezone.name())
            .bind(Timestamp::new(now))
            .fetch_one(pool)
            .await
            .map_err(StoreError::unique("email")))?;
        Ok(UserRecord::from(row).user)
    }

    pub async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        let row: Option<UserRowParts> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(email).fetch_optional(pool).await)?;
        Ok(row.map(UserRecord::from))
    }

    pub async fn get_user(&self, id: UserId) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row: Option<UserRowParts> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?;
        Ok(row.map(|r| UserRecord::from(r).user))
    }

    /// Deletes an account and, by cascade, everything it owns.
    pub async fn delete_user(&self, id: UserId) -> StoreResult<bool> {
        let sql = "DELETE FROM users WHERE id = $1";
        let done =
            writing!(self, pool => sqlx::query(sql).bind(id).execute(pool).await?.rows_affected());
        Ok(done > 0)
    }
}

impl Store {
    /// For local tools on one's own database: the account with this email,
    /// or without one, the only account there is.
    pub async fn local_account(&self, email: Option<&str>) -> StoreResult<Option<User>> {
        if let Some(email) = email {
            return Ok(self
                .find_user_by_email(&email.trim().to_lowercase())
                .await?
                .map(|r| r.user));
        }
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id LIMIT 2");
        let rows: Vec<UserRowParts> =
            on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
        Ok(match <[UserRowParts; 1]>::try_from(rows) {
            Ok([only]) => Some(UserRecord::from(only).user),
            Err(_) => None,
        })
    }
}
