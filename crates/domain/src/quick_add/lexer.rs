//! Splitting a line into words with their byte spans, and marking the words
//! that must stay literal: text in double quotes and the spans the user
//! dismissed in the UI.

use std::ops::Range;

/// One whitespace-separated chunk of the input.
#[derive(Debug, Clone)]
pub(super) struct Token {
    /// The whole chunk, punctuation included.
    pub chunk: Range<usize>,
    /// The chunk without the punctuation around it: what the grammar reads.
    pub core: Range<usize>,
    /// `core`, lowercased.
    pub word: String,
    /// Punctuation before the core, e.g. `(` in `(friday`.
    pub lead_punct: bool,
    /// Punctuation after the core, e.g. `,` in `friday,`.
    pub trail_punct: bool,
    /// Only punctuation (`-`, `…`, a lone quote): never part of a phrase.
    pub punct_only: bool,
    /// Inside quotes or a dismissed span: never parsed.
    pub protected: bool,
}

pub(super) struct Lexed {
    pub tokens: Vec<Token>,
    /// Byte ranges of the quote characters that delimit literal text; they
    /// are left out of the title.
    pub quote_marks: Vec<Range<usize>>,
}

const LEADING: &[char] = &[
    '(', '[', '{', '"', '\'', '“', '”', '‘', '’', '„', '«', '¿', '¡',
];
const TRAILING: &[char] = &[
    ',', '.', ';', ':', ')', ']', '}', '!', '?', '"', '\'', '“', '”', '‘', '’', '»', '…',
];
/// Characters that open a quotation anywhere.
const OPENING: &[char] = &['“', '„', '«'];
/// Characters that close a quotation.
const CLOSING: &[char] = &['"', '”', '“', '»'];

pub(super) fn lex(input: &str, keep_literal: &[Range<usize>]) -> Lexed {
    let (quoted, quote_marks) = quotations(input);
    let mut tokens = Vec::new();
    let mut start = None;
    for (at, c) in input
        .char_indices()
        .chain(std::iter::once((input.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                tokens.push(token(input, s..at, &quoted, keep_literal));
                start = None;
            }
            (false, None) => start = Some(at),
            _ => {}
        }
    }
    Lexed {
        tokens,
        quote_marks,
    }
}

fn token(
    input: &str,
    chunk: Range<usize>,
    quoted: &[Range<usize>],
    keep_literal: &[Range<usize>],
) -> Token {
    let text = &input[chunk.clone()];
    let overlaps = |r: &Range<usize>| r.start < r.end && r.start < chunk.end && chunk.start < r.end;
    let protected = quoted.iter().any(overlaps) || keep_literal.iter().any(overlaps);
    // A run of exclamation marks is a word of its own (a priority).
    let (core, punct_only) = if text.chars().all(|c| c == '!') {
        (chunk.clone(), false)
    } else {
        let body = text.trim_start_matches(LEADING);
        let lead = text.len() - body.len();
        let body = body.trim_end_matches(TRAILING);
        if body.is_empty() {
            (chunk.clone(), true)
        } else {
            (chunk.start + lead..chunk.start + lead + body.len(), false)
        }
    };
    Token {
        word: input[core.clone()].to_lowercase(),
        lead_punct: core.start > chunk.start,
        trail_punct: core.end < chunk.end,
        chunk,
        core,
        punct_only,
        protected,
    }
}

/// The quoted regions (quote marks included) and the quote marks themselves.
///
/// A straight `"` opens a quotation only at the start of a word, so the inch
/// mark in `12" pizza` stays text. A quotation left open (the user is still
/// typing it) runs to the end of the input.
fn quotations(input: &str) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
    let mut regions = Vec::new();
    let mut marks = Vec::new();
    let mut previous: Option<char> = None;
    let mut chars = input.char_indices();
    while let Some((at, c)) = chars.next() {
        let word_start = previous.is_none_or(|p| p.is_whitespace() || "([{".contains(p));
        let opens = OPENING.contains(&c) || (word_start && (c == '"' || c == '”'));
        previous = Some(c);
        if !opens {
            continue;
        }
        marks.push(at..at + c.len_utf8());
        let mut end = input.len();
        for (close_at, close) in chars.by_ref() {
            previous = Some(close);
            if CLOSING.contains(&close) {
                marks.push(close_at..close_at + close.len_utf8());
                end = close_at + close.len_utf8();
                break;
            }
        }
        regions.push(at..end);
    }
    (regions, marks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(input: &str) -> Vec<(String, bool)> {
        lex(input, &[])
            .tokens
            .into_iter()
            .map(|t| (t.word, t.protected))
            .collect()
    }

    #[test]
    fn splits_on_whitespace_and_strips_punctuation() {
        let lexed = lex("  Call (Mom), friday!  ", &[]);
        let cores: Vec<_> = lexed.tokens.iter().map(|t| t.word.as_str()).collect();
        assert_eq!(cores, ["call", "mom", "friday"]);
        assert_eq!(lexed.tokens[1].chunk, 7..13);
        assert_eq!(lexed.tokens[1].core, 8..11);
        assert!(lexed.tokens[1].lead_punct && lexed.tokens[1].trail_punct);
        assert!(!lexed.tokens[0].lead_punct && !lexed.tokens[0].trail_punct);
    }

    #[test]
    fn exclamation_runs_and_lone_punctuation() {
        let lexed = lex("a !!! ( b", &[]);
        assert_eq!(lexed.tokens[1].word, "!!!");
        assert!(!lexed.tokens[1].punct_only);
        assert!(lexed.tokens[2].punct_only);
    }

    #[test]
    fn quotes_protect_their_words() {
        assert_eq!(
            words(r#"read "next friday" now"#),
            [
                ("read".into(), false),
                ("next".into(), true),
                ("friday".into(), true),
                ("now".into(), false)
            ]
        );
        let lexed = lex("say “hi” now", &[]);
        assert_eq!(lexed.quote_marks, vec![4..7, 9..12]);
        assert!(lexed.tokens[1].protected && !lexed.tokens[2].protected);
    }

    #[test]
    fn an_inch_mark_is_not_a_quote_and_an_open_quote_runs_to_the_end() {
        assert!(lex(r#"12" pizza"#, &[]).tokens.iter().all(|t| !t.protected));
        let open = words(r#"read "next friday"#);
        assert_eq!(open.iter().filter(|(_, p)| *p).count(), 2);
    }

    #[test]
    fn dismissed_spans_protect_overlapping_words() {
        let lexed = lex("call mom friday", &[10..12, 99..200]);
        let protected: Vec<_> = lexed.tokens.iter().map(|t| t.protected).collect();
        assert_eq!(protected, [false, false, true]);
    }
}
