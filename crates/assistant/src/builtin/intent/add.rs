//! New tasks: the ways to say "add" and splitting several tasks apart.

use super::*;

// ---------------------------------------------------------------------------
// Adding.

/// Ways to say "add", longest first; what follows is the task.
pub(super) const ADD_TRIGGERS: &[&str] = &[
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
    "don't forget: ",
    "dont forget to ",
    "dont forget: ",
    "remember: ",
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
pub(super) const LEAD_INS: &[&str] = &[
    "remember to ",
    "don't forget to ",
    "dont forget to ",
    "do not forget to ",
    "not forget to ",
    "a reminder to ",
    "to remember to ",
];

/// Phrases saying where the task goes, which is always the list.
pub(super) fn strip_list_talk(text: &str, low: &str) -> (String, String) {
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

pub(super) fn add_items(msg: &Msg, ctx: &ParseContext) -> Option<Vec<String>> {
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
pub(super) const TASK_VERBS: &[&str] = &[
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

pub(super) fn starts_with_verb(text: &str) -> bool {
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
pub(super) fn split_items(orig: &str, low: &str, ctx: &ParseContext) -> Vec<String> {
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

pub(super) fn quote_spans(text: &str) -> Vec<std::ops::Range<usize>> {
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
