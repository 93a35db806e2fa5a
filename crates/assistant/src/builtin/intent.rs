//! What a message asks for: an intent with its arguments, read by patterns
//! over the tidied text. Dates, times, repetition, priority and tags are
//! read by the quick-add parser, never here.

use chrono::NaiveDate;
use regex::{Captures, Regex};
use serde::{Deserialize, Serialize};
use todo_domain::quick_add::{self, MatchKind, ParseContext};
use todo_domain::{Due, Priority, Tag};

use super::reference::{self, Ref};
use super::text::{fix_keywords, Msg};
use crate::tools::args::{DueArg, PriorityArg, StatusArg};

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

/// Time units for postponing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Minutes,
    Hours,
    Days,
    Weeks,
    Months,
    Years,
}

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
    /// A new due date in the API's spelling (`2026-12-03` or RFC 3339).
    pub due: Option<String>,
    pub clear_due: bool,
    pub shift: Option<Shift>,
    pub priority: Option<PriorityArg>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    pub clear_tags: bool,
    pub note: Option<String>,
    /// Whether `note` replaces the description rather than adding to it.
    pub replace_note: bool,
    pub recurrence: Option<String>,
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
            priority: Some(priority_arg(next)),
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
    /// New tasks, each a line of quick-add text in the user's casing.
    Add(Vec<String>),
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

