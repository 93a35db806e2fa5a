//! The quick-add parser: one line of text ("Call mom friday at 5pm p1
//! #family") read into a title, a due date, a repetition, a priority and
//! tags, with the phrases it understood so a UI can show them as chips.
//!
//! Shared by the chat assistant, the web UI's quick-add bar (compiled to
//! WebAssembly, it previews while the user types) and the CLI. Pure: the
//! moment and the user's time zone are passed in.
//!
//! # The grammar
//!
//! Words match whole and case-insensitively; text in double quotes (straight
//! or “curly”) and the spans in [`ParseContext::keep_literal`] are never
//! read. Precision comes before recall: a phrase that could just as well be
//! part of the title is left there.
//!
//! **Dates** (all-day unless a time is given too):
//! - `today`, `tomorrow` (`tmrw`), `the day after tomorrow`.
//! - Weekday names: `friday` is the coming Friday, never today — said on a
//!   Friday it means next week's. `this friday` includes today. `next friday`
//!   is the Friday of next week (weeks start on Monday), so on a Monday
//!   "friday" is in four days and "next friday" in eleven. A bare weekday name
//!   counts only where it ends a phrase: at the end, before punctuation,
//!   another phrase or a small word ("friday about the trip"); "sunday school
//!   supplies", "Monday meeting notes", "Black Friday" stay text. Short names
//!   (`fri`, `sat`) need a connector: `on sat`, `by fri`, `next sat`.
//! - `this weekend` (the coming Saturday; today on a Saturday or Sunday),
//!   `next weekend`, `on/over/by the weekend`, `next week` (next Monday), `next
//!   month` (its 1st), `end of week`/`eow` (the coming Friday, today included),
//!   `end of month`/`eom` (its last day).
//! - `in 3 days`, `in a week`, `in 2 months`; `in 2 hours`, `in 30 minutes`,
//!   `in half an hour`, `in 2h` give a time as well.
//! - `Dec 3`, `3 Dec`, `December 3rd`, `the 3rd of December`, `Dec 3, 2027`,
//!   `Fri 27 Nov`; `2026-12-03`; `12/3/2026`; `12/3` (US month/day) only after
//!   a connector (`on 12/3`), as "1/2 cup" is no date. Without a year the date
//!   is the next one from today on ("Dec 3" said on Dec 10 is next year's).
//!   A lone number or year is never a date ("Read 1984", "The 5th Wave").
//! - A day of the month alone after a connector: `on the 1st`, `by the 30th`
//!   (the next such day from today on, today included; in a month without a
//!   31st, its last day). "The 5th Wave" and "the 3rd room" stay text.
//!
//! **Times**: `5pm`, `5:30 pm`, `17:30`, `09:30`, `noon`, `midnight` (23:59, the
//! end of the day, so "by midnight" stays on the day), `5 o'clock`. A plain
//! number is a time only after `at`/`@`/`by`/`before` ("at 5", "at 5:30"):
//! 7–11 are then morning hours, 12 is noon and 1–6 afternoon hours, or all
//! are pm after "tonight"/"evening"; before a capitalised word it must end
//! the phrase ("at 3 Main Street" is an address). `tonight` and `this
//! evening` are today at 20:00, or 23:59 once 20:00 has passed; a date
//! followed by `morning` (09:00), `afternoon` (14:00), `evening`/`night`
//! (20:00). A time without a date is today if still ahead, else tomorrow.
//!
//! **Repetition** (an RFC 5545 RRULE): `every day`/`daily`, `every weekday`,
//! `every weekend`, `every monday and thursday`, `on mondays`, `every 2 weeks`,
//! `every other week`, `weekly`, `fortnightly`, `monthly`, `quarterly`,
//! `every 3 months`, `every year`/`yearly`/`annually`; a day of the month:
//! `every month on the 15th`, `monthly on the 3rd`, `on the 1st of every
//! month`, `the 15th of each month` (`BYMONTHDAY=15`; the 29th–31st fall
//! back to a shorter month's last day). Without a date a
//! repeating task is due on its first occurrence from today on, today
//! included ("every monday" said on a Monday is due today; with a time that
//! has passed, the next one). The adverbs count only where they end a phrase
//! ("weekly review" is a name).
//!
//! **Priority**: `urgent` (not "urgent care"), `high priority`, `priority
//! high`, `medium priority`, `low priority`; `p1` urgent, `p2` high, `p3`
//! medium, `p4` low (four levels for four letters; none is the absence of
//! one) where they end a phrase ("call mom p1", not "p1 racing"); a word of
//! exclamation marks on its own: `!` low, `!!` medium, `!!!` high, `!!!!`
//! urgent ("Pay rent!!!" is punctuation); `!urgent`, `!high`, `!medium`/`!med`,
//! `!low` and `!1`–`!4` (as `p1`–`p4`); a clause saying so: `it's urgent`,
//! `that is very important` (high), `not urgent` (low) — without "it's" only
//! with "very"/"really"/"not" and where it ends a phrase ("Important email",
//! "urgent care" stay text).
//!
//! **Tags**: `#work` (at least one letter: "#12" is an issue number, "C#"
//! a language), `tag it work`, `tagged work`.
//!
//! **Lead-ins**: "remember to", "don't forget to", "remind me to" at the start
//! say nothing about the task and stay out of the title.
//!
//! **Note**: after punctuation, `note:` (`notes:`, `description:`) starts the
//! task's description; nothing after it is read ("Call the bank, note: ask
//! about the fees").
//!
//! Connectors before a phrase go with it ("due on friday", "at 5pm", "by
//! tomorrow", "before friday", "repeat every day"; "on" only before a named
//! day, so "work on tomorrow" keeps it), and a connector left dangling at the
//! end ("call mom tomorrow at", "every monday and") is dropped. The first
//! date, time, repetition and priority win; a second one stays in the title.
//! The title keeps the user's casing, loses the quote marks, and has its
//! spaces collapsed.

