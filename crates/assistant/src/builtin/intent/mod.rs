//! What a message asks for: an intent with its arguments, read by patterns
//! over the tidied text. Dates, times, repetition, priority and tags are
//! read by the quick-add parser, never here.
//!
//! One file per theme, each trying its patterns in order: [`talk`] (small
//! talk, help, yes/no, questions), [`add`], [`list`] (listings and
//! searches) and [`edit`] (completing, deleting and changing tasks).

use chrono::NaiveDate;
use regex::{Captures, Regex};
use serde::{Deserialize, Serialize};
use todo_domain::quick_add::{self, MatchKind, ParseContext};
use todo_domain::{CompletedFilter, Due, Priority, Recurrence, Tag};

use super::reference::{self, Ref};
use super::text::{fix_keywords, Msg};
use crate::tools::args::{DueArg, PriorityArg, StatusArg};

/// What a rule makes of a match: an intent, or `None` to try the next rule.
pub(super) type Build = fn(&Hit<'_>) -> Option<Intent>;

/// One pattern of a theme's table and what a match of it means.
pub(super) const fn rule(pattern: &'static str, build: Build) -> (&'static str, Build) {
    (pattern, build)
}

/// A match of a rule's pattern, with the message it was found in.
pub(super) struct Hit<'t> {
    pub caps: Captures<'t>,
    pub msg: &'t Msg,
    pub ctx: &'t ParseContext,
}

impl Hit<'_> {
    /// The tidied, lowercased text the rule matched.
    pub fn text(&self) -> &str {
        self.msg.low.trim()
    }

    /// A named group, lowercased; empty when it did not take part.
    pub fn group(&self, name: &str) -> &str {
        group(&self.caps, name)
    }

    /// A named group in the user's casing (for titles and notes).
    pub fn value(&self, name: &str) -> Option<String> {
        value(self.msg, &self.caps, name)
    }

    /// `changes` to the task the group `r` names.
    pub fn edit(&self, changes: Changes) -> Option<Intent> {
        Some(edit(changes, self.group("r")))
    }
}

/// Patterns, each with what it stands for, tried in order and compiled
/// once (at start-up, by [`warm_up`]): a theme's rules ([`Table`]) or a
/// listing's filter words.
pub(super) struct Patterns<T: 'static> {
    pub entries: &'static [(&'static str, T)],
    compiled: std::sync::OnceLock<Vec<Option<Regex>>>,
}

/// A theme's rules: pattern → what a match builds.
pub(super) type Table = Patterns<Build>;

impl<T> Patterns<T> {
    pub const fn new(entries: &'static [(&'static str, T)]) -> Self {
        Self {
            entries,
            compiled: std::sync::OnceLock::new(),
        }
    }

    fn compiled(&self) -> &[Option<Regex>] {
        // A pattern that does not compile is skipped here and fails
        // `every_pattern_compiles`.
        self.compiled.get_or_init(|| {
            self.entries
                .iter()
                .map(|(pattern, _)| Regex::new(pattern).ok())
                .collect()
        })
    }

    fn compiled_entries(&self) -> impl Iterator<Item = (&Regex, &T)> {
        self.entries
            .iter()
            .zip(self.compiled())
            .filter_map(|((_, value), re)| Some((re.as_ref()?, value)))
    }

    /// The value of the first pattern found in `text`.
    pub fn first(&self, text: &str) -> Option<&T> {
        self.compiled_entries()
            .find(|(re, _)| re.is_match(text))
            .map(|(_, value)| value)
    }

    /// Each pattern that does not compile, with the reason.
    #[cfg(test)]
    pub fn broken(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter_map(|(pattern, _)| Regex::new(pattern).err().map(|e| e.to_string()))
            .collect()
    }
}

impl Table {
    /// What the first rule that matches `text` and builds something makes
    /// of it.
    pub fn read(&self, text: &str, msg: &Msg, ctx: &ParseContext) -> Option<Intent> {
        self.compiled_entries().find_map(|(re, build)| {
            let caps = re.captures(text)?;
            build(&Hit { caps, msg, ctx })
        })
    }
}

/// Every theme's table.
pub(super) fn tables() -> [&'static Table; 5] {
    [
        &talk::TALK,
        &talk::CLEAR_COMPLETED,
        &talk::QUESTIONS,
        &edit::ADD_VERB_EDITS,
        &edit::EDITS,
    ]
}

/// A compiled pattern, built once. `None` only if the pattern were invalid
/// (a unit test compiles them all).
macro_rules! re {
    ($pattern:expr) => {{
        static RE: std::sync::LazyLock<Option<Regex>> =
            std::sync::LazyLock::new(|| Regex::new($pattern).ok());
        RE.as_ref()
    }};
}

fn caps<'t>(re: Option<&Regex>, text: &'t str) -> Option<Captures<'t>> {
    re?.captures(text)
}

fn is(re: Option<&Regex>, text: &str) -> bool {
    re.is_some_and(|r| r.is_match(text))
}

mod add;
mod edit;
mod list;
mod talk;
#[cfg(test)]
mod tests;

// Each theme reads the others' helpers through these.
use add::*;
use edit::*;
use list::*;
use talk::*;

/// What to do to a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    Complete,
    Reopen,
    Delete,
    Edit(Changes),
}

