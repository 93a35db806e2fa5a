//! Conversations with the assistant and their messages, scoped to their owner.

use chrono::{DateTime, Utc};
use todo_domain::account::UserId;
use todo_domain::chat::{Action, ChatMessage, Conversation, ConversationId, Role, TurnRecord};

use crate::{on_pool, writing, Pool, Store, StoreError, StoreResult, Timestamp};

#[derive(sqlx::FromRow)]
struct ConversationRow {
    id: i64,
    title: String,
    state: String,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl ConversationRow {
    fn split(self) -> (Conversation, String) {
        let conversation = Conversation {
            id: self.id,
            title: self.title,
            created_at: self.created_at.0,
            updated_at: self.updated_at.0,
        };
        (conversation, self.state)
    }
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: i64,
    role: String,
    content: String,
    actions: String,
    created_at: Timestamp,
}

impl TryFrom<MessageRow> for ChatMessage {
    type Error = StoreError;
    fn try_from(row: MessageRow) -> Result<Self, Self::Error> {
        let role = match row.role.as_str() {
            "user" => Role::User,
            "assistant" => Role::Assistant,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "message {}: role {other}",
                    row.id
                )))
            }
        };
        let actions: Vec<Action> = serde_json::from_str(&row.actions)
            .map_err(|e| StoreError::Corrupt(format!("message {}: actions {e}", row.id)))?;
        Ok(ChatMessage {
            id: row.id,
            role,
            content: row.content,
            actions,
            created_at: row.created_at.0,
        })
    }
}

/// A conversation joined with one of its messages (none for a new one).
#[derive(sqlx::FromRow)]
struct HistoryRow {
    #[sqlx(flatten)]
    conversation: ConversationRow,
    message_id: Option<i64>,
    role: Option<String>,
    content: Option<String>,
    actions: Option<String>,
    message_created_at: Option<Timestamp>,
}

impl HistoryRow {
    fn split(self) -> (Conversation, String, Option<MessageRow>) {
        let message = match (
            self.message_id,
            self.role,
            self.content,
            self.actions,
            self.message_created_at,
        ) {
            (Some(id), Some(role), Some(content), Some(actions), Some(created_at)) => {
                Some(MessageRow {
                    id,
                    role,
                    content,
                    actions,
                    created_at,
                })
            }
            _ => None,
        };
        let (conversation, state) = self.conversation.split();
        (conversation, state, message)
    }
}

const CONVERSATION_COLUMNS: &str = "id, title, state, created_at, updated_at";

