//! `completed=today|yesterday|week` lists the tasks completed in those local
//! days of the user's time zone (by `completed_at`), on SQLite and on
//! Postgres — not the tasks due then.

use crate::support;

use chrono::{DateTime, NaiveDate, Utc};
use todo_domain::query::TaskQueryParams;
use todo_domain::{Due, NewTask, Priority, TimeZone};

fn task(title: &str, due: Option<Due>) -> NewTask {
    NewTask {
        title: title.into(),
        description: String::new(),
        priority: Priority::None,
        tags: Vec::new(),
        due,
        recurrence: None,
    }
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

async fn completed_windows_follow_the_users_days(url: &str) {
    let store = support::store(url).await;
    let paris = TimeZone::parse("Europe/Paris").unwrap();
    // 00:30 on Tuesday 1 December in Paris, still 30 November in UTC.
    let now = at("2026-11-30T23:30:00Z");
    let created = at("2026-11-01T09:00:00Z");
    let user = store
        .insert_user("ada@example.com", "Ada", "x", paris, created)
        .await
        .unwrap();
    let other = store
        .insert_user("bob@example.com", "Bob", "x", paris, created)
        .await
        .unwrap();
    let today = Some(Due::Date(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()));
    let seeds = [
        // 00:10 on 1 December in Paris (30 November in UTC).
        ("done today", None, Some("2026-11-30T23:10:00Z")),
        // 23:50 on 30 November in Paris (the same UTC day as now).
        ("done yesterday", None, Some("2026-11-30T22:50:00Z")),
        (
            "due today, done yesterday",
            today,
            Some("2026-11-30T08:00:00Z"),
        ),
        ("due today, open", today, None),
        ("done five days ago", None, Some("2026-11-26T10:00:00Z")),
        // 23:59 on 24 November in Paris: a day before the week.
        (
            "done the day before the week",
            None,
            Some("2026-11-24T22:59:00Z"),
        ),
    ];
    for (title, due, completed) in seeds {
        let task = store
            .insert_task(user.id, &task(title, due), created)
            .await
            .unwrap();
        if let Some(when) = completed {
            store
                .complete_task(user.id, task.id, task.version, at(when), None)
                .await
                .unwrap();
        }
    }
    // Another user's completion today never shows.
    let theirs = store
        .insert_task(other.id, &task("theirs", None), created)
        .await
        .unwrap();
    store
        .complete_task(other.id, theirs.id, theirs.version, now, None)
        .await
        .unwrap();

    let list = |completed: &str, status: Option<&str>| {
        let filter = TaskQueryParams {
            completed: Some(completed.into()),
            status: status.map(str::to_owned),
            sort: Some("title".into()),
            ..TaskQueryParams::default()
        }
        .validate()
        .unwrap()
        .resolve(now, paris);
        let store = &store;
        async move {
            let page = store.list_tasks(user.id, &filter).await.unwrap();
            assert_eq!(page.total, page.items.len() as i64);
            page.items
                .into_iter()
                .map(|t| {
                    assert!(t.completed, "{}", t.title);
                    t.title
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list("today", None).await, ["done today"]);
    assert_eq!(
        list("yesterday", None).await,
        ["done yesterday", "due today, done yesterday"]
    );
    assert_eq!(
        list("week", Some("all")).await,
        [
            "done five days ago",
            "done today",
            "done yesterday",
            "due today, done yesterday"
        ]
    );
    assert!(list("today", Some("pending")).await.is_empty());
}

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = support::sqlite_url(&dir, "todo.db");
    completed_windows_follow_the_users_days(&url).await;
}

#[tokio::test]
async fn postgres() {
    let url = todo_testkit::fresh_postgres_database();
    completed_windows_follow_the_users_days(&url).await;
}
