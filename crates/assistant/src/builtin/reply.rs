//! The wording of replies: short, saying exactly what changed, with dates
//! and times in the user's time zone.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use todo_domain::{repeat, words, CompletedFilter, Due, Priority, Task, TimeZone};

use super::intent::{Changes, ListSpec, Shift, Talk, Unit};
use crate::tools::args::{DueArg, PriorityArg, StatusArg};

/// "today", "tomorrow", "Friday" within the week, else "Fri 27 Nov": the
/// domain's words for days (lowercase here, in a sentence).
pub fn day(date: NaiveDate, today: NaiveDate) -> String {
    if let Some(word) = words::relative_day(date, today) {
        return word.into();
    }
    match (date - today).num_days() {
        2..=6 => repeat::day_name(date.weekday()).into(),
        _ => words::label_date(date, today),
    }
}

/// A due date as said to the user: "tomorrow 9:00 AM", "Fri 27 Nov".
pub fn due(due: Due, tz: TimeZone, now: DateTime<Utc>) -> String {
    let today = tz.today(now);
    match due {
        Due::Date(date) => day(date, today),
        Due::At(at) => {
            let local = at.with_timezone(&tz.tz());
            format!(
                "{} {}",
                day(local.date_naive(), today),
                local.format("%-I:%M %p")
            )
        }
    }
}

pub fn join_and<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [head @ .., last] => format!(
            "{} and {}",
            head.iter()
                .map(|s| s.as_ref())
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

/// "urgent", "high priority", "no priority": the domain's words.
pub use todo_domain::words::priority_phrase as priority;

pub fn quoted(title: &str) -> String {
    format!("“{title}”")
}

/// What a task carries besides its title: "due tomorrow 9:00 AM, urgent,
/// #shopping, every week".
pub fn details(task: &Task, tz: TimeZone, now: DateTime<Utc>) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(d) = task.due {
        parts.push(format!("due {}", due(d, tz, now)));
    }
    if task.priority != Priority::None {
        parts.push(priority(task.priority).to_owned());
    }
    for tag in &task.tags {
        parts.push(format!("#{tag}"));
    }
    if let Some(r) = &task.recurrence {
        parts.push(format!("repeats {}", r.describe()));
    }
    parts
}

/// “Buy milk” — due tomorrow, #shopping
pub fn task_line(task: &Task, tz: TimeZone, now: DateTime<Utc>) -> String {
    let details = details(task, tz, now);
    if details.is_empty() {
        quoted(&task.title)
    } else {
        format!("{} — {}", quoted(&task.title), details.join(", "))
    }
}

/// A numbered line of a listing: "1. Buy milk — due tomorrow". No id:
/// people name a task by its place or title, never by a row number they
/// were not shown.
pub fn list_line(n: usize, task: &Task, tz: TimeZone, now: DateTime<Utc>) -> String {
    let mut details = details(task, tz, now);
    if task.completed {
        details.insert(0, "done".into());
    }
    let overdue = !task.completed
        && task.due.is_some_and(|d| match d {
            Due::Date(date) => date < tz.today(now),
            Due::At(at) => at < now,
        });
    if overdue {
        details.insert(0, "overdue".into());
    }
    let tail = if details.is_empty() {
        String::new()
    } else {
        format!(" — {}", details.join(", "))
    };
    format!("{n}. {}{tail}", task.title)
}

pub const HELP: &str = "I can manage your tasks. Try:\n\
• “add buy milk tomorrow at 9am #shopping” (several at once: “add milk, eggs and bread”)\n\
• “what's due today?”, “show my work tasks”, “find dentist”, “what's overdue?”, “show completed”\n\
• “done with the second one”, “complete milk and eggs”, “reopen it”, “delete the dentist task”\n\
• “rename task 3 to Call grandma”, “move it to friday 5pm”, “postpone it by 2 days”\n\
• “make it urgent”, “lower its priority”, “tag it work”, “untag it work”, “add a note to it: bring the passport”\n\
• “make it repeat every monday”, “clear completed”\n\
Dates: today, tonight, tomorrow, friday, next friday, in 3 days, Dec 3, at 5pm, end of month. \
Repeats: every day, every weekday, every monday and thursday, every month on the 15th. \
Priority: urgent, high/low priority, p1–p4, !high, !1, !!!. Notes: “…, note: ask for the receipt”.";

pub const FALLBACK: &str =
    "Sorry, I didn't get that. You can say things like “add call mom tomorrow at 6pm”, \
“what's due today?”, “done with the first one” or “move it to friday”. Say “help” for more.";

