//! The server's API tests, one binary (as zero2prod's `tests/api/main.rs`):
//! the real server over real HTTP, on a fresh SQLite file and a fresh
//! Postgres database each (`support`). One binary links the server once,
//! and `support` is compiled once, with nothing in it unused.
//!
//! `cargo test -p todo-server --test api mcp` runs one module's tests.

#[macro_use]
mod support;

mod accounts;
mod chat;
mod errors;
mod isolation;
mod llm;
mod mcp;
mod neon;
mod operations;
mod reliability;
mod schemathesis;
mod static_files;
mod tags;
mod tasks;
