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
    pub conversation: Conversation,
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
        // The statements below also show that the account still exists (see
        // `Services::authenticate_checked_by_request`): a new conversation's
        // insert fails its owner's foreign key (401), and a conversation not
        // found asks whether it is the account that is gone.
        let Some(id) = id else {
            let conversation = self
                .store
                .create_conversation(principal.user_id, &title_from(message), self.now())
                .await?;
            return Ok(OpenConversation {
                conversation,
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
            conversation,
            state,
            history,
        })
    }

    pub async fn record_turn(
        &self,
        principal: Principal,
        id: ConversationId,
        turn: &TurnRecord<'_>,
    ) -> ServiceResult<()> {
        if self
            .store
            .record_turn(principal.user_id, id, turn, self.now())
            .await?
        {
            Ok(())
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
