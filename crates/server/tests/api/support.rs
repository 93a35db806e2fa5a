//! Integration-test support: the real server, on a random port, over real
//! HTTP, against a fresh SQLite file or a fresh Postgres database.

use clap::Parser;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use todo_server::config::{Cli, Command};
use todo_server::serve::Server;

pub const JWT_SECRET: &str = "test-secret-that-is-long-enough-for-hs256!!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares each test once per backend: `mod name { sqlite, postgres }`.
#[macro_export]
macro_rules! on_both_backends {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn run($app: TestApp) $body
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() { run($crate::support::TestApp::spawn($crate::support::Backend::Sqlite).await).await }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() { run($crate::support::TestApp::spawn($crate::support::Backend::Postgres).await).await }
            }
        )*
    };
}

/// The two tests of a module whose `run(backend)` starts its own server
/// (with settings of its own): `tests_on_both_backends!(run);`.
#[macro_export]
macro_rules! tests_on_both_backends {
    ($run:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn sqlite() {
            $run($crate::support::Backend::Sqlite).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn postgres() {
            $run($crate::support::Backend::Postgres).await
        }
    };
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    /// The database this server uses, for a second server or `todo mcp` on the same data.
    pub database_url: String,
    _dir: tempfile::TempDir,
}

/// An answer: status, headers and the body parsed as JSON (Null when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        self.body
    }

    /// Asserts a problem+json answer with this status and code.
    #[track_caller]
    pub fn problem(self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        let content_type = self
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert_eq!(
            content_type, "application/problem+json",
            "body: {}",
            self.body
        );
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        assert_eq!(self.body["status"], status);
        assert!(
            self.body["title"].is_string()
                && self.body["detail"].is_string()
                && self.body["type"].is_string()
        );
        self.body
    }
}

/// Parses a Server-Sent Events body into (event, data) pairs.
pub fn sse_events(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter_map(|block| {
            let mut name = None;
            let mut data = String::new();
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("event:") {
                    name = Some(value.trim().to_owned());
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push_str(value.trim_start());
                }
            }
            Some((name?, serde_json::from_str(&data).ok()?))
        })
        .collect()
}

pub fn serve_args(
    database_url: &str,
    data_dir: &std::path::Path,
) -> todo_server::config::ServeArgs {
    serve_args_with(database_url, data_dir, &[])
}

/// [`serve_args`] with more flags, e.g. `["--sign-in-queue-timeout", "1ms"]`.
pub fn serve_args_with(
    database_url: &str,
    data_dir: &std::path::Path,
    extra: &[&str],
) -> todo_server::config::ServeArgs {
    let fixed = [
        "todo",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--database-url",
        database_url,
        "--data-dir",
        data_dir.to_str().unwrap(),
        "--jwt-secret",
        JWT_SECRET,
        "--max-body-bytes",
        "65536",
    ];
    let cli = Cli::try_parse_from(fixed.iter().chain(extra)).expect("test arguments parse");
    match cli.command {
        Command::Serve(args) => args,
        _ => unreachable!(),
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, &[]).await
    }

    /// A server started with more flags than the tests' defaults.
    pub async fn spawn_with(backend: Backend, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = match backend {
            Backend::Sqlite => format!("sqlite://{}", dir.path().join("todo.db").display()),
            Backend::Postgres => todo_testkit::fresh_postgres_database(),
        };
        Self::spawn_in(dir, backend, &url, extra).await
    }

    /// A server on a Postgres database of the caller's (behind a pooler…).
    pub async fn spawn_on_postgres(url: &str, extra: &[&str]) -> Self {
        Self::spawn_in(tempfile::tempdir().unwrap(), Backend::Postgres, url, extra).await
    }

    async fn spawn_in(dir: tempfile::TempDir, backend: Backend, url: &str, extra: &[&str]) -> Self {
        let url = url.to_owned();
        let server = Server::build(&serve_args_with(&url, dir.path(), extra))
            .await
            .expect("server starts");
        let port = server.local_addr().unwrap().port();
        tokio::spawn(server.run(std::future::pending()));
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            client: todo_server::http_client::client(),
            backend,
            database_url: url,
            _dir: dir,
        }
    }

    /// The server's data directory (SQLite file, generated secrets).
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        Self::answer(response).await
    }

    pub async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body read");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Answer {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Signs up `name@example.com` (time zone UTC) and returns the session token.
    pub async fn user(&self, name: &str) -> String {
        self.user_in(name, "UTC").await
    }

    pub async fn user_in(&self, name: &str, timezone: &str) -> String {
        let body = json!({"email": format!("{name}@example.com"), "password": "correct horse", "name": name, "timezone": timezone});
        let session = self
            .call(Method::POST, "/api/auth/signup", None, Some(body))
            .await
            .expect(201);
        session["token"].as_str().unwrap().to_owned()
    }

    /// Creates a task and returns it.
    pub async fn task(&self, token: &str, body: Value) -> Value {
        self.post("/api/tasks", token, body).await.expect(201)
    }

    /// Posts a chat message (`body`, as for `POST /api/chat`) asking for
    /// Server-Sent Events.
    pub async fn chat_stream(&self, token: &str, body: Value) -> reqwest::Response {
        self.client
            .post(format!("{}/api/chat", self.base))
            .bearer_auth(token)
            .header("accept", "text/event-stream")
            .json(&body)
            .send()
            .await
            .expect("request sent")
    }

    /// Titles of the listed tasks, in order.
    pub async fn titles(&self, token: &str, query: &str) -> Vec<String> {
        let page = self
            .get(&format!("/api/tasks?{query}"), token)
            .await
            .expect(200);
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap().to_owned())
            .collect()
    }
}
