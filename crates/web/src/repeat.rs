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
pub use todo_domain::quick_add::WEEKDAYS;

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
    /// (COUNT, UNTIL, BYMONTHDAY…), which the editor keeps as it is.
    pub fn from_rule(rule: &str) -> Option<Self> {
        let mut repeat = Self {
            unit: String::new(),
            every: 1,
            days: Vec::new(),
        };
        let body = rule.trim().trim_start_matches("RRULE:");
        for part in body.split(';').filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=')?;
            match key.to_ascii_uppercase().as_str() {
                "FREQ" => {
                    let value = value.to_ascii_uppercase();
                    UNITS.iter().find(|(freq, _)| *freq == value)?;
                    repeat.unit = value;
                }
                "INTERVAL" => repeat.every = value.parse().ok().filter(|n| *n > 0)?,
                "BYDAY" => {
                    for day in value.split(',') {
                        let day = day.to_ascii_uppercase();
                        WEEKDAYS.iter().find(|(code, _, _)| *code == day)?;
                        repeat.days.push(day);
                    }
                }
                "WKST" => {}
                _ => return None,
            }
        }
        if repeat.unit.is_empty() || (!repeat.days.is_empty() && repeat.unit != "WEEKLY") {
            return None;
        }
        Some(repeat)
    }

    /// `FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH`: days in week order, no
    /// `INTERVAL=1`, days only for weeks.
    pub fn to_rule(&self) -> String {
        let mut rule = format!("FREQ={}", self.unit);
        if self.every != 1 {
            rule.push_str(&format!(";INTERVAL={}", self.every));
        }
        if self.unit == "WEEKLY" {
            let days: Vec<&str> = WEEKDAYS
                .iter()
                .map(|(code, _, _)| *code)
                .filter(|code| self.days.iter().any(|d| d == code))
                .collect();
            if !days.is_empty() {
                rule.push_str(&format!(";BYDAY={}", days.join(",")));
            }
        }
        rule
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
