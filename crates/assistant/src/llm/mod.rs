//! The LLM assistant: any OpenAI-compatible Chat Completions endpoint with
//! tool calling (OpenAI, Ollama, vLLM, llama.cpp server, LM Studio,
//! OpenRouter...). The model acts only through the [tool layer](crate::tools),
//! so every action is validated by the domain services and recorded.
//!
//! A turn is a bounded loop: ask the model (streaming its words to the
//! client), run the tools it calls in order, hand it their results, and ask
//! again until it answers in words. Invalid tool calls are returned to the
//! model as errors a bounded number of times. The whole turn has one
//! deadline, [`LlmConfig::timeout`]. When the model cannot answer (deadline,
//! 5xx after retries, too many invalid calls, a reply the [guard](guard)
//! discards), the turn fails with [`AssistantError::Provider`] and the chat
//! lets the builtin assistant answer instead. A provider that failed
//! [`BREAKER_FAILURES`] turns in a row is skipped for [`BREAKER_OPEN_FOR`].

mod guard;
mod prompt;
mod transport;

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

use async_openai::config::OpenAIConfig;
use async_openai::types::chat::{
    ChatCompletionRequestMessage, ChatCompletionToolChoiceOption, CreateChatCompletionRequest,
    ToolChoiceOptions,
};
use async_trait::async_trait;
use serde_json::{json, Value};
use todo_domain::chat::{Action, Outcome};
use todo_domain::Task;

use crate::{Assistant, AssistantError, Reply, ToolError, Toolbox, Turn, TurnEvents};
use transport::{ToolCall, Transport};

pub use prompt::HISTORY_BUDGET_CHARS;
pub use transport::{Usage, MAX_RETRIES, MAX_TOKENS, PLAIN_FOR, STOP, TEMPERATURE};

/// Turns in a row the provider failed (deadline, errors) before it is
/// skipped.
pub const BREAKER_FAILURES: u32 = 2;
/// How long a failing provider is skipped: the builtin answers at once
/// meanwhile; then one turn tries it again.
pub const BREAKER_OPEN_FOR: Duration = Duration::from_secs(30);

/// Model requests in one turn (each answer that calls tools costs one).
pub const MAX_ROUNDS: usize = 6;
/// Invalid tool calls (unparsable or rejected arguments, unknown tools or
/// tasks) returned to the model in one turn; one more ends the turn.
pub const MAX_INVALID_CALLS: usize = 3;

/// Where the model is and how long one request may take.
#[derive(Clone)]
pub struct LlmConfig {
    /// The API root, such as `https://api.openai.com/v1` or
    /// `http://localhost:11434/v1`; `/chat/completions` is added to it.
    pub base_url: String,
    pub api_key: Option<String>,
    pub model: String,
    /// For a whole turn: every model request and retry in it.
    pub timeout: Duration,
}

impl fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<hidden>"))
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .finish()
    }
}

pub struct LlmAssistant {
    model: String,
    timeout: Duration,
    transport: Transport,
    breaker: Mutex<Breaker>,
    /// [`BREAKER_FAILURES`] and [`BREAKER_OPEN_FOR`] unless changed with
    /// [`LlmAssistant::with_breaker`].
    breaker_failures: u32,
    breaker_open_for: Duration,
}

/// The provider's health across turns.
#[derive(Debug, Default)]
struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
}

impl fmt::Debug for LlmAssistant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlmAssistant")
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

