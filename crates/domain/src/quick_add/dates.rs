//! Dates and times: the phrases that name them, and the calendar arithmetic
//! (all of it by chrono) that turns them into days relative to today.

use chrono::{Datelike, Days, Duration, Months, NaiveDate, NaiveTime, Timelike, Weekday};

use super::grammar::{Class, Found, Grammar, Item};
use super::words;

/// A part of the day, said instead of a time ("tomorrow morning", "tonight").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DayPart {
    Morning,
    Afternoon,
    Evening,
    /// "tonight", "this evening": like `Evening`, but when the evening has
    /// already begun it means the rest of tonight (23:59) rather than a time
    /// that has just passed.
    Tonight,
}

impl DayPart {
    pub fn time(self) -> NaiveTime {
        match self {
            Self::Morning => hm(9, 0),
            Self::Afternoon => hm(14, 0),
            Self::Evening | Self::Tonight => hm(20, 0),
        }
    }

    /// Whether an hour said without am/pm is read in the afternoon.
    pub fn is_pm(self) -> bool {
        self != Self::Morning
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Morning => "Morning",
            Self::Afternoon => "Afternoon",
            Self::Evening | Self::Tonight => "Evening",
        }
    }
}

/// A time of day as said: `ambiguous` when no am/pm was given ("at 5").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Clock {
    pub hour: u32,
    pub minute: u32,
    pub ambiguous: bool,
}

impl Clock {
    fn exact(hour: u32, minute: u32) -> Self {
        Self {
            hour,
            minute,
            ambiguous: false,
        }
    }

    /// The wall-clock time meant. An hour without am/pm follows the part
    /// of the day when one was said ("tonight at 9" is 21:00); otherwise
    /// 7–11 are morning hours, 12 is noon and 1–6 are afternoon hours.
    pub fn resolve(self, pm_hint: Option<bool>) -> NaiveTime {
        let hour = match (self.ambiguous, pm_hint) {
            (false, _) => self.hour,
            (true, Some(true)) if self.hour < 12 => self.hour + 12,
            (true, Some(_)) => self.hour,
            (true, None) if (1..=6).contains(&self.hour) => self.hour + 12,
            (true, None) => self.hour,
        };
        hm(hour, self.minute)
    }
}

pub(super) fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN)
}

pub(super) const END_OF_DAY: NaiveTime = match NaiveTime::from_hms_opt(23, 59, 0) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

// ---------------------------------------------------------------------------
// Calendar arithmetic.

fn plus_days(date: NaiveDate, days: u32) -> Option<NaiveDate> {
    date.checked_add_days(Days::new(u64::from(days)))
}

/// The next `day` strictly after today: "friday" said on a Friday is next
/// week's, never today.
pub(super) fn coming(today: NaiveDate, day: Weekday) -> NaiveDate {
    let ahead = (day.num_days_from_monday() + 7 - today.weekday().num_days_from_monday()) % 7;
    plus_days(today, if ahead == 0 { 7 } else { ahead }).unwrap_or(today)
}

/// The next `day` from today on, today included ("this friday" on a Friday).
pub(super) fn this(today: NaiveDate, day: Weekday) -> NaiveDate {
    let ahead = (day.num_days_from_monday() + 7 - today.weekday().num_days_from_monday()) % 7;
    plus_days(today, ahead).unwrap_or(today)
}

/// The Monday of next week (weeks start on Monday).
pub(super) fn next_monday(today: NaiveDate) -> NaiveDate {
    plus_days(today, 7 - today.weekday().num_days_from_monday()).unwrap_or(today)
}

/// `day` in next week: "next friday" is the Friday of the week after this one.
pub(super) fn in_next_week(today: NaiveDate, day: Weekday) -> NaiveDate {
    let monday = next_monday(today);
    plus_days(monday, day.num_days_from_monday()).unwrap_or(monday)
}

pub(super) fn first_of_next_month(today: NaiveDate) -> Option<NaiveDate> {
    today.with_day(1)?.checked_add_months(Months::new(1))
}

pub(super) fn end_of_month(today: NaiveDate) -> Option<NaiveDate> {
    first_of_next_month(today)?.pred_opt()
}

