//! The shell: which page shows, the header, the offline banner and toasts.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::auth::{SignIn, SignUp};
use crate::chat::ChatPanel;
use crate::keyboard;
use crate::state::{app_state, current_path, AppState, Page};
use crate::tasks::TasksPage;
use crate::tokens::TokensPage;

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    keyboard::install(state);

    // Back and forward buttons.
    let on_popstate = Closure::<dyn Fn()>::new(move || {
        if let Some(path) = current_path() {
            state.page.set(Page::from_path(&path));
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .add_event_listener_with_callback("popstate", on_popstate.as_ref().unchecked_ref());
    }
    on_popstate.forget();

    // Signed out on a page that needs a session: sign in; signed in on the
    // sign-in pages: the tasks.
    Effect::new(move |_| {
        let page = state.page.get();
        let signed_in = state.session.with(|s| s.is_some());
        if page.needs_session() && !signed_in {
            state.page.set(Page::SignIn);
            replace_url(Page::SignIn);
        } else if !page.needs_session() && signed_in {
            state.page.set(Page::Tasks);
            replace_url(Page::Tasks);
        }
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(state.page.get_untracked().title());
        }
    });

    // The signed-in pages only with a session: mounted without one (a first
    // visit, before the effect above redirects) they would ask the server
    // for tasks and conversations it must refuse.
    let shown = Memo::new(
        move |_| match (state.page.get(), state.session.with(|s| s.is_some())) {
            (Page::SignUp, _) => Shown::SignUp,
            (Page::Tasks | Page::Tokens, true) => Shown::Shell,
            (Page::SignIn | Page::Tasks | Page::Tokens, _) => Shown::SignIn,
        },
    );

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <OfflineBanner/>
        {move || match shown.get() {
            Shown::SignIn => view! { <SignIn/> }.into_any(),
            Shown::SignUp => view! { <SignUp/> }.into_any(),
            Shown::Shell => view! { <Shell/> }.into_any(),
        }}
        <Toasts/>
        <Show when=move || state.help_open.get()>
            <KeyboardHelp/>
        </Show>
    }
}

/// `?`: every shortcut, in a dialog that Esc closes; focus returns to
/// where it was.
#[component]
fn KeyboardHelp() -> impl IntoView {
    let state = app_state();
    let previous = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    let previous = StoredValue::new_local(previous);
    let close = Callback::new(move |_| {
        previous.with_value(|element| {
            if let Some(element) = element {
                let _ = element.focus();
            }
        });
        state.help_open.set(false);
    });
    let escape = keyboard::escape_stack();
    escape.push(u32::MAX - 1, close);
    on_cleanup(move || escape.release(u32::MAX - 1));
    let close_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = close_ref.get() {
            let _ = button.focus();
        }
    });
    view! {
        <div class="dialog-backdrop" on:click=move |_| close.run(())>
            <div class="dialog help-dialog" role="dialog" aria-modal="true" aria-labelledby="help-title"
                on:click=|ev| ev.stop_propagation()>
                <h2 id="help-title">"Keyboard shortcuts"</h2>
                <table class="shortcuts">
                    <tbody>
                        {keyboard::SHORTCUTS.iter().map(|(keys, what)| view! {
                            <tr>
                                <th scope="row">
                                    {keys.iter().enumerate().map(|(i, key)| view! {
                                        {(i > 0).then_some(" or ")}
                                        <kbd>{*key}</kbd>
                                    }).collect_view()}
                                </th>
                                <td>{*what}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <div class="dialog-actions">
                    <button class="button" node_ref=close_ref on:click=move |_| close.run(())>"Close"</button>
                </div>
            </div>
        </div>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    SignIn,
    SignUp,
    Shell,
}

fn replace_url(page: Page) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(page.path()));
    }
}

/// The signed-in layout: header, the page, and the chat beside it.
#[component]
fn Shell() -> impl IntoView {
    let state = app_state();
    let name = move || {
        state
            .session
            .with(|s| s.as_ref().map(|s| s.user.name.clone()).unwrap_or_default())
    };
    let nav = move |page: Page| {
        move |ev: web_sys::MouseEvent| {
            ev.prevent_default();
            state.navigate(page);
        }
    };
    let current = move |page: Page| {
        move || {
            if state.page.get() == page {
                Some("page")
            } else {
                None
            }
        }
    };
    // The assistant mounts once the first frame is painted: the list, what
    // a visit comes for, shows sooner, and start-up is two shorter tasks
    // instead of one long one (traced: the longest start-up task and the
    // largest paint both came sooner).
    let chat_mounted = RwSignal::new(false);
    request_animation_frame(move || {
        set_timeout(
            move || {
                chat_mounted.try_set(true);
            },
            std::time::Duration::ZERO,
        )
    });
    view! {
        <header class="topbar">
            <a class="brand" href="/" on:click=nav(Page::Tasks)>
                <span class="brand-mark" aria-hidden="true">"✓"</span>
                <span>"Todo Chatbot"</span>
            </a>
            <nav class="topnav" aria-label="Main">
                <a href="/" on:click=nav(Page::Tasks) aria-current=current(Page::Tasks)>"Tasks"</a>
                <a href="/tokens" on:click=nav(Page::Tokens) aria-current=current(Page::Tokens)>"Access tokens"</a>
            </nav>
            <div class="topbar-end">
                <button
                    id="chat-toggle"
                    class="button chat-toggle"
                    aria-expanded=move || state.chat_open.get().to_string()
                    aria-controls="chat-panel"
                    on:click=move |_| state.set_chat_open(!state.chat_open.get_untracked())
                >
                    {crate::icons::chat()}
                    <span>"Assistant"</span>
                </button>
                <span class="user-name" title="Signed in">{name}</span>
                <button class="button ghost" on:click=move |_| state.sign_out(None)>"Sign out"</button>
            </div>
        </header>
        <div class="layout" class:chat-open=move || state.chat_open.get()>
            <main id="main" class="content" tabindex="-1">
                {move || match state.page.get() {
                    Page::Tokens => view! { <TokensPage/> }.into_any(),
                    _ => view! { <TasksPage/> }.into_any(),
                }}
            </main>
            {move || chat_mounted.get().then(|| view! { <ChatPanel/> })}
        </div>
    }
}

#[component]
fn OfflineBanner() -> impl IntoView {
    let state = app_state();
    view! {
        <Show when=move || state.offline.get()>
            <div class="offline-banner" role="alert">
                <strong>"Can't reach the server."</strong>
                " Your changes were not saved. Check that it is running, then "
                <button class="link-button" on:click=move |_| {
                    state.offline.set(false);
                    state.tasks_changed.update(|n| *n += 1);
                }>"try again"</button>
                "."
            </div>
        </Show>
    }
}

#[component]
fn Toasts() -> impl IntoView {
    let state = app_state();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || state.toasts.get() key=|toast| toast.id let(toast)>
                <div class="toast" class:error=toast.error>
                    <span>{toast.message.clone()}</span>
                    {toast.action.clone().map(|(label, run)| {
                        let id = toast.id;
                        view! {
                            <button class="toast-action" on:click=move |_| {
                                run();
                                state.dismiss_toast(id);
                            }>{label}</button>
                        }
                    })}
                    <button
                        class="toast-close"
                        aria-label="Dismiss"
                        on:click={
                            let id = toast.id;
                            move |_| state.dismiss_toast(id)
                        }
                    >"×"</button>
                </div>
            </For>
        </div>
    }
}