/// The answer to small talk.
pub fn talk(talk: &Talk) -> &'static str {
    match talk {
        Talk::Greeting => {
            "Hi! What can I do for your list? Try “add call mom tomorrow” or “what's due today?”."
        }
        Talk::HowAreYou => "I'm doing well, thanks! What can I do for your list?",
        Talk::Thanks => "You're welcome!",
        Talk::Bye => "Bye! Your tasks are saved.",
        Talk::WhoAreYou => "I'm the built-in assistant of Todo Chatbot: I add, list, complete and change your tasks. Say “help” for examples.",
        Talk::Ack => "OK! Anything else I can do?",
    }
}

pub const OK: &str = "OK.";
pub const KEPT_COMPLETED: &str = "OK, I kept your completed tasks.";
pub const NEVER_MIND: &str = "OK, never mind. Nothing changed.";
pub const NOTHING_TO_CONFIRM: &str =
    "There's nothing waiting for a yes right now. Say “help” to see what I can do.";
pub const WHAT_TO_ADD: &str = "What should I add? For example “add call mom tomorrow at 6pm”.";
pub const NO_COMPLETED: &str = "You have no completed tasks to clear.";

/// A line of quick-add text that left no title.
pub fn no_title(said: &str) -> String {
    format!("“{said}” has no title, so I didn't add it.")
}

/// A tool refused: "I couldn't complete “Buy milk”: …".
pub fn failed(verb: &str, title: &str, error: &impl std::fmt::Display) -> String {
    format!("I couldn't {verb} {title}: {error}.")
}

pub fn already_completed(title: &str) -> String {
    format!("{title} is already completed.")
}

pub fn not_completed(title: &str) -> String {
    format!("{title} isn't completed.")
}

pub fn reopened(title: &str) -> String {
    format!("Reopened {title}.")
}

pub fn deleted(title: &str) -> String {
    format!("Deleted {title}.")
}

pub const NO_LIST: &str = "I haven't shown you a list yet. Say “show my tasks” first.";
pub const NO_LIST_OR_NAME: &str =
    "I haven't shown you a list yet. Say “show my tasks” first, or name the task.";
pub const WHICH_TASK: &str = "Which task do you mean? Say its number (“task 3”), its place in the list (“the second one”) or part of its title.";
pub const WHICH_ONE: &str = "Which one do you mean";
pub const NO_TARGET: &str = "There's no task to do that to.";

fn plural(n: impl Into<i64>) -> &'static str {
    if n.into() == 1 {
        ""
    } else {
        "s"
    }
}

fn numbered(tasks: &[Task], tz: TimeZone, now: DateTime<Utc>) -> String {
    let lines: Vec<String> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| list_line(i + 1, t, tz, now))
        .collect();
    lines.join("\n")
}

/// A listing: "Your 2 tasks due today:", its numbered lines, and how many
/// more there are than shown ("100+" when the count stopped at its cap).
pub fn listing(
    total: i64,
    capped: bool,
    what: &str,
    shown: &[Task],
    tz: TimeZone,
    now: DateTime<Utc>,
) -> String {
    let plus = if capped { "+" } else { "" };
    let mut text = format!("Your {total}{plus} {what}:\n{}", numbered(shown, tz, now));
    let more = total - i64::try_from(shown.len()).unwrap_or(i64::MAX);
    if more > 0 {
        text.push_str(&format!("\n…and {more}{plus} more."));
    }
    text
}

/// The days a listing of done tasks asked about: "today", "this week".
fn completed_days(window: CompletedFilter) -> &'static str {
    match window {
        CompletedFilter::Today => "today",
        CompletedFilter::Yesterday => "yesterday",
        CompletedFilter::Week => "this week",
    }
}

/// "You completed 2 tasks today:" and the numbered tasks.
pub fn completed_in(
    total: i64,
    capped: bool,
    what: &str,
    window: CompletedFilter,
    shown: &[Task],
    tz: TimeZone,
    now: DateTime<Utc>,
) -> String {
    let plus = if capped { "+" } else { "" };
    let what = if total == 1 && !capped {
        what.replacen("tasks", "task", 1)
    } else {
        what.to_owned()
    };
    let mut text = format!(
        "You completed {total}{plus} {what} {}:\n{}",
        completed_days(window),
        numbered(shown, tz, now)
    );
    let more = total - i64::try_from(shown.len()).unwrap_or(i64::MAX);
    if more > 0 {
        text.push_str(&format!("\n…and {more}{plus} more."));
    }
    text
}

/// "You completed no tasks yesterday."
pub fn none_completed(what: &str, window: CompletedFilter) -> String {
    format!("You completed no {what} {}.", completed_days(window))
}

