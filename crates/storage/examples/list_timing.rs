//! Times `Store::list_tasks` (100 tasks) and its JSON encoding, without HTTP:
//! `cargo run --release -p todo-storage --example list_timing -- sqlite:///tmp/x.db`
//! (or a postgres:// URL). Prints figures; asserts nothing.

use std::time::Instant;
use todo_domain::query::TaskQueryParams;
use todo_domain::{TaskDraft, TimeZone};
use todo_storage::{Store, StoreOptions};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let url = std::env::args().nth(1).unwrap();
    let store = Store::connect(&url, &StoreOptions::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let now = chrono::Utc::now();
    let user = store
        .insert_user(
            &format!("u{}@x.io", now.timestamp_micros()),
            "u",
            "h",
            TimeZone::UTC,
            now,
        )
        .await
        .unwrap();
    for i in 0..100 {
        let t = TaskDraft {
            title: format!("task {i}"),
            tags: Some(vec!["work".into(), "home".into()]),
            due_at: Some("2030-01-01".into()),
            ..Default::default()
        }
        .validate(TimeZone::UTC)
        .unwrap();
        store.insert_task(user.id, &t, now).await.unwrap();
    }
    let filter = TaskQueryParams {
        limit: Some("100".into()),
        ..Default::default()
    }
    .validate()
    .unwrap()
    .resolve(now, TimeZone::UTC);
    for _ in 0..50 {
        store.list_tasks(user.id, &filter).await.unwrap();
    }
    let n = 2000;
    let start = Instant::now();
    for _ in 0..n {
        store.list_tasks(user.id, &filter).await.unwrap();
    }
    let per = start.elapsed() / n;
    let tasks = store.list_tasks(user.id, &filter).await.unwrap().items;
    let start = Instant::now();
    for _ in 0..n {
        let _ = serde_json::to_vec(&tasks).unwrap();
    }
    println!(
        "{}: list_tasks {:?}/call, serialize {:?}",
        store.backend(),
        per,
        start.elapsed() / n
    );
}
