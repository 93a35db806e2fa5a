//! Repetition: "every day", "weekly", "every monday and thursday", "every
//! 2 weeks"… read into an RRULE, its chip label and its first occurrence.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc, Weekday};

use super::grammar::{Class, Found, Grammar, Item};
use super::words;
use crate::task::Due;
use crate::time::TimeZone;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// A repetition as said; `days` is empty unless weekdays were named, and
/// `month_day` unless a day of the month was ("every month on the 15th").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rule {
    pub freq: Freq,
    pub interval: u32,
    pub days: Vec<Weekday>,
    pub month_day: Option<u32>,
}

const WORKDAYS: [Weekday; 5] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];
const WEEKEND: [Weekday; 2] = [Weekday::Sat, Weekday::Sun];

impl Rule {
    fn every(freq: Freq, interval: u32) -> Self {
        Self {
            freq,
            interval,
            days: Vec::new(),
            month_day: None,
        }
    }

    fn monthly_on(interval: u32, day: u32) -> Self {
        Self {
            month_day: Some(day),
            ..Self::every(Freq::Monthly, interval)
        }
    }

    fn weekly_on(interval: u32, days: &[Weekday]) -> Self {
        let mut days = days.to_vec();
        days.sort_by_key(|d| d.num_days_from_monday());
        days.dedup();
        Self {
            freq: Freq::Weekly,
            interval,
            days,
            month_day: None,
        }
    }

    /// The RFC 5545 RRULE, e.g. `FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH`.
    pub fn rrule(&self) -> String {
        let freq = match self.freq {
            Freq::Daily => "DAILY",
            Freq::Weekly => "WEEKLY",
            Freq::Monthly => "MONTHLY",
            Freq::Yearly => "YEARLY",
        };
        let mut rule = format!("FREQ={freq}");
        if self.interval > 1 {
            rule.push_str(&format!(";INTERVAL={}", self.interval));
        }
        if !self.days.is_empty() {
            let codes: Vec<&str> = self.days.iter().map(|d| code(*d)).collect();
            rule.push_str(&format!(";BYDAY={}", codes.join(",")));
        }
        match self.month_day {
            Some(day @ 1..=28) => rule.push_str(&format!(";BYMONTHDAY={day}")),
            // The 29th–31st fall back to a shorter month's last day, as the
            // domain pins a month-end anchor, rather than skip the month.
            Some(day) => rule.push_str(&format!(";BYMONTHDAY={day},-1;BYSETPOS=1")),
            None => {}
        }
        rule
    }

    /// The chip text: "every day", "every 2 weeks", "every Monday and Thursday".
    pub fn label(&self) -> String {
        let unit = match self.freq {
            Freq::Daily => "day",
            Freq::Weekly => "week",
            Freq::Monthly => "month",
            Freq::Yearly => "year",
        };
        let every = match self.interval {
            1 => format!("every {unit}"),
            n => format!("every {n} {unit}s"),
        };
        if let Some(day) = self.month_day {
            return format!("{every} on the {}", words::ordinal(day));
        }
        if self.days.is_empty() {
            return every;
        }
        if self.interval == 1 && self.days == WORKDAYS {
            return "every weekday".into();
        }
        if self.interval == 1 && self.days == WEEKEND {
            return "every weekend".into();
        }
        let names: Vec<&str> = self.days.iter().map(|d| name(*d)).collect();
        let list = match names.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        };
        match self.interval {
            1 => format!("every {list}"),
            _ => format!("{every} on {list}"),
        }
    }

    /// The first occurrence from now on, for a repeating task given no date:
    /// today (or the first of the named weekdays from today on), and the
    /// next day that suits when a time was given that has passed today.
    pub fn first(
        &self,
        today: NaiveDate,
        time: Option<NaiveTime>,
        tz: TimeZone,
        now: DateTime<Utc>,
    ) -> Option<Due> {
        (0..=62)
            .filter_map(|offset| today.checked_add_days(Days::new(offset)))
            .filter(|day| self.days.is_empty() || self.days.contains(&day.weekday()))
            .filter(|day| self.month_day.is_none_or(|n| is_month_day(*day, n)))
            .find_map(|day| match time {
                None => Some(Due::Date(day)),
                Some(time) => Some(tz.resolve(day.and_time(time)))
                    .filter(|at| *at > now)
                    .map(Due::At),
            })
    }
}

