//! One request to an OpenAI-compatible Chat Completions endpoint at a time:
//! streamed (falling back to a plain answer for providers that do not
//! stream), retried with exponential backoff on 429, 5xx and connection
//! errors, and bounded by the turn's deadline, which covers the retries too.
//! Every request carries the guards of [`GUARDS`] unless the provider
//! refused them once.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::middleware::{HttpRequestFactory, ReqwestService};
use async_openai::types::chat::CreateChatCompletionRequest;
use async_openai::Client;
use futures::StreamExt;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::time::Instant;

/// Retries after the first attempt of a request.
pub const MAX_RETRIES: usize = 2;
/// The first backoff; each retry doubles it.
const BACKOFF_BASE: Duration = Duration::from_millis(250);
/// A longer `Retry-After` is shortened to this.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(10);
/// After a provider answered a streaming request without a stream, how long
/// to ask it without streaming before trying again: short, so one refusal
/// (or one bad moment) does not cost streaming for long.
pub const PLAIN_FOR: Duration = Duration::from_secs(60);
/// The most a model may write in one answer: a tool call or a short reply
/// needs far less, and a model that rambles to the context limit (minutes on
/// a small server, which goes on generating after we gave up) is cut off.
pub const MAX_TOKENS: u32 = 400;
/// Low, for tool arguments that follow the schema; not zero, where small
/// models repeat themselves.
pub const TEMPERATURE: f64 = 0.2;
/// Chat-template markers a model sometimes writes out as text when it runs
/// on into a turn of its own (ChatML, Gemma, Llama 3); four, OpenAI's limit.
pub const STOP: [&str; 4] = ["<|im_start|>", "<|im_end|>", "<end_of_turn>", "<|eot_id|>"];
/// The request fields above, dropped for a provider that refuses them.
const GUARDS: [&str; 3] = ["max_tokens", "temperature", "stop"];

/// A tool call as the model made it; `arguments` is the raw JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

/// What one model request produced.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ModelOutput {
    pub content: String,
    pub tool_calls: Vec<ToolCall>,
}

/// Tokens the provider reported (when it does), since start.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub requests: u64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// Prompt tokens the provider read from its cache (OpenAI's
    /// `prompt_tokens_details.cached_tokens`, llama.cpp's `timings.cache_n`).
    pub cached_tokens: u64,
}

#[derive(Default)]
struct UsageCounters {
    requests: AtomicU64,
    prompt: AtomicU64,
    completion: AtomicU64,
    cached: AtomicU64,
}

pub struct Transport {
    http: reqwest::Client,
    config: OpenAIConfig,
    /// The turn's budget, for messages.
    timeout: Duration,
    /// Set when the provider showed it does not stream (or not always: the
    /// llama.cpp Python server streams words but not tool calls).
    plain_until: Mutex<Option<Instant>>,
    /// How long that is remembered: [`PLAIN_FOR`] unless a test says less.
    pub plain_for: Duration,
    /// Set when the provider refused one of the [`GUARDS`].
    unguarded: AtomicBool,
    usage: UsageCounters,
}

impl Transport {
    pub fn new(http: reqwest::Client, config: OpenAIConfig, timeout: Duration) -> Self {
        Self {
            http,
            config,
            timeout,
            plain_until: Mutex::new(None),
            plain_for: PLAIN_FOR,
            unguarded: AtomicBool::new(false),
            usage: UsageCounters::default(),
        }
    }

    pub fn usage(&self) -> Usage {
        Usage {
            requests: self.usage.requests.load(Ordering::Relaxed),
            prompt_tokens: self.usage.prompt.load(Ordering::Relaxed),
            completion_tokens: self.usage.completion.load(Ordering::Relaxed),
            cached_tokens: self.usage.cached.load(Ordering::Relaxed),
        }
    }

