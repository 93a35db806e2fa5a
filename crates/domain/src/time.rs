//! Time zones and the local calendar: every date a person says ("tomorrow",
//! "today") is read in their own IANA time zone.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::error::FieldError;

/// A validated IANA time zone name such as `Europe/Paris`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub const UTC: TimeZone = TimeZone(chrono_tz::UTC);

    pub fn parse(name: &str) -> Result<Self, FieldError> {
        chrono_tz::Tz::from_str(name.trim()).map(Self).map_err(|_| {
            FieldError::new(
                "timezone",
                "timezone_invalid",
                format!("'{name}' is not an IANA time zone name such as Europe/Paris"),
            )
        })
    }

    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The calendar date it is in this zone at `now`.
    pub fn today(self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.0).date_naive()
    }

    /// The instant a local wall-clock time means here. A time skipped by a
    /// DST change moves forward to the first valid instant; an ambiguous one
    /// takes the earlier reading, as calendar applications do.
    pub fn resolve(self, local: NaiveDateTime) -> DateTime<Utc> {
        match self.0.from_local_datetime(&local) {
            LocalResult::Single(dt) => dt.with_timezone(&Utc),
            LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
            LocalResult::None => {
                // Inside a spring-forward gap: step minute by minute to its end.
                let mut probe = local;
                for _ in 0..(4 * 60) {
                    probe += chrono::Duration::minutes(1);
                    if let Some(dt) = self.0.from_local_datetime(&probe).earliest() {
                        return dt.with_timezone(&Utc);
                    }
                }
                Utc.from_utc_datetime(&local)
            }
        }
    }

    /// The first instant of a local date.
    pub fn start_of_day(self, date: NaiveDate) -> DateTime<Utc> {
        self.resolve(date.and_time(NaiveTime::MIN))
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self::UTC
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TryFrom<String> for TimeZone {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).map_err(|e| e.message)
    }
}

impl From<TimeZone> for String {
    fn from(value: TimeZone) -> Self {
        value.name().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iana_names_and_rejects_others() {
        assert_eq!(
            TimeZone::parse("Europe/Paris").unwrap().name(),
            "Europe/Paris"
        );
        assert_eq!(TimeZone::parse(" UTC ").unwrap(), TimeZone::UTC);
        assert_eq!(
            TimeZone::parse("Mars/Olympus").unwrap_err().code,
            "timezone_invalid"
        );
    }

    #[test]
    fn times_in_a_dst_gap_move_forward() {
        let paris = TimeZone::parse("Europe/Paris").unwrap();
        // 2026-03-29 02:30 does not exist in Paris (clocks jump 02:00 -> 03:00).
        let local = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            paris.resolve(local).to_rfc3339(),
            "2026-03-29T01:00:00+00:00"
        );
    }

    #[test]
    fn ambiguous_times_take_the_earlier_instant() {
        let paris = TimeZone::parse("Europe/Paris").unwrap();
        let local = NaiveDate::from_ymd_opt(2026, 10, 25)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            paris.resolve(local).to_rfc3339(),
            "2026-10-25T00:30:00+00:00"
        );
    }
}