/// The first `month`/`day` from today on: a date already past this year is
/// next year's; February 29th waits for a leap year.
pub(super) fn upcoming(today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    (today.year()..=today.year() + 8)
        .filter_map(|year| NaiveDate::from_ymd_opt(year, month, day))
        .find(|date| *date >= today)
}

// ---------------------------------------------------------------------------
// Labels.

/// "5:00 PM", "12:05 AM".
pub fn label_time(time: NaiveTime) -> String {
    let (pm, hour) = time.hour12();
    let half = if pm { "PM" } else { "AM" };
    format!("{hour}:{:02} {half}", time.minute())
}

// ---------------------------------------------------------------------------
// Phrases.

use crate::shift::Unit;

fn unit(word: &str) -> Option<Unit> {
    Some(match word {
        "minute" | "minutes" | "min" | "mins" => Unit::Minutes,
        "hour" | "hours" | "hr" | "hrs" => Unit::Hours,
        "day" | "days" => Unit::Days,
        "week" | "weeks" | "wk" | "wks" => Unit::Weeks,
        "month" | "months" => Unit::Months,
        "year" | "years" | "yr" | "yrs" => Unit::Years,
        _ => return None,
    })
}

/// `2h`, `30min`, `3d`, `2w`: a number glued to a short unit (after "in").
fn compact_amount(word: &str) -> Option<(u32, Unit)> {
    let split = word.find(|c: char| !c.is_ascii_digit())?;
    let (number, suffix) = word.split_at(split);
    let unit = match suffix {
        "m" | "min" | "mins" => Unit::Minutes,
        "h" | "hr" | "hrs" => Unit::Hours,
        "d" => Unit::Days,
        "w" => Unit::Weeks,
        _ => return None,
    };
    Some((words::count(number).filter(|_| !number.is_empty())?, unit))
}

fn split_meridiem(word: &str) -> Option<(&str, bool)> {
    ["a.m.", "p.m.", "a.m", "p.m", "am", "pm"]
        .iter()
        .find_map(|suffix| {
            word.strip_suffix(suffix)
                .map(|body| (body, suffix.starts_with('p')))
        })
        .filter(|(body, _)| !body.is_empty())
}

fn is_meridiem(word: &str) -> Option<bool> {
    match word {
        "am" | "a.m" | "a.m." => Some(false),
        "pm" | "p.m" | "p.m." => Some(true),
        _ => None,
    }
}

/// `5`, `05`, `5:30`, `17:30`: the hour, the minutes, whether there was a
/// colon and how many digits the hour had.
fn clock_body(body: &str) -> Option<(u32, u32, bool, usize)> {
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (hour, minute, colon) = match body.split_once(':') {
        Some((h, m)) if m.len() == 2 && all_digits(m) => (h, m.parse().ok()?, true),
        Some(_) => return None,
        None => (body, 0, false),
    };
    if !all_digits(hour) || hour.len() > 2 || minute > 59 {
        return None;
    }
    Some((hour.parse().ok()?, minute, colon, hour.len()))
}

fn twelve_hour(hour: u32, minute: u32, pm: bool) -> Option<Clock> {
    if !(1..=12).contains(&hour) {
        return None;
    }
    let hour = match (hour, pm) {
        (12, false) => 0,
        (12, true) => 12,
        (h, true) => h + 12,
        (h, false) => h,
    };
    Some(Clock::exact(hour, minute))
}

