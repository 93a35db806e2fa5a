//! Tidying a message before it is read: politeness and filler words come
//! off, casing goes (but is kept for titles), and common typos of the
//! command words are fixed.

use std::sync::LazyLock;

use strsim::osa_distance;
use todo_domain::repeat::WEEKDAYS;

/// A message in two spellings with the same byte offsets: `orig` keeps the
/// user's casing (titles come from it), `low` is what patterns match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub orig: String,
    pub low: String,
    /// `orig` before keyword typos were fixed, word for word: new titles
    /// and notes come from it ("renamed" is no typo of "rename" there).
    pub plain: String,
}

impl Msg {
    pub fn new(text: &str) -> Self {
        Self {
            orig: text.to_owned(),
            low: aligned_lower(text),
            plain: text.to_owned(),
        }
    }

    /// The unfixed original text of a byte range of `low`, mapped word by
    /// word (fixing a typo may change a word's length).
    pub fn plain_at(&self, range: std::ops::Range<usize>) -> String {
        if self.plain == self.orig {
            return self.orig_at(range).to_owned();
        }
        let (Some(before), Some(upto)) = (self.low.get(..range.start), self.low.get(..range.end))
        else {
            return String::new();
        };
        let first = before.matches(' ').count();
        let last = upto.matches(' ').count();
        let fixed: Vec<&str> = self.orig.split(' ').collect();
        let plain: Vec<&str> = self.plain.split(' ').collect();
        if fixed.len() != plain.len() || last >= plain.len() {
            return self.orig_at(range).to_owned();
        }
        let head_cut = range.start - before.rfind(' ').map_or(0, |at| at + 1);
        let tail_word_start = upto.rfind(' ').map_or(0, |at| at + 1);
        let tail_keep = range.end - tail_word_start;
        let mut words: Vec<String> = plain[first..=last]
            .iter()
            .map(|w| (*w).to_owned())
            .collect();
        // Offsets inside a word hold only where the word was not changed.
        if let Some(w) = words.last_mut() {
            if plain[last].len() == fixed[last].len() {
                w.truncate(tail_keep.min(w.len()));
            }
        }
        if let Some(w) = words.first_mut() {
            if plain[first].len() == fixed[first].len() && head_cut <= w.len() {
                *w = w[head_cut..].to_owned();
            }
        }
        words.join(" ")
    }

    /// The original text at a byte range of `low`.
    pub fn orig_at(&self, range: std::ops::Range<usize>) -> &str {
        self.orig.get(range).unwrap_or("")
    }

    fn from_words(words: &[(String, String)]) -> Self {
        let orig = words
            .iter()
            .map(|(o, _)| o.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let low = words
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Self {
            plain: orig.clone(),
            orig,
            low,
        }
    }

    fn words(&self) -> Vec<(String, String)> {
        self.orig
            .split_whitespace()
            .zip(self.low.split_whitespace())
            .map(|(o, l)| (o.to_owned(), l.to_owned()))
            .collect()
    }
}

/// Lowercases character by character, keeping a character whose lowercase
/// form has another length, so byte offsets stay valid in both strings.
fn aligned_lower(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) if l.len_utf8() == c.len_utf8() => out.push(l),
            _ => out.push(c),
        }
    }
    out
}

/// Leading phrases that only carry politeness or filler.
const LEADING: &[&[&str]] = &[
    &["please"],
    &["pls"],
    &["plz"],
    &["plse"],
    &["kindly"],
    &["could", "you"],
    &["can", "you"],
    &["would", "you"],
    &["will", "you"],
    &["could", "u"],
    &["can", "u"],
    &["can", "i"],
    &["can", "we"],
    &["could", "i"],
    &["could", "we"],
    &["let's"],
    &["lets"],
    &["would", "you", "mind"],
    &["would", "you", "be", "so", "kind", "as", "to"],
    &["i'd", "like", "you", "to"],
    &["i", "would", "like", "you", "to"],
    &["i", "want", "you", "to"],
    &["i", "need", "you", "to"],
    &["go", "ahead", "and"],
    &["just"],
    &["hey"],
    &["hey", "there"],
    &["hi"],
    &["hello"],
    &["ok"],
    &["okay"],
    &["ok", "so"],
    &["so"],
    &["now"],
    &["also"],
    &["oh"],
    &["and"],
    &["then"],
    &["um"],
    &["uh"],
    &["well"],
    &["alright"],
    &["actually"],
    &["oops"],
    &["oh", "no"],
    &["wait"],
    &["sorry"],
    &["hmm"],
    &["oh", "and"],
    &["by", "the", "way"],
    &["btw"],
    &["right"],
    &["quickly"],
];

