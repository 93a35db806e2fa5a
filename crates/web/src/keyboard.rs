//! Global shortcuts: `n` quick-add, `/` search, `Esc` closes what is open.
//! Elements opt in by id, so the shortcuts need no handles to components.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::KeyboardEvent;

use crate::state::AppState;

pub const QUICK_ADD_ID: &str = "quick-add";
pub const SEARCH_ID: &str = "task-search";

/// Things `Esc` closes, innermost first. Each registers while open.
#[derive(Clone, Copy)]
pub struct EscapeStack(RwSignal<Vec<(u32, Callback<()>)>>);

impl EscapeStack {
    /// Registers `close` until the returned id is released.
    pub fn push(&self, id: u32, close: Callback<()>) {
        self.0.update(|stack| {
            stack.retain(|(i, _)| *i != id);
            stack.push((id, close));
        });
    }

    pub fn release(&self, id: u32) {
        self.0.update(|stack| stack.retain(|(i, _)| *i != id));
    }
}

pub fn escape_stack() -> EscapeStack {
    expect_context::<EscapeStack>()
}

pub fn install(state: AppState) {
    let stack = EscapeStack(RwSignal::new(Vec::new()));
    provide_context(stack);
    let handler = Closure::<dyn Fn(KeyboardEvent)>::new(move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            let top = stack
                .0
                .with_untracked(|s| s.last().map(|(_, close)| *close));
            if let Some(close) = top {
                ev.prevent_default();
                close.run(());
            } else if state.chat_open.get_untracked() {
                state.set_chat_open(false);
            }
            return;
        }
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || typing(&ev) {
            return;
        }
        let target = match ev.key().as_str() {
            "n" => QUICK_ADD_ID,
            "/" => SEARCH_ID,
            _ => return,
        };
        if focus(target) {
            ev.prevent_default();
        }
    });
    if let Some(window) = web_sys::window() {
        let _ =
            window.add_event_listener_with_callback("keydown", handler.as_ref().unchecked_ref());
    }
    handler.forget();
}

/// True when the key goes into a text field.
fn typing(ev: &KeyboardEvent) -> bool {
    let Some(element) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let tag = element.tag_name().to_ascii_lowercase();
    let input_type = element.get_attribute("type").unwrap_or_default();
    matches!(tag.as_str(), "textarea" | "select")
        || (tag == "input"
            && !matches!(
                input_type.as_str(),
                "checkbox" | "radio" | "button" | "submit"
            ))
        || element.get_attribute("contenteditable").is_some()
}

pub fn focus(id: &str) -> bool {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    match element {
        Some(element) => element.focus().is_ok(),
        None => false,
    }
}
