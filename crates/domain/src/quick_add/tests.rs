//! Table-driven tests of the quick-add parser.
//!
//! Each case is `(input, title, due, rest)`: `due` is `""`, a date
//! (`2026-11-27`, all day) or a local wall time (`2026-11-27T17:00`, in the
//! table's zone); `rest` lists the other fields that must be set, and
//! nothing else may be: `p=<priority>`, `t=<tag>,<tag>`, `r=<RRULE>`.

use super::*;
use chrono::{Datelike, NaiveDateTime, Weekday};

type Case = (&'static str, &'static str, &'static str, &'static str);

fn ctx(local: &str, zone: &str) -> ParseContext {
    let tz = TimeZone::parse(zone).unwrap();
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M").unwrap();
    ParseContext::new(tz.resolve(naive), tz)
}

/// Saturday 2026-11-21, 10:00 in Paris.
fn saturday() -> ParseContext {
    ctx("2026-11-21T10:00", "Europe/Paris")
}

fn show_due(due: Option<Due>, tz: TimeZone) -> String {
    match due {
        None => String::new(),
        Some(Due::Date(date)) => date.format("%Y-%m-%d").to_string(),
        Some(Due::At(at)) => at
            .with_timezone(&tz.tz())
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
    }
}

fn show_rest(parsed: &QuickAdd) -> String {
    let mut rest = Vec::new();
    if let Some(priority) = parsed.priority {
        rest.push(format!("p={priority}"));
    }
    if !parsed.tags.is_empty() {
        let tags: Vec<&str> = parsed.tags.iter().map(Tag::as_str).collect();
        rest.push(format!("t={}", tags.join(",")));
    }
    if let Some(rule) = &parsed.recurrence {
        rest.push(format!("r={rule}"));
    }
    rest.join(" ")
}