impl Store {
    pub async fn create_conversation(
        &self,
        user_id: UserId,
        title: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Conversation> {
        let sql = format!(
            "INSERT INTO conversations (user_id, title, state, created_at, updated_at) \
             VALUES ($1, $2, '{{}}', $3, $3) RETURNING {CONVERSATION_COLUMNS}"
        );
        let row: ConversationRow = writing!(self, pool => sqlx::query_as(&sql)
            .bind(user_id)
            .bind(title)
            .bind(Timestamp::new(now))
            .fetch_one(pool)
            .await
            .map_err(StoreError::owner_gone))?;
        Ok(row.split().0)
    }

    /// The conversation, the assistant's memory and its last `limit`
    /// messages (oldest first), in one query, if it is this user's.
    pub async fn conversation_with_history(
        &self,
        user_id: UserId,
        id: ConversationId,
        limit: u32,
    ) -> StoreResult<Option<(Conversation, String, Vec<ChatMessage>)>> {
        let sql = "SELECT c.id, c.title, c.state, c.created_at, c.updated_at, \
                   m.id AS message_id, m.role, m.content, m.actions, m.created_at AS message_created_at \
                   FROM conversations c LEFT JOIN (SELECT id, role, content, actions, created_at FROM messages \
                   WHERE conversation_id = $1 ORDER BY id DESC LIMIT $3) m ON TRUE \
                   WHERE c.id = $1 AND c.user_id = $2 ORDER BY m.id";
        let rows: Vec<HistoryRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(id)
            .bind(user_id)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        let mut rows = rows.into_iter();
        let Some(first) = rows.next() else {
            return Ok(None);
        };
        let mut messages = Vec::new();
        let (conversation, state, message) = first.split();
        for message in message
            .into_iter()
            .chain(rows.filter_map(|row| row.split().2))
        {
            messages.push(ChatMessage::try_from(message)?);
        }
        Ok(Some((conversation, state, messages)))
    }

    /// Most recently active first.
    pub async fn list_conversations(
        &self,
        user_id: UserId,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE user_id = $1 \
             ORDER BY updated_at DESC, id DESC LIMIT $2"
        );
        let rows: Vec<ConversationRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(user_id)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(|r| r.split().0).collect())
    }

    pub async fn delete_conversation(
        &self,
        user_id: UserId,
        id: ConversationId,
    ) -> StoreResult<bool> {
        let sql = "DELETE FROM conversations WHERE id = $1 AND user_id = $2";
        let done = writing!(self, pool => sqlx::query(sql).bind(id).bind(user_id).execute(pool).await?.rows_affected());
        Ok(done > 0)
    }

    /// Starts a conversation with its first turn, in one statement on
    /// Postgres (a new conversation costs no statement of its own before the
    /// turn). [`StoreError::OwnerGone`] if the user no longer exists.
    pub async fn record_first_turn(
        &self,
        user_id: UserId,
        title: &str,
        turn: &TurnRecord<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<ConversationId> {
        let actions = actions_json(turn)?;
        let now = Timestamp::new(now);
        let create = "INSERT INTO conversations (user_id, title, state, created_at, updated_at) \
                      VALUES ($1, $2, $3, $4, $4) RETURNING id";
        let id = match &self.pool {
            Pool::Postgres(pool) => {
                let sql = format!(
                    "WITH created AS ({create}), added AS (\
                     INSERT INTO messages (conversation_id, role, content, actions, created_at) \
                     SELECT created.id, m.role, m.content, m.actions, $4 FROM created, \
                     (VALUES (1, 'user', $5, '[]'), (2, 'assistant', $6, $7)) AS m (turn, role, content, actions) \
                     ORDER BY m.turn) \
                     SELECT id FROM created"
                );
                sqlx::query_scalar(&sql)
                    .bind(user_id)
                    .bind(title)
                    .bind(turn.state)
                    .bind(now)
                    .bind(turn.user_message)
                    .bind(turn.reply)
                    .bind(&actions)
                    .fetch_one(pool)
                    .await
                    .map_err(StoreError::owner_gone)?
            }
            Pool::Sqlite(pool) => {
                let _turn = self.sqlite_writer.lock().await;
                let mut tx = crate::transaction::begin(pool).await?;
                let id: i64 = sqlx::query_scalar(create)
                    .bind(user_id)
                    .bind(title)
                    .bind(turn.state)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(StoreError::owner_gone)?;
                insert_sqlite_messages(&mut tx, id, turn, &actions, now).await?;
                tx.commit().await?;
                id
            }
        };
        Ok(id)
    }

    /// Stores a whole turn at once: both messages and the new memory, or nothing.
    pub async fn record_turn(
        &self,
        user_id: UserId,
        id: ConversationId,
        turn: &TurnRecord<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let actions = actions_json(turn)?;
        let now = Timestamp::new(now);
        let recorded = match &self.pool {
            // One statement, so atomic on its own: one round trip, no
            // BEGIN/COMMIT. Both messages only if the conversation is the
            // user's (and still there); the user's first, for the id order.
            Pool::Postgres(pool) => {
                let sql = "WITH touched AS (UPDATE conversations SET state = $1, updated_at = $2 \
                           WHERE id = $3 AND user_id = $4 RETURNING id) \
                           INSERT INTO messages (conversation_id, role, content, actions, created_at) \
                           SELECT touched.id, m.role, m.content, m.actions, $2 FROM touched, \
                           (VALUES (1, 'user', $5, '[]'), (2, 'assistant', $6, $7)) AS m (turn, role, content, actions) \
                           ORDER BY m.turn";
                sqlx::query(sql)
                    .bind(turn.state)
                    .bind(now)
                    .bind(id)
                    .bind(user_id)
                    .bind(turn.user_message)
                    .bind(turn.reply)
                    .bind(&actions)
                    .execute(pool)
                    .await?
                    .rows_affected()
                    > 0
            }
            // SQLite cannot update inside a WITH: two statements in one
            // transaction, both messages in one insert.
            Pool::Sqlite(pool) => {
                let touch = "UPDATE conversations SET state = $1, updated_at = $2 WHERE id = $3 AND user_id = $4";
                let _turn = self.sqlite_writer.lock().await;
                let mut tx = crate::transaction::begin(pool).await?;
                let owned = sqlx::query(touch)
                    .bind(turn.state)
                    .bind(now)
                    .bind(id)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    > 0;
                if owned {
                    insert_sqlite_messages(&mut tx, id, turn, &actions, now).await?;
                }
                tx.commit().await?;
                owned
            }
        };
        Ok(recorded)
    }
}

/// A turn's actions as stored (JSON text).
fn actions_json(turn: &TurnRecord<'_>) -> StoreResult<String> {
    serde_json::to_string(turn.actions).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A turn's two messages on SQLite, the user's first (for the id order), in
/// one insert inside the caller's transaction.
async fn insert_sqlite_messages(
    tx: &mut sqlx::SqliteConnection,
    id: ConversationId,
    turn: &TurnRecord<'_>,
    actions: &str,
    now: Timestamp,
) -> StoreResult<()> {
    let insert = "INSERT INTO messages (conversation_id, role, content, actions, created_at) \
                  VALUES ($1, 'user', $2, '[]', $5), ($1, 'assistant', $3, $4, $5)";
    sqlx::query(insert)
        .bind(id)
        .bind(turn.user_message)
        .bind(turn.reply)
        .bind(actions)
        .bind(now)
        .execute(tx)
        .await?;
    Ok(())
}
