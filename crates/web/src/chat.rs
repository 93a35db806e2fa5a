//! The chat panel: beside the list on a wide screen, a drawer on a phone.
//! Replies stream in; each action the assistant took shows as a chip, and
//! the task list refetches when one changed tasks.

use leptos::prelude::*;
use leptos::task::spawn_local;
use todo_domain::chat::Effect as ToolEffect;
use todo_domain::chat::{Action, ChatRequest, Conversation, ConversationId, Outcome, Role};

use crate::api::{ApiError, ChatEvent};
use crate::format::day_of;
use crate::state::app_state;

#[derive(Debug, Clone, PartialEq)]
struct Line {
    id: u32,
    role: Role,
    text: String,
    actions: Vec<Action>,
    streaming: bool,
    error: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum HistoryShown {
    Loading,
    Failed(String),
    Empty,
    Listed,
}

const SUGGESTIONS: [&str; 3] = [
    "add buy milk tomorrow at 9am #shopping",
    "what's due this week?",
    "complete buy milk",
];

#[component]
pub fn ChatPanel() -> impl IntoView {
    let state = app_state();
    let lines = RwSignal::new(Vec::<Line>::new());
    let next_id = StoredValue::new(1u32);
    let conversation = RwSignal::new(None::<ConversationId>);
    // `None` until the first answer; an error stays on show until the next try.
    let history = RwSignal::new(None::<Result<Vec<Conversation>, ApiError>>);
    let show_history = RwSignal::new(false);
    let input = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let log_ref = NodeRef::<leptos::html::Div>::new();

    // Loaded when History opens, not before: nothing is asked of the server
    // that the user did not look at.
    let load_history = move || {
        spawn_local(async move {
            let answer = match state.client().conversations().await {
                Ok(list) => {
                    state.reached();
                    Ok(list.items)
                }
                Err(e) => Err(state.handle(e)),
            };
            history.try_set(Some(answer));
        });
    };
    let listed = Memo::new(move |_| {
        history.with(|h| match h {
            Some(Ok(list)) => list.clone(),
            _ => Vec::new(),
        })
    });
    // What the History panel shows; the list itself is keyed by `listed`.
    let history_shown = Memo::new(move |_| {
        history.with(|h| match h {
            None => HistoryShown::Loading,
            Some(Err(e)) => HistoryShown::Failed(e.message()),
            Some(Ok(list)) if list.is_empty() => HistoryShown::Empty,
            Some(Ok(_)) => HistoryShown::Listed,
        })
    });

    // Keep the newest line in view as text streams in.
    Effect::new(move |_| {
        lines.track();
        if let Some(log) = log_ref.get() {
            log.set_scroll_top(log.scroll_height());
        }
    });

    let push_line = move |role: Role, text: String, streaming: bool| -> u32 {
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        lines.update(|l| {
            l.push(Line {
                id,
                role,
                text,
                actions: Vec::new(),
                streaming,
                error: false,
            })
        });
        id
    };
    let edit_line = move |id: u32, edit: &dyn Fn(&mut Line)| {
        lines.update(|l| {
            if let Some(line) = l.iter_mut().find(|line| line.id == id) {
                edit(line);
            }
        })
    };

    let send = move |message: String| {
        let message = message.trim().to_owned();
        if message.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        input.set(String::new());
        push_line(Role::User, message.clone(), false);
        let reply = push_line(Role::Assistant, String::new(), true);
        let request = ChatRequest {
            message,
            conversation_id: conversation.get_untracked(),
        };
        spawn_local(async move {
            let answer = state
                .client()
                .chat(&request, |event| match event {
                    ChatEvent::Delta(text) => edit_line(reply, &|line| line.text.push_str(&text)),
                    ChatEvent::Action(action) => {
                        if action.is_write() {
                            state.tasks_changed.update(|n| *n += 1);
                        }
                        edit_line(reply, &|line| line.actions.push(action.clone()));
                    }
                })
                .await;
            match answer {
                Ok(response) => {
                    state.reached();
                    let new_conversation = conversation.try_get_untracked().flatten()
                        != Some(response.conversation_id);
                    conversation.set(Some(response.conversation_id));
                    edit_line(reply, &|line| {
                        line.text = response.reply.clone();
                        line.actions = response.actions.clone();
                        line.streaming = false;
                    });
                    if response.actions.iter().any(Action::is_write) {
                        state.tasks_changed.update(|n| *n += 1);
                    }
                    if new_conversation && show_history.get_untracked() {
                        load_history();
                    }
                }
                Err(e) => {
                    let e = state.handle(e);
                    let text = match &e {
                        ApiError::Unreachable => {
                            "I couldn't reach the server. Your message was not sent.".to_owned()
                        }
                        other => other.message(),
                    };
                    edit_line(reply, &|line| {
                        line.text = text.clone();
                        line.streaming = false;
                        line.error = true;
                    });
                }
            }
            busy.set(false);
        });
    };

    let open_conversation = move |id: ConversationId| {
        show_history.set(false);
        spawn_local(async move {
            match state.client().conversation(id).await {
                Ok(detail) => {
                    conversation.set(Some(id));
                    lines.set(Vec::new());
                    for message in detail.messages {
                        let line = push_line(message.role, message.content, false);
                        let actions = message.actions.clone();
                        edit_line(line, &|l| l.actions = actions.clone());
                    }
                }
                Err(e) => {
                    let e = state.handle(e);
                    state.toast(e.message(), true, None);
                }
            }
        });
    };
    let new_chat = move || {
        conversation.set(None);
        lines.set(Vec::new());
        show_history.set(false);
        crate::keyboard::focus("chat-input");
    };
    let delete_conversation = move |id: ConversationId| {
        spawn_local(async move {
            match state.client().delete_conversation(id).await {
                Ok(()) => {
                    history.update(|h| {
                        if let Some(Ok(list)) = h {
                            list.retain(|c| c.id != id);
                        }
                    });
                    if conversation.try_get_untracked().flatten() == Some(id) {
                        conversation.set(None);
                        lines.set(Vec::new());
                    }
                }
                Err(e) => {
                    let e = state.handle(e);
                    state.toast(e.message(), true, None);
                }
            }
        });
    };

    // A suggestion is a start, not an order: it goes into the box to be
    // read, changed and sent (one tap must not complete a task).
    let use_suggestion = move |text: &str| {
        input.set(text.to_owned());
        crate::keyboard::focus("chat-input");
    };

    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        send(input.get_untracked());
    };
    // Enter sends, Shift+Enter starts a new line.
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send(input.get_untracked());
        }
    };
    let tz = state.timezone();

    view! {
        <aside id="chat-panel" class="chat-panel" aria-labelledby="chat-heading">
            <div class="chat-head">
                <h2 id="chat-heading">"Assistant"</h2>
                <div class="chat-head-actions">
                    <button class="button ghost small" aria-expanded=move || show_history.get().to_string()
                        aria-controls="chat-history" on:click=move |_| {
                            show_history.update(|s| *s = !*s);
                            if show_history.get_untracked() {
                                load_history();
                            }
                        }>"History"</button>
                    <button class="button ghost small" on:click=move |_| new_chat()>"New chat"</button>
                    <button class="icon-button chat-close" aria-label="Close the assistant"
                        on:click=move |_| state.set_chat_open(false)>"×"</button>
                </div>
            </div>
            <Show when=move || show_history.get()>
                <div id="chat-history" class="chat-history">
                    <h3 class="visually-hidden">"Conversations"</h3>
                    {move || match history_shown.get() {
                        HistoryShown::Loading => view! { <p class="muted">"Loading conversations…"</p> }.into_any(),
                        HistoryShown::Failed(message) => view! {
                            <div class="form-error" role="alert">
                                <p>"Couldn't load your conversations. " {message}</p>
                                <button class="button small" on:click=move |_| load_history()>"Try again"</button>
                            </div>
                        }.into_any(),
                        HistoryShown::Empty => view! { <p class="muted">"No conversations yet."</p> }.into_any(),
                        HistoryShown::Listed => view! {
                            <ul>
                                <For each=move || listed.get() key=|c| (c.id, c.updated_at) let(c)>
                                    <li class:current=move || conversation.get() == Some(c.id)>
                                        <button class="history-open" on:click=move |_| open_conversation(c.id)>
                                            <span class="history-title">{c.title.clone()}</span>
                                            <span class="muted">{day_of(c.updated_at, tz, chrono::Utc::now())}</span>
                                        </button>
                                        <button class="icon-button danger" aria-label=format!("Delete conversation “{}”", c.title)
                                            on:click=move |_| delete_conversation(c.id)>"×"</button>
                                    </li>
                                </For>
                            </ul>
                        }.into_any()
                    }}
                </div>
            </Show>
            // Focusable, so a keyboard can scroll back through a long conversation.
            <div class="chat-log" node_ref=log_ref role="log" aria-live="polite" aria-label="Conversation" tabindex="0">
                <Show when=move || lines.with(|l| l.is_empty())>
                    <div class="chat-welcome">
                        <p>"Ask me to add, find, change or complete tasks."</p>
                        <ul class="suggestions">
                            {SUGGESTIONS.iter().map(|s| view! {
                                <li><button class="suggestion" on:click=move |_| use_suggestion(s)>{*s}</button></li>
                            }).collect_view()}
                        </ul>
                    </div>
                </Show>
                <For each=move || lines.get() key=|l| (l.id, l.text.len(), l.actions.len(), l.streaming) let(line)>
                    <ChatLine line=line/>
                </For>
            </div>
            <form class="chat-form" on:submit=on_submit>
                <label class="visually-hidden" for="chat-input">"Message the assistant"</label>
                <textarea id="chat-input" rows="1" placeholder="Message the assistant…" bind:value=input
                    on:keydown=on_keydown maxlength="4000"></textarea>
                <button class="button primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "…" } else { "Send" }}
                </button>
            </form>
        </aside>
    }
}

