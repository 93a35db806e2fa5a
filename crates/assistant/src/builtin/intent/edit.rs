//! Acting on tasks: completing, reopening, deleting and changing them.

use super::*;
use todo_domain::words;

// ---------------------------------------------------------------------------
// Acting on tasks.

pub(super) fn act_on(op: Op, reference: &str) -> Intent {
    let said = reference.trim().to_owned();
    let refs = reference::parse(&said).unwrap_or_else(|| vec![Ref::Pronoun]);
    Intent::Act { op, refs, said }
}

pub(super) fn edit(changes: Changes, reference: &str) -> Intent {
    act_on(Op::Edit(changes), reference)
}

/// Tags as said: "work", "#work and #home", "work, home".
pub(super) fn tags_of(text: &str) -> Option<Vec<Tag>> {
    let tags: Vec<Tag> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '&')
        .map(|w| w.trim_matches(|c: char| c == '"' || c == '\'' || c == '.'))
        .filter(|w| {
            !w.is_empty()
                && !matches!(
                    *w,
                    "and" | "the" | "tag" | "tags" | "label" | "labels" | "a"
                )
        })
        .map(Tag::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    (!tags.is_empty()).then_some(tags)
}

/// A value cut out of the original message, quotes and trailing
/// punctuation off.
pub(super) fn value(msg: &Msg, c: &Captures, name: &str) -> Option<String> {
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

pub(super) fn group<'t>(c: &Captures<'t>, name: &str) -> &'t str {
    c.name(name).map_or("", |m| m.as_str())
}

/// Edits said with "add": a note or a tag added to a task (before new
/// tasks are read, so that "add a note to it: …" adds no task).
pub(super) static ADD_VERB_EDITS: Table = Table::new(&[
    rule(
        r"^(?:add|put|attach|write|append|leave)\s+(?:a\s+|an\s+|the\s+|this\s+|some\s+)?(?:note|notes|description|comment|details|detail|memo)\s+(?:to|on|for|in)\s+(?P<r>.+?)\s*(?::|\s-|\s—|\s–|\ssaying|\sthat says|\sreading|\swith the text|\swhich says)\s*(?P<v>.+)$",
        add_note,
    ),
    rule(
        r"^(?:add|put|attach|write)\s+(?:a\s+|an\s+|the\s+)?(?:note|description|comment)\s*(?::|saying|that says)\s*(?P<v>.+)$",
        |h| {
            Some(edit(
                Changes {
                    note: h.value("v"),
                    ..Changes::default()
                },
                "it",
            ))
        },
    ),
    // "add the tag work to X", "add the work tag to X", "add #a #b to X".
    rule(
        r"^(?:add|put|apply|attach|give)\s+(?:the\s+|a\s+)?(?:tags?|labels?)\s+(?P<t>.+?)\s+(?:to|on|onto)\s+(?P<r>.+)$",
        add_tags,
    ),
    rule(
        r"^(?:add|put|apply|attach|give)\s+(?:the\s+|a\s+)?(?P<t>#?[\w-]+)\s+(?:tag|label)\s+(?:to|on|onto)\s+(?P<r>.+)$",
        add_tags,
    ),
    rule(
        r"^(?:add|put|apply|attach)\s+(?P<t>#[^\s,]+(?:(?:\s*,\s*|\s+and\s+|\s+)#[^\s,]+)*)\s+(?:to|on|onto)\s+(?P<r>.+)$",
        add_tags,
    ),
]);

fn add_tags(h: &Hit) -> Option<Intent> {
    h.edit(Changes {
        add_tags: tags_of(h.group("t"))?,
        ..Changes::default()
    })
}

/// A priority said as an update's value ("make it important"): the
/// domain's words, once the conversation around them is trimmed.
pub(super) fn priority_word(s: &str) -> Option<PriorityArg> {
    let s = s
        .trim()
        .trim_end_matches(" anymore")
        .trim_end_matches(" any more")
        .trim_end_matches(" any longer")
        .trim_start_matches("a ")
        .trim_start_matches("the ")
        .trim_start_matches("to ")
        .trim_start_matches("as ");
    words::priority_answer(s)
}