/// Reads a tidied message.
pub fn parse(msg: &Msg, ctx: &ParseContext) -> Intent {
    let fixed = fix_keywords(msg);
    let s = fixed.low.trim();
    if s.is_empty() {
        return Intent::Unknown;
    }
    if let Some(intent) = small_talk(s) {
        return intent;
    }
    if is_clear_completed(s) {
        return Intent::ClearCompleted;
    }
    if let Some(intent) = add_verb_edit(&fixed) {
        return intent;
    }
    if let Some(items) = add_items(msg, ctx) {
        return Intent::Add(items);
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

// ---------------------------------------------------------------------------
// Small talk.

fn small_talk(s: &str) -> Option<Intent> {
    let s = s.replace(',', "");
    let s = s.trim_end_matches(['!', '?', '.', ' ']).trim();
    if s.is_empty() || !s.chars().any(char::is_alphanumeric) {
        return Some(Intent::Talk(Talk::Ack));
    }
    if is(
        re!(
            r"^(?:help|help me|help please|\?|what can you do|what can you do for me|what can i say|what can i ask|what can i ask you|what do you do|how does this work|how do i use this|how do i use you|how to use this|how can you help|how can you help me|what can you help with|what can you help me with|commands|list commands|show commands|examples|usage|instructions|menu|options|what do you understand|what are the commands|show help|i need help|tutorial|what should i say|how do (?:i|you) .+)$"
        ),
        s,
    ) {
        return Some(Intent::Help);
    }
    if is(
        re!(
            r"^(?:yes|y|yeah|yea|yep|yup|sure|confirm|confirmed|do it|go ahead|yes please|please do|absolutely|affirmative|yes do it|yes delete them|yes clear them|ok do it|okay do it|go for it|proceed)$"
        ),
        s,
    ) {
        return Some(Intent::Yes);
    }
    if is(
        re!(
            r"^(?:no|n|nope|nah|cancel|never ?mind|nvm|stop|forget it|don't|dont|do not|no thanks|no thank you|abort|not now|no way|keep them|don't do it|dont do it|leave it)$"
        ),
        s,
    ) {
        return Some(Intent::No);
    }
    let talk = if is(
        re!(
            r"^(?:hi|hello|hey|hiya|howdy|yo|greetings|hi there|hello there|hey there|sup|what's up|whats up|wassup|good (?:morning|afternoon|evening|day)|morning|evening|hallo|hola|bonjour)(?: (?:bot|assistant|there|friend|buddy))?$"
        ),
        s,
    ) {
        Talk::Greeting
    } else if is(
        re!(
            r"^(?:how are you|how r u|how are u|how're you|how are you doing|how are things|how's it going|hows it going|how is it going|how do you do|how have you been|you ok|are you ok|how's your day|how is your day)(?: today)?$"
        ),
        s,
    ) {
        Talk::HowAreYou
    } else if is(
        re!(
            r"^(?:(?:ok |okay |great |perfect |awesome |cool )?(?:thanks|thank you|thx|ty|tysm|cheers)(?: (?:a lot|so much|very much|again|man|buddy|mate|bot))?|many thanks|much appreciated|appreciate it|i appreciate it)$"
        ),
        s,
    ) {
        Talk::Thanks
    } else if is(
        re!(
            r"^(?:bye|goodbye|good bye|bye bye|see you|see ya|see you later|later|cya|good night|goodnight|gn|ttyl|talk to you later)$"
        ),
        s,
    ) {
        Talk::Bye
    } else if is(
        re!(
            r"^(?:who are you|what are you|what's your name|whats your name|what is your name|are you a bot|are you human|are you real|are you an ai|are you a robot)$"
        ),
        s,
    ) {
        Talk::WhoAreYou
    } else if is(
        re!(
            r"^(?:lol|lmao|rofl|haha+|hahaha+|hehe+|ha|ok|okay|k|kk|cool|nice|great|awesome|perfect|good|very good|got it|sounds good|alright|all right|fine|i'm fine|im fine|i'm good|im good|great job|good job|well done|nice one|wow|hm+|oh|ah+|oops|sorry|my bad|no worries|np|you rock|you're the best|youre the best|love you|i love you|good bot|bad bot|amazing|excellent|brilliant|sweet|neat|interesting|i see|makes sense|right|true|whatever|meh|ugh|yay|woohoo|:\)|:\(|:d|xd)$"
        ),
        s,
    ) {
        Talk::Ack
    } else {
        return None;
    };
    Some(Intent::Talk(talk))
}

fn is_clear_completed(s: &str) -> bool {
    is(
        re!(
            r"^(?:clear|delete|remove|purge|clean up|clean out|clean|wipe|wipe out|erase|archive|get rid of|trash|drop|empty|nuke)\s+(?:out\s+)?(?:all\s+)?(?:of\s+)?(?:the\s+|my\s+)?(?:completed|complete|done|finished|checked|checked-off|checked off|ticked off|old completed|closed)(?:\s+(?:tasks|ones|items|todos|to-dos|stuff|things))?(?:\s+(?:from\s+)?(?:my|the)\s+list)?$"
        ),
        s,
    ) || is(
        re!(
            r"^(?:clear|delete|remove|purge|clean up|get rid of)\s+(?:all\s+)?(?:of\s+)?(?:the\s+|my\s+)?(?:tasks|ones|items|todos)\s+(?:that are|that were|i've|i have|which are|already|i already)\s+(?:already\s+)?(?:done|completed|finished)$"
        ),
        s,
    ) || is(
        re!(
            r"^(?:clear|delete|remove|purge|clean up)\s+(?:everything|all)\s+(?:that's|thats|that is)\s+(?:done|completed|finished)$"
        ),
        s,
    ) || is(
        re!(r"^(?:clean up|tidy up|tidy)\s+(?:my\s+|the\s+)?(?:list|todo list|to-do list|tasks)$"),
        s,
    )
}

// ---------------------------------------------------------------------------
// Adding.

/// Ways to say "add", longest first; what follows is the task.
const ADD_TRIGGERS: &[&str] = &[
    "add a new task called ",
    "add a new task named ",
    "add a task called ",
    "add a task named ",
    "add a new task to ",
    "add a new task for ",
    "add a new task: ",
    "add a new task ",
    "add a task to ",
    "add a task for ",
    "add a task: ",
    "add a task ",
    "add task to ",
    "add task: ",
    "add task ",
    "add new task: ",
    "add new task ",
    "add a new todo ",
    "add a todo to ",
    "add a todo: ",
    "add a todo ",
    "add todo: ",
    "add todo ",
    "add a reminder to ",
    "add a reminder for ",
    "add a reminder: ",
    "add a reminder ",
    "add reminder ",
    "add an item: ",
    "add an item ",
    "add item: ",
    "add item ",
    "add these: ",
    "add these ",
    "add the following: ",
    "add the following ",
    "add: ",
    "add ",
    "create a new task called ",
    "create a task called ",
    "create a task named ",
    "create a new task to ",
    "create a new task: ",
    "create a new task ",
    "create a task to ",
    "create a task for ",
    "create a task: ",
    "create a task ",
    "create task: ",
    "create task ",
    "create a todo ",
    "create a reminder to ",
    "create a reminder ",
    "create new task ",
    "create ",
    "make a new task to ",
    "make a new task: ",
    "make a new task ",
    "make a task to ",
    "make a task: ",
    "make a task ",
    "make a todo ",
    "make a reminder to ",
    "make a reminder ",
    "make a note to ",
    "new task: ",
    "new task ",
    "new todo: ",
    "new todo ",
    "new reminder: ",
    "new reminder ",
    "new item: ",
    "new item ",
    "set a reminder to ",
    "set a reminder for ",
    "set a reminder: ",
    "set a reminder ",
    "set reminder to ",
    "set reminder ",
    "schedule a ",
    "schedule an ",
    "remind me to ",
    "remind me that i need to ",
    "remind me that i have to ",
    "remind me about ",
    "remind me of ",
    "remind me ",
    "remember to ",
    "don't forget to ",
    "dont forget to ",
    "do not forget to ",
    "don't let me forget to ",
    "dont let me forget to ",
    "note to self: ",
    "note to self ",
    "jot down ",
    "write down ",
    "put down ",
    "i need to ",
    "i have to ",
    "i've got to ",
    "ive got to ",
    "i got to ",
    "i gotta ",
    "i must ",
    "i should ",
    "need to ",
    "have to ",
    "gotta ",
    "todo: ",
    "to-do: ",
    "todo ",
    "task: ",
    "reminder: ",
];

/// Lead-ins that may follow an add trigger and are no part of the task.
const LEAD_INS: &[&str] = &[
    "remember to ",
    "don't forget to ",
    "dont forget to ",
    "do not forget to ",
    "not forget to ",
    "a reminder to ",
    "to remember to ",
];

/// Phrases saying where the task goes, which is always the list.
fn strip_list_talk(text: &str, low: &str) -> (String, String) {
    let Some(re) = re!(
        r"\s*\b(?:to|on|onto|in|into)\s+(?:my|the|our)\s+(?:todo\s+|to-do\s+|to do\s+|task\s+|tasks\s+|shopping\s+|grocery\s+)?(?:list|tasks|todos|to-dos|todo list)\b"
    ) else {
        return (text.to_owned(), low.to_owned());
    };
    let mut orig = String::new();
    let mut lower = String::new();
    let mut at = 0;
    for m in re.find_iter(low) {
        orig.push_str(&text[at..m.start()]);
        lower.push_str(&low[at..m.start()]);
        at = m.end();
    }
    orig.push_str(&text[at..]);
    lower.push_str(&low[at..]);
    (orig.trim().to_owned(), lower.trim().to_owned())
}

fn add_items(msg: &Msg, ctx: &ParseContext) -> Option<Vec<String>> {
    let low = msg.low.trim();
    // "put X on my list", "add X to my list".
    if let Some(c) = caps(
        re!(
            r"^(?:put|stick|throw|pop)\s+(?P<v>.+?)\s+(?:on|in|onto)\s+(?:my|the)\s+(?:todo\s+|to-do\s+|shopping\s+)?(?:list|tasks)$"
        ),
        low,
    ) {
        let v = c.name("v")?;
        // "put the laundry task back on my list" reopens it.
        if !v.as_str().ends_with(" back") {
            return Some(split_items(msg.orig_at(v.range()), v.as_str(), ctx));
        }
        return None;
    }
    if matches!(
        low,
        "add" | "create" | "new task" | "add a task" | "add task" | "remind me"
    ) {
        return Some(Vec::new());
    }
    let trigger = ADD_TRIGGERS.iter().find(|t| low.starts_with(*t))?;
    let rest_low = &low[trigger.len()..];
    let rest = msg.orig_at(trigger.len()..low.len());
    // "add the tag work to it" and friends are edits, read elsewhere.
    let (rest, rest_low) = strip_list_talk(rest, rest_low);
    let (rest, rest_low) = match rest_low.strip_prefix("to ") {
        Some(tail) if trigger.starts_with("remind me") => {
            (rest[rest.len() - tail.len()..].to_owned(), tail.to_owned())
        }
        _ => (rest, rest_low),
    };
    // "I need to remember to …", "add remember to …": one lead-in too many.
    let (rest, rest_low) = match LEAD_INS.iter().find_map(|l| rest_low.strip_prefix(l)) {
        Some(tail) => (rest[rest.len() - tail.len()..].to_owned(), tail.to_owned()),
        None => (rest, rest_low),
    };
    if rest_low.trim().is_empty() {
        return Some(Vec::new());
    }
    Some(split_items(&rest, &rest_low, ctx))
}

/// Verbs a task usually starts with: a part after "and" that starts with
/// one is a task of its own ("buy milk and call mom").
const TASK_VERBS: &[&str] = &[
    "call",
    "buy",
    "email",
    "e-mail",
    "text",
    "pay",
    "book",
    "send",
    "write",
    "read",
    "clean",
    "fix",
    "pick",
    "get",
    "go",
    "take",
    "make",
    "finish",
    "submit",
    "prepare",
    "cancel",
    "check",
    "schedule",
    "order",
    "return",
    "renew",
    "water",
    "walk",
    "feed",
    "wash",
    "do",
    "visit",
    "meet",
    "review",
    "update",
    "plan",
    "print",
    "sign",
    "file",
    "bring",
    "mail",
    "ring",
    "phone",
    "pack",
    "cook",
    "bake",
    "study",
    "practice",
    "practise",
    "learn",
    "watch",
    "fill",
    "grab",
    "drop",
    "collect",
    "reply",
    "respond",
    "ask",
    "tell",
    "organize",
    "organise",
    "sort",
    "paint",
    "repair",
    "install",
    "hire",
    "contact",
    "apply",
    "register",
    "research",
    "test",
    "deploy",
    "run",
    "exercise",
    "clear",
    "empty",
    "vacuum",
    "mow",
    "iron",
    "fold",
    "tidy",
    "buy",
    "see",
    "find",
    "start",
    "stop",
    "change",
    "move",
    "post",
    "ship",
    "draft",
    "edit",
    "backup",
    "back",
    "pickup",
    "invite",
    "thank",
    "congratulate",
    "celebrate",
    "charge",
    "refill",
    "replace",
    "donate",
    "sell",
    "return",
    "recycle",
    "shop",
    "drive",
    "fly",
    "attend",
    "join",
    "follow",
    "confirm",
    "remind",
    "email",
    "message",
    "dm",
    "ping",
    "chase",
    "clean",
    "vote",
    "shower",
    "sleep",
];

fn starts_with_verb(text: &str) -> bool {
    let text = text.trim_start();
    let text = text.strip_prefix("to ").unwrap_or(text);
    text.split_whitespace()
        .next()
        .is_some_and(|w| TASK_VERBS.contains(&w.trim_matches(|c: char| !c.is_alphanumeric())))
}

/// Splits "milk, eggs and bread" or "buy milk tomorrow and call mom friday"
/// into tasks, never inside a date phrase ("every monday and thursday") or
/// quotes, and only where the parts look alike (all start with a verb, or
/// none does).
fn split_items(orig: &str, low: &str, ctx: &ParseContext) -> Vec<String> {
    let whole = orig.trim().to_owned();
    let parsed = quick_add::parse(low, ctx);
    let protected = |at: usize| {
        parsed
            .matches
            .iter()
            .any(|m| m.span.start < at && at < m.span.end)
    };
    let quoted = quote_spans(low);
    let in_quotes = |at: usize| quoted.iter().any(|r| r.start < at && at < r.end);
    // "…, note: a, b and c" is one task's description.
    let note_at = re!(r"[,;\-–—]\s*(?:note|notes|description):")
        .and_then(|re| re.find(low))
        .map_or(low.len(), |m| m.start());
    // Separator positions: (start, end, is_and).
    let mut cuts: Vec<(usize, usize, bool)> = Vec::new();
    if let Some(re) = re!(
        r"\s*(?:[,;\n]+\s*(?:and\s+|then\s+|also\s+|& )?)|\s+(?:and|&|then|and then|and also|plus)\s+"
    ) {
        for m in re.find_iter(low) {
            if protected(m.start())
                || protected(m.end())
                || in_quotes(m.start())
                || m.start() >= note_at
            {
                continue;
            }
            let text = m.as_str();
            let is_and = !text.contains([',', ';', '\n']);
            cuts.push((m.start(), m.end(), is_and));
        }
    }
    if cuts.is_empty() {
        return vec![whole];
    }
    let has_list_punct = cuts.iter().any(|(_, _, and)| !and);
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut at = 0;
    for (start, end, _) in &cuts {
        parts.push((at, *start));
        at = *end;
    }
    parts.push((at, low.len()));
    let verbs: Vec<bool> = parts
        .iter()
        .map(|(a, b)| starts_with_verb(&low[*a..*b]))
        .collect();
    let alike = verbs.iter().all(|v| *v) || verbs.iter().all(|v| !*v);
    let split = if has_list_punct {
        alike
    } else {
        // Only "and"-like cuts: split where the next part starts with a
        // verb, or where no part does and each is short ("milk and eggs").
        let short = parts.iter().all(|(a, b)| {
            quick_add::parse(&low[*a..*b], ctx)
                .title
                .split_whitespace()
                .count()
                <= 2
        });
        verbs.iter().skip(1).all(|v| *v) || (verbs.iter().all(|v| !*v) && short)
    };
    if !split {
        return vec![whole];
    }
    // A part without a title of its own ("friday" in "email Bob, friday")
    // belongs to the part before it.
    let mut items: Vec<(usize, usize)> = Vec::new();
    for (a, b) in parts {
        let text = &low[a..b];
        let title_empty = quick_add::parse(text, ctx).title.trim().is_empty();
        match items.last_mut() {
            Some(last) if title_empty => last.1 = b,
            _ => items.push((a, b)),
        }
    }
    items
        .into_iter()
        .map(|(a, b)| orig.get(a..b).unwrap_or("").trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn quote_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut open: Option<usize> = None;
    for (at, c) in text.char_indices() {
        match (c, open) {
            ('"' | '“', None) => open = Some(at),
            ('"' | '”', Some(start)) => {
                spans.push(start..at + c.len_utf8());
                open = None;
            }
            _ => {}
        }
    }
    if let Some(start) = open {
        spans.push(start..text.len());
    }
    spans
}

// ---------------------------------------------------------------------------
// Listing.

/// Words that name a kind of listing rather than a tag ("my overdue tasks").
const LIST_WORDS: &[&str] = &[
    "completed",
    "complete",
    "done",
    "finished",
    "overdue",
    "late",
    "today",
    "today's",
    "todays",
    "tomorrow",
    "tomorrow's",
    "pending",
    "open",
    "urgent",
    "important",
    "high",
    "low",
    "medium",
    "priority",
    "all",
    "other",
    "remaining",
    "upcoming",
    "new",
    "old",
    "current",
    "recent",
    "due",
    "my",
    "the",
    "your",
    "outstanding",
    "active",
    "incomplete",
    "unfinished",
    "undone",
    "current",
    "any",
    "these",
    "those",
    "week's",
    "weekly",
    "daily",
    "recurring",
    "repeating",
    "next",
    "following",
    "listed",
    "undated",
    "scheduled",
    "unscheduled",
    "every",
    "some",
    "which",
    "what",
    "show",
    "list",
    "many",
    "this",
    "closed",
    "past",
];

fn list(s: &str, ctx: &ParseContext) -> Option<ListSpec> {
    let search = caps(
        re!(
            r"^(?:find|search\s+(?:my\s+)?(?:tasks|list)\s+for|search(?:\s+for)?|look\s+for|look\s+up|lookup|locate|where(?:'s|\s+is|\s+are)|do i have\s+(?:a|any)\s+(?:tasks?|todos?)\s+(?:about|for|with|called|named|mentioning|containing)|is there\s+(?:a|any)\s+(?:tasks?|todos?)\s+(?:about|for|with|called|named|mentioning|containing)|any\s+(?:tasks?|todos?)\s+(?:about|for|with|called|named|mentioning|containing))\s+(?P<q>.+)$"
        ),
        s,
    );
    if let Some(c) = search {
        let q = c.name("q")?.as_str();
        // "find my work tasks" is a listing with filters.
        if !is(
            re!(r"^(?:(?:my|all|the|all my)\s+)?(?:#?[\w-]+\s+)?(?:tasks|todos|to-dos|items)\b"),
            q,
        ) {
            let q = q
                .trim_matches(|c: char| c == '"' || c == '“' || c == '”' || c == '\'')
                .trim_end_matches(" in my tasks")
                .trim_end_matches(" on my list");
            let q = reference::strip_nouns(reference::strip_articles(q));
            let q = reference::strip_articles(q).trim();
            return Some(ListSpec {
                status: Some(StatusArg::All),
                query: Some(q.to_owned()),
                ..ListSpec::default()
            });
        }
    }
    let verb = is(
        re!(
            r"^(?:show|list|display|view|see|give me|tell me|print|read|open|pull up|bring up|find|search|look up|lookup|what|what's|whats|what is|what are|what do|what have|what did|what else|which|any|anything|do i have|have i got|did i|how many|how much|is there|are there|is anything|get my|get me|check my)\b"
        ),
        s,
    );
    let bare = is(
        re!(
            r"^(?:(?:my|all|all my|the)\s+)?(?:tasks|todos|to-dos|todo list|to-do list|list|agenda|overdue|overdue tasks|completed|completed tasks|done tasks|finished tasks|today|today's tasks|todays tasks|tasks for today|tasks due today|upcoming|upcoming tasks|pending|pending tasks|open tasks|urgent tasks|important tasks|everything|tasks today|tasks this week|this week|tomorrow's tasks|tasks for tomorrow|#[\w-]*[a-z][\w-]*(?:\s+tasks)?|[\w-]+\s+tasks)$"
        ),
        s,
    );
    if !verb && !bare {
        return None;
    }
    if verb
        && !bare
        && !is(
            re!(
                r"\b(?:tasks?|todos?|to-dos?|to do|due|overdue|late|today|tonight|tomorrow|week|list|plate|agenda|schedule|completed|done|finished|pending|left|remaining|urgent|priority|important|upcoming|next|open|outstanding|do i have|have i got|on my|everything|anything|tagged|stuff|things|items)\b|#[\w-]*[a-z]"
            ),
            s,
        )
    {
        return None;
    }
    // "show me how to…" or a question about something else.
    if is(re!(r"^(?:show|tell) me how\b"), s) {
        return None;
    }
    let mut spec = ListSpec::default();
    let negated_done = is(
        re!(
            r"\b(?:not|isn't|aren't|haven't|hasn't|un|in)\s*(?:yet\s+)?(?:done|finished|completed?)\b|\b(?:undone|unfinished|incomplete|uncompleted)\b"
        ),
        s,
    );
    let done = is(
        re!(
            r"\b(?:completed|done|finished|closed|checked off|ticked off|did i (?:do|finish|complete)|have i (?:done|finished|completed)|i've (?:done|finished|completed)|i (?:did|finished|completed))\b"
        ),
        s,
    );
    if done && !negated_done {
        spec.status = Some(StatusArg::Completed);
    } else if is(
        re!(
            r"\beverything\b|\b(?:including|incl\.?|and|with)\s+(?:the\s+)?(?:completed|done|finished)(?:\s+ones)?\b|\ball\s+(?:of\s+)?(?:my\s+)?tasks\s+(?:ever|including)"
        ),
        s,
    ) {
        spec.status = Some(StatusArg::All);
    }
    if is(re!(r"\b(?:overdue|late|past due|missed|behind)\b"), s) {
        spec.due = Some(DueArg::Overdue);
    } else if is(re!(r"\b(?:today|today's|todays|tonight)\b"), s) {
        spec.due = Some(DueArg::Today);
    } else if is(
        re!(
            r"\b(?:this week|the week|week's|next (?:7|seven) days|coming days|next few days|upcoming|coming up|soon)\b"
        ),
        s,
    ) {
        spec.due = Some(DueArg::Week);
    } else if is(
        re!(
            r"\b(?:no due date|without (?:a )?(?:due )?dates?|undated|no deadline|no date|no dates|unscheduled|someday|not scheduled)\b"
        ),
        s,
    ) {
        spec.due = Some(DueArg::None);
    } else {
        let parsed = quick_add::parse(s, ctx);
        if parsed.matches.iter().any(|m| m.kind == MatchKind::Date) {
            if let Some(due) = parsed.due {
                spec.on_date = Some(due.local_date(ctx.tz));
            }
        }
    }
    if is(re!(r"\b(?:urgent|p1|critical|top priority)\b"), s) {
        spec.priority = Some(PriorityArg::Urgent);
    } else if is(re!(r"\b(?:high|high-priority|important|p2)\b"), s) {
        spec.priority = Some(PriorityArg::High);
    } else if is(re!(r"\b(?:medium|medium-priority|p3)\b"), s) {
        spec.priority = Some(PriorityArg::Medium);
    } else if is(re!(r"\b(?:low|low-priority|p4)\b"), s) {
        spec.priority = Some(PriorityArg::Low);
    }
    if let Some(c) = caps(re!(r"#(?P<t>[\w-]*[a-z][\w-]*)"), s) {
        spec.tag = c.name("t").map(|t| t.as_str().to_owned());
    } else if let Some(c) = caps(
        re!(
            r"\b(?:tagged|tag|labelled|labeled|label|with the tag|under)\s+(?:as\s+|with\s+)?(?P<t>[\w-]+)"
        ),
        s,
    ) {
        spec.tag = c.name("t").map(|t| t.as_str().to_owned());
    } else if let Some(c) = caps(
        re!(
            r"(?:^|\b(?:my|the|all|any|show|list|see|view|display|me|what|which|are|other)\s+)(?P<t>[\w-]+)\s+(?:tasks|todos|to-dos|items|stuff|things|task|list)\b"
        ),
        s,
    ) {
        if let Some(t) = c.name("t") {
            let word = t.as_str();
            if !LIST_WORDS.contains(&word) && word.parse::<i64>().is_err() {
                spec.tag_or_query = Some(word.to_owned());
            }
        }
    }
    if let Some(c) = caps(
        re!(
            r"\b(?:about|regarding|related to|mentioning|containing|matching|called|named|that mention|that contain|with the words?)\s+(?P<q>.+)$"
        ),
        s,
    ) {
        let q = c.name("q")?.as_str();
        spec.query = Some(
            q.trim_matches(|c: char| c == '"' || c == '“' || c == '”' || c == '\'')
                .to_owned(),
        );
    }
    Some(spec)
}

// ---------------------------------------------------------------------------
// Acting on tasks.

fn act_on(op: Op, reference: &str) -> Intent {
    let said = reference.trim().to_owned();
    let refs = reference::parse(&said).unwrap_or_else(|| vec![Ref::Pronoun]);
    Intent::Act { op, refs, said }
}

fn edit(changes: Changes, reference: &str) -> Intent {
    act_on(Op::Edit(changes), reference)
}

/// Tags as said: "work", "#work and #home", "work, home".
fn tags_of(text: &str) -> Option<Vec<String>> {
    let tags: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '&')
        .map(|w| w.trim_matches(|c: char| c == '"' || c == '\'' || c == '.'))
        .filter(|w| {
            !w.is_empty()
                && !matches!(
                    *w,
                    "and" | "the" | "tag" | "tags" | "label" | "labels" | "a"
                )
        })
        .map(|w| Tag::parse(w).map(Tag::into_string))
        .collect::<Result<_, _>>()
        .ok()?;
    (!tags.is_empty()).then_some(tags)
}

/// A value cut out of the original message, quotes and trailing
/// punctuation off.
fn value(msg: &Msg, c: &Captures, name: &str) -> Option<String> {
    let m = c.name(name)?;
    let text = msg.plain_at(m.range());
    let text = text.trim();
    let text = text
        .strip_prefix(['"', '“', '\''])
        .and_then(|t| t.strip_suffix(['"', '”', '\'']))
        .unwrap_or(text)
        .trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn group<'t>(c: &Captures<'t>, name: &str) -> &'t str {
    c.name(name).map_or("", |m| m.as_str())
}

fn add_verb_edit(msg: &Msg) -> Option<Intent> {
    let s = msg.low.as_str();
    if let Some(c) = caps(
        re!(
            r"^(?:add|put|attach|write|append|leave)\s+(?:a\s+|an\s+|the\s+|this\s+|some\s+)?(?:note|notes|description|comment|details|detail|memo)\s+(?:to|on|for|in)\s+(?P<r>.+?)\s*(?::|\s-|\s—|\s–|\ssaying|\sthat says|\sreading|\swith the text|\swhich says)\s*(?P<v>.+)$"
        ),
        s,
    ) {
        let changes = Changes {
            note: value(msg, &c, "v"),
            ..Changes::default()
        };
        return Some(edit(changes, group(&c, "r")));
    }
    if let Some(c) = caps(
        re!(
            r"^(?:add|put|attach|write)\s+(?:a\s+|an\s+|the\s+)?(?:note|description|comment)\s*(?::|saying|that says)\s*(?P<v>.+)$"
        ),
        s,
    ) {
        let changes = Changes {
            note: value(msg, &c, "v"),
            ..Changes::default()
        };
        return Some(edit(changes, "it"));
    }
    // "add the tag work to X", "add the work tag to X", "add #a #b to X".
    let tag_patterns = [
        re!(
            r"^(?:add|put|apply|attach|give)\s+(?:the\s+|a\s+)?(?:tags?|labels?)\s+(?P<t>.+?)\s+(?:to|on|onto)\s+(?P<r>.+)$"
        ),
        re!(
            r"^(?:add|put|apply|attach|give)\s+(?:the\s+|a\s+)?(?P<t>#?[\w-]+)\s+(?:tag|label)\s+(?:to|on|onto)\s+(?P<r>.+)$"
        ),
        re!(
            r"^(?:add|put|apply|attach)\s+(?P<t>#[^\s,]+(?:(?:\s*,\s*|\s+and\s+|\s+)#[^\s,]+)*)\s+(?:to|on|onto)\s+(?P<r>.+)$"
        ),
    ];
    for pattern in tag_patterns {
        if let Some(c) = caps(pattern, s) {
            let changes = Changes {
                add_tags: tags_of(group(&c, "t"))?,
                ..Changes::default()
            };
            return Some(edit(changes, group(&c, "r")));
        }
    }
    None
}

/// Priority words outside the quick-add grammar ("make it important").
fn priority_word(s: &str) -> Option<PriorityArg> {
    let s = s
        .trim()
        .trim_end_matches(" anymore")
        .trim_end_matches(" any more")
        .trim_end_matches(" any longer")
        .trim_start_matches("a ")
        .trim_start_matches("the ")
        .trim_start_matches("to ")
        .trim_start_matches("as ");
    Some(match s {
        "urgent" | "top priority" | "critical" | "asap" | "urgent priority" | "p1"
        | "highest priority" | "very urgent" | "super urgent" | "priority urgent" | "!!!!"
        | "!urgent" | "!1" => PriorityArg::Urgent,
        "high" | "high priority" | "high-priority" | "important" | "very important" | "p2"
        | "priority high" | "higher priority" | "a priority" | "!!!" | "!high" | "!2" => {
            PriorityArg::High
        }
        "medium" | "medium priority" | "normal" | "normal priority" | "p3" | "priority medium"
        | "moderate" | "average" | "!!" | "!medium" | "!med" | "!3" => PriorityArg::Medium,
        "low" | "low priority" | "low-priority" | "not important" | "unimportant" | "p4"
        | "priority low" | "lower priority" | "minor" | "!" | "!low" | "!4" => PriorityArg::Low,
        "not urgent" | "no priority" | "not a priority" | "priority none" | "none"
        | "no longer urgent" | "not urgent anymore" => PriorityArg::None,
        _ => return None,
    })
}

fn priority_arg(p: Priority) -> PriorityArg {
    match p {
        Priority::None => PriorityArg::None,
        Priority::Low => PriorityArg::Low,
        Priority::Medium => PriorityArg::Medium,
        Priority::High => PriorityArg::High,
        Priority::Urgent => PriorityArg::Urgent,
    }
}

fn due_string(due: Due) -> String {
    crate::tools::due_string(due)
}

/// Words that may sit around a value without meaning anything.
fn only_filler(title: &str) -> bool {
    title.split_whitespace().all(|w| {
        matches!(
            w.trim_matches(|c: char| !c.is_alphanumeric()),
            "" | "the"
                | "on"
                | "at"
                | "for"
                | "to"
                | "be"
                | "due"
                | "and"
                | "it"
                | "a"
                | "is"
                | "as"
                | "by"
                | "until"
                | "till"
                | "til"
                | "from"
                | "now"
                | "instead"
                | "then"
                | "please"
                | "make"
                | "set"
                | "should"
                | "starting"
                | "date"
                | "of"
        )
    })
}

/// Reads an update's value: a due date, a repetition, a priority or tags,
/// all through the quick-add parser. `None` when words are left over.
pub fn edit_arg(v: &str, ctx: &ParseContext) -> Option<Changes> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    if let Some(priority) = priority_word(v) {
        return Some(Changes {
            priority: Some(priority),
            ..Changes::default()
        });
    }
    let mut parsed = quick_add::parse(v, ctx);
    if !only_filler(&parsed.title) {
        // "the weekend" reads only after a preposition.
        let retry = quick_add::parse(&format!("on {v}"), ctx);
        if only_filler(&retry.title) {
            parsed = retry;
        } else {
            return None;
        }
    }
    let mut changes = Changes::default();
    if let Some(due) = parsed.due {
        // A repetition's first occurrence is not a date the user said.
        let said_date = parsed
            .matches
            .iter()
            .any(|m| matches!(m.kind, MatchKind::Date | MatchKind::Time));
        if said_date || parsed.recurrence.is_none() {
            changes.due = Some(due_string(due));
            changes.time_only = !parsed.matches.iter().any(|m| m.kind == MatchKind::Date)
                && parsed.matches.iter().any(|m| m.kind == MatchKind::Time)
                && matches!(due, Due::At(_));
        }
    }
    if let Some(rule) = &parsed.recurrence {
        changes.recurrence = Some(rule.as_str().to_owned());
    }
    changes.priority = parsed.priority.map(priority_arg);
    changes.add_tags = parsed.tags.iter().map(|t| t.as_str().to_owned()).collect();
    (!changes.is_empty()).then_some(changes)
}

