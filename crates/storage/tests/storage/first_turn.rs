//! A conversation starts with its first turn's record (one statement on
//! Postgres), and a deleted account's new rows read as the account gone,
//! not as a database error: on SQLite and on Postgres.

use crate::support;

use chrono::Utc;
use todo_domain::chat::{Role, TurnRecord};
use todo_domain::TimeZone;
use todo_storage::{Store, StoreError};

fn turn<'a>(said: &'a str, reply: &'a str) -> TurnRecord<'a> {
    TurnRecord {
        user_message: said,
        reply,
        actions: &[],
        state: r#"{"shown":[1]}"#,
    }
}

async fn a_first_turn_starts_the_conversation(store: Store) {
    let now = Utc::now();
    let user = store
        .insert_user("ada@example.com", "Ada", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    let id = store
        .record_first_turn(user.id, "Milk", &turn("add milk", "Added milk."), now)
        .await
        .unwrap();
    assert!(store
        .record_turn(user.id, id, &turn("thanks", "You're welcome."), now)
        .await
        .unwrap());
    let (conversation, state, history) = store
        .conversation_with_history(user.id, id, 10)
        .await
        .unwrap()
        .expect("the conversation is stored");
    assert_eq!(conversation.title, "Milk");
    assert_eq!(state, r#"{"shown":[1]}"#);
    let said: Vec<(Role, &str)> = history
        .iter()
        .map(|m| (m.role, m.content.as_str()))
        .collect();
    assert_eq!(
        said,
        [
            (Role::User, "add milk"),
            (Role::Assistant, "Added milk."),
            (Role::User, "thanks"),
            (Role::Assistant, "You're welcome."),
        ]
    );
    assert_eq!(
        store.list_conversations(user.id, 10).await.unwrap().len(),
        1
    );
}

async fn a_deleted_owner_s_new_rows_are_refused(store: Store) {
    let now = Utc::now();
    let user = store
        .insert_user("ada@example.com", "Ada", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    store
        .create_conversation(user.id, "first", now)
        .await
        .unwrap();
    assert!(store.delete_user(user.id).await.unwrap());
    let conversation = store.create_conversation(user.id, "second", now).await;
    assert!(
        matches!(conversation, Err(StoreError::OwnerGone)),
        "{:?}",
        conversation.map(|c| c.id)
    );
    let first_turn = store
        .record_first_turn(user.id, "third", &turn("hi", "Hello."), now)
        .await;
    assert!(
        matches!(first_turn, Err(StoreError::OwnerGone)),
        "{first_turn:?}"
    );
    let task = support::new_task("orphan");
    let inserted = store.insert_task(user.id, &task, now).await;
    assert!(
        matches!(inserted, Err(StoreError::OwnerGone)),
        "{:?}",
        inserted.map(|t| t.id)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = support::sqlite_url(&dir, "todo.db");
    a_first_turn_starts_the_conversation(support::store(&url).await).await;
    let url = support::sqlite_url(&dir, "deleted.db");
    a_deleted_owner_s_new_rows_are_refused(support::store(&url).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    let url = todo_testkit::fresh_postgres_database();
    a_first_turn_starts_the_conversation(support::store(&url).await).await;
    let url = todo_testkit::fresh_postgres_database();
    a_deleted_owner_s_new_rows_are_refused(support::store(&url).await).await;
}