impl Op {
    /// Whether a title reference should prefer completed tasks.
    pub fn wants_completed(&self) -> bool {
        matches!(self, Op::Reopen)
    }
}

/// Time units for postponing: the domain's, which moves due dates.
pub use todo_domain::shift::Unit;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub amount: i64,
    pub unit: Unit,
}

/// An update to one task; empty fields change nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Changes {
    pub title: Option<String>,
    /// A new due date (kept in a pending question in the API's spelling).
    pub due: Option<Due>,
    pub clear_due: bool,
    pub shift: Option<Shift>,
    pub priority: Option<PriorityArg>,
    pub add_tags: Vec<Tag>,
    pub remove_tags: Vec<Tag>,
    pub clear_tags: bool,
    pub note: Option<String>,
    /// Whether `note` replaces the description rather than adding to it.
    pub replace_note: bool,
    pub recurrence: Option<Recurrence>,
    pub clear_recurrence: bool,
    /// Only a time was said ("move it to 3pm"): the task keeps its day.
    pub time_only: bool,
    /// "raise/lower the priority of …": one level up (1) or down (-1).
    pub priority_step: Option<i8>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }

    /// These changes with a relative priority made absolute for a task at
    /// `current`: one level up or down, a task without one counting as
    /// between low and high ("bump up" makes it high, "lower" low).
    pub fn for_priority(&self, current: Priority) -> Changes {
        let Some(step) = self.priority_step else {
            return self.clone();
        };
        let next = match (current, step > 0) {
            (Priority::None, true) => Priority::High,
            (Priority::None, false) => Priority::Low,
            (Priority::Low, true) => Priority::Medium,
            (Priority::Medium, true) => Priority::High,
            (Priority::High | Priority::Urgent, true) => Priority::Urgent,
            (Priority::Low | Priority::Medium, false) => Priority::Low,
            (Priority::High, false) => Priority::Medium,
            (Priority::Urgent, false) => Priority::High,
        };
        Changes {
            priority: Some(next),
            priority_step: None,
            ..self.clone()
        }
    }
}

/// Which tasks a listing shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListSpec {
    pub status: Option<StatusArg>,
    pub due: Option<DueArg>,
    /// Only tasks completed in these local days ("what did I finish
    /// yesterday?"), by when they were completed, not when due.
    pub completed: Option<CompletedFilter>,
    /// Only tasks due on this local date (filtered here: the tool has no
    /// such filter).
    pub on_date: Option<NaiveDate>,
    pub priority: Option<PriorityArg>,
    pub tag: Option<String>,
    /// "work tasks": a tag if the user has it, else words to search.
    pub tag_or_query: Option<String>,
    pub query: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Talk {
    Greeting,
    HowAreYou,
    Thanks,
    Bye,
    WhoAreYou,
    Ack,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    /// New tasks, each read by the quick-add grammar.
    Add(Vec<NewTask>),
    List(ListSpec),
    Act {
        op: Op,
        refs: Vec<Ref>,
        /// The reference as said, for "I couldn't find …".
        said: String,
    },
    ClearCompleted,
    Help,
    Talk(Talk),
    Yes,
    No,
    Unknown,
}

/// One task to add: the words as said (in the user's casing) and what the
/// quick-add grammar read in them.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    pub said: String,
    pub parsed: quick_add::QuickAdd,
}

/// Reads a tidied message.
pub fn parse(msg: &Msg, ctx: &ParseContext) -> Intent {
    let fixed = fix_keywords(msg);
    let s = fixed.low.trim();
    if s.is_empty() {
        return Intent::Unknown;
    }
    if let Some(intent) = small_talk(s, &fixed, ctx) {
        return intent;
    }
    if let Some(intent) = CLEAR_COMPLETED.read(s, &fixed, ctx) {
        return intent;
    }
    if let Some(intent) = ADD_VERB_EDITS.read(s, &fixed, ctx) {
        return intent;
    }
    if let Some(items) = add_items(msg, ctx) {
        let tasks = items
            .into_iter()
            .map(|said| NewTask {
                parsed: quick_add::parse(&said, ctx),
                said,
            })
            .collect();
        return Intent::Add(tasks);
    }
    if let Some(spec) = list(s, ctx) {
        return Intent::List(spec);
    }
    if let Some(intent) = act(&fixed, ctx) {
        return intent;
    }
    Intent::Unknown
}

/// Reads a few messages that go through most patterns, so that compiling
/// them happens at start-up rather than in a user's first turn.
pub fn warm_up() {
    for table in tables() {
        let _ = table.compiled();
    }
    let _ = list::DUE_WORDS.compiled();
    let now = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
    let ctx = ParseContext::new(now, todo_domain::TimeZone::UTC);
    for text in [
        "help",
        "thanks",
        "clear completed",
        "add a note to it: x",
        "add milk, eggs and bread tomorrow",
        "show my work tasks due today",
        "find x",
        "the x task is not done",
        "remove the work tag from task 1",
        "describe it as x",
        "rename it to x",
        "stop repeating it",
        "move it to friday",
        "postpone it by 2 days",
        "set the priority of it to high",
        "make it repeat weekly",
        "delete it",
        "it is urgent",
        "it due friday",
        "flag it",
    ] {
        let _ = parse(&super::text::normalize(text), &ctx);
    }
}
