//! The vocabulary: weekday and month names, numbers, and the small words
//! that end a phrase.

use chrono::Weekday;

/// A weekday name and whether it was spelled in full: the domain's words.
pub(super) use crate::words::weekday;

/// `mondays`, `fridays`: only read after `on` ("on mondays" repeats).
pub(super) fn weekday_plural(word: &str) -> Option<Weekday> {
    weekday(word.strip_suffix('s')?)
        .filter(|(_, full)| *full)
        .map(|(day, _)| day)
}

pub(super) fn month(word: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if let Some(index) = NAMES.iter().position(|name| *name == word) {
        return Some(index as u32 + 1);
    }
    if word == "sept" {
        return Some(9);
    }
    NAMES
        .iter()
        .position(|name| word.len() == 3 && name.starts_with(word))
        .map(|index| index as u32 + 1)
}

fn digits(word: &str, max_len: usize) -> Option<u32> {
    if word.is_empty() || word.len() > max_len || !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    word.parse().ok()
}

/// A day of the month: `3`, `03`, `3rd`, `21st`. The second value says
/// whether it carried an ordinal suffix.
pub(super) fn day_of_month(word: &str) -> Option<(u32, bool)> {
    let (number, ordinal) = match ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|suffix| word.strip_suffix(suffix))
    {
        Some(number) => (number, true),
        None => (word, false),
    };
    digits(number, 2)
        .filter(|day| (1..=31).contains(day))
        .map(|day| (day, ordinal))
}

/// A four-digit year a task could be due in.
pub(super) fn year(word: &str) -> Option<i32> {
    if word.len() != 4 {
        return None;
    }
    digits(word, 4)
        .filter(|y| (1900..=2199).contains(y))
        .map(|y| y as i32)
}

/// A small count: digits, `a`/`an`, or a number word up to twelve.
pub(super) fn count(word: &str) -> Option<u32> {
    const WORDS: [&str; 12] = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    match word {
        "a" | "an" => Some(1),
        _ => WORDS
            .iter()
            .position(|w| *w == word)
            .map(|index| index as u32 + 1)
            .or_else(|| digits(word, 3).filter(|n| *n > 0)),
    }
}

/// Small words that end the phrase before them: a weekday name followed by
/// one of these ("friday about the trip") is a date, while one followed by
/// an ordinary word ("sunday school") is part of a name.
pub(super) fn ends_phrase(word: &str) -> bool {
    const WORDS: &[&str] = &[
        "a", "about", "after", "again", "also", "an", "and", "as", "at", "because", "before",
        "but", "by", "for", "from", "if", "in", "instead", "into", "on", "or", "please", "pls",
        "re", "so", "the", "then", "to", "too", "until", "via", "when", "while", "with", "without",
        "&", "+",
    ];
    WORDS.contains(&word) || (!word.is_empty() && word.chars().all(|c| "-–—:|/~•*=>".contains(c)))
}

/// Words that turn the weekday after them into the name of a day of the year
/// ("Black Friday", "Easter Monday") rather than a due date.
pub(super) fn names_a_holiday(word: &str) -> bool {
    [
        "ash", "black", "cyber", "easter", "good", "holy", "maundy", "palm", "super", "whit",
    ]
    .contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_months_and_numbers() {
        assert_eq!(weekday("thurs"), Some((Weekday::Thu, false)));
        assert_eq!(weekday("sunday"), Some((Weekday::Sun, true)));
        assert_eq!(weekday("money"), None);
        assert_eq!(weekday_plural("mondays"), Some(Weekday::Mon));
        assert_eq!(weekday_plural("mons"), None);
        assert_eq!(month("dec"), Some(12));
        assert_eq!(month("sept"), Some(9));
        assert_eq!(month("ma"), None);
        assert_eq!(month("decembe"), None);
        assert_eq!(day_of_month("3rd"), Some((3, true)));
        assert_eq!(day_of_month("32"), None);
        assert_eq!(day_of_month("0"), None);
        assert_eq!(day_of_month("5th"), Some((5, true)));
        assert_eq!(year("1984"), Some(1984));
        assert_eq!(year("12345"), None);
        assert_eq!(count("an"), Some(1));
        assert_eq!(count("twelve"), Some(12));
        assert_eq!(count("0"), None);
        assert_eq!(count("1000"), None);
        assert!(ends_phrase("about") && ends_phrase("-") && !ends_phrase("school"));
    }
}