impl LlmAssistant {
    /// Checks the configuration; the error is one line naming what is wrong.
    pub fn new(config: LlmConfig) -> Result<Self, String> {
        let base_url = config.base_url.trim().trim_end_matches('/').to_owned();
        let url = reqwest::Url::parse(&base_url)
            .map_err(|e| format!("the LLM base URL '{base_url}' is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!(
                "the LLM base URL '{base_url}' must be an http:// or https:// URL"
            ));
        }
        let model = config.model.trim().to_owned();
        if model.is_empty() {
            return Err("the LLM model name is empty".into());
        }
        if config.timeout.is_zero() {
            return Err("the LLM timeout must be more than zero".into());
        }
        let api_key = config
            .api_key
            .map(|k| k.trim().to_owned())
            .unwrap_or_default();
        if reqwest::header::HeaderValue::from_str(&format!("Bearer {api_key}")).is_err() {
            return Err("the LLM API key has characters that cannot be sent in a header".into());
        }
        // reqwest is built without a default crypto provider; use ring, as
        // the database driver does. Already installed is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("todo-chatbot/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the LLM HTTP client: {e}"))?;
        // Set every field: the defaults would read OPENAI_* variables.
        let openai = OpenAIConfig::new()
            .with_api_base(base_url)
            .with_api_key(api_key)
            .with_org_id("")
            .with_project_id("");
        Ok(Self {
            model,
            timeout: config.timeout,
            transport: Transport::new(http, openai, config.timeout),
            breaker: Mutex::default(),
            breaker_failures: BREAKER_FAILURES,
            breaker_open_for: BREAKER_OPEN_FOR,
        })
    }

    /// The model's name, as configured.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// Skip the provider for `open_for` after `failures` failed turns in a
    /// row (a test that must reach a slow real server sets `u32::MAX`).
    pub fn with_breaker(self, failures: u32, open_for: Duration) -> Self {
        Self {
            breaker_failures: failures,
            breaker_open_for: open_for,
            ..self
        }
    }

    /// Ask a provider that answered a streaming request without a stream
    /// again with streaming after `plain_for` ([`PLAIN_FOR`] unless set; a
    /// test that must see the retry sooner sets less).
    pub fn with_plain_for(mut self, plain_for: Duration) -> Self {
        self.transport.plain_for = plain_for;
        self
    }

    /// The tokens the provider reported since start.
    pub fn usage(&self) -> Usage {
        self.transport.usage()
    }

    /// When the provider is being skipped, until when.
    fn skipped_until(&self) -> Option<Instant> {
        let breaker = self.breaker.lock().unwrap_or_else(|e| e.into_inner());
        breaker.open_until.filter(|until| Instant::now() < *until)
    }

    /// Records how the provider did this turn: failures in a row open the
    /// breaker; one success closes it.
    fn record(&self, healthy: bool) {
        let mut breaker = self.breaker.lock().unwrap_or_else(|e| e.into_inner());
        if healthy {
            breaker.failures = 0;
            breaker.open_until = None;
            return;
        }
        breaker.failures = breaker.failures.saturating_add(1);
        if breaker.failures >= self.breaker_failures {
            let open_for = self.breaker_open_for;
            tracing::warn!(
                failures = breaker.failures,
                skip_s = open_for.as_secs(),
                "the language model keeps failing; the builtin assistant answers for a while"
            );
            metrics::counter!("llm_breaker_opened_total").increment(1);
            breaker.open_until = Some(Instant::now() + open_for);
        }
    }

    /// `words` asks for an answer in words, without tool calls.
    fn request(
        &self,
        messages: &[ChatCompletionRequestMessage],
        words: bool,
    ) -> CreateChatCompletionRequest {
        // `auto` is the default with tools, but some servers (llama.cpp's
        // Python server) offer the tools only when asked explicitly.
        let choice = if words {
            ToolChoiceOptions::None
        } else {
            ToolChoiceOptions::Auto
        };
        // The guards (max_tokens, temperature, stop) are added as sent.
        CreateChatCompletionRequest {
            model: self.model.clone(),
            messages: messages.to_vec(),
            tools: Some(prompt::tools()),
            tool_choice: Some(ChatCompletionToolChoiceOption::Mode(choice)),
            ..Default::default()
        }
    }
}

/// The reply as it is streamed: rounds of text separated by a blank line.
struct Transcript<'a> {
    events: &'a dyn TurnEvents,
    text: String,
    round_started: bool,
}

impl Transcript<'_> {
    fn delta(&mut self, piece: &str) {
        if !self.round_started && !self.text.is_empty() {
            self.events.delta("\n\n");
            self.text.push_str("\n\n");
        }
        self.round_started = true;
        self.events.delta(piece);
        self.text.push_str(piece);
    }
}

fn provider_error(reason: String, actions: &[Action]) -> AssistantError {
    metrics::counter!("llm_failures_total").increment(1);
    // An error page can be long; the start says what it is.
    let reason = match reason.char_indices().nth(400) {
        Some((end, _)) => format!("{}…", &reason[..end]),
        None => reason,
    };
    AssistantError::Provider {
        reason,
        actions: actions.to_vec(),
    }
}