/// Whether `date` is the month's day `n`, or its last day when the month is
/// shorter than `n`.
pub(super) fn is_month_day(date: NaiveDate, n: u32) -> bool {
    let last = date
        .checked_add_days(Days::new(1))
        .is_none_or(|next| next.month() != date.month());
    date.day() == n || (last && date.day() < n)
}

/// "every Monday and Thursday" for `FREQ=WEEKLY;BYDAY=MO,TH`: the words the
/// quick-add bar would have shown. `None` for rules it cannot say (COUNT,
/// UNTIL, BYMONTHDAY…).
pub(crate) fn describe(rrule: &str) -> Option<String> {
    let mut rule = Rule::every(Freq::Daily, 1);
    let mut days = Vec::new();
    for part in rrule.split(';') {
        let (key, value) = part.split_once('=')?;
        match key {
            "FREQ" => {
                rule.freq = match value {
                    "DAILY" => Freq::Daily,
                    "WEEKLY" => Freq::Weekly,
                    "MONTHLY" => Freq::Monthly,
                    "YEARLY" => Freq::Yearly,
                    _ => return None,
                }
            }
            "INTERVAL" => rule.interval = value.parse().ok().filter(|n| *n > 0)?,
            "BYDAY" => {
                for code_text in value.split(',') {
                    days.push(ALL_DAYS.into_iter().find(|d| code(*d) == code_text)?);
                }
            }
            "BYMONTHDAY" => {
                let day = match value.split_once(',') {
                    Some((day, "-1")) => day,
                    Some(_) => return None,
                    None => value,
                };
                rule.month_day = Some(day.parse().ok().filter(|d| (1..=31).contains(d))?);
            }
            "BYSETPOS" if value == "1" => {}
            "WKST" => {}
            _ => return None,
        }
    }
    if !days.is_empty() {
        if rule.freq != Freq::Weekly || rule.month_day.is_some() {
            return None;
        }
        rule = Rule::weekly_on(rule.interval, &days);
    }
    if rule.month_day.is_some() && rule.freq != Freq::Monthly {
        return None;
    }
    Some(rule.label())
}

const ALL_DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// Each weekday's RRULE code, short and full name, Monday first: the one
/// place these words live (the web UI's weekday picker reads them too).
pub const WEEKDAYS: [(&str, &str, &str); 7] = [
    ("MO", "Mon", "Monday"),
    ("TU", "Tue", "Tuesday"),
    ("WE", "Wed", "Wednesday"),
    ("TH", "Thu", "Thursday"),
    ("FR", "Fri", "Friday"),
    ("SA", "Sat", "Saturday"),
    ("SU", "Sun", "Sunday"),
];

fn code(day: Weekday) -> &'static str {
    WEEKDAYS[day.num_days_from_monday() as usize].0
}

fn name(day: Weekday) -> &'static str {
    WEEKDAYS[day.num_days_from_monday() as usize].2
}

