//! The `todo` binary as an operator runs it: configuration errors, SIGTERM
//! during a request, the database going away and coming back, concurrent
//! migrations, the health check subcommand, and secrets kept out of logs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "process-test-secret-0123456789abcdef";

fn todo() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_todo"));
    for var in [
        "DATABASE_URL",
        "JWT_SECRET",
        "PORT",
        "STATIC_DIR",
        "CORS_ORIGINS",
        "LOG_FORMAT",
        "RUST_LOG",
    ] {
        command.env_remove(var);
    }
    command
}

/// A running `todo serve` whose log lines are collected.
struct Running {
    child: Child,
    port: u16,
    logs: Arc<Mutex<Vec<String>>>,
}

impl Running {
    fn start(database_url: &str, extra_env: &[(&str, &str)]) -> Self {
        let port = todo_testkit::free_port().expect("a free port");
        let dir = tempfile::tempdir().unwrap().keep();
        let mut command = todo();
        command
            .args(["serve", "--host", "127.0.0.1"])
            .env("PORT", port.to_string())
            .env("DATABASE_URL", database_url)
            .env("DATA_DIR", &dir)
            .env("JWT_SECRET", SECRET)
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "debug")
            .env("DB_ACQUIRE_TIMEOUT", "1s")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in extra_env {
            command.env(key, value);
        }
        let mut child = command.spawn().unwrap();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let running = Running { child, port, logs };
        running.wait_for(|r| r.http("GET", "/readyz", None, "").0 == 200, "ready");
        running
    }

    fn wait_for(&self, condition: impl Fn(&Self) -> bool, what: &str) {
        let started = Instant::now();
        while !condition(self) {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "not {what} in time; logs:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn logs(&self) -> String {
        self.logs.lock().unwrap().join("\n")
    }

    /// One HTTP/1.1 request; (status, body). Status 0 when nothing answered.
    fn http(&self, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return (0, String::new());
        };
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(request.as_bytes()).is_err() {
            return (0, String::new());
        }
        read_response(&mut stream)
    }

    fn signup(&self) -> String {
        let (status, body) = self.http(
            "POST",
            "/api/auth/signup",
            None,
            r#"{"email":"ada@example.com","password":"hunter2-is-my-password","name":"Ada"}"#,
        );
        assert_eq!(status, 201, "{body}");
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        value["token"].as_str().unwrap().to_owned()
    }

    fn terminate(&self) {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
    }

    fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                started.elapsed() < limit,
                "did not exit in time; logs:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn sqlite_url() -> String {
    let dir = tempfile::tempdir().unwrap().keep();
    format!("sqlite://{}", dir.join("todo.db").display())
}

#[test]
fn sigterm_lets_an_in_flight_request_finish_then_exits_zero() {
    let mut server = Running::start(&sqlite_url(), &[]);
    let token = server.signup();
    // Start a request and leave its body half sent: it is in flight.
    let body = r#"{"title":"written during shutdown"}"#;
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "POST /api/tasks HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body.as_bytes()[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(200));

    server.terminate();
    server.wait_for(|s| s.logs().contains("shutting down"), "shutting down");
    // New connections are refused while the old request is still served.
    assert_eq!(
        server.http("GET", "/healthz", None, "").0,
        0,
        "still accepting after SIGTERM"
    );
    stream.write_all(&body.as_bytes()[10..]).unwrap();
    let (status, answer) = read_response(&mut stream);
    assert_eq!(status, 201, "{answer}");
    assert!(answer.contains("written during shutdown"));

    let exit = server.wait_exit(Duration::from_secs(10));
    assert_eq!(exit.code(), Some(0), "logs:\n{}", server.logs());
}

#[test]
fn the_database_goes_away_and_comes_back() {
    let pg = todo_testkit::Postgres::start().unwrap();
    let url = pg.fresh_database().unwrap();
    let mut server = Running::start(&url, &[]);
    let token = server.signup();
    let (status, _) = server.http(
        "POST",
        "/api/tasks",
        Some(&token),
        r#"{"title":"survives"}"#,
    );
    assert_eq!(status, 201);

    pg.stop().unwrap();
    let (status, body) = server.http("GET", "/readyz", None, "");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"code\":\"database_unavailable\""), "{body}");
    let (status, body) = server.http("GET", "/api/tasks", Some(&token), "");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"code\":\"database_unavailable\""), "{body}");
    let (status, _) = server.http(
        "POST",
        "/api/tasks",
        Some(&token),
        r#"{"title":"while down"}"#,
    );
    assert_eq!(status, 503);
    assert_eq!(
        server.http("GET", "/healthz", None, "").0,
        200,
        "alive while the database is down"
    );
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server must not exit"
    );

    pg.restart().unwrap();
    server.wait_for(
        |s| s.http("GET", "/readyz", None, "").0 == 200,
        "ready again",
    );
    let (status, body) = server.http("GET", "/api/tasks", Some(&token), "");
    assert_eq!(status, 200, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["title"], "survives");
    assert!(!server.logs().contains("panicked"), "{}", server.logs());
}

