//! Any text in the quick-add bar: parsing never panics, its spans lie on
//! character boundaries of the input, and the draft it makes validates.
#![no_main]

use libfuzzer_sys::fuzz_target;
use todo_domain::quick_add::parse;
use todo_domain::{ParseContext, TimeZone};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let tz = TimeZone::parse("Europe/Paris").unwrap_or_default();
    let ctx = ParseContext::new("2026-11-30T12:00:00Z".parse().unwrap(), tz);
    let parsed = parse(input, &ctx);
    for found in &parsed.matches {
        assert!(
            input.get(found.span.clone()).is_some(),
            "{:?} in {input:?}",
            found.span
        );
    }
    if !parsed.title.trim().is_empty() {
        let _ = parsed.to_draft().validate(tz);
    }
});
