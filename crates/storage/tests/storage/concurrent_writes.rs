//! Many writers at once, more than the pool has connections, on SQLite and
//! on Postgres: every write succeeds, none is lost, and none waits for
//! another forever (SQLite's writers take turns on the store's write gate).

use crate::support;

use std::time::Duration;

use chrono::Utc;
use todo_domain::chat::TurnRecord;
use todo_domain::{TaskQuery, TimeZone};
use todo_storage::{CompleteOutcome, Store, StoreOptions};

/// Four times the pool's connections.
const WRITERS: usize = 40;

async fn concurrent_writers_all_land(store: Store) {
    assert!(WRITERS > 2 * StoreOptions::default().max_connections as usize);
    let now = Utc::now();
    let user = store
        .insert_user("ada@example.com", "Ada", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    let conversation = store
        .create_conversation(user.id, "busy", now)
        .await
        .unwrap();
    let mut existing = Vec::new();
    for i in 0..WRITERS {
        let task = support::new_task(format!("old {i}"));
        existing.push(store.insert_task(user.id, &task, now).await.unwrap());
    }

    // Each writer adds a task, completes an old one (a transaction of two
    // statements) and records a chat turn, all at the same time.
    let writers = existing.into_iter().enumerate().map(|(i, old)| {
        let store = store.clone();
        tokio::spawn(async move {
            let title = format!("new {i}");
            store
                .insert_task(user.id, &support::new_task(title), now)
                .await?;
            let completed = store
                .complete_task(user.id, old.id, old.version, now, None)
                .await?;
            assert!(matches!(completed, CompleteOutcome::Completed(..)));
            let message = format!("turn {i}");
            let turn = TurnRecord {
                user_message: &message,
                reply: "ok",
                actions: &[],
                state: "{}",
            };
            assert!(
                store
                    .record_turn(user.id, conversation.id, &turn, now)
                    .await?
            );
            Ok::<_, todo_storage::StoreError>(())
        })
    });
    let all = futures::future::join_all(writers);
    let results = tokio::time::timeout(Duration::from_secs(60), all)
        .await
        .expect("the writers finished: none waits for another forever");
    for result in results {
        result
            .expect("the writer did not panic")
            .expect("the write succeeded");
    }

    let query = TaskQuery {
        limit: 2 * WRITERS as u32,
        ..TaskQuery::default()
    };
    let page = store
        .list_tasks(user.id, &query.resolve(now, TimeZone::UTC))
        .await
        .unwrap();
    let titles = |prefix: &str| {
        let mut found: Vec<_> = page
            .items
            .iter()
            .filter(|t| t.title.starts_with(prefix))
            .map(|t| (t.title.clone(), t.completed))
            .collect();
        found.sort();
        found
    };
    let mut expected_new: Vec<_> = (0..WRITERS).map(|i| (format!("new {i}"), false)).collect();
    expected_new.sort();
    assert_eq!(titles("new "), expected_new);
    let mut expected_old: Vec<_> = (0..WRITERS).map(|i| (format!("old {i}"), true)).collect();
    expected_old.sort();
    assert_eq!(titles("old "), expected_old);
    let (_, _, history) = store
        .conversation_with_history(user.id, conversation.id, 1000)
        .await
        .unwrap()
        .expect("the conversation is there");
    assert_eq!(history.len(), 2 * WRITERS, "both messages of every turn");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = support::sqlite_url(&dir, "todo.db");
    concurrent_writers_all_land(support::store(&url).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres() {
    let url = todo_testkit::fresh_postgres_database();
    concurrent_writers_all_land(support::store(&url).await).await;
}
