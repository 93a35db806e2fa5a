//! Personal access tokens for MCP clients and scripts: created here, the
//! secret shown once, revoked here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use todo_domain::token::{CreatedToken, TokenInfo};

use crate::api::ApiError;
use crate::auth::{Field, FormError};
use crate::format::day_of;
use crate::state::app_state;

#[component]
pub fn TokensPage() -> impl IntoView {
    let state = app_state();
    let tokens = RwSignal::new(Vec::<TokenInfo>::new());
    let loaded = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let created = RwSignal::new(None::<CreatedToken>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let copied = RwSignal::new(false);

    let load = move || {
        spawn_local(async move {
            match state.client().list_tokens().await {
                Ok(list) => {
                    state.reached();
                    tokens.set(list);
                }
                Err(e) => error.set(Some(state.handle(e))),
            }
            loaded.set(true);
        });
    };
    load();

    let create = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        copied.set(false);
        let requested = name.get_untracked();
        spawn_local(async move {
            match state.client().create_token(&requested).await {
                Ok(token) => {
                    name.set(String::new());
                    created.set(Some(token));
                    load();
                }
                Err(e) => error.set(Some(state.handle(e))),
            }
            busy.set(false);
        });
    };

    let revoke = move |token: TokenInfo| {
        spawn_local(async move {
            match state.client().revoke_token(token.id).await {
                Ok(()) => {
                    tokens.update(|t| t.retain(|t| t.id != token.id));
                    if created
                        .try_with_untracked(|c| c.as_ref().map(|c| c.info.id))
                        .flatten()
                        == Some(token.id)
                    {
                        created.set(None);
                    }
                    state.toast(format!("Revoked “{}”", token.name), false, None);
                }
                Err(e) => {
                    let e = state.handle(e);
                    state.toast(e.message(), true, None);
                }
            }
        });
    };

    // The clipboard can refuse (no permission, or a page served over plain
    // HTTP has none): then say so rather than claim "Copied".
    let copy = move |secret: String| {
        spawn_local(async move {
            if copy_to_clipboard(&secret).await {
                copied.set(true);
            } else {
                state.toast(
                    "Couldn't copy. Select the token and copy it by hand.",
                    true,
                    None,
                );
            }
        });
    };
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let tz = state.timezone();
    let now = chrono::Utc::now();

    view! {
        <section class="tokens-page" aria-labelledby="tokens-heading">
            <div class="page-head">
                <h1 id="tokens-heading">"Access tokens"</h1>
            </div>
            <p class="lead">
                "A personal access token lets an MCP client (Claude Desktop, Cursor, MCP Inspector) or a script "
                "manage your tasks. Connect it to " <code>{format!("{origin}/mcp")}</code>
                " with the header " <code>"Authorization: Bearer tdc_…"</code> "."
            </p>
            <form class="token-form" on:submit=create>
                <FormError error=error/>
                <Field label="Token name" id="token-name" error=error field="name">
                    <div class="inline-input">
                        <input id="token-name" type="text" bind:value=name placeholder="e.g. Claude Desktop"
                            maxlength="100" required aria-describedby="token-name-error"/>
                        <button class="button primary" type="submit" disabled=move || busy.get()>"Create token"</button>
                    </div>
                </Field>
            </form>
            {move || created.get().map(|token| {
                let secret = token.token.clone();
                view! {
                    <div class="secret-box" role="status">
                        <p><strong>{format!("“{}” created.", token.info.name)}</strong>
                            " Copy the token now: it is shown only once."</p>
                        <div class="secret-row">
                            <code class="secret" data-testid="token-secret">{token.token.clone()}</code>
                            <button class="button" on:click=move |_| copy(secret.clone())>
                                {move || if copied.get() { "Copied" } else { "Copy" }}
                            </button>
                        </div>
                    </div>
                }
            })}
            <h2 class="section-title">"Your tokens"</h2>
            {move || if loaded.get() && tokens.with(|t| t.is_empty()) {
                view! { <p class="muted">"No tokens yet."</p> }.into_any()
            } else {
                view! {
                    <table class="token-table">
                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Token"</th>
                            <th scope="col">"Created"</th><th scope="col">"Last used"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                        <tbody>
                            <For each=move || tokens.get() key=|t| t.id let(token)>
                                <tr>
                                    <td>{token.name.clone()}</td>
                                    <td><code>{token.prefix.clone()}</code></td>
                                    <td>{day_of(token.created_at, tz, now)}</td>
                                    <td>{token.last_used_at.map(|at| day_of(at, tz, now)).unwrap_or_else(|| "Never".into())}</td>
                                    <td>
                                        <button class="button ghost danger-text small"
                                            aria-label=format!("Revoke “{}”", token.name)
                                            on:click={
                                                let token = token.clone();
                                                move |_| revoke(token.clone())
                                            }>"Revoke"</button>
                                    </td>
                                </tr>
                            </For>
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// True once the text is on the clipboard.
async fn copy_to_clipboard(text: &str) -> bool {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return false;
    };
    // Absent outside secure contexts, though web-sys types it as always there.
    let available = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .is_ok_and(|clipboard| !clipboard.is_undefined() && !clipboard.is_null());
    if !available {
        return false;
    }
    wasm_bindgen_futures::JsFuture::from(navigator.clipboard().write_text(text))
        .await
        .is_ok()
}
