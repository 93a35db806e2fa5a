//! The most common passwords, refused at sign-up.
//!
//! The list is the `passwords` crate's (3.1.19, MIT, magiclen/passwords):
//! 99,838 entries, sorted bytewise, one a line. That crate holds it as a
//! `&[&str]`, whose 1.6 MB of pointers the loader relocates at start-up in a
//! PIE binary, so every server kept them resident (issue 12: peak RSS). One
//! string needs no relocation, and a lookup reads ~17 lines of it.

const LIST: &str = include_str!("../data/common-passwords.txt");

/// Whether `password` is on the list, exactly (case and spaces included).
pub(crate) fn is_common(password: &str) -> bool {
    let list = LIST.as_bytes();
    let wanted = password.as_bytes();
    // Binary search over byte offsets: `lo` and `hi` are line starts, and
    // each probe backs up from the middle to the start of its line.
    let (mut lo, mut hi) = (0, list.len());
    while lo < hi {
        let middle = lo + (hi - lo) / 2;
        let start = list[lo..middle]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(lo, |newline| lo + newline + 1);
        let end = list[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(list.len(), |newline| start + newline);
        match list[start..end].cmp(wanted) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    false
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
        assert!(lines.iter().all(|line| !line.is_empty()));
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
        assert!(is_common("password") && is_common("123456") && is_common("qwerty"));
        assert!(!is_common("correct horse battery staple 7"));
    }
}
