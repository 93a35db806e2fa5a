//! Recurring tasks: an RFC 5545 RRULE, and the next occurrence it gives after
//! a task is completed, computed in the user's time zone by the `rrule` crate.

use chrono::{DateTime, NaiveTime, TimeZone as _, Utc};
use rrule::{RRule, Unvalidated};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::FieldError;
use crate::task::Due;
use crate::time::TimeZone;

/// A repetition rule the domain accepts: an RFC 5545 RRULE without the
/// `RRULE:` prefix, uppercase, e.g. `FREQ=WEEKLY;BYDAY=MO,TH`. On the wire
/// and in storage it is that text.
///
/// Two ways in:
/// - [`Recurrence::parse`] checks a rule someone wrote (the API, the
///   assistant's tools) in full: the domain's limits and the `rrule` crate's
///   grammar.
/// - [`Recurrence::read`] (and so `TryFrom<String>`, which serde uses) reads
///   a rule back — a stored row, the server's JSON in the web UI — checking
///   the domain's limits only. It was checked in full when it was written;
///   and the web UI, which only reads rules, then links no RRULE parser (the
///   `rrule` crate's brings `regex`). A rule that passes `read` but not the
///   crate's grammar (written under older rules) just has no next occurrence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Recurrence(String);

const VALIDATION_START: chrono::NaiveDateTime = match chrono::NaiveDate::from_ymd_opt(2026, 1, 1) {
    Some(d) => d.and_time(NaiveTime::MIN),
    None => chrono::NaiveDateTime::MIN,
};

/// Frequencies a todo list has use for; sub-daily rules would flood the list.
const SUPPORTED_FREQUENCIES: [&str; 4] = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"];
const SUB_DAILY_FREQUENCIES: [&str; 3] = ["HOURLY", "MINUTELY", "SECONDLY"];
/// Parts that repeat within a day: each multiplies the work of expanding a
/// rule by up to 60 and offers repeats the product does not have.
const SUB_DAILY_PARTS: [&str; 3] = ["BYHOUR", "BYMINUTE", "BYSECOND"];
/// Longest rule accepted, in bytes: every BY* list is bounded by it.
pub const MAX_RULE_LEN: usize = 300;
/// Largest `INTERVAL`: "every 999 days/weeks/months/years".
pub const MAX_INTERVAL: u32 = 999;
/// Largest `COUNT`: a thousand repetitions of one task.
pub const MAX_COUNT: u32 = 1000;
/// Most occurrences looked at to find the next one. After fast-forwarding
/// (see [`Recurrence::next_after`]) at most three periods' worth lie before
/// the threshold, and a period holds at most 366 days.
const MAX_OCCURRENCES_EXAMINED: usize = 2_000;

