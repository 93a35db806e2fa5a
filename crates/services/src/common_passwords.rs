//! The most common passwords, refused at sign-up.
//!
//! The list is the `passwords` crate's (3.1.19, MIT, magiclen/passwords):
//! 99,838 entries, sorted bytewise, one a line. That crate holds it as a
//! `&[&str]`, whose 1.6 MB of pointers the loader relocates at start-up in a
//! PIE binary, so every server kept them resident (issue 12: peak RSS). One
//! string needs no relocation. build.rs cuts it into ~4 KiB buckets and
//! indexes them by their first line's first 8 bytes: a lookup reads that
//! small index and one bucket, so the rest of the list is never mapped.

const LIST: &str = include_str!("../data/common-passwords.txt");

include!(concat!(env!("OUT_DIR"), "/common_passwords_index.rs"));

/// Whether `password` is on the list, exactly (case and spaces included).
pub(crate) fn is_common(password: &str) -> bool {
    let wanted = password.as_bytes();
    if wanted.is_empty() || wanted.contains(&b'\n') {
        return false;
    }
    let key = key(wanted);
    // Lines with the same first 8 bytes can only be in the last bucket that
    // starts below them and in the buckets that start with them.
    let first = BUCKET_KEYS.partition_point(|&k| k < key).saturating_sub(1);
    let end = BUCKET_KEYS.partition_point(|&k| k <= key);
    let from = BUCKET_STARTS[first] as usize;
    let to = BUCKET_STARTS.get(end).map_or(LIST.len(), |&s| s as usize);
    LIST.as_bytes()
        .get(from..to)
        .is_some_and(|lines| lines.split(|&b| b == b'\n').any(|line| line == wanted))
}

/// As build.rs keys a line: its first 8 bytes, big-endian, zero-padded (no
/// entry holds a zero byte, so keys are ordered as the lines are).
fn key(text: &[u8]) -> u64 {
    let mut bytes = [0; 8];
    for (slot, &byte) in bytes.iter_mut().zip(text) {
        *slot = byte;
    }
    u64::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_without_empty_or_repeated_lines() {
        let lines: Vec<&str> = LIST.lines().collect();
        assert_eq!(lines.len(), 99_838);
        assert!(LIST.ends_with('\n'));
        assert!(lines.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(lines
            .iter()
            .all(|line| !line.is_empty() && !line.contains('\0')));
    }

    #[test]
    fn every_listed_password_is_found() {
        for line in LIST.lines() {
            assert!(is_common(line), "{line:?}");
        }
    }

    #[test]
    fn agrees_with_a_scan_of_the_list() {
        let first = LIST.lines().next().unwrap_or_default();
        let last = LIST.lines().last().unwrap_or_default();
        let mut shorter = last.chars();
        shorter.next_back();
        let probes = [
            String::new(),
            "\n".into(),
            " ".into(),
            "correct horse battery staple 7".into(),
            "password\n123456".into(),
            "passwor".into(),
            "Password".into(),
            format!("{first}!"),
            format!("{last}~"),
            shorter.as_str().into(),
        ];
        for password in &probes {
            let listed = LIST.lines().any(|line| line == password);
            assert_eq!(is_common(password), listed, "{password:?}");
        }
        // Around every bucket's first line, where the index decides.
        let listed: std::collections::HashSet<&str> = LIST.lines().collect();
        for &start in &BUCKET_STARTS {
            let line = LIST[start as usize..].lines().next().unwrap_or_default();
            let mut shorter = line.chars();
            shorter.next_back();
            for probe in [
                shorter.as_str().to_owned(),
                format!("{line}0"),
                format!("{line} "),
            ] {
                assert_eq!(
                    is_common(&probe),
                    listed.contains(probe.as_str()),
                    "{probe:?}"
                );
            }
        }
        assert!(is_common("password") && is_common("123456") && is_common("qwerty"));
        assert!(!is_common("correct horse battery staple 7"));
    }
}
