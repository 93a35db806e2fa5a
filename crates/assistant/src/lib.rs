//! The assistant of Todo Chatbot. One tool layer ([`tools`]), two assistants
//! behind one trait (the builtin one, deterministic and offline, and an LLM
//! one for any OpenAI-compatible endpoint), and the chat turn ([`chat`])
//! that loads a conversation, lets an assistant act, and stores the result.

pub mod builtin;
pub mod chat;
pub mod llm;
pub mod tools;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use todo_domain::chat::{Action, ChatMessage};
use todo_services::{Principal, ServiceError};

pub use builtin::Builtin;
pub use chat::{Chat, Routing};
pub use tools::{ToolDefinition, ToolError, Toolbox};

/// Everything an assistant knows for one turn. Nothing survives in memory
/// between turns: `state` is loaded from and saved to the conversation.
pub struct Turn<'a> {
    pub principal: Principal,
    pub now: DateTime<Utc>,
    pub message: &'a str,
    /// Earlier messages of the conversation, oldest first.
    pub history: &'a [ChatMessage],
    /// The assistant's own memory (a JSON object), saved after the turn.
    pub state: &'a mut Value,
    /// What the builtin assistant could read of the message when it was not
    /// sure of it (hybrid routing), for the model; empty when nothing.
    pub hint: &'a str,
}

/// What an assistant answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    pub text: String,
    /// The tools called, in order, with their results.
    pub actions: Vec<Action>,
}

#[derive(Debug, thiserror::Error)]
pub enum AssistantError {
    /// The language model could not answer (timeout, 5xx, repeated invalid
    /// tool calls…). `actions` lists what was already done before it failed.
    #[error("the language model failed: {reason}")]
    Provider {
        reason: String,
        actions: Vec<Action>,
    },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// Streams a turn as it happens (Server-Sent Events, a terminal).
pub trait TurnEvents: Send + Sync {
    fn delta(&self, _text: &str) {}
    fn action(&self, _action: &Action) {}
    /// Who is answering: sent as soon as the turn starts (`thinking`) and
    /// when the builtin stands in for a failed model (`falling_back`).
    fn status(&self, _status: TurnStatus) {}
}

/// A step of a turn, for clients that show progress (and for the
/// evaluation, which counts who answered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct TurnStatus {
    /// `builtin` or `llm`.
    pub assistant: &'static str,
    /// `thinking` or `falling_back`.
    pub state: &'static str,
}

/// How sure an assistant is that it understands a message, before it acts
/// (hybrid routing asks the builtin first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Understanding {
    /// It knows what to do: let it answer.
    Sure,
    /// It does not; what it could read of the message, as a hint for the
    /// model (empty when nothing).
    Unsure(String),
}

/// For callers that only want the final answer.
pub struct NoEvents;
impl TurnEvents for NoEvents {}

#[async_trait]
pub trait Assistant: Send + Sync {
    /// `builtin` or `llm`, for logs and metrics.
    fn name(&self) -> &'static str;

    async fn respond(
        &self,
        turn: Turn<'_>,
        tools: &Toolbox,
        events: &dyn TurnEvents,
    ) -> Result<Reply, AssistantError>;

    /// Whether it would answer `turn` with confidence; nothing is run.
    fn understands(&self, _turn: &Turn<'_>) -> Understanding {
        Understanding::Unsure(String::new())
    }
}
