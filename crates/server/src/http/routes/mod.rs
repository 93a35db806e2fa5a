pub mod auth;
pub mod ops;
pub mod tasks;
pub mod tokens;