impl Grammar<'_> {
    /// every/each [other|N] day/week/month/year, every weekday, every
    /// weekend, every monday[, wednesday] and friday, on weekdays, on
    /// mondays and thursdays, and the adverbs daily, weekly, fortnightly,
    /// monthly, quarterly, yearly, annually (tentative: "weekly review" is a
    /// name, "review weekly" repeats).
    pub(super) fn repeat(&self, i: usize) -> Option<Found> {
        let word = self.word(i)?;
        let found = |end, rule| Some(Found::new(end, Item::Repeat(rule), Class::Repeat));
        let adverb = match word {
            "daily" | "everyday" => Some(Rule::every(Freq::Daily, 1)),
            "weekly" => Some(Rule::every(Freq::Weekly, 1)),
            "fortnightly" => Some(Rule::every(Freq::Weekly, 2)),
            "monthly" => Some(Rule::every(Freq::Monthly, 1)),
            "quarterly" => Some(Rule::every(Freq::Monthly, 3)),
            "yearly" | "annually" => Some(Rule::every(Freq::Yearly, 1)),
            _ => None,
        };
        if let Some(rule) = adverb {
            if let Some((end, day)) = self.on_month_day(i + 1, &rule) {
                return found(end, Rule::monthly_on(rule.interval, day));
            }
            let mut found = Found::new(i + 1, Item::Repeat(rule), Class::Repeat);
            found.tentative = true;
            return Some(found);
        }
        if let Some(found) = self.month_day_of_every_month(i) {
            return Some(found);
        }
        if word == "on" && self.linked(i) {
            return match self.word(i + 1)? {
                "weekdays" => found(i + 2, Rule::weekly_on(1, &WORKDAYS)),
                "weekends" => found(i + 2, Rule::weekly_on(1, &WEEKEND)),
                _ => {
                    let (end, days) = self.day_list(i + 1, words::weekday_plural)?;
                    found(end, Rule::weekly_on(1, &days))
                }
            };
        }
        if !matches!(word, "every" | "each") || !self.linked(i) {
            return None;
        }
        let mut j = i + 1;
        let mut interval = None;
        if self.word(j) == Some("other") && self.linked(j) {
            interval = Some(2);
            j += 1;
        } else if let Some(n) = self
            .word(j)
            .filter(|w| !matches!(*w, "a" | "an"))
            .and_then(words::count)
        {
            if !self.linked(j) {
                return None;
            }
            interval = Some(n);
            j += 1;
        }
        let every = |freq| found(j + 1, Rule::every(freq, interval.unwrap_or(1)));
        match self.word(j)? {
            "day" | "days" => every(Freq::Daily),
            "week" | "weeks" => every(Freq::Weekly),
            "month" | "months" => {
                let rule = Rule::every(Freq::Monthly, interval.unwrap_or(1));
                match self.on_month_day(j + 1, &rule) {
                    Some((end, day)) => found(end, Rule::monthly_on(rule.interval, day)),
                    None => found(j + 1, rule),
                }
            }
            "year" | "years" => every(Freq::Yearly),
            "weekday" if interval.is_none() => found(j + 1, Rule::weekly_on(1, &WORKDAYS)),
            "weekend" if interval.is_none() => found(j + 1, Rule::weekly_on(1, &WEEKEND)),
            _ => {
                let full_or_short = |w: &str| words::weekday(w).map(|(day, _)| day);
                let (end, days) = self.day_list(j, full_or_short)?;
                found(end, Rule::weekly_on(interval.unwrap_or(1), &days))
            }
        }
    }

    /// "on the 15th" right after a monthly rule ending at word `j - 1`: the
    /// index after it and the day.
    fn on_month_day(&self, j: usize, rule: &Rule) -> Option<(usize, u32)> {
        if rule.freq != Freq::Monthly || !self.linked(j - 1) {
            return None;
        }
        let k = if self.word(j) == Some("on") && self.linked(j) {
            j + 1
        } else {
            j
        };
        let (day, end) = self.the_ordinal(k)?;
        Some((end, day))
    }

    /// "the 1st of every month", "the 15th of each month" (with "on" before
    /// it read as a connector: the class is a named day's).
    fn month_day_of_every_month(&self, i: usize) -> Option<Found> {
        let (day, end) = self.the_ordinal(i)?;
        if !self.linked(end - 1) || !self.seq(end, &["of"]) || !self.linked(end) {
            return None;
        }
        let every = self.word(end + 1)?;
        let month = self.word(end + 2)?;
        if !matches!(every, "every" | "each") || month != "month" || !self.linked(end + 1) {
            return None;
        }
        Some(Found::new(
            end + 3,
            Item::Repeat(Rule::monthly_on(1, day)),
            Class::AbsDate,
        ))
    }

    /// "the 15th" (or "15th"): the day and the index after it.
    pub(super) fn the_ordinal(&self, i: usize) -> Option<(u32, usize)> {
        let k = if self.word(i) == Some("the") && self.linked(i) {
            i + 1
        } else {
            i
        };
        match words::day_of_month(self.word(k)?)? {
            (day, true) => Some((day, k + 1)),
            (_, false) => None,
        }
    }

    /// "monday", "monday and thursday", "mon, wed & fri", "monday, wednesday,
    /// and friday": the index after the list and the days in it.
    fn day_list(
        &self,
        j: usize,
        day: impl Fn(&str) -> Option<Weekday>,
    ) -> Option<(usize, Vec<Weekday>)> {
        let mut days = vec![day(self.word(j)?)?];
        let mut end = j + 1;
        loop {
            let comma = self.comma_linked(end - 1);
            if !comma && !self.linked(end - 1) {
                break;
            }
            let mut k = end;
            if matches!(self.word(k), Some("and" | "&" | "+")) && self.linked(k) {
                k += 1;
            } else if !comma {
                break;
            }
            match self.word(k).and_then(&day) {
                Some(next) => {
                    days.push(next);
                    end = k + 1;
                }
                None => break,
            }
        }
        Some((end, days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_and_labels() {
        let weekly = Rule::weekly_on(1, &[Weekday::Thu, Weekday::Mon, Weekday::Thu]);
        assert_eq!(weekly.rrule(), "FREQ=WEEKLY;BYDAY=MO,TH");
        assert_eq!(weekly.label(), "every Monday and Thursday");
        let three = Rule::weekly_on(1, &[Weekday::Mon, Weekday::Wed, Weekday::Fri]);
        assert_eq!(three.label(), "every Monday, Wednesday and Friday");
        let other = Rule::weekly_on(2, &[Weekday::Tue]);
        assert_eq!(other.rrule(), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU");
        assert_eq!(other.label(), "every 2 weeks on Tuesday");
        assert_eq!(Rule::weekly_on(1, &WORKDAYS).label(), "every weekday");
        assert_eq!(Rule::every(Freq::Daily, 3).rrule(), "FREQ=DAILY;INTERVAL=3");
        assert_eq!(Rule::every(Freq::Daily, 3).label(), "every 3 days");
        assert_eq!(Rule::every(Freq::Yearly, 1).label(), "every year");
    }
}

#[cfg(test)]
mod composed_rules {
    use super::*;
    use crate::Recurrence;

    /// The parser skips `Recurrence::parse` for the rules it composes: every
    /// shape it can compose must pass it unchanged.
    #[test]
    fn every_composed_rule_is_a_valid_rrule() {
        let day_sets: [&[Weekday]; 5] = [&[], &[Weekday::Mon], &WORKDAYS, &WEEKEND, &ALL_DAYS];
        for freq in [Freq::Daily, Freq::Weekly, Freq::Monthly, Freq::Yearly] {
            for interval in [1, 2, 3, 12] {
                let rule = Rule::every(freq, interval).rrule();
                assert_eq!(
                    Recurrence::parse(&rule).map(|r| r.as_str().to_owned()),
                    Ok(rule.clone())
                );
            }
        }
        for day in [1, 15, 28, 29, 31] {
            let rule = Rule::monthly_on(1, day).rrule();
            assert_eq!(
                Recurrence::parse(&rule).map(|r| r.as_str().to_owned()),
                Ok(rule.clone())
            );
        }
        for days in day_sets {
            for interval in [1, 2] {
                let rule = Rule::weekly_on(interval, days).rrule();
                assert_eq!(
                    Recurrence::parse(&rule).map(|r| r.as_str().to_owned()),
                    Ok(rule.clone())
                );
            }
        }
    }
}
