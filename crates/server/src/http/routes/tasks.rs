//! The task list: CRUD, completion, filters and paging, and the tags in use.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use todo_domain::query::TaskQueryParams;
use todo_domain::tags::TagList;
use todo_domain::{Task, TaskDraft, TaskId, TaskPatch};
use todo_services::{Cleared, TaskPage};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::http::error::{ApiError, Problem};
use crate::http::extract::{Caller, CallerCheckedByRequest, Json, Path, Query, TaskPageJson};
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tasks, create_task))
        .routes(routes!(get_task, update_task, delete_task))
        .routes(routes!(complete_task))
        .routes(routes!(reopen_task))
        .routes(routes!(clear_completed))
        .routes(routes!(list_tags))
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// A task with its `ETag` (its version), for `If-Match` on a later change.
type TaskAnswer = Result<([(header::HeaderName, HeaderValue); 1], Json<Task>), ApiError>;

fn with_etag(task: Task) -> TaskAnswer {
    let etag = HeaderValue::from_str(&format!("\"{}\"", task.version))
        .unwrap_or(HeaderValue::from_static("\"0\""));
    Ok(([(header::ETAG, etag)], Json(task)))
}

/// `If-Match`: `*`, empty or absent is any version; `"7"` is version 7; anything
/// else matches no version (412), as a strong comparison must.
fn if_match(headers: &HeaderMap) -> Option<i64> {
    let raw = headers.get(header::IF_MATCH)?.to_str().unwrap_or("").trim();
    // An empty header names no version: the same as none.
    if raw == "*" || raw.is_empty() {
        return None;
    }
    Some(
        raw.strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .and_then(|v| v.parse().ok())
            .unwrap_or(-1),
    )
}

/// List the caller's tasks, filtered, sorted and paginated.
#[utoipa::path(get, path = "/api/tasks", tag = "tasks", params(TaskQueryParams), security(("bearer" = [])),
    responses((status = 200, body = TaskPage), (status = 422, description = "validation_failed", body = Problem)))]
async fn list_tasks(
    State(state): State<AppState>,
    CallerCheckedByRequest(caller): CallerCheckedByRequest,
    Query(params): Query<TaskQueryParams>,
) -> Result<TaskPageJson, ApiError> {
    Ok(TaskPageJson(
        state.services.list_tasks(caller, &params).await?,
    ))
}

/// Create a task.
#[utoipa::path(post, path = "/api/tasks", tag = "tasks", request_body = TaskDraft, security(("bearer" = [])),
    responses((status = 201, body = Task), (status = 422, description = "validation_failed", body = Problem)))]
async fn create_task(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Json(draft): Json<TaskDraft>,
) -> Result<(StatusCode, Json<Task>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.services.create_task(caller, draft).await?),
    ))
}

/// One task, with its version as `ETag`.
#[utoipa::path(get, path = "/api/tasks/{id}", tag = "tasks", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Task, headers(("ETag" = String, description = "the task's version, for If-Match"))),
              (status = 404, description = "task_not_found", body = Problem)))]
async fn get_task(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<TaskId>,
) -> TaskAnswer {
    with_etag(state.services.get_task(caller, id).await?)
}

/// Change some fields of a task; `null` clears `due_at` or `recurrence`.
/// With `If-Match: "<version>"` (the `ETag` of a read), only if nobody
/// changed the task since: else 412 `precondition_failed`.
#[utoipa::path(patch, path = "/api/tasks/{id}", tag = "tasks",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "an ETag from a read: change only that version")),
    request_body = TaskPatch, security(("bearer" = [])),
    responses((status = 200, body = Task, headers(("ETag" = String, description = "the new version"))),
              (status = 404, body = Problem), (status = 412, description = "precondition_failed", body = Problem),
              (status = 422, body = Problem)))]
async fn update_task(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<TaskId>,
    headers: HeaderMap,
    Json(patch): Json<TaskPatch>,
) -> TaskAnswer {
    let version = if_match(&headers);
    with_etag(
        state
            .services
            .update_task_if(caller, id, patch, version)
            .await?,
    )
}

/// Delete a task.
#[utoipa::path(delete, path = "/api/tasks/{id}", tag = "tasks", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_task(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<TaskId>,
) -> Result<StatusCode, ApiError> {
    state.services.delete_task(caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Complete a task. A recurring task also gets its next occurrence.
#[utoipa::path(post, path = "/api/tasks/{id}/complete", tag = "tasks", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Task), (status = 404, body = Problem)))]
async fn complete_task(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<TaskId>,
) -> ApiResult<Task> {
    Ok(Json(state.services.complete_task(caller, id).await?.task))
}

/// Mark a completed task pending again.
#[utoipa::path(post, path = "/api/tasks/{id}/reopen", tag = "tasks", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = Task), (status = 404, body = Problem)))]
async fn reopen_task(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<TaskId>,
) -> ApiResult<Task> {
    Ok(Json(state.services.reopen_task(caller, id).await?))
}

/// Delete every completed task.
#[utoipa::path(post, path = "/api/tasks/clear-completed", tag = "tasks", security(("bearer" = [])),
    responses((status = 200, body = Cleared)))]
async fn clear_completed(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Cleared> {
    Ok(Json(Cleared {
        deleted: state.services.clear_completed(caller).await?,
    }))
}

/// The tags on the caller's open tasks, by name, each with how many open
/// tasks carry it, and how many open tasks there are: at most 200 tags
/// (`more` says whether others follow). The counts are kept on every
/// write, so they are exact and the answer costs the same however many
/// tasks a user has; the open tasks are counted up to 10,000
/// (`counts_capped` says when there are more).
#[utoipa::path(get, path = "/api/tags", tag = "tasks", security(("bearer" = [])),
    responses((status = 200, body = TagList)))]
async fn list_tags(State(state): State<AppState>, Caller(caller): Caller) -> ApiResult<TagList> {
    Ok(Json(state.services.list_tags(caller).await?))
}