#[component]
fn ChatLine(line: Line) -> impl IntoView {
    let from_user = line.role == Role::User;
    let waiting = line.streaming && line.text.is_empty();
    let shown = shown_actions(&line.actions);
    view! {
        <div class="message" class:from-user=from_user class:from-assistant=!from_user class:error=line.error
            class:streaming=line.streaming>
            <span class="visually-hidden">{if from_user { "You: " } else { "Assistant: " }}</span>
            {if waiting {
                view! { <span class="typing" aria-label="The assistant is answering"><i></i><i></i><i></i></span> }.into_any()
            } else {
                view! { <p class="message-text">{line.text.clone()}</p> }.into_any()
            }}
            {(!shown.is_empty()).then(|| view! {
                <ul class="action-chips" aria-label="What the assistant did">
                    {shown.iter().map(|action| view! {
                        <li class="action-chip" class:failed=!action.ok() data-tool=action.tool.clone()>
                            <span aria-hidden="true">{if action.ok() { "✓ " } else { "⚠ " }}</span>
                            {action_label(action)}
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}

/// The actions worth a chip: those that changed (or tried to change) a
/// task; in a turn that changed nothing, the look-up that answered it (the
/// last). Look-ups made to find a task to change are the assistant's own
/// business, and their counts would contradict the reply.
fn shown_actions(actions: &[Action]) -> Vec<&Action> {
    let changes: Vec<&Action> = actions
        .iter()
        .filter(|a| a.outcome.effect() != ToolEffect::List)
        .collect();
    if changes.is_empty() {
        actions.last().into_iter().collect()
    } else {
        changes
    }
}

/// "Added “Buy milk”", "Completed “Pay rent”", "Looked up your tasks".
fn action_label(action: &Action) -> String {
    // A failed call has no task: the title it was asked for, if any.
    let title = match &action.outcome {
        Outcome::Failed { .. } => action.arguments.get("title").and_then(|t| t.as_str()),
        outcome => outcome.task().map(|t| t.title.as_str()),
    }
    .map(|t| format!(" “{t}”"))
    .unwrap_or_default();
    match &action.outcome {
        Outcome::Added { .. } => format!("Added{title}"),
        Outcome::Completed { .. } => format!("Completed{title}"),
        Outcome::Deleted { .. } => format!("Deleted{title}"),
        Outcome::Updated { .. } => format!("Updated{title}"),
        Outcome::Cleared { count: 1 } => "Cleared 1 completed task".into(),
        Outcome::Cleared { count } => format!("Cleared {count} completed tasks"),
        // No count: the reply says how many, after its own narrowing.
        Outcome::Listed { .. } => "Looked up your tasks".into(),
        Outcome::Failed { effect, .. } => {
            let verb = match effect {
                ToolEffect::Add => "add",
                ToolEffect::Complete => "complete",
                ToolEffect::Delete => "delete",
                ToolEffect::Update => "update",
                ToolEffect::List => "look up tasks",
            };
            format!("Couldn't {verb}{title}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn task(title: &str) -> Value {
        json!({
            "id": 1, "title": title, "description": "", "completed": false,
            "completed_at": null, "priority": "none", "tags": [], "due_at": null,
            "all_day": false, "recurrence": null,
            "created_at": "2026-11-21T10:00:00Z", "updated_at": "2026-11-21T10:00:00Z"
        })
    }

    /// An action as the server sends it.
    fn action(tool: &str, ok: bool, result: Value) -> Action {
        serde_json::from_value(json!({"tool": tool, "arguments": {"title": "Buy milk"},
            "ok": ok, "result": result}))
        .unwrap()
    }

    #[test]
    fn labels_actions_by_what_they_did() {
        assert_eq!(
            action_label(&action("add_task", true, json!({"task": task("Buy milk")}))),
            "Added “Buy milk”"
        );
        assert_eq!(
            action_label(&action(
                "list_tasks",
                true,
                json!({"tasks": [], "total": 3})
            )),
            "Looked up your tasks"
        );
        assert_eq!(
            action_label(&action("delete_task", false, json!({"error": "no"}))),
            "Couldn't delete “Buy milk”"
        );
    }

    fn tools(actions: Vec<&Action>) -> Vec<&str> {
        actions.iter().map(|a| a.tool.as_str()).collect()
    }

    #[test]
    fn look_ups_made_to_change_a_task_get_no_chip() {
        let list = || action("list_tasks", true, json!({"tasks": [], "total": 0}));
        let complete = action(
            "complete_task",
            true,
            json!({"task": task("Milk"), "next": null}),
        );
        let turn = [list(), list(), complete];
        assert_eq!(tools(shown_actions(&turn)), ["complete_task"]);
        let answer = [list(), list()];
        assert_eq!(tools(shown_actions(&answer)), ["list_tasks"]);
        assert!(shown_actions(&[]).is_empty());
    }
}
