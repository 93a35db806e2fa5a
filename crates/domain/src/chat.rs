//! Conversations with the assistant: the shapes the chat API sends and the
//! web UI reads.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub type ConversationId = i64;

/// A tool the assistant used during a turn, with what it was given and what
/// came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Action {
    /// `add_task`, `list_tasks`, `complete_task`, `delete_task` or `update_task`.
    pub tool: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub arguments: serde_json::Value,
    pub ok: bool,
    /// The tool's structured result, or `{"error": "..."}`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub result: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    pub message: String,
    /// Continue this conversation; a new one starts when absent.
    #[serde(default)]
    pub conversation_id: Option<ConversationId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatResponse {
    pub conversation_id: ConversationId,
    pub reply: String,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatMessage {
    pub id: i64,
    pub role: Role,
    pub content: String,
    /// What the assistant did in this turn (assistant messages only).
    #[serde(default)]
    pub actions: Vec<Action>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conversation {
    pub id: ConversationId,
    /// The start of the first message.
    pub title: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /api/conversations`: the caller's conversations, most recent first.
/// The server sends this type and the web UI reads it, so the two cannot
/// disagree on the shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationList {
    pub items: Vec<Conversation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationDetail {
    #[serde(flatten)]
    pub conversation: Conversation,
    pub messages: Vec<ChatMessage>,
}

pub const MESSAGE_MAX_CHARS: usize = 4000;

/// A message must say something, and not too much.
pub fn check_message(message: &str) -> Result<&str, crate::FieldError> {
    let trimmed = message.trim();
    if trimmed.is_empty() {
        return Err(crate::FieldError::new(
            "message",
            "message_empty",
            "the message is empty",
        ));
    }
    crate::text::check_no_control_characters("message", trimmed, true)?;
    if trimmed.chars().count() > MESSAGE_MAX_CHARS {
        return Err(crate::FieldError::new(
            "message",
            "message_too_long",
            format!("a message may have at most {MESSAGE_MAX_CHARS} characters"),
        ));
    }
    Ok(trimmed)
}

/// A conversation's title: the first message, cut at a word boundary.
pub fn title_from(message: &str) -> String {
    const MAX: usize = 60;
    let message = message.trim();
    if message.chars().count() <= MAX {
        return message.to_owned();
    }
    let cut: String = message.chars().take(MAX).collect();
    let cut = cut
        .rsplit_once(' ')
        .map(|(head, _)| head)
        .filter(|h| !h.is_empty())
        .unwrap_or(&cut);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cut_at_words() {
        assert_eq!(title_from("  add milk "), "add milk");
        let long =
            "please add a task to call the plumber about the leaking kitchen sink tomorrow morning";
        let title = title_from(long);
        assert!(
            title.ends_with('…') && title.chars().count() <= 61,
            "{title}"
        );
        assert!(long.starts_with(title.trim_end_matches('…')));
    }

    #[test]
    fn messages_are_checked() {
        assert_eq!(check_message("  hi ").unwrap(), "hi");
        assert_eq!(check_message(" ").unwrap_err().code, "message_empty");
        assert_eq!(
            check_message(&"x".repeat(4001)).unwrap_err().code,
            "message_too_long"
        );
    }
}
