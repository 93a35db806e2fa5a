//! One chat turn, start to end: open the conversation, route the message
//! (the builtin assistant first in hybrid mode), let the assistant answer
//! (the builtin one standing in when the language model fails), and store
//! both messages with the assistant's new memory.

use chrono::{DateTime, Utc};
use serde_json::Value;
use std::sync::Arc;
use todo_domain::chat::{Action, ChatMessage, ChatRequest, ChatResponse, TurnRecord};
use todo_services::{Principal, ServiceError};

use crate::{
    Assistant, AssistantError, Reply, Toolbox, Turn, TurnEvents, TurnStatus, Understanding,
};

/// Said when the builtin assistant stands in for a failed language model.
pub const FALLBACK_NOTE: &str =
    "(The language model is unavailable right now, so the built-in assistant answered.)";

/// Which assistant answers a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    /// Always the builtin one, even with a model configured.
    Builtin,
    /// The builtin one when it is sure of the message (milliseconds, no
    /// tokens), the model otherwise, with what the builtin could read.
    Hybrid,
    /// Always the model (the builtin one only when it fails).
    Llm,
}

impl Routing {
    pub fn as_str(self) -> &'static str {
        match self {
            Routing::Builtin => "builtin",
            Routing::Hybrid => "hybrid",
            Routing::Llm => "llm",
        }
    }
}

impl std::str::FromStr for Routing {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "builtin" => Ok(Routing::Builtin),
            "hybrid" => Ok(Routing::Hybrid),
            "llm" => Ok(Routing::Llm),
            other => Err(format!("'{other}' is not builtin, hybrid or llm")),
        }
    }
}

/// What stays the same across the assistants that may see one message.
struct Said<'a> {
    principal: Principal,
    now: DateTime<Utc>,
    message: &'a str,
    history: &'a [ChatMessage],
}

impl<'a> Said<'a> {
    fn turn<'t>(&self, state: &'t mut Value, hint: &'t str) -> Turn<'t>
    where
        'a: 't,
    {
        Turn {
            principal: self.principal,
            now: self.now,
            message: self.message,
            history: self.history,
            state,
            hint,
        }
    }
}

#[derive(Clone)]
pub struct Chat {
    toolbox: Toolbox,
    builtin: Arc<dyn Assistant>,
    llm: Option<Arc<dyn Assistant>>,
    routing: Routing,
}

impl Chat {
    /// Hybrid routing when a model is given; see [`Chat::with_routing`].
    pub fn new(
        toolbox: Toolbox,
        builtin: Arc<dyn Assistant>,
        llm: Option<Arc<dyn Assistant>>,
    ) -> Self {
        Self {
            toolbox,
            builtin,
            llm,
            routing: Routing::Hybrid,
        }
    }

    pub fn with_routing(mut self, routing: Routing) -> Self {
        self.routing = routing;
        self
    }

    pub fn toolbox(&self) -> &Toolbox {
        &self.toolbox
    }

    /// `builtin` without a language model (or when told so), else `hybrid`
    /// or `llm`.
    pub fn mode(&self) -> &'static str {
        match (&self.llm, self.routing) {
            (None, _) | (_, Routing::Builtin) => self.builtin.name(),
            (Some(_), routing) => routing.as_str(),
        }
    }

    pub async fn turn(
        &self,
        principal: Principal,
        request: ChatRequest,
        events: &dyn TurnEvents,
    ) -> Result<ChatResponse, ServiceError> {
        let services = self.toolbox.services();
        let mut open = services
            .open_conversation(principal, request.conversation_id, &request.message)
            .await?;
        let message = request.message.trim();
        let now = services.now();
        let started = std::time::Instant::now();
        let said = Said {
            principal,
            now,
            message,
            history: &open.history,
        };

        let mut state = open.state.clone();
        let llm = match (&self.llm, self.routing) {
            (Some(llm), Routing::Llm) => Some((llm, String::new())),
            (Some(llm), Routing::Hybrid) => {
                match self.builtin.understands(&said.turn(&mut state, "")) {
                    Understanding::Sure => None,
                    Understanding::Unsure(hint) => Some((llm, hint)),
                }
            }
            _ => None,
        };
        let mut assistant = llm.as_ref().map_or(self.builtin.name(), |(l, _)| l.name());
        events.status(TurnStatus {
            assistant,
            state: "thinking",
        });
        let reply = match llm {
            Some((llm, hint)) => {
                match llm
                    .respond(said.turn(&mut state, &hint), &self.toolbox, events)
                    .await
                {
                    Ok(reply) => reply,
                    Err(AssistantError::Provider { reason, actions }) => {
                        tracing::warn!(%reason, "language model failed; the builtin assistant answers");
                        metrics::counter!("chat_llm_fallbacks_total").increment(1);
                        assistant = self.builtin.name();
                        events.status(TurnStatus {
                            assistant,
                            state: "falling_back",
                        });
                        state = open.state.clone();
                        self.fall_back(said.turn(&mut state, ""), actions, events)
                            .await?
                    }
                    Err(AssistantError::Service(error)) => return Err(error),
                }
            }
            None => {
                self.respond_builtin(said.turn(&mut state, ""), events)
                    .await?
            }
        };
        metrics::counter!("chat_turns_total", "assistant" => assistant).increment(1);
        open.state = state;
        let state_text = open.state.to_string();
        let conversation_id = services
            .record_turn(
                principal,
                &open,
                &TurnRecord {
                    user_message: message,
                    reply: &reply.text,
                    actions: &reply.actions,
                    state: &state_text,
                },
            )
            .await?;
        tracing::info!(
            conversation_id,
            assistant,
            actions = reply.actions.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "chat turn"
        );
        Ok(ChatResponse {
            conversation_id,
            reply: reply.text,
            actions: reply.actions,
        })
    }

    async fn respond_builtin(
        &self,
        turn: Turn<'_>,
        events: &dyn TurnEvents,
    ) -> Result<Reply, ServiceError> {
        match self.builtin.respond(turn, &self.toolbox, events).await {
            Ok(reply) => Ok(reply),
            Err(AssistantError::Service(error)) => Err(error),
            Err(AssistantError::Provider { reason, .. }) => Err(ServiceError::Internal(reason)),
        }
    }

    /// The builtin assistant answers instead. If the model had already
    /// changed something, running the message again could repeat it, so the
    /// reply reports what was done instead; what only read (a listing) or
    /// failed changed nothing, so the builtin answers as if it had not run.
    async fn fall_back(
        &self,
        turn: Turn<'_>,
        done: Vec<Action>,
        events: &dyn TurnEvents,
    ) -> Result<Reply, ServiceError> {
        events.delta(FALLBACK_NOTE);
        events.delta("\n\n");
        let (writes, reads): (Vec<Action>, Vec<Action>) =
            done.into_iter().partition(Action::is_write);
        if !writes.is_empty() {
            let text = format!(
                "{FALLBACK_NOTE}\n\nBefore it stopped, it ran {} action(s): {}.",
                writes.len(),
                writes
                    .iter()
                    .map(|a| a.tool.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            events.delta(&text[FALLBACK_NOTE.len() + 2..]);
            return Ok(Reply {
                text,
                actions: writes,
            });
        }
        let reply = self.respond_builtin(turn, events).await?;
        // What the model read still happened: it stays on the record.
        let mut actions: Vec<Action> = reads.into_iter().filter(|a| a.ok()).collect();
        actions.extend(reply.actions);
        Ok(Reply {
            text: format!("{FALLBACK_NOTE}\n\n{}", reply.text),
            actions,
        })
    }
}
