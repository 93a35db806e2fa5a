//! Rules every piece of free text follows, whatever the field.

use crate::error::FieldError;

/// Refuses control characters (NUL, escape, backspace…): Postgres cannot
/// store NUL in text, and none of them belongs in what a person typed.
/// Multi-line fields (descriptions, chat messages) keep line breaks and tabs.
pub fn check_no_control_characters(
    field: &str,
    text: &str,
    multiline: bool,
) -> Result<(), FieldError> {
    let allowed = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
    match text.chars().find(|c| c.is_control() && !allowed(*c)) {
        None => Ok(()),
        Some(c) => Err(FieldError::new(
            field,
            "control_character",
            format!(
                "the {field} holds a control character (U+{:04X}); remove it",
                u32::from(c)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_except_line_breaks_where_allowed() {
        for bad in ["a\0b", "\u{1b}[31m", "x\u{7f}", "\u{85}", "tab\there"] {
            let error = check_no_control_characters("title", bad, false).unwrap_err();
            assert_eq!(
                (error.field.as_str(), error.code.as_str()),
                ("title", "control_character")
            );
        }
        assert!(
            check_no_control_characters("description", "two\nlines\r\n\tindented", true).is_ok()
        );
        assert!(check_no_control_characters("description", "nul\0", true).is_err());
        assert!(check_no_control_characters("title", "Pizza 🍕 — שלום e\u{301}", false).is_ok());
    }
}
