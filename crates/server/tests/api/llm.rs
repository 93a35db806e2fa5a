//! The chat in LLM mode through the HTTP API: `LLM_BASE_URL` and friends
//! switch `/api/chat` to the language model (a scripted OpenAI-compatible
//! server here), its streamed words reach the client as Server-Sent Events,
//! a failing model is answered for by the builtin assistant (still a 200),
//! a missing `LLM_MODEL` stops start-up with one line, and the API key never
//! reaches the logs.

use crate::support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use todo_server::serve::Server;
use todo_testkit::llm::{stream, Scripted, ScriptedLlm};

const FALLBACK_NOTE: &str = todo_assistant::chat::FALLBACK_NOTE;
const API_KEY: &str = "sk-llm-key-SHOULD-NOT-LEAK";

fn adds_then_says(title: &str) -> Vec<Scripted> {
    vec![
        stream([
            json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
            "function": {"name": "add_task", "arguments": json!({"title": title}).to_string()}}]}),
        ]),
        stream([
            json!({"content": "Added "}),
            json!({"content": format!("\"{title}\".")}),
        ]),
    ]
}

async fn serve_with_llm(llm: &ScriptedLlm, dir: &std::path::Path) -> String {
    serve_in_mode(llm, dir, "llm").await
}

async fn serve_in_mode(llm: &ScriptedLlm, dir: &std::path::Path, mode: &str) -> String {
    let database = format!("sqlite://{}", dir.join("todo.db").display());
    let args = support::serve_args_with(
        &database,
        dir,
        &[
            "--llm-base-url",
            &llm.base_url,
            "--llm-model",
            "scripted-model",
            "--llm-api-key",
            API_KEY,
            "--llm-timeout",
            "5s",
            "--assistant-mode",
            mode,
        ],
    );
    let server = Server::build(&args).await.expect("server starts");
    let port = server.local_addr().unwrap().port();
    tokio::spawn(server.run(std::future::pending()));
    format!("http://127.0.0.1:{port}")
}

