//! The REST API as the browser calls it: `fetch`, JSON bodies, problem
//! answers, and the chat's Server-Sent Events read from the response stream.
//! Same origin as the page, so no CORS and no configured address.

use serde::de::DeserializeOwned;
use serde::Serialize;
use todo_domain::account::{LoginRequest, Session, SignupRequest};
use todo_domain::chat::{Action, ChatRequest, ChatResponse, ConversationDetail, ConversationList};
use todo_domain::query::TaskQueryParams;
use todo_domain::tags::TagList;
use todo_domain::task::{Cleared, TaskPage};
use todo_domain::token::{CreatedToken, NewToken, TokenInfo};
use todo_domain::{Problem, Task, TaskDraft, TaskId, TaskPatch};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, ReadableStreamDefaultReader, Request, RequestInit, Response};

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer: the server (or the proxy's upstream) is down, or the network is.
    Unreachable,
    /// The server answered with a problem.
    Problem(Problem),
    /// The server answered, but not in the shape this page reads: the page
    /// is older or newer than the server, or something else answered.
    Unreadable,
}

impl ApiError {
    /// One sentence for a person.
    pub fn message(&self) -> String {
        match self {
            ApiError::Unreachable => {
                "Can't reach the server. Check that it is running, then try again.".into()
            }
            ApiError::Problem(problem) => match problem.code.as_str() {
                "invalid_credentials" => "Wrong email or password.".into(),
                "token_expired" => "Your session has expired. Please sign in again.".into(),
                "token_invalid" => "Your session is no longer valid. Please sign in again.".into(),
                "token_missing" => "Please sign in.".into(),
                _ => sentence(&problem.detail),
            },
            ApiError::Unreadable => {
                "The server's answer could not be read. Reload the page; if this keeps happening, the app and the server may be different versions.".into()
            }
        }
    }

    /// The message for one form field, when the server named it.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            ApiError::Problem(problem) => problem
                .errors
                .iter()
                .find(|error| error.field == name || error.field.starts_with(&format!("{name}[")))
                .map(|error| sentence(&error.message)),
            ApiError::Unreachable | ApiError::Unreadable => None,
        }
    }

    /// True when the server no longer accepts the session: sign in again.
    pub fn is_session_over(&self) -> bool {
        matches!(self, ApiError::Problem(p) if p.status == 401 && p.code.starts_with("token_"))
    }
}

