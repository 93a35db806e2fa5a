//! Dates and times as a person reads them, in their own time zone: the one
//! place the UI turns a date into words, so every page says it the same way.

use chrono::{DateTime, Utc};
/// "Today", "Tomorrow", "Fri 27 Nov": the domain's words for a day.
pub use todo_domain::day_label;
use todo_domain::{Due, Task, TimeZone};

/// "Today", "Tomorrow 9:00 AM", "Fri 27 Nov", "Mon 4 Jan 2027 5:30 PM".
pub fn due_label(due: Due, tz: TimeZone, now: DateTime<Utc>) -> String {
    let today = tz.today(now);
    let date = due.local_date(tz);
    let day = day_label(date, today);
    match due {
        Due::Date(_) => day,
        Due::At(at) => {
            let time = todo_domain::label_time(tz.local(at).time());
            format!("{day} {time}")
        }
    }
}

/// Past due and not done.
pub fn is_overdue(task: &Task, tz: TimeZone, now: DateTime<Utc>) -> bool {
    if task.completed {
        return false;
    }
    match task.due {
        Some(Due::At(at)) => at < now,
        Some(due @ Due::Date(_)) => due.local_date(tz) < tz.today(now),
        None => false,
    }
}

/// The day something happened, in the words due dates use: "Today",
/// "Yesterday", "Mon 16 Nov", "Sat 21 Nov 2025" (tokens, conversations).
pub fn day_of(at: DateTime<Utc>, tz: TimeZone, now: DateTime<Utc>) -> String {
    day_label(tz.local(at).date(), tz.today(now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone as _};

    #[test]
    fn labels_days_relative_to_today() {
        let tz = TimeZone::parse("Europe/Paris").unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 10, 0, 0).unwrap();
        let date = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert_eq!(due_label(Due::Date(date(21)), tz, now), "Today");
        assert_eq!(due_label(Due::Date(date(22)), tz, now), "Tomorrow");
        assert_eq!(due_label(Due::Date(date(27)), tz, now), "Fri 27 Nov");
        let nine = Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap();
        assert_eq!(due_label(Due::At(nine), tz, now), "Tomorrow 9:00 AM");
        let next_year = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        assert_eq!(due_label(Due::Date(next_year), tz, now), "Mon 4 Jan 2027");
    }

    #[test]
    fn past_instants_read_like_due_dates() {
        let tz = TimeZone::parse("Europe/Paris").unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 10, 0, 0).unwrap();
        // 23:30 UTC is already the next day in Paris.
        let late = Utc.with_ymd_and_hms(2026, 11, 20, 23, 30, 0).unwrap();
        assert_eq!(day_of(late, tz, now), "Today");
        let yesterday = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
        assert_eq!(day_of(yesterday, tz, now), "Yesterday");
        let earlier = Utc.with_ymd_and_hms(2026, 11, 16, 9, 0, 0).unwrap();
        assert_eq!(day_of(earlier, tz, now), "Mon 16 Nov");
        let last_year = Utc.with_ymd_and_hms(2025, 11, 21, 9, 0, 0).unwrap();
        assert_eq!(day_of(last_year, tz, now), "Fri 21 Nov 2025");
    }
}
