//! Any text as a repetition rule: parsing never panics, and an accepted
//! rule's next occurrence, from any supported due date, is after both the
//! due date and "now", and within the supported range.
#![no_main]

use chrono::{DateTime, Duration, NaiveDate, Utc};
use libfuzzer_sys::fuzz_target;
use todo_domain::{Due, Recurrence, TimeZone};

const ZONES: [&str; 4] = [
    "UTC",
    "Europe/Paris",
    "Pacific/Kiritimati",
    "America/St_Johns",
];

fuzz_target!(|data: &[u8]| {
    // Four bytes pick the due date, two the time of day and zone, two "now".
    if data.len() < 8 {
        return;
    }
    let (head, rule) = data.split_at(8);
    let Ok(rule) = std::str::from_utf8(rule) else {
        return;
    };
    let Ok(recurrence) = Recurrence::parse(rule) else {
        return;
    };
    let day = i64::from(u32::from_le_bytes([head[0], head[1], head[2], head[3]]) % 3_652_059);
    let Some(date) =
        NaiveDate::from_ymd_opt(1, 1, 1).and_then(|d| d.checked_add_signed(Duration::days(day)))
    else {
        return;
    };
    let tz = TimeZone::parse(ZONES[usize::from(head[5]) % ZONES.len()]).unwrap_or_default();
    let due = if head[4] % 2 == 0 {
        Due::Date(date)
    } else {
        let minutes = i64::from(head[4]) * 6;
        Due::At(date.and_hms_opt(0, 0, 0).unwrap().and_utc() + Duration::minutes(minutes))
    };
    if due.check_range().is_err() {
        return;
    }
    let now: DateTime<Utc> = "2026-11-30T12:00:00Z".parse().unwrap();
    let now = now + Duration::days(i64::from(u16::from_le_bytes([head[6], head[7]])) - 30_000);
    if let Some((next, carried)) = recurrence.next_after(due, tz, now) {
        assert!(next.check_range().is_ok(), "{next:?} out of range");
        let (next_at, _) = next.to_stored();
        let (due_at, _) = due.to_stored();
        assert!(next_at > due_at, "{rule}: {next:?} is not after {due:?}");
        assert!(
            Recurrence::parse(carried.as_str()).is_ok(),
            "{rule} carried {carried}"
        );
    }
});