async fn signup(http: &reqwest::Client, base: &str) -> String {
    let session: Value = http
        .post(format!("{base}/api/auth/signup"))
        .json(&json!({"email": "ada@example.com", "password": "correct horse battery", "name": "Ada"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    session["token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_llm_base_url_the_chat_api_talks_to_the_model() {
    let mut script = adds_then_says("Buy milk");
    script.extend(adds_then_says("Call mom"));
    let llm = ScriptedLlm::start(script).await;
    let dir = tempfile::tempdir().unwrap();
    let base = serve_with_llm(&llm, dir.path()).await;
    let http = todo_server::http_client::client();
    let token = signup(&http, &base).await;

    let answer: Value = http
        .post(format!("{base}/api/chat"))
        .bearer_auth(&token)
        .json(&json!({"message": "add buy milk"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["reply"], "Added \"Buy milk\".");
    assert_eq!(answer["actions"][0]["tool"], "add_task");
    assert_eq!(answer["actions"][0]["ok"], true);
    assert_eq!(answer["actions"][0]["result"]["task"]["title"], "Buy milk");
    let first = llm.requests()[0].clone();
    assert_eq!(first["model"], "scripted-model");
    let sent = first["messages"][1]["content"].as_str().unwrap();
    assert!(sent.starts_with("add buy milk\n\n(Now: "), "{sent}");

    // Streamed: the model's words arrive as delta events.
    let response = http
        .post(format!("{base}/api/chat"))
        .bearer_auth(&token)
        .header("accept", "text/event-stream")
        .json(&json!({"message": "add call mom", "conversation_id": answer["conversation_id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let deltas: String = text
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter_map(|d| serde_json::from_str::<Value>(d.trim()).ok())
        .filter_map(|d| d["text"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(deltas, "Added \"Call mom\".", "{text}");
    assert!(text.contains("event: action"), "{text}");
    // The second turn saw the first, tool call and result included.
    let requests = llm.requests();
    let roles: Vec<&str> = requests[2]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["system", "user", "assistant", "tool", "assistant", "user"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_model_is_answered_for_by_the_builtin_assistant() {
    let llm = ScriptedLlm::start(vec![]).await; // Every request: 500.
    let dir = tempfile::tempdir().unwrap();
    let base = serve_with_llm(&llm, dir.path()).await;
    let http = todo_server::http_client::client();
    let token = signup(&http, &base).await;
    let response = http
        .post(format!("{base}/api/chat"))
        .bearer_auth(&token)
        .json(&json!({"message": "add water the plants"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    let reply = answer["reply"].as_str().unwrap();
    assert!(reply.starts_with(FALLBACK_NOTE), "{reply}");
    assert_eq!(
        answer["actions"][0]["result"]["task"]["title"],
        "Water the plants"
    );
    assert_eq!(llm.requests().len(), 3, "one try, two retries");
}

fn todo() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_todo"));
    for var in [
        "DATABASE_URL",
        "JWT_SECRET",
        "PORT",
        "LOG_FORMAT",
        "RUST_LOG",
        "LLM_BASE_URL",
        "LLM_API_KEY",
        "LLM_MODEL",
        "LLM_TIMEOUT",
        "ASSISTANT_MODE",
    ] {
        command.env_remove(var);
    }
    command
}

#[test]
fn an_llm_without_a_model_stops_start_up_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    for (env, names) in [
        (vec![("LLM_BASE_URL", "http://127.0.0.1:9/v1")], "LLM_MODEL"),
        (
            vec![("LLM_BASE_URL", "127.0.0.1:9"), ("LLM_MODEL", "m")],
            "LLM_BASE_URL",
        ),
        (
            vec![
                ("LLM_BASE_URL", "http://127.0.0.1:9/v1"),
                ("LLM_MODEL", "m"),
                ("LLM_TIMEOUT", "soon"),
            ],
            "LLM_TIMEOUT",
        ),
        (
            vec![
                ("LLM_BASE_URL", "http://127.0.0.1:9/v1"),
                ("LLM_MODEL", "m"),
                ("ASSISTANT_MODE", "clever"),
            ],
            "ASSISTANT_MODE",
        ),
    ] {
        let output = todo()
            .arg("serve")
            .env("DATA_DIR", dir.path())
            .env("PORT", "0")
            .envs(env)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{stderr}");
        let lines: Vec<_> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "expected one line, got:\n{stderr}");
        assert!(
            lines[0].starts_with("todo: ") && lines[0].contains(names),
            "{stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_llm_api_key_never_reaches_the_logs() {
    let llm = ScriptedLlm::start(adds_then_says("Buy milk")).await;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = todo()
        .args(["serve", "--host", "127.0.0.1"])
        .env("PORT", port.to_string())
        .env("DATA_DIR", dir.path())
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "trace")
        .env("LLM_BASE_URL", &llm.base_url)
        .env("LLM_MODEL", "scripted-model")
        .env("LLM_API_KEY", API_KEY)
        .env("ASSISTANT_MODE", "llm")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let logs = Arc::new(Mutex::new(Vec::new()));
    let stderr = child.stderr.take().unwrap();
    let sink = logs.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    let base = format!("http://127.0.0.1:{port}");
    let http = todo_server::http_client::client();
    let started = Instant::now();
    while http.get(format!("{base}/readyz")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "not ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let token = signup(&http, &base).await;
    let answer: Value = http
        .post(format!("{base}/api/chat"))
        .bearer_auth(&token)
        .json(&json!({"message": "add buy milk"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["reply"], "Added \"Buy milk\".");
    let _ = child.kill();
    let _ = child.wait();
    let logs = logs.lock().unwrap().join("\n");
    assert!(
        logs.contains("scripted-model"),
        "the model is named at start-up:\n{logs}"
    );
    assert!(!logs.contains(API_KEY), "the API key was logged:\n{logs}");
}

/// Defect 7: the response headers and the first event waited for the
/// model's first words. Now a `status` event comes at once, and a comment
/// keeps the stream alive while the model thinks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_turn_starts_at_once_and_stays_alive_while_the_model_thinks() {
    // The model takes 3.5 s before its first word.
    let llm = ScriptedLlm::start(vec![Scripted::Late(
        Duration::from_millis(3_500),
        Box::new(stream([json!({"content": "Here you go."})])),
    )])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let base = serve_with_llm(&llm, dir.path()).await;
    let http = todo_server::http_client::client();
    let token = signup(&http, &base).await;
    let started = Instant::now();
    let mut response = http
        .post(format!("{base}/api/chat"))
        .bearer_auth(&token)
        .header("accept", "text/event-stream")
        .json(&json!({"message": "what should I do first?"}))
        .send()
        .await
        .unwrap();
    let headers_after = started.elapsed();
    assert_eq!(response.status(), 200);
    let mut text = String::new();
    let mut first_event_after = None;
    while let Some(chunk) = response.chunk().await.unwrap() {
        text.push_str(&String::from_utf8_lossy(&chunk));
        if first_event_after.is_none() && text.contains("event: status") {
            first_event_after = Some(started.elapsed());
        }
    }
    assert!(headers_after < Duration::from_secs(1), "{headers_after:?}");
    let first = first_event_after.expect("a status event");
    assert!(first < Duration::from_secs(1), "{first:?}");
    assert!(
        text.trim_start().starts_with("event: status"),
        "the status comes first: {text}"
    );
    assert!(text.contains(r#""assistant":"llm""#), "{text}");
    // A keep-alive comment (a line starting with ':') while it waited.
    assert!(text.lines().any(|l| l.starts_with(':')), "{text}");
    assert!(text.contains("Here you go."), "{text}");
}

/// Hybrid, the default: the builtin answers what it understands without the
/// model; the model gets the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hybrid_mode_asks_the_model_only_what_the_builtin_does_not_understand() {
    let llm = ScriptedLlm::start(vec![stream([json!({"content": "I only do tasks."})])]).await;
    let dir = tempfile::tempdir().unwrap();
    let base = serve_in_mode(&llm, dir.path(), "hybrid").await;
    let http = todo_server::http_client::client();
    let token = signup(&http, &base).await;
    let ask = |message: &'static str| {
        let http = http.clone();
        let url = format!("{base}/api/chat");
        let token = token.clone();
        async move {
            http.post(url)
                .bearer_auth(token)
                .json(&json!({"message": message}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let added = ask("add buy milk tomorrow").await;
    assert_eq!(added["actions"][0]["result"]["task"]["title"], "Buy milk");
    assert!(llm.requests().is_empty());
    let other = ask("what is the capital of France").await;
    assert_eq!(other["reply"], "I only do tasks.");
    assert_eq!(llm.requests().len(), 1);
}