/// "2 days", "a week", "an hour", "a couple of days".
fn shift_of(text: &str) -> Option<Shift> {
    let c = caps(
        re!(
            r"^(?:by\s+|for\s+|another\s+|an extra\s+)?(?:(?P<n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|\d+|a couple of|a couple|couple of|a few|few|several)\s+)?(?:more\s+)?(?P<u>minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|years?|fortnight)(?:\s+(?:later|more|from now))?$"
        ),
        text.trim(),
    )?;
    let amount = match c.name("n").map_or("a", |m| m.as_str()) {
        "a" | "an" | "one" => 1,
        "two" | "a couple of" | "a couple" | "couple of" => 2,
        "three" | "a few" | "few" | "several" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "fourteen" => 14,
        // Bounded, so the date arithmetic cannot overflow.
        n => n.parse().ok().filter(|n| (1..=10_000).contains(n))?,
    };
    let unit = group(&c, "u");
    let (amount, unit) = match unit {
        "fortnight" => (amount * 2, Unit::Weeks),
        u if u.starts_with("min") => (amount, Unit::Minutes),
        u if u.starts_with('h') => (amount, Unit::Hours),
        u if u.starts_with('d') => (amount, Unit::Days),
        u if u.starts_with('w') => (amount, Unit::Weeks),
        u if u.starts_with('m') => (amount, Unit::Months),
        _ => (amount, Unit::Years),
    };
    Some(Shift { amount, unit })
}