/// The model's argument text as JSON. Nothing at all means no arguments,
/// and JSON sent as a JSON string (a small-model habit) is unwrapped.
fn parse_arguments(text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Ok(json!({}));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::String(inner)) => match serde_json::from_str::<Value>(&inner) {
            Ok(value @ Value::Object(_)) => Ok(value),
            _ => Ok(Value::String(inner)),
        },
        Ok(value) => Ok(value),
        Err(error) => Err(format!(
            "the arguments are not valid JSON ({error}); send one JSON object that fits the tool's schema"
        )),
    }
}

/// What was done, said plainly, for a model that acted but said nothing.
fn summary(actions: &[Action]) -> String {
    let title = |task: &Task| format!("\"{}\" (#{})", task.title, task.id);
    let lines: Vec<String> = actions
        .iter()
        .map(|a| match &a.outcome {
            Outcome::Added { task } => format!("Added {}.", title(task)),
            Outcome::Completed { task, .. } => format!("Completed {}.", title(task)),
            Outcome::Deleted { task } => format!("Deleted {}.", title(task)),
            Outcome::Updated { task } => format!("Updated {}.", title(task)),
            Outcome::Cleared { count } => format!("Deleted {count} completed task(s)."),
            Outcome::Listed { tasks, .. } if tasks.is_empty() => "No tasks found.".to_owned(),
            Outcome::Listed { tasks, .. } => {
                let names: Vec<String> = tasks.iter().map(title).collect();
                format!("{} task(s): {}.", tasks.len(), names.join(", "))
            }
            Outcome::Failed { .. } => format!("Ran {}.", a.tool),
        })
        .collect();
    lines.join(" ")
}

#[async_trait]
impl Assistant for LlmAssistant {
    fn name(&self) -> &'static str {
        "llm"
    }

    async fn respond(
        &self,
        turn: Turn<'_>,
        tools: &Toolbox,
        events: &dyn TurnEvents,
    ) -> Result<Reply, AssistantError> {
        if let Some(until) = self.skipped_until() {
            let left = until.saturating_duration_since(Instant::now());
            return Err(provider_error(
                format!(
                    "skipped for {}s more: the provider failed {} turns in a row",
                    left.as_secs() + 1,
                    self.breaker_failures
                ),
                &[],
            ));
        }
        let deadline = Instant::now() + self.timeout;
        let result = self.converse(turn, tools, events, deadline).await;
        if result.is_ok() {
            self.record(true);
        }
        result
    }
}

