//! The quick-add bar: one line of text, read by the domain's parser as the
//! user types, with a chip for each phrase understood. Dismissing a chip
//! keeps that phrase in the title.

use std::ops::Range;

use leptos::prelude::*;
use leptos::task::spawn_local;
use todo_domain::quick_add::{self, MatchKind, ParseContext, QuickAdd};

use crate::api::ApiError;
use crate::keyboard::QUICK_ADD_ID;
use crate::state::app_state;

#[component]
pub fn QuickAddBar(#[prop(into)] on_added: Callback<()>) -> impl IntoView {
    let state = app_state();
    let text = RwSignal::new(String::new());
    // Phrases the user dismissed, with the text they had, so an edit
    // elsewhere in the line keeps them dismissed and an edit to them doesn't.
    let kept = RwSignal::new(Vec::<(Range<usize>, String)>::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);

    let parsed = Memo::new(move |_| {
        let text = text.get();
        let keep_literal = kept.with(|kept| {
            kept.iter()
                .filter(|(range, phrase)| text.get(range.clone()) == Some(phrase.as_str()))
                .map(|(range, _)| range.clone())
                .collect()
        });
        let context = ParseContext {
            now: chrono::Utc::now(),
            tz: state.timezone(),
            keep_literal,
        };
        quick_add::parse(&text, &context)
    });

    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let parsed: QuickAdd = parsed.get_untracked();
        if busy.get_untracked() || text.with_untracked(|t| t.trim().is_empty()) {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match state.client().create_task(&parsed.to_draft()).await {
                Ok(task) => {
                    state.reached();
                    text.set(String::new());
                    kept.set(Vec::new());
                    state.toast(format!("Added “{}”", task.title), false, None);
                    on_added.run(());
                }
                Err(e) => error.set(Some(state.handle(e))),
            }
            busy.set(false);
        });
    };

    let dismiss = move |span: Range<usize>, phrase: String| {
        kept.update(|kept| kept.push((span, phrase)));
        crate::keyboard::focus(QUICK_ADD_ID);
    };

    view! {
        <form class="quick-add" on:submit=submit>
            <label class="visually-hidden" for=QUICK_ADD_ID>"Add a task"</label>
            <div class="quick-add-row">
                <input
                    id=QUICK_ADD_ID
                    type="text"
                    autocomplete="off"
                    placeholder="Add a task… try “Call mom friday 5pm #family p2”"
                    bind:value=text
                    aria-describedby="quick-add-preview quick-add-error"
                    maxlength="400"
                />
                <button class="button primary" type="submit" disabled=move || busy.get()>"Add"</button>
            </div>
            <div id="quick-add-preview" class="quick-add-preview" aria-live="polite">
                <Show when=move || !parsed.with(|p| p.matches.is_empty())>
                    <span class="preview-title">
                        <span class="visually-hidden">"Title: "</span>
                        {move || parsed.with(|p| p.title.clone())}
                    </span>
                    <ul class="chips" aria-label="Understood">
                        <For
                            each=move || parsed.get().matches
                            key=|m| (m.span.start, m.span.end, m.label.clone())
                            let(m)
                        >
                            <li class=format!("chip chip-{}", kind_class(m.kind)) data-kind=kind_class(m.kind)>
                                {kind_icon(m.kind)}
                                <span class="visually-hidden">{format!("{}: ", kind_name(m.kind))}</span>
                                {m.label.clone()}
                                <button
                                    type="button"
                                    class="chip-dismiss"
                                    aria-label=format!("Keep “{}” in the title", m.text)
                                    title="Keep this text in the title"
                                    on:click={
                                        let span = m.span.clone();
                                        let phrase = m.text.clone();
                                        move |_| dismiss(span.clone(), phrase.clone())
                                    }
                                >"×"</button>
                            </li>
                        </For>
                    </ul>
                </Show>
            </div>
            <p id="quick-add-error" class="field-error" role="alert">
                {move || error.get().map(|e| e.field("title").unwrap_or_else(|| e.message()))}
            </p>
        </form>
    }
}

fn kind_class(kind: MatchKind) -> &'static str {
    match kind {
        MatchKind::Date => "date",
        MatchKind::Time => "time",
        MatchKind::Recurrence => "recurrence",
        MatchKind::Priority => "priority",
        MatchKind::Tag => "tag",
    }
}

fn kind_name(kind: MatchKind) -> &'static str {
    match kind {
        MatchKind::Date => "Due",
        MatchKind::Time => "At",
        MatchKind::Recurrence => "Repeats",
        MatchKind::Priority => "Priority",
        MatchKind::Tag => "Tag",
    }
}

fn kind_icon(kind: MatchKind) -> Option<AnyView> {
    match kind {
        MatchKind::Date => Some(crate::icons::calendar().into_any()),
        MatchKind::Time => Some(crate::icons::clock().into_any()),
        MatchKind::Recurrence => Some(crate::icons::repeat().into_any()),
        MatchKind::Priority => Some(crate::icons::flag().into_any()),
        // The label already starts with "#".
        MatchKind::Tag => None,
    }
}