/// With no request for a while, a dead pooled connection reads as a
/// serverless database gone idle (`readiness::RECENT`), and readiness runs
/// no SQL; a database that no longer accepts connections is still seen.
#[test]
fn readiness_sees_an_outage_with_no_traffic() {
    let pg = todo_testkit::Postgres::start().unwrap();
    let url = pg.fresh_database().unwrap();
    // Only probes from here on: no request has come in.
    let server = Running::start(&url, &[]);

    pg.stop().unwrap();
    let (status, body) = server.http("GET", "/readyz", None, "");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"code\":\"database_unavailable\""), "{body}");
    // Every later probe too, not only the one that found the connection dead.
    assert_eq!(server.http("GET", "/readyz", None, "").0, 503);

    pg.restart().unwrap();
    server.wait_for(
        |s| s.http("GET", "/readyz", None, "").0 == 200,
        "ready again",
    );
}

#[test]
fn start_up_waits_for_a_database_that_is_still_starting() {
    let pg = todo_testkit::Postgres::start().unwrap();
    let url = pg.fresh_database().unwrap();
    pg.stop().unwrap();
    let restarter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        pg.restart().unwrap();
        pg
    });
    let server = Running::start(&url, &[]);
    assert!(
        server.logs().contains("database not reachable yet"),
        "{}",
        server.logs()
    );
    drop(restarter.join().unwrap());
}

#[test]
fn concurrent_migrations_apply_once() {
    let url = todo_testkit::fresh_postgres_database();
    let children: Vec<Child> = (0..4)
        .map(|_| {
            todo()
                .arg("migrate")
                .env("DATABASE_URL", &url)
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let applied = todo_testkit::postgres()
        .psql_on(
            &url,
            "SELECT count(*), bool_and(success) FROM _sqlx_migrations",
        )
        .unwrap();
    let migrations = std::fs::read_dir(
        todo_testkit::workspace_root().join("crates/storage/migrations/postgres"),
    )
    .unwrap()
    .count();
    assert_eq!(
        applied,
        format!("{migrations}|t"),
        "each migration recorded once, successfully"
    );
    // Start a server on it: the schema is complete and usable.
    let server = Running::start(&url, &[]);
    server.signup();
}

fn fails_with_one_line(args: &[&str], env: &[(&str, &str)], expected_code: i32, must_name: &str) {
    let mut command = todo();
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(expected_code), "{stderr}");
    let lines: Vec<_> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got:\n{stderr}");
    assert!(
        lines[0].starts_with("todo: ") && lines[0].contains(must_name),
        "{stderr}"
    );
}

#[test]
fn bad_configuration_stops_start_up_with_one_line_naming_it() {
    let sqlite = sqlite_url();
    fails_with_one_line(
        &["serve"],
        &[("PORT", "eighty"), ("DATABASE_URL", &sqlite)],
        2,
        "PORT",
    );
    fails_with_one_line(
        &["serve"],
        &[("DB_ACQUIRE_TIMEOUT", "soon"), ("DATABASE_URL", &sqlite)],
        2,
        "DB_ACQUIRE_TIMEOUT",
    );
    fails_with_one_line(
        &["serve"],
        &[("LOG_FORMAT", "xml"), ("DATABASE_URL", &sqlite)],
        2,
        "LOG_FORMAT",
    );
    fails_with_one_line(
        &["serve"],
        &[("DATABASE_URL", "mysql://localhost/todo")],
        1,
        "DATABASE_URL",
    );
    fails_with_one_line(
        &["serve"],
        &[("DATABASE_URL", "postgres://127.0.0.1:1/todo")],
        1,
        "JWT_SECRET",
    );
    fails_with_one_line(
        &["serve"],
        &[("DATABASE_URL", &sqlite), ("JWT_SECRET", "short")],
        1,
        "JWT_SECRET",
    );
    fails_with_one_line(
        &["serve"],
        &[("DATABASE_URL", &sqlite), ("STATIC_DIR", "/nonexistent")],
        1,
        "STATIC_DIR",
    );
    fails_with_one_line(
        &["serve"],
        &[
            ("DATABASE_URL", "postgres://127.0.0.1:1/todo"),
            ("JWT_SECRET", SECRET),
            ("DB_CONNECT_TIMEOUT", "300ms"),
        ],
        1,
        "DATABASE_URL",
    );
}

#[test]
fn no_secret_reaches_the_logs() {
    let pg = todo_testkit::postgres();
    let url = pg.fresh_database().unwrap();
    // Give the database user a password, to see it is never printed.
    let role = format!("secretive_{}", std::process::id());
    pg.psql(&format!(
        "CREATE ROLE {role} LOGIN PASSWORD 'db-pass-SHOULD-NOT-LEAK' SUPERUSER"
    ))
    .unwrap();
    let url = url.replace(
        "postgres://postgres@",
        &format!("postgres://{role}:db-pass-SHOULD-NOT-LEAK@"),
    );
    let server = Running::start(&url, &[]);
    let token = server.signup();
    server.http("GET", "/api/tasks", Some(&token), "");
    server.http(
        "POST",
        "/api/auth/login",
        None,
        r#"{"email":"ada@example.com","password":"hunter2-is-my-password"}"#,
    );
    let logs = server.logs();
    assert!(
        logs.contains("\"request_id\""),
        "logs carry request ids:\n{logs}"
    );
    for secret in [
        SECRET,
        "db-pass-SHOULD-NOT-LEAK",
        "hunter2-is-my-password",
        token.as_str(),
    ] {
        assert!(
            !logs.contains(secret),
            "a secret appeared in the logs:\n{logs}"
        );
    }
}

#[test]
fn healthcheck_subcommand() {
    let server = Running::start(&sqlite_url(), &[]);
    let port = server.port.to_string();
    let ok = todo()
        .args(["healthcheck", "--port", &port])
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let ready = todo()
        .args(["healthcheck", "--port", &port, "--path", "/readyz"])
        .output()
        .unwrap();
    assert!(ready.status.success());
    drop(server);
    let down = todo()
        .args(["healthcheck", "--port", &port])
        .output()
        .unwrap();
    assert_eq!(down.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&down.stderr).starts_with("todo: unhealthy"));
}