/// The verbs that start a "tag"/"untag" command, with the tags at the end:
/// "tag it work", "tag the groceries task shopping", "untag task 3 #home".
fn split_ref_and_tags(rest: &str) -> Option<(String, Vec<String>)> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    if words.len() < 2 {
        return None;
    }
    // Trailing #tags.
    let hash_from = words
        .iter()
        .rposition(|w| !w.starts_with('#') && !matches!(*w, "and" | "&"))
        .map_or(0, |p| p + 1);
    if hash_from > 0 && hash_from < words.len() {
        let tags = tags_of(&words[hash_from..].join(" "))?;
        return Some((words[..hash_from].join(" "), tags));
    }
    // The longest prefix that is an exact reference or ends in a noun.
    for k in (1..words.len()).rev() {
        let head = words[..k].join(" ");
        let exact = reference::parse_one(&head).is_some_and(|r| r.is_exact());
        let noun = matches!(words[k - 1], "task" | "one" | "item" | "todo");
        if exact || noun {
            let tail = words[k..]
                .iter()
                .copied()
                .skip_while(|w| matches!(*w, "as" | "with" | "under" | "tag" | "the"))
                .collect::<Vec<_>>()
                .join(" ");
            return Some((head, tags_of(&tail)?));
        }
    }
    let (last, head) = words.split_last()?;
    Some((head.join(" "), tags_of(last)?))
}