mod dates;
mod grammar;
mod lexer;
mod recurrence;
mod words;

#[cfg(test)]
mod tests;

use std::ops::Range;

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::recurrence::Recurrence;
pub use crate::repeat::WEEKDAYS;
use crate::task::{Due, Priority, Tag, TaskDraft};
use crate::time::TimeZone;
pub use crate::words::day_label;
use crate::words::label_date;
pub use dates::label_time;
use dates::{Clock, DayPart};
use grammar::{Candidate, Grammar, Item};

/// What the parser needs besides the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseContext {
    pub now: DateTime<Utc>,
    /// The user's time zone: "tomorrow" and "5pm" are read there.
    pub tz: TimeZone,
    /// Byte ranges of the input the user dismissed in the UI: text there
    /// stays in the title. Ranges need not fall on word or character
    /// boundaries; a word touching one is left alone.
    pub keep_literal: Vec<Range<usize>>,
}

impl ParseContext {
    pub fn new(now: DateTime<Utc>, tz: TimeZone) -> Self {
        Self {
            now,
            tz,
            keep_literal: Vec::new(),
        }
    }
}

/// A line of quick-add text, understood.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuickAdd {
    /// The text left once the phrases are taken out.
    pub title: String,
    /// Serialised as the API does: `2026-12-03` all day, RFC 3339 when timed.
    #[serde(with = "due_text")]
    pub due: Option<Due>,
    pub recurrence: Option<Recurrence>,
    pub priority: Option<Priority>,
    pub tags: Vec<Tag>,
    /// What follows "…, note:" (or "notes:", "description:"), unread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The phrases understood, in the order of the input.
    pub matches: Vec<Match>,
}

/// One phrase understood: a preview chip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    pub kind: MatchKind,
    /// The byte range of the phrase in the input, connector included.
    pub span: Range<usize>,
    /// The phrase as typed.
    pub text: String,
    /// What it was read as: "Fri 27 Nov", "5:00 PM", "every Monday and
    /// Thursday", "High priority", "#work".
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    Date,
    Time,
    Recurrence,
    Priority,
    Tag,
}