/// Trailing phrases that only carry politeness.
const TRAILING: &[&[&str]] = &[
    &["please"],
    &["pls"],
    &["plz"],
    &["thanks"],
    &["thank", "you"],
    &["thx"],
    &["ty"],
    &["for", "me"],
    &["if", "you", "can"],
    &["if", "possible"],
    &["now"],
];

/// Gerunds after "would you mind", read as the verb.
const GERUNDS: &[(&str, &str)] = &[
    ("adding", "add"),
    ("creating", "create"),
    ("deleting", "delete"),
    ("removing", "remove"),
    ("completing", "complete"),
    ("marking", "mark"),
    ("showing", "show"),
    ("listing", "list"),
    ("renaming", "rename"),
    ("moving", "move"),
    ("finding", "find"),
    ("tagging", "tag"),
    ("clearing", "clear"),
    ("postponing", "postpone"),
    ("rescheduling", "reschedule"),
    ("reopening", "reopen"),
];

/// Command words a first word may be a typo of.
const VERBS: &[&str] = &[
    "add",
    "create",
    "remind",
    "remember",
    "delete",
    "remove",
    "complete",
    "finish",
    "finished",
    "done",
    "mark",
    "rename",
    "reschedule",
    "postpone",
    "move",
    "push",
    "untag",
    "label",
    "show",
    "list",
    "find",
    "search",
    "clear",
    "reopen",
    "describe",
    "prioritize",
    "help",
    "change",
    "update",
    "make",
    "delay",
    "display",
    "cancel",
    "check",
    "snooze",
    "completed",
    "what",
    "what's",
    "which",
];

/// Command words that may be misspelt anywhere (outside titles).
const COMMAND_WORDS: &[&str] = &[
    "complete",
    "completed",
    "finished",
    "delete",
    "remove",
    "reopen",
    "rename",
    "reschedule",
    "postpone",
    "priority",
    "urgent",
    "important",
    "overdue",
    "description",
];

/// Date words fixed even inside a new task's title, and anywhere else: the
/// domain's weekday names (lowercase), "tomorrow", "tonight", "weekend".
static DATE_WORDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    // Leaked once: the vocabularies are `'static` like the other word lists.
    let weekdays = WEEKDAYS
        .iter()
        .map(|(_, _, full)| &*full.to_lowercase().leak());
    ["tomorrow", "tonight"]
        .into_iter()
        .chain(weekdays)
        .chain(["weekend"])
        .collect()
});

/// Command and date words that may be misspelt anywhere (outside titles).
static KEYWORDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    COMMAND_WORDS
        .iter()
        .chain(DATE_WORDS.iter())
        .copied()
        .collect()
});

/// Real words close to a command word: never "fixed".
const PROTECTED: &[&str] = &[
    "fine",
    "lost",
    "last",
    "snow",
    "slow",
    "shop",
    "take",
    "wake",
    "cake",
    "bake",
    "mask",
    "park",
    "dark",
    "bark",
    "rush",
    "bush",
    "mind",
    "kind",
    "bind",
    "fund",
    "remote",
    "compete",
    "more",
    "love",
    "made",
    "male",
    "mate",
    "that",
    "chat",
    "dine",
    "dome",
    "bone",
    "gone",
    "tone",
    "none",
    "cone",
    "zone",
    "dove",
    "dose",
    "wish",
    "fish",
    "dish",
    "lift",
    "gift",
    "mist",
    "fist",
    "shoe",
    "shot",
    "slot",
    "stow",
    "halo",
    "hell",
    "held",
    "kelp",
    "yelp",
    "fund",
    "band",
    "hand",
    "land",
    "sand",
    "odd",
    "sundae",
    "sundaes",
    "fridays",
    "mondays",
    "tuesdays",
    "thursdays",
    "sundays",
    "saturdays",
    "wednesdays",
    "weekends",
    "urgency",
    "mover",
    "movie",
    "marks",
    "lists",
    "shows",
    "finds",
    "makes",
    "pushy",
    "remains",
    "reminds",
    "creates",
    "complex",
    "delta",
    "delay",
    "belay",
    "relay",
    "clean",
    "clears",
    "cheer",
    "cheek",
    "cheque",
    "reach",
    "teach",
    "check",
    "which",
    "witch",
    "whack",
    "shut",
    "shout",
    "lemon",
    "rename",
    "reader",
    "render",
];

