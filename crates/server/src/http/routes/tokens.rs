//! Personal access tokens, for MCP clients and scripts.

use axum::extract::State;
use axum::http::StatusCode;
use todo_services::{CreatedToken, NewToken, TokenInfo};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::http::error::{ApiError, Problem};
use crate::http::extract::{Json, Path, SessionCaller};
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// Create a token. Its secret is in this answer and never again.
#[utoipa::path(post, path = "/api/tokens", tag = "tokens", request_body = NewToken, security(("bearer" = [])),
    responses((status = 201, body = CreatedToken), (status = 403, description = "token_scope", body = Problem), (status = 422, body = Problem)))]
async fn create_token(
    State(state): State<AppState>,
    SessionCaller(caller): SessionCaller,
    Json(request): Json<NewToken>,
) -> Result<
    (
        StatusCode,
        [(axum::http::HeaderName, axum::http::HeaderValue); 1],
        Json<CreatedToken>,
    ),
    ApiError,
> {
    Ok((
        StatusCode::CREATED,
        [super::auth::NO_STORE],
        Json(state.services.create_token(caller, &request.name).await?),
    ))
}

/// The caller's tokens (without secrets).
#[utoipa::path(get, path = "/api/tokens", tag = "tokens", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenInfo>), (status = 403, description = "token_scope", body = Problem)))]
async fn list_tokens(
    State(state): State<AppState>,
    SessionCaller(caller): SessionCaller,
) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    Ok(Json(state.services.list_tokens(caller).await?))
}

/// Revoke a token: it stops working at once.
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = "tokens", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, description = "token_scope", body = Problem), (status = 404, body = Problem)))]
async fn revoke_token(
    State(state): State<AppState>,
    SessionCaller(caller): SessionCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.services.revoke_token(caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
