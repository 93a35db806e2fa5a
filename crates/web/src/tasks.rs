//! The task list: views (Today, Upcoming, All, tags), quick-add, filters,
//! search and sort, rows with a complete toggle, inline editing of every
//! field, delete with undo, clear completed.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, NaiveTime, Timelike, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use todo_domain::query::TaskQueryParams;
use todo_domain::{Due, Priority, Recurrence, Task, TaskId, TaskPatch};

use crate::api::ApiError;
use crate::auth::Field;
use crate::format::{due_label, is_overdue};
use crate::keyboard::{escape_stack, SEARCH_ID, TAG_FILTER_ID};
use crate::quick_add::QuickAddBar;
use crate::repeat::{CustomRepeat, UNITS, WEEKDAYS};
use crate::state::{app_state, AppState};
use crate::views::{self, View};

/// How long a deleted task can be brought back.
const UNDO_MS: u64 = 6000;
const PAGE_SIZE: u32 = 100;

/// A filter's value when the URL does not name it.
fn default_of(key: &str) -> &'static str {
    match key {
        "status" => "pending",
        "sort" => "created",
        _ => "",
    }
}

/// Filter values as a URL query, defaults left out: "?status=all&tag=home"
/// ("" when every one is its default). The page's URL and the views' links
/// are both written by it.
pub(crate) fn query_of(pairs: impl IntoIterator<Item = (&'static str, String)>) -> String {
    let pairs: Vec<String> = pairs
        .into_iter()
        .filter(|(key, value)| !value.is_empty() && value != default_of(key))
        .map(|(key, value)| {
            format!(
                "{key}={}",
                String::from(js_sys::encode_uri_component(&value))
            )
        })
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Filters {
    /// A [`View`]'s URL value: "" (All), "today", "upcoming".
    pub(crate) view: RwSignal<String>,
    status: RwSignal<String>,
    q: RwSignal<String>,
    pub(crate) tag: RwSignal<String>,
    priority: RwSignal<String>,
    due: RwSignal<String>,
    sort: RwSignal<String>,
}

impl Filters {
    fn new() -> Self {
        Self {
            view: RwSignal::new(String::new()),
            status: RwSignal::new(default_of("status").into()),
            q: RwSignal::new(String::new()),
            tag: RwSignal::new(String::new()),
            priority: RwSignal::new(String::new()),
            due: RwSignal::new(String::new()),
            sort: RwSignal::new(default_of("sort").into()),
        }
    }

    pub(crate) fn view(&self) -> View {
        self.view.with(|v| View::from_param(v))
    }

    /// What to ask the server for; `today` is the user's local date.
    fn params(&self, today: NaiveDate) -> TaskQueryParams {
        let some = |s: String| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let mut params = TaskQueryParams {
            status: some(self.status.get()),
            q: some(self.q.get()),
            tag: some(self.tag.get()),
            priority: some(self.priority.get()),
            due: some(self.due.get()),
            sort: some(self.sort.get()),
            limit: Some(PAGE_SIZE.to_string()),
            ..TaskQueryParams::default()
        };
        self.view().narrow(&mut params, today);
        params
    }

    /// Shows a view (and a tag's list, for `tag`), every other filter back
    /// to its default: one history entry.
    pub(crate) fn show(&self, view: View, tag: &str) {
        self.set_each(|key| match key {
            "view" => view.param().to_owned(),
            "tag" => tag.to_owned(),
            key => default_of(key).to_owned(),
        });
    }

    /// The filters as the URL's query, defaults left out: "?status=all&tag=home".
    fn query(&self) -> String {
        query_of(self.fields().map(|(key, signal)| (key, signal.get())))
    }

    /// Sets every filter from the page's URL (a reload, a shared link, back
    /// or forward).
    fn read_url(&self) {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
            return;
        };
        self.set_each(|key| {
            params
                .get(key)
                .unwrap_or_else(|| default_of(key).to_owned())
        });
    }

    /// Gives each filter `value(key)`; a filter that already has it is left
    /// alone, so nothing refetches for it.
    fn set_each(&self, value: impl Fn(&str) -> String) {
        for (key, signal) in self.fields() {
            let value = value(key);
            if signal.with_untracked(|v| *v != value) {
                signal.set(value);
            }
        }
    }

    fn fields(&self) -> [(&'static str, RwSignal<String>); 7] {
        [
            ("view", self.view),
            ("status", self.status),
            ("q", self.q),
            ("tag", self.tag),
            ("priority", self.priority),
            ("due", self.due),
            ("sort", self.sort),
        ]
    }

    fn narrowed(&self) -> bool {
        !self.q.get().is_empty()
            || !self.tag.get().is_empty()
            || !self.priority.get().is_empty()
            || (self.view() == View::All && !self.due.get().is_empty())
    }

    fn reset(&self) {
        self.q.set(String::new());
        self.tag.set(String::new());
        self.priority.set(String::new());
        self.due.set(String::new());
    }
}

/// The list's shared handles.
#[derive(Clone, Copy)]
pub(crate) struct ListState {
    tasks: RwSignal<Vec<Task>>,
    /// The listing's `total` and `total_capped`.
    total: RwSignal<(i64, bool)>,
    loaded: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    /// Deleted in the UI, still waiting out the undo delay.
    pending_delete: RwSignal<Vec<TaskId>>,
    editing: RwSignal<Option<TaskId>>,
    /// The row that takes focus when it shows again, once the editor
    /// closes: any version of the task (`None`), or the one just saved.
    focus_row: RwSignal<Option<(TaskId, Option<DateTime<Utc>>)>>,
    pub(crate) reload: RwSignal<u32>,
    pub(crate) known_tags: RwSignal<BTreeSet<String>>,
}

impl ListState {
    /// Refetches; nothing when the list is gone (a late answer).
    fn refresh(&self) {
        self.reload.try_update(|n| *n += 1);
    }
}

#[component]
pub fn TasksPage() -> impl IntoView {
    let state = app_state();
    let filters = Filters::new();
    let list = ListState {
        tasks: RwSignal::new(Vec::new()),
        total: RwSignal::new((0, false)),
        loaded: RwSignal::new(false),
        error: RwSignal::new(None),
        pending_delete: RwSignal::new(Vec::new()),
        editing: RwSignal::new(None),
        focus_row: RwSignal::new(None),
        reload: RwSignal::new(0),
        known_tags: RwSignal::new(BTreeSet::new()),
    };
    let sequence = StoredValue::new(0u32);

    // The filters live in the URL too: a reload, a shared link, back and
    // forward all show the same list. Typing a search replaces the entry;
    // other changes add one.
    filters.read_url();
    let on_popstate = window_event_listener(leptos::ev::popstate, move |_| filters.read_url());
    on_cleanup(move || on_popstate.remove());
    Effect::new(move |previous: Option<(String, String)>| {
        let query = filters.query();
        let search = filters.q.get();
        let location = web_sys::window().map(|w| w.location());
        let shown = location
            .as_ref()
            .and_then(|l| l.search().ok())
            .unwrap_or_default();
        let path = location
            .as_ref()
            .and_then(|l| l.pathname().ok())
            .unwrap_or_else(|| "/".into());
        if previous.is_some() && shown != query {
            let url = format!("{path}{query}");
            if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                let typing = previous.is_some_and(|(_, before)| before != search);
                let _ = if typing {
                    history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
                } else {
                    history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
                };
            }
        }
        (query, search)
    });

    // Refetch on any filter change, on a local change, and when the chat
    // changed tasks. Answers that arrive out of order are dropped.
    Effect::new(move |_| {
        let params = filters.params(state.timezone().today(Utc::now()));
        list.reload.track();
        state.tasks_changed.track();
        let ticket = sequence.get_value() + 1;
        sequence.set_value(ticket);
        spawn_local(async move {
            let answer = state.client().list_tasks(&params).await;
            // A newer request is on its way, or the page is gone.
            if sequence.try_get_value() != Some(ticket) {
                return;
            }
            match answer {
                Ok(page) => {
                    state.reached();
                    list.known_tags.update(|known| {
                        known.extend(
                            page.items
                                .iter()
                                .flat_map(|t| t.tags.iter().map(|t| t.to_string())),
                        );
                    });
                    list.tasks.set(page.items);
                    list.total.set((page.total, page.total_capped));
                    list.error.set(None);
                }
                Err(e) => list.error.set(Some(state.handle(e))),
            }
            list.loaded.set(true);
        });
    });

    // Deletions still waiting when the page goes away are sent anyway; the
    // listener lives as long as this page does.
    let on_pagehide = window_event_listener(leptos::ev::pagehide, move |_| {
        let client = state.client();
        for id in list.pending_delete.try_get_untracked().unwrap_or_default() {
            client.delete_task_on_unload(id);
        }
    });
    on_cleanup(move || on_pagehide.remove());

    let visible = Memo::new(move |_| {
        let hidden = list.pending_delete.get();
        list.tasks.with(|tasks| {
            tasks
                .iter()
                .filter(|t| !hidden.contains(&t.id))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let confirm_clear = RwSignal::new(false);
    let groups = Memo::new(move |_| {
        let view = filters.view();
        visible.with(|tasks| views::group(view, tasks, state.timezone(), Utc::now()))
    });
    let heading = move || filters.tag.with(|tag| filters.view().name(tag));

    view! {
        <div class="tasks-layout">
        <views::ViewNav filters=filters list=list/>
        <section class="tasks-page" aria-labelledby="tasks-heading">
            <div class="page-head">
                <h1 id="tasks-heading">{heading}</h1>
                <p class="count" aria-live="polite">
                    {move || {
                        let shown = visible.with(|v| v.len());
                        let (total, capped) = list.total.get();
                        let total = total - (list.tasks.with(|t| t.len()) - shown) as i64;
                        match (total, capped) {
                            (0, false) => String::new(),
                            (1, false) => "1 task".into(),
                            (n, capped) => format!("{} tasks", views::count_text(n, capped)),
                        }
                    }}
                </p>
            </div>
            <QuickAddBar on_added=move |_| list.refresh()/>
            <FilterBar filters=filters list=list on_clear=move || confirm_clear.set(true)/>
            {move || list.error.get().filter(|e| *e != ApiError::Unreachable).map(|e| view! {
                <p class="form-error" role="alert">{e.message()}</p>
            })}
            <div class="task-groups" aria-busy=move || (!list.loaded.get()).to_string()>
                <For
                    each=move || groups.with(|gs| gs.iter().map(|g| (g.key.clone(), g.heading.clone())).collect::<Vec<_>>())
                    key=|group| group.clone()
                    let((key, heading))
                >
                    <TaskGroup key=key heading=heading groups=groups list=list filters=filters/>
                </For>
            </div>
            <Show when=move || list.loaded.get() && visible.with(|v| v.is_empty())>
                <EmptyState filters=filters/>
            </Show>
            <Show when=move || confirm_clear.get()>
                <ClearCompletedDialog open=confirm_clear list=list/>
            </Show>
        </section>
        </div>
    }
}

/// One group of rows under its heading (Overdue, Today, a day), or the
/// whole list in the All view. Rows stay in place across refetches.
#[component]
fn TaskGroup(
    key: String,
    heading: Option<String>,
    groups: Memo<Vec<views::Group>>,
    list: ListState,
    filters: Filters,
) -> impl IntoView {
    let heading_id = format!("group-{key}");
    let tasks = move || {
        groups.with(|gs| {
            gs.iter()
                .find(|g| g.key == key)
                .map(|g| g.tasks.clone())
                .unwrap_or_default()
        })
    };
    // Named by its heading; the one list of the All view by the page's.
    let labelled = if heading.is_some() {
        heading_id.clone()
    } else {
        "tasks-heading".to_owned()
    };
    let overdue = heading_id == "group-overdue";
    view! {
        <section class="task-group">
            {heading.map(|text| view! {
                <h2 class="group-heading" class:overdue=overdue id=heading_id.clone()>{text}</h2>
            })}
            <ul class="task-list" aria-labelledby=labelled>
                <For each=tasks key=|t| (t.id, t.updated_at, t.completed) let(task)>
                    <TaskItem task=task list=list filters=filters/>
                </For>
            </ul>
        </section>
    }
}

#[component]
fn EmptyState(filters: Filters) -> impl IntoView {
    view! {
        <div class="empty">
            {move || if filters.narrowed() {
                view! {
                    <p>"No task matches these filters."</p>
                    <button class="button" on:click=move |_| filters.reset()>"Clear filters"</button>
                }.into_any()
            } else if filters.status.get() == "completed" && filters.view() == View::All {
                view! { <p>"Nothing completed yet."</p> }.into_any()
            } else {
                // One shape for every view's words: each shape costs code.
                let (title, text) = match filters.view() {
                    View::Today => ("Nothing due today.", "Tasks due today, and any left overdue, show here."),
                    View::Upcoming => ("Nothing planned.", "Tasks due after today show here, day by day."),
                    View::All => ("All clear.", "Type a task above — dates, times, “every monday”, “p1” and “#tags” are understood — or ask the assistant."),
                };
                view! {
                    <p class="empty-title">{title}</p>
                    <p>{text}</p>
                }.into_any()
            }}
        </div>
    }
}

#[component]
fn FilterBar(
    filters: Filters,
    list: ListState,
    #[prop(into)] on_clear: Callback<()>,
) -> impl IntoView {
    let status_button = move |value: &'static str, label: &'static str| {
        view! {
            <button
                type="button"
                class="segment"
                aria-pressed=move || (filters.status.get() == value).to_string()
                on:click=move |_| filters.status.set(value.into())
            >{label}</button>
        }
    };
    let tag_choices = Signal::derive(move || {
        let mut tags = list.known_tags.get();
        // A tag from the URL is a choice before any task shows it.
        let current = filters.tag.get();
        if !current.is_empty() {
            tags.insert(current);
        }
        let mut choices = vec![(String::new(), "Any tag".to_owned())];
        choices.extend(tags.into_iter().map(|tag| (tag.clone(), format!("#{tag}"))));
        choices
    });
    // Today and Upcoming fix the status, the due window and the order.
    let all_view = move || filters.view() == View::All;
    // Phones fold everything but the search into one button.
    let unfolded = RwSignal::new(false);
    let narrowing = move || {
        [filters.priority, filters.tag, filters.due]
            .iter()
            .filter(|f| f.with(|v| !v.is_empty()))
            .count()
    };
    view! {
        <div class="filters" class:folded=move || !unfolded.get() role="search">
            <div class="segmented foldable" role="group" aria-label="Status" hidden=move || !all_view()>
                {status_button("pending", "Open")}
                {status_button("completed", "Done")}
                {status_button("all", "All")}
            </div>
            <div class="filter-search">
                <label class="visually-hidden" for=SEARCH_ID>"Search tasks"</label>
                <input id=SEARCH_ID type="search" placeholder="Search" bind:value=filters.q autocomplete="off"
                    aria-keyshortcuts="/"/>
                // The shortcut, for keyboards; hidden on touch screens.
                <kbd class="key-hint" aria-hidden="true">"/"</kbd>
            </div>
            <button type="button" class="button filters-toggle" aria-controls="filter-selects"
                aria-expanded=move || unfolded.get().to_string() on:click=move |_| unfolded.update(|u| *u = !*u)>
                {move || match narrowing() {
                    0 => "Filters".to_owned(),
                    n => format!("Filters ({n})"),
                }}
            </button>
            <div class="filter-selects foldable" id="filter-selects">
                <FilterSelect label="Due" value=filters.due options=DUE_CHOICES hidden=Signal::derive(move || !all_view())/>
                <FilterSelect label="Priority" value=filters.priority options=priority_choices()/>
                <FilterSelect label="Tag" value=filters.tag options=tag_choices id=TAG_FILTER_ID/>
                <FilterSelect label="Sort by" value=filters.sort options=SORT_CHOICES hidden=Signal::derive(move || !all_view())/>
            </div>
            <Show when=move || all_view() && filters.status.get() != "pending">
                <button type="button" class="button ghost danger-text foldable" on:click=move |_| on_clear.run(())>
                    "Clear completed"
                </button>
            </Show>
        </div>
    }
}

const DUE_CHOICES: &[(&str, &str)] = &[
    ("", "Any date"),
    ("today", "Due today"),
    ("week", "Next 7 days"),
    ("overdue", "Overdue"),
    ("none", "No date"),
];
/// Any, then urgent down to none, in the domain's words.
fn priority_choices() -> Signal<Vec<(String, String)>> {
    let mut choices = vec![(String::new(), "Any priority".to_owned())];
    choices.extend(Priority::ALL.iter().rev().map(|p| {
        let label = match p {
            Priority::None => todo_domain::words::priority_caption(*p),
            p => p.label().to_owned(),
        };
        (p.as_str().to_owned(), label)
    }));
    Signal::stored(choices)
}
const SORT_CHOICES: &[(&str, &str)] = &[
    ("created", "Newest first"),
    ("due", "Due date"),
    ("priority", "Priority"),
    ("title", "Title A–Z"),
];

fn choices(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
        .collect()
}

/// One filter: a labelled select bound to a filter value.
#[component]
fn FilterSelect(
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] options: ChoiceList,
    #[prop(optional)] id: Option<&'static str>,
    /// Out of the way (and of the accessibility tree) while a view fixes it.
    #[prop(optional)]
    hidden: Signal<bool>,
) -> impl IntoView {
    view! {
        <label hidden=move || hidden.get()>
            <span class="visually-hidden">{label}</span>
            <select id=id aria-label=label prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))>
                <For each=move || options.get() key=|(v, l)| (v.clone(), l.clone()) let((choice, text))>
                    // Selected by the option itself: the select's value is
                    // set before its options exist (a filter from the URL).
                    <option value=choice.clone() selected=move || value.with(|v| *v == choice)>{text}</option>
                </For>
            </select>
        </label>
    }
}

/// A select's `(value, label)` choices: fixed, or derived (the tags seen).
#[derive(Clone, Copy)]
struct ChoiceList(Signal<Vec<(String, String)>>);

impl ChoiceList {
    fn get(&self) -> Vec<(String, String)> {
        self.0.get()
    }
}

impl From<&'static [(&'static str, &'static str)]> for ChoiceList {
    fn from(list: &'static [(&'static str, &'static str)]) -> Self {
        Self(Signal::stored(choices(list)))
    }
}

impl From<Signal<Vec<(String, String)>>> for ChoiceList {
    fn from(signal: Signal<Vec<(String, String)>>) -> Self {
        Self(signal)
    }
}

#[component]
fn TaskItem(task: Task, list: ListState, filters: Filters) -> impl IntoView {
    let id = task.id;
    let editing = move || list.editing.get() == Some(id);
    let task = StoredValue::new(task);
    view! {
        <li class="task-item">
            {move || if editing() {
                view! { <TaskEditor task=task.get_value() list=list/> }.into_any()
            } else {
                view! { <TaskRow task=task.get_value() list=list filters=filters/> }.into_any()
            }}
        </li>
    }
}

#[component]
fn TaskRow(task: Task, list: ListState, filters: Filters) -> impl IntoView {
    let state = app_state();
    let tz = state.timezone();
    let now = Utc::now();
    let id = task.id;
    let title = task.title.clone();
    let completed = task.completed;
    let overdue = is_overdue(&task, tz, now);
    let due = task.due.map(|due| due_label(due, tz, now));
    // Today and tomorrow stand out from other dates, as overdue does.
    let soon = task
        .due
        .map(|due| (due.local_date(tz) - tz.today(now)).num_days());
    let recurrence = task.recurrence.as_ref().map(Recurrence::describe);
    let priority = task.priority;
    let busy = RwSignal::new(false);
    // Completing plays a short animation (app.css; none when the user
    // prefers reduced motion) before the list refreshes and the row leaves.
    let completing = RwSignal::new(false);

    let toggle = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let animate = !completed && !prefers_reduced_motion();
        completing.set(animate);
        spawn_local(async move {
            match state.client().set_completed(id, !completed).await {
                Ok(_) => {
                    state.reached();
                    if animate {
                        set_timeout(move || list.refresh(), COMPLETION_ANIMATION);
                    } else {
                        list.refresh();
                    }
                }
                Err(e) => {
                    completing.try_set(false);
                    state.handle(e.clone());
                    state.toast(e.message(), true, None);
                }
            }
            busy.try_set(false);
        });
    };

    let delete = {
        let title = title.clone();
        move |_| delete_with_undo(state, list, id, title.clone())
    };

    // Back from the editor: focus returns here rather than to the page.
    let title_ref = NodeRef::<leptos::html::Button>::new();
    let version = task.updated_at;
    Effect::new(move |_| {
        let Some(button) = title_ref.get() else {
            return;
        };
        let wanted = list.focus_row.get_untracked();
        if matches!(wanted, Some((row, at)) if row == id && at.is_none_or(|at| at == version)) {
            list.focus_row.set(None);
            let _ = button.focus();
        }
    });

    let tags: Vec<String> = task.tags.iter().map(|t| t.to_string()).collect();
    let description = task.description.clone();
    view! {
        <div class="task-row" class:done=completed class:overdue=overdue class:completing=completing
            data-task-id=id.to_string()>
            <input
                type="checkbox"
                class=format!("task-check prio-{}", priority.as_str())
                prop:checked=completed
                disabled=move || busy.get()
                on:change=toggle
                aria-label=format!("{} “{}”", if completed { "Reopen" } else { "Complete" }, title)
            />
            <div class="task-body">
                <button class="task-title" node_ref=title_ref title="Edit" on:click=move |_| {
                    list.focus_row.set(None);
                    list.editing.set(Some(id));
                }>
                    <span class="visually-hidden">"Edit "</span>
                    {title.clone()}
                </button>
                {(!description.is_empty()).then(|| view! { <p class="task-description">{description.clone()}</p> })}
                <div class="task-meta">
                    {due.map(|due| view! {
                        <span class="meta meta-due" class:overdue=overdue
                            class:today=!overdue && soon == Some(0) class:tomorrow=soon == Some(1)>
                            {crate::icons::calendar()}
                            {if overdue { format!("Overdue · {due}") } else { due }}
                        </span>
                    })}
                    {recurrence.map(|r| view! { <span class="meta meta-recurrence">{crate::icons::repeat()}{r}</span> })}
                    {(priority != Priority::None).then(|| view! {
                        <span class=format!("meta priority priority-{}", priority.as_str())>{priority.label()}</span>
                    })}
                    {tags.into_iter().map(|tag| {
                        let value = tag.clone();
                        view! {
                            <button class="meta tag" on:click=move |_| filters.tag.set(value.clone())
                                title="Show tasks with this tag">{format!("#{tag}")}</button>
                        }
                    }).collect_view()}
                </div>
            </div>
            <button class="icon-button danger" on:click=delete aria-label=format!("Delete “{}”", task.title) title="Delete">
                <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="currentColor" d="M9 3h6l1 2h4v2H4V5h4l1-2zm-3 6h12l-1 12H7L6 9zm4 2v8h2v-8h-2zm4 0v8h2v-8h-2z"/></svg>
            </button>
        </div>
    }
}