impl QuickAdd {
    /// The task to create: all-day dates as `YYYY-MM-DD`, times in RFC 3339.
    pub fn to_draft(&self) -> TaskDraft {
        TaskDraft {
            title: self.title.clone(),
            description: self.description.clone(),
            priority: self.priority.map(|p| p.as_str().to_owned()),
            tags: (!self.tags.is_empty())
                .then(|| self.tags.iter().map(|t| t.as_str().to_owned()).collect()),
            due_at: self.due.map(due_string),
            all_day: None,
            recurrence: self.recurrence.as_ref().map(|r| r.as_str().to_owned()),
        }
    }
}

fn due_string(due: Due) -> String {
    match due {
        // NaiveDate's Display is ISO 8601: 2026-12-03.
        Due::Date(date) => date.to_string(),
        Due::At(at) => at.to_rfc3339_opts(SecondsFormat::Secs, true),
    }
}

mod due_text {
    use super::{due_string, Due, TimeZone};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(due: &Option<Due>, serializer: S) -> Result<S::Ok, S::Error> {
        match due {
            Some(due) => serializer.serialize_some(&due_string(*due)),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Due>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|raw| {
                Due::parse(&raw, None, TimeZone::UTC)
                    .map_err(|e| serde::de::Error::custom(e.message))
            })
            .transpose()
    }
}

/// Reads one line of quick-add text. See the module documentation for the
/// grammar.
pub fn parse(input: &str, ctx: &ParseContext) -> QuickAdd {
    let lexed = lexer::lex(input, &ctx.keep_literal);
    if let Some((head_end, note)) = note_of(input, &lexed.tokens) {
        let head =
            input[..head_end].trim_end_matches(|c: char| c.is_whitespace() || ",;-–—".contains(c));
        let mut parsed = parse(head, ctx);
        parsed.description = Some(note.to_owned()).filter(|n| !n.is_empty());
        return parsed;
    }
    let today = ctx.tz.today(ctx.now);
    let grammar = Grammar {
        input,
        tokens: &lexed.tokens,
        today,
        now: ctx.now,
    };
    let chosen = choose(grammar.settle(grammar.candidates()));
    let meaning = Meaning::of(&chosen, ctx, today);

    let mut tags: Vec<Tag> = Vec::new();
    let mut matches = Vec::with_capacity(chosen.len());
    for (candidate, _) in &chosen {
        let span =
            lexed.tokens[candidate.start].core.start..lexed.tokens[candidate.end - 1].core.end;
        let (kind, label) = meaning.describe(&candidate.item, ctx.tz, today);
        if let Item::Tag(tag) = &candidate.item {
            if !tags.contains(tag) {
                tags.push(tag.clone());
            }
        }
        matches.push(Match {
            kind,
            text: input[span.clone()].to_owned(),
            span,
            label,
        });
    }
    let lead = lead_in(&grammar);
    let removed: Vec<bool> = (0..lexed.tokens.len())
        .map(|t| t < lead || chosen.iter().any(|(c, _)| (c.start..c.end).contains(&t)))
        .collect();
    QuickAdd {
        title: title(input, &lexed, &removed),
        due: meaning.due,
        recurrence: meaning.recurrence,
        priority: meaning.priority,
        tags,
        description: None,
        matches,
    }
}

/// How many words at the start only say "don't forget": "remember to",
/// "don't forget to", "remind me to" — never the whole line.
fn lead_in(grammar: &Grammar) -> usize {
    const LEAD_INS: &[&[&str]] = &[
        &["remember", "to"],
        &["don't", "forget", "to"],
        &["dont", "forget", "to"],
        &["do", "not", "forget", "to"],
        &["remind", "me", "to"],
        &["please", "remember", "to"],
        &["reminder", "to"],
    ];
    LEAD_INS
        .iter()
        .find(|words| grammar.seq(0, words))
        .map(|words| words.len())
        .filter(|&n| n < grammar.tokens.len())
        .unwrap_or(0)
}

