//! Small inline SVG icons. Emoji were used before, but a machine without an
//! emoji font (many Linux desktops, headless browsers) draws them as empty
//! boxes; these draw the same everywhere and follow the text colour.

use leptos::prelude::*;

/// One 24×24 outline icon, sized to the text, hidden from screen readers
/// (the text beside it says what it means).
fn icon(path: &'static str) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true" focusable="false"
            fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round">
            <path d=path/>
        </svg>
    }
}

pub fn calendar() -> impl IntoView {
    icon("M7 3v3M17 3v3M4 9h16M5 5h14a1 1 0 0 1 1 1v13a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z")
}

pub fn clock() -> impl IntoView {
    icon("M12 7v5l3 2M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0z")
}

pub fn repeat() -> impl IntoView {
    icon("M17 2l3 3-3 3M4 11V9a4 4 0 0 1 4-4h12M7 22l-3-3 3-3M20 13v2a4 4 0 0 1-4 4H4")
}

pub fn flag() -> impl IntoView {
    icon("M5 21V4M5 4h11l-2 4 2 4H5")
}

pub fn chat() -> impl IntoView {
    icon("M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z")
}
