//! The storage crate's tests, one binary (linked once): each module runs
//! its case on SQLite (a real file) and on Postgres (the testkit's cluster).
//! `tests/cancellation.rs` is a binary of its own: it counts how many writes
//! it cancelled mid-flight, which depends on the CPU it gets, so it does not
//! share a process with the other tests running at the same time.

mod support;

mod completed_window;
mod concurrent_writes;
mod first_turn;
mod list_plans;
mod pooled_connections;
mod stored_values;
mod tags;
mod tags_in_step;
mod totals;
mod writes;
