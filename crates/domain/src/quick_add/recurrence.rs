//! Repetition: "every day", "weekly", "every monday and thursday", "every
//! 2 weeks"… read into a [`Rule`] (whose RRULE and words live in
//! [`crate::repeat`]) and its first occurrence.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc, Weekday};

use super::grammar::{Class, Found, Grammar, Item};
use super::words;
use crate::repeat::{Freq, Rule, WEEKEND, WORKDAYS};
use crate::task::Due;
use crate::time::TimeZone;

impl Rule {
    /// The first occurrence from now on, for a repeating task given no date:
    /// today (or the first of the named weekdays from today on), and the
    /// next day that suits when a time was given that has passed today.
    pub(crate) fn first(
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
mod composed_rules {
    use super::*;
    use crate::repeat::ALL_DAYS;
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
