//! Listings and searches.

use super::*;
use todo_domain::words;

// ---------------------------------------------------------------------------
// Listing.

/// Words that name a kind of listing rather than a tag ("my overdue tasks");
/// the priority words are the domain's (`words::priority_named_in`).
pub(super) const LIST_WORDS: &[&str] = &[
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

/// Words that ask for tasks by due date, tried in order.
pub(super) static DUE_WORDS: Patterns<DueArg> = Patterns::new(&[
    (
        r"\b(?:overdue|late|past due|missed|behind)\b",
        DueArg::Overdue,
    ),
    (r"\b(?:today|today's|todays|tonight)\b", DueArg::Today),
    (
        r"\b(?:this week|the week|week's|next (?:7|seven) days|coming days|next few days|upcoming|coming up|soon)\b",
        DueArg::Week,
    ),
    (
        r"\b(?:no due date|without (?:a )?(?:due )?dates?|undated|no deadline|no date|no dates|unscheduled|someday|not scheduled)\b",
        DueArg::None,
    ),
]);

/// When the done tasks asked for were completed: "yesterday", "the past
/// week", else the due words' today and this week, read as the days they
/// were completed in.
pub(super) fn completed_window(s: &str) -> Option<CompletedFilter> {
    if is(re!(r"\byesterday\b"), s) {
        return Some(CompletedFilter::Yesterday);
    }
    if is(re!(r"\b(?:past|last)\s+(?:week|7 days|seven days)\b"), s) {
        return Some(CompletedFilter::Week);
    }
    match DUE_WORDS.first(s)? {
        DueArg::Today => Some(CompletedFilter::Today),
        DueArg::Week => Some(CompletedFilter::Week),
        DueArg::Overdue | DueArg::None => None,
    }
}

pub(super) fn list(s: &str, ctx: &ParseContext) -> Option<ListSpec> {
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
        spec.completed = completed_window(s);
    } else if is(
        re!(
            r"\beverything\b|\b(?:including|incl\.?|and|with)\s+(?:the\s+)?(?:completed|done|finished)(?:\s+ones)?\b|\ball\s+(?:of\s+)?(?:my\s+)?tasks\s+(?:ever|including)"
        ),
        s,
    ) {
        spec.status = Some(StatusArg::All);
    }
    if spec.completed.is_some() {
        // The day words said when they were done.
    } else if let Some(due) = DUE_WORDS.first(s) {
        spec.due = Some(*due);
    } else {
        let parsed = quick_add::parse(s, ctx);
        if parsed.matches.iter().any(|m| m.kind == MatchKind::Date) {
            if let Some(due) = parsed.due {
                spec.on_date = Some(due.local_date(ctx.tz));
            }
        }
    }
    spec.priority = words::priority_named_in(s);
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
            // "my urgent tasks", "p1 tasks", "critical tasks": a priority,
            // read above, not a tag.
            if !LIST_WORDS.contains(&word)
                && words::priority_named_in(word).is_none()
                && word.parse::<i64>().is_err()
            {
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