/// "Call the bank, note: ask about the fees": where the task's words end
/// and the note. The marker must follow punctuation ("…, note:", "… -
/// note:") so that "Note: buy milk" and "Read note: 3" keep their words.
fn note_of<'a>(input: &'a str, tokens: &[lexer::Token]) -> Option<(usize, &'a str)> {
    tokens.iter().enumerate().skip(1).find_map(|(k, token)| {
        let marker = matches!(token.word.as_str(), "note" | "notes" | "description");
        let colon = input[token.core.end..token.chunk.end].starts_with(':');
        let before = &tokens[k - 1];
        let dash = before.word.chars().all(|c| "-–—".contains(c));
        let after_punct = before.trail_punct || before.punct_only || dash;
        (marker && colon && after_punct && !token.protected && !token.lead_punct)
            .then(|| (token.chunk.start, input[token.chunk.end..].trim()))
    })
}

/// Keeps the first date, time, repetition and priority (and every tag);
/// a repetition rule is checked by [`Recurrence::parse`].
fn choose(candidates: Vec<Candidate>) -> Vec<(Candidate, Option<Recurrence>)> {
    #[derive(Default)]
    struct Taken {
        date: bool,
        time: bool,
        part: bool,
        repeat: bool,
        priority: bool,
    }
    let mut taken = Taken::default();
    let mut chosen = Vec::new();
    for candidate in candidates {
        let mut rule = None;
        let free = match &candidate.item {
            Item::Date { .. } => !std::mem::replace(&mut taken.date, true),
            Item::Time(_) => !std::mem::replace(&mut taken.time, true),
            Item::DayPart(_) => !std::mem::replace(&mut taken.part, true),
            Item::Instant(_) => {
                let free = !(taken.date || taken.time || taken.part);
                if free {
                    (taken.date, taken.time, taken.part) = (true, true, true);
                }
                free
            }
            Item::Repeat(r) => {
                // Built from the grammar's own parts, so valid (a test holds
                // every shape against `Recurrence::parse`); skipping the
                // `rrule` crate keeps it out of the web UI's wasm.
                rule = Some(Recurrence::from_grammar(r.rrule()));
                !std::mem::replace(&mut taken.repeat, true)
            }
            Item::Priority(_) => !std::mem::replace(&mut taken.priority, true),
            Item::Tag(_) => true,
        };
        if free {
            chosen.push((candidate, rule));
        }
    }
    chosen
}

/// The values the chosen phrases add up to.
struct Meaning {
    due: Option<Due>,
    recurrence: Option<Recurrence>,
    priority: Option<Priority>,
    /// The wall-clock time of a timed due date.
    local_time: Option<NaiveTime>,
    /// Whether the time came from the date phrase itself ("tonight").
    time_from_date: bool,
    has_clock: bool,
}

impl Meaning {
    fn of(
        chosen: &[(Candidate, Option<Recurrence>)],
        ctx: &ParseContext,
        today: NaiveDate,
    ) -> Self {
        let mut date: Option<(NaiveDate, Option<DayPart>)> = None;
        let mut clock: Option<Clock> = None;
        let mut day_part: Option<DayPart> = None;
        let mut instant = None;
        let mut repeat = None;
        let mut recurrence = None;
        let mut priority = None;
        for (candidate, rule) in chosen {
            match &candidate.item {
                Item::Date { date: d, part } => date = Some((*d, *part)),
                Item::Time(c) => clock = Some(*c),
                Item::DayPart(p) => day_part = Some(*p),
                Item::Instant(at) => instant = Some(*at),
                Item::Repeat(r) => {
                    repeat = Some(r);
                    recurrence = rule.clone();
                }
                Item::Priority(p) => priority = Some(*p),
                Item::Tag(_) => {}
            }
        }
        let tz = ctx.tz;
        let part = day_part.or(date.and_then(|(_, p)| p));
        let time = clock
            .map(|c| c.resolve(part.map(DayPart::is_pm)))
            .or(part.map(DayPart::time));
        let due = match (instant, date, time) {
            (Some(at), _, _) => Some(Due::At(at)),
            (None, Some((day, own_part)), Some(mut time)) => {
                let tonight =
                    clock.is_none() && day_part.is_none() && own_part == Some(DayPart::Tonight);
                if tonight && day == today && tz.resolve(day.and_time(time)) <= ctx.now {
                    time = dates::END_OF_DAY;
                }
                Some(Due::At(tz.resolve(day.and_time(time))))
            }
            (None, Some((day, _)), None) => Some(Due::Date(day)),
            (None, None, time) => match repeat {
                Some(rule) => rule.first(today, time, tz, ctx.now),
                None => time.and_then(|time| {
                    let at = tz.resolve(today.and_time(time));
                    if at > ctx.now {
                        Some(Due::At(at))
                    } else {
                        let tomorrow = today.succ_opt()?;
                        Some(Due::At(tz.resolve(tomorrow.and_time(time))))
                    }
                }),
            },
        };
        let local_time = match due {
            Some(Due::At(at)) => Some(tz.local(at).time()),
            _ => None,
        };
        Self {
            due,
            recurrence,
            priority,
            local_time,
            time_from_date: instant.is_none() && clock.is_none() && day_part.is_none(),
            has_clock: clock.is_some(),
        }
    }

