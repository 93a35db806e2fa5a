//! Reading messages into intents.

use super::*;
use crate::builtin::text::normalize;
use chrono::{DateTime, Utc};
use todo_domain::{words, TimeZone};

fn ctx() -> ParseContext {
    let now: DateTime<Utc> = "2026-11-21T09:00:00Z".parse().unwrap();
    ParseContext::new(now, TimeZone::parse("Europe/Paris").unwrap())
}

fn read(text: &str) -> Intent {
    parse(&normalize(text), &ctx())
}

fn adds(text: &str) -> Vec<String> {
    match read(text) {
        Intent::Add(items) => items.into_iter().map(|item| item.said).collect(),
        other => panic!("{text}: {other:?}"),
    }
}

fn acts(text: &str) -> (Op, Vec<Ref>) {
    match read(text) {
        Intent::Act { op, refs, .. } => (op, refs),
        other => panic!("{text}: {other:?}"),
    }
}

#[test]
fn every_pattern_compiles() {
    // The tables' rules, each compiled.
    for table in tables() {
        assert!(!table.entries.is_empty());
        assert_eq!(table.broken(), Vec::<String>::new());
    }
    assert_eq!(list::DUE_WORDS.broken(), Vec::<String>::new());
    // The single patterns (`re!`) written in the theme files, found in
    // their source: a broken one would silently read as no match.
    let sources = [
        include_str!("add.rs"),
        include_str!("edit.rs"),
        include_str!("list.rs"),
        include_str!("talk.rs"),
    ];
    let mut count = 0;
    for source in sources {
        for (at, _) in source.match_indices("re!(") {
            let after = source[at + 4..].trim_start();
            let Some(body) = after.strip_prefix("r\"") else {
                continue;
            };
            let pattern = &body[..body.find('"').unwrap()];
            assert!(Regex::new(pattern).is_ok(), "{pattern}");
            count += 1;
        }
    }
    assert!(count >= 20, "only {count} patterns found");
    // Exercising each theme reads through its patterns.
    for text in [
        "help",
        "hi",
        "thanks",
        "lol",
        "yes",
        "no",
        "clear completed",
        "add milk",
        "show my tasks",
        "find dentist",
        "done with it",
        "delete task 3",
        "rename task 3 to x",
        "move it to friday",
        "postpone it by 2 days",
        "make it urgent",
        "tag it work",
        "untag it work",
        "describe it as x",
        "stop repeating it",
        "remove the due date from it",
        "make it repeat weekly",
    ] {
        assert_ne!(read(text), Intent::Unknown, "{text}");
    }
}

#[test]
fn several_tasks_at_once() {
    assert_eq!(adds("add milk, eggs and bread"), ["milk", "eggs", "bread"]);
    assert_eq!(
        adds("add buy milk tomorrow and call mom friday at 5pm"),
        ["buy milk tomorrow", "call mom friday at 5pm"]
    );
    assert_eq!(adds("add milk and eggs"), ["milk", "eggs"]);
    assert_eq!(adds("add buy milk and eggs"), ["buy milk and eggs"]);
    assert_eq!(adds("add call mom and dad"), ["call mom and dad"]);
    assert_eq!(
        adds("add gym every monday and thursday"),
        ["gym every monday and thursday"]
    );
    assert_eq!(adds("Add Email Bob, friday"), ["Email Bob, friday"]);
    assert_eq!(
        adds("remind me to call mom tomorrow"),
        ["call mom tomorrow"]
    );
    assert_eq!(adds("ADD MILK"), ["MILK"]);
    assert_eq!(adds("add milk to my shopping list"), ["milk"]);
}

#[test]
fn listings() {
    let Intent::List(spec) = read("what's due today") else {
        panic!()
    };
    assert_eq!(spec.due, Some(DueArg::Today));
    let Intent::List(spec) = read("show my work tasks") else {
        panic!()
    };
    assert_eq!(spec.tag_or_query.as_deref(), Some("work"));
    let Intent::List(spec) = read("show completed") else {
        panic!()
    };
    assert_eq!(spec.status, Some(StatusArg::Completed));
    let Intent::List(spec) = read("find dentist") else {
        panic!()
    };
    assert_eq!(spec.query.as_deref(), Some("dentist"));
    let Intent::List(spec) = read("what's overdue") else {
        panic!()
    };
    assert_eq!(spec.due, Some(DueArg::Overdue));
    assert_eq!(read("what's the weather like"), Intent::Unknown);
}

#[test]
fn completing_and_references() {
    assert_eq!(
        acts("done with the second one"),
        (Op::Complete, vec![Ref::Position(2)])
    );
    assert_eq!(acts("mark #12 as done"), (Op::Complete, vec![Ref::Id(12)]));
    assert_eq!(
        acts("I finished the groceries task"),
        (Op::Complete, vec![Ref::Title("groceries".into())])
    );
    assert_eq!(acts("compelte task 4"), (Op::Complete, vec![Ref::Id(4)]));
    assert_eq!(acts("delet it"), (Op::Delete, vec![Ref::Pronoun]));
    assert_eq!(
        acts("mark the first one as not done"),
        (Op::Reopen, vec![Ref::Position(1)])
    );
}

