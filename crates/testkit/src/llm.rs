//! A scripted OpenAI-compatible server for tests of the LLM assistant: a
//! real HTTP server on a free port that answers each chat completion request
//! with the next scripted answer (JSON, Server-Sent Events or a raw body),
//! or a 500 once the script is over, and records what it was sent.
//!
//! For faults a real model cannot be made to show on demand (a 429 with
//! `Retry-After`, a broken stream, a late answer); the protocol against a
//! real model is tested with llama.cpp's server.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use futures::StreamExt;
use serde_json::{json, Value};

/// One scripted answer.
#[derive(Clone, Debug)]
pub enum Scripted {
    /// A JSON body with this status and these extra headers.
    Json(u16, Value, Vec<(&'static str, String)>),
    /// Server-Sent Events: each chunk after its pause, then `[DONE]`.
    Sse(Vec<(Duration, Value)>),
    /// Waits, then answers.
    Late(Duration, Box<Scripted>),
    /// A body as it is, with this content type.
    Raw(&'static str, &'static str),
}

#[derive(Default)]
struct Script {
    answers: Mutex<VecDeque<Scripted>>,
    requests: Mutex<Vec<(HeaderMap, Value)>>,
}

/// The running server; it lives as long as the test's runtime.
pub struct ScriptedLlm {
    script: Arc<Script>,
    /// `http://127.0.0.1:PORT/v1`, what an OpenAI client takes as its base.
    pub base_url: String,
}

impl ScriptedLlm {
    pub async fn start(answers: Vec<Scripted>) -> Self {
        let script = Arc::new(Script {
            answers: Mutex::new(answers.into()),
            requests: Mutex::default(),
        });
        let app = Router::new()
            .route("/v1/chat/completions", post(answer))
            .with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let address = listener.local_addr().expect("a bound address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            script,
            base_url: format!("http://{address}/v1"),
        }
    }

    /// The JSON bodies of the requests so far (`null` for one that was not
    /// JSON).
    pub fn requests(&self) -> Vec<Value> {
        let requests = lock(&self.script.requests);
        requests.iter().map(|(_, body)| body.clone()).collect()
    }

    /// The headers of the request at `index`.
    pub fn headers(&self, index: usize) -> HeaderMap {
        lock(&self.script.requests)[index].0.clone()
    }

    /// How many scripted answers are left.
    pub fn left(&self) -> usize {
        lock(&self.script.answers).len()
    }

    /// Adds an answer at the end of the script.
    pub fn push(&self, answer: Scripted) {
        lock(&self.script.answers).push_back(answer);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A test that panicked while holding it must not hide its own message
    // behind a poisoned lock.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn answer(State(script): State<Arc<Script>>, headers: HeaderMap, body: Bytes) -> Response {
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    lock(&script.requests).push((headers, body));
    let next = lock(&script.answers).pop_front();
    match next {
        Some(scripted) => play(scripted).await,
        None => {
            let over = json!({"error": {"message": "the script is over", "type": "server_error"}});
            play(Scripted::Json(500, over, vec![])).await
        }
    }
}

async fn play(mut scripted: Scripted) -> Response {
    loop {
        return match scripted {
            Scripted::Late(pause, then) => {
                tokio::time::sleep(pause).await;
                scripted = *then;
                continue;
            }
            Scripted::Json(status, body, headers) => {
                let status = StatusCode::from_u16(status).expect("a valid status code");
                let mut response = (status, Json(body)).into_response();
                for (name, value) in headers {
                    let value = value.parse().expect("a valid header value");
                    response.headers_mut().insert(name, value);
                }
                response
            }
            Scripted::Raw(content_type, body) => {
                ([("content-type", content_type)], Body::from(body)).into_response()
            }
            Scripted::Sse(chunks) => {
                let events = futures::stream::iter(chunks).then(|(pause, chunk)| async move {
                    tokio::time::sleep(pause).await;
                    Ok::<_, Infallible>(format!("data: {chunk}\n\n"))
                });
                let done = futures::stream::once(async { Ok("data: [DONE]\n\n".to_owned()) });
                let body = Body::from_stream(events.chain(done));
                ([("content-type", "text/event-stream")], body).into_response()
            }
        };
    }
}

/// One streamed chunk carrying this delta.
pub fn chunk(delta: Value) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "scripted-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": null}]
    })
}

/// A streamed answer of these deltas, one chunk each, without pauses.
pub fn stream(deltas: impl IntoIterator<Item = Value>) -> Scripted {
    Scripted::Sse(
        deltas
            .into_iter()
            .map(|delta| (Duration::ZERO, chunk(delta)))
            .collect(),
    )
}

/// A streamed answer in words, one chunk per piece.
pub fn says(pieces: &[&str]) -> Scripted {
    let words = pieces.iter().map(|piece| json!({"content": piece}));
    stream(std::iter::once(json!({"role": "assistant"})).chain(words))
}

/// A streamed answer that calls tools: `(name, arguments)` each in one chunk.
pub fn calls(tools: &[(&str, &str)]) -> Scripted {
    stream(tools.iter().enumerate().map(|(index, (name, arguments))| {
        json!({"tool_calls": [{
            "index": index, "id": format!("call_{index}"), "type": "function",
            "function": {"name": name, "arguments": arguments}
        }]})
    }))
}

/// An OpenAI-style error answer with this status.
pub fn status(code: u16) -> Scripted {
    Scripted::Json(
        code,
        json!({"error": {"message": format!("scripted {code}"), "type": "server_error"}}),
        vec![],
    )
}
