//! Todo Chatbot's web UI, rendered in the browser by Leptos. It shares the
//! domain crate with the server: the same task types, validation codes and
//! quick-add parser, compiled to WebAssembly.

mod api;
mod app;
mod auth;
mod chat;
mod format;
mod icons;
mod keyboard;
mod quick_add;
mod repeat;
mod state;
mod tasks;
mod tokens;
mod views;

fn main() {
    #[cfg(debug_assertions)]
    debug::report_panics();
    leptos::mount::mount_to_body(app::App);
}

/// Development builds print a panic's message and place on the console
/// (otherwise the browser only says "unreachable").
#[cfg(debug_assertions)]
mod debug {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = console)]
        fn error(message: &str);
    }

    pub fn report_panics() {
        std::panic::set_hook(Box::new(|info| error(&format!("panicked: {info}"))));
    }
}
