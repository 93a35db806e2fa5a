//! The views people navigate by: Today (with what is overdue), Upcoming
//! (grouped by day), All, and one per tag — a sidebar on wide screens, a
//! strip on phones, each with its count. They are presets of the list
//! endpoint's documented filters (`status`, `due_before`, `due_after`,
//! `tag`, `sort`), so the URL keeps them like any other filter
//! (`?view=today`, `?tag=home`).

use chrono::{DateTime, Days, NaiveDate, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use todo_domain::query::TaskQueryParams;
use todo_domain::{Task, TimeZone};

use crate::format::{day_label, is_overdue};
use crate::state::app_state;
use crate::tasks::{query_of, Filters, ListState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    /// Every open task (or done ones, as the status filter says).
    All,
    /// Open tasks due today or earlier: overdue first.
    Today,
    /// Open tasks due after today, grouped by day.
    Upcoming,
}

impl View {
    pub const ALL: [View; 3] = [View::Today, View::Upcoming, View::All];

    /// The `view` URL parameter's value ("" for All, the default).
    pub fn from_param(value: &str) -> Self {
        match value {
            "today" => View::Today,
            "upcoming" => View::Upcoming,
            _ => View::All,
        }
    }

    pub fn param(self) -> &'static str {
        match self {
            View::All => "",
            View::Today => "today",
            View::Upcoming => "upcoming",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            View::All => "All tasks",
            View::Today => "Today",
            View::Upcoming => "Upcoming",
        }
    }

    /// What the page and its link are called: the view's title, or for a
    /// tag's list (All narrowed to `tag`) the tag, "#home".
    pub fn name(self, tag: &str) -> String {
        if self == View::All && !tag.is_empty() {
            format!("#{tag}")
        } else {
            self.title().to_owned()
        }
    }

    /// Today and Upcoming fix the status, the due window and the order;
    /// search, tag and priority still narrow them. `today` is the user's
    /// local date.
    pub fn narrow(self, params: &mut TaskQueryParams, today: NaiveDate) {
        // Display is ISO 8601: 2026-12-03.
        let date = |d: NaiveDate| Some(d.to_string());
        match self {
            View::All => return,
            // `due_before` is exclusive: up to the end of today.
            View::Today => params.due_before = today.checked_add_days(Days::new(1)).and_then(date),
            View::Upcoming => params.due_after = date(today),
        }
        params.status = Some("pending".into());
        params.due = None;
        params.sort = Some("due".into());
        params.order = None;
    }

    /// The listing whose `total` is this view's count (with `limit=1`, the
    /// count costs one row).
    pub fn count_params(self, today: NaiveDate) -> TaskQueryParams {
        let mut params = TaskQueryParams {
            status: Some("pending".into()),
            limit: Some("1".into()),
            ..TaskQueryParams::default()
        };
        self.narrow(&mut params, today);
        params
    }
}

/// A run of tasks under one heading (none in the All view).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Stable while the group shows: its rows are kept across refetches.
    pub key: String,
    pub heading: Option<String>,
    pub tasks: Vec<Task>,
}

/// Splits a view's tasks (already in due order for Today and Upcoming) into
/// the groups it shows: Overdue and Today; one group per day; or one list.
/// Empty groups are left out.
pub fn group(view: View, tasks: &[Task], tz: TimeZone, now: DateTime<Utc>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    match view {
        View::All => {
            if !tasks.is_empty() {
                groups.push(Group {
                    key: "all".into(),
                    heading: None,
                    tasks: tasks.to_vec(),
                });
            }
        }
        View::Today => {
            let (overdue, today): (Vec<Task>, Vec<Task>) = tasks
                .iter()
                .cloned()
                .partition(|task| is_overdue(task, tz, now));
            for (key, tasks) in [("overdue", overdue), ("today", today)] {
                if !tasks.is_empty() {
                    let heading = if key == "overdue" {
                        "Overdue".to_owned()
                    } else {
                        day_label(tz.today(now), tz.today(now))
                    };
                    groups.push(Group {
                        key: key.into(),
                        heading: Some(heading),
                        tasks,
                    });
                }
            }
        }
        View::Upcoming => {
            let today = tz.today(now);
            for task in tasks {
                let Some(date) = task.due.map(|due| due.local_date(tz)) else {
                    continue;
                };
                let key = date.to_string();
                match groups.last_mut() {
                    Some(last) if last.key == key => last.tasks.push(task.clone()),
                    _ => groups.push(Group {
                        heading: Some(day_label(date, today)),
                        key,
                        tasks: vec![task.clone()],
                    }),
                }
            }
        }
    }
    groups
}

