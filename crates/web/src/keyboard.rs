//! Global shortcuts: `n` quick-add, `/` search, `#` tag filter, `j`/`k`
//! move between tasks, `x` or Space completes, `e` edits, `?` lists them
//! all, `Esc` closes what is open. Elements opt in by id or class, so the
//! shortcuts need no handles to components.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::KeyboardEvent;

use crate::state::AppState;

pub const QUICK_ADD_ID: &str = "quick-add";
pub const SEARCH_ID: &str = "task-search";
pub const TAG_FILTER_ID: &str = "tag-filter";
/// A task row's title button: what "the current task" is.
const ROW_TITLE: &str = ".task-row .task-title";

/// Every shortcut, for the help overlay: keys and what they do.
pub const SHORTCUTS: [(&[&str], &str); 9] = [
    (&["n"], "Add a task"),
    (&["/"], "Search tasks"),
    (&["#"], "Filter by tag"),
    (&["j"], "Next task"),
    (&["k"], "Previous task"),
    (&["x", "Space"], "Complete or reopen the task"),
    (&["e", "Enter"], "Edit the task"),
    (&["Esc"], "Close the editor, a dialog or the assistant"),
    (&["?"], "Show these shortcuts"),
];

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
        let handled = match ev.key().as_str() {
            "n" => focus(QUICK_ADD_ID),
            "/" => focus(SEARCH_ID),
            "#" => focus(TAG_FILTER_ID),
            "j" => move_between_rows(1),
            "k" => move_between_rows(-1),
            "x" => toggle_current_row(),
            // Space only on the title: on other buttons it keeps its meaning.
            " " if focused_is_row_title() => toggle_current_row(),
            "e" => current_row_title().is_some_and(|title| {
                title.click();
                true
            }),
            "?" if state.session.with_untracked(|s| s.is_some()) => {
                state.help_open.set(true);
                true
            }
            _ => false,
        };
        if handled {
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

fn row_titles() -> Vec<web_sys::HtmlElement> {
    let Some(list) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector_all(ROW_TITLE).ok())
    else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// The focused task's title button, when focus is on a task row.
fn current_row_title() -> Option<web_sys::HtmlElement> {
    let active = web_sys::window()?.document()?.active_element()?;
    let row = active.closest(".task-row").ok()??;
    row.query_selector(".task-title")
        .ok()??
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
}

fn focused_is_row_title() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .is_some_and(|e| e.matches(ROW_TITLE).unwrap_or(false))
}

/// Focuses the next (`1`) or previous (`-1`) task; the first or last when
/// no task has focus.
fn move_between_rows(step: isize) -> bool {
    let titles = row_titles();
    if titles.is_empty() {
        return false;
    }
    let current = current_row_title().and_then(|t| titles.iter().position(|other| *other == t));
    let last = titles.len() as isize - 1;
    let next = match current {
        Some(at) => (at as isize + step).clamp(0, last),
        None if step > 0 => 0,
        None => last,
    };
    titles[next as usize].focus().is_ok()
}

/// Completes (or reopens) the focused task. Completing usually takes it out
/// of the list, so focus moves on to its neighbour first.
fn toggle_current_row() -> bool {
    let Some(title) = current_row_title() else {
        return false;
    };
    let Some(check) = title
        .closest(".task-row")
        .ok()
        .flatten()
        .and_then(|row| row.query_selector(".task-check").ok().flatten())
        .and_then(|c| c.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return false;
    };
    if !check.checked() {
        let titles = row_titles();
        if let Some(at) = titles.iter().position(|t| *t == title) {
            if let Some(neighbour) = titles
                .get(at + 1)
                .or_else(|| at.checked_sub(1).and_then(|i| titles.get(i)))
            {
                let _ = neighbour.focus();
            }
        }
    }
    check.click();
    true
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
