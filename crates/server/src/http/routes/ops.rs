//! Liveness, readiness and metrics, for Kubernetes probes and Prometheus.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::Arc;
use todo_services::ServiceError;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::http::error::{ApiError, Problem};
use crate::http::extract::Json;
use crate::http::AppState;
use crate::readiness::Readiness;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
}

#[derive(Serialize, ToSchema)]
struct Status {
    status: &'static str,
}

/// The process is alive (no dependency is checked).
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Status)))]
async fn healthz() -> Json<Status> {
    Json(Status { status: "ok" })
}

/// The database is reachable and migrated, as far as the server knows: SQL
/// runs only after a failure, so probes never keep a serverless database
/// awake (see `crate::readiness`).
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Status), (status = 503, description = "not_ready", body = Problem)))]
async fn readyz(State(state): State<AppState>) -> Result<Json<Status>, ApiError> {
    match state.readiness.check().await {
        Ok(()) => Ok(Json(Status { status: "ready" })),
        Err(error) => Err(ServiceError::Unavailable(error).into()),
    }
}

/// Marks a response that found the database unavailable, for readiness.
#[derive(Clone, Copy, Debug)]
pub struct DatabaseUnavailable;

/// Tells readiness about every request but the probes: that one came in,
/// and whether it found the database unavailable.
pub async fn note_database_use(
    State(readiness): State<Arc<Readiness>>,
    request: Request,
    next: Next,
) -> Response {
    let probe = matches!(request.uri().path(), "/healthz" | "/readyz" | "/metrics");
    let response = next.run(request).await;
    if !probe {
        readiness.saw_request();
        if response.extensions().get::<DatabaseUnavailable>().is_some() {
            readiness.saw_database_unavailable();
        }
    }
    response
}

/// Prometheus metrics in text format.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, content_type = "text/plain")))]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
