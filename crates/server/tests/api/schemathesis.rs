//! Property-based testing of the whole API from the server's own OpenAPI
//! document, with schemathesis (PyPI, pinned in `tests/schemathesis/
//! requirements.txt`), on SQLite and on Postgres: whatever it generates,
//! signed in or not, no answer is a 5xx and every answer matches the
//! document (status code, content type, headers, body schema), and every
//! request the document does not allow is refused.
//!
//! Not checked: `positive_data_acceptance` (a schema-valid request is
//! accepted). The document types the raw values clients send; what makes
//! them valid (an RFC 5545 rule, an IANA zone, a title that is not blank
//! once trimmed, an `If-Match` naming the current version) is the domain's
//! to check, and answers 422 or 412 by design.
//!
//! The tool lives in its own venv, `~/.cache/todo-chatbot/schemathesis-venv`,
//! made on first use (or set `TODO_TEST_SCHEMATHESIS` to an executable).

use crate::support;

use serde_json::json;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use support::TestApp;

/// Generated cases per operation; with a fixed seed, the run is the same
/// every time.
const MAX_EXAMPLES: &str = "50";
const SEED: &str = "20261130";

/// Every answer and every refusal is checked against the document.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
    response_headers_conformance,response_schema_conformance,negative_data_rejection";

fn requirements() -> PathBuf {
    todo_testkit::workspace_root().join("crates/server/tests/schemathesis/requirements.txt")
}

fn config() -> PathBuf {
    todo_testkit::workspace_root().join("crates/server/tests/schemathesis/schemathesis.toml")
}

/// The schemathesis executable, installing it once per machine (and again
/// when the pinned version changes).
fn schemathesis() -> &'static PathBuf {
    static TOOL: OnceLock<PathBuf> = OnceLock::new();
    TOOL.get_or_init(|| {
        if let Some(path) = std::env::var_os("TODO_TEST_SCHEMATHESIS") {
            return PathBuf::from(path);
        }
        let home = PathBuf::from(std::env::var_os("HOME").expect("HOME is set"));
        let venv = home.join(".cache/todo-chatbot/schemathesis-venv");
        let tool = venv.join("bin/schemathesis");
        let wanted = std::fs::read(requirements()).expect("requirements.txt");
        let stamp = venv.join(".requirements");
        if std::fs::read(&stamp).ok().as_deref() != Some(wanted.as_slice()) || !tool.exists() {
            let run = |command: &mut Command, what: &str| {
                let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
                assert!(
                    output.status.success(),
                    "{what} failed (Debian: apt-get install python3-venv):\n{}",
                    String::from_utf8_lossy(&output.stderr)
                );
            };
            run(
                Command::new("python3").arg("-m").arg("venv").arg(&venv),
                "python3 -m venv",
            );
            run(
                Command::new(venv.join("bin/pip"))
                    .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
                    .arg(requirements()),
                "pip install schemathesis",
            );
            std::fs::write(&stamp, &wanted).unwrap();
        }
        tool
    })
}

on_both_backends! {
    async fn every_answer_matches_the_openapi_document(app: TestApp) {
        let token = app.user("schemathesis").await;
        app.task(&token, json!({"title": "seed", "due_at": "2031-01-01", "recurrence": "FREQ=WEEKLY"})).await;
        // A conversation with an action and a personal access token, so
        // their answers are checked too.
        app.post("/api/tokens", &token, json!({"name": "seed"})).await.expect(201);
        app.post("/api/chat", &token, json!({"message": "add water the plants tomorrow"})).await.expect(200);
        let tool = tokio::task::spawn_blocking(|| schemathesis().clone()).await.unwrap();
        let work = tempfile::tempdir().unwrap();
        let output = tokio::process::Command::new(tool)
            .current_dir(work.path())
            .arg("--config-file")
            .arg(config())
            .args(["run", &format!("{}/api/openapi.json", app.base)])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .args(["--checks", CHECKS])
            .args(["--max-examples", MAX_EXAMPLES, "--seed", SEED])
            .env("NO_COLOR", "1")
            .kill_on_drop(true)
            .output()
            .await
            .expect("schemathesis runs");
        let report = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "schemathesis found answers the document does not describe:\n{report}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(report.contains("passed"), "no test case ran:\n{report}");
        // The case count, warnings and time, for the README (`--nocapture`).
        for line in report.lines().filter(|l| l.contains(" generated") || l.contains("⚠️") || (l.starts_with("====") && l.contains(" in "))) {
            eprintln!("{:?}: {}", app.backend, line.trim());
        }
    }
}