impl LlmAssistant {
    async fn converse(
        &self,
        turn: Turn<'_>,
        tools: &Toolbox,
        events: &dyn TurnEvents,
        deadline: Instant,
    ) -> Result<Reply, AssistantError> {
        let system = prompt::system_prompt();
        let mut messages = vec![prompt::system(system.to_owned())];
        messages.extend(prompt::history(turn.history, HISTORY_BUDGET_CHARS));
        let context = prompt::turn_context(turn.principal, turn.now, turn.hint);
        messages.push(prompt::user(&prompt::user_turn(turn.message, &context)));
        // What the reply must not repeat: the instructions and the context.
        let prompt_text = format!("{system}\n{context}");

        let mut transcript = Transcript {
            events,
            text: String::new(),
            round_started: false,
        };
        let mut actions: Vec<Action> = Vec::new();
        let mut invalid = 0;
        let mut words = false;
        for round in 0..MAX_ROUNDS {
            transcript.round_started = false;
            let request = self.request(&messages, words);
            let started = std::time::Instant::now();
            let output = self
                .transport
                .complete(&request, deadline, &mut |piece| transcript.delta(piece))
                .await
                .map_err(|reason| {
                    // Only the provider's own failures count against it; a
                    // reply the guard discards or invalid tool calls say
                    // nothing of its health.
                    self.record(false);
                    provider_error(reason, &actions)
                })?;
            metrics::histogram!("llm_request_seconds").record(started.elapsed().as_secs_f64());
            tracing::debug!(
                round,
                tool_calls = output.tool_calls.len(),
                chars = output.content.len(),
                "language model answered"
            );
            if output.tool_calls.is_empty() {
                if transcript.text.trim().is_empty() {
                    if actions.is_empty() {
                        // Neither words nor tools (small models do that, and
                        // llama.cpp's Python server answers `auto` so): ask
                        // once more, for words only.
                        if !words {
                            words = true;
                            continue;
                        }
                        return Err(provider_error(
                            "the model answered with nothing".into(),
                            &actions,
                        ));
                    }
                    transcript.delta(&summary(&actions));
                }
                let text = match guard::check(&transcript.text, &actions, &prompt_text) {
                    Ok(text) => text,
                    Err(why) if actions.iter().any(Action::is_write) => {
                        // What was done stands; its words do not.
                        tracing::info!(%why, "the model's reply was replaced by a summary");
                        let text = summary(&actions);
                        transcript.delta(&text);
                        text
                    }
                    Err(why) => {
                        metrics::counter!("llm_discarded_replies_total").increment(1);
                        return Err(provider_error(
                            format!("the reply was discarded: {why}"),
                            &actions,
                        ));
                    }
                };
                return Ok(Reply { text, actions });
            }

            let calls: Vec<ToolCall> = output
                .tool_calls
                .into_iter()
                .enumerate()
                .map(|(index, mut call)| {
                    if call.id.is_empty() {
                        call.id = format!("call_{round}_{index}");
                    }
                    call
                })
                .collect();
            messages.push(prompt::assistant_calls(&output.content, &calls));
            for call in &calls {
                let result = match parse_arguments(&call.arguments) {
                    Err(error) => Err(error),
                    Ok(arguments) => match tools.run(turn.principal, &call.name, arguments).await {
                        (action, Ok(value)) => {
                            events.action(&action);
                            actions.push(action);
                            Ok(value)
                        }
                        (_, Err(ToolError::Service(error))) => {
                            return Err(AssistantError::Service(error))
                        }
                        (_, Err(error)) => {
                            debug_assert!(error.is_caller_error());
                            Err(error.to_string())
                        }
                    },
                };
                let content = match result {
                    Ok(value) => value.to_string(),
                    Err(error) => {
                        invalid += 1;
                        metrics::counter!("llm_invalid_tool_calls_total").increment(1);
                        tracing::info!(tool = %call.name, %error, invalid, "the model made an invalid tool call");
                        if invalid > MAX_INVALID_CALLS {
                            return Err(provider_error(
                                format!(
                                    "the model made {invalid} invalid tool calls; last: {error}"
                                ),
                                &actions,
                            ));
                        }
                        json!({ "error": error }).to_string()
                    }
                };
                messages.push(prompt::tool_result(&call.id, content));
            }
        }
        Err(provider_error(
            format!("the model was still calling tools after {MAX_ROUNDS} requests"),
            &actions,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_read_leniently_but_not_guessed() {
        assert_eq!(parse_arguments("").unwrap(), json!({}));
        assert_eq!(parse_arguments(r#"{"id": 3}"#).unwrap(), json!({"id": 3}));
        assert_eq!(
            parse_arguments(r#""{\"id\": 3}""#).unwrap(),
            json!({"id": 3})
        );
        assert!(parse_arguments(r#"{"id": 3"#)
            .unwrap_err()
            .contains("not valid JSON"));
    }

    #[test]
    fn configuration_is_checked() {
        let config = |base: &str, model: &str| LlmConfig {
            base_url: base.into(),
            api_key: Some("sk-secret".into()),
            model: model.into(),
            timeout: Duration::from_secs(5),
        };
        assert!(LlmAssistant::new(config("http://localhost:11434/v1/", "llama3")).is_ok());
        assert!(LlmAssistant::new(config("localhost:11434", "llama3"))
            .unwrap_err()
            .contains("base URL"));
        assert!(LlmAssistant::new(config("ftp://x/v1", "llama3")).is_err());
        assert!(LlmAssistant::new(config("http://x/v1", " "))
            .unwrap_err()
            .contains("model"));
        let mut bad_key = config("http://x/v1", "m");
        bad_key.api_key = Some("a\nb".into());
        assert!(LlmAssistant::new(bad_key).is_err());
        let mut no_key = config("http://x/v1", "m");
        no_key.api_key = None;
        assert!(LlmAssistant::new(no_key).is_ok());
        let debug = format!("{:?}", config("http://x/v1", "m"));
        assert!(!debug.contains("sk-secret") && debug.contains("<hidden>"));
    }

    #[test]
    fn a_silent_model_gets_a_summary_of_what_it_did() {
        let add = Action {
            tool: "add_task".into(),
            arguments: json!({"title": "milk"}),
            outcome: Outcome::Added {
                task: Box::new(crate::tools::sample_task(4, "milk")),
            },
        };
        assert_eq!(summary(&[add]), "Added \"milk\" (#4).");
    }
}