#[test]
fn edits() {
    let (op, refs) = acts("rename task 3 to Buy oat milk");
    assert_eq!(refs, [Ref::Id(3)]);
    assert_eq!(
        op,
        Op::Edit(Changes {
            title: Some("Buy oat milk".into()),
            ..Changes::default()
        })
    );
    let (op, refs) = acts("move it to friday");
    assert_eq!(refs, [Ref::Pronoun]);
    assert_eq!(
        op,
        Op::Edit(Changes {
            due: Some(Due::Date(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap())),
            ..Changes::default()
        })
    );
    let (op, refs) = acts("push the dentist task to next week");
    assert_eq!(refs, [Ref::Title("dentist".into())]);
    assert!(matches!(op, Op::Edit(Changes { due: Some(_), .. })));
    let (op, _) = acts("postpone it by 2 days");
    assert_eq!(
        op,
        Op::Edit(Changes {
            shift: Some(Shift {
                amount: 2,
                unit: Unit::Days
            }),
            ..Changes::default()
        })
    );
    let (op, _) = acts("make it urgent");
    assert_eq!(
        op,
        Op::Edit(Changes {
            priority: Some(PriorityArg::Urgent),
            ..Changes::default()
        })
    );
    let (op, _) = acts("tag it work");
    assert_eq!(
        op,
        Op::Edit(Changes {
            add_tags: vec![Tag::parse("work").unwrap()],
            ..Changes::default()
        })
    );
    let (op, refs) = acts("add a note to task 4: bring the passport");
    assert_eq!(refs, [Ref::Id(4)]);
    assert_eq!(
        op,
        Op::Edit(Changes {
            note: Some("bring the passport".into()),
            ..Changes::default()
        })
    );
}

#[test]
fn odd_input_reads_without_panicking() {
    let long = "add ".to_owned() + &"very ".repeat(900) + "long task tomorrow";
    for text in [
        "",
        "   ",
        "🎉🎉🎉",
        "#-9223372036854775808",
        "complete task 99999999999999999999",
        "postpone it by 99999999999 days",
        "İstanbul’a git yarın",
        "\"unclosed quote add milk",
        "add , , and ,",
        long.as_str(),
    ] {
        let _ = read(text);
    }
    assert_eq!(shift_of("99999999999 days"), None);
}

#[test]
fn small_talk_and_fallback() {
    assert_eq!(read("thanks!"), Intent::Talk(Talk::Thanks));
    assert_eq!(read("How are you?"), Intent::Talk(Talk::HowAreYou));
    assert_eq!(read("lol"), Intent::Talk(Talk::Ack));
    assert_eq!(read("what can you do?"), Intent::Help);
    assert_eq!(read("clear completed tasks"), Intent::ClearCompleted);
    assert_eq!(read("I love pizza"), Intent::Unknown);
}

/// "What did I complete today?" asks when they were done, not when due.
#[test]
fn done_in_a_window_is_by_completion() {
    let done = |window: Option<CompletedFilter>| {
        Intent::List(ListSpec {
            status: Some(StatusArg::Completed),
            completed: window,
            ..ListSpec::default()
        })
    };
    for (said, window) in [
        ("what did I complete today?", CompletedFilter::Today),
        ("What did I finish yesterday?", CompletedFilter::Yesterday),
        ("what have I done this week?", CompletedFilter::Week),
        (
            "what did we get done in the past week",
            CompletedFilter::Week,
        ),
        ("show tasks I completed today", CompletedFilter::Today),
        (
            "list the tasks I finished yesterday",
            CompletedFilter::Yesterday,
        ),
        ("show my completed tasks this week", CompletedFilter::Week),
    ] {
        assert_eq!(read(said), done(Some(window)), "{said}");
    }
    assert_eq!(read("what did I complete?"), done(None));
    // Still by due date when not asking what was done.
    assert_eq!(
        read("what's due today?"),
        Intent::List(ListSpec {
            due: Some(DueArg::Today),
            ..ListSpec::default()
        })
    );
}

