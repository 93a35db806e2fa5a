//! The `todo` server: configuration, HTTP API, start-up and shutdown.

pub mod chat_cli;
pub mod config;
pub mod healthcheck;
pub mod http;
pub mod http_client;
pub mod mcp;
pub mod readiness;
pub mod serve;
pub mod telemetry;
