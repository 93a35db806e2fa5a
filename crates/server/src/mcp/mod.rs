//! The MCP server: the assistant's five tools for any MCP client (Claude
//! Desktop, Cursor, MCP Inspector…), over streamable HTTP at `/mcp`
//! ([`http`]) and over stdio with `todo mcp` ([`stdio`]).
//!
//! There is no tool logic here: tools are listed from
//! [`todo_assistant::tools::definitions`] (names, titles, schemas; the hints
//! follow from each tool's effect) and run by [`Toolbox::call`], the
//! same layer the chat assistant uses, which calls the same domain services
//! as the REST API.

pub mod http;
pub mod stdio;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
    ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{json, Value};
use std::sync::Arc;
use todo_assistant::tools::{self, ToolDefinition};
use todo_assistant::{ToolError, Toolbox};
use todo_domain::chat::Effect;
use todo_services::{AuthFailure, Principal, ServiceError};

const INSTRUCTIONS: &str =
    "Manage the user's todo list. Use list_tasks to find tasks and their ids, \
then complete_task, update_task or delete_task by id. Due dates accept 2026-12-03, RFC 3339 \
times, or words such as 'tomorrow 5pm'.";

/// Who the tools act for.
#[derive(Clone)]
enum Identity {
    /// Over HTTP: the principal that [`http`]'s middleware authenticated for
    /// this very request, found in the request's extensions.
    PerRequest,
    /// Over stdio: a bearer token given at start-up, checked again on every
    /// call so that revoking it takes effect at once.
    Token(Arc<str>),
}

/// The MCP server handler. Holds nothing about a client between requests.
#[derive(Clone)]
pub struct TodoMcp {
    toolbox: Toolbox,
    identity: Identity,
}

impl TodoMcp {
    /// For HTTP: each request carries its own authenticated principal.
    pub fn per_request(toolbox: Toolbox) -> Self {
        Self {
            toolbox,
            identity: Identity::PerRequest,
        }
    }

    /// For stdio: every call acts for the owner of `token`.
    pub fn with_token(toolbox: Toolbox, token: &str) -> Self {
        Self {
            toolbox,
            identity: Identity::Token(Arc::from(token)),
        }
    }

    async fn principal(&self, context: &RequestContext<RoleServer>) -> Result<Principal, Refusal> {
        match &self.identity {
            Identity::PerRequest => context
                .extensions
                .get::<axum::http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<Principal>())
                .copied()
                .ok_or(Refusal::Unauthenticated),
            Identity::Token(token) => self
                .toolbox
                .services()
                .authenticate(token)
                .await
                .map_err(Refusal::Service),
        }
    }
}

/// Why a call could not even start.
enum Refusal {
    /// No principal on the request: the HTTP layer was bypassed.
    Unauthenticated,
    Service(ServiceError),
}

/// The five tools as MCP sees them: names, descriptions, schemas, and hints
/// about what each one does to the list.
pub fn tool_list() -> Vec<Tool> {
    tools::definitions().into_iter().map(to_mcp_tool).collect()
}

fn to_mcp_tool(definition: ToolDefinition) -> Tool {
    let schema: JsonObject = match definition.input_schema {
        Value::Object(object) => object,
        _ => JsonObject::from_iter([("type".to_owned(), json!("object"))]),
    };
    let annotations = match definition.effect {
        Effect::List => ToolAnnotations::new().read_only(true),
        Effect::Add => ToolAnnotations::new().read_only(false).destructive(false),
        Effect::Complete => ToolAnnotations::new()
            .read_only(false)
            .destructive(false)
            .idempotent(false),
        Effect::Update | Effect::Delete => ToolAnnotations::new()
            .read_only(false)
            .destructive(true)
            .idempotent(true),
    };
    Tool::new(definition.name, definition.description, Arc::new(schema))
        .with_title(definition.title)
        .with_annotations(annotations.open_world(false))
}

/// A tool's outcome as an MCP result: the JSON in `structuredContent`, and the
/// same JSON as text for clients that only read `content`.
pub fn success(value: Value) -> CallToolResult {
    CallToolResult::structured(value)
}

/// A failed tool call as an MCP result the model can read and act on
/// (`isError: true`), with a stable code in `structuredContent`.
pub fn failure(error: &ToolError) -> CallToolResult {
    let (code, message) = match error {
        ToolError::InvalidArguments(detail) => {
            ("invalid_arguments", format!("Invalid arguments: {detail}"))
        }
        ToolError::UnknownTool(name) => {
            ("unknown_tool", format!("There is no tool named '{name}'."))
        }
        ToolError::NotFound(id) => (
            "task_not_found",
            format!("Task {id} was not found. Call list_tasks to see the tasks and their ids."),
        ),
        ToolError::Service(error) => service_failure(error),
    };
    let mut result = CallToolResult::error(vec![ContentBlock::text(message.clone())]);
    result.structured_content = Some(json!({ "error": { "code": code, "message": message } }));
    result
}