/// How long completing a task animates (app.css: `.task-row.completing`).
const COMPLETION_ANIMATION: std::time::Duration = std::time::Duration::from_millis(450);

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|query| query.matches())
}

/// Hides the task at once and deletes it when the undo delay is over. The
/// deletion is sent even if the list went away meanwhile (another page), so
/// the list's signals are only touched with `try_` accessors here.
fn delete_with_undo(state: AppState, list: ListState, id: TaskId, title: String) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    list.pending_delete.update(|p| p.push(id));
    let undone = Arc::new(AtomicBool::new(false));
    let undo: Arc<dyn Fn() + Send + Sync> = {
        let undone = undone.clone();
        Arc::new(move || {
            undone.store(true, Ordering::Relaxed);
            list.pending_delete.try_update(|p| p.retain(|i| *i != id));
        })
    };
    state.toast(
        format!("Deleted “{title}”"),
        false,
        Some(("Undo".into(), undo)),
    );
    set_timeout(
        move || {
            if undone.load(Ordering::Relaxed) {
                return;
            }
            spawn_local(async move {
                let result = state.client().delete_task(id).await;
                list.pending_delete.try_update(|p| p.retain(|i| *i != id));
                match result {
                    Ok(()) => list.refresh(),
                    Err(ApiError::Problem(p)) if p.code == "task_not_found" => list.refresh(),
                    Err(e) => {
                        state.handle(e.clone());
                        state.toast(
                            format!("“{title}” was not deleted: {}", e.message()),
                            true,
                            None,
                        );
                    }
                }
            });
        },
        std::time::Duration::from_millis(UNDO_MS),
    );
}

