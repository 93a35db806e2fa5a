//! Finding phrases in the words: every phrase reader is tried at every word,
//! the longest reading wins, and a reading that could be an ordinary word
//! ("sunday school", "p1 racing") is kept only where it ends a phrase.

use chrono::{DateTime, NaiveDate, Utc};

use super::dates::{Clock, DayPart};
use super::lexer::Token;
use super::words;
use crate::repeat::Rule;
use crate::task::{Priority, Tag};
use crate::words::{priority_code, priority_level, priority_number, priority_synonym};

/// What a phrase means.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Item {
    /// A calendar date, with the part of the day when the phrase gave one
    /// ("tonight", "this morning").
    Date {
        date: NaiveDate,
        part: Option<DayPart>,
    },
    Time(Clock),
    /// "morning", "evening"… right after a date.
    DayPart(DayPart),
    /// "in 2 hours": a date and a time at once.
    Instant(DateTime<Utc>),
    Repeat(Rule),
    Priority(Priority),
    Tag(Tag),
}

/// Which connectors may precede a phrase ("on friday", "at 5pm", "by tomorrow").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    /// A named day: weekday, "Dec 3", "12/3". Takes on, by, due.
    AbsDate,
    /// A day relative to today: "tomorrow", "in 3 days". Takes by, due (not
    /// "on", so "work on tomorrow" keeps its "on").
    RelDate,
    /// Takes at, @, by, due.
    Time,
    /// Takes repeat, repeats, repeating.
    Repeat,
    /// Takes nothing.
    Other,
}

/// A phrase reader's answer at one word.
#[derive(Debug, Clone)]
pub(super) struct Found {
    /// The index after the phrase's last word.
    pub end: usize,
    pub item: Item,
    pub class: Class,
    /// Could be an ordinary word: kept only where it ends a phrase.
    pub tentative: bool,
    /// Read only after a connector ("on 12/3", "at 5"); if also tentative,
    /// the connector does not settle it ("at 3 Main Street" is no time).
    pub needs_connector: bool,
}

impl Found {
    pub fn new(end: usize, item: Item, class: Class) -> Self {
        Self {
            end,
            item,
            class,
            tentative: false,
            needs_connector: false,
        }
    }
}

/// A phrase found in the input, connector included: words `start..end`.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub start: usize,
    pub end: usize,
    pub item: Item,
    pub tentative: bool,
}

/// Connectors, longest first; the empty one is "no connector".
const CONNECTORS: &[&[&str]] = &[
    &["due", "on"],
    &["due", "by"],
    &["due", "at"],
    &["due"],
    &["on"],
    &["by"],
    &["before"],
    &["at"],
    &["@"],
    &["repeat"],
    &["repeats"],
    &["repeating"],
    &[],
];

fn allows(connector: &[&str], class: Class) -> bool {
    match connector {
        [] => true,
        ["due", "on"] | ["on"] => class == Class::AbsDate,
        ["due", "at"] | ["at"] | ["@"] => class == Class::Time,
        ["due"] | ["due", "by"] | ["by"] | ["before"] => {
            matches!(class, Class::AbsDate | Class::RelDate | Class::Time)
        }
        ["repeat" | "repeats" | "repeating"] => class == Class::Repeat,
        _ => false,
    }
}

/// The words of one input, with the moment and day they are read at.
pub(super) struct Grammar<'a> {
    pub input: &'a str,
    pub tokens: &'a [Token],
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

