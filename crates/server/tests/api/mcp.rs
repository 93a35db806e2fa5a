//! The MCP server as real clients use it.
//!
//! The client is one nobody here wrote: the official Python SDK (PyPI `mcp`,
//! pinned in `tests/mcp/requirements.txt`), driven by `tests/mcp/client.py`
//! against the real server on SQLite and on Postgres, over streamable HTTP
//! and over stdio (`todo mcp`). Raw JSON-RPC over HTTP covers what a client
//! library hides: status codes, headers, and replicas sharing one database.

use crate::support;

use reqwest::Method;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use support::{serve_args, TestApp};
use todo_server::serve::Server;

const CLIENT_TIMEOUT: Duration = Duration::from_secs(120);

/// The venv's python with the MCP SDK; a missing one fails the test with
/// the way to install it (never a silent skip).
fn python() -> PathBuf {
    let python = match std::env::var_os("TODO_TEST_PYTHON") {
        Some(path) => PathBuf::from(path),
        None => {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default();
            home.join(".cache/todo-chatbot/venv/bin/python")
        }
    };
    let install = format!(
        "the MCP tests need Python with the official MCP SDK at {} (or set TODO_TEST_PYTHON). Install it with:\n  \
         python3 -m venv ~/.cache/todo-chatbot/venv && ~/.cache/todo-chatbot/venv/bin/pip install -r crates/server/tests/mcp/requirements.txt\n\
         (`cargo xtask test`, or `cargo xtask test --provision-only`, does this)",
        python.display()
    );
    let works = std::process::Command::new(&python)
        .args(["-c", "import mcp, httpx2"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(works, "{install}");
    python
}

fn script() -> PathBuf {
    todo_testkit::workspace_root().join("crates/server/tests/mcp/client.py")
}

/// Runs the Python client; its JSON answer, or a panic with its stderr.
async fn client(args: &[&str]) -> Value {
    let mut command = tokio::process::Command::new(python());
    command
        .arg(script())
        .args(args)
        .kill_on_drop(true)
        .stdin(std::process::Stdio::null());
    let output = tokio::time::timeout(CLIENT_TIMEOUT, command.output())
        .await
        .expect("the MCP client finished in time")
        .expect("the MCP client ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "client.py {args:?} failed ({}):\n{stderr}\n{stdout}",
        output.status
    );
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("client.py printed {stdout:?}: {e}"))
}

/// Creates a personal access token for the session; (id, secret).
async fn personal_token(app: &TestApp, session: &str) -> (i64, String) {
    let created = app
        .post("/api/tokens", session, json!({"name": "mcp client"}))
        .await
        .expect(201);
    let secret = created["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("tdc_"));
    (created["id"].as_i64().unwrap(), secret)
}

fn url(base: &str) -> String {
    format!("{base}/mcp")
}

/// The checks every successful client run makes, seen from the REST API.
async fn assert_session(app: &TestApp, session: &str, run: &Value, title: &str) {
    let tools = run["tools"].as_object().expect("tools listed");
    assert_eq!(tools.len(), 5, "{run}");
    for name in [
        "add_task",
        "list_tasks",
        "complete_task",
        "delete_task",
        "update_task",
    ] {
        assert_eq!(tools[name]["type"], "object", "{name}");
    }
    assert_eq!(tools["add_task"]["required"], json!(["title"]));
    // The same lean schemas the model gets: limits as the code checks them.
    assert_eq!(tools["list_tasks"]["properties"]["limit"]["minimum"], 1);
    assert_eq!(tools["list_tasks"]["properties"]["limit"]["maximum"], 100);
    assert_eq!(
        tools["complete_task"]["properties"]["task"]["type"],
        "string"
    );
    assert_eq!(run["server_name"], "todo-chatbot");
    // The task the client added exists for the REST API, as the client saw it.
    let id = run["added"]["id"].as_i64().expect("task id");
    let task = app
        .get(&format!("/api/tasks/{id}"), session)
        .await
        .expect(200);
    assert_eq!(task["title"], title);
    assert_eq!(task["priority"], "high");
    assert_eq!(task["tags"], json!(["mcp"]));
    assert_eq!(task, run["added"]);
    assert_eq!(run["listed"]["total"], 1);
}

/// A raw JSON-RPC call to `/mcp`, as any HTTP client can make it.
async fn rpc(
    client: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let mut request = client
        .post(url(base))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request sent")
}

fn tool_call(id: i64, name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": name, "arguments": arguments}})
}

/// The result of a JSON-RPC answer sent as plain JSON (not an SSE stream).
async fn json_result(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert!(
        response.headers().get("mcp-session-id").is_none(),
        "stateless: no session"
    );
    let body: Value = response.json().await.expect("JSON-RPC body");
    assert!(body.get("error").is_none(), "{body}");
    body["result"].clone()
}

/// Another server process on the same database (another replica).
async fn replica(
    app: &TestApp,
    configure: impl FnOnce(&mut todo_server::config::ServeArgs),
) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = serve_args(&app.database_url, dir.path());
    configure(&mut args);
    let server = Server::build(&args).await.expect("replica starts");
    let port = server.local_addr().unwrap().port();
    tokio::spawn(server.run(std::future::pending()));
    (format!("http://127.0.0.1:{port}"), dir)
}

on_both_backends! {
    async fn the_python_sdk_manages_tasks_over_http(app: TestApp) {
        let session = app.user("ada").await;
        let (_, token) = personal_token(&app, &session).await;
        // `auto`: the 2026-07-28 per-request protocol (server/discover).
        let run = client(&["http", &url(&app.base), "--token", &token, "--title", "Call mom"]).await;
        assert_eq!(run["protocol_version"], "2026-07-28");
        assert_session(&app, &session, &run, "Call mom").await;
        // `legacy`: the initialize handshake of the 2025 revisions.
        let run = client(&["http", &url(&app.base), "--token", &token, "--mode", "legacy", "--title", "Buy milk"]).await;
        assert_eq!(run["protocol_version"], "2025-11-25");
        assert_session(&app, &session, &run, "Buy milk").await;
        // A session JWT is a bearer token too.
        let run = client(&["http", &url(&app.base), "--token", &session, "--title", "Water plants"]).await;
        assert_session(&app, &session, &run, "Water plants").await;
    }

    async fn wrong_missing_and_revoked_tokens_are_refused(app: TestApp) {
        let session = app.user("ada").await;
        let (id, token) = personal_token(&app, &session).await;
        let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});

        for (bearer, code) in [(None, "token_missing"), (Some("tdc_not-a-real-token"), "token_invalid"), (Some("garbage"), "token_invalid")] {
            let answer = TestApp::answer(rpc(&app.client, &app.base, bearer, list.clone()).await).await;
            answer.problem(401, code);
        }
        // Every request is checked, whatever its method.
        for method in [Method::GET, Method::DELETE] {
            let answer = app.call(method, "/mcp", None, None).await;
            answer.problem(401, "token_missing");
        }
        let refused = client(&["refused-http", &url(&app.base), "--token", "tdc_not-a-real-token"]).await;
        assert_eq!(refused["refused"], true, "{refused}");
        let refused = client(&["refused-http", &url(&app.base)]).await;
        assert_eq!(refused["refused"], true, "{refused}");

        // Valid until revoked; refused on the very next request after.
        json_result(rpc(&app.client, &app.base, Some(&token), list.clone()).await).await;
        app.delete(&format!("/api/tokens/{id}"), &session).await.expect(204);
        let answer = TestApp::answer(rpc(&app.client, &app.base, Some(&token), list.clone()).await).await;
        answer.problem(401, "token_invalid");
        let refused = client(&["refused-http", &url(&app.base), "--token", &token]).await;
        assert_eq!(refused["refused"], true, "{refused}");
    }

    async fn it_answers_behind_the_ingress_host_name(app: TestApp) {
        let session = app.user("ada").await;
        let (_, token) = personal_token(&app, &session).await;
        let run = client(&["http", &url(&app.base), "--token", &token, "--host", "todo.local", "--title", "From the ingress"]).await;
        assert_session(&app, &session, &run, "From the ingress").await;

        let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
        let with_host = |base: &str, host: &str| {
            app.client
                .post(url(base))
                .header("host", host)
                .header("accept", "application/json, text/event-stream")
                .bearer_auth(&token)
                .json(&list)
        };
        for host in ["todo.local", "todo.local:80", "localhost:8080"] {
            let status = with_host(&app.base, host).send().await.unwrap().status();
            assert_eq!(status, 200, "{host}");
        }
        // DNS-rebinding protection: an unknown host name is refused.
        let status = with_host(&app.base, "evil.example").send().await.unwrap().status();
        assert_eq!(status, 403);

        // MCP_ALLOWED_HOSTS replaces the list; `*` allows any host.
        let (custom, _dir) = replica(&app, |args| args.mcp_allowed_hosts = "todo.example.com".into()).await;
        assert_eq!(with_host(&custom, "todo.example.com").send().await.unwrap().status(), 200);
        assert_eq!(with_host(&custom, "todo.local").send().await.unwrap().status(), 403);
        let (any, _dir) = replica(&app, |args| args.mcp_allowed_hosts = "*".into()).await;
        assert_eq!(with_host(&any, "evil.example").send().await.unwrap().status(), 200);
    }

    async fn the_python_sdk_manages_tasks_over_stdio(app: TestApp) {
        let session = app.user("ada").await;
        let (id, token) = personal_token(&app, &session).await;
        let todo = env!("CARGO_BIN_EXE_todo");
        let data_dir = app.data_dir().to_str().unwrap().to_owned();
        let common = ["--database-url", app.database_url.as_str(), "--data-dir", data_dir.as_str(), "--jwt-secret", support::JWT_SECRET];
        let mut args = vec!["stdio", todo, "--token", token.as_str(), "--title", "Local client"];
        args.extend(common);
        let run = client(&args).await;
        assert_session(&app, &session, &run, "Local client").await;
        let mut args = vec!["stdio", todo, "--token", token.as_str(), "--mode", "legacy", "--title", "Legacy local"];
        args.extend(common);
        let run = client(&args).await;
        assert_session(&app, &session, &run, "Legacy local").await;

        let mut args = vec!["refused-stdio", todo, "--token", "tdc_not-a-real-token"];
        args.extend(common);
        assert_eq!(client(&args).await["refused"], true);
        app.delete(&format!("/api/tokens/{id}"), &session).await.expect(204);
        let mut args = vec!["refused-stdio", todo, "--token", token.as_str()];
        args.extend(common);
        assert_eq!(client(&args).await["refused"], true);
    }

    async fn replicas_share_nothing_but_the_database(app: TestApp) {
        let (second, _dir) = replica(&app, |_| {}).await;
        let session = app.user("ada").await;
        let (_, token) = personal_token(&app, &session).await;
        let other = app.user("bob").await;
        let (_, other_token) = personal_token(&app, &other).await;
        let http = &app.client;

        // A client initializes on one replica…
        let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "replica-test", "version": "1"}}});
        let result = json_result(rpc(http, &app.base, Some(&token), init).await).await;
        assert_eq!(result["serverInfo"]["name"], "todo-chatbot");
        // …and its next requests land anywhere.
        let added = json_result(rpc(http, &second, Some(&token), tool_call(2, "add_task", json!({"title": "Across replicas"}))).await).await;
        assert_eq!(added["isError"], false, "{added}");
        let id = added["structuredContent"]["task"]["id"].as_i64().unwrap();
        for (step, base) in [&app.base, &second, &app.base].into_iter().enumerate() {
            let listed = json_result(rpc(http, base, Some(&token), tool_call(3 + step as i64, "list_tasks", json!({}))).await).await;
            assert_eq!(listed["structuredContent"]["tasks"][0]["id"], id, "{listed}");
        }
        let done = json_result(rpc(http, &app.base, Some(&token), tool_call(9, "complete_task", json!({"id": id}))).await).await;
        assert_eq!(done["structuredContent"]["task"]["completed"], true, "{done}");

        // Each request acts for its own token, on either replica.
        for base in [&app.base, &second] {
            let listed = json_result(rpc(http, base, Some(&other_token), tool_call(10, "list_tasks", json!({"status": "all"}))).await).await;
            assert_eq!(listed["structuredContent"]["total"], 0, "{listed}");
            let refused = json_result(rpc(http, base, Some(&other_token), tool_call(11, "delete_task", json!({"id": id}))).await).await;
            assert_eq!(refused["isError"], true, "{refused}");
            assert_eq!(refused["structuredContent"]["error"]["code"], "task_not_found");
        }
        app.get(&format!("/api/tasks/{id}"), &session).await.expect(200);
    }
}

#[test]
fn an_invalid_mcp_allowed_hosts_stops_start_up_naming_it() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_todo"))
        .args(["serve", "--port", "0"])
        .env("MCP_ALLOWED_HOSTS", " , ")
        .env("DATABASE_URL", "sqlite::memory:")
        .env("JWT_SECRET", support::JWT_SECRET)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("MCP_ALLOWED_HOSTS"), "{stderr}");
}

#[test]
fn todo_mcp_without_a_token_says_so() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_todo"))
        .arg("mcp")
        .env_remove("TODO_TOKEN")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "stdout is the protocol");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TODO_TOKEN"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}
