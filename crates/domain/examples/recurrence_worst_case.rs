//! The costliest recurrence rules we can construct within what
//! `Recurrence::parse` accepts, each timed while finding the next occurrence
//! of a task due long ago: `cargo run --release -p todo-domain --example
//! recurrence_worst_case` (`cargo xtask bench` runs it too). A measurement,
//! not a test: the bounded results are checked by the domain's unit tests.

use std::time::{Duration, Instant};
use todo_domain::{Due, Recurrence, TimeZone};

/// Rules that never or rarely match (the `rrule` crate walks up to 100,000
/// empty periods), long BY* lists, BYSETPOS, the largest INTERVAL and COUNT.
pub const WORST_RULES: [&str; 10] = [
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=WEEKLY;BYMONTH=2;BYDAY=MO;BYSETPOS=9",
    "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30,31,-31;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=1,2,3,-1,-2,-3",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;BYDAY=MO,TU,WE,TH,FR,SA,SU",
    "FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO;BYMONTH=1,2,3,4,5,6,7,8,9,10,11",
    "FREQ=YEARLY;BYYEARDAY=366;BYMONTH=12;BYMONTHDAY=31;BYDAY=MO",
    "FREQ=DAILY;INTERVAL=999;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=DAILY;COUNT=1000",
    "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,WE,FR",
];

fn main() {
    let now = "2026-11-30T12:00:00Z".parse().expect("a time");
    let long_ago = Due::Date(chrono::NaiveDate::from_ymd_opt(1, 1, 1).expect("a date"));
    let mut worst = Duration::ZERO;
    println!("{:>10}  next            rule", "time");
    for rule in WORST_RULES {
        let recurrence = match Recurrence::parse(rule) {
            Ok(recurrence) => recurrence,
            Err(refused) => {
                println!("{:>10}  refused: {}", "-", refused.message);
                continue;
            }
        };
        let started = Instant::now();
        let next = recurrence.next_after(long_ago, TimeZone::UTC, now);
        let took = started.elapsed();
        worst = worst.max(took);
        let next = match next {
            Some((Due::Date(d), _)) => d.to_string(),
            Some((Due::At(at), _)) => at.to_rfc3339(),
            None => "none".into(),
        };
        println!("{:>8.1}ms  {next:<14}  {rule}", took.as_secs_f64() * 1e3);
    }
    println!("worst: {:.1} ms", worst.as_secs_f64() * 1e3);
}
