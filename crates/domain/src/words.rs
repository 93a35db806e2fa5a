//! The words people type and read for priorities and days: the one table the
//! quick-add grammar, the builtin assistant and the web UI share (the words
//! for repeat rules and the weekday table live in [`crate::repeat`]).

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
    PRIORITY_LEVELS
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, p)| *p)
}

/// `1`–`4`: the number after `p` or `!`.
pub fn priority_number(word: &str) -> Option<Priority> {
    PRIORITY_NUMBERS
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, p)| *p)
}

/// `p1`–`p4`.
pub fn priority_code(word: &str) -> Option<Priority> {
    priority_number(word.strip_prefix('p')?)
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
        assert_eq!(priority_code("p5"), None);
        assert_eq!(priority_level("hi"), None);
    }
}
