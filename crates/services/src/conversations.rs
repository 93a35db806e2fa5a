//! Conversations with the assistant: loaded and stored per request, so any
//! replica can serve any turn.

use todo_domain::chat::{
    check_message, title_from, ChatMessage, Conversation, ConversationDetail, ConversationId,
    TurnRecord,
};
use todo_domain::ValidationErrors;

use crate::accounts::Principal;
use crate::error::{ServiceError, ServiceResult};
use crate::Services;

/// How many past messages a turn sees; older ones stay stored but unread.
pub const HISTORY_MESSAGES: u32 = 40;
const LIST_LIMIT: u32 = 100;

/// A conversation ready for a new turn.
pub struct OpenConversation {
    /// `None` for a new conversation: it is stored with its first turn
    /// ([`Services::record_turn`]), so starting one costs no statement.
    pub id: Option<ConversationId>,
    /// A new conversation's title, from its first message.
    title: String,
    /// The assistant's memory (JSON object).
    pub state: serde_json::Value,
    pub history: Vec<ChatMessage>,
}

impl Services {
    /// Checks the message, then continues conversation `id` or starts one
    /// titled after the message.
    pub async fn open_conversation(
        &self,
        principal: Principal,
        id: Option<ConversationId>,
        message: &str,
    ) -> ServiceResult<OpenConversation> {
        let message = check_message(message).map_err(ValidationErrors::from)?;
        // The turn's statements also show that the account still exists (see
        // `Services::authenticate_checked_by_request`): a conversation not
        // found asks whether it is the account that is gone; a new one's
        // writes (a task added, the turn's record) fail their owner's
        // foreign key (401).
        let Some(id) = id else {
            return Ok(OpenConversation {
                id: None,
                title: title_from(message),
                state: serde_json::json!({}),
                history: Vec::new(),
            });
        };
        let Some((conversation, state, history)) = self
            .store
            .conversation_with_history(principal.user_id, id, HISTORY_MESSAGES)
            .await?
        else {
            self.check_account(principal).await?;
            return Err(ServiceError::NotFound("conversation"));
        };
        let state = serde_json::from_str(&state).unwrap_or_else(|_| serde_json::json!({}));
        Ok(OpenConversation {
            id: Some(conversation.id),
            title: conversation.title,
            state,
            history,
        })
    }

    /// Stores the turn, and a new conversation with it; its id.
    pub async fn record_turn(
        &self,
        principal: Principal,
        open: &OpenConversation,
        turn: &TurnRecord<'_>,
    ) -> ServiceResult<ConversationId> {
        let Some(id) = open.id else {
            return Ok(self
                .store
                .record_first_turn(principal.user_id, &open.title, turn, self.now())
                .await?);
        };
        if self
            .store
            .record_turn(principal.user_id, id, turn, self.now())
            .await?
        {
            Ok(id)
        } else {
            // Deleted while the turn ran.
            Err(ServiceError::NotFound("conversation"))
        }
    }

    pub async fn list_conversations(
        &self,
        principal: Principal,
    ) -> ServiceResult<Vec<Conversation>> {
        Ok(self
            .store
            .list_conversations(principal.user_id, LIST_LIMIT)
            .await?)
    }

    pub async fn conversation(
        &self,
        principal: Principal,
        id: ConversationId,
    ) -> ServiceResult<ConversationDetail> {
        let (conversation, _, messages) = self
            .store
            .conversation_with_history(principal.user_id, id, u32::MAX / 2)
            .await?
            .ok_or(ServiceError::NotFound("conversation"))?;
        Ok(ConversationDetail {
            conversation,
            messages,
        })
    }

    pub async fn delete_conversation(
        &self,
        principal: Principal,
        id: ConversationId,
    ) -> ServiceResult<()> {
        if self
            .store
            .delete_conversation(principal.user_id, id)
            .await?
        {
            Ok(())
        } else {
            Err(ServiceError::NotFound("conversation"))
        }
    }
}
