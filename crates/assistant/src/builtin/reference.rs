//! Which task a message means: an id ("task 12", "#12"), a place in the
//! list last shown ("the second one"), "it", or words of its title ("the
//! groceries task").

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use strsim::osa_distance;

/// A reference as said; resolved against the tasks later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ref {
    /// "task 12", "#12", "number 12".
    Id(i64),
    /// A bare number: a place in the last list when it has one, else an id.
    Number(i64),
    /// A place in the last list, from 1; negative counts from the end.
    Position(i64),
    /// "it", "that", "this one".
    Pronoun,
    /// "all of them", "both".
    All,
    /// Words of a title, lowercased.
    Title(String),
    /// "buy milk and call mom": the whole when a title has it all ("salt
    /// and pepper"), else each part.
    Titles { whole: String, parts: Vec<String> },
    /// "everything tagged #work", "all my #work tasks".
    Tagged(String),
}

impl Ref {
    /// Whether this reference can only mean one thing once the list is known.
    pub fn is_exact(&self) -> bool {
        !matches!(self, Ref::Title(_) | Ref::Titles { .. } | Ref::Tagged(_))
    }
}

const PRONOUNS: &[&str] = &[
    "it",
    "that",
    "this",
    "that one",
    "this one",
    "that task",
    "this task",
    "the task",
    "the one",
    "same",
    "the same",
    "the same one",
    "the same task",
    "it too",
    "that too",
    "that item",
    "this item",
    "that todo",
    "this todo",
    "one",
];

const ALL: &[&str] = &[
    "all",
    "all of them",
    "them all",
    "them",
    "both",
    "both of them",
    "all those",
    "all these",
    "those",
    "these",
    "all of those",
    "all of these",
    "everything",
    "every one",
    "each of them",
    "all tasks",
    "all the tasks",
    "the tasks",
    "those tasks",
    "these tasks",
];

/// Ordinal words: "first" (1) … "tenth", and the ends of the list.
fn ordinal(word: &str) -> Option<i64> {
    const WORDS: [&str; 10] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth",
    ];
    if let Some(at) = WORDS.iter().position(|w| *w == word) {
        return Some(at as i64 + 1);
    }
    match word {
        "last" | "bottom" | "final" => return Some(-1),
        "top" => return Some(1),
        "penultimate" => return Some(-2),
        _ => {}
    }
    let digits = word
        .strip_suffix("st")
        .or_else(|| word.strip_suffix("nd"))
        .or_else(|| word.strip_suffix("rd"))
        .or_else(|| word.strip_suffix("th"))?;
    digits.parse::<i64>().ok().filter(|n| (1..=100).contains(n))
}

/// Words around a reference that say nothing about which task it is.
const FILLER_AFTER: &[&str] = &[
    " on the list",
    " in the list",
    " from the list",
    " on my list",
    " in my list",
    " from my list",
    " on my todo list",
    " from my todo list",
    " on the todo list",
    " in the list above",
    " above",
    " there",
    " here",
    " you just added",
    " i just added",
    " we just added",
    " you added",
    " i added",
    " from before",
    " for good",
    " permanently",
    " entirely",
    " completely",
    " too",
    " as well",
    " please",
    " for me",
    " now",
    " already",
    " from earlier",
    " anymore",
    " any more",
    " any longer",
    " in there",
    " you showed me",
    " you just showed me",
];

const NOUNS: &[&str] = &[
    "task", "tasks", "one", "ones", "item", "items", "todo", "to-do", "entry", "thing", "reminder",
];

/// Strips articles, "task"/"one" and list talk off a reference.
fn core(raw: &str) -> String {
    let mut s = raw
        .trim()
        .trim_matches(|c: char| ",.;:!?".contains(c))
        .trim()
        .to_owned();
    loop {
        let before = s.clone();
        for filler in FILLER_AFTER {
            if let Some(rest) = s.strip_suffix(filler) {
                s = rest.trim_end().to_owned();
            }
        }
        if before == s {
            break;
        }
    }
    s
}

pub fn strip_articles(s: &str) -> &str {
    let mut s = s.trim();
    loop {
        let before = s;
        for article in ["the ", "my ", "a ", "an ", "that ", "this ", "our "] {
            if let Some(rest) = s.strip_prefix(article) {
                s = rest.trim_start();
            }
        }
        if before == s {
            return s;
        }
    }
}

