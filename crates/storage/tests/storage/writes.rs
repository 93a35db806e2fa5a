//! Writes are all or nothing, on SQLite and on Postgres: a write whose row
//! cannot be read back is rolled back instead of breaking every later read.

use crate::support;

use chrono::{NaiveDate, Utc};
use todo_domain::{Due, NewTask, Priority, TaskQuery, TimeZone};
use todo_storage::Store;

/// A task the domain would refuse: due in year 10000, which SQLite stores
/// as text it cannot read back.
fn out_of_range() -> NewTask {
    NewTask {
        title: "far away".into(),
        description: String::new(),
        priority: Priority::None,
        tags: Vec::new(),
        due: Some(Due::Date(NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap())),
        recurrence: None,
    }
}

async fn a_write_that_cannot_be_read_back_leaves_nothing_behind(store: Store) {
    let sqlite = store.backend() == "sqlite";
    let now = Utc::now();
    let user = store
        .insert_user("ada@example.com", "Ada", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    let filter = TaskQuery::default().resolve(now, TimeZone::UTC);
    match store.insert_task(user.id, &out_of_range(), now).await {
        // Nothing stored: the listing still works and is empty.
        Err(_) => assert_eq!(store.list_tasks(user.id, &filter).await.unwrap().total, 0),
        // Stored (Postgres holds year 10000): then it also reads back.
        Ok(task) => {
            assert!(!sqlite, "SQLite cannot read year 10000 back");
            let page = store.list_tasks(user.id, &filter).await.unwrap();
            assert_eq!((page.items, page.total), (vec![task], 1));
        }
    }
    // The same through an update of a task that was fine.
    let mut fine = out_of_range();
    fine.due = None;
    let task = store.insert_task(user.id, &fine, now).await.unwrap();
    let mut edited = task.clone();
    edited.due = Some(Due::At(
        NaiveDate::from_ymd_opt(10_000, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc(),
    ));
    let updated = store.update_task(user.id, &edited, task.version).await;
    assert_eq!(updated.is_err(), sqlite, "{updated:?}");
    if updated.is_err() {
        assert_eq!(store.get_task(user.id, task.id).await.unwrap(), Some(task));
    }
    store.list_tasks(user.id, &filter).await.unwrap();
}

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = support::sqlite_url(&dir, "todo.db");
    a_write_that_cannot_be_read_back_leaves_nothing_behind(support::store(&url).await).await;
}

#[tokio::test]
async fn postgres() {
    let url = todo_testkit::fresh_postgres_database();
    a_write_that_cannot_be_read_back_leaves_nothing_behind(support::store(&url).await).await;
}