impl Recurrence {
    /// Checks a rule someone wrote, in full (see the type's documentation).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let (trimmed, body, frequency) = Self::check_limits(raw)?;
        let invalid = |why: String| FieldError::new("recurrence", "recurrence_invalid", why);
        let rule: RRule<Unvalidated> = body
            .parse()
            .map_err(|e| invalid(format!("'{trimmed}' is not a valid RRULE: {e}")))?;
        // Building checks the combination of parts against a start date.
        rule.build(rrule::Tz::UTC.from_utc_datetime(&VALIDATION_START))
            .map_err(|e| invalid(format!("'{trimmed}' is not a valid RRULE: {e}")))?;
        Self::supported(trimmed, body, &frequency)
    }

    /// Reads back a rule that was checked when it was written: the domain's
    /// limits only, not the `rrule` crate's grammar (see the type's
    /// documentation).
    pub fn read(raw: &str) -> Result<Self, FieldError> {
        let (trimmed, body, frequency) = Self::check_limits(raw)?;
        Self::supported(trimmed, body, &frequency)
    }

    fn supported(trimmed: &str, body: String, frequency: &str) -> Result<Self, FieldError> {
        if !SUPPORTED_FREQUENCIES.contains(&frequency) {
            return Err(FieldError::new(
                "recurrence",
                "recurrence_invalid",
                format!("'{trimmed}' has no supported FREQ"),
            ));
        }
        Ok(Self(body))
    }

    /// The domain's own limits (size, ASCII, no start, no sub-daily repeats,
    /// bounded INTERVAL and COUNT): the trimmed input, the normalised body
    /// and its FREQ.
    fn check_limits(raw: &str) -> Result<(&str, String, String), FieldError> {
        let trimmed = raw.trim();
        let invalid = |why: String| FieldError::new("recurrence", "recurrence_invalid", why);
        if trimmed.len() > MAX_RULE_LEN {
            return Err(FieldError::new(
                "recurrence",
                "recurrence_too_long",
                format!("a repetition rule has at most {MAX_RULE_LEN} characters"),
            ));
        }
        let body = trimmed
            .strip_prefix("RRULE:")
            .or_else(|| trimmed.strip_prefix("rrule:"))
            .unwrap_or(trimmed)
            .to_ascii_uppercase();
        // The rrule crate slices its input by bytes and panics inside a
        // multi-byte character (found by fuzzing); a rule is ASCII anyway.
        if !body.is_ascii() {
            return Err(invalid(format!(
                "'{trimmed}' is not a valid RRULE: it holds characters other than ASCII"
            )));
        }
        let parts = parts(&body);
        if parts.iter().any(|(key, _)| key == "DTSTART") || body.contains(['\n', '\r']) {
            return Err(invalid(
                "give only the RRULE; the start is the task's due date".into(),
            ));
        }
        let value = |key: &str| {
            parts
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        // Checked before the crate parses the rule, so that an unsupported
        // rule costs nothing and gets the clearer answer.
        let frequency = value("FREQ").unwrap_or("");
        if SUB_DAILY_FREQUENCIES.contains(&frequency) {
            return Err(FieldError::new(
                "recurrence",
                "recurrence_unsupported",
                format!(
                    "repeating {frequency} is not supported; use DAILY, WEEKLY, MONTHLY or YEARLY"
                ),
            ));
        }
        if let Some(part) = SUB_DAILY_PARTS.iter().find(|p| value(p).is_some()) {
            return Err(FieldError::new(
                "recurrence",
                "recurrence_unsupported",
                format!("{part} is not supported: a task repeats at most once a day"),
            ));
        }
        for (key, max) in [("INTERVAL", MAX_INTERVAL), ("COUNT", MAX_COUNT)] {
            if let Some(raw_number) = value(key) {
                if !raw_number
                    .parse::<u32>()
                    .is_ok_and(|n| (1..=max).contains(&n))
                {
                    return Err(FieldError::new(
                        "recurrence",
                        "recurrence_out_of_range",
                        format!(
                            "{key} must be a whole number from 1 to {max} (got '{raw_number}')"
                        ),
                    ));
                }
            }
        }
        let frequency = frequency.to_owned();
        Ok((trimmed, body, frequency))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A rule the quick-add grammar composed: valid by construction.
    pub(crate) fn from_grammar(rule: String) -> Self {
        Self(rule)
    }

    /// In words, as the quick-add bar says it ("every Monday and Thursday"),
    /// or the rule itself when it has no short reading.
    pub fn describe(&self) -> String {
        Self::describe_rule(&self.0)
    }

    /// [`Recurrence::describe`] for a rule as stored, without validating it
    /// (a client showing what the server sent).
    pub fn describe_rule(rule: &str) -> String {
        crate::repeat::Rule::from_rrule(rule).map_or_else(|| rule.to_owned(), |r| r.label())
    }

    fn get(&self, key: &str) -> Option<String> {
        parts(&self.0)
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The occurrence after `due` once the task is completed at `now`, with
    /// the rule the new task carries; `None` when the rule has run out.
    ///
    /// The next occurrence is the first one after both the current due date
    /// and today, so completing an overdue daily task does not leave a trail
    /// of overdue copies. Times keep their local wall-clock time across DST
    /// changes. A monthly or yearly rule anchored on a day some months lack
    /// (the 31st, February 29th) falls on the last day of shorter months and
    /// returns to its day afterwards. `COUNT` counts the tasks still to come:
    /// each completion carries it down by one.
    ///
    /// The work is bounded whatever the rule and dates: a start far in the
    /// past is first moved forward by whole periods of the rule, then at
    /// most [`MAX_OCCURRENCES_EXAMINED`] occurrences are looked at, and the
    /// `rrule` crate gives up after 100,000 periods without one. It is still
    /// milliseconds of CPU in the worst case, so servers call it off their
    /// async workers.
    pub fn next_after(
        &self,
        due: Due,
        tz: TimeZone,
        now: DateTime<Utc>,
    ) -> Option<(Due, Recurrence)> {
        let count = self.get("COUNT").and_then(|c| c.parse::<u32>().ok());
        if count.is_some_and(|c| c <= 1) {
            return None;
        }
        let anchor_date = due.local_date(tz);
        let rule = self.anchored(anchor_date);
        let (start, threshold) = match due {
            Due::Date(date) => {
                let start = rrule::Tz::UTC.from_utc_datetime(&date.and_time(NaiveTime::MIN));
                let today = tz.today(now).and_time(NaiveTime::MIN);
                let threshold = rrule::Tz::UTC.from_utc_datetime(&today).max(start);
                (start, threshold)
            }
            Due::At(at) => {
                let zone = rrule::Tz::Tz(tz.tz());
                (at.with_timezone(&zone), at.max(now).with_timezone(&zone))
            }
        };
        let start = match rule.fast_forward(start.naive_local(), threshold.naive_local()) {
            moved if moved == start.naive_local() => start,
            moved => match due {
                Due::Date(_) => rrule::Tz::UTC.from_utc_datetime(&moved),
                Due::At(_) => tz.resolve(moved).with_timezone(&start.timezone()),
            },
        };
        // COUNT is carried down by each completion instead of counting from
        // this start, which moves.
        let expansion = rule.without("COUNT");
        let parsed: RRule<Unvalidated> = expansion.0.parse().ok()?;
        let next = parsed
            .build(start)
            .ok()?
            .limit()
            .into_iter()
            .take(MAX_OCCURRENCES_EXAMINED)
            .find(|occurrence| *occurrence > threshold)?;
        let next_due = match due {
            Due::Date(_) => Due::Date(next.date_naive()),
            Due::At(_) => Due::At(next.with_timezone(&Utc)),
        };
        // Past the last supported date the series ends.
        let next_due = next_due.check_range().ok()?;
        let rule = match count {
            Some(c) => rule.with_part("COUNT", &(c - 1).to_string()),
            None => rule,
        };
        Some((next_due, rule))
    }

    /// `start` moved forward by whole periods of the rule (INTERVAL days,
    /// weeks, months or years) to within two periods of `threshold`, so a
    /// due date years in the past costs no more than a recent one. Whole
    /// periods keep the rule's phase: the same weekday, day of month, and
    /// place in the INTERVAL cycle.
    fn fast_forward(
        &self,
        start: chrono::NaiveDateTime,
        threshold: chrono::NaiveDateTime,
    ) -> chrono::NaiveDateTime {
        use chrono::{Datelike, Months};
        let interval = self
            .get("INTERVAL")
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or(1)
            .max(1);
        let days_per_period = match self.get("FREQ").as_deref() {
            Some("DAILY") => Some(interval),
            Some("WEEKLY") => Some(7 * interval),
            _ => None,
        };
        if let Some(days) = days_per_period {
            let periods = (threshold.date() - start.date()).num_days() / days - 1;
            if periods <= 0 {
                return start;
            }
            return start
                .checked_add_signed(chrono::Duration::days(periods * days))
                .unwrap_or(start);
        }
        let months_per_period = match self.get("FREQ").as_deref() {
            Some("MONTHLY") => interval,
            Some("YEARLY") => 12 * interval,
            _ => return start,
        };
        let months_apart = i64::from(threshold.year() - start.year()) * 12
            + i64::from(threshold.month())
            - i64::from(start.month());
        let periods = months_apart / months_per_period - 1;
        if periods <= 0 {
            return start;
        }
        u32::try_from(periods * months_per_period)
            .ok()
            .and_then(|months| start.checked_add_months(Months::new(months)))
            .unwrap_or(start)
    }

    /// Pins a month-end-sensitive rule to its anchor day so that it clamps to
    /// shorter months instead of skipping them (RFC 5545 would skip).
    fn anchored(&self, anchor: chrono::NaiveDate) -> Recurrence {
        use chrono::Datelike;
        let frequency = self.get("FREQ").unwrap_or_default();
        let day = anchor.day();
        let has_day_rule = ["BYMONTHDAY", "BYDAY", "BYSETPOS", "BYYEARDAY", "BYWEEKNO"]
            .iter()
            .any(|k| self.get(k).is_some());
        if day <= 28 || has_day_rule {
            return self.clone();
        }
        let pinned = match frequency.as_str() {
            "MONTHLY" => self.with_part("BYMONTHDAY", &format!("{day},-1")),
            "YEARLY" if self.get("BYMONTH").is_none() => self
                .with_part("BYMONTH", &anchor.month().to_string())
                .with_part("BYMONTHDAY", &format!("{day},-1")),
            "YEARLY" => self.with_part("BYMONTHDAY", &format!("{day},-1")),
            _ => return self.clone(),
        };
        pinned.with_part("BYSETPOS", "1")
    }

    fn with_part(&self, key: &str, value: &str) -> Recurrence {
        let mut list = parts(&self.0);
        match list.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value.to_owned(),
            None => list.push((key.to_owned(), value.to_owned())),
        }
        Recurrence::join(&list)
    }

    fn without(&self, key: &str) -> Recurrence {
        let mut list = parts(&self.0);
        list.retain(|(k, _)| k != key);
        Recurrence::join(&list)
    }

    fn join(list: &[(String, String)]) -> Recurrence {
        Recurrence(
            list.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(";"),
        )
    }
}

fn parts(body: &str) -> Vec<(String, String)> {
    body.split(';')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_owned(), v.trim().to_owned()),
            None => (p.trim().to_owned(), String::new()),
        })
        .collect()
}