fn act(msg: &Msg, ctx: &ParseContext) -> Option<Intent> {
    let s = msg.low.trim();
    let c = |re: Option<&Regex>| caps(re, s);

    // A question never acts: "is the milk task done?" looks it up,
    // "did I complete the report?" too; other questions are not commands.
    if is(
        re!(
            r"^(?:is|are|was|were|did|do|does|have|has|had|should|shall|could|would|will|can|may|what|what's|which|when|where|why|how|who)\b"
        ),
        s,
    ) && !is(re!(r"^did\s+(?:it|that|this|them)\b"), s)
    {
        return question(s);
    }

    // Notes.
    if let Some(k) = c(re!(
        r"^(?:describe|annotate)\s+(?P<r>.+?)\s*(?::|\sas|\swith)\s+(?P<v>.+)$"
    )) {
        let changes = Changes {
            note: value(msg, &k, "v"),
            replace_note: true,
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }
    if let Some(k) = c(re!(
        r"^(?:set|change|update|replace|edit)\s+(?:the\s+)?(?:description|note|notes|details)\s+(?:of|for|on|in)\s+(?P<r>.+?)\s*(?:\sto|\sas|:|\swith)\s+(?P<v>.+)$"
    )) {
        let changes = Changes {
            note: value(msg, &k, "v"),
            replace_note: true,
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }
    if let Some(k) = c(re!(
        r"^(?:note|notes|description|comment)\s+(?:for|on|to)\s+(?P<r>.+?)\s*:\s*(?P<v>.+)$"
    )) {
        let changes = Changes {
            note: value(msg, &k, "v"),
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }

    // Tags off.
    if let Some(k) = c(re!(
        r"^(?:remove|clear|delete|drop|strip)\s+(?:all\s+)?(?:the\s+|its\s+)?(?:tags|labels)\s+(?:from|of|on|off)\s+(?P<r>.+)$"
    )) {
        let changes = Changes {
            clear_tags: true,
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }
    if let Some(k) = c(re!(
        r"^(?:remove|delete|drop|take off|clear|strip)\s+(?:the\s+)?(?:tags?|labels?)\s+(?P<t>.+?)\s+(?:from|off|on|of)\s+(?P<r>.+)$"
    )) {
        let changes = Changes {
            remove_tags: tags_of(group(&k, "t"))?,
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }
    if let Some(k) = c(re!(
        r"^(?:remove|delete|drop|take|strip)\s+(?:the\s+)?(?P<t>#?[\w-]+)\s+(?:tag|label)\s+(?:off\s+of|off|from)\s+(?P<r>.+)$"
    )) {
        let changes = Changes {
            remove_tags: tags_of(group(&k, "t"))?,
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }
    if let Some(k) = c(re!(
        r"^(?:remove|delete|drop|take|strip)\s+(?P<t>#[^\s,]+(?:(?:\s*,\s*|\s+and\s+|\s+)#[^\s,]+)*)\s+(?:off\s+of|off|from)\s+(?P<r>.+)$"
    )) {
        let changes = Changes {
            remove_tags: tags_of(group(&k, "t"))?,
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }
    if let Some(k) = c(re!(r"^(?:untag|unlabel)\s+(?P<rest>.+)$")) {
        let rest = group(&k, "rest");
        if let Some(m) = caps(re!(r"^(?P<r>.+?)\s+(?:from|as)\s+(?P<t>.+)$"), rest)
            .filter(|m| tags_of(group(m, "t")).is_some())
        {
            let changes = Changes {
                remove_tags: tags_of(group(&m, "t"))?,
                ..Changes::default()
            };
            return Some(edit(changes, group(&m, "r")));
        }
        let exact = reference::parse_one(rest).is_some_and(|r| r.is_exact());
        let noun = rest.ends_with(" task") || rest.ends_with(" one");
        if exact || noun {
            let changes = Changes {
                clear_tags: true,
                ..Changes::default()
            };
            return Some(edit(changes, rest));
        }
        let (r, tags) = split_ref_and_tags(rest)?;
        let changes = Changes {
            remove_tags: tags,
            ..Changes::default()
        };
        return Some(edit(changes, &r));
    }
    // Tags on.
    if let Some(k) = c(re!(r"^(?:tag|label|retag)\s+(?P<rest>.+)$")) {
        let rest = group(&k, "rest");
        if let Some(m) = caps(
            re!(r"^(?P<r>.+?)\s+(?:as|with|under|using)\s+(?P<t>.+)$"),
            rest,
        )
        .filter(|m| tags_of(group(m, "t")).is_some())
        {
            let changes = Changes {
                add_tags: tags_of(group(&m, "t"))?,
                ..Changes::default()
            };
            return Some(edit(changes, group(&m, "r")));
        }
        let (r, tags) = split_ref_and_tags(rest)?;
        let changes = Changes {
            add_tags: tags,
            ..Changes::default()
        };
        return Some(edit(changes, &r));
    }

    // Due date off.
    if let Some(k) = c(re!(
        r"^(?:remove|clear|delete|drop|unset|take off|take|get rid of)\s+(?:the\s+|its\s+)?(?:due\s+date|due|deadline|date|due time|dates)\s+(?:from|of|on|for|off|off of)\s+(?P<r>.+)$"
    )) {
        let changes = Changes {
            clear_due: true,
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }
    if let Some(k) = c(re!(
        r"^(?:make\s+)?(?P<r>.+?)\s+(?:undated|(?:has|have|needs|should have)\s+no\s+(?:due\s+date|deadline|date)|(?:doesn't|does not|don't)\s+(?:have|need)\s+(?:a\s+)?(?:due\s+date|deadline|date))$"
    )) {
        let changes = Changes {
            clear_due: true,
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }

    // Priority off, repetition off.
    if let Some(k) = c(re!(
        r"^(?:remove|clear|drop|reset|unset|delete)\s+(?:the\s+|its\s+)?priority\s+(?:of|from|on|for)\s+(?P<r>.+)$"
    )) {
        let changes = Changes {
            priority: Some(PriorityArg::None),
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }
    if let Some(k) = c(re!(
        r"^(?:stop\s+(?:repeating|recurring)|don't\s+repeat|dont\s+repeat|do\s+not\s+repeat|no\s+longer\s+repeat|unrepeat)\s+(?P<r>.+)$"
    ))
    .or_else(|| {
        c(re!(
            r"^(?:remove|clear|stop|cancel|delete|drop)\s+(?:the\s+)?(?:recurrence|repetition|repeat|repeating|schedule|recurring)\s+(?:of|from|on|for)\s+(?P<r>.+)$"
        ))
    })
    .or_else(|| {
        c(re!(
            r"^(?:make|set)\s+(?P<r>.+?)\s+(?:not\s+repeat|not\s+recur|non-repeating|non-recurring|one-off|a one-off|one time|a one time task|stop repeating)$"
        ))
    })
    .or_else(|| {
        c(re!(
            r"^(?P<r>.+?)\s+(?:should\s+not|shouldn't|should\s+no\s+longer|doesn't\s+need\s+to|does\s+not\s+need\s+to)\s+(?:repeat|recur)(?:\s+(?:anymore|any more))?$"
        ))
    }) {
        let changes = Changes {
            clear_recurrence: true,
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }

    // Renaming.
    if let Some(k) = c(re!(
        r"^(?:rename|retitle|re-title|re-name)\s+(?P<r>.+?)\s+(?:to|as|into)\s+(?P<v>.+)$"
    ))
    .or_else(|| {
        c(re!(
            r"^(?:change|update|set|edit)\s+(?:the\s+)?(?:title|name|text|wording)\s+(?:of|for|on)\s+(?P<r>.+?)\s+(?:to|as|into)\s+(?P<v>.+)$"
        ))
    })
    .or_else(|| {
        c(re!(
            r"^(?:change|update|set|edit)\s+(?P<r>.+?)(?:'s|s')?\s+(?:title|name)\s+(?:to|as)\s+(?P<v>.+)$"
        ))
    })
    .or_else(|| c(re!(r"^(?:rename|call)\s+(?P<r>it|that|this|that one|this one)\s+(?P<v>.+)$")))
    {
        let changes = Changes {
            title: value(msg, &k, "v"),
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }

    // Reopening.
    if let Some(k) = c(re!(
        r"^(?:reopen|re-open|unfinish|uncomplete|un-complete|undo|restore|unmark|unarchive|reactivate|revive|unarchive|resurrect|uncheck|untick)\s+(?P<r>.+)$"
    ))
    .or_else(|| {
        c(re!(
            r"^(?:mark|set|put)\s+(?P<r>.+?)\s+(?:as\s+|back\s+(?:to|as)\s+)?(?:not done|undone|incomplete|not complete|not completed|not finished|unfinished|pending|open|active|to do|todo|uncompleted|not done yet)$"
        ))
    })
    .or_else(|| {
        c(re!(
            r"^(?P<r>.+?)\s+(?:isn't|is not|wasn't|was not|'s not|isnt|aren't|are not)\s+(?:really\s+|actually\s+)?(?:done|finished|complete|completed)(?:\s+yet)?(?:\s+after all)?$"
        ))
    })
    .or_else(|| {
        c(re!(
            r"^(?:put|bring)\s+(?:back\s+)?(?P<r>.+?)(?:\s+back)?(?:\s+(?:on|to|in)\s+(?:my|the)\s+(?:list|tasks))?$"
        ))
    }) {
        return Some(act_on(Op::Reopen, group(&k, "r")));
    }
    if is(
        re!(r"^(?:reopen|re-open|undo that|uncomplete|unmark|reopen it please)$"),
        s,
    ) {
        return Some(act_on(Op::Reopen, "it"));
    }

    // Completing.
    if let Some(k) = c(re!(
        r"^(?:mark|set|flag|check|tick)\s+(?P<r>.+?)\s+(?:as\s+)?(?:done|complete|completed|finished|checked|ticked off|checked off|resolved|closed|paid|sent|booked|bought|called|emailed|fixed|submitted|handled|cleaned|sorted)$"
    ))
    .or_else(|| {
        c(re!(
            r"^(?:i'?m|i am|im|we're|we are)\s+(?:all\s+)?(?:done|finished|through)\s+with\s+(?P<r>.+)$"
        ))
    })
    .or_else(|| c(re!(r"^(?:done|finished|through)\s+with\s+(?P<r>.+)$")))
    .or_else(|| {
        c(re!(
            r"^(?:i\s+|we\s+)?(?:have\s+|'ve\s+|just\s+|already\s+|finally\s+)*(?:finished|completed|done)\s+(?P<r>.+)$"
        ))
    })
    .or_else(|| c(re!(r"^(?:i've|ive|i have|we've)\s+(?:just\s+|already\s+|finally\s+)?(?:finished|completed|done|did)\s+(?P<r>.+)$")))
    .or_else(|| c(re!(r"^i\s+(?:just\s+|already\s+|finally\s+)?did\s+(?P<r>.+)$")))
    .or_else(|| {
        c(re!(
            r"^(?:complete|finish|check off|tick off|cross off|mark off|close|resolve|knock out|knock off)\s+(?P<r>.+)$"
        ))
    })
    .or_else(|| c(re!(r"^(?:check|tick|cross|knock)\s+(?P<r>.+?)\s+off(?:\s+(?:my|the)\s+list)?$")))
    .or_else(|| {
        c(re!(
            r"^(?P<r>.+?)\s+(?:is|are|was|were|'s|has been|have been)\s+(?:now\s+|all\s+|finally\s+|already\s+)?(?:done|finished|complete|completed|taken care of|sorted|handled|dealt with)$"
        ))
    })
    .or_else(|| c(re!(r"^(?P<r>.+?)\s+(?:done|finished|completed|complete|is done)$")))
    {
        return Some(act_on(Op::Complete, group(&k, "r")));
    }
    if is(
        re!(
            r"^(?:done|finished|completed|complete|all done|finished it|done with it|did it|i did it|i finished it|i've done it|it's done|its done|that's done|thats done|mark done|mark as done|mark it done|mark complete|mark as complete|complete it|check|tick)$"
        ),
        s,
    ) {
        return Some(act_on(Op::Complete, "it"));
    }

    // Rescheduling: "move X to friday", "change the due date of X to …".
    if let Some(k) = c(re!(
        r"^(?:change|set|update|move|make)\s+(?:the\s+)?(?:due\s+date|due|deadline|date|time|due time)\s+(?:of|for|on)\s+(?P<r>.+?)\s+(?:to|for|as|:)\s+(?P<v>.+)$"
    ))
    .or_else(|| {
        c(re!(
            r"^(?:change|set|update|move)\s+(?P<r>.+?)(?:'s|s')?\s+(?:due\s+date|due|deadline|date|time)\s+(?:to|for|as)\s+(?P<v>.+)$"
        ))
    }) {
        let mut changes = edit_arg(group(&k, "v"), ctx)?;
        changes.priority = changes.priority.filter(|_| changes.due.is_none());
        return Some(edit(changes, group(&k, "r")));
    }
    if let Some(k) = c(re!(
        r"^(?:move|reschedule|schedule|shift|push|bump|postpone|delay|defer|put off|put|plan|snooze|push back|move back|set)\s+(?P<rest>.+)$"
    )) {
        let rest = group(&k, "rest");
        if let Some((r, changes)) = split_at_value(
            rest,
            &[
                "to", "for", "until", "till", "til", "on", "at", "due", "by", "into",
            ],
            false,
            ctx,
            |c| c.due.is_some(),
        ) {
            return Some(edit(changes, &r));
        }
        // "reschedule it friday": no connector.
        if s.starts_with("reschedule") || s.starts_with("move") {
            if let Some((r, changes)) = split_at_value(rest, &[], true, ctx, |c| c.due.is_some()) {
                return Some(edit(changes, &r));
            }
        }
    }

    // Postponing by an amount.
    if let Some(k) = c(re!(
        r"^(?:postpone|delay|defer|push back|push out|push|snooze|bump|put off|move back|shift|move)\s+(?P<rest>.+)$"
    )) {
        let rest = group(&k, "rest");
        let words: Vec<&str> = rest.split_whitespace().collect();
        for cut in 1..words.len() {
            let head = words[..cut].join(" ");
            let mut tail: Vec<&str> = words[cut..].to_vec();
            if tail.first() == Some(&"back") {
                tail.remove(0);
            }
            if let Some(shift) = shift_of(&tail.join(" ")) {
                let head = head.trim_end_matches(" back").to_owned();
                let changes = Changes {
                    shift: Some(shift),
                    ..Changes::default()
                };
                return Some(edit(changes, &head));
            }
        }
        let verb = s.split_whitespace().next().unwrap_or("");
        if matches!(verb, "postpone" | "delay" | "defer" | "snooze")
            || s.starts_with("push back")
            || s.starts_with("put off")
            || rest.ends_with(" back")
        {
            let r = rest.trim_end_matches(" back");
            let changes = Changes {
                shift: Some(Shift {
                    amount: 1,
                    unit: Unit::Days,
                }),
                ..Changes::default()
            };
            return Some(edit(changes, r));
        }
    }
    if is(
        re!(r"^(?:postpone|delay|snooze|defer|push it back|postpone it)$"),
        s,
    ) {
        let changes = Changes {
            shift: Some(Shift {
                amount: 1,
                unit: Unit::Days,
            }),
            ..Changes::default()
        };
        return Some(edit(changes, "it"));
    }

    // Priority.
    if let Some(k) = c(re!(
        r"^(?:set|change|update|make|put)\s+(?:the\s+)?priority\s+(?:of|for|on)\s+(?P<r>.+?)\s+(?:to|as|at)\s+(?P<p>.+)$"
    ))
    .or_else(|| {
        c(re!(
            r"^(?:set|change|update|put)\s+(?P<r>.+?)(?:'s|s')?\s+priority\s+(?:to|as|at)\s+(?P<p>.+)$"
        ))
    })
    .or_else(|| c(re!(r"^(?:give)\s+(?P<r>.+?)\s+(?:a\s+)?(?P<p>(?:high|low|medium|normal|top|urgent)(?:\s+priority)?)$")))
    {
        let priority = priority_word(group(&k, "p"))?;
        let changes = Changes {
            priority: Some(priority),
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }
    // Relative: one level up or down.
    for (step, re) in [
        (
            1,
            re!(
                r"^(?:bump up|bump|raise|increase|boost|up|lift)\s+(?:the\s+|its\s+)?(?:priority|prio)\s+(?:of|on|for)\s+(?P<r>.+)$"
            ),
        ),
        (
            1,
            re!(
                r"^(?:make)\s+(?P<r>.+?)\s+(?:more\s+(?:urgent|important)|(?:a\s+)?higher\s+priority)$"
            ),
        ),
        (1, re!(r"^(?:bump)\s+(?P<r>.+?)\s+up$")),
        (
            -1,
            re!(
                r"^(?:lower|decrease|reduce|drop|downgrade)\s+(?:the\s+|its\s+)?(?:priority|prio)\s+(?:of|on|for)\s+(?P<r>.+)$"
            ),
        ),
        (
            -1,
            re!(
                r"^(?:make)\s+(?P<r>.+?)\s+(?:less\s+(?:urgent|important)|(?:a\s+)?lower\s+priority)$"
            ),
        ),
    ] {
        if let Some(k) = c(re) {
            let changes = Changes {
                priority_step: Some(step),
                ..Changes::default()
            };
            return Some(edit(changes, group(&k, "r")));
        }
    }
    if let Some(k) = c(re!(
        r"^(?:prioritize|prioritise|escalate|bump up)\s+(?P<r>.+)$"
    )) {
        let changes = Changes {
            priority: Some(PriorityArg::High),
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }
    if let Some(k) = c(re!(
        r"^(?:deprioritize|deprioritise|de-prioritize|de-prioritise)\s+(?P<r>.+)$"
    )) {
        let changes = Changes {
            priority: Some(PriorityArg::Low),
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }

    // Repetition.
    if let Some(k) = c(re!(
        r"^(?:make|set|have)\s+(?P<r>.+?)\s+(?:to\s+)?(?:repeat|recur|happen|be repeated)\s+(?P<v>.+)$"
    ))
    .or_else(|| c(re!(r"^(?:repeat)\s+(?P<r>.+?)\s+(?P<v>(?:every|each|daily|weekly|monthly|yearly|annually|fortnightly|quarterly|on)\b.*)$")))
    .or_else(|| c(re!(r"^(?P<r>.+?)\s+(?:should|must|needs to|has to)\s+(?:repeat|recur|happen)\s+(?P<v>.+)$")))
    .or_else(|| c(re!(r"^(?:make|set)\s+(?P<r>.+?)\s+(?:a\s+)?(?:repeating|recurring)\s+(?:task\s+)?(?P<v>.+)$")))
    {
        let v = group(&k, "v");
        let changes = edit_arg(v, ctx)
            .or_else(|| edit_arg(&format!("every {v}"), ctx))?;
        if changes.recurrence.is_some() {
            let changes = Changes {
                recurrence: changes.recurrence,
                ..Changes::default()
            };
            return Some(edit(changes, group(&k, "r")));
        }
    }

    // "remove work from the sarah task": a tag off, unless it is list talk
    // ("remove milk from my list" deletes).
    if let Some(k) = c(re!(
        r"^(?:remove|delete|drop|take)\s+(?P<t>[\w-]+)\s+(?:from|off)\s+(?P<r>.+)$"
    )) {
        let r = group(&k, "r");
        let list_talk = is(
            re!(
                r"^(?:my|the|our)\s+(?:todo\s+|to-do\s+|to do\s+|task\s+|shopping\s+)?(?:list|tasks|todos)$"
            ),
            r,
        );
        if !list_talk {
            if let Some(tags) = tags_of(group(&k, "t")) {
                let changes = Changes {
                    remove_tags: tags,
                    ..Changes::default()
                };
                return Some(edit(changes, r));
            }
        }
    }

    // Deleting.
    if let Some(k) = c(re!(
        r"^(?:delete|remove|erase|trash|drop|discard|scrap|nuke|forget about|forget|get rid of|throw away|throw out|cancel|kill|bin|axe|ditch|strike|cross out|destroy|purge)\s+(?P<r>.+)$"
    ))
    .or_else(|| {
        c(re!(
            r"^(?P<r>.+?)\s+(?:can be|should be|needs to be|must be)\s+(?:deleted|removed|cancelled|canceled|dropped)$"
        ))
    })
    .or_else(|| c(re!(r"^(?:i\s+)?(?:don't|dont|do not|no longer)\s+need\s+(?P<r>.+?)(?:\s+(?:anymore|any more))?$")))
    {
        return Some(act_on(Op::Delete, group(&k, "r")));
    }
    if is(
        re!(r"^(?:delete|remove|delete it|remove it|trash it|get rid of it)$"),
        s,
    ) {
        return Some(act_on(Op::Delete, "it"));
    }

    // "make it urgent", "set task 3 to tomorrow 5pm", "change it to weekly".
    if let Some(k) = c(re!(
        r"^(?:make|set|change|update|mark|turn|switch|edit|move|put|flag)\s+(?P<rest>.+)$"
    )) {
        let rest = group(&k, "rest");
        if let Some((r, changes)) =
            split_at_value(rest, &["to", "as", "into", "for", "at"], true, ctx, |_| {
                true
            })
        {
            return Some(edit(changes, &r));
        }
        // "change X to Y" with Y no value: a new title.
        if s.starts_with("change") || s.starts_with("edit") || s.starts_with("update") {
            if let Some(m) = caps(
                re!(r"^(?:change|edit|update)\s+(?P<r>.+?)\s+(?:to|into)\s+(?P<v>.+)$"),
                s,
            ) {
                let changes = Changes {
                    title: value(msg, &m, "v"),
                    ..Changes::default()
                };
                return Some(edit(changes, group(&m, "r")));
            }
        }
    }
    if let Some(k) = c(re!(r"^flag\s+(?P<r>.+)$")) {
        let changes = Changes {
            priority: Some(PriorityArg::High),
            ..Changes::default()
        };
        return Some(edit(changes, group(&k, "r")));
    }
    // "the dentist task is urgent", "task 3 is due friday".
    if let Some(k) = c(re!(
        r"^(?P<r>.+?)\s+(?:is|are|should be|is now|will be|needs to be|must be|has to be)\s+(?P<v>.+)$"
    )) {
        if let Some(changes) = edit_arg(group(&k, "v"), ctx) {
            return Some(edit(changes, group(&k, "r")));
        }
    }
    // "task 3 due friday", "it's due tomorrow".
    if let Some(k) = c(re!(r"^(?P<r>.+?)(?:'s)?\s+(?P<v>due\s+.+)$")) {
        if let Some(changes) = edit_arg(group(&k, "v"), ctx) {
            if changes.due.is_some() {
                return Some(edit(changes, group(&k, "r")));
            }
        }
    }
    None
}

/// A question about tasks: a search for the ones it names.
fn question(s: &str) -> Option<Intent> {
    // "what did I complete?", "what have we finished": the done ones.
    if is(
        re!(
            r"^(?:what|which)(?:\s+(?:tasks|ones|things|todos))?\s+(?:did|have|'ve)\s+(?:i|we)\s+(?:already\s+|just\s+)?(?:complete|completed|finish|finished|do|done|get done|got done|tick off|ticked off|check off|checked off)\b"
        ),
        s,
    ) {
        return Some(Intent::List(ListSpec {
            status: Some(StatusArg::Completed),
            ..ListSpec::default()
        }));
    }
    let k = caps(
        re!(r"^(?:is|are|was|were|has|have)\s+(?P<r>.+?)\s+(?:been\s+|already\s+)?(?:done|completed|complete|finished|deleted|removed|due|urgent|important)\b.*$"),
        s,
    )
    .or_else(|| {
        caps(
            re!(r"^(?:did|have|has|should|shall|can|could)\s+(?:i|we|you)\s+(?:already\s+|ever\s+|really\s+)?(?:complete|completed|finish|finished|do|done|did|delete|deleted|remove|removed|reopen|reopened|move|moved|reschedule|rescheduled|postpone|postponed)\s+(?P<r>.+)$"),
            s,
        )
    })?;
    let r = group(&k, "r");
    let query = reference::strip_nouns(reference::strip_articles(r)).trim();
    (!query.is_empty()).then(|| {
        Intent::List(ListSpec {
            status: Some(StatusArg::All),
            query: Some(query.to_owned()),
            ..ListSpec::default()
        })
    })
}

/// Splits "REF [connector] VALUE" where VALUE reads fully as an update and
/// REF as a reference; the longest value wins.
fn split_at_value(
    rest: &str,
    connectors: &[&str],
    bare: bool,
    ctx: &ParseContext,
    accept: impl Fn(&Changes) -> bool,
) -> Option<(String, Changes)> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    for cut in 1..words.len() {
        let head = words[..cut].join(" ");
        let tail = &words[cut..];
        let mut values: Vec<String> = Vec::new();
        if connectors.contains(&tail[0]) && tail.len() > 1 {
            values.push(tail[1..].join(" "));
        }
        if bare {
            values.push(tail.join(" "));
        }
        for value in values {
            if let Some(changes) = edit_arg(&value, ctx).filter(|c| accept(c)) {
                if reference::parse_one(&head).is_some() {
                    return Some((head, changes));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::text::normalize;
    use chrono::{DateTime, Utc};
    use todo_domain::TimeZone;

    fn ctx() -> ParseContext {
        let now: DateTime<Utc> = "2026-11-21T09:00:00Z".parse().unwrap();
        ParseContext::new(now, TimeZone::parse("Europe/Paris").unwrap())
    }

    fn read(text: &str) -> Intent {
        parse(&normalize(text), &ctx())
    }

    fn adds(text: &str) -> Vec<String> {
        match read(text) {
            Intent::Add(items) => items,
            other => panic!("{text}: {other:?}"),
        }
    }

    fn acts(text: &str) -> (Op, Vec<Ref>) {
        match read(text) {
            Intent::Act { op, refs, .. } => (op, refs),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn every_pattern_compiles() {
        // Exercising each branch compiles each pattern; a None would make
        // these fail.
        assert!(re!(r"^a$").is_some());
        for text in [
            "help",
            "hi",
            "thanks",
            "lol",
            "yes",
            "no",
            "clear completed",
            "add milk",
            "show my tasks",
            "find dentist",
            "done with it",
            "delete task 3",
            "rename task 3 to x",
            "move it to friday",
            "postpone it by 2 days",
            "make it urgent",
            "tag it work",
            "untag it work",
            "describe it as x",
            "stop repeating it",
            "remove the due date from it",
            "make it repeat weekly",
        ] {
            assert_ne!(read(text), Intent::Unknown, "{text}");
        }
    }

    #[test]
    fn several_tasks_at_once() {
        assert_eq!(adds("add milk, eggs and bread"), ["milk", "eggs", "bread"]);
        assert_eq!(
            adds("add buy milk tomorrow and call mom friday at 5pm"),
            ["buy milk tomorrow", "call mom friday at 5pm"]
        );
        assert_eq!(adds("add milk and eggs"), ["milk", "eggs"]);
        assert_eq!(adds("add buy milk and eggs"), ["buy milk and eggs"]);
        assert_eq!(adds("add call mom and dad"), ["call mom and dad"]);
        assert_eq!(
            adds("add gym every monday and thursday"),
            ["gym every monday and thursday"]
        );
        assert_eq!(adds("Add Email Bob, friday"), ["Email Bob, friday"]);
        assert_eq!(
            adds("remind me to call mom tomorrow"),
            ["call mom tomorrow"]
        );
        assert_eq!(adds("ADD MILK"), ["MILK"]);
        assert_eq!(adds("add milk to my shopping list"), ["milk"]);
    }

    #[test]
    fn listings() {
        let Intent::List(spec) = read("what's due today") else {
            panic!()
        };
        assert_eq!(spec.due, Some(DueArg::Today));
        let Intent::List(spec) = read("show my work tasks") else {
            panic!()
        };
        assert_eq!(spec.tag_or_query.as_deref(), Some("work"));
        let Intent::List(spec) = read("show completed") else {
            panic!()
        };
        assert_eq!(spec.status, Some(StatusArg::Completed));
        let Intent::List(spec) = read("find dentist") else {
            panic!()
        };
        assert_eq!(spec.query.as_deref(), Some("dentist"));
        let Intent::List(spec) = read("what's overdue") else {
            panic!()
        };
        assert_eq!(spec.due, Some(DueArg::Overdue));
        assert_eq!(read("what's the weather like"), Intent::Unknown);
    }

    #[test]
    fn completing_and_references() {
        assert_eq!(
            acts("done with the second one"),
            (Op::Complete, vec![Ref::Position(2)])
        );
        assert_eq!(acts("mark #12 as done"), (Op::Complete, vec![Ref::Id(12)]));
        assert_eq!(
            acts("I finished the groceries task"),
            (Op::Complete, vec![Ref::Title("groceries".into())])
        );
        assert_eq!(acts("compelte task 4"), (Op::Complete, vec![Ref::Id(4)]));
        assert_eq!(acts("delet it"), (Op::Delete, vec![Ref::Pronoun]));
        assert_eq!(
            acts("mark the first one as not done"),
            (Op::Reopen, vec![Ref::Position(1)])
        );
    }

    #[test]
    fn edits() {
        let (op, refs) = acts("rename task 3 to Buy oat milk");
        assert_eq!(refs, [Ref::Id(3)]);
        assert_eq!(
            op,
            Op::Edit(Changes {
                title: Some("Buy oat milk".into()),
                ..Changes::default()
            })
        );
        let (op, refs) = acts("move it to friday");
        assert_eq!(refs, [Ref::Pronoun]);
        assert_eq!(
            op,
            Op::Edit(Changes {
                due: Some("2026-11-27".into()),
                ..Changes::default()
            })
        );
        let (op, refs) = acts("push the dentist task to next week");
        assert_eq!(refs, [Ref::Title("dentist".into())]);
        assert!(matches!(op, Op::Edit(Changes { due: Some(_), .. })));
        let (op, _) = acts("postpone it by 2 days");
        assert_eq!(
            op,
            Op::Edit(Changes {
                shift: Some(Shift {
                    amount: 2,
                    unit: Unit::Days
                }),
                ..Changes::default()
            })
        );
        let (op, _) = acts("make it urgent");
        assert_eq!(
            op,
            Op::Edit(Changes {
                priority: Some(PriorityArg::Urgent),
                ..Changes::default()
            })
        );
        let (op, _) = acts("tag it work");
        assert_eq!(
            op,
            Op::Edit(Changes {
                add_tags: vec!["work".into()],
                ..Changes::default()
            })
        );
        let (op, refs) = acts("add a note to task 4: bring the passport");
        assert_eq!(refs, [Ref::Id(4)]);
        assert_eq!(
            op,
            Op::Edit(Changes {
                note: Some("bring the passport".into()),
                ..Changes::default()
            })
        );
    }

    #[test]
    fn odd_input_reads_without_panicking() {
        let long = "add ".to_owned() + &"very ".repeat(900) + "long task tomorrow";
        for text in [
            "",
            "   ",
            "🎉🎉🎉",
            "#-9223372036854775808",
            "complete task 99999999999999999999",
            "postpone it by 99999999999 days",
            "İstanbul’a git yarın",
            "\"unclosed quote add milk",
            "add , , and ,",
            long.as_str(),
        ] {
            let _ = read(text);
        }
        assert_eq!(shift_of("99999999999 days"), None);
    }

    #[test]
    fn small_talk_and_fallback() {
        assert_eq!(read("thanks!"), Intent::Talk(Talk::Thanks));
        assert_eq!(read("How are you?"), Intent::Talk(Talk::HowAreYou));
        assert_eq!(read("lol"), Intent::Talk(Talk::Ack));
        assert_eq!(read("what can you do?"), Intent::Help);
        assert_eq!(read("clear completed tasks"), Intent::ClearCompleted);
        assert_eq!(read("I love pizza"), Intent::Unknown);
    }
}
