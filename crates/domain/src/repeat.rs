//! A repetition as people say it — "every 2 weeks on Tuesday", "every month
//! on the 15th" — and its words: the one place of the words for repeat rules
//! and weekdays. The quick-add grammar builds a [`Rule`] from what was typed
//! and writes its RRULE; [`crate::Recurrence::describe`] reads a stored RRULE
//! back into a `Rule` to say it; the builtin assistant and the web UI show
//! those words. So the chip the quick-add bar shows and the words a task
//! shows later are one function of one value.

use chrono::Weekday;

/// How often a rule repeats: its RRULE `FREQ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// Each frequency's RRULE `FREQ` value and the unit people say.
const FREQS: [(Freq, &str, &str); 4] = [
    (Freq::Daily, "DAILY", "day"),
    (Freq::Weekly, "WEEKLY", "week"),
    (Freq::Monthly, "MONTHLY", "month"),
    (Freq::Yearly, "YEARLY", "year"),
];

impl Freq {
    fn entry(self) -> (Freq, &'static str, &'static str) {
        FREQS[self as usize]
    }

    /// `DAILY`, `WEEKLY`, `MONTHLY`, `YEARLY`.
    pub fn code(self) -> &'static str {
        self.entry().1
    }

    /// `day`, `week`, `month`, `year`.
    pub fn unit(self) -> &'static str {
        self.entry().2
    }

    pub fn from_code(code: &str) -> Option<Self> {
        FREQS.iter().find(|f| f.1 == code).map(|f| f.0)
    }
}

/// Each weekday's RRULE code, short and full name, Monday first (the web
/// UI's weekday picker reads them too).
pub const WEEKDAYS: [(&str, &str, &str); 7] = [
    ("MO", "Mon", "Monday"),
    ("TU", "Tue", "Tuesday"),
    ("WE", "Wed", "Wednesday"),
    ("TH", "Thu", "Thursday"),
    ("FR", "Fri", "Friday"),
    ("SA", "Sat", "Saturday"),
    ("SU", "Sun", "Sunday"),
];

pub const WORKDAYS: [Weekday; 5] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];
pub const WEEKEND: [Weekday; 2] = [Weekday::Sat, Weekday::Sun];
pub const ALL_DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// `MO` for Monday.
pub fn day_code(day: Weekday) -> &'static str {
    WEEKDAYS[day.num_days_from_monday() as usize].0
}

/// `Monday`.
pub fn day_name(day: Weekday) -> &'static str {
    WEEKDAYS[day.num_days_from_monday() as usize].2
}

/// "1st", "2nd", "3rd", "11th", "22nd": a day of the month as said.
pub fn ordinal(day: u32) -> String {
    let suffix = match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{day}{suffix}")
}

/// A repetition as said; `days` is empty unless weekdays were named (then
/// Monday first, no repeats), and `month_day` unless a day of the month was
/// ("every month on the 15th").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub freq: Freq,
    pub interval: u32,
    pub days: Vec<Weekday>,
    pub month_day: Option<u32>,
}

impl Rule {
    pub fn every(freq: Freq, interval: u32) -> Self {
        Self {
            freq,
            interval,
            days: Vec::new(),
            month_day: None,
        }
    }

    pub fn monthly_on(interval: u32, day: u32) -> Self {
        Self {
            month_day: Some(day),
            ..Self::every(Freq::Monthly, interval)
        }
    }