    fn count(&self, usage: Option<&Value>, timings: Option<&Value>) {
        self.usage.requests.fetch_add(1, Ordering::Relaxed);
        let number = |v: Option<&Value>, key: &str| {
            v.and_then(|v| v.get(key))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        self.usage
            .prompt
            .fetch_add(number(usage, "prompt_tokens"), Ordering::Relaxed);
        self.usage
            .completion
            .fetch_add(number(usage, "completion_tokens"), Ordering::Relaxed);
        let cached = number(
            usage.and_then(|u| u.get("prompt_tokens_details")),
            "cached_tokens",
        )
        .max(number(timings, "cache_n"));
        self.usage.cached.fetch_add(cached, Ordering::Relaxed);
        metrics::counter!("llm_prompt_tokens_total").increment(number(usage, "prompt_tokens"));
        metrics::counter!("llm_cached_prompt_tokens_total").increment(cached);
    }

    /// A client whose requests are retried until `deadline`. Cheap: the
    /// HTTP connection pool is shared.
    fn client(&self, deadline: Instant) -> Client<OpenAIConfig> {
        let service = tower::ServiceBuilder::new()
            .layer(tower::retry::RetryLayer::new(RetryPolicy::new(deadline)))
            .service(ReqwestService::new(self.http.clone()));
        Client::build(self.http.clone(), self.config.clone()).with_http_service(service)
    }

    fn streams(&self) -> bool {
        let plain_until = *self.plain_until.lock().unwrap_or_else(|e| e.into_inner());
        match plain_until {
            Some(until) if Instant::now() < until => false,
            Some(_) => {
                self.set_plain(None);
                true
            }
            None => true,
        }
    }

    fn set_plain(&self, until: Option<Instant>) {
        *self.plain_until.lock().unwrap_or_else(|e| e.into_inner()) = until;
    }

    /// Sends `request` and collects the answer, by `deadline` at the latest;
    /// content is handed to `on_delta` as it arrives. The error is a reason
    /// for the logs.
    pub async fn complete(
        &self,
        request: &CreateChatCompletionRequest,
        deadline: Instant,
        on_delta: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ModelOutput, String> {
        let client = self.client(deadline);
        let work = async {
            loop {
                let guarded = !self.unguarded.load(Ordering::Relaxed);
                let result = if self.streams() {
                    match self.stream(&client, request, guarded, on_delta).await {
                        Err(Failure::NotStreamed) => {
                            tracing::info!(
                                "the language model answered without a stream; asking without streaming for a while"
                            );
                            self.set_plain(Some(Instant::now() + self.plain_for));
                            self.once(&client, request, guarded, on_delta).await
                        }
                        other => other,
                    }
                } else {
                    self.once(&client, request, guarded, on_delta).await
                };
                match result {
                    Err(Failure::Api(error)) if guarded && refuses_guards(&error) => {
                        tracing::warn!(%error, "the provider refuses max_tokens, temperature or stop; asking without them");
                        self.unguarded.store(true, Ordering::Relaxed);
                    }
                    other => return other.map_err(|f| f.to_string()),
                }
            }
        };
        match tokio::time::timeout_at(deadline, work).await {
            Ok(result) => result,
            Err(_) => Err(format!(
                "no complete answer within {}s",
                self.timeout.as_secs_f32()
            )),
        }
    }

    async fn stream(
        &self,
        client: &Client<OpenAIConfig>,
        request: &CreateChatCompletionRequest,
        guarded: bool,
        on_delta: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ModelOutput, Failure> {
        let body = wire(request, true, guarded).map_err(Failure::Provider)?;
        let mut chunks = match client.chat().create_stream_byot::<_, Chunk>(&body).await {
            Ok(chunks) => chunks,
            Err(error) if refuses_streaming(&error) => return Err(Failure::NotStreamed),
            Err(error) => return Err(Failure::Api(error)),
        };
        let mut output = ModelOutput::default();
        let mut calls = CallAssembler::default();
        let mut seen = false;
        let (mut usage, mut timings) = (None, None);
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(Failure::Api)?;
            seen = true;
            if let Some(error) = chunk.error {
                return Err(Failure::Provider(error_message(&error)));
            }
            usage = chunk.usage.or(usage);
            timings = chunk.timings.or(timings);
            for choice in chunk.choices.into_iter().filter(|c| c.index == 0) {
                if let Some(text) = choice.delta.content.filter(|t| !t.is_empty()) {
                    on_delta(&text);
                    output.content.push_str(&text);
                }
                match (choice.delta.tool_calls, choice.delta.function_call) {
                    (Some(deltas), _) if !deltas.is_empty() => {
                        for delta in deltas {
                            calls.push(delta);
                        }
                    }
                    // The legacy single function call, from providers that send
                    // only that (llama.cpp's Python server sends both).
                    (_, Some(call)) => calls.push(ToolCallDelta {
                        index: Some(0),
                        id: None,
                        function: Some(call),
                    }),
                    _ => {}
                }
            }
        }
        if !seen {
            return Err(Failure::NotStreamed);
        }
        self.count(usage.as_ref(), timings.as_ref());
        output.tool_calls = calls.finish();
        Ok(output)
    }

    async fn once(
        &self,
        client: &Client<OpenAIConfig>,
        request: &CreateChatCompletionRequest,
        guarded: bool,
        on_delta: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ModelOutput, Failure> {
        let body = wire(request, false, guarded).map_err(Failure::Provider)?;
        let answer: Completion = client
            .chat()
            .create_byot(&body)
            .await
            .map_err(Failure::Api)?;
        if let Some(error) = answer.error {
            return Err(Failure::Provider(error_message(&error)));
        }
        self.count(answer.usage.as_ref(), answer.timings.as_ref());
        let message = answer
            .choices
            .into_iter()
            .find(|c| c.index == 0)
            .map(|c| c.message)
            .unwrap_or_default();
        let content = message.content.unwrap_or_default();
        if !content.is_empty() {
            on_delta(&content);
        }
        let mut calls = CallAssembler::default();
        let tool_calls = message.tool_calls.unwrap_or_default();
        if tool_calls.is_empty() {
            if let Some(call) = message.function_call {
                calls.push(ToolCallDelta {
                    index: Some(0),
                    id: None,
                    function: Some(call),
                });
            }
        }
        for (index, call) in tool_calls.into_iter().enumerate() {
            calls.push(ToolCallDelta {
                index: Some(index as u32),
                id: call.id,
                function: call.function,
            });
        }
        Ok(ModelOutput {
            content,
            tool_calls: calls.finish(),
        })
    }
}

#[derive(Debug)]
enum Failure {
    /// The provider answered, but not as a stream.
    NotStreamed,
    Api(OpenAIError),
    Provider(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::NotStreamed => f.write_str("the provider did not stream"),
            Failure::Api(error) => write!(f, "{error}"),
            Failure::Provider(message) => write!(f, "the provider reported an error: {message}"),
        }
    }
}

/// A 400 that names one of the [`GUARDS`] (reasoning models refuse
/// `temperature`, `stop` and `max_tokens`).
fn refuses_guards(error: &OpenAIError) -> bool {
    matches!(error, OpenAIError::ApiError(e)
        if e.status_code.as_u16() == 400
            && GUARDS.iter().any(|g| e.api_error.message.contains(g)))
}

/// Some providers refuse streaming (with tools) outright.
fn refuses_streaming(error: &OpenAIError) -> bool {
    matches!(error, OpenAIError::ApiError(e)
        if e.status_code.is_client_error()
            && e.status_code.as_u16() != 429
            && e.api_error.message.to_ascii_lowercase().contains("stream"))
}

/// The request as sent. An assistant message that only calls tools gets an
/// empty `content` rather than none: llama.cpp's Python server refuses
/// `null` and its chat template fails without the field; OpenAI and the
/// others accept an empty string. `guarded` adds the [`GUARDS`]; a stream
/// asks for the usage in its last chunk.
fn wire(
    request: &CreateChatCompletionRequest,
    streamed: bool,
    guarded: bool,
) -> Result<Value, String> {
    let mut body = serde_json::to_value(request).map_err(|e| e.to_string())?;
    if let Some(object) = body.as_object_mut() {
        object.remove("stream");
        if streamed {
            object.insert("stream".into(), json!(true));
            object.insert("stream_options".into(), json!({"include_usage": true}));
        }
        if guarded {
            object.insert("max_tokens".into(), json!(MAX_TOKENS));
            object.insert("temperature".into(), json!(TEMPERATURE));
            object.insert("stop".into(), json!(STOP));
        }
    }
    for message in body["messages"].as_array_mut().into_iter().flatten() {
        if let Some(message) = message.as_object_mut() {
            if message.get("role").and_then(Value::as_str) == Some("assistant") {
                let content = message.entry("content").or_insert(Value::Null);
                if content.is_null() {
                    *content = Value::String(String::new());
                }
            }
        }
    }
    Ok(body)
}

fn error_message(error: &Value) -> String {
    error
        .get("message")
        .and_then(Value::as_str)
        .map_or_else(|| error.to_string(), str::to_owned)
}

// Lenient shapes of the answers: providers differ in which fields they send
// (a missing `index`, arguments as an object, `content: null`...), so only
// what is used is read, and nothing is required.

#[derive(Debug, Default, Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<ChunkChoice>,
    #[serde(default)]
    error: Option<Value>,
    #[serde(default)]
    usage: Option<Value>,
    /// llama.cpp's server: `cache_n` prompt tokens came from its cache.
    #[serde(default)]
    timings: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
struct ChunkChoice {
    #[serde(default)]
    index: u32,
    #[serde(default)]
    delta: Delta,
}

#[derive(Debug, Default, Deserialize)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ToolCallDelta>>,
    #[serde(default)]
    function_call: Option<FunctionDelta>,
}

#[derive(Debug, Default, Deserialize)]
struct ToolCallDelta {
    #[serde(default)]
    index: Option<u32>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

#[derive(Debug, Default, Deserialize)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    /// A JSON text, or (from some providers) the JSON itself.
    #[serde(default)]
    arguments: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
struct Completion {
    #[serde(default)]
    choices: Vec<CompletionChoice>,
    #[serde(default)]
    error: Option<Value>,
    #[serde(default)]
    usage: Option<Value>,
    #[serde(default)]
    timings: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
struct CompletionChoice {
    #[serde(default)]
    index: u32,
    #[serde(default)]
    message: CompletionMessage,
}

#[derive(Debug, Default, Deserialize)]
struct CompletionMessage {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<FullToolCall>>,
    #[serde(default)]
    function_call: Option<FunctionDelta>,
}

#[derive(Debug, Default, Deserialize)]
struct FullToolCall {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

/// Puts streamed tool calls together: each fragment names its call by
/// `index` (or, from providers that leave it out, by a new `id`), and the
/// argument text arrives in pieces.
#[derive(Debug, Default)]
struct CallAssembler {
    calls: Vec<PartialCall>,
}

#[derive(Debug, Default)]
struct PartialCall {
    index: Option<u32>,
    id: String,
    name: String,
    arguments: String,
}

impl CallAssembler {
    fn push(&mut self, delta: ToolCallDelta) {
        let id = delta.id.filter(|id| !id.is_empty());
        let position = match delta.index {
            Some(index) => self.calls.iter().position(|c| c.index == Some(index)),
            None => match (&id, self.calls.last()) {
                (Some(id), Some(last)) if !last.id.is_empty() && last.id != *id => None,
                (_, Some(_)) => Some(self.calls.len() - 1),
                (_, None) => None,
            },
        };
        let position = position.unwrap_or_else(|| {
            self.calls.push(PartialCall {
                index: delta.index,
                ..PartialCall::default()
            });
            self.calls.len() - 1
        });
        let Some(call) = self.calls.get_mut(position) else {
            return;
        };
        if let Some(id) = id {
            if call.id.is_empty() {
                call.id = id;
            }
        }
        let Some(function) = delta.function else {
            return;
        };
        if let Some(name) = function.name.filter(|n| !n.is_empty()) {
            // Usually sent once; some providers repeat it whole.
            if call.name != name {
                call.name.push_str(&name);
            }
        }
        match function.arguments {
            Some(Value::String(text)) => call.arguments.push_str(&text),
            Some(Value::Null) | None => {}
            Some(json) => call.arguments.push_str(&json.to_string()),
        }
    }