fn check(table: &[Case], ctx: &ParseContext) {
    let mut failures = Vec::new();
    for &(input, title, due, rest) in table {
        let parsed = parse(input, ctx);
        let got = (
            parsed.title.as_str(),
            show_due(parsed.due, ctx.tz),
            show_rest(&parsed),
        );
        if got != (title, due.to_owned(), rest.to_owned()) {
            failures.push(format!(
                "{input:?}\n   expected ({title:?}, {due:?}, {rest:?})\n        got ({:?}, {:?}, {:?})",
                got.0, got.1, got.2
            ));
        }
        // Every match points at its own text.
        for m in &parsed.matches {
            assert_eq!(&input[m.span.clone()], m.text, "span of {m:?} in {input:?}");
        }
        // A repeat's chip says what the stored rule will say on the task.
        let chip = parsed
            .matches
            .iter()
            .find(|m| m.kind == MatchKind::Recurrence);
        assert_eq!(
            chip.map(|m| m.label.clone()),
            parsed.recurrence.as_ref().map(Recurrence::describe),
            "{input:?}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

/// Saturday 2026-11-21 10:00, Europe/Paris. Sunday is the 22nd, Monday the
/// 23rd, Friday the 27th.
const SATURDAY: &[Case] = &[
    // Relative days.
    ("Buy milk today", "Buy milk", "2026-11-21", ""),
    ("Buy milk tomorrow", "Buy milk", "2026-11-22", ""),
    ("Buy milk tmrw", "Buy milk", "2026-11-22", ""),
    ("Call mom tonight", "Call mom", "2026-11-21T20:00", ""),
    ("tonight at 9 call mom", "call mom", "2026-11-21T21:00", ""),
    ("Call mom this evening", "Call mom", "2026-11-21T20:00", ""),
    ("Jog this morning", "Jog", "2026-11-21T09:00", ""),
    (
        "Visit grandma the day after tomorrow",
        "Visit grandma",
        "2026-11-23",
        "",
    ),
    (
        "Visit grandma day after tomorrow",
        "Visit grandma",
        "2026-11-23",
        "",
    ),
    (
        "Clean garage this weekend",
        "Clean garage",
        "2026-11-21",
        "",
    ),
    (
        "Clean garage next weekend",
        "Clean garage",
        "2026-11-28",
        "",
    ),
    (
        "Clean garage by the weekend",
        "Clean garage",
        "2026-11-21",
        "",
    ),
    ("Hike over the weekend", "Hike", "2026-11-21", ""),
    ("Plan the weekend", "Plan the weekend", "", ""),
    ("Plan trip next week", "Plan trip", "2026-11-23", ""),
    (
        "Renew passport next month",
        "Renew passport",
        "2026-12-01",
        "",
    ),
    ("Report end of month", "Report", "2026-11-30", ""),
    ("Report by end of the month", "Report", "2026-11-30", ""),
    ("Report eom", "Report", "2026-11-30", ""),
    ("Report end of week", "Report", "2026-11-27", ""),
    ("Report eow", "Report", "2026-11-27", ""),
    ("Water plants in 3 days", "Water plants", "2026-11-24", ""),
    (
        "Water plants in three days",
        "Water plants",
        "2026-11-24",
        "",
    ),
    (
        "Renew passport in a week",
        "Renew passport",
        "2026-11-28",
        "",
    ),
    ("Follow up in 2 weeks", "Follow up", "2026-12-05", ""),
    ("Dentist in 3 months", "Dentist", "2027-02-21", ""),
    (
        "Check oven in 2 hours",
        "Check oven",
        "2026-11-21T12:00",
        "",
    ),
    (
        "Check oven in an hour",
        "Check oven",
        "2026-11-21T11:00",
        "",
    ),
    ("Tea in 30 minutes", "Tea", "2026-11-21T10:30", ""),
    ("Tea in half an hour", "Tea", "2026-11-21T10:30", ""),
    ("Tea in 45 mins", "Tea", "2026-11-21T10:45", ""),
    ("Tea in 2h", "Tea", "2026-11-21T12:00", ""),
    // Weekdays: the coming one; today's name means next week's.
    ("Pay rent friday", "Pay rent", "2026-11-27", ""),
    ("Pay rent on Friday", "Pay rent", "2026-11-27", ""),
    ("Pay rent this friday", "Pay rent", "2026-11-27", ""),
    ("Pay rent next friday", "Pay rent", "2026-11-27", ""),
    ("Pay rent due friday", "Pay rent", "2026-11-27", ""),
    ("Pay rent by fri", "Pay rent", "2026-11-27", ""),
    ("Brunch saturday", "Brunch", "2026-11-28", ""),
    ("Brunch this saturday", "Brunch", "2026-11-21", ""),
    ("Brunch next saturday", "Brunch", "2026-11-28", ""),
    ("Gym sunday", "Gym", "2026-11-22", ""),
    ("Gym next sunday", "Gym", "2026-11-29", ""),
    ("Gym on sun", "Gym", "2026-11-22", ""),
    ("Gym monday", "Gym", "2026-11-23", ""),
    ("Gym next monday", "Gym", "2026-11-23", ""),
    ("Friday: call mom", "call mom", "2026-11-27", ""),
    ("friday, call mom", "call mom", "2026-11-27", ""),
    (
        "Call mom friday about the trip",
        "Call mom about the trip",
        "2026-11-27",
        "",
    ),
    ("Email Bob, friday", "Email Bob", "2026-11-27", ""),
    ("Call mom (friday)", "Call mom", "2026-11-27", ""),
    ("Tomorrow - call mom", "call mom", "2026-11-22", ""),
    // Calendar dates, preferring the future.
    ("Dentist on 12/3", "Dentist", "2026-12-03", ""),
    ("Dentist due 12/3", "Dentist", "2026-12-03", ""),
    ("Dentist Dec 3", "Dentist", "2026-12-03", ""),
    ("Dentist dec. 3", "Dentist", "2026-12-03", ""),
    ("Dentist 3 Dec", "Dentist", "2026-12-03", ""),
    ("Dentist December 3rd", "Dentist", "2026-12-03", ""),
    (
        "Dentist on the 3rd of December",
        "Dentist",
        "2026-12-03",
        "",
    ),
    ("Dentist 3rd december", "Dentist", "2026-12-03", ""),
    ("Dentist 2026-12-03", "Dentist", "2026-12-03", ""),
    ("Dentist Dec 3, 2027", "Dentist", "2027-12-03", ""),
    ("Dentist 3 Dec 2027", "Dentist", "2027-12-03", ""),
    ("Dentist 12/3/2027", "Dentist", "2027-12-03", ""),
    ("Dentist 12/3/27", "Dentist", "2027-12-03", ""),
    ("Dentist Thu 3 Dec", "Dentist", "2026-12-03", ""),
    ("Dentist Thursday, Dec 3", "Dentist", "2026-12-03", ""),
    ("Birthday party Nov 20", "Birthday party", "2027-11-20", ""),
    ("Birthday party Nov 21", "Birthday party", "2026-11-21", ""),
    (
        "Birthday party on 11/20",
        "Birthday party",
        "2027-11-20",
        "",
    ),
    ("Leap day party Feb 29", "Leap day party", "2028-02-29", ""),
    ("call mom may 5", "call mom", "2027-05-05", ""),
    ("Submit by Dec 3", "Submit", "2026-12-03", ""),
    ("Submit before friday", "Submit", "2026-11-27", ""),
    // Times: today if still ahead, else tomorrow.
    ("Call at 5pm", "Call", "2026-11-21T17:00", ""),
    ("Call 5pm", "Call", "2026-11-21T17:00", ""),
    ("Call 5 pm", "Call", "2026-11-21T17:00", ""),
    ("Call 5 p.m.", "Call", "2026-11-21T17:00", ""),
    ("Call 5:30pm", "Call", "2026-11-21T17:30", ""),
    ("Call at 5:30 PM", "Call", "2026-11-21T17:30", ""),
    ("Call 17:30", "Call", "2026-11-21T17:30", ""),
    ("Call @5pm", "Call", "2026-11-21T17:00", ""),
    ("Call @ 5pm", "Call", "2026-11-21T17:00", ""),
    ("Lunch at noon", "Lunch", "2026-11-21T12:00", ""),
    ("Deploy at midnight", "Deploy", "2026-11-21T23:59", ""),
    ("Call mom at 5", "Call mom", "2026-11-21T17:00", ""),
    ("Call mom at 5:30", "Call mom", "2026-11-21T17:30", ""),
    (
        "Call Bob at 4 with Ann",
        "Call Bob with Ann",
        "2026-11-21T16:00",
        "",
    ),
    ("Call Bob by 4 Tomorrow", "Call Bob", "2026-11-22T16:00", ""),
    ("Meet at 3 Main Street", "Meet at 3 Main Street", "", ""),
    ("Standup 10:30", "Standup", "2026-11-21T10:30", ""),
    ("Call before 5pm", "Call", "2026-11-21T17:00", ""),
    ("Call mom 5 o'clock", "Call mom", "2026-11-21T17:00", ""),
    ("Call at 9am", "Call", "2026-11-22T09:00", ""),
    ("Standup at 9", "Standup", "2026-11-22T09:00", ""),
    ("Standup at 11", "Standup", "2026-11-21T11:00", ""),
    ("Standup 09:30", "Standup", "2026-11-22T09:30", ""),
    ("Standup at 12am", "Standup", "2026-11-22T00:00", ""),
    ("Standup at 12pm", "Standup", "2026-11-21T12:00", ""),
    ("Report due by 5pm", "Report", "2026-11-21T17:00", ""),
    // Date and time together.
    ("Call mom friday at 5pm", "Call mom", "2026-11-27T17:00", ""),
    ("Call mom at 5pm friday", "Call mom", "2026-11-27T17:00", ""),
    ("Call mom friday 5pm", "Call mom", "2026-11-27T17:00", ""),
    ("Call 5pm tomorrow", "Call", "2026-11-22T17:00", ""),
    (
        "Call mom tomorrow, at 5pm",
        "Call mom",
        "2026-11-22T17:00",
        "",
    ),
    (
        "Water plants in 2 days at 5pm",
        "Water plants",
        "2026-11-23T17:00",
        "",
    ),
    ("Dentist Dec 3 at 17:30", "Dentist", "2026-12-03T17:30", ""),
    (
        "Report due on friday at 5pm",
        "Report",
        "2026-11-27T17:00",
        "",
    ),
    (
        "Report due by 5pm tomorrow",
        "Report",
        "2026-11-22T17:00",
        "",
    ),
    ("Run tomorrow morning", "Run", "2026-11-22T09:00", ""),
    ("Run tomorrow afternoon", "Run", "2026-11-22T14:00", ""),
    ("Drinks friday evening", "Drinks", "2026-11-27T20:00", ""),
    ("Drinks friday night", "Drinks", "2026-11-27T20:00", ""),
    (
        "Drinks tomorrow evening at 7",
        "Drinks",
        "2026-11-22T19:00",
        "",
    ),
    ("Lunch tomorrow at noon", "Lunch", "2026-11-22T12:00", ""),
    // Repetition; without a date, due on the first occurrence.
    ("Stretch every day", "Stretch", "2026-11-21", "r=FREQ=DAILY"),
    ("Stretch each day", "Stretch", "2026-11-21", "r=FREQ=DAILY"),
    ("Vitamins daily", "Vitamins", "2026-11-21", "r=FREQ=DAILY"),
    ("Stretch everyday", "Stretch", "2026-11-21", "r=FREQ=DAILY"),
    (
        "Standup every weekday",
        "Standup",
        "2026-11-23",
        "r=FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    ),
    (
        "Standup on weekdays",
        "Standup",
        "2026-11-23",
        "r=FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    ),
    (
        "Hike every weekend",
        "Hike",
        "2026-11-21",
        "r=FREQ=WEEKLY;BYDAY=SA,SU",
    ),
    (
        "Gym every monday and thursday",
        "Gym",
        "2026-11-23",
        "r=FREQ=WEEKLY;BYDAY=MO,TH",
    ),
    (
        "Gym every Thursday and Monday",
        "Gym",
        "2026-11-23",
        "r=FREQ=WEEKLY;BYDAY=MO,TH",
    ),
    (
        "Gym every mon, wed and fri",
        "Gym",
        "2026-11-23",
        "r=FREQ=WEEKLY;BYDAY=MO,WE,FR",
    ),
    (
        "Gym every tue & thu",
        "Gym",
        "2026-11-24",
        "r=FREQ=WEEKLY;BYDAY=TU,TH",
    ),
    (
        "Gym on mondays and thursdays",
        "Gym",
        "2026-11-23",
        "r=FREQ=WEEKLY;BYDAY=MO,TH",
    ),
    (
        "Gym every monday, call mom",
        "Gym call mom",
        "2026-11-23",
        "r=FREQ=WEEKLY;BYDAY=MO",
    ),
    (
        "Market every saturday",
        "Market",
        "2026-11-21",
        "r=FREQ=WEEKLY;BYDAY=SA",
    ),
    (
        "Market every saturday at 9am",
        "Market",
        "2026-11-28T09:00",
        "r=FREQ=WEEKLY;BYDAY=SA",
    ),
    (
        "Team sync every monday at 10am",
        "Team sync",
        "2026-11-23T10:00",
        "r=FREQ=WEEKLY;BYDAY=MO",
    ),
    (
        "Stretch every day at 9am",
        "Stretch",
        "2026-11-22T09:00",
        "r=FREQ=DAILY",
    ),
    (
        "Stretch every day at 5pm",
        "Stretch",
        "2026-11-21T17:00",
        "r=FREQ=DAILY",
    ),
    (
        "Review every 2 weeks",
        "Review",
        "2026-11-21",
        "r=FREQ=WEEKLY;INTERVAL=2",
    ),
    (
        "Review every two weeks",
        "Review",
        "2026-11-21",
        "r=FREQ=WEEKLY;INTERVAL=2",
    ),
    (
        "Review every other week",
        "Review",
        "2026-11-21",
        "r=FREQ=WEEKLY;INTERVAL=2",
    ),
    (
        "Review fortnightly",
        "Review",
        "2026-11-21",
        "r=FREQ=WEEKLY;INTERVAL=2",
    ),
    (
        "Review every other monday",
        "Review",
        "2026-11-23",
        "r=FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
    ),
    (
        "Water plants every 3 days",
        "Water plants",
        "2026-11-21",
        "r=FREQ=DAILY;INTERVAL=3",
    ),
    (
        "Newsletter weekly",
        "Newsletter",
        "2026-11-21",
        "r=FREQ=WEEKLY",
    ),
    (
        "Newsletter every week",
        "Newsletter",
        "2026-11-21",
        "r=FREQ=WEEKLY",
    ),
    (
        "Pay rent monthly",
        "Pay rent",
        "2026-11-21",
        "r=FREQ=MONTHLY",
    ),
    (
        "Pay rent every month",
        "Pay rent",
        "2026-11-21",
        "r=FREQ=MONTHLY",
    ),
    (
        "Pay rent monthly on Dec 1",
        "Pay rent",
        "2026-12-01",
        "r=FREQ=MONTHLY",
    ),
    (
        "Check smoke alarm every 6 months",
        "Check smoke alarm",
        "2026-11-21",
        "r=FREQ=MONTHLY;INTERVAL=6",
    ),
    (
        "Taxes quarterly",
        "Taxes",
        "2026-11-21",
        "r=FREQ=MONTHLY;INTERVAL=3",
    ),
    (
        "Renew domain every year",
        "Renew domain",
        "2026-11-21",
        "r=FREQ=YEARLY",
    ),
    (
        "Renew domain yearly",
        "Renew domain",
        "2026-11-21",
        "r=FREQ=YEARLY",
    ),
    (
        "Renew domain annually",
        "Renew domain",
        "2026-11-21",
        "r=FREQ=YEARLY",
    ),
    (
        "Bins repeat every tuesday",
        "Bins",
        "2026-11-24",
        "r=FREQ=WEEKLY;BYDAY=TU",
    ),
    (
        "Gym each week on friday",
        "Gym",
        "2026-11-27",
        "r=FREQ=WEEKLY",
    ),
    (
        "Gym every monday and",
        "Gym",
        "2026-11-23",
        "r=FREQ=WEEKLY;BYDAY=MO",
    ),
    // Priority.
    ("Fix prod urgent", "Fix prod", "", "p=urgent"),
    ("Urgent: fix prod", "fix prod", "", "p=urgent"),
    ("Taxes high priority", "Taxes", "", "p=high"),
    ("Taxes medium priority", "Taxes", "", "p=medium"),
    ("Taxes low priority", "Taxes", "", "p=low"),
    ("Taxes priority high", "Taxes", "", "p=high"),
    ("Taxes priority: low", "Taxes", "", "p=low"),
    ("Taxes high-priority", "Taxes", "", "p=high"),
    ("Call mom p1", "Call mom", "", "p=urgent"),
    ("Call mom p2", "Call mom", "", "p=high"),
    ("Call mom P3", "Call mom", "", "p=medium"),
    ("Call mom p4", "Call mom", "", "p=low"),
    ("Call mom !", "Call mom", "", "p=low"),
    ("Call mom !!", "Call mom", "", "p=medium"),
    ("Call mom !!!", "Call mom", "", "p=high"),
    ("Call mom !!!!", "Call mom", "", "p=urgent"),
    ("!!! Call mom", "Call mom", "", "p=high"),
    ("p1: call mom", "call mom", "", "p=urgent"),
    (
        "Call mom p1 low priority",
        "Call mom low priority",
        "",
        "p=urgent",
    ),
    // Tags.
    ("Report #work", "Report", "", "t=work"),
    ("Report #Work #q4-plan", "Report", "", "t=work,q4-plan"),
    ("#work #work report", "report", "", "t=work"),
    ("Report tag it work", "Report", "", "t=work"),
    ("Report tag it as work", "Report", "", "t=work"),
    ("Report tagged work", "Report", "", "t=work"),
    ("Report tagged as home", "Report", "", "t=home"),
    (
        "Report tagged with home, tomorrow",
        "Report",
        "2026-11-22",
        "t=home",
    ),
    // Everything at once.
    (
        "Call mom tomorrow at 5pm p1 #family",
        "Call mom",
        "2026-11-22T17:00",
        "p=urgent t=family",
    ),
    (
        "#work Send invoice every monday high priority",
        "Send invoice",
        "2026-11-23",
        "p=high t=work r=FREQ=WEEKLY;BYDAY=MO",
    ),
    (
        "Gym every monday and thursday at 7am !! #health",
        "Gym",
        "2026-11-23T07:00",
        "p=medium t=health r=FREQ=WEEKLY;BYDAY=MO,TH",
    ),
    // What must not match.
    ("Read 1984", "Read 1984", "", ""),
    ("Buy 2 apples", "Buy 2 apples", "", ""),
    ("check money", "check money", "", ""),
    ("The 5th Wave", "The 5th Wave", "", ""),
    ("C# homework", "C# homework", "", ""),
    ("Fix issue #12", "Fix issue #12", "", ""),
    ("Plan #2027-goals", "Plan", "", "t=2027-goals"),
    ("email may@example.com", "email may@example.com", "", ""),
    ("Call May", "Call May", "", ""),
    (
        "Buy sunday school supplies",
        "Buy sunday school supplies",
        "",
        "",
    ),
    ("Sunday school supplies", "Sunday school supplies", "", ""),
    ("Monday meeting notes", "Monday meeting notes", "", ""),
    ("Shop Black Friday", "Shop Black Friday", "", ""),
    ("Cyber Monday deals", "Cyber Monday deals", "", ""),
    ("meet at the park", "meet at the park", "", ""),
    ("p1 racing", "p1 racing", "", ""),
    (
        "Watch p1 racing tomorrow",
        "Watch p1 racing",
        "2026-11-22",
        "",
    ),
    ("Read John 3:16", "Read John 3:16", "", ""),
    ("Use 1/2 cup sugar", "Use 1/2 cup sugar", "", ""),
    ("Study for 2 hours", "Study for 2 hours", "", ""),
    ("Weekly review", "Weekly review", "", ""),
    ("Write daily report", "Write daily report", "", ""),
    ("Buy everyday essentials", "Buy everyday essentials", "", ""),
    ("Friday's meeting notes", "Friday's meeting notes", "", ""),
    ("Finish today's report", "Finish today's report", "", ""),
    ("Tomorrowland tickets", "Tomorrowland tickets", "", ""),
    ("SAT prep", "SAT prep", "", ""),
    ("Sun cream", "Sun cream", "", ""),
    ("Mayday drill", "Mayday drill", "", ""),
    ("Book urgent care visit", "Book urgent care visit", "", ""),
    ("Every kid needs a hat", "Every kid needs a hat", "", ""),
    ("Tag the photos", "Tag the photos", "", ""),
    ("Tagged luggage pickup", "Tagged luggage pickup", "", ""),
    ("Work at home", "Work at home", "", ""),
    ("Order 12 pizzas", "Order 12 pizzas", "", ""),
    ("Call mom!", "Call mom!", "", ""),
    ("Run 3 miles", "Run 3 miles", "", ""),
    ("Priority list", "Priority list", "", ""),
    ("Meet in the morning", "Meet in the morning", "", ""),
    ("Pay rent the 1st", "Pay rent the 1st", "", ""),
    ("June 2026 report", "June 2026 report", "", ""),
    ("Apr 31 deadline", "Apr 31 deadline", "", ""),
    ("Due diligence", "Due diligence", "", ""),
    ("Pay rent!!!", "Pay rent!!!", "", ""),
    (
        "Confirm on call tomorrow",
        "Confirm on call",
        "2026-11-22",
        "",
    ),
    ("Gym mondays", "Gym mondays", "", ""),
    (
        "Figure out what to work on tomorrow",
        "Figure out what to work on",
        "2026-11-22",
        "",
    ),
    // Dangling connectors, punctuation, whitespace and casing.
    ("Call mom tomorrow at", "Call mom", "2026-11-22", ""),
    ("Submit by tomorrow", "Submit", "2026-11-22", ""),
    ("  Buy   milk\ttomorrow  ", "Buy milk", "2026-11-22", ""),
    ("BUY MILK TOMORROW", "BUY MILK", "2026-11-22", ""),
    ("Café with Zoë tomorrow", "Café with Zoë", "2026-11-22", ""),
    (
        "Dentist friday or monday",
        "Dentist or monday",
        "2026-11-27",
        "",
    ),
    ("tomorrow", "", "2026-11-22", ""),
    ("", "", "", ""),
    // Quotes keep their text literal.
    (r#"Read "Friday" by Defoe"#, "Read Friday by Defoe", "", ""),
    (
        r#"Watch "The Day After Tomorrow" tonight"#,
        "Watch The Day After Tomorrow",
        "2026-11-21T20:00",
        "",
    ),
    (
        "Buy “Monday” magazine tomorrow",
        "Buy Monday magazine",
        "2026-11-22",
        "",
    ),
    (r#"Say "see you at 5pm""#, "Say see you at 5pm", "", ""),
    (r#"Read "tomorrow"#, "Read tomorrow", "", ""),
    (
        r#"Order 12" pizza tomorrow"#,
        r#"Order 12" pizza"#,
        "2026-11-22",
        "",
    ),
    (
        r##"Post "#work" on the wall p2"##,
        "Post #work on the wall",
        "",
        "p=high",
    ),
];

#[test]
fn saturday_in_paris() {
    check(SATURDAY, &saturday());
}

/// Friday 2026-11-27 10:00, Paris: a weekday's own name means next week's.
const FRIDAY: &[Case] = &[
    ("Pay rent friday", "Pay rent", "2026-12-04", ""),
    ("Pay rent this friday", "Pay rent", "2026-11-27", ""),
    ("Pay rent today", "Pay rent", "2026-11-27", ""),
    ("Pay rent next friday", "Pay rent", "2026-12-04", ""),
    ("Pay rent friday at 9am", "Pay rent", "2026-12-04T09:00", ""),
    ("Report end of week", "Report", "2026-11-27", ""),
    (
        "Market every friday",
        "Market",
        "2026-11-27",
        "r=FREQ=WEEKLY;BYDAY=FR",
    ),
    ("Clean this weekend", "Clean", "2026-11-28", ""),
    ("Gym monday", "Gym", "2026-11-30", ""),
    ("Gym next monday", "Gym", "2026-11-30", ""),
];

#[test]
fn on_a_friday() {
    check(FRIDAY, &ctx("2026-11-27T10:00", "Europe/Paris"));
}

/// Monday 2026-11-23 08:00, Paris: "next friday" is in next week.
const MONDAY: &[Case] = &[
    ("Pay rent friday", "Pay rent", "2026-11-27", ""),
    ("Pay rent next friday", "Pay rent", "2026-12-04", ""),
    ("Gym monday", "Gym", "2026-11-30", ""),
    ("Gym next monday", "Gym", "2026-11-30", ""),
    (
        "Gym every monday",
        "Gym",
        "2026-11-23",
        "r=FREQ=WEEKLY;BYDAY=MO",
    ),
    (
        "Standup every weekday at 9",
        "Standup",
        "2026-11-23T09:00",
        "r=FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    ),
    ("Standup at 9", "Standup", "2026-11-23T09:00", ""),
    ("Clean this weekend", "Clean", "2026-11-28", ""),
    ("Plan next week", "Plan", "2026-11-30", ""),
    ("Report end of week", "Report", "2026-11-27", ""),
];

#[test]
fn on_a_monday() {
    check(MONDAY, &ctx("2026-11-23T08:00", "Europe/Paris"));
}

/// Sunday 2026-11-22 10:00, Paris.
const SUNDAY: &[Case] = &[
    ("Clean this weekend", "Clean", "2026-11-22", ""),
    ("Clean next weekend", "Clean", "2026-11-28", ""),
    ("Plan next week", "Plan", "2026-11-23", ""),
    ("Gym next monday", "Gym", "2026-11-23", ""),
    ("Gym sunday", "Gym", "2026-11-29", ""),
    ("Report end of week", "Report", "2026-11-27", ""),
];

#[test]
fn on_a_sunday() {
    check(SUNDAY, &ctx("2026-11-22T10:00", "Europe/Paris"));
}

/// Friday 2026-11-20 22:00 in Los Angeles (already Saturday in UTC).
const LATE_IN_LOS_ANGELES: &[Case] = &[
    ("Call mom tonight", "Call mom", "2026-11-20T23:59", ""),
    ("Call mom tonight at 11", "Call mom", "2026-11-20T23:00", ""),
    ("Pay rent today", "Pay rent", "2026-11-20", ""),
    ("Pay rent tomorrow", "Pay rent", "2026-11-21", ""),
    ("Pay rent friday", "Pay rent", "2026-11-27", ""),
    ("Pay rent this friday", "Pay rent", "2026-11-20", ""),
    ("Call at 5pm", "Call", "2026-11-21T17:00", ""),
    ("Call at 11pm", "Call", "2026-11-20T23:00", ""),
    (
        "Check oven in 2 hours",
        "Check oven",
        "2026-11-21T00:00",
        "",
    ),
    (
        "Stretch every day at 9am",
        "Stretch",
        "2026-11-21T09:00",
        "r=FREQ=DAILY",
    ),
];

#[test]
fn late_evening_in_los_angeles() {
    check(
        LATE_IN_LOS_ANGELES,
        &ctx("2026-11-20T22:00", "America/Los_Angeles"),
    );
}

/// Sunday 2026-11-22 01:00 in Auckland (still Saturday in UTC).
const AUCKLAND: &[Case] = &[
    ("Pay rent today", "Pay rent", "2026-11-22", ""),
    ("Pay rent tomorrow", "Pay rent", "2026-11-23", ""),
    ("Pay rent monday", "Pay rent", "2026-11-23", ""),
    ("Pay rent at 9am", "Pay rent", "2026-11-22T09:00", ""),
    ("Stretch daily", "Stretch", "2026-11-22", "r=FREQ=DAILY"),
];

#[test]
fn early_morning_in_auckland() {
    check(AUCKLAND, &ctx("2026-11-22T01:00", "Pacific/Auckland"));
}

/// DST starts in Paris on 2026-03-29 (02:00 → 03:00); now Saturday 11:00.
const PARIS_SPRING: &[Case] = &[
    (
        "Backup tomorrow at 2:30am",
        "Backup",
        "2026-03-29T03:00",
        "",
    ),
    ("Backup tomorrow at 9am", "Backup", "2026-03-29T09:00", ""),
    ("Backup in 24 hours", "Backup", "2026-03-29T12:00", ""),
    (
        "Backup every day at 9am",
        "Backup",
        "2026-03-29T09:00",
        "r=FREQ=DAILY",
    ),
    ("Backup tomorrow", "Backup", "2026-03-29", ""),
];

#[test]
fn spring_forward_in_paris() {
    check(PARIS_SPRING, &ctx("2026-03-28T11:00", "Europe/Paris"));
}

/// DST ends in Paris on 2026-10-25 (03:00 → 02:00); now Saturday 12:00.
const PARIS_FALL: &[Case] = &[
    (
        "Backup tomorrow at 2:30am",
        "Backup",
        "2026-10-25T02:30",
        "",
    ),
    ("Backup in 24 hours", "Backup", "2026-10-25T11:00", ""),
    ("Backup tomorrow at 9am", "Backup", "2026-10-25T09:00", ""),
];

#[test]
fn fall_back_in_paris() {
    check(PARIS_FALL, &ctx("2026-10-24T12:00", "Europe/Paris"));
}

/// DST starts in New York on 2026-03-08 (02:00 → 03:00); now Saturday 10:00.
const NEW_YORK_SPRING: &[Case] = &[
    (
        "Backup tomorrow at 2:30am",
        "Backup",
        "2026-03-08T03:00",
        "",
    ),
    ("Backup tomorrow at 8am", "Backup", "2026-03-08T08:00", ""),
    ("Backup tonight", "Backup", "2026-03-07T20:00", ""),
];

#[test]
fn spring_forward_in_new_york() {
    check(
        NEW_YORK_SPRING,
        &ctx("2026-03-07T10:00", "America/New_York"),
    );
}

/// Sunday 2027-01-31, the last day of a month.
const JANUARY_31: &[Case] = &[
    ("Invoice end of month", "Invoice", "2027-01-31", ""),
    ("Invoice in a month", "Invoice", "2027-02-28", ""),
    ("Invoice next month", "Invoice", "2027-02-01", ""),
    ("Invoice tomorrow", "Invoice", "2027-02-01", ""),
    ("Invoice Jan 31", "Invoice", "2027-01-31", ""),
    ("Invoice Jan 30", "Invoice", "2028-01-30", ""),
    ("Invoice in a year", "Invoice", "2028-01-31", ""),
];

#[test]
fn at_the_end_of_january() {
    check(JANUARY_31, &ctx("2027-01-31T10:00", "Europe/Paris"));
}

/// February 2028 has 29 days.
const LEAP_FEBRUARY: &[Case] = &[
    ("Invoice end of month", "Invoice", "2028-02-29", ""),
    ("Invoice Feb 29", "Invoice", "2028-02-29", ""),
    ("Invoice in 3 weeks", "Invoice", "2028-03-02", ""),
];

#[test]
fn in_a_leap_february() {
    check(LEAP_FEBRUARY, &ctx("2028-02-10T10:00", "Europe/Paris"));
}

/// Thursday 2026-12-10 and Thursday 2026-12-31: dates past this year move on.
const DECEMBER: &[Case] = &[
    ("Dentist Dec 3", "Dentist", "2027-12-03", ""),
    ("Dentist on 12/3", "Dentist", "2027-12-03", ""),
    ("Dentist Dec 10", "Dentist", "2026-12-10", ""),
    ("Dentist Jan 5", "Dentist", "2027-01-05", ""),
];

const NEW_YEARS_EVE: &[Case] = &[
    ("Plan next week", "Plan", "2027-01-04", ""),
    ("Plan end of month", "Plan", "2026-12-31", ""),
    ("Plan next month", "Plan", "2027-01-01", ""),
    ("Plan tomorrow", "Plan", "2027-01-01", ""),
];

#[test]
fn in_december() {
    check(DECEMBER, &ctx("2026-12-10T10:00", "Europe/Paris"));
    check(NEW_YEARS_EVE, &ctx("2026-12-31T10:00", "Europe/Paris"));
}

/// Issue 14: priority tokens, priority clauses, days of the month and
/// monthly repetition on a day, "next monday at 9:30" — Saturday 2026-11-21,
/// 10:00 in Paris.
const HOW_PEOPLE_WRITE: &[Case] = &[
    ("Pay rent !high", "Pay rent", "", "p=high"),
    ("Pay rent !1", "Pay rent", "", "p=urgent"),
    ("Pay rent !2 friday", "Pay rent", "2026-11-27", "p=high"),
    ("Sort photos !3", "Sort photos", "", "p=medium"),
    ("Sort photos !4", "Sort photos", "", "p=low"),
    ("Call the vet !urgent", "Call the vet", "", "p=urgent"),
    ("Tidy garage !low #home", "Tidy garage", "", "p=low t=home"),
    ("Tidy garage !med", "Tidy garage", "", "p=medium"),
    ("Yay!!", "Yay!!", "", ""),
    ("Pay rent !5", "Pay rent !5", "", ""),
    ("Call mom, it's urgent", "Call mom", "", "p=urgent"),
    ("Call mom it is urgent", "Call mom", "", "p=urgent"),
    (
        "File the taxes, it's important",
        "File the taxes",
        "",
        "p=high",
    ),
    (
        "Pay the fine, that's urgent",
        "Pay the fine",
        "",
        "p=urgent",
    ),
    (
        "Call the bank tomorrow, it is very important",
        "Call the bank",
        "2026-11-22",
        "p=high",
    ),
    ("Fix the shelf, not urgent", "Fix the shelf", "", "p=low"),
    (
        "Renew insurance friday - very important",
        "Renew insurance",
        "2026-11-27",
        "p=high",
    ),
    ("Important email to Jo", "Important email to Jo", "", ""),
    ("Visit urgent care", "Visit urgent care", "", ""),
    ("Not urgent care leaflet", "Not urgent care leaflet", "", ""),
    // The domain's synonyms: in a clause about the task, not in a title.
    (
        "Fix the server, it's critical",
        "Fix the server",
        "",
        "p=urgent",
    ),
    (
        "Update the docs, not critical",
        "Update the docs",
        "",
        "p=low",
    ),
    ("Fix the critical bug", "Fix the critical bug", "", ""),
    ("Critical path review", "Critical path review", "", ""),
    ("Top priority list", "Top priority list", "", ""),
    ("Pay rent on the 1st", "Pay rent", "2026-12-01", ""),
    ("Water bill on the 25th", "Water bill", "2026-11-25", ""),
    (
        "Send the report by the 30th",
        "Send the report",
        "2026-11-30",
        "",
    ),
    ("Invoice on the 21st", "Invoice", "2026-11-21", ""),
    ("Call grandma on the 31st", "Call grandma", "2026-11-30", ""),
    ("Read The 5th Wave", "Read The 5th Wave", "", ""),
    ("Meet on the 2nd floor", "Meet on the 2nd floor", "", ""),
    ("Meet on the 2nd, floor 3", "Meet floor 3", "2026-12-02", ""),
    (
        "Remind me on the 15th to call",
        "Remind me to call",
        "2026-12-15",
        "",
    ),
    (
        "It is important to stretch",
        "It is important to stretch",
        "",
        "",
    ),
    (
        "Book a visit, it's urgent care",
        "Book a visit, it's urgent care",
        "",
        "",
    ),
    ("Book the 3rd room", "Book the 3rd room", "", ""),
    (
        "Pay rent on the 1st of December",
        "Pay rent",
        "2026-12-01",
        "",
    ),
    (
        "Pay rent every month on the 15th",
        "Pay rent",
        "2026-12-15",
        "r=FREQ=MONTHLY;BYMONTHDAY=15",
    ),
    (
        "Pay rent on the 1st of every month",
        "Pay rent",
        "2026-12-01",
        "r=FREQ=MONTHLY;BYMONTHDAY=1",
    ),
    (
        "Pay the nanny on the 15th of each month",
        "Pay the nanny",
        "2026-12-15",
        "r=FREQ=MONTHLY;BYMONTHDAY=15",
    ),
    (
        "Backup photos monthly on the 3rd",
        "Backup photos",
        "2026-12-03",
        "r=FREQ=MONTHLY;BYMONTHDAY=3",
    ),
    (
        "Invoice clients every month on the 21st",
        "Invoice clients",
        "2026-11-21",
        "r=FREQ=MONTHLY;BYMONTHDAY=21",
    ),
    (
        "Check the meter every month on the 1st at 9am",
        "Check the meter",
        "2026-12-01T09:00",
        "r=FREQ=MONTHLY;BYMONTHDAY=1",
    ),
    (
        "Rent every 2 months on the 5th",
        "Rent",
        "2026-12-05",
        "r=FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=5",
    ),
    (
        "Close the books every month on the 31st",
        "Close the books",
        "2026-11-30",
        "r=FREQ=MONTHLY;BYMONTHDAY=31,-1;BYSETPOS=1",
    ),
    (
        "remember to call mom tomorrow",
        "call mom",
        "2026-11-22",
        "",
    ),
    ("Don't forget to buy milk !1", "buy milk", "", "p=urgent"),
    ("Remind me to stretch", "stretch", "", ""),
    ("Remember to", "Remember to", "", ""),
    ("Remember the Titans", "Remember the Titans", "", ""),
    ("Email: remember to call", "Email: remember to call", "", ""),
    (
        "Standup next monday at 9:30",
        "Standup",
        "2026-11-23T09:30",
        "",
    ),
    (
        "Standup next monday at 9:30am p2",
        "Standup",
        "2026-11-23T09:30",
        "p=high",
    ),
];

#[test]
fn how_people_write() {
    check(HOW_PEOPLE_WRITE, &saturday());
    // On a Monday, "next monday" is a week away.
    check(
        &[(
            "Standup next monday at 9:30",
            "Standup",
            "2026-11-30T09:30",
            "",
        )],
        &ctx("2026-11-23T08:00", "America/New_York"),
    );
    // Late on the 30th in Tokyo, "the 1st" is tomorrow there.
    check(
        &[("Pay rent on the 1st", "Pay rent", "2026-12-01", "")],
        &ctx("2026-11-30T23:00", "Asia/Tokyo"),
    );
}

#[test]
fn a_note_after_the_task_is_its_description() {
    let cases = [
        (
            "Call the bank, note: ask about the fees",
            "Call the bank",
            "",
            Some("ask about the fees"),
        ),
        (
            "Buy paint tomorrow, note: white matte",
            "Buy paint",
            "2026-11-22",
            Some("white matte"),
        ),
        (
            "Fix the bike - note: back tyre, friday",
            "Fix the bike",
            "",
            Some("back tyre, friday"),
        ),
        (
            "Book a table friday; notes: window seat",
            "Book a table",
            "2026-11-27",
            Some("window seat"),
        ),
        (
            "Renew passport !high, description: two photos",
            "Renew passport",
            "",
            Some("two photos"),
        ),
        ("Note: buy milk", "Note: buy milk", "", None),
        ("Read note: 3", "Read note: 3", "", None),
        ("Call Jo, note:", "Call Jo", "", None),
    ];
    let ctx = saturday();
    for (input, title, due, note) in cases {
        let parsed = parse(input, &ctx);
        assert_eq!(parsed.title, title, "{input}");
        assert_eq!(show_due(parsed.due, ctx.tz), due, "{input}");
        assert_eq!(parsed.description.as_deref(), note, "{input}");
        assert_eq!(parsed.to_draft().description.as_deref(), note, "{input}");
    }
}

#[test]
fn month_day_rules_are_labelled_and_described() {
    let parsed = parse("Pay rent every month on the 15th", &saturday());
    let chip = parsed
        .matches
        .iter()
        .find(|m| m.kind == MatchKind::Recurrence);
    assert_eq!(
        chip.map(|m| m.label.as_str()),
        Some("every month on the 15th")
    );
    assert_eq!(
        Recurrence::describe_rule("FREQ=MONTHLY;BYMONTHDAY=1"),
        "every month on the 1st"
    );
    assert_eq!(
        Recurrence::describe_rule("FREQ=MONTHLY;BYMONTHDAY=31,-1;BYSETPOS=1"),
        "every month on the 31st"
    );
    assert_eq!(
        Recurrence::describe_rule("FREQ=WEEKLY;BYMONTHDAY=3"),
        "FREQ=WEEKLY;BYMONTHDAY=3"
    );
}

#[test]
fn there_are_enough_cases() {
    let total = [
        SATURDAY,
        FRIDAY,
        MONDAY,
        SUNDAY,
        LATE_IN_LOS_ANGELES,
        AUCKLAND,
        PARIS_SPRING,
        PARIS_FALL,
        NEW_YORK_SPRING,
        JANUARY_31,
        LEAP_FEBRUARY,
        DECEMBER,
        NEW_YEARS_EVE,
    ]
    .iter()
    .map(|t| t.len())
    .sum::<usize>();
    assert!(total >= 150, "only {total} cases");
}

// ---------------------------------------------------------------------------
// Spans and labels.

fn chips(input: &str, ctx: &ParseContext) -> Vec<(MatchKind, Range<usize>, String, String)> {
    parse(input, ctx)
        .matches
        .into_iter()
        .map(|m| (m.kind, m.span, m.text, m.label))
        .collect()
}

fn chip(
    kind: MatchKind,
    span: Range<usize>,
    text: &str,
    label: &str,
) -> (MatchKind, Range<usize>, String, String) {
    (kind, span, text.to_owned(), label.to_owned())
}

#[test]
fn date_and_time_chips() {
    assert_eq!(
        chips("Call mom friday at 5pm", &saturday()),
        [
            chip(MatchKind::Date, 9..15, "friday", "Fri 27 Nov"),
            chip(MatchKind::Time, 16..22, "at 5pm", "5:00 PM"),
        ]
    );
    assert_eq!(
        chips("Report due on Dec 3, 2027", &saturday()),
        [chip(
            MatchKind::Date,
            7..25,
            "due on Dec 3, 2027",
            "Fri 3 Dec 2027"
        )]
    );
    assert_eq!(
        chips("Call mom tonight", &saturday()),
        [chip(
            MatchKind::Date,
            9..16,
            "tonight",
            "Sat 21 Nov, 8:00 PM"
        )]
    );
    assert_eq!(
        chips("Call mom tonight at 9", &saturday()),
        [
            chip(MatchKind::Date, 9..16, "tonight", "Sat 21 Nov"),
            chip(MatchKind::Time, 17..21, "at 9", "9:00 PM"),
        ]
    );
    assert_eq!(
        chips("Tea in 2 hours", &saturday()),
        [chip(
            MatchKind::Time,
            4..14,
            "in 2 hours",
            "Sat 21 Nov, 12:00 PM"
        )]
    );
    assert_eq!(
        chips("Run tomorrow morning", &saturday()),
        [
            chip(MatchKind::Date, 4..12, "tomorrow", "Sun 22 Nov"),
            chip(MatchKind::Time, 13..20, "morning", "9:00 AM"),
        ]
    );
    assert_eq!(
        chips("Run tomorrow morning at 7", &saturday())[1],
        chip(MatchKind::Time, 13..20, "morning", "Morning")
    );
    assert_eq!(
        chips("Deploy at midnight", &saturday()),
        [chip(MatchKind::Time, 7..18, "at midnight", "11:59 PM")]
    );
}

#[test]
fn recurrence_priority_and_tag_chips() {
    assert_eq!(
        chips(
            "Gym every monday and thursday high priority #health",
            &saturday()
        ),
        [
            chip(
                MatchKind::Recurrence,
                4..29,
                "every monday and thursday",
                "every Monday and Thursday"
            ),
            chip(
                MatchKind::Priority,
                30..43,
                "high priority",
                "High priority"
            ),
            chip(MatchKind::Tag, 44..51, "#health", "#health"),
        ]
    );
    assert_eq!(
        chips("Pay rent monthly p1", &saturday()),
        [
            chip(MatchKind::Recurrence, 9..16, "monthly", "every month"),
            chip(MatchKind::Priority, 17..19, "p1", "Urgent"),
        ]
    );
    assert_eq!(
        chips("Review every 2 weeks !", &saturday()),
        [
            chip(
                MatchKind::Recurrence,
                7..20,
                "every 2 weeks",
                "every 2 weeks"
            ),
            chip(MatchKind::Priority, 21..22, "!", "Low priority"),
        ]
    );
    assert_eq!(
        chips("Standup every weekday tag it work", &saturday()),
        [
            chip(
                MatchKind::Recurrence,
                8..21,
                "every weekday",
                "every weekday"
            ),
            chip(MatchKind::Tag, 22..33, "tag it work", "#work"),
        ]
    );
}

#[test]
fn spans_are_byte_ranges_and_skip_punctuation() {
    let input = "Café, Zoë (tomorrow), #Fête";
    let parsed = parse(input, &saturday());
    assert_eq!(parsed.title, "Café, Zoë");
    assert_eq!(parsed.tags, [Tag::parse("fête").unwrap()]);
    let spans: Vec<_> = parsed.matches.iter().map(|m| m.span.clone()).collect();
    assert_eq!(spans, [13..21, 24..30]);
    assert_eq!(&input[13..21], "tomorrow");
}

#[test]
fn the_first_of_each_kind_wins_and_the_rest_stays_in_the_title() {
    let parsed = parse("Dentist friday or monday at 5pm at 6pm", &saturday());
    assert_eq!(parsed.title, "Dentist or monday at 6pm");
    assert_eq!(show_due(parsed.due, parsed_tz()), "2026-11-27T17:00");
    let kinds: Vec<_> = parsed.matches.iter().map(|m| m.kind).collect();
    assert_eq!(kinds, [MatchKind::Date, MatchKind::Time]);
}

fn parsed_tz() -> TimeZone {
    saturday().tz
}

// ---------------------------------------------------------------------------
// Dismissed chips.

fn spans(ranges: &[(usize, usize)]) -> Vec<Range<usize>> {
    ranges.iter().map(|&(start, end)| start..end).collect()
}

#[test]
fn dismissed_spans_stay_in_the_title() {
    let mut ctx = saturday();
    let input = "Call mom friday";
    assert_eq!(parse(input, &ctx).due, Some(Due::Date(date(2026, 11, 27))));
    ctx.keep_literal = spans(&[(9, 15)]);
    let parsed = parse(input, &ctx);
    assert_eq!(parsed.title, "Call mom friday");
    assert_eq!(parsed.due, None);
    assert!(parsed.matches.is_empty());

    // Dismissing the time chip keeps the date.
    let input = "Meeting tomorrow at 5pm";
    ctx.keep_literal = spans(&[(17, 23)]);
    let parsed = parse(input, &ctx);
    assert_eq!(parsed.title, "Meeting at 5pm");
    assert_eq!(parsed.due, Some(Due::Date(date(2026, 11, 22))));

    // A dismissed connector is not absorbed by the phrase after it.
    let input = "Work on friday";
    ctx.keep_literal = spans(&[(5, 7)]);
    let parsed = parse(input, &ctx);
    assert_eq!(parsed.title, "Work on");
    assert_eq!(parsed.matches[0].span, 8..14);

    // Ranges out of bounds or inside a character do no harm.
    ctx.keep_literal = spans(&[(2, 3), (500, 900), (7, 1)]);
    let parsed = parse("Zoë tomorrow", &ctx);
    assert_eq!(parsed.title, "Zoë");
    assert_eq!(parsed.due, Some(Due::Date(date(2026, 11, 22))));
}

#[test]
fn a_dismissed_tag_and_priority() {
    let mut ctx = saturday();
    ctx.keep_literal = spans(&[(7, 12), (13, 15)]);
    let parsed = parse("Report #work p1 tomorrow", &ctx);
    assert_eq!(parsed.title, "Report #work p1");
    assert!(parsed.tags.is_empty());
    assert_eq!(parsed.priority, None);
    assert_eq!(parsed.due, Some(Due::Date(date(2026, 11, 22))));
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

// ---------------------------------------------------------------------------
// The task it makes.

#[test]
fn the_draft_validates_into_the_same_task() {
    let ctx = saturday();
    let parsed = parse("Call mom friday at 5pm p2 #family #Home every friday", &ctx);
    let draft = parsed.to_draft();
    assert_eq!(draft.title, "Call mom");
    assert_eq!(draft.due_at.as_deref(), Some("2026-11-27T16:00:00Z"));
    assert_eq!(draft.priority.as_deref(), Some("high"));
    assert_eq!(
        draft.tags,
        Some(vec!["family".to_owned(), "home".to_owned()])
    );
    assert_eq!(draft.recurrence.as_deref(), Some("FREQ=WEEKLY;BYDAY=FR"));
    let task = draft.validate(ctx.tz).unwrap();
    assert_eq!(Some(task.due.unwrap()), parsed.due);
    assert_eq!(task.priority, Priority::High);
    assert_eq!(task.recurrence, parsed.recurrence);

    let all_day = parse("Pay rent Dec 3", &ctx).to_draft();
    assert_eq!(all_day.due_at.as_deref(), Some("2026-12-03"));
    assert_eq!(all_day.priority, None);
    assert_eq!(all_day.tags, None);
    let task = all_day.validate(ctx.tz).unwrap();
    assert_eq!(task.due, Some(Due::Date(date(2026, 12, 3))));
}

#[test]
fn a_recurring_task_moves_on_from_its_first_occurrence() {
    let ctx = saturday();
    let parsed = parse("Gym every monday and thursday", &ctx);
    let rule = parsed.recurrence.clone().unwrap();
    let (next, _) = rule
        .next_after(parsed.due.unwrap(), ctx.tz, ctx.now)
        .unwrap();
    assert_eq!(next, Due::Date(date(2026, 11, 26)));
}

#[test]
fn serialises_with_the_api_due_format() {
    let parsed = parse("Call mom friday at 5pm #family", &saturday());
    let json = serde_json::to_value(&parsed).unwrap();
    assert_eq!(json["due"], "2026-11-27T16:00:00Z");
    assert_eq!(json["matches"][0]["kind"], "date");
    assert_eq!(json["matches"][1]["span"]["start"], 16);
    assert_eq!(json["tags"][0], "family");
    let back: QuickAdd = serde_json::from_value(json).unwrap();
    assert_eq!(back, parsed);

    let all_day = parse("Pay rent tomorrow", &saturday());
    let json = serde_json::to_value(&all_day).unwrap();
    assert_eq!(json["due"], "2026-11-22");
    assert_eq!(serde_json::from_value::<QuickAdd>(json).unwrap(), all_day);
    let none = serde_json::to_value(parse("Pay rent", &saturday())).unwrap();
    assert!(none["due"].is_null());
}

#[test]
fn timed_due_dates_are_utc_instants() {
    let ctx = ctx("2026-03-28T11:00", "Europe/Paris");
    let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    assert_eq!(
        parse("tomorrow at 9am", &ctx).due,
        Some(Due::At(at("2026-03-29T07:00:00Z")))
    );
    assert_eq!(
        parse("today at 9pm", &ctx).due,
        Some(Due::At(at("2026-03-28T20:00:00Z")))
    );
}

#[test]
fn the_result_does_not_depend_on_seconds() {
    let mut ctx = saturday();
    ctx.now += chrono::Duration::seconds(42);
    assert_eq!(
        show_due(parse("in 2 hours", &ctx).due, ctx.tz),
        "2026-11-21T12:00"
    );
}

#[test]
fn every_prefix_of_a_line_parses() {
    // The web UI parses on every keystroke: no prefix may panic, and every
    // span must lie on character boundaries.
    let ctx = saturday();
    let line = "Café “Zoë” every mon, wed & fri at 5:30 p.m. due on 12/3 #tâche !!! tag it x";
    for (end, _) in line.char_indices() {
        let parsed = parse(&line[..end], &ctx);
        for m in parsed.matches {
            assert!(line[..end].get(m.span.clone()).is_some());
        }
    }
    let parsed = parse(line, &ctx);
    assert_eq!(parsed.title, "Café Zoë");
    assert_eq!(parsed.tags.len(), 2);
    assert_eq!(parsed.priority, Some(Priority::High));
    assert_eq!(
        parsed.recurrence.map(String::from).as_deref(),
        Some("FREQ=WEEKLY;BYDAY=MO,WE,FR")
    );
    assert_eq!(show_due(parsed.due, ctx.tz), "2026-12-03T17:30");
}

#[test]
fn weekday_helpers_agree_with_chrono() {
    // The fixed "now" of the tables is the Saturday they say it is.
    assert_eq!(saturday().tz.today(saturday().now).weekday(), Weekday::Sat);
}
