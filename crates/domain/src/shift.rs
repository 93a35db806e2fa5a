//! Moving a due date by an amount of time ("postpone it by 2 days").

use chrono::{Days, Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::task::Due;
use crate::time::TimeZone;

/// The units a due date moves by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Minutes,
    Hours,
    Days,
    Weeks,
    Months,
    Years,
}

fn plus_days(date: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        date.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    }
    .unwrap_or(date)
}

fn plus_months(date: NaiveDate, months: i64) -> NaiveDate {
    let n = Months::new(u32::try_from(months.unsigned_abs()).unwrap_or(0));
    if months >= 0 {
        date.checked_add_months(n)
    } else {
        date.checked_sub_months(n)
    }
    .unwrap_or(date)
}

impl Due {
    /// The due date moved later by `amount` `unit`s (earlier when negative):
    /// an all-day date stays all day (moved by whole days), a timed one keeps
    /// its local time of day across DST changes. A move out of the calendar
    /// leaves the date as it is.
    pub fn shifted(self, amount: i64, unit: Unit, tz: TimeZone) -> Due {
        let n = amount;
        match self {
            Due::Date(date) => Due::Date(match unit {
                Unit::Minutes => plus_days(date, n / (24 * 60)),
                Unit::Hours => plus_days(date, n / 24),
                Unit::Days => plus_days(date, n),
                Unit::Weeks => plus_days(date, n.saturating_mul(7)),
                Unit::Months => plus_months(date, n),
                Unit::Years => plus_months(date, n.saturating_mul(12)),
            }),
            Due::At(at) => {
                let local = at.with_timezone(&tz.tz()).naive_local();
                let exactly = |span: Option<Duration>| {
                    Due::At(span.and_then(|d| at.checked_add_signed(d)).unwrap_or(at))
                };
                let moved = match unit {
                    Unit::Minutes => return exactly(Duration::try_minutes(n)),
                    Unit::Hours => return exactly(Duration::try_hours(n)),
                    Unit::Days => plus_days(local.date(), n),
                    Unit::Weeks => plus_days(local.date(), n.saturating_mul(7)),
                    Unit::Months => plus_months(local.date(), n),
                    Unit::Years => plus_months(local.date(), n.saturating_mul(12)),
                };
                Due::At(tz.resolve(moved.and_time(local.time())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    #[test]
    fn shifting_keeps_kind_and_local_time() {
        let tz = TimeZone::parse("Europe/Paris").unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert_eq!(
            Due::Date(date).shifted(2, Unit::Days, tz),
            Due::Date(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
        );
        assert_eq!(
            Due::Date(date).shifted(-1, Unit::Months, tz),
            Due::Date(NaiveDate::from_ymd_opt(2026, 10, 21).unwrap())
        );
        // Across the end of DST the local time stays 9:00.
        let at: DateTime<Utc> = "2026-10-24T07:00:00Z".parse().unwrap();
        let Due::At(moved) = Due::At(at).shifted(1, Unit::Weeks, tz) else {
            panic!()
        };
        assert_eq!(moved.to_rfc3339(), "2026-10-31T08:00:00+00:00");
        // Out of the calendar: left alone, never a panic.
        assert_eq!(
            Due::Date(date).shifted(i64::MAX, Unit::Years, tz),
            Due::Date(date)
        );
    }
}
