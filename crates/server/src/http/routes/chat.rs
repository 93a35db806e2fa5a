//! Chatting with the assistant, as JSON or as Server-Sent Events, and the
//! caller's conversations.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::convert::Infallible;
use std::time::Duration;
use todo_assistant::{TurnEvents, TurnStatus};
use todo_domain::account::UserId;
use todo_domain::chat::{
    Action, ChatRequest, ChatResponse, ConversationDetail, ConversationId, ConversationList,
};
use todo_services::Principal;
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;
use tokio_stream::StreamExt;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::http::error::{ApiError, Problem};
use crate::http::extract::{Caller, CallerCheckedByRequest, Json, Path};
use crate::http::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(chat))
        .routes(routes!(chat_as_user))
        .routes(routes!(list_conversations))
        .routes(routes!(get_conversation, delete_conversation))
}

/// A comment this often while nothing else is sent (a model thinking), so
/// proxies and clients with idle timeouts keep the stream.
const KEEP_ALIVE: Duration = Duration::from_secs(3);

/// What a streamed turn sends, one SSE event each.
enum ChatEvent {
    /// `status`: `{"assistant", "state"}`, first as soon as the turn starts.
    Status(TurnStatus),
    /// `delta`: `{"text": "..."}`, a piece of the reply.
    Delta(String),
    /// `action`: an [`Action`] the assistant took.
    Action(Action),
    /// `done`: the whole [`ChatResponse`]; the stream ends.
    Done(ChatResponse),
    /// `error`: a [`Problem`]; the stream ends.
    Failed(ApiError),
}

struct Channel(mpsc::UnboundedSender<ChatEvent>);

impl TurnEvents for Channel {
    fn delta(&self, text: &str) {
        let _ = self.0.send(ChatEvent::Delta(text.to_owned()));
    }
    fn action(&self, action: &Action) {
        let _ = self.0.send(ChatEvent::Action(action.clone()));
    }
    fn status(&self, status: TurnStatus) {
        let _ = self.0.send(ChatEvent::Status(status));
    }
}

#[derive(Serialize)]
struct Delta<'a> {
    text: &'a str,
}

fn sse_event(event: ChatEvent) -> Event {
    let (name, data) = match event {
        ChatEvent::Status(status) => ("status", serde_json::to_string(&status)),
        ChatEvent::Delta(text) => ("delta", serde_json::to_string(&Delta { text: &text })),
        ChatEvent::Action(action) => ("action", serde_json::to_string(&action)),
        ChatEvent::Done(response) => ("done", serde_json::to_string(&response)),
        ChatEvent::Failed(error) => ("error", serde_json::to_string(&error.problem())),
    };
    Event::default()
        .event(name)
        .data(data.unwrap_or_else(|_| "{}".into()))
}

fn wants_stream(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/event-stream"))
}

async fn run_turn(
    state: AppState,
    caller: Principal,
    request: ChatRequest,
    headers: &HeaderMap,
) -> Response {
    if !wants_stream(headers) {
        return match state
            .chat
            .turn(caller, request, &todo_assistant::NoEvents)
            .await
        {
            Ok(response) => Json(response).into_response(),
            Err(error) => ApiError::from(error).into_response(),
        };
    }
    let (sender, receiver) = mpsc::unbounded_channel();
    // The turn runs to completion even if the client goes away, so what the
    // assistant did is always stored with the conversation.
    tokio::spawn(async move {
        let events = Channel(sender.clone());
        let outcome = match state.chat.turn(caller, request, &events).await {
            Ok(response) => ChatEvent::Done(response),
            Err(error) => ChatEvent::Failed(error.into()),
        };
        let _ = sender.send(outcome);
    });
    let mut stream = UnboundedReceiverStream::new(receiver);
    // A turn refused before it started (bad message, unknown conversation)
    // answers as a plain problem with its own status, not as a stream. A
    // turn that starts sends `status` at once, so the headers go out then.
    let first = match stream.next().await {
        Some(ChatEvent::Failed(error)) => return error.into_response(),
        Some(event) => event,
        None => {
            return ApiError::from(todo_services::ServiceError::Internal(
                "chat turn ended".into(),
            ))
            .into_response()
        }
    };
    let events = tokio_stream::once(first)
        .chain(stream)
        .map(|event| Ok::<_, Infallible>(sse_event(event)));
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    // Tells nginx-style proxies not to buffer the stream.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// Send a message to the assistant. With `Accept: text/event-stream` the
/// answer streams as Server-Sent Events: `status` `{assistant, state}` at
/// once, `delta` `{text}`, `action` (an Action), then `done` (the
/// ChatResponse) or `error` (a Problem); a comment every few seconds while
/// nothing else comes.
#[utoipa::path(post, path = "/api/chat", tag = "chat", request_body = ChatRequest, security(("bearer" = [])),
    responses((status = 200, description = "the reply; Server-Sent Events when asked for", content(
                  (ChatResponse = "application/json"), (String = "text/event-stream"))),
              (status = 404, description = "conversation_not_found", body = Problem),
              (status = 422, description = "validation_failed", body = Problem)))]
async fn chat(
    State(state): State<AppState>,
    CallerCheckedByRequest(caller): CallerCheckedByRequest,
    headers: HeaderMap,
    Json(request): Json<ChatRequest>,
) -> Response {
    run_turn(state, caller, request, &headers).await
}

/// The same as `POST /api/chat`, at the address of the original contract;
/// `user_id` must be the caller's.
#[utoipa::path(post, path = "/api/{user_id}/chat", tag = "chat", params(("user_id" = i64, Path)),
    request_body = ChatRequest, security(("bearer" = [])),
    responses((status = 200, description = "the reply; Server-Sent Events when asked for", content(
                  (ChatResponse = "application/json"), (String = "text/event-stream"))),
              (status = 403, description = "user_mismatch", body = Problem),
              (status = 404, description = "conversation_not_found", body = Problem)))]
async fn chat_as_user(
    State(state): State<AppState>,
    CallerCheckedByRequest(caller): CallerCheckedByRequest,
    Path(user_id): Path<UserId>,
    headers: HeaderMap,
    Json(request): Json<ChatRequest>,
) -> Response {
    if user_id != caller.user_id {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "user_mismatch",
            "the user id in the path is not yours",
        )
        .into_response();
    }
    run_turn(state, caller, request, &headers).await
}

/// The caller's conversations, most recent first.
#[utoipa::path(get, path = "/api/conversations", tag = "chat", security(("bearer" = [])),
    responses((status = 200, body = ConversationList)))]
async fn list_conversations(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> Result<Json<ConversationList>, ApiError> {
    Ok(Json(ConversationList {
        items: state.services.list_conversations(caller).await?,
    }))
}

/// A conversation with its messages.
#[utoipa::path(get, path = "/api/conversations/{id}", tag = "chat", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 200, body = ConversationDetail), (status = 404, body = Problem)))]
async fn get_conversation(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<ConversationId>,
) -> Result<Json<ConversationDetail>, ApiError> {
    Ok(Json(state.services.conversation(caller, id).await?))
}

/// Delete a conversation and its messages (tasks stay).
#[utoipa::path(delete, path = "/api/conversations/{id}", tag = "chat", params(("id" = i64, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404, body = Problem)))]
async fn delete_conversation(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<ConversationId>,
) -> Result<StatusCode, ApiError> {
    state.services.delete_conversation(caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