/// Spellings too far from the word for the edit distance.
const ALIASES: &[(&str, &str)] = &[
    ("tonite", "tonight"),
    ("2morrow", "tomorrow"),
    ("2moro", "tomorrow"),
    ("tmw", "tomorrow"),
    ("tommorrow", "tomorrow"),
    ("tomorro", "tomorrow"),
    ("wensday", "wednesday"),
    ("wendsday", "wednesday"),
    ("wednsday", "wednesday"),
    ("thurday", "thursday"),
    ("thrusday", "thursday"),
    ("satuday", "saturday"),
    ("saterday", "saturday"),
    ("remaind", "remind"),
    ("2day", "today"),
    ("tday", "today"),
    ("todya", "today"),
    ("whats", "what's"),
];

/// The closest word of `vocabulary` within a small edit distance, for a
/// word that is not itself a known word.
fn correct(
    word: &str,
    vocabulary: &'static [&'static str],
    min_len: usize,
) -> Option<&'static str> {
    let len = word.chars().count();
    if len < min_len || !word.chars().all(|c| c.is_alphabetic() || c == '\'') {
        return None;
    }
    if let Some((_, to)) = ALIASES.iter().find(|(from, _)| *from == word) {
        return Some(to);
    }
    if vocabulary.contains(&word) || PROTECTED.contains(&word) {
        return None;
    }
    // "renamed", "incomplete": another form of a word, not a typo of it.
    if vocabulary
        .iter()
        .any(|v| v.len() >= 4 && word.len() > v.len() && word.contains(v))
    {
        return None;
    }
    let allowed = if len >= 8 { 2 } else { 1 };
    let mut best: Option<(&'static str, usize)> = None;
    for candidate in vocabulary {
        // Only candidates of a similar length: "ad" is no typo of "add".
        if candidate.len() < 3
            || candidate.chars().count().abs_diff(len) > allowed
            || letters_apart(word, candidate).is_some_and(|apart| apart > allowed)
        {
            continue;
        }
        let distance = osa_distance(word, candidate);
        if distance <= allowed && best.is_none_or(|(_, d)| distance < d) {
            best = Some((candidate, distance));
        }
    }
    best.map(|(w, _)| w)
}

/// A lower bound of the edit distance between two ASCII words from their
/// letters alone (`None` for other words): a substitution changes the
/// letter counts by two, an insertion or deletion by one, a transposition
/// not at all. It rules out most of a vocabulary at the cost of a count,
/// where the distance fills (and allocates) a table per pair (callgrind: the
/// check was 77 K of the 460 K instructions of a turn adding a task).
fn letters_apart(word: &str, candidate: &str) -> Option<usize> {
    if !word.is_ascii() || !candidate.is_ascii() {
        return None;
    }
    let mut counts = [0i32; 128];
    for byte in word.bytes() {
        counts[usize::from(byte)] += 1;
    }
    for byte in candidate.bytes() {
        counts[usize::from(byte)] -= 1;
    }
    let differing: usize = counts
        .iter()
        .map(|count| count.unsigned_abs() as usize)
        .sum();
    Some(differing.div_ceil(2))
}

/// Splits the punctuation off a word's ends: `("", "tomorow", ",")`.
fn split_punct(word: &str) -> (&str, &str, &str) {
    let core = word.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '#');
    let lead = &word[..word.len() - core.len()];
    let body = core.trim_end_matches(|c: char| !c.is_alphanumeric());
    let trail = &core[body.len()..];
    (lead, body, trail)
}

fn replace_word(word: &mut (String, String), fixed: &str) {
    let (lead, _, trail) = split_punct(&word.1);
    let (lead, trail) = (lead.to_owned(), trail.to_owned());
    let new = format!("{lead}{fixed}{trail}");
    *word = (new.clone(), new);
}

