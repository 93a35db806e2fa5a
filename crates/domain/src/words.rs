//! The words people type and read for priorities and days: the one table the
//! quick-add grammar, the builtin assistant and the web UI share (the words
//! for repeat rules and the weekday table live in [`crate::repeat`]).

use chrono::{Datelike, NaiveDate, Weekday};

use crate::repeat::WEEKDAYS;
use crate::task::Priority;

/// The words that name a priority level, alone or in "high priority",
/// "!high", "high-priority", "priority: high".
pub const PRIORITY_LEVELS: [(&str, Priority); 6] = [
    ("urgent", Priority::Urgent),
    ("high", Priority::High),
    ("medium", Priority::Medium),
    ("med", Priority::Medium),
    ("normal", Priority::Medium),
    ("low", Priority::Low),
];

/// The numbered levels, most urgent first: `p1`–`p4` and `!1`–`!4`.
pub const PRIORITY_NUMBERS: [(&str, Priority); 4] = [
    ("1", Priority::Urgent),
    ("2", Priority::High),
    ("3", Priority::Medium),
    ("4", Priority::Low),
];

/// `high`, `med`, `normal` (lowercase, as the readers pass it).
pub fn priority_level(word: &str) -> Option<Priority> {
    looked_up(&PRIORITY_LEVELS, word)
}

/// `1`–`4`: the number after `p` or `!`.
pub fn priority_number(word: &str) -> Option<Priority> {
    looked_up(&PRIORITY_NUMBERS, word)
}

/// `p1`–`p4`.
pub fn priority_code(word: &str) -> Option<Priority> {
    priority_number(word.strip_prefix('p')?)
}

/// Other words for a level people use when they talk ("make it critical",
/// "show my important tasks"). The builtin assistant reads them wherever it
/// reads a level word; the quick-add grammar only in a clause about the task
/// ("call mom, it's important", "…, not critical"), so a title keeps them
/// ("Fix critical bug", "Important call").
pub const PRIORITY_SYNONYMS: [(&str, Priority); 3] = [
    ("critical", Priority::Urgent),
    ("top priority", Priority::Urgent),
    ("important", Priority::High),
];

/// Whole answers that set a priority where one is expected ("make it
/// asap", "set its priority to none", "!!!"), besides the level words and
/// synonyms. Never looked for inside a sentence: "none", "minor" or "!"
/// mean other things there.
pub const PRIORITY_ANSWERS: [(&str, Priority); 22] = [
    ("asap", Priority::Urgent),
    ("highest priority", Priority::Urgent),
    ("very urgent", Priority::Urgent),
    ("super urgent", Priority::Urgent),
    ("!!!!", Priority::Urgent),
    ("very important", Priority::High),
    ("higher priority", Priority::High),
    ("!!!", Priority::High),
    ("moderate", Priority::Medium),
    ("average", Priority::Medium),
    ("!!", Priority::Medium),
    ("not important", Priority::Low),
    ("unimportant", Priority::Low),
    ("lower priority", Priority::Low),
    ("minor", Priority::Low),
    ("!", Priority::Low),
    ("not urgent", Priority::None),
    ("no longer urgent", Priority::None),
    ("not a priority", Priority::None),
    ("no priority", Priority::None),
    ("priority none", Priority::None),
    ("none", Priority::None),
];

/// A priority said where one is expected ("make it …", "set the priority
/// to …"), lowercase: a level word or synonym alone or as `!high`,
/// `high priority`, `high-priority`, `priority high`; `p1`–`p4`, `!1`–`!4`;
/// or one of [`PRIORITY_ANSWERS`].
pub fn priority_answer(value: &str) -> Option<Priority> {
    let value = value.trim();
    let word = value
        .strip_prefix('!')
        .or_else(|| value.strip_prefix("priority "))
        .or_else(|| value.strip_suffix(" priority"))
        .or_else(|| value.strip_suffix("-priority"))
        .unwrap_or(value);
    priority_named(word)
        .or_else(|| priority_named(value))
        .or_else(|| priority_code(value))
        .or_else(|| value.strip_prefix('!').and_then(priority_number))
        .or_else(|| looked_up(&PRIORITY_ANSWERS, value))
}

/// A level word or a synonym on its own: `high`, `med`, `critical`,
/// `top priority` (lowercase).
pub fn priority_named(word: &str) -> Option<Priority> {
    priority_level(word).or_else(|| priority_synonym(word))
}

/// `critical`, `important`, `top priority` (lowercase).
pub fn priority_synonym(word: &str) -> Option<Priority> {
    looked_up(&PRIORITY_SYNONYMS, word)
}

fn looked_up(table: &[(&str, Priority)], word: &str) -> Option<Priority> {
    table.iter().find(|(w, _)| *w == word).map(|(_, p)| *p)
}