#[test]
fn a_conversation_continues_after_a_restart() {
    let url = sqlite_url();
    let mut first = Running::start(&url, &[]);
    let token = first.signup();
    let (status, body) = first.http(
        "POST",
        "/api/chat",
        Some(&token),
        r#"{"message":"add renew passport"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let conversation = answer["conversation_id"].as_i64().unwrap();
    first.terminate();
    assert_eq!(first.wait_exit(Duration::from_secs(10)).code(), Some(0));

    // A new process: nothing is carried in memory, and "it" still resolves.
    let second = Running::start(&url, &[]);
    let message = format!(r#"{{"message":"mark it as done","conversation_id":{conversation}}}"#);
    let (status, body) = second.http("POST", "/api/chat", Some(&token), &message);
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["actions"][0]["tool"], "complete_task", "{answer}");
    assert_eq!(
        answer["actions"][0]["result"]["task"]["title"],
        "Renew passport"
    );
    let (_, history) = second.http(
        "GET",
        &format!("/api/conversations/{conversation}"),
        Some(&token),
        "",
    );
    let history: serde_json::Value = serde_json::from_str(&history).unwrap();
    assert_eq!(history["messages"].as_array().unwrap().len(), 4);
}

#[test]
fn todo_chat_talks_locally_and_to_a_server() {
    let url = sqlite_url();
    let server = Running::start(&url, &[]);
    let session = server.signup();

    // Locally, on the same database: the only account is the one used.
    let local = todo()
        .args(["chat", "add buy eggs tomorrow #shopping"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&local.stdout);
    assert!(
        local.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&local.stderr)
    );
    assert!(
        stdout.contains("Buy eggs") && stdout.contains("[add_task ✓]"),
        "{stdout}"
    );

    // Remotely, with a personal access token, streaming the reply.
    let (status, created) = server.http(
        "POST",
        "/api/tokens",
        Some(&session),
        r#"{"name":"terminal"}"#,
    );
    assert_eq!(status, 201, "{created}");
    let token = serde_json::from_str::<serde_json::Value>(&created).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let server_url = format!("http://127.0.0.1:{}", server.port);
    let remote = todo()
        .args([
            "chat",
            "--server",
            &server_url,
            "what's",
            "due",
            "tomorrow?",
        ])
        .env("TODO_TOKEN", &token)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&remote.stdout);
    assert!(
        remote.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&remote.stderr)
    );
    assert!(
        stdout.contains("Buy eggs") && stdout.contains("[list_tasks ✓]"),
        "{stdout}"
    );

    // A bad token is one readable line.
    let refused = todo()
        .args(["chat", "--server", &server_url, "hi"])
        .env("TODO_TOKEN", "tdc_nope")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("todo: the server answered 401"),
        "{stderr}"
    );
}