    /// The chip for one phrase.
    fn describe(&self, item: &Item, tz: TimeZone, today: NaiveDate) -> (MatchKind, String) {
        match item {
            Item::Date { date, part } => {
                let mut label = label_date(*date, today);
                if let (Some(_), Some(time), true) = (part, self.local_time, self.time_from_date) {
                    label = format!("{label}, {}", label_time(time));
                }
                (MatchKind::Date, label)
            }
            Item::Time(clock) => {
                let time = self.local_time.unwrap_or_else(|| clock.resolve(None));
                (MatchKind::Time, label_time(time))
            }
            Item::DayPart(part) => match (self.has_clock, self.local_time) {
                (false, Some(time)) => (MatchKind::Time, label_time(time)),
                _ => (MatchKind::Time, part.name().to_owned()),
            },
            Item::Instant(at) => {
                let local = tz.local(*at);
                let label = format!(
                    "{}, {}",
                    label_date(local.date(), today),
                    label_time(local.time())
                );
                (MatchKind::Time, label)
            }
            Item::Repeat(rule) => (MatchKind::Recurrence, rule.label()),
            Item::Priority(p) => (MatchKind::Priority, crate::words::priority_caption(*p)),
            Item::Tag(tag) => (MatchKind::Tag, format!("#{tag}")),
        }
    }
}

/// The input without the phrases read, the quote marks and the connectors
/// or separators they leave dangling at either end; spaces collapsed.
fn title(input: &str, lexed: &lexer::Lexed, removed: &[bool]) -> String {
    let tokens = &lexed.tokens;
    let next_to_removed =
        |t: usize| (t > 0 && removed[t - 1]) || removed.get(t + 1).copied().unwrap_or(false);
    let text = |t: usize| -> String {
        let chunk = &tokens[t].chunk;
        input[chunk.clone()]
            .char_indices()
            .filter(|(at, _)| {
                let at = chunk.start + at;
                !lexed.quote_marks.iter().any(|mark| mark.contains(&at))
            })
            .map(|(_, c)| c)
            .collect()
    };
    let mut kept: Vec<usize> = (0..tokens.len())
        .filter(|&t| !removed[t] && !text(t).is_empty())
        .collect();
    let separator = |t: usize| {
        let token = &tokens[t];
        !token.protected
            && (token.punct_only || token.word.chars().all(|c| "-–—:|/~•*=>".contains(c)))
    };
    let dangling = |t: usize| {
        let token = &tokens[t];
        !token.protected
            && matches!(
                token.word.as_str(),
                "on" | "at" | "by" | "before" | "due" | "@" | "and" | "&" | "+"
            )
            && t > 0
            && removed[t - 1]
            && (t + 1..tokens.len()).all(|u| removed[u])
    };
    while let Some(&last) = kept.last() {
        if (separator(last) && next_to_removed(last)) || dangling(last) {
            kept.pop();
        } else {
            break;
        }
    }
    while let Some(&first) = kept.first() {
        if separator(first) && next_to_removed(first) {
            kept.remove(0);
        } else {
            break;
        }
    }
    let mut title = kept.iter().map(|&t| text(t)).collect::<Vec<_>>().join(" ");
    // "Email Bob, friday" → "Email Bob".
    if kept
        .last()
        .is_some_and(|&t| removed.get(t + 1) == Some(&true))
    {
        let trimmed = title.trim_end_matches([',', ';', ':']).len();
        title.truncate(trimmed);
    }
    title
}