/// The priority a sentence asks for ("show my urgent tasks", "anything
/// important?", "p2 tasks"), most urgent first: a level's own word (as the
/// API spells it), its number as `p1`–`p4`, or a synonym, as whole words in
/// any case. The other spellings of a level ("med", "normal") count only
/// where a priority is expected ([`priority_answer`]): in a sentence they
/// are often something else ("my med refills").
pub fn priority_named_in(sentence: &str) -> Option<Priority> {
    let words: Vec<&str> = sentence
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let said = |phrase: &str| {
        let phrase: Vec<&str> = phrase.split(' ').collect();
        words.windows(phrase.len()).any(|window| {
            window
                .iter()
                .zip(&phrase)
                .all(|(w, p)| w.eq_ignore_ascii_case(p))
        })
    };
    Priority::ALL.into_iter().rev().find(|&level| {
        level != Priority::None
            && (said(level.as_str())
                || PRIORITY_NUMBERS
                    .iter()
                    .any(|(n, p)| *p == level && said(&format!("p{n}")))
                || PRIORITY_SYNONYMS
                    .iter()
                    .any(|(w, p)| *p == level && said(w)))
    })
}

/// A priority in a sentence: "urgent", "high priority", "no priority".
pub fn priority_phrase(priority: Priority) -> &'static str {
    match priority {
        Priority::None => "no priority",
        Priority::Low => "low priority",
        Priority::Medium => "medium priority",
        Priority::High => "high priority",
        Priority::Urgent => "urgent",
    }
}

/// The phrase on its own, as a chip or a choice shows it: "Urgent",
/// "High priority", "No priority".
pub fn priority_caption(priority: Priority) -> String {
    capitalised(priority_phrase(priority))
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The days said beside today, by their distance from it.
pub const RELATIVE_DAYS: [(i64, &str); 3] = [(-1, "yesterday"), (0, "today"), (1, "tomorrow")];

/// Short spellings of those days the quick-add bar reads too.
const RELATIVE_DAY_ALIASES: [(&str, i64); 2] = [("tmrw", 1), ("tmr", 1)];

/// Other spellings of weekdays besides [`WEEKDAYS`]' full and short names.
const WEEKDAY_ALIASES: [(&str, Weekday); 4] = [
    ("tues", Weekday::Tue),
    ("weds", Weekday::Wed),
    ("thur", Weekday::Thu),
    ("thurs", Weekday::Thu),
];

/// "today", "tomorrow", "yesterday" for `date` beside `today`.
pub fn relative_day(date: NaiveDate, today: NaiveDate) -> Option<&'static str> {
    let offset = (date - today).num_days();
    RELATIVE_DAYS
        .iter()
        .find(|(d, _)| *d == offset)
        .map(|(_, word)| *word)
}

/// How many days from today a word names: `today` 0, `tomorrow`/`tmrw` 1,
/// `yesterday` -1 (lowercase, as the readers pass it).
pub fn day_offset(word: &str) -> Option<i64> {
    RELATIVE_DAYS
        .iter()
        .map(|(d, w)| (*w, *d))
        .chain(RELATIVE_DAY_ALIASES)
        .find(|(w, _)| *w == word)
        .map(|(_, d)| d)
}

/// A weekday name and whether it was spelled in full (`friday`, not `fri`),
/// from [`WEEKDAYS`] and a few other spellings (`tues`, `thurs`).
pub fn weekday(word: &str) -> Option<(Weekday, bool)> {
    let days = WEEKDAYS.iter().zip(crate::repeat::ALL_DAYS);
    if let Some((_, day)) = days
        .clone()
        .find(|((_, _, full), _)| full.eq_ignore_ascii_case(word))
    {
        return Some((day, true));
    }
    days.map(|((_, short, _), day)| (*short, day))
        .chain(WEEKDAY_ALIASES)
        .find(|(w, _)| w.eq_ignore_ascii_case(word))
        .map(|(_, day)| (day, false))
}

/// A day as people read it beside today: "Today", "Tomorrow", "Yesterday",
/// else [`label_date`]'s "Fri 27 Nov" (the year only when it is not this
/// one). The web UI's due dates, day headings and history use it too.
pub fn day_label(date: NaiveDate, today: NaiveDate) -> String {
    match relative_day(date, today) {
        Some(word) => capitalised(word),
        None => label_date(date, today),
    }
}

// Written out rather than with chrono's strftime: the web UI shares these,
// and strftime's parser and formatter add several KB to its download.

