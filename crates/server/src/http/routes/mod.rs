pub mod auth;
pub mod chat;
pub mod ops;
pub mod tasks;
pub mod tokens;
