//! Everything that is not an API route: the web UI (with the single-page-app
//! fallback to `index.html`), and problem answers for unknown API paths.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::any::Any;
use std::convert::Infallible;
use std::path::PathBuf;
use tower::service_fn;
use tower::util::BoxCloneSyncService;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use super::error::ApiError;

type Fallback = BoxCloneSyncService<Request, Response, Infallible>;

pub fn service(static_dir: Option<PathBuf>) -> Fallback {
    let ui = static_dir.map(|dir| {
        let index = ServeFile::new(dir.join("index.html"));
        let files = ServeDir::new(&dir).precompressed_gzip().precompressed_br();
        (files, index)
    });
    BoxCloneSyncService::new(service_fn(move |request: Request| {
        let ui = ui.clone();
        async move {
            let mut response = ui_response(ui, request).await;
            let headers = response.headers_mut();
            for (name, value) in SECURITY_HEADERS {
                headers.insert(name, HeaderValue::from_static(value));
            }
            Ok(response)
        }
    }))
}

/// What nginx adds to the UI it serves (infra/nginx/nginx.conf.template),
/// sent when `todo serve` serves the UI itself; a test keeps the two equal.
pub const SECURITY_HEADERS: [(header::HeaderName, &str); 6] = [
    (header::CONTENT_SECURITY_POLICY, "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    (header::HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
    (header::HeaderName::from_static("cross-origin-resource-policy"), "same-origin"),
];

async fn ui_response(ui: Option<(ServeDir, ServeFile)>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with("/api/") || path == "/api" || path.starts_with("/mcp") {
        return ApiError::not_found_route().into_response();
    }
    let Some((files, index)) = ui else {
        return Html(NO_UI_PAGE).into_response();
    };
    let navigation = is_navigation(&path);
    let (parts, body) = request.into_parts();
    let head = Request::from_parts(parts.clone(), ());
    let found = match files.oneshot(Request::from_parts(parts, body)).await {
        Ok(response) => response.map(Body::new),
        Err(error) => match error {},
    };
    let mut response = if found.status() == StatusCode::NOT_FOUND {
        if !navigation {
            return asset_not_found();
        }
        // The single-page app routes this path itself.
        match index.oneshot(head.map(|()| Body::empty())).await {
            Ok(response) => response.map(Body::new),
            Err(error) => match error {},
        }
    } else {
        found
    };
    // Hashed assets never change; anything else (index.html, the
    // fallback) must be re-checked so a new release is picked up.
    let cache = if path.starts_with("/assets/") && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// A path the browser navigates to (and the app routes), as opposed to a
/// file it fetches: not under `/assets/`, no extension in its last segment.
/// Only these get `index.html` when no file matches, so a stale or mistyped
/// asset URL is a 404 rather than HTML that a cache keeps for a year.
fn is_navigation(path: &str) -> bool {
    !path.starts_with("/assets/") && !path.rsplit('/').next().unwrap_or("").contains('.')
}

fn asset_not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
        "not found\n",
    )
        .into_response()
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not accept that method",
    )
}

pub fn panic_response(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::from(todo_services::ServiceError::Internal(
        "handler panicked".into(),
    ))
    .into_response()
}

const NO_UI_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Todo Chatbot</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
code{background:#8882;padding:.1rem .3rem;border-radius:.2rem}@media(prefers-color-scheme:dark){body{background:#111;color:#eee}}</style>
</head><body><h1>Todo Chatbot</h1>
<p>The API is running, but this server has no web UI to serve. Build it with <code>cargo xtask web</code>
(into <code>web/dist</code>, which <code>todo serve</code> finds) or point <code>STATIC_DIR</code> at a built UI;
<code>cargo xtask serve</code> does both.</p>
<p>API description: <a href="/api/openapi.json">/api/openapi.json</a> · health: <a href="/healthz">/healthz</a>,
<a href="/readyz">/readyz</a> · metrics: <a href="/metrics">/metrics</a></p>
</body></html>"#;