/// "Fri 27 Nov", with the year when it is not `today`'s: "Fri 3 Dec 2027".
pub fn label_date(date: NaiveDate, today: NaiveDate) -> String {
    let month = chrono::Month::try_from(date.month() as u8).map_or("", |m| &m.name()[..3]);
    let label = format!("{} {} {month}", date.weekday(), date.day());
    if date.year() == today.year() {
        label
    } else {
        format!("{label} {:04}", date.year())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{quick_add, ParseContext, TimeZone};
    use chrono::{TimeZone as _, Utc};

    fn parsed_priority(text: &str) -> Option<Priority> {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        let ctx = ParseContext::new(now, TimeZone::UTC);
        quick_add::parse(text, &ctx).priority
    }

    /// Every level the UI can show comes back through the parser's words,
    /// in each way the grammar reads a level word.
    #[test]
    fn every_priority_round_trips_through_the_parser() {
        for priority in Priority::ALL.into_iter().filter(|p| *p != Priority::None) {
            let word = priority.as_str();
            assert_eq!(priority_level(word), Some(priority), "{word}");
            for text in [
                format!("call mom !{word}"),
                format!("call mom {word} priority"),
                format!("call mom priority: {word}"),
                format!("call mom {word}-priority"),
                format!("call mom !{}", priority.label().to_lowercase()),
            ] {
                assert_eq!(parsed_priority(&text), Some(priority), "{text}");
            }
        }
        for (word, priority) in PRIORITY_LEVELS {
            let text = format!("call mom !{word}");
            assert_eq!(parsed_priority(&text), Some(priority), "{text}");
        }
        for (number, priority) in PRIORITY_NUMBERS {
            for text in [format!("call mom p{number}"), format!("call mom !{number}")] {
                assert_eq!(parsed_priority(&text), Some(priority), "{text}");
            }
        }
        assert_eq!(priority_caption(Priority::High), "High priority");
        assert_eq!(priority_caption(Priority::Urgent), "Urgent");
        assert_eq!(priority_code("p5"), None);
        assert_eq!(priority_level("hi"), None);
    }

    /// Every word of the table reads back where a priority is expected, in
    /// each shape; in a sentence, the level's own word, its number and the
    /// synonyms do; the quick-add bar leaves the synonyms in the title.
    #[test]
    fn every_priority_word_reads_back() {
        for (word, priority) in PRIORITY_LEVELS.into_iter().chain(PRIORITY_SYNONYMS) {
            for said in [
                word.to_owned(),
                format!("!{word}"),
                format!("{word} priority"),
                format!("{word}-priority"),
                format!("priority {word}"),
            ] {
                assert_eq!(priority_answer(&said), Some(priority), "{said}");
            }
        }
        for (number, priority) in PRIORITY_NUMBERS {
            for said in [format!("p{number}"), format!("!{number}")] {
                assert_eq!(priority_answer(&said), Some(priority), "{said}");
            }
            let sentence = format!("show my P{number} tasks");
            assert_eq!(priority_named_in(&sentence), Some(priority), "{sentence}");
        }
        for (answer, priority) in PRIORITY_ANSWERS {
            assert_eq!(priority_answer(answer), Some(priority), "{answer}");
        }
        for priority in Priority::ALL {
            assert_eq!(priority_answer(priority_phrase(priority)), Some(priority));
            assert_eq!(priority_answer(priority.as_str()), Some(priority));
        }
        for priority in Priority::ALL.into_iter().filter(|p| *p != Priority::None) {
            let sentence = format!("anything {}?", priority.as_str());
            assert_eq!(priority_named_in(&sentence), Some(priority), "{sentence}");
        }
        for (word, priority) in PRIORITY_SYNONYMS {
            let sentence = format!("what's {word} today");
            assert_eq!(priority_named_in(&sentence), Some(priority), "{sentence}");
            let title = format!("Fix the {word} bug");
            assert_eq!(parsed_priority(&title), None, "{title}");
        }
        // Most urgent first; whole words only; "med" only where expected.
        assert_eq!(
            priority_named_in("low and urgent ones"),
            Some(Priority::Urgent)
        );
        assert_eq!(priority_named_in("show my lowest tasks"), None);
        assert_eq!(priority_named_in("my med refills"), None);
        assert_eq!(priority_named_in("top of the priority list"), None);
        assert_eq!(priority_answer("hi"), None);
    }

    /// Every weekday name the UI shows (full and short) reads back as that
    /// day, in any case, and the relative words as their distance.
    #[test]
    fn day_words_read_back() {
        for ((_, short, full), day) in WEEKDAYS.iter().zip(crate::repeat::ALL_DAYS) {
            assert_eq!(weekday(full), Some((day, true)));
            assert_eq!(weekday(&full.to_lowercase()), Some((day, true)));
            assert_eq!(weekday(&short.to_lowercase()), Some((day, false)));
        }
        assert_eq!(weekday("thurs"), Some((Weekday::Thu, false)));
        assert_eq!(weekday("money"), None);
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        for (offset, word) in RELATIVE_DAYS {
            let date = today + chrono::Duration::days(offset);
            assert_eq!(relative_day(date, today), Some(word));
            assert_eq!(day_offset(word), Some(offset));
        }
        assert_eq!(day_offset("tmrw"), Some(1));
        assert_eq!(relative_day(today + chrono::Duration::days(2), today), None);
    }
}