impl Grammar<'_> {
    /// The lowercased word at `i`, unless it is literal or punctuation.
    pub fn word(&self, i: usize) -> Option<&str> {
        self.tokens
            .get(i)
            .filter(|t| !t.protected && !t.punct_only)
            .map(|t| t.word.as_str())
    }

    /// Whether word `i` runs into word `i + 1` with no punctuation between.
    pub fn linked(&self, i: usize) -> bool {
        match (self.tokens.get(i), self.tokens.get(i + 1)) {
            (Some(a), Some(b)) => !a.trail_punct && !b.lead_punct,
            _ => false,
        }
    }

    /// Whether word `i` is followed by a comma and then word `i + 1`.
    pub fn comma_linked(&self, i: usize) -> bool {
        match (self.tokens.get(i), self.tokens.get(i + 1)) {
            (Some(a), Some(b)) => &self.input[a.core.end..a.chunk.end] == "," && !b.lead_punct,
            _ => false,
        }
    }

    /// Whether the words from `i` on are `words`, with nothing between them.
    pub fn seq(&self, i: usize, words: &[&str]) -> bool {
        words.iter().enumerate().all(|(k, w)| {
            self.word(i + k) == Some(w) && (k + 1 == words.len() || self.linked(i + k))
        })
    }

    /// Every phrase reading at word `i`.
    fn readings(&self, i: usize, after_date: bool) -> Vec<Found> {
        [
            self.repeat(i),
            self.relative(i),
            self.weekday(i),
            self.month_day(i),
            self.day_of_month(i),
            self.numeric_date(i),
            self.time(i),
            self.day_part(i, after_date),
            self.priority(i),
            self.tag(i),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Whether some phrase other than a tag starts at word `i` ("tagged
    /// friday" is not a tag).
    fn phrase_at(&self, i: usize) -> bool {
        [
            self.repeat(i),
            self.relative(i),
            self.weekday(i),
            self.month_day(i),
            self.day_of_month(i),
            self.numeric_date(i),
            self.time(i),
            self.priority(i),
        ]
        .iter()
        .any(Option::is_some)
    }

    /// The phrases, left to right, each the longest reading at its place.
    pub fn candidates(&self) -> Vec<Candidate> {
        let mut out: Vec<Candidate> = Vec::new();
        let mut i = 0;
        while i < self.tokens.len() {
            let after_date = out
                .last()
                .is_some_and(|c| c.end == i && matches!(c.item, Item::Date { .. }));
            let mut best: Option<Candidate> = None;
            for connector in CONNECTORS {
                let j = i + connector.len();
                let present = connector
                    .iter()
                    .enumerate()
                    .all(|(k, w)| self.word(i + k) == Some(w) && self.linked(i + k));
                if !present {
                    continue;
                }
                for found in self.readings(j, after_date && connector.is_empty()) {
                    let fits = if connector.is_empty() {
                        !found.needs_connector
                    } else {
                        allows(connector, found.class)
                    };
                    if fits && best.as_ref().is_none_or(|b| found.end > b.end) {
                        best = Some(Candidate {
                            start: i,
                            end: found.end,
                            item: found.item,
                            // A connector settles a phrase ("on friday"),
                            // unless the phrase needs one anyway ("at 5").
                            tentative: found.tentative
                                && (connector.is_empty() || found.needs_connector),
                        });
                    }
                }
            }
            match best {
                Some(candidate) => {
                    i = candidate.end;
                    out.push(candidate);
                }
                None => i += 1,
            }
        }
        out
    }

    /// Drops the tentative phrases that do not end a phrase: one is kept
    /// when it ends the input or a clause (punctuation), or is followed by
    /// another phrase or a small word ("friday about the trip", "call mom
    /// p1 #family"); "sunday school supplies" and "p1 racing" stay text.
    pub fn settle(&self, candidates: Vec<Candidate>) -> Vec<Candidate> {
        let mut keep = vec![true; candidates.len()];
        for k in (0..candidates.len()).rev() {
            if !candidates[k].tentative {
                continue;
            }
            let end = candidates[k].end;
            let next_is_phrase = keep.get(k + 1) == Some(&true) && candidates[k + 1].start == end;
            keep[k] = next_is_phrase || self.boundary_after(end - 1);
        }
        candidates
            .into_iter()
            .zip(keep)
            .filter_map(|(candidate, keep)| keep.then_some(candidate))
            .collect()
    }

    fn boundary_after(&self, last: usize) -> bool {
        if self.tokens[last].trail_punct {
            return true;
        }
        match self.tokens.get(last + 1) {
            None => true,
            Some(next) => next.lead_punct || next.punct_only || words::ends_phrase(&next.word),
        }
    }

    /// urgent, high/medium/low priority, priority high, p1–p4, ! to !!!!,
    /// !high and !1–!4, and a clause saying so ("it's urgent", "that is
    /// very important", "not urgent").
    fn priority(&self, i: usize) -> Option<Found> {
        let word = self.word(i)?;
        let found = |end, priority| Some(Found::new(end, Item::Priority(priority), Class::Other));
        if let Some(level) = word.strip_prefix('!') {
            let priority = priority_number(level).or_else(|| priority_level(level));
            if let Some(priority) = priority {
                return found(i + 1, priority);
            }
        }
        if let Some(found) = self.priority_clause(i) {
            return Some(found);
        }
        if word.chars().all(|c| c == '!') {
            let priority = match word.len() {
                1 => Priority::Low,
                2 => Priority::Medium,
                3 => Priority::High,
                _ => Priority::Urgent,
            };
            return found(i + 1, priority);
        }
        let is_priority = |w: &str| matches!(w, "priority" | "prio" | "pri");
        if let Some((level, noun)) = word.split_once('-') {
            if is_priority(noun) {
                return found(i + 1, priority_level(level)?);
            }
        }
        if let Some(level) = priority_level(word) {
            if self.linked(i) && self.word(i + 1).is_some_and(is_priority) {
                return found(i + 2, level);
            }
        }
        if is_priority(word) && (self.linked(i) || self.input_after(i) == ":") {
            if let Some(level) = self.word(i + 1).and_then(priority_level) {
                return found(i + 2, level);
            }
        }
        if word == "urgent" {
            // "urgent care" is a place, not a priority.
            let care = self.linked(i) && self.word(i + 1) == Some("care");
            return (!care).then(|| found(i + 1, Priority::Urgent))?;
        }
        let level = priority_code(word)?;
        let mut found = Found::new(i + 1, Item::Priority(level), Class::Other);
        found.tentative = true;
        Some(found)
    }

    /// "it's urgent", "that is very important", "this is not urgent";
    /// without the lead-in only "very important", "not urgent" and the like,
    /// and only where they end a phrase ("not urgent care" stays).
    fn priority_clause(&self, i: usize) -> Option<Found> {
        const LEAD_INS: &[&[&str]] = &[
            &["it's"],
            &["its"],
            &["it", "is"],
            &["that's"],
            &["thats"],
            &["that", "is"],
            &["this", "is"],
            &["it's", "really"],
        ];
        let lead = LEAD_INS
            .iter()
            .find(|words| self.seq(i, words) && self.linked(i + words.len() - 1))
            .map_or(0, |words| words.len());
        let mut j = i + lead;
        let mut emphasis = false;
        if matches!(
            self.word(j),
            Some("very" | "really" | "super" | "quite" | "extremely" | "so")
        ) && self.linked(j)
        {
            emphasis = true;
            j += 1;
        }
        let negated = self.word(j) == Some("not") && self.linked(j);
        if negated {
            j += 1;
        }
        // "urgent" and the one-word synonyms ("important", "critical"),
        // never the other levels: "it's low" describes the task.
        let said = self.word(j)?;
        let level = if said == Priority::Urgent.as_str() {
            Priority::Urgent
        } else {
            priority_synonym(said)?
        };
        let priority = if negated { Priority::Low } else { level };
        if lead == 0 && !emphasis && !negated {
            return None;
        }
        // A clause follows the task ("call mom, it's urgent"); "It is
        // important to stretch" is the task itself. "Urgent care" is a place.
        let care = self.linked(j) && self.word(j + 1) == Some("care");
        if (lead > 0 && i == 0) || care {
            return None;
        }
        let mut found = Found::new(j + 1, Item::Priority(priority), Class::Other);
        found.tentative = lead == 0;
        Some(found)
    }

    /// The punctuation right after word `i`'s core.
    fn input_after(&self, i: usize) -> &str {
        let token = &self.tokens[i];
        &self.input[token.core.end..token.chunk.end]
    }

    /// #work (a `#` and at least one letter), "tag it work", "tagged work".
    fn tag(&self, i: usize) -> Option<Found> {
        let word = self.word(i)?;
        let tag = |raw: &str| {
            Tag::parse(raw)
                .ok()
                .filter(|t| t.as_str().chars().any(char::is_alphabetic))
        };
        if word.starts_with('#') {
            let found = Found::new(i + 1, Item::Tag(tag(word)?), Class::Other);
            return Some(found);
        }
        let mut j = if self.seq(i, &["tag", "it"]) && self.linked(i + 1) {
            i + 2
        } else if word == "tagged" && self.linked(i) {
            i + 1
        } else {
            return None;
        };
        if matches!(self.word(j), Some("as" | "with")) && self.linked(j) {
            j += 1;
        }
        let name = self.word(j)?;
        if words::ends_phrase(name) || self.phrase_at(j) {
            return None;
        }
        let mut found = Found::new(j + 1, Item::Tag(tag(name)?), Class::Other);
        found.tentative = true;
        Some(found)
    }
}