fn starts_with(words: &[(String, String)], phrase: &[&str]) -> bool {
    words.len() > phrase.len()
        && phrase.iter().zip(words).all(|(p, (_, low))| {
            let bare = low.trim_end_matches([',', '!', ':', '.']);
            bare == *p
        })
}

fn ends_with(words: &[(String, String)], phrase: &[&str]) -> bool {
    words.len() > phrase.len()
        && phrase
            .iter()
            .rev()
            .zip(words.iter().rev())
            .all(|(p, (_, low))| low.trim_matches([',', '!', '.', '?']) == *p)
}

/// Whether a word lies inside double quotes (text kept literal).
fn quoted_flags(words: &[(String, String)]) -> Vec<bool> {
    let mut inside = false;
    words
        .iter()
        .map(|(o, _)| {
            let opens = o.starts_with(['"', '“']);
            let closes = o.ends_with(['"', '”']) && (o.chars().count() > 1 || inside);
            let flag = inside || opens;
            if opens && !(closes && o.chars().count() > 1) {
                inside = true;
            } else if closes {
                inside = false;
            }
            flag
        })
        .collect()
}

/// Lines become a comma list ("add these:\n- milk\n- eggs" → "add
/// these: milk, eggs"), bullets and numbering off.
fn one_line(raw: &str) -> String {
    let mut out = String::new();
    for line in raw.lines() {
        let line = line.trim();
        let line = line
            .strip_prefix(['-', '*', '•'])
            .map(str::trim_start)
            .unwrap_or(line);
        let numbered = line
            .split_once(['.', ')'])
            .filter(|(n, rest)| {
                !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && rest.starts_with(' ')
            })
            .map(|(_, rest)| rest.trim_start());
        let line = numbered.unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str(if out.ends_with(':') || out.ends_with(',') {
                " "
            } else {
                ", "
            });
        }
        out.push_str(line);
    }
    out
}

/// The message tidied for reading: filler off, the first word's typo fixed,
/// misspelt date words fixed. Titles are safe from other corrections.
pub fn normalize(raw: &str) -> Msg {
    let cleaned: String = one_line(raw)
        .chars()
        .map(|c| match c {
            '’' | '‘' | '`' => '\'',
            c => c,
        })
        .collect();
    let mut words = Msg::new(&cleaned).words();
    // Sentence-final punctuation, but not a "!!!" priority.
    if let Some(last) = words.last_mut() {
        if !last.1.chars().all(|c| c == '!') {
            let keep = last.1.trim_end_matches(['?', '.', '!']).len();
            if keep == 0 {
                words.pop();
            } else {
                last.0.truncate(keep);
                last.1.truncate(keep);
            }
        }
    }
    loop {
        let before = words.len();
        // The longest phrase that fits: "would you mind", not "would you".
        if let Some(phrase) = LEADING
            .iter()
            .filter(|p| starts_with(&words, p))
            .max_by_key(|p| p.len())
        {
            words.drain(..phrase.len());
        }
        for phrase in TRAILING {
            if ends_with(&words, phrase) {
                words.truncate(words.len() - phrase.len());
                // "…, please": the comma goes too.
                if let Some(last) = words.last_mut() {
                    let keep = last.1.trim_end_matches([',', '!', '?', '.']).len();
                    last.0.truncate(keep);
                    last.1.truncate(keep);
                }
                break;
            }
        }
        if words.len() == before {
            break;
        }
    }
    // "it's done" reads as "it is done".
    let mut expanded = Vec::with_capacity(words.len());
    for (orig, low) in words {
        match low.as_str() {
            "it's" | "that's" | "this's" => {
                let head = &low[..low.len() - 2];
                expanded.push((orig[..orig.len() - 2].to_owned(), head.to_owned()));
                expanded.push(("is".to_owned(), "is".to_owned()));
            }
            _ => expanded.push((orig, low)),
        }
    }
    let mut words = expanded;
    if let Some(first) = words.first_mut() {
        let (_, body, _) = split_punct(&first.1);
        let body = body.to_owned();
        if let Some((_, verb)) = GERUNDS.iter().find(|(g, _)| *g == body) {
            replace_word(first, verb);
        } else if let Some(fixed) = correct(&body, VERBS, 4) {
            replace_word(first, fixed);
        }
    }
    // "i finshed …", "just compelted …": the verb comes second.
    if words.len() > 1 && matches!(words[0].1.as_str(), "i" | "i've" | "ive" | "i'm" | "im") {
        let (_, body, _) = split_punct(&words[1].1);
        let body = body.to_owned();
        if let Some(fixed) = correct(&body, VERBS, 4) {
            replace_word(&mut words[1], fixed);
        }
    }
    let quoted = quoted_flags(&words);
    for (word, quoted) in words.iter_mut().zip(quoted) {
        if quoted {
            continue;
        }
        let (_, body, _) = split_punct(&word.1);
        let body = body.to_owned();
        if let Some(fixed) = correct(&body, &DATE_WORDS, 5) {
            replace_word(word, fixed);
        }
    }
    Msg::from_words(&words)
}

