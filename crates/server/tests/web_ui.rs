//! The web UI in a real browser: runs the Node suite in
//! `crates/web/tests/browser` (playwright-core driving Debian Chromium,
//! axe-core on every screen) against this crate's `todo` binary and the
//! built UI in `web/dist`, three times:
//!
//! - on a fresh SQLite file (this run also writes the screenshots into
//!   `<repo>/screenshots`),
//! - on a fresh database of the test PostgreSQL,
//! - on PostgreSQL again, through Debian nginx with the project's own config
//!   (`infra/nginx/nginx.conf.template`, rendered by its `render.sh`),
//!   streamed chat included;
//!
//! and, on SQLite, `lighthouse.test.mjs`: the first load within its 350 KB
//! (gzip) cap, and Lighthouse's accessibility and best practices at 100 on
//! the task page, mobile and desktop (performance printed, never asserted).
//!
//! Needs `cargo xtask web` (web/dist), `npm ci` in crates/web/tests/browser,
//! and the `chromium` and `nginx` Debian packages (`cargo xtask test`
//! provisions them all). When one is missing the test prints a `SKIPPED`
//! line saying what to run (listed again in `cargo xtask test`'s summary),
//! unless `CI` is set: then it fails. `WEB_DIST` (another build of the UI), `CHROMIUM` and
//! `NGINX_BIN` override the default paths.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;
use todo_testkit::workspace_root as root;

/// One suite at a time: each drives a browser, and two cores are few.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn harness() -> PathBuf {
    root().join("crates/web/tests/browser")
}

/// The built UI: `WEB_DIST`, or `web/dist`.
fn dist() -> PathBuf {
    std::env::var_os("WEB_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("web/dist"))
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

fn nginx() -> PathBuf {
    std::env::var_os("NGINX_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/sbin/nginx"))
}

/// True when everything the suite needs is here. Otherwise a `SKIPPED`
/// line (or, under CI, a failure) naming what to run.
fn ready(needs_nginx: bool) -> bool {
    let mut missing = Vec::new();
    if !dist().join("index.html").is_file() {
        missing.push(format!(
            "{}/index.html (run `cargo xtask web`)",
            dist().display()
        ));
    }
    if !harness().join("node_modules/playwright-core").is_dir() {
        missing.push(
            "the browser tests' node_modules (run `npm ci` in crates/web/tests/browser)".to_owned(),
        );
    }
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("node (Node.js 20 or newer)".to_owned());
    }
    if !chromium().is_file() {
        missing.push(format!(
            "{} (run `apt-get install -y chromium`)",
            chromium().display()
        ));
    }
    if needs_nginx && !nginx().is_file() {
        missing.push(format!(
            "{} (run `apt-get install -y nginx`)",
            nginx().display()
        ));
    }
    if missing.is_empty() {
        return true;
    }
    todo_testkit::cannot_run(&format!(
        "the web UI browser tests need: {} (`cargo xtask test` provisions them)",
        missing.join("; ")
    ));
    false
}

/// Runs the Node suite with these extra variables and asserts it passed.
fn run_suite(label: &str, env: &[(&str, String)]) {
    run_node_tests("ui.test.mjs", label, env);
}

/// Runs one Node test file of the harness and asserts it passed.
fn run_node_tests(file: &str, label: &str, env: &[(&str, String)]) {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let mut command = Command::new("node");
    command
        .args([
            "--test",
            "--test-concurrency=1",
            "--test-timeout=300000",
            "--test-reporter=spec",
            file,
        ])
        .current_dir(harness())
        .env("TODO_BIN", env!("CARGO_BIN_EXE_todo"))
        .env("WEB_DIST", dist())
        .env("CHROMIUM", chromium())
        .env("NGINX_BIN", nginx())
        .env_remove("DATABASE_URL")
        .env_remove("TODO_NGINX_CONF");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("running node");
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("── {file}, {label}: {elapsed:.1?} ──\n{stdout}");
    if !stderr.trim().is_empty() {
        println!("stderr:\n{stderr}");
    }
    assert!(
        output.status.success(),
        "{file} ({label}) failed ({}); its output is above",
        output.status
    );
}

#[test]
fn browser_suite_on_sqlite() {
    if !ready(false) {
        return;
    }
    run_suite(
        "SQLite",
        &[(
            "SCREENSHOTS",
            root().join("screenshots").display().to_string(),
        )],
    );
}

#[test]
fn browser_suite_on_postgres() {
    if !ready(false) {
        return;
    }
    run_suite(
        "PostgreSQL",
        &[
            ("DATABASE_URL", todo_testkit::fresh_postgres_database()),
            ("SCREENSHOTS", "0".to_owned()),
        ],
    );
}

#[test]
fn browser_suite_through_nginx_on_postgres() {
    if !ready(true) {
        return;
    }
    let template = root().join("infra/nginx/nginx.conf.template");
    assert!(template.is_file(), "{} is missing", template.display());
    run_suite(
        "PostgreSQL behind nginx",
        &[
            ("DATABASE_URL", todo_testkit::fresh_postgres_database()),
            ("TODO_NGINX_CONF", template.display().to_string()),
            ("SCREENSHOTS", "0".to_owned()),
        ],
    );
}

#[test]
fn first_load_size_and_lighthouse_on_sqlite() {
    if !ready(false) {
        return;
    }
    run_node_tests("lighthouse.test.mjs", "SQLite", &[]);
}