impl Grammar<'_> {
    fn date_found(&self, end: usize, date: NaiveDate, class: Class) -> Found {
        Found::new(end, Item::Date { date, part: None }, class)
    }

    /// today, tonight, tomorrow, the day after tomorrow, this morning, next
    /// week, next month, this/next weekend, on/by/over the weekend, end of
    /// week/month, in N minutes/hours/days/weeks/months/years.
    pub(super) fn relative(&self, i: usize) -> Option<Found> {
        let word = self.word(i)?;
        let today = self.today;
        let relative = |end, date| Some(self.date_found(end, date, Class::RelDate));
        // "today", "tomorrow", "tmrw"; never a past day ("yesterday").
        if let Some(ahead) = crate::words::day_offset(word).and_then(|d| u32::try_from(d).ok()) {
            return relative(i + 1, plus_days(today, ahead)?);
        }
        match word {
            "tonight" => {
                return Some(Found::new(
                    i + 1,
                    Item::Date {
                        date: today,
                        part: Some(DayPart::Tonight),
                    },
                    Class::RelDate,
                ))
            }
            "eow" => return relative(i + 1, this(today, Weekday::Fri)),
            "eom" => return relative(i + 1, end_of_month(today)?),
            _ => {}
        }
        if self.seq(i, &["the", "day", "after", "tomorrow"]) {
            return relative(i + 4, plus_days(today, 2)?);
        }
        if self.seq(i, &["day", "after", "tomorrow"]) {
            return relative(i + 3, plus_days(today, 2)?);
        }
        if word == "this" && self.linked(i) {
            let part = match self.word(i + 1)? {
                "morning" => DayPart::Morning,
                "afternoon" => DayPart::Afternoon,
                "evening" | "night" => DayPart::Tonight,
                "weekend" => return relative(i + 2, this_weekend(today)),
                _ => return None,
            };
            let item = Item::Date {
                date: today,
                part: Some(part),
            };
            return Some(Found::new(i + 2, item, Class::RelDate));
        }
        if word == "next" && self.linked(i) {
            return match self.word(i + 1)? {
                "week" => relative(i + 2, next_monday(today)),
                "weekend" => relative(i + 2, in_next_week(today, Weekday::Sat)),
                "month" => relative(i + 2, first_of_next_month(today)?),
                _ => None,
            };
        }
        // "by the weekend", "over the weekend"; "the weekend" alone is too
        // often a noun ("plan the weekend").
        let preposition = matches!(word, "on" | "over" | "at" | "by" | "during");
        if preposition && self.seq(i + 1, &["the", "weekend"]) && self.linked(i) {
            return relative(i + 3, this_weekend(today));
        }
        if self.seq(i, &["end", "of"]) {
            let mut j = i + 2;
            if matches!(self.word(j), Some("the" | "this")) && self.linked(j) {
                j += 1;
            }
            return match self.word(j)? {
                "week" => relative(j + 1, this(today, Weekday::Fri)),
                "month" => relative(j + 1, end_of_month(today)?),
                _ => None,
            };
        }
        if word == "in" && self.linked(i) {
            return self.in_amount(i);
        }
        None
    }

    /// "in 3 days", "in 2 hours", "in an hour", "in half an hour", "in 2h".
    fn in_amount(&self, i: usize) -> Option<Found> {
        let (amount, unit, end) = if self.seq(i, &["in", "half", "an", "hour"]) {
            (30, Unit::Minutes, i + 4)
        } else if let Some((amount, unit)) = self.word(i + 1).and_then(compact_amount) {
            (amount, unit, i + 2)
        } else {
            let amount = words::count(self.word(i + 1)?)?;
            if !self.linked(i + 1) {
                return None;
            }
            (amount, unit(self.word(i + 2)?)?, i + 3)
        };
        let start = self.now.with_second(0)?.with_nanosecond(0)?;
        let item = match unit {
            Unit::Minutes => Item::Instant(start + Duration::minutes(i64::from(amount))),
            Unit::Hours => Item::Instant(start + Duration::hours(i64::from(amount))),
            Unit::Days => {
                return Some(self.date_found(end, plus_days(self.today, amount)?, Class::RelDate))
            }
            Unit::Weeks => {
                let date = plus_days(self.today, amount.checked_mul(7)?)?;
                return Some(self.date_found(end, date, Class::RelDate));
            }
            Unit::Months | Unit::Years => {
                let months = if unit == Unit::Years {
                    amount.checked_mul(12)?
                } else {
                    amount
                };
                let date = self.today.checked_add_months(Months::new(months))?;
                return Some(self.date_found(end, date, Class::RelDate));
            }
        };
        Some(Found::new(end, item, Class::RelDate))
    }

    /// "friday" (the coming one), "this friday" (today included), "next
    /// friday" (in next week). A bare full name is tentative (see
    /// `Grammar::settle`); a bare abbreviation needs a connector ("on fri").
    pub(super) fn weekday(&self, i: usize) -> Option<Found> {
        let word = self.word(i)?;
        if matches!(word, "next" | "this") && self.linked(i) {
            let (day, _) = words::weekday(self.word(i + 1)?)?;
            let date = if word == "next" {
                in_next_week(self.today, day)
            } else {
                this(self.today, day)
            };
            return Some(self.date_found(i + 2, date, Class::AbsDate));
        }
        let (day, full) = words::weekday(word)?;
        let holiday =
            i > 0 && self.linked(i - 1) && self.word(i - 1).is_some_and(words::names_a_holiday);
        if holiday {
            return None;
        }
        let mut found = self.date_found(i + 1, coming(self.today, day), Class::AbsDate);
        found.tentative = full;
        found.needs_connector = !full;
        Some(found)
    }

    /// "Dec 3", "December 3rd, 2027", "3 Dec", "the 3rd of December", with
    /// an optional weekday in front ("Fri 27 Nov").
    pub(super) fn month_day(&self, i: usize) -> Option<Found> {
        let mut j = i;
        if self.word(j).and_then(words::weekday).is_some()
            && (self.linked(j) || self.comma_linked(j))
        {
            j += 1;
        }
        // `last`: the day in "Dec 3", the month in "3 Dec".
        let (month, day, last) = self.month_then_day(j).or_else(|| self.day_then_month(j))?;
        let year = (self.linked(last) || self.comma_linked(last))
            .then(|| self.word(last + 1).and_then(words::year))
            .flatten();
        let (date, end) = match year {
            Some(year) => (NaiveDate::from_ymd_opt(year, month, day)?, last + 2),
            None => (upcoming(self.today, month, day)?, last + 1),
        };
        Some(self.date_found(end, date, Class::AbsDate))
    }

    /// "the 1st", "the 15th" with no month: the next such day from today on
    /// (today included; a month without it has its last day instead).
    /// Only after a connector ("on the 1st", "by the 30th") and where it ends
    /// a phrase: "the 5th wave" and "on the 2nd floor" are text.
    pub(super) fn day_of_month(&self, i: usize) -> Option<Found> {
        if self.word(i) != Some("the") {
            return None;
        }
        let (day, end) = self.the_ordinal(i)?;
        let date = (0..=62)
            .filter_map(|offset| self.today.checked_add_days(chrono::Days::new(offset)))
            .find(|date| super::recurrence::is_month_day(*date, day))?;
        let mut found = self.date_found(end, date, Class::AbsDate);
        found.needs_connector = true;
        // "on the 2nd floor" is a place.
        found.tentative = true;
        Some(found)
    }

    /// `(month, day, index of the phrase's last token)` for "Dec 3".
    fn month_then_day(&self, j: usize) -> Option<(u32, u32, usize)> {
        let month = words::month(self.word(j)?)?;
        // "Dec. 3": an abbreviation may keep its full stop.
        if !self.linked(j) && &self.input[self.tokens[j].core.end..self.tokens[j].chunk.end] != "."
        {
            return None;
        }
        let (day, _) = words::day_of_month(self.word(j + 1)?)?;
        Some((month, day, j + 1))
    }

    /// The same for "3 Dec", "3rd of December", "the 3rd of December".
    fn day_then_month(&self, j: usize) -> Option<(u32, u32, usize)> {
        let the = self.word(j) == Some("the") && self.linked(j);
        let k = if the { j + 1 } else { j };
        let (day, ordinal) = words::day_of_month(self.word(k)?)?;
        if the && !ordinal || !self.linked(k) {
            return None;
        }
        let mut m = k + 1;
        if self.word(m) == Some("of") && ordinal && self.linked(m) {
            m += 1;
        }
        let month = words::month(self.word(m)?)?;
        Some((month, day, m))
    }

    /// "2026-12-03", "12/3/2026", "12/3/26" anywhere; "12/3" (US
    /// month/day) only after a connector ("on 12/3"), since "1/2 cup" is not
    /// a date.
    pub(super) fn numeric_date(&self, i: usize) -> Option<Found> {
        let word = self.word(i)?;
        let separator = if word.contains('-') { '-' } else { '/' };
        let parts: Vec<&str> = word.split(separator).collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        let number = |s: &str| s.parse::<u32>().ok();
        let (date, needs_connector) = match parts.as_slice() {
            [y, m, d] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => (
                NaiveDate::from_ymd_opt(y.parse().ok()?, number(m)?, number(d)?)?,
                false,
            ),
            [m, d, y] if separator == '/' && m.len() <= 2 && d.len() <= 2 => {
                let year: i32 = match y.len() {
                    2 => 2000 + y.parse::<i32>().ok()?,
                    4 => y.parse().ok()?,
                    _ => return None,
                };
                (
                    NaiveDate::from_ymd_opt(year, number(m)?, number(d)?)?,
                    false,
                )
            }
            [m, d] if separator == '/' && m.len() <= 2 && d.len() <= 2 => {
                (upcoming(self.today, number(m)?, number(d)?)?, true)
            }
            _ => return None,
        };
        let mut found = self.date_found(i + 1, date, Class::AbsDate);
        found.needs_connector = needs_connector;
        Some(found)
    }

    /// "5pm", "5:30 pm", "17:30", "noon", "midnight", "5 o'clock"; "at 5"
    /// and "at 5:30" need their connector (a lone number is not a time).
    pub(super) fn time(&self, i: usize) -> Option<Found> {
        let word = self.word(i)?;
        let found = |end, clock: Clock, needs_connector| {
            let mut found = Found::new(end, Item::Time(clock), Class::Time);
            found.needs_connector = needs_connector;
            Some(found)
        };
        match word {
            "noon" | "midday" => return found(i + 1, Clock::exact(12, 0), false),
            // The end of the day: "by midnight" keeps the task on today.
            "midnight" => return found(i + 1, Clock::exact(23, 59), false),
            _ => {}
        }
        let (body, at_sign) = match word.strip_prefix('@') {
            Some(body) => (body, true),
            None => (word, false),
        };
        if let Some((body, pm)) = split_meridiem(body) {
            let (hour, minute, _, _) = clock_body(body)?;
            return found(i + 1, twelve_hour(hour, minute, pm)?, false);
        }
        let (hour, minute, colon, hour_digits) = clock_body(body)?;
        if self.linked(i) {
            if let Some(pm) = self.word(i + 1).and_then(is_meridiem) {
                return found(i + 2, twelve_hour(hour, minute, pm)?, false);
            }
            let oclock = matches!(self.word(i + 1), Some("o'clock" | "oclock" | "o’clock"));
            if oclock && !colon {
                let clock = Clock {
                    hour,
                    minute: 0,
                    ambiguous: true,
                };
                return (1..=12)
                    .contains(&hour)
                    .then(|| found(i + 2, clock, false))?;
            }
        }
        if hour > 23 {
            return None;
        }
        // Two-digit hours ("09:30", "17:30") read as a 24-hour clock.
        if colon && hour_digits == 2 {
            return found(i + 1, Clock::exact(hour, minute), false);
        }
        // "at 05" is 05:00; "at 5" and "at 10" may be morning or evening.
        let leading_zero = hour_digits == 2 && body.starts_with('0');
        if hour == 0 {
            return None;
        }
        let clock = Clock {
            hour,
            minute,
            ambiguous: hour <= 12 && !leading_zero,
        };
        // A plain number before a capitalised word must end its phrase
        // ("at 5 Tomorrow", "at 8 With Bob"): "at 3 Main Street" is no time.
        let mut plain = found(i + 1, clock, !at_sign)?;
        plain.tentative = self.linked(i)
            && self.tokens.get(i + 1).is_some_and(|next| {
                self.input[next.core.clone()]
                    .chars()
                    .next()
                    .is_some_and(char::is_uppercase)
            });
        Some(plain)
    }

    /// "morning", "afternoon", "evening", "night" right after a date
    /// ("tomorrow morning", "friday night").
    pub(super) fn day_part(&self, i: usize, after_date: bool) -> Option<Found> {
        if !after_date || i == 0 || !self.linked(i - 1) {
            return None;
        }
        let part = match self.word(i)? {
            "morning" => DayPart::Morning,
            "afternoon" => DayPart::Afternoon,
            "evening" | "night" => DayPart::Evening,
            _ => return None,
        };
        Some(Found::new(i + 1, Item::DayPart(part), Class::Other))
    }
}