fn service_failure(error: &ServiceError) -> (&'static str, String) {
    match error {
        ServiceError::Validation(errors) => ("validation_failed", errors.to_string()),
        ServiceError::NotFound(what) => ("not_found", format!("No such {what}.")),
        ServiceError::Conflict(what) => ("conflict", format!("{what} already exists.")),
        ServiceError::Unauthorized(_)
        | ServiceError::InvalidCredentials
        | ServiceError::OutOfScope => (
            "unauthorized",
            "The token is not valid any more.".to_owned(),
        ),
        ServiceError::Unavailable(cause) => {
            tracing::warn!(%cause, "database unavailable during an MCP tool call");
            (
                "unavailable",
                "The database is unavailable; try again shortly.".to_owned(),
            )
        }
        ServiceError::TooManyAttempts { .. } => (
            "too_many_attempts",
            "Too many attempts; wait and try again.".to_owned(),
        ),
        ServiceError::PreconditionFailed => (
            "conflict",
            "The task changed meanwhile; read it again.".to_owned(),
        ),
        ServiceError::Busy(code) => (code, "The server is busy; try again shortly.".to_owned()),
        ServiceError::Internal(cause) => {
            tracing::error!(%cause, "internal error during an MCP tool call");
            (
                "internal_error",
                "Something went wrong on the server.".to_owned(),
            )
        }
    }
}

fn refusal_error(refusal: Refusal) -> ErrorData {
    match refusal {
        Refusal::Unauthenticated => ErrorData::invalid_request("not authenticated", None),
        Refusal::Service(ServiceError::Unauthorized(failure)) => {
            let detail = match failure {
                AuthFailure::Missing => "a personal access token is required",
                AuthFailure::Expired => "the token has expired",
                AuthFailure::Invalid | AuthFailure::Revoked => {
                    "the token is invalid or was revoked"
                }
            };
            ErrorData::invalid_request(detail, None)
        }
        Refusal::Service(ServiceError::Unavailable(cause)) => {
            tracing::warn!(%cause, "database unavailable while authenticating an MCP call");
            ErrorData::internal_error("the database is unavailable; try again shortly", None)
        }
        Refusal::Service(other) => {
            tracing::error!(error = %other, "authenticating an MCP call failed");
            ErrorData::internal_error("something went wrong on the server", None)
        }
    }
}

impl ServerHandler for TodoMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("todo-chatbot", env!("CARGO_PKG_VERSION"))
                    .with_title("Todo Chatbot"),
            )
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tool_list()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        tool_list().into_iter().find(|tool| tool.name == name)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let principal = self.principal(&context).await.map_err(refusal_error)?;
        let arguments = request.arguments.map(Value::Object).unwrap_or(Value::Null);
        let result = self.toolbox.call(principal, &request.name, arguments).await;
        tracing::info!(
            tool = %request.name,
            user_id = principal.user_id,
            ok = result.is_ok(),
            "mcp tool call"
        );
        Ok(match result {
            Ok(value) => success(value),
            Err(error) => failure(&error),
        }
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_tools_keep_their_schemas() {
        let tools = tool_list();
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        assert_eq!(
            names,
            [
                "add_task",
                "list_tasks",
                "complete_task",
                "delete_task",
                "update_task"
            ]
        );
        for (tool, definition) in tools.iter().zip(tools::definitions()) {
            assert_eq!(
                Value::Object((*tool.input_schema).clone()),
                definition.input_schema
            );
            assert_eq!(tool.description.as_deref(), Some(definition.description));
            assert_eq!(tool.title.as_deref(), Some(definition.title));
        }
        let list = &tools[1];
        assert_eq!(
            list.annotations.as_ref().and_then(|a| a.read_only_hint),
            Some(true)
        );
        let delete = &tools[3];
        assert_eq!(
            delete.annotations.as_ref().and_then(|a| a.destructive_hint),
            Some(true)
        );
    }

    #[test]
    fn results_are_structured_and_errors_readable() {
        let ok = success(json!({"task": {"id": 1}}));
        assert_eq!(ok.is_error, Some(false));
        assert_eq!(ok.structured_content, Some(json!({"task": {"id": 1}})));
        let text = ok.content[0]
            .as_text()
            .map(|t| t.text.clone())
            .unwrap_or_default();
        assert_eq!(
            serde_json::from_str::<Value>(&text).ok(),
            ok.structured_content
        );

        let error = failure(&ToolError::NotFound(7));
        assert_eq!(error.is_error, Some(true));
        let text = error.content[0]
            .as_text()
            .map(|t| t.text.clone())
            .unwrap_or_default();
        assert!(text.contains("Task 7 was not found"), "{text}");
        assert_eq!(
            error
                .structured_content
                .as_ref()
                .map(|v| v["error"]["code"].clone()),
            Some(json!("task_not_found"))
        );

        let hidden = failure(&ToolError::Service(ServiceError::Internal(
            "db password is x".into(),
        )));
        let text = hidden.content[0]
            .as_text()
            .map(|t| t.text.clone())
            .unwrap_or_default();
        assert!(!text.contains("password"), "{text}");
    }
}
