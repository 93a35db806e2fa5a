//! `todo mcp`: the MCP tools over stdin/stdout for a local client that
//! launches the server itself (Claude Desktop, Cursor…). Stdout carries the
//! protocol and nothing else; logs go to stderr.

use anyhow::Context;
use chrono::Duration as ChronoDuration;
use rmcp::ServiceExt;
use todo_assistant::Toolbox;
use todo_services::{AuthFailure, ServiceError};

use super::TodoMcp;
use crate::config::{resolve_jwt_secret, ConfigError, McpArgs};

/// Session tokens are not issued here; the lifetime only matters to signing.
const SESSION_TTL_DAYS: i64 = 7;

const MISSING_TOKEN: &str = "it is required: create a personal access token (POST /api/tokens, or in the web UI) and pass it with --token or TODO_TOKEN";

/// Serves until the client closes stdin.
pub async fn run(args: &McpArgs) -> anyhow::Result<()> {
    let token = args.token.as_deref().map(str::trim).unwrap_or_default();
    if token.is_empty() {
        return Err(ConfigError {
            name: "TODO_TOKEN",
            reason: MISSING_TOKEN.into(),
        }
        .into());
    }
    let secret = resolve_jwt_secret(args.jwt_secret.as_deref(), &args.database)?;
    let store = crate::serve::open_store(&args.database).await?;
    let services =
        crate::serve::services_over(&store, &secret, ChronoDuration::days(SESSION_TTL_DAYS));
    // Refuse a bad token at once, with one clear line, rather than on the first call.
    let principal = match services.authenticate(token).await {
        Ok(principal) => principal,
        Err(ServiceError::Unauthorized(failure)) => {
            let reason = match failure {
                AuthFailure::Missing => MISSING_TOKEN,
                AuthFailure::Expired => {
                    "the session has expired; use a personal access token (tdc_…)"
                }
                AuthFailure::Invalid | AuthFailure::Revoked => "the token is unknown or revoked",
            };
            return Err(ConfigError {
                name: "TODO_TOKEN",
                reason: reason.into(),
            }
            .into());
        }
        Err(other) => return Err(other).context("cannot check TODO_TOKEN"),
    };
    tracing::info!(
        user_id = principal.user_id,
        database = store.backend(),
        "serving MCP over stdio"
    );
    let server = TodoMcp::with_token(Toolbox::new(services.clone()), token);
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .context("the MCP client did not start a session on stdin")?;
    let reason = running.waiting().await.context("the MCP server stopped")?;
    tracing::info!(?reason, "MCP client disconnected");
    store.close().await;
    Ok(())
}
