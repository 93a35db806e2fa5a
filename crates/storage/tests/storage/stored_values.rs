//! A row holding values the domain no longer accepts (a repetition rule or a
//! tag written under older limits, or by hand) still reads, on SQLite and on
//! Postgres: the values are left off the task (with a warning in the log),
//! so one old row does not fail every page holding it.

use crate::support;

use chrono::{DateTime, Utc};
use todo_domain::{NewTask, Priority, Recurrence, Tag, TaskQuery, TimeZone};
use todo_storage::{Store, StoreOptions};

async fn refused_stored_values_are_left_off(store: Store, url: &str) {
    let now = Utc::now();
    let user = store
        .insert_user("ada@example.com", "Ada", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    let new = NewTask {
        title: "water the plants".into(),
        description: String::new(),
        priority: Priority::None,
        tags: vec![Tag::parse("garden").unwrap()],
        due: None,
        recurrence: Some(Recurrence::parse("FREQ=WEEKLY;BYDAY=MO,TH").unwrap()),
    };
    let task = store.insert_task(user.id, &new, now).await.unwrap();
    assert_eq!(task.recurrence, new.recurrence, "read back as written");
    assert_eq!(task.tags, new.tags);

    // Hourly repeats were refused after they could be stored; a tag with a
    // space never was valid.
    let sql = "UPDATE tasks SET recurrence = 'FREQ=HOURLY', tags = '[\"garden\", \"not ok\"]' WHERE id = $1";
    if store.backend() == "postgres" {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query(sql).bind(task.id).execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query(sql).bind(task.id).execute(&pool).await.unwrap();
        pool.close().await;
    }

    let read = store.get_task(user.id, task.id).await.unwrap().unwrap();
    assert_eq!(read.recurrence, None);
    assert_eq!(read.tags, new.tags);
    assert_eq!(read.title, task.title);
    let filter = TaskQuery::default().resolve(now, TimeZone::UTC);
    let page = store.list_tasks(user.id, &filter).await.unwrap();
    assert_eq!(page.items, vec![read]);
}

/// Instants read back exactly as written, to the microsecond, on either
/// side of Postgres' epoch (2000) and at the ends of four-digit years: the
/// Postgres reader converts its microseconds itself.
async fn instants_read_back_as_written(store: Store) {
    let user = store
        .insert_user("ada@example.com", "Ada", "x", TimeZone::UTC, Utc::now())
        .await
        .unwrap();
    for text in [
        "0001-01-01T00:00:00Z",
        "1970-01-01T00:00:00Z",
        "1999-12-31T23:59:59.999999Z",
        "2000-01-01T00:00:00Z",
        "2000-01-01T00:00:00.000001Z",
        "2026-12-02T13:45:01.123456789Z",
        "9999-12-31T23:59:59.999999Z",
    ] {
        let at = DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc);
        let task = store
            .insert_task(user.id, &support::new_task(text), at)
            .await
            .unwrap();
        let read = store.get_task(user.id, task.id).await.unwrap().unwrap();
        let micros = DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap();
        assert_eq!(
            (read.created_at, read.updated_at),
            (micros, micros),
            "{text}"
        );
    }
}

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = support::sqlite_url(&dir, "todo.db");
    let store = Store::connect(&url, &StoreOptions::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    refused_stored_values_are_left_off(store, &url).await;
}

#[tokio::test]
async fn instants_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = support::store(&support::sqlite_url(&dir, "todo.db")).await;
    instants_read_back_as_written(store).await;
}

#[tokio::test]
async fn instants_on_postgres() {
    let store = support::store(&todo_testkit::fresh_postgres_database()).await;
    instants_read_back_as_written(store).await;
}

#[tokio::test]
async fn postgres() {
    let url = todo_testkit::fresh_postgres_database();
    let store = Store::connect(&url, &StoreOptions::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    refused_stored_values_are_left_off(store, &url).await;
}