/// "the title is empty" → "The title is empty."
pub fn sentence(text: &str) -> String {
    let mut chars = text.trim().chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What the chat stream reports before its final answer.
pub enum ChatEvent {
    Delta(String),
    Action(Action),
}

/// A client acting for one session (or none, to sign in).
#[derive(Debug, Clone, Default)]
pub struct Client {
    token: Option<String>,
}

impl Client {
    pub fn new(token: Option<String>) -> Self {
        Self { token }
    }

    pub async fn signup(&self, request: &SignupRequest) -> ApiResult<Session> {
        self.json("POST", "/api/auth/signup", Some(request)).await
    }

    pub async fn login(&self, request: &LoginRequest) -> ApiResult<Session> {
        self.json("POST", "/api/auth/login", Some(request)).await
    }

    pub async fn list_tasks(&self, params: &TaskQueryParams) -> ApiResult<TaskPage> {
        let path = format!("/api/tasks{}", query_string(params));
        self.json("GET", &path, None::<&()>).await
    }

    pub async fn tags(&self) -> ApiResult<TagList> {
        self.json("GET", "/api/tags", None::<&()>).await
    }

    pub async fn create_task(&self, draft: &TaskDraft) -> ApiResult<Task> {
        self.json("POST", "/api/tasks", Some(draft)).await
    }

    pub async fn update_task(&self, id: TaskId, patch: &TaskPatch) -> ApiResult<Task> {
        self.json("PATCH", &format!("/api/tasks/{id}"), Some(patch))
            .await
    }

    pub async fn set_completed(&self, id: TaskId, completed: bool) -> ApiResult<Task> {
        let verb = if completed { "complete" } else { "reopen" };
        self.json("POST", &format!("/api/tasks/{id}/{verb}"), None::<&()>)
            .await
    }

    pub async fn delete_task(&self, id: TaskId) -> ApiResult<()> {
        self.delete(&format!("/api/tasks/{id}")).await
    }

    /// Sends the deletion even while the page unloads (`keepalive`), for
    /// deletions still waiting out their undo delay.
    pub fn delete_task_on_unload(&self, id: TaskId) {
        let request = build_request(
            "DELETE",
            &format!("/api/tasks/{id}"),
            None,
            self.token.as_deref(),
            "*/*",
            true,
        );
        if let (Ok(request), Some(window)) = (request, web_sys::window()) {
            let _ = window.fetch_with_request(&request);
        }
    }

    pub async fn clear_completed(&self) -> ApiResult<Cleared> {
        self.json("POST", "/api/tasks/clear-completed", None::<&()>)
            .await
    }

    pub async fn list_tokens(&self) -> ApiResult<Vec<TokenInfo>> {
        self.json("GET", "/api/tokens", None::<&()>).await
    }

    pub async fn create_token(&self, name: &str) -> ApiResult<CreatedToken> {
        let request = NewToken {
            name: name.to_owned(),
        };
        self.json("POST", "/api/tokens", Some(&request)).await
    }

    pub async fn revoke_token(&self, id: i64) -> ApiResult<()> {
        self.delete(&format!("/api/tokens/{id}")).await
    }

    pub async fn conversations(&self) -> ApiResult<ConversationList> {
        self.json("GET", "/api/conversations", None::<&()>).await
    }

    pub async fn conversation(&self, id: i64) -> ApiResult<ConversationDetail> {
        self.json("GET", &format!("/api/conversations/{id}"), None::<&()>)
            .await
    }

    pub async fn delete_conversation(&self, id: i64) -> ApiResult<()> {
        self.delete(&format!("/api/conversations/{id}")).await
    }

    /// One chat turn, streamed: `on_event` sees the reply's text as it comes
    /// and each action as it is taken; the final answer is returned.
    pub async fn chat(
        &self,
        request: &ChatRequest,
        mut on_event: impl FnMut(ChatEvent),
    ) -> ApiResult<ChatResponse> {
        let body = serde_json::to_string(request).map_err(|_| ApiError::Unreadable)?;
        let response = self.send("POST", "/api/chat", Some(body), true).await?;
        let stream = response.body().ok_or(ApiError::Unreachable)?;
        let reader: ReadableStreamDefaultReader = stream
            .get_reader()
            .dyn_into()
            .map_err(|_| ApiError::Unreachable)?;
        let mut buffer: Vec<u8> = Vec::new();
        loop {
            let chunk = JsFuture::from(reader.read())
                .await
                .map_err(|_| ApiError::Unreachable)?;
            let done = js_sys::Reflect::get(&chunk, &JsValue::from_str("done"))
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(true);
            if let Ok(value) = js_sys::Reflect::get(&chunk, &JsValue::from_str("value")) {
                if let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() {
                    buffer.extend(bytes.to_vec());
                }
            }
            while let Some(end) = find_event_end(&buffer) {
                let raw: Vec<u8> = buffer.drain(..end.0 + end.1).collect();
                let text = String::from_utf8_lossy(&raw[..end.0]);
                let Some((event, data)) = parse_event(&text) else {
                    continue;
                };
                match event.as_str() {
                    "delta" => {
                        if let Ok(delta) = serde_json::from_str::<serde_json::Value>(&data) {
                            if let Some(text) = delta["text"].as_str() {
                                on_event(ChatEvent::Delta(text.to_owned()));
                            }
                        }
                    }
                    "action" => {
                        if let Ok(action) = serde_json::from_str::<Action>(&data) {
                            on_event(ChatEvent::Action(action));
                        }
                    }
                    "done" => return read_answer("/api/chat", &data).ok_or(ApiError::Unreadable),
                    "error" => {
                        return Err(read_answer("/api/chat", &data)
                            .map_or(ApiError::Unreadable, ApiError::Problem));
                    }
                    _ => {}
                }
            }
            if done {
                // The stream ended without its final event: the connection broke.
                return Err(ApiError::Unreachable);
            }
        }
    }

    /// A DELETE answered 204: nothing to read.
    async fn delete(&self, path: &str) -> ApiResult<()> {
        self.send("DELETE", path, None, false).await.map(drop)
    }

    async fn json<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> ApiResult<T> {
        let body = body
            .map(serde_json::to_string)
            .transpose()
            .map_err(|_| ApiError::Unreadable)?;
        let response = self.send(method, path, body, false).await?;
        let text = response_text(&response).await?;
        read_answer(path, &text).ok_or(ApiError::Unreadable)
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        stream: bool,
    ) -> ApiResult<Response> {
        let accept = if stream {
            "text/event-stream"
        } else {
            "application/json"
        };
        let request = build_request(method, path, body, self.token.as_deref(), accept, false)
            .map_err(|_| ApiError::Unreachable)?;
        let window = web_sys::window().ok_or(ApiError::Unreachable)?;
        let response: Response = JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|_| ApiError::Unreachable)?
            .dyn_into()
            .map_err(|_| ApiError::Unreachable)?;
        if response.ok() {
            return Ok(response);
        }
        let status = response.status();
        let text = response_text(&response).await.unwrap_or_default();
        Err(match serde_json::from_str::<Problem>(&text) {
            Ok(problem) => ApiError::Problem(problem),
            // A proxy's own error page: its upstream, our server, is down.
            Err(_) if matches!(status, 502..=504) => ApiError::Unreachable,
            Err(_) => ApiError::Problem(Problem {
                kind: "about:blank".into(),
                title: response.status_text(),
                status,
                detail: format!("the server answered {status}"),
                code: "http_error".into(),
                errors: Vec::new(),
            }),
        })
    }
}

