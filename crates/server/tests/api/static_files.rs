//! The web UI's files as the real server serves them over real HTTP: hashed
//! assets with a year's immutable cache, navigations with the single-page
//! app's `index.html` (re-checked on every load), and a missing asset as a
//! 404, never as `index.html` that a cache would keep for a year.

use crate::support;

use reqwest::StatusCode;
use todo_server::serve::Server;

const INDEX: &str = "<!doctype html><title>the app</title>";
const SCRIPT: &str = "console.log('app');";

/// A server on SQLite serving a small built UI: `index.html` and one asset.
async fn serve_ui() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    std::fs::write(dist.join("assets/app-0123abcd.js"), SCRIPT).unwrap();
    let url = format!("sqlite://{}", dir.path().join("todo.db").display());
    let mut args = support::serve_args(&url, dir.path());
    args.static_dir = Some(dist);
    let server = Server::build(&args).await.expect("server starts");
    let port = server.local_addr().unwrap().port();
    tokio::spawn(server.run(std::future::pending()));
    (format!("http://127.0.0.1:{port}"), dir)
}

async fn get(base: &str, path: &str) -> (StatusCode, String, String) {
    let response = reqwest::get(format!("{base}{path}")).await.unwrap();
    let status = response.status();
    let cache = response
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, cache, response.text().await.unwrap())
}

#[tokio::test]
async fn assets_navigations_and_missing_files() {
    let (base, _dir) = serve_ui().await;

    let (status, cache, body) = get(&base, "/assets/app-0123abcd.js").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, SCRIPT);
    assert_eq!(cache, "public, max-age=31536000, immutable");

    for page in [
        "/",
        "/index.html",
        "/tasks",
        "/tasks/42",
        "/settings/tokens",
    ] {
        let (status, cache, body) = get(&base, page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(body, INDEX, "{page}");
        assert_eq!(cache, "no-cache", "{page}");
    }

    // A stale or mistyped asset URL: a 404 nobody caches, never the app's page.
    for missing in [
        "/assets/missing.js",
        "/assets/app-ffffffff.wasm",
        "/assets/",
        "/assets/deeper/path",
        "/favicon.ico",
        "/tasks/report.pdf",
    ] {
        let (status, cache, body) = get(&base, missing).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing} answered {body:?}");
        assert_ne!(body, INDEX, "{missing}");
        assert!(!cache.contains("immutable"), "{missing}: {cache}");
    }

    // API paths keep their problem answers, whatever the UI has.
    let response = reqwest::get(format!("{base}/api/nothing")).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}