/// The repeat choices the editor names; others are "every N units", or, for
/// rules those controls cannot show, kept as they are.
const REPEATS: [(&str, &str); 7] = [
    ("", "Doesn't repeat"),
    ("FREQ=DAILY", "Every day"),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Every weekday"),
    ("FREQ=WEEKLY", "Every week"),
    ("FREQ=WEEKLY;INTERVAL=2", "Every 2 weeks"),
    ("FREQ=MONTHLY", "Every month"),
    ("FREQ=YEARLY", "Every year"),
];
const CUSTOM: &str = "custom";
/// A rule the controls cannot show (COUNT, BYMONTHDAY…), left unchanged.
const KEEP: &str = "keep";

#[component]
fn TaskEditor(task: Task, list: ListState) -> impl IntoView {
    let state = app_state();
    let tz = state.timezone();
    let id = task.id;
    let (date, time) = match task.due {
        // Display is ISO 8601 (2026-12-03), what a date input takes; no
        // strftime in the download.
        Some(Due::Date(date)) => (date.to_string(), String::new()),
        Some(Due::At(at)) => {
            let local = tz.local(at);
            (
                local.date().to_string(),
                format!("{:02}:{:02}", local.hour(), local.minute()),
            )
        }
        None => (String::new(), String::new()),
    };
    let rule = task
        .recurrence
        .as_ref()
        .map(|r| r.as_str().to_owned())
        .unwrap_or_default();
    let custom = CustomRepeat::from_rule(&rule);
    let preset = if REPEATS.iter().any(|(r, _)| *r == rule) {
        rule.clone()
    } else if custom.is_some() {
        CUSTOM.to_owned()
    } else {
        KEEP.to_owned()
    };
    let custom = custom.unwrap_or_default();
    let kept_rule = (preset == KEEP).then(|| rule.clone());

    let title = RwSignal::new(task.title.clone());
    let description = RwSignal::new(task.description.clone());
    let priority = RwSignal::new(task.priority.as_str().to_owned());
    let tags = RwSignal::new(
        task.tags
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );
    let due_date = RwSignal::new(date);
    let due_time = RwSignal::new(time);
    let repeat = RwSignal::new(preset);
    let every = RwSignal::new(custom.every.to_string());
    let unit = RwSignal::new(custom.unit);
    let weekdays = RwSignal::new(custom.days);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);

    let escape = escape_stack();
    let close = Callback::new(move |_| {
        list.focus_row.set(Some((id, None)));
        list.editing.set(None);
    });
    escape.push(id as u32, close);
    on_cleanup(move || escape.release(id as u32));

    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let recurrence = match repeat.get_untracked().as_str() {
            "" => None,
            // Not a number: 0, which the server refuses next to the field.
            CUSTOM => Some(
                CustomRepeat {
                    unit: unit.get_untracked(),
                    every: every.get_untracked().trim().parse().unwrap_or(0),
                    days: weekdays.get_untracked(),
                }
                .to_rule(),
            ),
            KEEP => Some(rule.clone()),
            preset => Some(preset.to_owned()),
        };
        let patch = TaskPatch {
            title: Some(title.get_untracked()),
            description: Some(description.get_untracked()),
            priority: Some(priority.get_untracked()),
            tags: Some(
                tags.get_untracked()
                    .split([' ', ','])
                    .map(|t| t.trim().trim_start_matches('#').to_owned())
                    .filter(|t| !t.is_empty())
                    .collect(),
            ),
            due_at: Some(due_value(
                &due_date.get_untracked(),
                &due_time.get_untracked(),
                tz,
            )),
            all_day: None,
            recurrence: Some(recurrence),
            completed: None,
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match state.client().update_task(id, &patch).await {
                Ok(saved) => {
                    state.reached();
                    list.focus_row.set(Some((id, Some(saved.updated_at))));
                    list.editing.set(None);
                    list.refresh();
                }
                Err(e) => error.set(Some(state.handle(e))),
            }
            busy.set(false);
        });
    };

    let ids = [
        "title",
        "description",
        "date",
        "time",
        "priority",
        "repeat",
        "every",
        "unit",
        "tags",
    ]
    .map(|name| format!("edit-{id}-{name}"));
    let [title_id, notes_id, date_id, time_id, priority_id, repeat_id, every_id, unit_id, tags_id] =
        ids;
    view! {
        <form class="task-editor" on:submit=submit aria-label=format!("Edit “{}”", task.title)>
            <crate::auth::FormError error=error/>
            <Field label="Title" id=title_id.clone() error=error field="title">
                <input id=title_id.clone() type="text" bind:value=title required maxlength="200" autofocus
                    aria-describedby=format!("{title_id}-error")/>
            </Field>
            <Field label="Notes" id=notes_id.clone() error=error field="description">
                <textarea id=notes_id.clone() rows="2" bind:value=description maxlength="4000"
                    aria-describedby=format!("{notes_id}-error")></textarea>
            </Field>
            <div class="editor-grid">
                <Field label="Due date" id=date_id.clone() error=error field="due_at">
                    <input id=date_id.clone() type="date" bind:value=due_date aria-describedby=format!("{date_id}-error")/>
                </Field>
                <Field label="Time (empty: all day)" id=time_id.clone() error=error field="all_day">
                    <input id=time_id.clone() type="time" bind:value=due_time/>
                </Field>
                <Field label="Priority" id=priority_id.clone() error=error field="priority">
                    <select id=priority_id.clone() prop:value=move || priority.get() on:change=move |ev| priority.set(event_target_value(&ev))>
                        {Priority::ALL.iter().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}
                    </select>
                </Field>
                <Field label="Repeats" id=repeat_id.clone() error=error field="recurrence">
                    <select id=repeat_id.clone() prop:value=move || repeat.get() on:change=move |ev| repeat.set(event_target_value(&ev))>
                        {REPEATS.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                        <option value=CUSTOM>"Custom…"</option>
                        {kept_rule.clone().map(|rule| view! {
                            <option value=KEEP>{format!("As set: {}", Recurrence::describe_rule(&rule))}</option>
                        })}
                    </select>
                </Field>
            </div>
            <Show when=move || repeat.get() == CUSTOM>
                <div class="repeat-custom">
                    <div class="repeat-every">
                        <label for=every_id.clone()>"Every"</label>
                        <input id=every_id.clone() type="number" min="1" max="999" inputmode="numeric" bind:value=every/>
                        <label class="visually-hidden" for=unit_id.clone()>"Unit"</label>
                        <select id=unit_id.clone() prop:value=move || unit.get() on:change=move |ev| unit.set(event_target_value(&ev))>
                            {UNITS.iter().map(|(freq, label)| view! { <option value=*freq>{*label}</option> }).collect_view()}
                        </select>
                    </div>
                    <Show when=move || unit.get() == "WEEKLY">
                        <div class="weekday-picker" role="group" aria-label="Repeat on">
                            {WEEKDAYS.iter().map(|(code, short, name)| {
                                let code = (*code).to_owned();
                                let chosen = {
                                    let code = code.clone();
                                    move || weekdays.with(|days| days.contains(&code))
                                };
                                let toggle = move |_| weekdays.update(|days| {
                                    if let Some(at) = days.iter().position(|d| *d == code) {
                                        days.remove(at);
                                    } else {
                                        days.push(code.clone());
                                    }
                                });
                                view! {
                                    // Named by its visible text; the full name is its description.
                                    <button type="button" class="weekday" title=*name
                                        aria-pressed=move || chosen().to_string() on:click=toggle>{*short}</button>
                                }
                            }).collect_view()}
                        </div>
                    </Show>
                </div>
            </Show>
            <Field label="Tags (space separated)" id=tags_id.clone() error=error field="tags">
                <input id=tags_id.clone() type="text" bind:value=tags placeholder="work home"
                    aria-describedby=format!("{tags_id}-error")/>
            </Field>
            <div class="editor-actions">
                <button type="button" class="button ghost" on:click=move |_| close.run(())>"Cancel"</button>
                <button type="submit" class="button primary" disabled=move || busy.get()>"Save"</button>
            </div>
        </form>
    }
}