fn build_request(
    method: &str,
    path: &str,
    body: Option<String>,
    token: Option<&str>,
    accept: &str,
    keepalive: bool,
) -> Result<Request, JsValue> {
    let init = RequestInit::new();
    init.set_method(method);
    let headers = Headers::new()?;
    headers.set("accept", accept)?;
    if let Some(body) = body {
        headers.set("content-type", "application/json")?;
        init.set_body(&JsValue::from_str(&body));
    }
    if let Some(token) = token {
        headers.set("authorization", &format!("Bearer {token}"))?;
    }
    init.set_headers(&headers);
    if keepalive {
        // `keepalive` has no stable web-sys setter yet.
        js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE)?;
    }
    Request::new_with_str_and_init(path, &init)
}

/// An answer read as `T`. One that is not becomes [`ApiError::Unreadable`]
/// for the user; its cause goes to the console for whoever debugs it.
fn read_answer<T: DeserializeOwned>(path: &str, text: &str) -> Option<T> {
    serde_json::from_str(text)
        .map_err(|error| {
            web_sys::console::error_1(
                &format!("the answer to {path} could not be read: {error}").into(),
            );
        })
        .ok()
}

async fn response_text(response: &Response) -> ApiResult<String> {
    let promise = response.text().map_err(|_| ApiError::Unreachable)?;
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|text| text.as_string())
        .ok_or(ApiError::Unreachable)
}

fn query_string(params: &TaskQueryParams) -> String {
    let pairs = [
        ("status", &params.status),
        ("q", &params.q),
        ("tag", &params.tag),
        ("priority", &params.priority),
        ("due", &params.due),
        ("due_before", &params.due_before),
        ("due_after", &params.due_after),
        ("sort", &params.sort),
        ("order", &params.order),
        ("limit", &params.limit),
        ("offset", &params.offset),
    ];
    let encoded: Vec<String> = pairs
        .iter()
        .filter_map(|(key, value)| {
            value
                .as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{key}={}", js_sys::encode_uri_component(v)))
        })
        .collect();
    if encoded.is_empty() {
        String::new()
    } else {
        format!("?{}", encoded.join("&"))
    }
}

/// Where the first complete event ends: its length and the separator's.
fn find_event_end(buffer: &[u8]) -> Option<(usize, usize)> {
    let lf = buffer.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2));
    let crlf = buffer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4));
    match (lf, crlf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// An event's name and its data lines joined; comments and keep-alives give `None`.
fn parse_event(text: &str) -> Option<(String, String)> {
    let mut event = String::from("message");
    let mut data: Vec<&str> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("event:") {
            event = name.trim().to_owned();
        } else if let Some(value) = line.strip_prefix("data:") {
            data.push(value.strip_prefix(' ').unwrap_or(value));
        }
    }
    (!data.is_empty()).then(|| (event, data.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_server_sent_events() {
        let buffer = b"event: delta\ndata: {\"text\":\"Hi\"}\n\n: keep-alive\n\nevent: done";
        let (end, sep) = find_event_end(buffer).expect("one whole event");
        let text = String::from_utf8_lossy(&buffer[..end]);
        assert_eq!(
            parse_event(&text),
            Some(("delta".into(), "{\"text\":\"Hi\"}".into()))
        );
        let rest = &buffer[end + sep..];
        let (end, _) = find_event_end(rest).expect("the comment");
        assert_eq!(parse_event(&String::from_utf8_lossy(&rest[..end])), None);
    }

    #[test]
    fn sentences_start_capitalised_and_end_with_a_stop() {
        assert_eq!(sentence("the title is empty"), "The title is empty.");
        assert_eq!(sentence("Done!"), "Done!");
        assert_eq!(sentence("  "), "");
    }
}