/// A question with its numbered candidates.
pub fn question(question: &str, candidates: &[Task], tz: TimeZone, now: DateTime<Utc>) -> String {
    format!("{question}?\n{}", numbered(candidates, tz, now))
}

/// An empty listing: "You have no tasks due today."
pub fn none_listed(what: &str) -> String {
    format!("You have no {what}.")
}

pub fn no_match(said: &str) -> String {
    format!("I couldn't find a task matching “{said}”.")
}

pub fn list_too_short(len: usize) -> String {
    format!(
        "The last list had only {len} task{}.",
        plural(i64::try_from(len).unwrap_or(i64::MAX))
    )
}

pub fn no_task(id: i64) -> String {
    format!("I couldn't find task {id}.")
}

pub fn task_gone(id: i64) -> String {
    format!("I couldn't find task {id} anymore.")
}

/// The start of a question whose candidates follow.
pub fn did_you_mean_near(said: &str) -> String {
    format!("I couldn't find “{said}” exactly. Did you mean")
}

pub fn did_you_mean(title: &str) -> String {
    format!("Did you mean {}", quoted(title))
}

pub fn several_match(said: &str) -> String {
    format!("Several tasks match “{said}”. Which one do you mean")
}

pub fn nothing_to_change(title: &str) -> String {
    format!("There's nothing to change on {title}.")
}

fn updated_with(title: &str, changes: &[String]) -> String {
    format!("Updated {title}: {}.", changes.join(", "))
}

pub fn confirm_clear(total: i64) -> String {
    let which = if total == 1 {
        "your 1".to_owned()
    } else {
        format!("all {total}")
    };
    format!(
        "Delete {which} completed task{} for good? Say “yes” to confirm.",
        plural(total)
    )
}

pub fn cleared(deleted: u64) -> String {
    format!(
        "Deleted {deleted} completed task{}.",
        plural(i64::try_from(deleted).unwrap_or(i64::MAX))
    )
}

/// "Added “Buy milk” — due tomorrow." or a bulleted list of several.
pub fn added(tasks: &[Task], tz: TimeZone, now: DateTime<Utc>) -> String {
    match tasks {
        [] => String::new(),
        [task] => format!("Added {}.", task_line(task, tz, now)),
        many => {
            let lines: Vec<String> = many
                .iter()
                .map(|t| format!("• {}", task_line(t, tz, now)))
                .collect();
            format!("Added {} tasks:\n{}", many.len(), lines.join("\n"))
        }
    }
}

/// "Completed “Standup”. Next one is due Monday."
pub fn completed(title: &str, next: Option<Due>, tz: TimeZone, now: DateTime<Utc>) -> String {
    match next {
        Some(next) => format!("Completed {title}. Next one is due {}.", due(next, tz, now)),
        None => format!("Completed {title}."),
    }
}

pub fn not_tagged(title: &str, tags: &[String]) -> String {
    format!("{title} isn't tagged {}.", join_and(tags))
}

pub fn no_repeat(title: &str) -> String {
    format!("{title} doesn't repeat.")
}

pub fn no_due(title: &str) -> String {
    format!("{title} has no due date.")
}

/// What an update changed: "Updated “Pay rent”: due Friday, high priority."
pub fn update_summary(
    title: &str,
    changes: &Changes,
    updated: &Task,
    new_due: Option<Due>,
    tz: TimeZone,
    now: DateTime<Utc>,
) -> String {
    let due_now = || {
        updated
            .due
            .or(new_due)
            .map(|d| due(d, tz, now))
            .unwrap_or_default()
    };
    let mut said: Vec<String> = Vec::new();
    if changes.title.is_some() {
        said.push(format!("renamed to {}", quoted(&updated.title)));
    }
    if changes.shift.is_some() || changes.due.is_some() {
        match changes.shift {
            Some(shift) => said.push(format!(
                "postponed by {} to {}",
                shift_words(shift),
                due_now()
            )),
            None => said.push(format!("due {}", due_now())),
        }
    }
    if changes.clear_due {
        said.push("no due date".into());
    }
    if let Some(p) = changes.priority {
        said.push(match p {
            PriorityArg::None => "no priority".into(),
            other => priority(other).into(),
        });
    }
    if changes.clear_tags {
        said.push("no tags".into());
    }
    for tag in &changes.add_tags {
        said.push(format!("tagged #{tag}"));
    }
    for tag in &changes.remove_tags {
        said.push(format!("#{tag} removed"));
    }
    if changes.note.is_some() {
        said.push(if changes.replace_note {
            "description updated".into()
        } else {
            "note added".into()
        });
    }
    if let Some(rrule) = &updated.recurrence {
        if changes.recurrence.is_some() {
            said.push(format!("repeats {}", rrule.describe()));
        }
    }
    if changes.clear_recurrence {
        said.push("no longer repeats".into());
    }
    updated_with(title, &said)
}