pub fn strip_nouns(s: &str) -> &str {
    let mut s = s.trim();
    loop {
        let before = s;
        for noun in NOUNS {
            if let Some(rest) = s.strip_suffix(noun) {
                if rest.is_empty() || rest.ends_with(' ') {
                    s = rest.trim_end();
                }
            }
            if let Some(rest) = s.strip_prefix(noun) {
                if rest.starts_with(' ') {
                    s = rest.trim_start();
                }
            }
        }
        for lead in [
            "about ",
            "called ",
            "named ",
            "titled ",
            "for ",
            "to ",
            "with ",
            "that says ",
            "saying ",
        ] {
            if let Some(rest) = s.strip_prefix(lead) {
                s = rest.trim_start();
            }
        }
        if before == s {
            return s;
        }
    }
}

/// Reads one reference; `None` when nothing is left of it.
pub fn parse_one(raw: &str) -> Option<Ref> {
    let s = core(raw);
    let s = s.trim_matches(|c: char| c == '"' || c == '“' || c == '”' || c == '\'');
    if s.is_empty() {
        return None;
    }
    if PRONOUNS.contains(&s) {
        return Some(Ref::Pronoun);
    }
    if ALL.contains(&s) || ALL.contains(&strip_articles(s)) {
        return Some(Ref::All);
    }
    if let Some(id) = id_of(s) {
        return Some(id);
    }
    let bare = strip_nouns(strip_articles(s));
    if bare.is_empty() {
        return Some(Ref::Pronoun);
    }
    if let Some(position) = position_of(bare) {
        return Some(Ref::Position(position));
    }
    if let Some(id) = id_of(bare) {
        return Some(id);
    }
    let words = title_words(bare);
    if words.is_empty() {
        return None;
    }
    Some(Ref::Title(words.join(" ")))
}

fn id_of(s: &str) -> Option<Ref> {
    let parse = |n: &str| n.trim().trim_start_matches('#').parse::<i64>().ok();
    if let Some(n) = s.strip_prefix('#').and_then(|n| n.parse::<i64>().ok()) {
        return Some(Ref::Id(n));
    }
    for prefix in [
        "task number ",
        "task no. ",
        "task no ",
        "task id ",
        "task ",
        "item ",
        "todo ",
        "number ",
        "no. ",
        "no ",
        "id ",
        "nr ",
        "num ",
    ] {
        if let Some(n) = s.strip_prefix(prefix).and_then(parse) {
            return Some(Ref::Id(n));
        }
    }
    if let Ok(n) = s.parse::<i64>() {
        return Some(Ref::Number(n));
    }
    None
}

fn position_of(s: &str) -> Option<i64> {
    let s = s.replace('-', " ");
    let words: Vec<&str> = s.split_whitespace().collect();
    match words.as_slice() {
        [word] => ordinal(word),
        ["second", "last"] | ["second", "to", "last"] | ["next", "to", "last"] => Some(-2),
        ["third", "last"] | ["third", "to", "last"] => Some(-3),
        ["very", "last"] | ["very", "first"] => ordinal(words[1]),
        [word, "on", ..] | [word, "in", ..] | [word, "from", ..] => ordinal(word),
        ["number", n] | ["no", n] => n.parse().ok().filter(|n| *n > 0),
        _ => None,
    }
}

/// Several references: "1 and 3", "task 2, task 5", "the first and the
/// last". Only exact references are split (titles may hold "and").
pub fn parse(raw: &str) -> Option<Vec<Ref>> {
    if let Some(tag) = tagged(raw) {
        return Some(vec![Ref::Tagged(tag)]);
    }
    let normalized = raw.replace(" & ", " and ").replace(", and ", ", ");
    let parts: Vec<&str> = normalized
        .split([','])
        .flat_map(|p| p.split(" and "))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() > 1 {
        let refs: Option<Vec<Ref>> = parts.iter().map(|p| parse_one(p)).collect();
        if let Some(refs) = refs {
            if refs.iter().all(Ref::is_exact) && !refs.contains(&Ref::All) {
                return Some(refs);
            }
        }
        // "the first and second": a bare ordinal after "and".
        if let Some(refs) = parts
            .iter()
            .map(|p| position_of(strip_nouns(strip_articles(p))).map(Ref::Position))
            .collect::<Option<Vec<_>>>()
        {
            return Some(refs);
        }
        // "buy milk and call mom": titles, tried whole first.
        let titles: Option<Vec<String>> = parts
            .iter()
            .map(|p| match parse_one(p) {
                Some(Ref::Title(words)) => Some(words),
                _ => None,
            })
            .collect();
        if let (Some(parts), Some(Ref::Title(whole))) = (titles, parse_one(raw)) {
            return Some(vec![Ref::Titles { whole, parts }]);
        }
    }
    parse_one(raw).map(|r| vec![r])
}