    pub fn weekly_on(interval: u32, days: &[Weekday]) -> Self {
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
        let mut rule = format!("FREQ={}", self.freq.code());
        if self.interval > 1 {
            rule.push_str(&format!(";INTERVAL={}", self.interval));
        }
        if !self.days.is_empty() {
            let codes: Vec<&str> = self.days.iter().map(|d| day_code(*d)).collect();
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

    /// The rule an RRULE says, when it is one these words can say: `None`
    /// for COUNT, UNTIL, BYMONTH, several days of the month… (the inverse of
    /// [`Rule::rrule`]).
    pub fn from_rrule(rrule: &str) -> Option<Self> {
        let mut freq = None;
        let mut rule = Rule::every(Freq::Daily, 1);
        let mut days = Vec::new();
        for part in rrule.split(';') {
            let (key, value) = part.split_once('=')?;
            match key {
                "FREQ" => freq = Some(Freq::from_code(value)?),
                "INTERVAL" => rule.interval = value.parse().ok().filter(|n| *n > 0)?,
                "BYDAY" => {
                    for code in value.split(',') {
                        days.push(ALL_DAYS.into_iter().find(|d| day_code(*d) == code)?);
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
        rule.freq = freq?;
        if !days.is_empty() {
            if rule.freq != Freq::Weekly || rule.month_day.is_some() {
                return None;
            }
            rule = Rule::weekly_on(rule.interval, &days);
        }
        if rule.month_day.is_some() && rule.freq != Freq::Monthly {
            return None;
        }
        Some(rule)
    }

    /// In words: "every day", "every 2 weeks", "every Monday and Thursday",
    /// "every month on the 15th".
    pub fn label(&self) -> String {
        let unit = self.freq.unit();
        let every = match self.interval {
            1 => format!("every {unit}"),
            n => format!("every {n} {unit}s"),
        };
        if let Some(day) = self.month_day {
            return format!("{every} on the {}", ordinal(day));
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
        let names: Vec<&str> = self.days.iter().map(|d| day_name(*d)).collect();
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
        assert_eq!(Rule::monthly_on(1, 22).label(), "every month on the 22nd");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(31), "31st");
    }

    #[test]
    fn the_tables_are_in_order() {
        for (index, (freq, _, _)) in FREQS.iter().enumerate() {
            assert_eq!(*freq as usize, index);
            assert_eq!(Freq::from_code(freq.code()), Some(*freq));
        }
        for day in ALL_DAYS {
            let (code, short, name) = WEEKDAYS[day.num_days_from_monday() as usize];
            assert_eq!((day_code(day), day_name(day)), (code, name));
            assert!(name.starts_with(short) && day.to_string() == short);
        }
    }

    /// Every shape a rule can take (the quick-add grammar composes them)
    /// reads back from its RRULE as itself: the rule a task stores is said
    /// in the words its chip showed when it was typed.
    #[test]
    fn every_rule_reads_back_from_its_rrule() {
        let mut rules = Vec::new();
        for (freq, _, _) in FREQS {
            for interval in [1, 2, 3, 12, 999] {
                rules.push(Rule::every(freq, interval));
            }
        }
        for day in 1..=31 {
            for interval in [1, 2, 3] {
                rules.push(Rule::monthly_on(interval, day));
            }
        }
        let day_sets: [&[Weekday]; 6] = [
            &[Weekday::Mon],
            &[Weekday::Sun, Weekday::Tue],
            &[Weekday::Mon, Weekday::Wed, Weekday::Fri],
            &WORKDAYS,
            &WEEKEND,
            &ALL_DAYS,
        ];
        for days in day_sets {
            for interval in [1, 2] {
                rules.push(Rule::weekly_on(interval, days));
            }
        }
        for rule in rules {
            assert_eq!(
                Rule::from_rrule(&rule.rrule()),
                Some(rule.clone()),
                "{}",
                rule.rrule()
            );
        }
        for unsaid in [
            "FREQ=DAILY;COUNT=3",
            "FREQ=MONTHLY;BYDAY=MO",
            "FREQ=WEEKLY;BYMONTHDAY=3",
            "FREQ=MONTHLY;BYMONTHDAY=1,15",
            "FREQ=YEARLY;BYMONTH=2",
            "INTERVAL=2",
            "FREQ=WEEKLY;INTERVAL=0",
        ] {
            assert_eq!(Rule::from_rrule(unsaid), None, "{unsaid}");
        }
    }
}
