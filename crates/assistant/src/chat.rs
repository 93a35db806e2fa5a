//! One chat turn, start to end: open the conversation, let the configured
//! assistant answer (falling back to the builtin one when the language model
//! fails), and store both messages with the assistant's new memory.

use std::sync::Arc;
use todo_domain::chat::{ChatRequest, ChatResponse};
use todo_services::{Principal, ServiceError};
use todo_storage::TurnRecord;

use crate::{Assistant, AssistantError, Reply, Toolbox, Turn, TurnEvents};

/// Said when the builtin assistant stands in for a failed language model.
pub const FALLBACK_NOTE: &str =
    "(The language model is unavailable right now, so the built-in assistant answered.)";

#[derive(Clone)]
pub struct Chat {
    toolbox: Toolbox,
    builtin: Arc<dyn Assistant>,
    llm: Option<Arc<dyn Assistant>>,
}

impl Chat {
    pub fn new(
        toolbox: Toolbox,
        builtin: Arc<dyn Assistant>,
        llm: Option<Arc<dyn Assistant>>,
    ) -> Self {
        Self {
            toolbox,
            builtin,
            llm,
        }
    }

    pub fn toolbox(&self) -> &Toolbox {
        &self.toolbox
    }

    /// `llm` when a language model is configured, else `builtin`.
    pub fn mode(&self) -> &'static str {
        self.llm
            .as_ref()
            .map_or(self.builtin.name(), |llm| llm.name())
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
        let history = &open.history;

        let mut state = open.state.clone();
        let mut assistant = self.mode();
        let reply = match &self.llm {
            Some(llm) => {
                let turn = Turn {
                    principal,
                    now,
                    message,
                    history,
                    state: &mut state,
                };
                match llm.respond(turn, &self.toolbox, events).await {
                    Ok(reply) => reply,
                    Err(AssistantError::Provider { reason, actions }) => {
                        tracing::warn!(%reason, "language model failed; the builtin assistant answers");
                        metrics::counter!("chat_llm_fallbacks_total").increment(1);
                        assistant = self.builtin.name();
                        state = open.state.clone();
                        let turn = Turn {
                            principal,
                            now,
                            message,
                            history,
                            state: &mut state,
                        };
                        self.fall_back(turn, actions, events).await?
                    }
                    Err(AssistantError::Service(error)) => return Err(error),
                }
            }
            None => {
                self.respond_builtin(
                    Turn {
                        principal,
                        now,
                        message,
                        history,
                        state: &mut state,
                    },
                    events,
                )
                .await?
            }
        };
        metrics::counter!("chat_turns_total", "assistant" => assistant).increment(1);
        open.state = state;
        let state_text = open.state.to_string();
        services
            .record_turn(
                principal,
                open.conversation.id,
                &TurnRecord {
                    user_message: message,
                    reply: &reply.text,
                    actions: &reply.actions,
                    state: &state_text,
                },
            )
            .await?;
        tracing::info!(
            conversation_id = open.conversation.id,
            assistant,
            actions = reply.actions.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "chat turn"
        );
        Ok(ChatResponse {
            conversation_id: open.conversation.id,
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

    /// The builtin assistant answers instead. If the model had already acted,
    /// running the message again could repeat those actions, so the reply
    /// reports what was done instead.
    async fn fall_back(
        &self,
        turn: Turn<'_>,
        done: Vec<todo_domain::chat::Action>,
        events: &dyn TurnEvents,
    ) -> Result<Reply, ServiceError> {
        events.delta(FALLBACK_NOTE);
        events.delta("\n\n");
        // Only what succeeded changed anything; failed calls can be retried.
        if done.iter().any(|action| action.ok) {
            let text = format!(
                "{FALLBACK_NOTE}\n\nBefore it stopped, it ran {} action(s): {}.",
                done.len(),
                done.iter()
                    .map(|a| a.tool.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            return Ok(Reply {
                text,
                actions: done,
            });
        }
        let reply = self.respond_builtin(turn, events).await?;
        Ok(Reply {
            text: format!("{FALLBACK_NOTE}\n\n{}", reply.text),
            actions: reply.actions,
        })
    }
}
