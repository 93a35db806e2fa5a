//! Personal access tokens. Only a hash of each secret is stored.

use chrono::{DateTime, Duration, Utc};
use todo_domain::account::{User, UserId};

use crate::users::{UserRecord, UserRowParts};
use crate::{on_pool, writing, Store, StoreError, StoreResult, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: i64,
    pub name: String,
    /// The first characters of the secret, to tell tokens apart in a list.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    name: String,
    prefix: String,
    created_at: Timestamp,
    last_used_at: Option<Timestamp>,
}

impl From<TokenRow> for TokenRecord {
    fn from(row: TokenRow) -> Self {
        TokenRecord {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            created_at: row.created_at.0,
            last_used_at: row.last_used_at.map(|t| t.0),
        }
    }
}

#[derive(sqlx::FromRow)]
struct TokenOwnerRow {
    token_id: i64,
    last_used_at: Option<Timestamp>,
    #[sqlx(flatten)]
    user: UserRowParts,
}

const TOKEN_COLUMNS: &str = "id, name, prefix, created_at, last_used_at";

/// `last_used_at` is refreshed at most this often, to keep token use cheap.
const LAST_USED_GRANULARITY: Duration = Duration::minutes(1);

impl Store {
    pub async fn insert_token(
        &self,
        user_id: UserId,
        name: &str,
        prefix: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<TokenRecord> {
        let sql = format!(
            "INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING {TOKEN_COLUMNS}"
        );
        let row: TokenRow = writing!(self, pool => sqlx::query_as(&sql)
            .bind(user_id)
            .bind(name)
            .bind(prefix)
            .bind(token_hash)
            .bind(Timestamp::new(now))
            .fetch_one(pool)
            .await
            .map_err(StoreError::unique("token")))?;
        Ok(row.into())
    }

    pub async fn list_tokens(&self, user_id: UserId) -> StoreResult<Vec<TokenRecord>> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC");
        let rows: Vec<TokenRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(user_id).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(TokenRecord::from).collect())
    }

    pub async fn delete_token(&self, user_id: UserId, id: i64) -> StoreResult<bool> {
        let sql = "DELETE FROM api_tokens WHERE id = $1 AND user_id = $2";
        let done = writing!(self, pool => sqlx::query(sql).bind(id).bind(user_id).execute(pool).await?.rows_affected());
        Ok(done > 0)
    }

    /// The owner of the token with this hash, noting the use.
    pub async fn user_for_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>> {
        let sql = "SELECT t.id AS token_id, t.last_used_at, u.id, u.email, u.name, u.password_hash, u.timezone \
                   FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1";
        let row: Option<TokenOwnerRow> = on_pool!(self, pool => sqlx::query_as(sql).bind(token_hash).fetch_optional(pool).await)?;
        let Some(row) = row else { return Ok(None) };
        if row
            .last_used_at
            .is_none_or(|t| now - t.0 >= LAST_USED_GRANULARITY)
        {
            let touch = "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2";
            let token_id = row.token_id;
            writing!(self, pool => sqlx::query(touch).bind(Timestamp::new(now)).bind(token_id).execute(pool).await.map(|_| ()))?;
        }
        Ok(Some(UserRecord::from(row.user).user))
    }
}
