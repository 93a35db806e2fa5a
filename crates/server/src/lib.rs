//! The `todo` server: configuration, HTTP API, start-up and shutdown.

pub mod config;
pub mod healthcheck;
pub mod http;
pub mod serve;
pub mod telemetry;
