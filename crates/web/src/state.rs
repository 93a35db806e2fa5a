//! App-wide state shared through Leptos context: the session (kept in
//! `localStorage` so a reload stays signed in), the page shown, toasts, and
//! the counter that tells the task list to refetch.

use leptos::prelude::*;
use todo_domain::account::Session;
use todo_domain::TimeZone;

use crate::api::{ApiError, Client};

const SESSION_KEY: &str = "todo-chatbot.session";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    SignIn,
    SignUp,
    Tasks,
    Tokens,
}

impl Page {
    pub fn path(self) -> &'static str {
        match self {
            Page::SignIn => "/signin",
            Page::SignUp => "/signup",
            Page::Tasks => "/",
            Page::Tokens => "/tokens",
        }
    }

    pub fn from_path(path: &str) -> Self {
        match path.trim_end_matches('/') {
            "/signin" => Page::SignIn,
            "/signup" => Page::SignUp,
            "/tokens" => Page::Tokens,
            _ => Page::Tasks,
        }
    }

    pub fn needs_session(self) -> bool {
        matches!(self, Page::Tasks | Page::Tokens)
    }

    pub fn title(self) -> &'static str {
        match self {
            Page::SignIn => "Sign in · Todo Chatbot",
            Page::SignUp => "Sign up · Todo Chatbot",
            Page::Tasks => "Tasks · Todo Chatbot",
            Page::Tokens => "Access tokens · Todo Chatbot",
        }
    }
}

/// What a toast's button does. A plain closure rather than a `Callback`:
/// the toast outlives the component that made it (a deleted task's row),
/// and a `Callback` is disposed with its owner.
pub type ToastAction = (String, std::sync::Arc<dyn Fn() + Send + Sync>);

#[derive(Clone)]
pub struct Toast {
    pub id: u32,
    pub message: String,
    pub error: bool,
    /// A button such as "Undo", and what it does.
    pub action: Option<ToastAction>,
}

/// Everything the app shares, all `Copy` handles.
#[derive(Clone, Copy)]
pub struct AppState {
    pub session: RwSignal<Option<Session>>,
    pub page: RwSignal<Page>,
    /// Why the user is on the sign-in page again, if not by choice.
    pub notice: RwSignal<Option<String>>,
    pub toasts: RwSignal<Vec<Toast>>,
    next_toast: StoredValue<u32>,
    /// Bumped whenever tasks changed elsewhere (the chat), so lists refetch.
    pub tasks_changed: RwSignal<u32>,
    /// The chat drawer, on narrow screens.
    pub chat_open: RwSignal<bool>,
    /// Set while the server cannot be reached.
    pub offline: RwSignal<bool>,
    /// The keyboard shortcuts overlay (`?`).
    pub help_open: RwSignal<bool>,
}

impl AppState {
    pub fn new() -> Self {
        let page = current_path()
            .map(|p| Page::from_path(&p))
            .unwrap_or(Page::Tasks);
        Self {
            session: RwSignal::new(load_session()),
            page: RwSignal::new(page),
            notice: RwSignal::new(None),
            toasts: RwSignal::new(Vec::new()),
            next_toast: StoredValue::new(1),
            tasks_changed: RwSignal::new(0),
            chat_open: RwSignal::new(false),
            offline: RwSignal::new(false),
            help_open: RwSignal::new(false),
        }
    }

    pub fn client(&self) -> Client {
        Client::new(
            self.session
                .with_untracked(|s| s.as_ref().map(|s| s.token.clone())),
        )
    }