/// The message with misspelt command words fixed anywhere: for reading
/// commands about existing tasks, never for a new task's title.
pub fn fix_keywords(msg: &Msg) -> Msg {
    let mut words = msg.words();
    let quoted = quoted_flags(&words);
    for (word, quoted) in words.iter_mut().zip(quoted) {
        if quoted {
            continue;
        }
        let (_, body, _) = split_punct(&word.1);
        let body = body.to_owned();
        if let Some(fixed) = correct(&body, &KEYWORDS, 5) {
            replace_word(word, fixed);
        }
    }
    Msg {
        plain: msg.plain.clone(),
        ..Msg::from_words(&words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn low(raw: &str) -> String {
        normalize(raw).low
    }

    #[test]
    fn politeness_and_filler_come_off() {
        assert_eq!(low("Could you please add milk?"), "add milk");
        assert_eq!(low("Pls add eggs, thanks!"), "add eggs");
        assert_eq!(low("hey, can you show my tasks please"), "show my tasks");
        assert_eq!(low("would you mind adding bread"), "add bread");
        assert_eq!(low("please"), "please");
        assert_eq!(low("thanks"), "thanks");
        assert_eq!(low("add milk !!!"), "add milk !!!");
    }

    #[test]
    fn casing_is_kept_beside_the_lowercase() {
        let msg = normalize("ADD MILK");
        assert_eq!(msg.low, "add milk");
        assert_eq!(msg.orig, "ADD MILK");
        let odd = Msg::new("İstanbul trip");
        assert_eq!(odd.low.len(), odd.orig.len());
    }

    #[test]
    fn the_letter_bound_never_exceeds_the_distance() {
        let typos = [
            "delet", "compelte", "tomorow", "fridy", "shwo", "finshed", "tset", "aad",
        ];
        let words: Vec<&str> = VERBS
            .iter()
            .chain(DATE_WORDS.iter())
            .chain(KEYWORDS.iter())
            .chain(typos.iter())
            .copied()
            .collect();
        for a in &words {
            for b in &words {
                let bound = letters_apart(a, b).unwrap();
                assert!(bound <= osa_distance(a, b), "{a} / {b}: {bound}");
            }
        }
        // A substitution moves two counts; a transposition none.
        assert_eq!(letters_apart("shwo", "show"), Some(0));
        assert_eq!(letters_apart("fridy", "friday"), Some(1));
        assert_eq!(letters_apart("milk", "mild"), Some(1));
        assert_eq!(letters_apart("café", "cafe"), None);
    }

    #[test]
    fn typos_of_commands_and_dates_are_fixed() {
        assert_eq!(low("delet task 3"), "delete task 3");
        assert_eq!(low("compelte the second one"), "complete the second one");
        assert_eq!(low("add call mom tomorow"), "add call mom tomorrow");
        assert_eq!(low("add dentist on fridy"), "add dentist on friday");
        assert_eq!(low("shwo my tasks"), "show my tasks");
        assert_eq!(low("i finshed the report"), "i finished the report");
        assert_eq!(low("add buy sundae"), "add buy sundae");
        assert_eq!(low("fine thanks"), "fine");
        assert_eq!(
            fix_keywords(&normalize("mark it as compelted")).low,
            "mark it as completed"
        );
        assert_eq!(
            fix_keywords(&normalize("make it urgnet")).low,
            "make it urgent"
        );
    }

    #[test]
    fn quoted_words_are_left_alone() {
        assert_eq!(
            fix_keywords(&normalize("rename it to \"Fridy urgnet\"")).low,
            "rename it to \"fridy urgnet\""
        );
    }
}
