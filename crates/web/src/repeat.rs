//! The editor's custom repeat: "every N days, weeks, months or years", on
//! chosen weekdays for weeks, read from and written as the RRULE the API
//! takes, so nobody has to type one.

/// The unit of a custom repeat: its RRULE `FREQ`.
pub const UNITS: [(&str, &str); 4] = [
    ("DAILY", "days"),
    ("WEEKLY", "weeks"),
    ("MONTHLY", "months"),
    ("YEARLY", "years"),
];

/// RRULE day codes with their short and full names, Monday first: the
/// domain's words.
pub use todo_domain::repeat::WEEKDAYS;

use chrono::Weekday;
use todo_domain::repeat::{day_code, Freq, Rule, ALL_DAYS};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRepeat {
    /// A `FREQ` from [`UNITS`].
    pub unit: String,
    pub every: u32,
    /// Day codes from [`WEEKDAYS`], weekly repeats only.
    pub days: Vec<String>,
}

impl Default for CustomRepeat {
    fn default() -> Self {
        Self {
            unit: "WEEKLY".into(),
            every: 1,
            days: Vec::new(),
        }
    }
}

impl CustomRepeat {
    /// The rule when these controls can show it; `None` for anything else
    /// (COUNT, UNTIL, BYMONTHDAY…), which the editor keeps as it is. Read by
    /// the domain's [`Rule`], as the task's repeat words are.
    pub fn from_rule(rule: &str) -> Option<Self> {
        let body = rule.trim();
        let rule = Rule::from_rrule(body.strip_prefix("RRULE:").unwrap_or(body))?;
        if rule.month_day.is_some() {
            return None;
        }
        Some(Self {
            unit: rule.freq.code().to_owned(),
            every: rule.interval,
            days: rule.days.iter().map(|d| day_code(*d).to_owned()).collect(),
        })
    }

    /// `FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH`: days in week order, no
    /// `INTERVAL=1`, days only for weeks (the domain's [`Rule::rrule`]).
    pub fn to_rule(&self) -> String {
        let Some(freq) = Freq::from_code(&self.unit) else {
            return format!("FREQ={}", self.unit);
        };
        let days: Vec<Weekday> = ALL_DAYS
            .into_iter()
            .filter(|d| self.days.iter().any(|code| code == day_code(*d)))
            .collect();
        match freq {
            Freq::Weekly => Rule::weekly_on(self.every, &days),
            _ => Rule::every(freq, self.every),
        }
        .rrule()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_the_rules_it_can_show() {
        let repeat = CustomRepeat::from_rule("FREQ=WEEKLY;INTERVAL=3;BYDAY=TH,MO").unwrap();
        assert_eq!(repeat.every, 3);
        assert_eq!(repeat.to_rule(), "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH");
        assert_eq!(
            CustomRepeat::from_rule("RRULE:FREQ=DAILY;WKST=MO")
                .unwrap()
                .to_rule(),
            "FREQ=DAILY"
        );
        let monthly = CustomRepeat {
            unit: "MONTHLY".into(),
            every: 2,
            days: vec!["MO".into()],
        };
        assert_eq!(
            monthly.to_rule(),
            "FREQ=MONTHLY;INTERVAL=2",
            "days are for weeks"
        );
    }

    #[test]
    fn leaves_other_rules_alone() {
        for rule in [
            "FREQ=MONTHLY;BYMONTHDAY=15",
            "FREQ=DAILY;COUNT=3",
            "FREQ=MONTHLY;BYDAY=MO",
            "FREQ=HOURLY",
            "INTERVAL=2",
            "FREQ=WEEKLY;INTERVAL=0",
        ] {
            assert_eq!(CustomRepeat::from_rule(rule), None, "{rule}");
        }
    }
}