/// "2 days", "an hour".
fn shift_words(shift: Shift) -> String {
    let (one, many) = match shift.unit {
        Unit::Minutes => ("a minute", "minutes"),
        Unit::Hours => ("an hour", "hours"),
        Unit::Days => ("a day", "days"),
        Unit::Weeks => ("a week", "weeks"),
        Unit::Months => ("a month", "months"),
        Unit::Years => ("a year", "years"),
    };
    if shift.amount == 1 {
        one.to_owned()
    } else {
        format!("{} {many}", shift.amount)
    }
}

/// What a listing shows, in words: "overdue high-priority tasks tagged
/// #work", "completed tasks matching “milk”".
pub fn listing_words(
    spec: &ListSpec,
    status: StatusArg,
    tag: Option<&str>,
    query: Option<&str>,
    today: NaiveDate,
) -> String {
    let mut what: Vec<String> = Vec::new();
    if let Some(p) = spec.priority {
        // "urgent", "high-priority": the domain's phrase before a noun.
        what.push(priority(p).replace(' ', "-"));
    }
    what.push(match status {
        // "You completed 2 tasks today" says it already.
        StatusArg::Completed if spec.completed.is_none() => "completed tasks".into(),
        _ => "tasks".into(),
    });
    match spec.due {
        Some(DueArg::Today) => what.push("due today".into()),
        Some(DueArg::Overdue) => what.insert(0, "overdue".into()),
        Some(DueArg::Week) => what.push("due this week".into()),
        Some(DueArg::None) => what.push("without a due date".into()),
        None => {}
    }
    if let Some(date) = spec.on_date {
        what.push(format!("due {}", day(date, today)));
    }
    if let Some(t) = tag {
        what.push(format!("tagged #{t}"));
    }
    if let Some(q) = query {
        what.push(format!("matching “{q}”"));
    }
    what.join(" ")
}

/// No task to act on carries the tag.
pub fn none_tagged(tag: &str) -> String {
    format!("No open task is tagged #{tag}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_times_in_the_users_zone() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert_eq!(day(today, today), "today");
        assert_eq!(day(today.succ_opt().unwrap(), today), "tomorrow");
        assert_eq!(
            day(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(), today),
            "Thursday"
        );
        assert_eq!(
            day(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(), today),
            "Thu 3 Dec"
        );
        let tz = TimeZone::parse("Europe/Paris").unwrap();
        let now: DateTime<Utc> = "2026-11-21T09:00:00Z".parse().unwrap();
        let at: DateTime<Utc> = "2026-11-22T08:00:00Z".parse().unwrap();
        assert_eq!(due(Due::At(at), tz, now), "tomorrow 9:00 AM");
    }

    #[test]
    fn a_capped_count_reads_as_more_than() {
        let tz = TimeZone::UTC;
        let now = Utc::now();
        assert_eq!(
            listing(100, true, "open tasks", &[], tz, now),
            "Your 100+ open tasks:\n\n…and 100+ more."
        );
        assert_eq!(
            listing(3, false, "open tasks", &[], tz, now),
            "Your 3 open tasks:\n\n…and 3 more."
        );
    }

    /// A task's repeat is said in the domain's words, those of the
    /// quick-add bar's chip and the web UI (`todo_domain::repeat`).
    #[test]
    fn rules_in_the_domain_s_words() {
        let now: DateTime<Utc> = "2026-11-21T09:00:00Z".parse().unwrap();
        let task = |rule: &str| Task {
            id: 1,
            title: "Pay rent".into(),
            description: String::new(),
            completed: false,
            completed_at: None,
            priority: Priority::None,
            tags: Vec::new(),
            due: None,
            recurrence: Some(rule.parse().unwrap()),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        for (rule, words) in [
            ("FREQ=DAILY", "repeats every day"),
            (
                "FREQ=WEEKLY;BYDAY=MO,TH",
                "repeats every Monday and Thursday",
            ),
            ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "repeats every weekday"),
            ("FREQ=WEEKLY;BYDAY=SA,SU", "repeats every weekend"),
            ("FREQ=WEEKLY;INTERVAL=2", "repeats every 2 weeks"),
            (
                "FREQ=MONTHLY;BYMONTHDAY=15",
                "repeats every month on the 15th",
            ),
        ] {
            assert_eq!(details(&task(rule), TimeZone::UTC, now), [words], "{rule}");
        }
    }
}