/// The tag in "everything tagged #work", "all tasks with the tag home",
/// "all my #work tasks".
fn tagged(raw: &str) -> Option<String> {
    // A pattern that does not compile is skipped; `tag_patterns_compile`
    // holds them all.
    static PATTERNS: LazyLock<Vec<Regex>> =
        LazyLock::new(|| TAGGED.iter().filter_map(|p| Regex::new(p).ok()).collect());
    let raw = raw.trim().trim_end_matches(['.', '!', '?']);
    PATTERNS
        .iter()
        .find_map(|re| re.captures(raw))
        .and_then(|c| c.name("tag"))
        .map(|tag| tag.as_str().to_lowercase())
}

const TAGGED: [&str; 2] = [
    r"^(?:everything|every task|all(?: of)?(?: my| the)?(?: tasks| todos| items| ones)?|(?:my|the) tasks)\s+(?:tagged(?: with| as)?|with (?:the )?tags?|labell?ed)\s+#?(?P<tag>[\w-]+)$",
    r"^(?:everything|all(?: of)?(?: my| the)?|(?:my|the))\s+#(?P<tag>[\w-]+)\s+(?:tasks|todos|items|ones|stuff)$",
];

/// Words too common to tell tasks apart.
const STOP_WORDS: &[&str] = &[
    "the", "a", "an", "my", "to", "for", "of", "on", "in", "at", "with", "about", "and", "task",
    "tasks", "one", "item", "todo", "called", "named", "titled", "thing", "that", "this", "is",
    "list", "some", "i", "me", "your", "our", "it",
];

/// The words of a text as the matcher compares them: lowercase letters and
/// digits, without the stop words.
pub fn title_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\'').trim_end_matches("'s"))
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(w))
        .map(str::to_owned)
        .collect()
}

/// A crude stem, enough to meet other forms of a word: "groceries" and
/// "grocery", "writing" and "write", "calls" and "call".
fn stem(word: &str) -> &str {
    if word.len() > 4 {
        for suffix in ["ies", "ing", "ed"] {
            if let Some(base) = word.strip_suffix(suffix) {
                return base;
            }
        }
    }
    if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") {
        return stem(&word[..word.len() - 1]);
    }
    if word.len() > 3 && (word.ends_with('y') || word.ends_with('e')) {
        return &word[..word.len() - 1];
    }
    word
}

/// How closely a word of a reference names a word of a title: 2 for the
/// same word or another form of it ("groceries"/"grocery"), 1 for its
/// start ("dent") or a small typo, 0 for no match.
fn word_score(said: &str, title: &str) -> u8 {
    if said == title || stem(said) == stem(title) {
        return 2;
    }
    let len = said.chars().count();
    if len >= 4 && title.starts_with(said) {
        return 1;
    }
    if len >= 5 && title.chars().count() >= 5 && osa_distance(said, title) <= 1 {
        return 1;
    }
    0
}

fn word_matches(said: &str, title: &str) -> bool {
    word_score(said, title) > 0
}

/// How well a reference's words name a title: `None` unless every word is
/// found; then 3 when the title is exactly those words, 2 when it holds
/// them all, 1 when some only nearly match.
pub fn match_title(reference: &str, title: &str) -> Option<u8> {
    let said: Vec<&str> = reference.split_whitespace().collect();
    if said.is_empty() {
        return None;
    }
    let words = title_words(title);
    let mut worst = 2;
    for s in &said {
        let best = words.iter().map(|w| word_score(s, w)).max().unwrap_or(0);
        if best == 0 {
            return None;
        }
        worst = worst.min(best);
    }
    if worst == 2 && words.len() == said.len() {
        return Some(3);
    }
    Some(worst)
}

