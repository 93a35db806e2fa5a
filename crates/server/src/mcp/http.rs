//! `/mcp`: MCP's streamable HTTP transport on the API server.
//!
//! - Every request is authenticated on its own, before rmcp sees it, by the
//!   same [`Caller`] extractor as the REST API (`Authorization: Bearer
//!   tdc_…`, or a session JWT): a missing, wrong or revoked token answers
//!   401 problem+json. The principal travels in the request's extensions to
//!   the tool call, so nothing about a client is remembered between requests.
//! - rmcp runs stateless (no `Mcp-Session-Id`, no session in this process's
//!   memory) and answers plain JSON: any replica can serve any request.
//! - rmcp refuses `Host` headers it does not know (DNS-rebinding protection);
//!   the accepted names come from `MCP_ALLOWED_HOSTS`.

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::sync::Arc;
use todo_assistant::Toolbox;

use super::TodoMcp;
use crate::http::extract::Caller;
use crate::http::AppState;

/// The path of the MCP endpoint.
pub const PATH: &str = "/mcp";

/// Host names `/mcp` answers to unless `MCP_ALLOWED_HOSTS` says otherwise:
/// loopback, and the Helm chart's ingress host (the default of the
/// `--mcp-allowed-hosts` flag too).
pub const DEFAULT_ALLOWED_HOSTS: &str = "localhost,127.0.0.1,[::1],todo.local";

/// Reads `MCP_ALLOWED_HOSTS`: comma-separated host names (optionally with a
/// port), or `*` for any (then the list is just `*`). An empty list is refused.
pub fn parse_allowed_hosts(raw: &str) -> Result<Vec<String>, String> {
    let hosts: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if hosts.iter().any(|h| h == ANY_HOST) {
        return Ok(vec![ANY_HOST.to_owned()]);
    }
    if hosts.is_empty() {
        return Err("give at least one host name, or * to allow any".into());
    }
    if let Some(bad) = hosts
        .iter()
        .find(|h| axum::http::uri::Authority::try_from(h.as_str()).is_err())
    {
        return Err(format!("'{bad}' is not a host name"));
    }
    Ok(hosts)
}

/// Allows any `Host` in `MCP_ALLOWED_HOSTS`.
pub const ANY_HOST: &str = "*";

/// The `/mcp` route, to merge into the API router. `allowed_hosts`: as
/// [`parse_allowed_hosts`] gives them; an empty list means the defaults.
pub fn routes(
    state: AppState,
    allowed_hosts: &[String],
    max_body_bytes: usize,
) -> Router<AppState> {
    let toolbox = Toolbox::new(state.services.clone());
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_max_request_body_bytes(max_body_bytes);
    let config = if allowed_hosts.iter().any(|h| h == ANY_HOST) {
        config.disable_allowed_hosts()
    } else if allowed_hosts.is_empty() {
        config.with_allowed_hosts(DEFAULT_ALLOWED_HOSTS.split(','))
    } else {
        config.with_allowed_hosts(allowed_hosts.iter().cloned())
    };
    let service = StreamableHttpService::new(
        move || Ok(TodoMcp::per_request(toolbox.clone())),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    Router::new()
        .route_service(PATH, service)
        .route_layer(middleware::from_fn_with_state(state, authenticate))
}

/// Refuses the request unless its bearer token is valid now, and hands the
/// principal to the tool call.
async fn authenticate(Caller(principal): Caller, mut request: Request, next: Next) -> Response {
    request.extensions_mut().insert(principal);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_hosts_are_a_list_or_any() {
        assert_eq!(
            parse_allowed_hosts(" Todo.local, example.com:8443 ,").unwrap(),
            vec!["todo.local".to_owned(), "example.com:8443".to_owned()]
        );
        assert_eq!(parse_allowed_hosts("todo.local,*").unwrap(), vec!["*"]);
        assert!(parse_allowed_hosts(" , ").is_err());
        assert!(parse_allowed_hosts("bad host").is_err());
        assert_eq!(
            parse_allowed_hosts(DEFAULT_ALLOWED_HOSTS).unwrap(),
            ["localhost", "127.0.0.1", "[::1]", "todo.local"]
        );
    }
}