/// The views and the open tasks' tags, each with its count: a sidebar on
/// wide screens, a strip that scrolls sideways on phones. One list of one
/// kind of entry, since every distinct piece of markup costs code in the
/// download.
///
/// The counts are the list endpoint's `total` with `limit=1` (Today,
/// Upcoming) and `GET /api/tags` (All, the tags: every tag on the open
/// tasks, up to the 200 that endpoint answers).
#[component]
pub fn ViewNav(filters: Filters, list: ListState) -> impl IntoView {
    let state = app_state();
    let counted = RwSignal::new(None::<Counts>);
    let sequence = StoredValue::new(0u32);

    // Again whenever the list changed here or through the chat.
    Effect::new(move |_| {
        list.reload.track();
        state.tasks_changed.track();
        let ticket = sequence.get_value() + 1;
        sequence.set_value(ticket);
        let today = state.timezone().today(Utc::now());
        spawn_local(async move {
            let answer = count(&state.client(), today).await;
            if sequence.try_get_value() != Some(ticket) {
                return;
            }
            match answer {
                Ok(counts) => {
                    list.known_tags.try_update(|known| {
                        known.extend(counts.tags.iter().map(|(tag, _)| tag.clone()))
                    });
                    counted.set(Some(counts));
                }
                Err(e) => note_failure(state.handle(e)),
            }
        });
    });

    let entries = Memo::new(move |_| {
        counted.with(|counts| {
            let mut entries: Vec<(View, String, Option<Count>)> = View::ALL
                .iter()
                .enumerate()
                .map(|(i, view)| (*view, String::new(), counts.as_ref().map(|c| c.views[i])))
                .collect();
            if let Some(counts) = counts {
                entries.extend(
                    counts
                        .tags
                        .iter()
                        .map(|(tag, n)| (View::All, tag.clone(), Some(*n))),
                );
            }
            entries
        })
    });

    view! {
        <nav class="views" aria-label="Views">
            <ul class="view-list">
                <For each=move || entries.get() key=|entry| entry.clone() let((view, tag, count))>
                    <li>{
                        // The URL the page shows once there.
                        let href = format!("/{}", query_of([("view", view.param().to_owned()), ("tag", tag.clone())]));
                        let is_tag = !tag.is_empty();
                        let name = view.name(&tag);
                        let current = {
                            let tag = tag.clone();
                            move || {
                                let here = filters.view() == view
                                    && (view != View::All || filters.tag.with(|t| *t == tag));
                                here.then_some("page")
                            }
                        };
                        let open = move |ev: web_sys::MouseEvent| {
                            // A new tab or window keeps its meaning.
                            if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
                                return;
                            }
                            ev.prevent_default();
                            filters.show(view, &tag);
                        };
                        view! {
                            <a class="view-link" class:tag-link=is_tag href=href aria-current=current on:click=open>
                                <span class="view-name">{name}</span>
                                // A space: the link reads "Today 3", not "Today3".
                                " "
                                <span class="view-count">{count.map(|(n, capped)| count_text(n, capped))}</span>
                            </a>
                        }
                    }</li>
                </For>
            </ul>
        </nav>
    }
}

/// A listing's `total` as people read it: when more match than the API
/// counted (`total_capped`), "100+".
pub fn count_text(total: i64, capped: bool) -> String {
    if capped {
        format!("{total}+")
    } else {
        total.to_string()
    }
}

/// A listing's `total` and `total_capped`.
type Count = (i64, bool);

/// What the sidebar shows beside each entry.
#[derive(Debug, Clone, PartialEq)]
struct Counts {
    /// In [`View::ALL`]'s order.
    views: [Count; 3],
    /// Open tasks per tag, by name.
    tags: Vec<(String, Count)>,
}