    fn finish(self) -> Vec<ToolCall> {
        self.calls
            .into_iter()
            .map(|c| ToolCall {
                id: c.id,
                name: c.name,
                arguments: c.arguments,
            })
            .collect()
    }
}

/// Retries 429, 5xx and connection failures, at most [`MAX_RETRIES`] times,
/// waiting as `Retry-After` asks (capped) or with exponential backoff, and
/// never past the request's deadline.
#[derive(Clone, Debug)]
struct RetryPolicy {
    retries_left: usize,
    attempt: u32,
    deadline: Instant,
}

impl RetryPolicy {
    fn new(deadline: Instant) -> Self {
        Self {
            retries_left: MAX_RETRIES,
            attempt: 0,
            deadline,
        }
    }
}

impl tower::retry::Policy<HttpRequestFactory, reqwest::Response, OpenAIError> for RetryPolicy {
    type Future = Pin<Box<dyn Future<Output = ()> + Send>>;

    fn retry(
        &mut self,
        _request: &mut HttpRequestFactory,
        result: &mut Result<reqwest::Response, OpenAIError>,
    ) -> Option<Self::Future> {
        let (why, asked) = match result {
            Ok(response)
                if response.status().as_u16() == 429 || response.status().is_server_error() =>
            {
                (
                    response.status().to_string(),
                    retry_after(response.headers(), chrono::Utc::now()),
                )
            }
            // Refused, or a pooled connection the server had closed.
            Err(OpenAIError::Reqwest(error)) if error.is_connect() || error.is_request() => {
                (format!("connection failed: {error}"), None)
            }
            _ => return None,
        };
        if self.retries_left == 0 {
            return None;
        }
        let backoff = BACKOFF_BASE.saturating_mul(2u32.saturating_pow(self.attempt));
        let delay = asked.map_or(backoff, |asked| asked.min(RETRY_AFTER_CAP));
        if Instant::now() + delay >= self.deadline {
            tracing::warn!(%why, delay_ms = delay.as_millis() as u64, "language model request failed; no time left to retry");
            return None;
        }
        self.retries_left -= 1;
        self.attempt += 1;
        metrics::counter!("llm_retries_total").increment(1);
        tracing::warn!(%why, delay_ms = delay.as_millis() as u64, attempt = self.attempt, "language model request failed; retrying");
        Some(Box::pin(tokio::time::sleep(delay)))
    }

