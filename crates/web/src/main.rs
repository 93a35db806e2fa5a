//! Todo Chatbot's web UI, rendered in the browser by Leptos. It shares the
//! domain crate with the server: the same task types, validation codes and
//! quick-add parser, compiled to WebAssembly.

mod api;
mod app;
mod auth;
mod chat;
mod format;
mod keyboard;
mod quick_add;
mod state;
mod tasks;
mod tokens;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