/// The share of a reference's words found in a title, for near misses.
pub fn overlap(reference: &str, title: &str) -> f64 {
    let said: Vec<&str> = reference.split_whitespace().collect();
    if said.is_empty() {
        return 0.0;
    }
    let words = title_words(title);
    let found = said
        .iter()
        .filter(|s| words.iter().any(|w| word_matches(s, w)))
        .count();
    found as f64 / said.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(raw: &str) -> Option<Ref> {
        parse_one(raw)
    }

    #[test]
    fn ids_positions_and_pronouns() {
        assert_eq!(one("task 12"), Some(Ref::Id(12)));
        assert_eq!(one("#12"), Some(Ref::Id(12)));
        assert_eq!(one("number 12"), Some(Ref::Id(12)));
        assert_eq!(one("task #7"), Some(Ref::Id(7)));
        assert_eq!(one("12"), Some(Ref::Number(12)));
        assert_eq!(one("the second one"), Some(Ref::Position(2)));
        assert_eq!(one("2nd"), Some(Ref::Position(2)));
        assert_eq!(one("the last one"), Some(Ref::Position(-1)));
        assert_eq!(one("first"), Some(Ref::Position(1)));
        assert_eq!(one("the first task on the list"), Some(Ref::Position(1)));
        assert_eq!(one("the second to last one"), Some(Ref::Position(-2)));
        assert_eq!(one("it"), Some(Ref::Pronoun));
        assert_eq!(one("that one"), Some(Ref::Pronoun));
        assert_eq!(one("both of them"), Some(Ref::All));
        assert_eq!(one(""), None);
    }

    #[test]
    fn titles() {
        assert_eq!(
            one("the groceries task"),
            Some(Ref::Title("groceries".into()))
        );
        assert_eq!(one("the dentist one"), Some(Ref::Title("dentist".into())));
        assert_eq!(
            one("the task about the car insurance"),
            Some(Ref::Title("car insurance".into()))
        );
        assert_eq!(one("\"Buy milk\""), Some(Ref::Title("buy milk".into())));
    }

    #[test]
    fn tag_patterns_compile() {
        for pattern in TAGGED {
            assert!(Regex::new(pattern).is_ok(), "{pattern}");
        }
    }

    #[test]
    fn several_references() {
        assert_eq!(parse("1 and 3"), Some(vec![Ref::Number(1), Ref::Number(3)]));
        assert_eq!(
            parse("the first and the last one"),
            Some(vec![Ref::Position(1), Ref::Position(-1)])
        );
        assert_eq!(
            parse("the first and second"),
            Some(vec![Ref::Position(1), Ref::Position(2)])
        );
        assert_eq!(
            parse("salt and pepper, pasta"),
            Some(vec![Ref::Titles {
                whole: "salt pepper pasta".into(),
                parts: vec!["salt".into(), "pepper".into(), "pasta".into()]
            }])
        );
        assert_eq!(
            parse("buy milk and call mom"),
            Some(vec![Ref::Titles {
                whole: "buy milk call mom".into(),
                parts: vec!["buy milk".into(), "call mom".into()]
            }])
        );
        for said in [
            "everything tagged #work",
            "all tasks tagged work",
            "all my #work tasks",
            "all tasks with the tag work",
        ] {
            assert_eq!(
                parse(said),
                Some(vec![Ref::Tagged("work".into())]),
                "{said}"
            );
        }
        assert_eq!(
            parse("salt and pepper"),
            Some(vec![Ref::Titles {
                whole: "salt pepper".into(),
                parts: vec!["salt".into(), "pepper".into()]
            }])
        );
        assert_eq!(
            parse("task 3, task 5 and #9"),
            Some(vec![Ref::Id(3), Ref::Id(5), Ref::Id(9)])
        );
    }

    #[test]
    fn title_matching() {
        assert_eq!(match_title("groceries", "Buy groceries"), Some(2));
        assert_eq!(match_title("grocery", "Buy groceries"), Some(2));
        assert_eq!(match_title("dentist", "Dentist"), Some(3));
        assert_eq!(match_title("dentst", "Call the dentist"), Some(1));
        assert_eq!(match_title("mom", "Call mom"), Some(2));
        assert_eq!(match_title("milk", "Milkshake recipe"), Some(1));
        assert_eq!(match_title("dad", "Call mom"), None);
        assert_eq!(match_title("car", "Card for Anna"), None);
        assert!(overlap("car insurance", "Renew insurance") > 0.4);
    }
}