/// The `due_at` to send: `null` to clear, a date for all day, or the local
/// date and time resolved in the user's zone.
fn due_value(date: &str, time: &str, tz: todo_domain::TimeZone) -> Option<String> {
    // What date and time inputs give: 2026-12-03 and 17:30 (FromStr, not
    // strftime patterns, which would add their parser to the download).
    let date = date.trim().parse::<NaiveDate>().ok()?;
    match time.trim().parse::<NaiveTime>() {
        Ok(time) => Some(
            tz.resolve(date.and_time(time))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
        Err(_) => Some(date.to_string()),
    }
}

#[component]
fn ClearCompletedDialog(open: RwSignal<bool>, list: ListState) -> impl IntoView {
    let state = app_state();
    let escape = escape_stack();
    let close = Callback::new(move |_| open.set(false));
    escape.push(u32::MAX, close);
    on_cleanup(move || escape.release(u32::MAX));
    let busy = RwSignal::new(false);
    let confirm = move |_| {
        busy.set(true);
        spawn_local(async move {
            match state.client().clear_completed().await {
                Ok(cleared) => {
                    state.reached();
                    let n = cleared.deleted;
                    state.toast(
                        match n {
                            0 => "No completed tasks to clear.".to_owned(),
                            1 => "Cleared 1 completed task.".to_owned(),
                            n => format!("Cleared {n} completed tasks."),
                        },
                        false,
                        None,
                    );
                    list.refresh();
                }
                Err(e) => {
                    state.handle(e.clone());
                    state.toast(e.message(), true, None);
                }
            }
            busy.set(false);
            open.set(false);
        });
    };
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = cancel_ref.get() {
            let _ = button.focus();
        }
    });
    view! {
        <div class="dialog-backdrop" on:click=move |_| close.run(())>
            <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="clear-title"
                aria-describedby="clear-desc" on:click=|ev| ev.stop_propagation()>
                <h2 id="clear-title">"Clear completed tasks?"</h2>
                <p id="clear-desc">"Every completed task is deleted for good. Open tasks stay."</p>
                <div class="dialog-actions">
                    <button class="button ghost" node_ref=cancel_ref on:click=move |_| close.run(())>"Cancel"</button>
                    <button class="button danger" on:click=confirm disabled=move || busy.get()>"Clear completed"</button>
                </div>
            </div>
        </div>
    }
}