/// Issue 14: the phrasings people use every day.
#[test]
fn how_people_write() {
    let search = |q: &str| {
        Intent::List(ListSpec {
            status: Some(StatusArg::All),
            query: Some(q.into()),
            ..ListSpec::default()
        })
    };
    // A question never acts.
    assert_eq!(read("is the report done?"), search("report"));
    assert_eq!(read("have I finished the report?"), search("report"));
    assert_eq!(read("did I complete the report already?"), search("report"));
    assert_eq!(
        read("what did I complete?"),
        Intent::List(ListSpec {
            status: Some(StatusArg::Completed),
            ..ListSpec::default()
        })
    );
    assert_eq!(read("why is the report late?"), Intent::Unknown);
    // …but a request phrased as one does.
    assert_eq!(acts("can we mark the report done").0, Op::Complete);
    assert_eq!(acts("just did it"), (Op::Complete, vec![Ref::Pronoun]));
    // Lead-ins stay out of the task; the grammar's reading comes along.
    assert_eq!(
        adds("I need to remember to renew my passport"),
        ["renew my passport"]
    );
    assert_eq!(adds("don't forget: buy milk"), ["buy milk"]);
    let Intent::Add(tasks) = read("add call the bank !high, note: ask about fees") else {
        panic!("not an add");
    };
    assert_eq!(tasks[0].parsed.title, "call the bank");
    assert_eq!(tasks[0].parsed.priority, Some(Priority::High));
    assert_eq!(
        tasks[0].parsed.description.as_deref(),
        Some("ask about fees")
    );
    // Several targets, and a tag as a target.
    assert_eq!(
        acts("complete buy milk and call mom").1,
        vec![Ref::Titles {
            whole: "buy milk call mom".into(),
            parts: vec!["buy milk".into(), "call mom".into()],
        }]
    );
    assert_eq!(
        acts("complete everything tagged #work"),
        (Op::Complete, vec![Ref::Tagged("work".into())])
    );
    // Relative priority.
    let step = |text: &str| match acts(text).0 {
        Op::Edit(changes) => changes.priority_step,
        other => panic!("{text}: {other:?}"),
    };
    assert_eq!(step("lower the priority of buy milk"), Some(-1));
    assert_eq!(step("make it more important"), Some(1));
    assert_eq!(step("bump up the priority of task 3"), Some(1));
    // Rename by id, without "to".
    assert_eq!(
        acts("call task 4 Bee"),
        (
            Op::Edit(Changes {
                title: Some("Bee".into()),
                ..Changes::default()
            }),
            vec![Ref::Id(4)]
        )
    );
}

#[test]
fn a_relative_priority_moves_one_level() {
    let down = Changes {
        priority_step: Some(-1),
        ..Changes::default()
    };
    let up = Changes {
        priority_step: Some(1),
        ..Changes::default()
    };
    for (current, lowered, raised) in [
        (Priority::None, PriorityArg::Low, PriorityArg::High),
        (Priority::Low, PriorityArg::Low, PriorityArg::Medium),
        (Priority::Medium, PriorityArg::Low, PriorityArg::High),
        (Priority::High, PriorityArg::Medium, PriorityArg::Urgent),
        (Priority::Urgent, PriorityArg::High, PriorityArg::Urgent),
    ] {
        assert_eq!(
            down.for_priority(current).priority,
            Some(lowered),
            "{current:?}"
        );
        assert_eq!(
            up.for_priority(current).priority,
            Some(raised),
            "{current:?}"
        );
        assert_eq!(up.for_priority(current).priority_step, None);
    }
    assert_eq!(
        Changes::default().for_priority(Priority::High),
        Changes::default()
    );
}

/// Listings ask for a priority in the domain's words: the level's own word,
/// its number and the synonyms ("critical", "important"); such a word is
/// the filter, not a tag ("show my critical tasks").
#[test]
fn listings_read_the_domain_s_priority_words() {
    let listed = |text: &str| match read(text) {
        Intent::List(spec) => (spec.priority, spec.tag_or_query),
        other => panic!("{text}: {other:?}"),
    };
    for p in Priority::ALL.into_iter().filter(|p| *p != Priority::None) {
        let text = format!("show my {} tasks", p.as_str());
        assert_eq!(listed(&text), (Some(p), None), "{text}");
    }
    let numbers = words::PRIORITY_NUMBERS.map(|(n, p)| (format!("p{n}"), p));
    let synonyms = words::PRIORITY_SYNONYMS.map(|(w, p)| (w.to_owned(), p));
    for (word, p) in numbers.into_iter().chain(synonyms) {
        let text = format!("show my {word} tasks");
        assert_eq!(listed(&text), (Some(p), None), "{text}");
    }
    // "med" names a level only where a priority is expected.
    assert_eq!(listed("show my med tasks"), (None, Some("med".into())));
}

/// "give X a … priority" takes the domain's level words and synonyms, and
/// nothing else.
#[test]
fn give_takes_the_domain_s_priority_words() {
    let given = |text: &str| match acts(text).0 {
        Op::Edit(changes) => changes.priority,
        other => panic!("{text}: {other:?}"),
    };
    for (word, p) in words::PRIORITY_LEVELS
        .into_iter()
        .chain(words::PRIORITY_SYNONYMS)
    {
        let phrase = word.strip_suffix(" priority").unwrap_or(word);
        let text = format!("give the report a {phrase} priority");
        assert_eq!(given(&text), Some(p), "{text}");
    }
    assert_eq!(given("give it top priority"), Some(Priority::Urgent));
    assert_eq!(
        given("give buy milk an important priority"),
        Some(Priority::High)
    );
    assert!(!matches!(read("give mom a call"), Intent::Act { .. }));
}