impl fmt::Display for Recurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// [`Recurrence::parse`]: a rule someone wrote, checked in full.
impl std::str::FromStr for Recurrence {
    type Err = FieldError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl TryFrom<String> for Recurrence {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::read(&value).map_err(|e| e.message)
    }
}

impl From<Recurrence> for String {
    fn from(value: Recurrence) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn describes_rules_in_the_quick_add_bar_s_words() {
        let cases = [
            ("FREQ=DAILY", "every day"),
            ("FREQ=WEEKLY;INTERVAL=2", "every 2 weeks"),
            ("FREQ=WEEKLY;BYDAY=MO,TH", "every Monday and Thursday"),
            ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "every weekday"),
            ("FREQ=MONTHLY;INTERVAL=3", "every 3 months"),
            ("FREQ=YEARLY", "every year"),
            ("FREQ=MONTHLY;COUNT=3", "FREQ=MONTHLY;COUNT=3"),
            ("FREQ=MONTHLY;BYDAY=MO", "FREQ=MONTHLY;BYDAY=MO"),
        ];
        for (rule, words) in cases {
            let recurrence = Recurrence::parse(rule).expect(rule);
            assert_eq!(recurrence.describe(), words, "{rule}");
        }
    }

    use super::*;
    use chrono::NaiveDate;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn rule(s: &str) -> Recurrence {
        Recurrence::parse(s).unwrap()
    }

    fn next_date(rule_text: &str, due: NaiveDate, now: &str) -> NaiveDate {
        match rule(rule_text)
            .next_after(Due::Date(due), TimeZone::UTC, at(now))
            .unwrap()
            .0
        {
            Due::Date(d) => d,
            other => panic!("expected a date, got {other:?}"),
        }
    }

    #[test]
    fn parses_and_normalises_rules() {
        assert_eq!(
            rule("rrule:freq=weekly;byday=mo,th").as_str(),
            "FREQ=WEEKLY;BYDAY=MO,TH"
        );
        assert_eq!(
            Recurrence::parse("FREQ=SOMETIMES").unwrap_err().code,
            "recurrence_invalid"
        );
        assert_eq!(
            Recurrence::parse("FREQ=HOURLY").unwrap_err().code,
            "recurrence_unsupported"
        );
        assert_eq!(
            Recurrence::parse("DTSTART:20260101T000000Z")
                .unwrap_err()
                .code,
            "recurrence_invalid"
        );
    }

    #[test]
    fn a_rule_read_back_is_checked_against_the_domain_s_limits_only() {
        // What a client or the database sends back: the same text.
        let weekly = rule("FREQ=WEEKLY;BYDAY=MO,TH");
        assert_eq!(
            serde_json::to_value(&weekly).unwrap(),
            serde_json::json!("FREQ=WEEKLY;BYDAY=MO,TH")
        );
        let back: Recurrence =
            serde_json::from_value(serde_json::json!("rrule:freq=weekly;byday=mo,th")).unwrap();
        assert_eq!(back, weekly);
        // The domain's limits hold on the way back too.
        for refused in ["FREQ=HOURLY", "FREQ=DAILY;INTERVAL=0", "BYDAY=MO", ""] {
            assert!(Recurrence::read(refused).is_err(), "{refused}");
            assert!(serde_json::from_value::<Recurrence>(serde_json::json!(refused)).is_err());
        }
        // The rrule crate's grammar is checked only when a rule is written:
        // a rule only it refuses reads back, and then never repeats.
        let odd = "FREQ=DAILY;BYDAY=XX";
        assert_eq!(
            Recurrence::parse(odd).unwrap_err().code,
            "recurrence_invalid"
        );
        let read = Recurrence::read(odd).unwrap();
        assert_eq!(
            read.next_after(
                Due::Date(date(2026, 11, 21)),
                TimeZone::UTC,
                at("2026-11-21T10:00:00Z")
            ),
            None
        );
    }

    #[test]
    fn daily_moves_to_the_next_day() {
        assert_eq!(
            next_date("FREQ=DAILY", date(2026, 11, 21), "2026-11-21T10:00:00Z"),
            date(2026, 11, 22)
        );
    }

    #[test]
    fn an_overdue_task_moves_past_today() {
        assert_eq!(
            next_date("FREQ=DAILY", date(2026, 11, 1), "2026-11-21T10:00:00Z"),
            date(2026, 11, 22)
        );
        // Weekly on Mondays, overdue since the 2nd: next is the Monday after today.
        assert_eq!(
            next_date(
                "FREQ=WEEKLY;BYDAY=MO",
                date(2026, 11, 2),
                "2026-11-21T10:00:00Z"
            ),
            date(2026, 11, 23)
        );
    }

    #[test]
    fn weekly_on_given_days() {
        // 2026-11-23 is a Monday; the next is Thursday the 26th.
        assert_eq!(
            next_date(
                "FREQ=WEEKLY;BYDAY=MO,TH",
                date(2026, 11, 23),
                "2026-11-23T08:00:00Z"
            ),
            date(2026, 11, 26)
        );
    }

    #[test]
    fn weekdays_skip_the_weekend() {
        // Friday 2026-11-27 -> Monday 2026-11-30.
        assert_eq!(
            next_date(
                "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
                date(2026, 11, 27),
                "2026-11-27T08:00:00Z"
            ),
            date(2026, 11, 30)
        );
    }

    #[test]
    fn monthly_on_the_31st_clamps_to_shorter_months_and_comes_back() {
        let (next, carried) = rule("FREQ=MONTHLY")
            .next_after(
                Due::Date(date(2027, 1, 31)),
                TimeZone::UTC,
                at("2027-01-31T08:00:00Z"),
            )
            .unwrap();
        assert_eq!(next, Due::Date(date(2027, 2, 28)));
        assert_eq!(carried.as_str(), "FREQ=MONTHLY;BYMONTHDAY=31,-1;BYSETPOS=1");
        let (after, _) = carried
            .next_after(next, TimeZone::UTC, at("2027-02-28T08:00:00Z"))
            .unwrap();
        assert_eq!(after, Due::Date(date(2027, 3, 31)));
    }

    #[test]
    fn monthly_in_a_leap_year_lands_on_the_29th() {
        assert_eq!(
            next_date("FREQ=MONTHLY", date(2028, 1, 30), "2028-01-30T08:00:00Z"),
            date(2028, 2, 29)
        );
    }

    #[test]
    fn yearly_on_february_29th() {
        assert_eq!(
            next_date("FREQ=YEARLY", date(2028, 2, 29), "2028-02-29T08:00:00Z"),
            date(2029, 2, 28)
        );
    }

    #[test]
    fn every_two_weeks() {
        assert_eq!(
            next_date(
                "FREQ=WEEKLY;INTERVAL=2",
                date(2026, 11, 23),
                "2026-11-23T08:00:00Z"
            ),
            date(2026, 12, 7)
        );
    }

    #[test]
    fn timed_tasks_keep_their_local_time_across_dst() {
        let paris = TimeZone::parse("Europe/Paris").unwrap();
        // 09:00 in Paris on Saturday 2026-03-28 is 08:00 UTC (CET); the next
        // day is after the spring change, so 09:00 there is 07:00 UTC.
        let (next, _) = rule("FREQ=DAILY")
            .next_after(
                Due::At(at("2026-03-28T08:00:00Z")),
                paris,
                at("2026-03-28T08:30:00Z"),
            )
            .unwrap();
        assert_eq!(next, Due::At(at("2026-03-29T07:00:00Z")));
    }

    #[test]
    fn count_runs_out() {
        let (_, carried) = rule("FREQ=DAILY;COUNT=2")
            .next_after(
                Due::Date(date(2026, 11, 21)),
                TimeZone::UTC,
                at("2026-11-21T08:00:00Z"),
            )
            .unwrap();
        assert_eq!(carried.as_str(), "FREQ=DAILY;COUNT=1");
        assert!(carried
            .next_after(
                Due::Date(date(2026, 11, 22)),
                TimeZone::UTC,
                at("2026-11-22T08:00:00Z")
            )
            .is_none());
    }

    #[test]
    fn until_runs_out() {
        let r = rule("FREQ=DAILY;UNTIL=20261122T000000Z");
        assert!(r
            .next_after(
                Due::Date(date(2026, 11, 22)),
                TimeZone::UTC,
                at("2026-11-22T08:00:00Z")
            )
            .is_none());
    }

    #[test]
    fn sub_daily_and_out_of_range_rules_are_refused_with_stable_codes() {
        let code = |raw: &str| Recurrence::parse(raw).unwrap_err().code;
        for sub_daily in [
            "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23",
            "FREQ=DAILY;BYMINUTE=0,30",
            "FREQ=WEEKLY;BYSECOND=1",
            "FREQ=HOURLY",
            "FREQ=MINUTELY;INTERVAL=5",
            "RRULE:FREQ=SECONDLY",
        ] {
            assert_eq!(code(sub_daily), "recurrence_unsupported", "{sub_daily}");
        }
        for out_of_range in [
            "FREQ=DAILY;INTERVAL=0",
            "FREQ=DAILY;INTERVAL=1000",
            "FREQ=DAILY;INTERVAL=-1",
            "FREQ=DAILY;COUNT=0",
            "FREQ=DAILY;COUNT=1001",
            "FREQ=DAILY;COUNT=4294967296",
        ] {
            assert_eq!(
                code(out_of_range),
                "recurrence_out_of_range",
                "{out_of_range}"
            );
        }
        let long = format!(
            "FREQ=YEARLY;BYYEARDAY={}",
            (1..=366)
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(code(&long), "recurrence_too_long");
        assert_eq!(code("BYDAY=MO"), "recurrence_invalid");
        assert_eq!(code("FREQ=DAILY\nRRULE:FREQ=DAILY"), "recurrence_invalid");
        // Found by fuzzing: the rrule crate panicked inside a multi-byte character.
        assert_eq!(
            code("FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=30,31,-31;BYDAY=MO,Tf\u{527}E,TH,FR,SU;BYSETPOS=0,2,3,-1"),
            "recurrence_invalid"
        );
        assert_eq!(code("FREQ=WEEKLY;BYDAY=M\u{e9}"), "recurrence_invalid");
        // The limits themselves are fine.
        assert!(Recurrence::parse("FREQ=YEARLY;INTERVAL=999;COUNT=1000").is_ok());
    }

    #[test]
    fn a_due_date_centuries_ago_keeps_the_rule_s_phase() {
        let now = "2026-11-30T10:00:00Z";
        let today = date(2026, 11, 30);
        // Every 10 days since 1900-01-01: the next is the first day after
        // today a whole number of 10-day steps from the start.
        let start = date(1900, 1, 1);
        let next = next_date("FREQ=DAILY;INTERVAL=10", start, now);
        assert!(next > today && next <= today + chrono::Duration::days(10));
        assert_eq!((next - start).num_days() % 10, 0);
        // Every 3 weeks on Tuesdays and Fridays, from Tuesday 1901-01-01.
        let start = date(1901, 1, 1);
        let next = next_date("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,FR", start, now);
        assert!(next > today && next <= today + chrono::Duration::days(21));
        let week = (next - start).num_days() / 7;
        assert_eq!(week % 3, 0, "{next} is in an off week");
        assert!(matches!(
            chrono::Datelike::weekday(&next),
            chrono::Weekday::Tue | chrono::Weekday::Fri
        ));
        // Every 5 months on the 15th, from March 1950: December 2026 is 921
        // months on; the first month after it 5 × n months on is April 2027.
        let next = next_date("FREQ=MONTHLY;INTERVAL=5", date(1950, 3, 15), now);
        assert_eq!(next, date(2027, 4, 15));
        // Every 4 years on February 29th, from year 4.
        assert_eq!(
            next_date("FREQ=YEARLY;INTERVAL=4", date(4, 2, 29), now),
            date(2028, 2, 29)
        );
        // Year 1 daily still moves just past today.
        assert_eq!(
            next_date("FREQ=DAILY", date(1, 1, 1), now),
            date(2026, 12, 1)
        );
    }

    #[test]
    fn the_costliest_rules_finish_with_a_bounded_answer() {
        let now = at("2026-11-30T10:00:00Z");
        let long_ago = Due::Date(date(1, 1, 1));
        // Never matching: the expansion gives up (no next occurrence)
        // instead of walking to the end of time.
        for never in [
            "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
            "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30,31,-31;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=1,2,3,-1,-2,-3",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;BYDAY=MO,TU,WE,TH,FR,SA,SU",
        ] {
            assert_eq!(rule(never).next_after(long_ago, TimeZone::UTC, now), None, "{never}");
        }
        // Rarely matching, due long ago: found, and correct.
        let (next, _) = rule("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29")
            .next_after(long_ago, TimeZone::UTC, now)
            .unwrap();
        assert_eq!(next, Due::Date(date(2028, 2, 29)));
        let (next, _) = rule("FREQ=YEARLY;BYYEARDAY=366;BYMONTH=12;BYMONTHDAY=31;BYDAY=MO")
            .next_after(long_ago, TimeZone::UTC, now)
            .unwrap();
        assert_eq!(next, Due::Date(date(2040, 12, 31)));
    }

    #[test]
    fn count_counts_the_tasks_still_to_come_even_when_overdue() {
        let (next, carried) = rule("FREQ=DAILY;COUNT=3")
            .next_after(
                Due::Date(date(2026, 1, 1)),
                TimeZone::UTC,
                at("2026-11-21T08:00:00Z"),
            )
            .unwrap();
        assert_eq!(next, Due::Date(date(2026, 11, 22)));
        assert_eq!(carried.as_str(), "FREQ=DAILY;COUNT=2");
    }

    #[test]
    fn a_series_ends_at_the_last_supported_date() {
        assert_eq!(
            rule("FREQ=DAILY").next_after(
                Due::Date(date(9999, 12, 31)),
                TimeZone::UTC,
                at("2026-11-21T08:00:00Z")
            ),
            None
        );
        let late = Due::At(at("9999-12-31T20:00:00Z"));
        assert_eq!(
            rule("FREQ=DAILY").next_after(late, TimeZone::UTC, at("2026-11-21T08:00:00Z")),
            None
        );
    }
}