/// One request at a time: less code than concurrent ones, and the counts
/// are not what the page waits for. Today and Upcoming are the list
/// endpoint's `total` of a one-task page; All (the open tasks) and the tags
/// come from `GET /api/tags`, in one call however many tags there are.
async fn count(
    client: &crate::api::Client,
    today: NaiveDate,
) -> Result<Counts, crate::api::ApiError> {
    let mut views = [(0, false); 3];
    for (slot, view) in views.iter_mut().zip(View::ALL) {
        if view != View::All {
            let page = client.list_tasks(&view.count_params(today)).await?;
            *slot = (page.total, page.total_capped);
        }
    }
    let list = client.tags().await?;
    let capped = list.counts_capped;
    views[2] = (list.open_tasks, capped);
    let tags = list
        .items
        .into_iter()
        // A tag's count is exact; only the open tasks' total is capped.
        .map(|tag| (tag.name.into_string(), (tag.open, false)))
        .collect();
    Ok(Counts { views, tags })
}

/// A count that could not be fetched stays blank; why goes to the console
/// (the list beside it shows the same failure to the user).
fn note_failure(error: crate::api::ApiError) {
    web_sys::console::warn_1(&format!("view counts: {}", error.message()).into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use todo_domain::{Due, Priority};

    /// A task due on a date ("2026-11-28", all day) or at an instant.
    fn task(id: i64, due: Option<&str>) -> Task {
        let at = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        Task {
            id,
            title: format!("task {id}"),
            description: String::new(),
            completed: false,
            completed_at: None,
            priority: Priority::None,
            tags: Vec::new(),
            due: due.map(|d| Due::parse(d, None, TimeZone::UTC).unwrap()),
            recurrence: None,
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    fn shape(groups: &[Group]) -> Vec<(Option<String>, Vec<i64>)> {
        groups
            .iter()
            .map(|g| (g.heading.clone(), g.tasks.iter().map(|t| t.id).collect()))
            .collect()
    }

    #[test]
    fn views_are_presets_of_the_list_filters() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let mut params = TaskQueryParams {
            q: Some("milk".into()),
            due: Some("week".into()),
            ..TaskQueryParams::default()
        };
        View::Today.narrow(&mut params, today);
        assert_eq!(params.due_before.as_deref(), Some("2026-12-01"));
        assert_eq!(params.due, None);
        assert_eq!(params.status.as_deref(), Some("pending"));
        assert_eq!(params.sort.as_deref(), Some("due"));
        assert_eq!(params.q.as_deref(), Some("milk"), "search still narrows");
        let upcoming = View::Upcoming.count_params(today);
        assert_eq!(upcoming.due_after.as_deref(), Some("2026-11-30"));
        assert_eq!(upcoming.limit.as_deref(), Some("1"));
        assert_eq!(View::All.count_params(today).due_before, None);
        for view in View::ALL {
            assert_eq!(View::from_param(view.param()), view);
        }
        assert_eq!(count_text(1000, false), "1000");
        assert_eq!(count_text(100, true), "100+");
    }

    #[test]
    fn today_puts_overdue_first_and_upcoming_groups_by_local_day() {
        let tz = TimeZone::parse("Europe/Paris").unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap();
        let tasks = [
            task(1, Some("2026-11-28")),
            task(2, Some("2026-11-30T08:00:00Z")), // earlier today: overdue
            task(3, Some("2026-11-30")),
            task(4, Some("2026-11-30T17:00:00Z")),
        ];
        assert_eq!(
            shape(&group(View::Today, &tasks, tz, now)),
            [
                (Some("Overdue".into()), vec![1, 2]),
                (Some("Today".into()), vec![3, 4]),
            ]
        );

        let tasks = [
            task(5, Some("2026-12-01")),
            // 23:30 UTC on the 1st is already the 2nd in Paris.
            task(6, Some("2026-12-01T23:30:00Z")),
            task(7, Some("2026-12-02")),
            task(8, Some("2026-12-09")),
        ];
        assert_eq!(
            shape(&group(View::Upcoming, &tasks, tz, now)),
            [
                (Some("Tomorrow".into()), vec![5]),
                (Some("Wed 2 Dec".into()), vec![6, 7]),
                (Some("Wed 9 Dec".into()), vec![8]),
            ]
        );
        assert_eq!(group(View::Today, &[], tz, now), []);
        assert_eq!(
            shape(&group(View::All, &tasks, tz, now)),
            [(None, vec![5, 6, 7, 8])]
        );
    }
}