    fn clone_request(&mut self, request: &HttpRequestFactory) -> Option<HttpRequestFactory> {
        Some(request.clone())
    }
}

/// How long the server asks us to wait: `retry-after-ms`, or `Retry-After`
/// in seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return Duration::try_from_secs_f64(ms / 1000.0).ok();
    }
    let value = text("retry-after")?;
    if let Ok(seconds) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).ok();
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    (at.with_timezone(&chrono::Utc) - now).to_std().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn delta(value: Value) -> ToolCallDelta {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn streamed_calls_are_put_together_by_index() {
        let mut calls = CallAssembler::default();
        calls.push(delta(json!({"index": 0, "id": "a", "type": "function", "function": {"name": "add_task", "arguments": ""}})));
        calls.push(delta(
            json!({"index": 1, "id": "b", "function": {"name": "list_tasks"}}),
        ));
        calls.push(delta(
            json!({"index": 0, "function": {"arguments": "{\"title\":"}}),
        ));
        calls.push(delta(json!({"index": 1, "function": {"arguments": "{}"}})));
        calls.push(delta(
            json!({"index": 0, "function": {"arguments": " \"milk\"}"}}),
        ));
        assert_eq!(
            calls.finish(),
            [
                ToolCall {
                    id: "a".into(),
                    name: "add_task".into(),
                    arguments: "{\"title\": \"milk\"}".into()
                },
                ToolCall {
                    id: "b".into(),
                    name: "list_tasks".into(),
                    arguments: "{}".into()
                },
            ]
        );
    }

    #[test]
    fn calls_without_an_index_are_told_apart_by_id() {
        let mut calls = CallAssembler::default();
        calls.push(delta(
            json!({"id": "a", "function": {"name": "add_task", "arguments": {"title": "x"}}}),
        ));
        calls.push(delta(json!({"id": "b", "function": {"name": "add_task"}})));
        calls.push(delta(
            json!({"function": {"arguments": "{\"title\":\"y\"}"}}),
        ));
        let calls = calls.finish();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].arguments, r#"{"title":"x"}"#);
        assert_eq!(calls[1].id, "b");
        assert_eq!(calls[1].arguments, r#"{"title":"y"}"#);
    }

    #[test]
    fn a_repeated_name_is_not_doubled() {
        let mut calls = CallAssembler::default();
        calls.push(delta(
            json!({"index": 0, "function": {"name": "list_tasks"}}),
        ));
        calls.push(delta(
            json!({"index": 0, "function": {"name": "list_tasks", "arguments": "{}"}}),
        ));
        assert_eq!(calls.finish()[0].name, "list_tasks");
    }

    #[test]
    fn retry_after_is_read_in_its_three_forms() {
        let now: chrono::DateTime<chrono::Utc> = "2026-11-21T10:00:00Z".parse().unwrap();
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers, now), None);
        headers.insert("retry-after", "2".parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(2)));
        headers.insert(
            "retry-after",
            "Sat, 21 Nov 2026 10:00:05 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(5)));
        headers.insert("retry-after-ms", "150".parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_millis(150)));
    }
}