/// "this weekend": the coming Saturday, or today when it is the weekend.
fn this_weekend(today: NaiveDate) -> NaiveDate {
    match today.weekday() {
        Weekday::Sun => today,
        _ => this(today, Weekday::Sat),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::{day_label, label_date};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weekday_arithmetic() {
        let saturday = d(2026, 11, 21);
        assert_eq!(coming(saturday, Weekday::Sat), d(2026, 11, 28));
        assert_eq!(coming(saturday, Weekday::Sun), d(2026, 11, 22));
        assert_eq!(this(saturday, Weekday::Sat), saturday);
        assert_eq!(next_monday(saturday), d(2026, 11, 23));
        assert_eq!(in_next_week(d(2026, 11, 23), Weekday::Fri), d(2026, 12, 4));
        assert_eq!(this_weekend(d(2026, 11, 22)), d(2026, 11, 22));
        assert_eq!(this_weekend(d(2026, 11, 23)), d(2026, 11, 28));
    }

    #[test]
    fn month_arithmetic() {
        assert_eq!(end_of_month(d(2028, 2, 10)), Some(d(2028, 2, 29)));
        assert_eq!(end_of_month(d(2026, 12, 31)), Some(d(2026, 12, 31)));
        assert_eq!(first_of_next_month(d(2026, 12, 15)), Some(d(2027, 1, 1)));
        assert_eq!(upcoming(d(2026, 12, 10), 12, 3), Some(d(2027, 12, 3)));
        assert_eq!(upcoming(d(2026, 12, 10), 12, 10), Some(d(2026, 12, 10)));
        assert_eq!(upcoming(d(2026, 3, 1), 2, 29), Some(d(2028, 2, 29)));
        assert_eq!(upcoming(d(2026, 3, 1), 2, 30), None);
    }

    #[test]
    fn clocks() {
        let at = |hour, ambiguous| Clock {
            hour,
            minute: 0,
            ambiguous,
        };
        assert_eq!(at(5, true).resolve(None), hm(17, 0));
        assert_eq!(at(9, true).resolve(None), hm(9, 0));
        assert_eq!(at(9, true).resolve(Some(true)), hm(21, 0));
        assert_eq!(at(12, true).resolve(None), hm(12, 0));
        assert_eq!(at(5, false).resolve(Some(true)), hm(5, 0));
        assert_eq!(clock_body("17:30"), Some((17, 30, true, 2)));
        assert_eq!(clock_body("5:3"), None);
        assert_eq!(clock_body("5:60"), None);
        assert_eq!(split_meridiem("5:30p.m"), Some(("5:30", true)));
        assert_eq!(split_meridiem("pm"), None);
        assert_eq!(compact_amount("2h"), Some((2, Unit::Hours)));
        assert_eq!(compact_amount("h"), None);
        assert_eq!(compact_amount("2x"), None);
        assert_eq!(label_time(hm(17, 0)), "5:00 PM");
        assert_eq!(label_time(hm(0, 5)), "12:05 AM");
        assert_eq!(label_date(d(2026, 11, 27), d(2026, 11, 21)), "Fri 27 Nov");
        assert_eq!(day_label(d(2026, 11, 21), d(2026, 11, 21)), "Today");
        assert_eq!(day_label(d(2026, 11, 22), d(2026, 11, 21)), "Tomorrow");
        assert_eq!(day_label(d(2026, 11, 20), d(2026, 11, 21)), "Yesterday");
        assert_eq!(day_label(d(2026, 11, 23), d(2026, 11, 21)), "Mon 23 Nov");
        assert_eq!(
            label_date(d(2027, 12, 3), d(2026, 11, 21)),
            "Fri 3 Dec 2027"
        );
    }
}
