//! The HTTP surface: routes, middleware, the OpenAPI document and the web UI.

pub mod error;
pub mod extract;
mod metrics;
mod openapi;
pub mod routes;
mod static_files;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Method, Request};
use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;
use std::path::PathBuf;
use todo_services::Services;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub chat: todo_assistant::Chat,
    pub metrics: PrometheusHandle,
    pub readiness: std::sync::Arc<crate::readiness::Readiness>,
}

/// What the router needs beyond the state.
#[derive(Clone, Debug, Default)]
pub struct HttpOptions {
    pub static_dir: Option<PathBuf>,
    /// `*`, or exact origins; empty: no cross-origin access.
    pub cors_origins: Vec<String>,
    pub max_body_bytes: usize,
    /// Host names `/mcp` answers to; `*`: any; empty: the defaults.
    pub mcp_allowed_hosts: Vec<String>,
    /// A header a reverse proxy sets to the client's address; none: the peer.
    pub client_address_header: Option<HeaderName>,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState, options: &HttpOptions) -> Router {
    let (api, spec) = openapi::api_router().split_for_parts();
    let app = api
        .merge(openapi::spec_router(spec))
        .merge(crate::mcp::http::routes(
            state.clone(),
            &options.mcp_allowed_hosts,
            options.max_body_bytes,
        ))
        .route_layer(axum::middleware::from_fn(metrics::track))
        .layer(axum::middleware::from_fn_with_state(
            state.readiness.clone(),
            routes::ops::note_database_use,
        ))
        .method_not_allowed_fallback(static_files::method_not_allowed)
        .fallback_service(static_files::service(options.static_dir.clone()))
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            options.client_address_header.clone(),
            extract::resolve_client_address,
        ))
        .layer(DefaultBodyLimit::max(options.max_body_bytes))
        .layer(CatchPanicLayer::custom(static_files::panic_response))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ));
    let app = match cors(&options.cors_origins) {
        Some(cors) => app.layer(cors),
        None => app,
    };
    app.layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let request_id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
                    // The path only: query strings may carry search text.
                    tracing::info_span!("request", method = %request.method(), path = request.uri().path(), request_id)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(SetSensitiveRequestHeadersLayer::new([header::AUTHORIZATION, header::COOKIE]))
}

fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
            .expose_headers([REQUEST_ID]),
    )
}