    pub fn timezone(&self) -> TimeZone {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.user.timezone))
            .unwrap_or(TimeZone::UTC)
    }

    pub fn sign_in(&self, session: Session) {
        store_session(Some(&session));
        self.session.set(Some(session));
        self.notice.set(None);
        self.navigate(Page::Tasks);
    }

    pub fn sign_out(&self, notice: Option<String>) {
        store_session(None);
        self.session.set(None);
        self.chat_open.set(false);
        self.notice.set(notice);
        self.navigate(Page::SignIn);
    }

    pub fn navigate(&self, page: Page) {
        if self.page.get_untracked() != page {
            if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = history.push_state_with_url(
                    &wasm_bindgen::JsValue::NULL,
                    "",
                    Some(page.path()),
                );
            }
            self.page.set(page);
        }
    }

    /// The common reaction to a failed call: back to sign-in when the
    /// session is over, the offline banner when unreachable, else a toast.
    /// Returns the error for callers that show it next to a field.
    pub fn handle(&self, error: ApiError) -> ApiError {
        if error.is_session_over() {
            self.sign_out(Some(error.message()));
        } else if error == ApiError::Unreachable {
            self.offline.set(true);
        }
        error
    }

    pub fn reached(&self) {
        if self.offline.get_untracked() {
            self.offline.set(false);
        }
    }

    pub fn toast(
        &self,
        message: impl Into<String>,
        error: bool,
        action: Option<ToastAction>,
    ) -> u32 {
        let id = self.next_toast.get_value();
        self.next_toast.set_value(id + 1);
        self.toasts.update(|toasts| {
            push_capped(
                toasts,
                Toast {
                    id,
                    message: message.into(),
                    error,
                    action,
                },
            )
        });
        let toasts = self.toasts;
        let lifetime = if error { 8000 } else { 6000 };
        set_timeout(
            move || toasts.update(|t| t.retain(|toast| toast.id != id)),
            std::time::Duration::from_millis(lifetime),
        );
        id
    }

    /// Opens or closes the chat drawer (narrow screens), moving focus into
    /// it, or back to the button that opens it.
    pub fn set_chat_open(&self, open: bool) {
        self.chat_open.set(open);
        // After the drawer is visible: focus cannot land in a hidden one.
        request_animation_frame(move || {
            crate::keyboard::focus(if open { "chat-input" } else { "chat-toggle" });
        });
    }

    pub fn dismiss_toast(&self, id: u32) {
        self.toasts.update(|t| t.retain(|toast| toast.id != id));
    }
}

/// At most this many toasts show at once: more would cover the list, and
/// the editor on a phone.
pub const MAX_TOASTS: usize = 3;

/// Adds a toast, dropping the oldest when there are too many: the oldest
/// without a button first, since an "Undo" matters longer than a note.
fn push_capped(toasts: &mut Vec<Toast>, toast: Toast) {
    toasts.push(toast);
    while toasts.len() > MAX_TOASTS {
        let oldest = toasts.iter().position(|t| t.action.is_none()).unwrap_or(0);
        toasts.remove(oldest);
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

pub fn app_state() -> AppState {
    expect_context::<AppState>()
}

pub fn current_path() -> Option<String> {
    web_sys::window()?.location().pathname().ok()
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn load_session() -> Option<Session> {
    let raw = local_storage()?.get_item(SESSION_KEY).ok()??;
    serde_json::from_str(&raw).ok()
}

fn store_session(session: Option<&Session>) {
    let Some(storage) = local_storage() else {
        return;
    };
    match session.and_then(|s| serde_json::to_string(s).ok()) {
        Some(raw) => {
            let _ = storage.set_item(SESSION_KEY, &raw);
        }
        None => {
            let _ = storage.remove_item(SESSION_KEY);
        }
    }
}

/// The browser's IANA time zone, for sign-up.
pub fn browser_timezone() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()?
        .as_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toast(id: u32, undo: bool) -> Toast {
        Toast {
            id,
            message: format!("toast {id}"),
            error: false,
            action: undo.then(|| ("Undo".to_owned(), std::sync::Arc::new(|| ()) as _)),
        }
    }

    fn ids(toasts: &[Toast]) -> Vec<u32> {
        toasts.iter().map(|t| t.id).collect()
    }

    #[test]
    fn toasts_are_capped_oldest_note_first() {
        let mut toasts = Vec::new();
        for id in 1..=5 {
            push_capped(&mut toasts, toast(id, false));
        }
        assert_eq!(ids(&toasts), [3, 4, 5]);

        let mut toasts = vec![toast(1, true), toast(2, false), toast(3, false)];
        push_capped(&mut toasts, toast(4, false));
        assert_eq!(ids(&toasts), [1, 3, 4], "the undo outlives a newer note");

        let mut toasts = vec![toast(1, true), toast(2, true), toast(3, true)];
        push_capped(&mut toasts, toast(4, true));
        assert_eq!(ids(&toasts), [2, 3, 4]);
    }
}