/// Words that may sit around a value without meaning anything.
pub(super) fn only_filler(title: &str) -> bool {
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
            changes.due = Some(due);
            changes.time_only = !parsed.matches.iter().any(|m| m.kind == MatchKind::Date)
                && parsed.matches.iter().any(|m| m.kind == MatchKind::Time)
                && matches!(due, Due::At(_));
        }
    }
    if let Some(rule) = &parsed.recurrence {
        changes.recurrence = Some(rule.clone());
    }
    changes.priority = parsed.priority;
    changes.add_tags = parsed.tags.clone();
    (!changes.is_empty()).then_some(changes)
}

/// "2 days", "a week", "an hour", "a couple of days".
pub(super) fn shift_of(text: &str) -> Option<Shift> {
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
pub(super) fn split_ref_and_tags(rest: &str) -> Option<(String, Vec<Tag>)> {
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

pub(super) fn act(msg: &Msg, ctx: &ParseContext) -> Option<Intent> {
    let s = msg.low.trim();
    if is_question(s) {
        return question(s, msg, ctx);
    }
    EDITS.read(s, msg, ctx)
}

/// Changes to one task, in the order they are tried: a more specific
/// phrasing comes before a looser one that would also match it.
pub(super) static EDITS: Table = Table::new(&[
    // Notes.
    rule(
        r"^(?:describe|annotate)\s+(?P<r>.+?)\s*(?::|\sas|\swith)\s+(?P<v>.+)$",
        replace_note,
    ),
    rule(
        r"^(?:set|change|update|replace|edit)\s+(?:the\s+)?(?:description|note|notes|details)\s+(?:of|for|on|in)\s+(?P<r>.+?)\s*(?:\sto|\sas|:|\swith)\s+(?P<v>.+)$",
        replace_note,
    ),
    rule(
        r"^(?:note|notes|description|comment)\s+(?:for|on|to)\s+(?P<r>.+?)\s*:\s*(?P<v>.+)$",
        add_note,
    ),
    // Tags off.
    rule(
        r"^(?:remove|clear|delete|drop|strip)\s+(?:all\s+)?(?:the\s+|its\s+)?(?:tags|labels)\s+(?:from|of|on|off)\s+(?P<r>.+)$",
        |h| {
            h.edit(Changes {
                clear_tags: true,
                ..Changes::default()
            })
        },
    ),
    rule(
        r"^(?:remove|delete|drop|take off|clear|strip)\s+(?:the\s+)?(?:tags?|labels?)\s+(?P<t>.+?)\s+(?:from|off|on|of)\s+(?P<r>.+)$",
        remove_tags,
    ),
    rule(
        r"^(?:remove|delete|drop|take|strip)\s+(?:the\s+)?(?P<t>#?[\w-]+)\s+(?:tag|label)\s+(?:off\s+of|off|from)\s+(?P<r>.+)$",
        remove_tags,
    ),
    rule(
        r"^(?:remove|delete|drop|take|strip)\s+(?P<t>#[^\s,]+(?:(?:\s*,\s*|\s+and\s+|\s+)#[^\s,]+)*)\s+(?:off\s+of|off|from)\s+(?P<r>.+)$",
        remove_tags,
    ),
    rule(r"^(?:untag|unlabel)\s+(?P<rest>.+)$", untag),
    // Tags on.
    rule(r"^(?:tag|label|retag)\s+(?P<rest>.+)$", tag),
    // Due date off.
    rule(
        r"^(?:remove|clear|delete|drop|unset|take off|take|get rid of)\s+(?:the\s+|its\s+)?(?:due\s+date|due|deadline|date|due time|dates)\s+(?:from|of|on|for|off|off of)\s+(?P<r>.+)$",
        clear_due,
    ),
    rule(
        r"^(?:make\s+)?(?P<r>.+?)\s+(?:undated|(?:has|have|needs|should have)\s+no\s+(?:due\s+date|deadline|date)|(?:doesn't|does not|don't)\s+(?:have|need)\s+(?:a\s+)?(?:due\s+date|deadline|date))$",
        clear_due,
    ),
    // Priority off, repetition off.
    rule(
        r"^(?:remove|clear|drop|reset|unset|delete)\s+(?:the\s+|its\s+)?priority\s+(?:of|from|on|for)\s+(?P<r>.+)$",
        |h| {
            h.edit(Changes {
                priority: Some(PriorityArg::None),
                ..Changes::default()
            })
        },
    ),
    rule(
        r"^(?:stop\s+(?:repeating|recurring)|don't\s+repeat|dont\s+repeat|do\s+not\s+repeat|no\s+longer\s+repeat|unrepeat)\s+(?P<r>.+)$",
        clear_recurrence,
    ),
    rule(
        r"^(?:remove|clear|stop|cancel|delete|drop)\s+(?:the\s+)?(?:recurrence|repetition|repeat|repeating|schedule|recurring)\s+(?:of|from|on|for)\s+(?P<r>.+)$",
        clear_recurrence,
    ),
    rule(
        r"^(?:make|set)\s+(?P<r>.+?)\s+(?:not\s+repeat|not\s+recur|non-repeating|non-recurring|one-off|a one-off|one time|a one time task|stop repeating)$",
        clear_recurrence,
    ),
    rule(
        r"^(?P<r>.+?)\s+(?:should\s+not|shouldn't|should\s+no\s+longer|doesn't\s+need\s+to|does\s+not\s+need\s+to)\s+(?:repeat|recur)(?:\s+(?:anymore|any more))?$",
        clear_recurrence,
    ),
    // Renaming.
    rule(
        r"^(?:rename|retitle|re-title|re-name)\s+(?P<r>.+?)\s+(?:to|as|into)\s+(?P<v>.+)$",
        rename,
    ),
    rule(
        r"^(?:change|update|set|edit)\s+(?:the\s+)?(?:title|name|text|wording)\s+(?:of|for|on)\s+(?P<r>.+?)\s+(?:to|as|into)\s+(?P<v>.+)$",
        rename,
    ),
    rule(
        r"^(?:change|update|set|edit)\s+(?P<r>.+?)(?:'s|s')?\s+(?:title|name)\s+(?:to|as)\s+(?P<v>.+)$",
        rename,
    ),
    rule(
        r"^(?:rename|call)\s+(?P<r>it|that|this|that one|this one)\s+(?P<v>.+)$",
        rename,
    ),
    // "call task 4 Bee", "rename #4 Bee": by id, no "to" ("call 3 people"
    // is a task, so "call" needs "task" or "#").
    rule(
        r"^(?:rename|call)\s+(?P<r>task\s+#?\d+|#\d+)\s+(?P<v>.+)$",
        rename,
    ),
    rule(r"^rename\s+(?P<r>\d+)\s+(?P<v>.+)$", rename),
    // Reopening.
    rule(
        r"^(?:reopen|re-open|unfinish|uncomplete|un-complete|undo|restore|unmark|unarchive|reactivate|revive|unarchive|resurrect|uncheck|untick)\s+(?P<r>.+)$",
        reopen,
    ),
    rule(
        r"^(?:mark|set|put)\s+(?P<r>.+?)\s+(?:as\s+|back\s+(?:to|as)\s+)?(?:not done|undone|incomplete|not complete|not completed|not finished|unfinished|pending|open|active|to do|todo|uncompleted|not done yet)$",
        reopen,
    ),
    rule(
        r"^(?P<r>.+?)\s+(?:isn't|is not|wasn't|was not|'s not|isnt|aren't|are not)\s+(?:really\s+|actually\s+)?(?:done|finished|complete|completed)(?:\s+yet)?(?:\s+after all)?$",
        reopen,
    ),
    rule(
        r"^(?:put|bring)\s+(?:back\s+)?(?P<r>.+?)(?:\s+back)?(?:\s+(?:on|to|in)\s+(?:my|the)\s+(?:list|tasks))?$",
        reopen,
    ),
    rule(
        r"^(?:reopen|re-open|undo that|uncomplete|unmark|reopen it please)$",
        |_| Some(act_on(Op::Reopen, "it")),
    ),
    // Completing.
    rule(
        r"^(?:mark|set|flag|check|tick)\s+(?P<r>.+?)\s+(?:as\s+)?(?:done|complete|completed|finished|checked|ticked off|checked off|resolved|closed|paid|sent|booked|bought|called|emailed|fixed|submitted|handled|cleaned|sorted)$",
        complete,
    ),
    rule(
        r"^(?:i'?m|i am|im|we're|we are)\s+(?:all\s+)?(?:done|finished|through)\s+with\s+(?P<r>.+)$",
        complete,
    ),
    rule(r"^(?:done|finished|through)\s+with\s+(?P<r>.+)$", complete),
    rule(
        r"^(?:i\s+|we\s+)?(?:have\s+|'ve\s+|just\s+|already\s+|finally\s+)*(?:finished|completed|done)\s+(?P<r>.+)$",
        complete,
    ),
    rule(
        r"^(?:i've|ive|i have|we've)\s+(?:just\s+|already\s+|finally\s+)?(?:finished|completed|done|did)\s+(?P<r>.+)$",
        complete,
    ),
    rule(
        r"^i\s+(?:just\s+|already\s+|finally\s+)?did\s+(?P<r>.+)$",
        complete,
    ),
    rule(
        r"^(?:complete|finish|check off|tick off|cross off|mark off|close|resolve|knock out|knock off)\s+(?P<r>.+)$",
        complete,
    ),
    rule(
        r"^(?:check|tick|cross|knock)\s+(?P<r>.+?)\s+off(?:\s+(?:my|the)\s+list)?$",
        complete,
    ),
    rule(
        r"^(?P<r>.+?)\s+(?:is|are|was|were|'s|has been|have been)\s+(?:now\s+|all\s+|finally\s+|already\s+)?(?:done|finished|complete|completed|taken care of|sorted|handled|dealt with)$",
        complete,
    ),
    rule(
        r"^(?P<r>.+?)\s+(?:done|finished|completed|complete|is done)$",
        complete,
    ),
    rule(
        r"^(?:done|finished|completed|complete|all done|finished it|done with it|did it|i did it|i finished it|i've done it|it's done|its done|that's done|thats done|mark done|mark as done|mark it done|mark complete|mark as complete|complete it|check|tick)$",
        |_| Some(act_on(Op::Complete, "it")),
    ),
    // Rescheduling: "move X to friday", "change the due date of X to …".
    rule(
        r"^(?:change|set|update|move|make)\s+(?:the\s+)?(?:due\s+date|due|deadline|date|time|due time)\s+(?:of|for|on)\s+(?P<r>.+?)\s+(?:to|for|as|:)\s+(?P<v>.+)$",
        set_due,
    ),
    rule(
        r"^(?:change|set|update|move)\s+(?P<r>.+?)(?:'s|s')?\s+(?:due\s+date|due|deadline|date|time)\s+(?:to|for|as)\s+(?P<v>.+)$",
        set_due,
    ),
    rule(
        r"^(?:move|reschedule|schedule|shift|push|bump|postpone|delay|defer|put off|put|plan|snooze|push back|move back|set)\s+(?P<rest>.+)$",
        reschedule,
    ),
    // Postponing by an amount.
    rule(
        r"^(?:postpone|delay|defer|push back|push out|push|snooze|bump|put off|move back|shift|move)\s+(?P<rest>.+)$",
        postpone,
    ),
    rule(
        r"^(?:postpone|delay|snooze|defer|push it back|postpone it)$",
        |_| Some(edit(a_day_later(), "it")),
    ),
    // Priority.
    rule(
        r"^(?:set|change|update|make|put)\s+(?:the\s+)?priority\s+(?:of|for|on)\s+(?P<r>.+?)\s+(?:to|as|at)\s+(?P<p>.+)$",
        set_priority,
    ),
    rule(
        r"^(?:set|change|update|put)\s+(?P<r>.+?)(?:'s|s')?\s+priority\s+(?:to|as|at)\s+(?P<p>.+)$",
        set_priority,
    ),
    rule(
        r"^(?:give)\s+(?P<r>.+?)\s+(?:an?\s+)?(?P<p>\S+)(?:\s+priority)?$",
        give_priority,
    ),
    // Relative: one level up or down.
    rule(
        r"^(?:bump up|bump|raise|increase|boost|up|lift)\s+(?:the\s+|its\s+)?(?:priority|prio)\s+(?:of|on|for)\s+(?P<r>.+)$",
        raise_priority,
    ),
    rule(
        r"^(?:make)\s+(?P<r>.+?)\s+(?:more\s+(?:urgent|important)|(?:a\s+)?higher\s+priority)$",
        raise_priority,
    ),
    rule(r"^(?:bump)\s+(?P<r>.+?)\s+up$", raise_priority),
    rule(
        r"^(?:lower|decrease|reduce|drop|downgrade)\s+(?:the\s+|its\s+)?(?:priority|prio)\s+(?:of|on|for)\s+(?P<r>.+)$",
        lower_priority,
    ),
    rule(
        r"^(?:make)\s+(?P<r>.+?)\s+(?:less\s+(?:urgent|important)|(?:a\s+)?lower\s+priority)$",
        lower_priority,
    ),
    rule(
        r"^(?:prioritize|prioritise|escalate|bump up)\s+(?P<r>.+)$",
        |h| {
            h.edit(Changes {
                priority: Some(PriorityArg::High),
                ..Changes::default()
            })
        },
    ),
    rule(
        r"^(?:deprioritize|deprioritise|de-prioritize|de-prioritise)\s+(?P<r>.+)$",
        |h| {
            h.edit(Changes {
                priority: Some(PriorityArg::Low),
                ..Changes::default()
            })
        },
    ),
    // Repetition.
    rule(
        r"^(?:make|set|have)\s+(?P<r>.+?)\s+(?:to\s+)?(?:repeat|recur|happen|be repeated)\s+(?P<v>.+)$",
        repeat,
    ),
    rule(
        r"^(?:repeat)\s+(?P<r>.+?)\s+(?P<v>(?:every|each|daily|weekly|monthly|yearly|annually|fortnightly|quarterly|on)\b.*)$",
        repeat,
    ),
    rule(
        r"^(?P<r>.+?)\s+(?:should|must|needs to|has to)\s+(?:repeat|recur|happen)\s+(?P<v>.+)$",
        repeat,
    ),
    rule(
        r"^(?:make|set)\s+(?P<r>.+?)\s+(?:a\s+)?(?:repeating|recurring)\s+(?:task\s+)?(?P<v>.+)$",
        repeat,
    ),
    // "remove work from the sarah task": a tag off, unless it is list
    // talk ("remove milk from my list" deletes).
    rule(
        r"^(?:remove|delete|drop|take)\s+(?P<t>[\w-]+)\s+(?:from|off)\s+(?P<r>.+)$",
        remove_word_from,
    ),
    // Deleting.
    rule(
        r"^(?:delete|remove|erase|trash|drop|discard|scrap|nuke|forget about|forget|get rid of|throw away|throw out|cancel|kill|bin|axe|ditch|strike|cross out|destroy|purge)\s+(?P<r>.+)$",
        delete,
    ),
    rule(
        r"^(?P<r>.+?)\s+(?:can be|should be|needs to be|must be)\s+(?:deleted|removed|cancelled|canceled|dropped)$",
        delete,
    ),
    rule(
        r"^(?:i\s+)?(?:don't|dont|do not|no longer)\s+need\s+(?P<r>.+?)(?:\s+(?:anymore|any more))?$",
        delete,
    ),
    rule(
        r"^(?:delete|remove|delete it|remove it|trash it|get rid of it)$",
        |_| Some(act_on(Op::Delete, "it")),
    ),
    // "make it urgent", "set task 3 to tomorrow 5pm", "change it to weekly".
    rule(
        r"^(?:make|set|change|update|mark|turn|switch|edit|move|put|flag)\s+(?P<rest>.+)$",
        make,
    ),
    rule(r"^flag\s+(?P<r>.+)$", |h| {
        h.edit(Changes {
            priority: Some(PriorityArg::High),
            ..Changes::default()
        })
    }),
    // "the dentist task is urgent", "task 3 is due friday".
    rule(
        r"^(?P<r>.+?)\s+(?:is|are|should be|is now|will be|needs to be|must be|has to be)\s+(?P<v>.+)$",
        |h| h.edit(edit_arg(h.group("v"), h.ctx)?),
    ),
    // "task 3 due friday", "it's due tomorrow".
    rule(r"^(?P<r>.+?)(?:'s)?\s+(?P<v>due\s+.+)$", |h| {
        h.edit(edit_arg(h.group("v"), h.ctx).filter(|c| c.due.is_some())?)
    }),
]);

fn replace_note(h: &Hit) -> Option<Intent> {
    h.edit(Changes {
        note: h.value("v"),
        replace_note: true,
        ..Changes::default()
    })
}

fn add_note(h: &Hit) -> Option<Intent> {
    h.edit(Changes {
        note: h.value("v"),
        ..Changes::default()
    })
}

fn remove_tags(h: &Hit) -> Option<Intent> {
    h.edit(Changes {
        remove_tags: tags_of(h.group("t"))?,
        ..Changes::default()
    })
}

fn untag(h: &Hit) -> Option<Intent> {
    let rest = h.group("rest");
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
    Some(edit(changes, &r))
}

fn tag(h: &Hit) -> Option<Intent> {
    let rest = h.group("rest");
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
    Some(edit(changes, &r))
}

fn clear_due(h: &Hit) -> Option<Intent> {
    h.edit(Changes {
        clear_due: true,
        ..Changes::default()
    })
}

fn clear_recurrence(h: &Hit) -> Option<Intent> {
    h.edit(Changes {
        clear_recurrence: true,
        ..Changes::default()
    })
}

fn rename(h: &Hit) -> Option<Intent> {
    h.edit(Changes {
        title: h.value("v"),
        ..Changes::default()
    })
}

fn reopen(h: &Hit) -> Option<Intent> {
    Some(act_on(Op::Reopen, h.group("r")))
}

fn complete(h: &Hit) -> Option<Intent> {
    Some(act_on(Op::Complete, h.group("r")))
}

fn delete(h: &Hit) -> Option<Intent> {
    Some(act_on(Op::Delete, h.group("r")))
}

fn set_due(h: &Hit) -> Option<Intent> {
    let mut changes = edit_arg(h.group("v"), h.ctx)?;
    changes.priority = changes.priority.filter(|_| changes.due.is_none());
    h.edit(changes)
}

fn reschedule(h: &Hit) -> Option<Intent> {
    let rest = h.group("rest");
    let connectors = [
        "to", "for", "until", "till", "til", "on", "at", "due", "by", "into",
    ];
    let has_due = |c: &Changes| c.due.is_some();
    if let Some((r, changes)) = split_at_value(rest, &connectors, false, h.ctx, has_due) {
        return Some(edit(changes, &r));
    }
    // "reschedule it friday": no connector.
    let s = h.text();
    if s.starts_with("reschedule") || s.starts_with("move") {
        if let Some((r, changes)) = split_at_value(rest, &[], true, h.ctx, has_due) {
            return Some(edit(changes, &r));
        }
    }
    None
}

fn a_day_later() -> Changes {
    Changes {
        shift: Some(Shift {
            amount: 1,
            unit: Unit::Days,
        }),
        ..Changes::default()
    }
}

fn postpone(h: &Hit) -> Option<Intent> {
    let rest = h.group("rest");
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
    let s = h.text();
    let verb = s.split_whitespace().next().unwrap_or("");
    if matches!(verb, "postpone" | "delay" | "defer" | "snooze")
        || s.starts_with("push back")
        || s.starts_with("put off")
        || rest.ends_with(" back")
    {
        return Some(edit(a_day_later(), rest.trim_end_matches(" back")));
    }
    None
}

fn set_priority(h: &Hit) -> Option<Intent> {
    h.edit(Changes {
        priority: Some(priority_word(h.group("p"))?),
        ..Changes::default()
    })
}

/// "give it a high priority", "give X top priority": a level word or
/// synonym of the domain's, nothing else ("give mom a call").
fn give_priority(h: &Hit) -> Option<Intent> {
    let p = h.group("p");
    let priority =
        words::priority_named(p).or_else(|| words::priority_named(&format!("{p} priority")))?;
    h.edit(Changes {
        priority: Some(priority),
        ..Changes::default()
    })
}

fn raise_priority(h: &Hit) -> Option<Intent> {
    h.edit(Changes {
        priority_step: Some(1),
        ..Changes::default()
    })
}

fn lower_priority(h: &Hit) -> Option<Intent> {
    h.edit(Changes {
        priority_step: Some(-1),
        ..Changes::default()
    })
}

fn repeat(h: &Hit) -> Option<Intent> {
    let v = h.group("v");
    let changes = edit_arg(v, h.ctx).or_else(|| edit_arg(&format!("every {v}"), h.ctx))?;
    h.edit(Changes {
        recurrence: Some(changes.recurrence?),
        ..Changes::default()
    })
}

fn remove_word_from(h: &Hit) -> Option<Intent> {
    let list_talk = is(
        re!(
            r"^(?:my|the|our)\s+(?:todo\s+|to-do\s+|to do\s+|task\s+|shopping\s+)?(?:list|tasks|todos)$"
        ),
        h.group("r"),
    );
    if list_talk {
        return None;
    }
    remove_tags(h)
}

fn make(h: &Hit) -> Option<Intent> {
    let rest = h.group("rest");
    let connectors = ["to", "as", "into", "for", "at"];
    if let Some((r, changes)) = split_at_value(rest, &connectors, true, h.ctx, |_| true) {
        return Some(edit(changes, &r));
    }
    // "change X to Y" with Y no value: a new title.
    let s = h.text();
    if s.starts_with("change") || s.starts_with("edit") || s.starts_with("update") {
        if let Some(m) = caps(
            re!(r"^(?:change|edit|update)\s+(?P<r>.+?)\s+(?:to|into)\s+(?P<v>.+)$"),
            s,
        ) {
            let changes = Changes {
                title: value(h.msg, &m, "v"),
                ..Changes::default()
            };
            return Some(edit(changes, group(&m, "r")));
        }
    }
    None
}

/// Splits "REF [connector] VALUE" where VALUE reads fully as an update and
/// REF as a reference; the longest value wins.
pub(super) fn split_at_value(
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

    /// Every priority the UI shows, and every level word and number the
    /// quick-add bar reads, is understood in "make it …" as well.
    #[test]
    fn priority_words_are_the_domain_s() {
        for p in Priority::ALL {
            assert_eq!(priority_word(p.as_str()), Some(p), "{p}");
            assert_eq!(priority_word(words::priority_phrase(p)), Some(p), "{p}");
        }
        for (word, p) in words::PRIORITY_LEVELS {
            for said in [
                word.to_owned(),
                format!("!{word}"),
                format!("{word} priority"),
                format!("{word}-priority"),
                format!("priority {word}"),
            ] {
                assert_eq!(priority_word(&said), Some(p), "{said}");
            }
        }
        for (number, p) in words::PRIORITY_NUMBERS {
            assert_eq!(priority_word(&format!("p{number}")), Some(p));
            assert_eq!(priority_word(&format!("!{number}")), Some(p));
        }
        assert_eq!(priority_word("!!!"), Some(Priority::High));
        assert_eq!(priority_word("p5"), None);
    }
}
