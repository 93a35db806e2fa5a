//! The tag filter (`tag=`) and the tag list (`GET /api/tags`) read tables
//! kept by triggers beside each task's JSON tags (`task_tags`,
//! `tag_counts`): after every kind of write — create, edit, complete with
//! a next occurrence, reopen, delete, clear completed, delete the account
//! — both answer what the tasks themselves hold, on SQLite and Postgres.

use crate::support;

use chrono::{DateTime, Duration, Utc};
use todo_domain::account::UserId;
use todo_domain::query::TaskQueryParams;
use todo_domain::{Tag, TimeZone};
use todo_storage::Store;

/// The titles `tag=` lists (with `status` and `order` if given), in order,
/// and the page's total.
async fn tagged(
    store: &Store,
    user: UserId,
    tag: &str,
    status: Option<&str>,
    order: Option<&str>,
) -> (Vec<String>, i64) {
    let params = TaskQueryParams {
        tag: Some(tag.into()),
        status: status.map(Into::into),
        order: order.map(Into::into),
        ..TaskQueryParams::default()
    };
    let filter = params
        .validate()
        .unwrap()
        .resolve(Utc::now(), TimeZone::UTC);
    let page = store.list_tasks(user, &filter).await.unwrap();
    (
        page.items.into_iter().map(|t| t.title).collect(),
        page.total,
    )
}

/// The tag list as (name, open) pairs, and the open tasks.
async fn tag_list(store: &Store, user: UserId) -> (Vec<(String, i64)>, i64) {
    let list = store.tag_counts(user, 200).await.unwrap();
    assert!(!list.more && !list.counts_capped);
    let items = list
        .items
        .into_iter()
        .map(|t| (t.name.into_string(), t.open))
        .collect();
    (items, list.open_tasks)
}

fn pairs(expected: &[(&str, i64)]) -> Vec<(String, i64)> {
    expected.iter().map(|(t, n)| (t.to_string(), *n)).collect()
}

fn titles(expected: &[&str]) -> Vec<String> {
    expected.iter().map(|t| t.to_string()).collect()
}

/// Rows of the derived tables left for `user` (read straight from the
/// database).
async fn derived_rows(url: &str, user: UserId) -> (i64, i64) {
    let task_tags = "SELECT COUNT(*) FROM task_tags WHERE user_id = $1";
    let tag_counts = "SELECT COUNT(*) FROM tag_counts WHERE user_id = $1";
    if url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let a = sqlx::query_scalar(task_tags)
            .bind(user)
            .fetch_one(&pool)
            .await
            .unwrap();
        let b = sqlx::query_scalar(tag_counts)
            .bind(user)
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        (a, b)
    } else {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let a = sqlx::query_scalar(task_tags)
            .bind(user)
            .fetch_one(&pool)
            .await
            .unwrap();
        let b = sqlx::query_scalar(tag_counts)
            .bind(user)
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        (a, b)
    }
}

async fn tags_follow_every_write(url: &str) {
    let store = support::store(url).await;
    let start = Utc::now();
    let at = |s: i64| -> DateTime<Utc> { start + Duration::seconds(s) };
    let ada = store
        .insert_user("ada@example.com", "Ada", "x", TimeZone::UTC, start)
        .await
        .unwrap();
    let bob = store
        .insert_user("bob@example.com", "Bob", "x", TimeZone::UTC, start)
        .await
        .unwrap();

    // Created.
    let rent = store
        .insert_task(
            ada.id,
            &support::tagged_task("Pay rent", &["home", "finance"]),
            at(1),
        )
        .await
        .unwrap();
    let sink = store
        .insert_task(
            ada.id,
            &support::tagged_task("Fix the sink", &["home"]),
            at(2),
        )
        .await
        .unwrap();
    let book = store
        .insert_task(ada.id, &support::tagged_task("Read a book", &[]), at(3))
        .await
        .unwrap();
    store
        .insert_task(bob.id, &support::tagged_task("Bob's", &["home"]), at(4))
        .await
        .unwrap();
    assert_eq!(
        tagged(&store, ada.id, "home", None, None).await,
        (titles(&["Fix the sink", "Pay rent"]), 2)
    );
    assert_eq!(
        tagged(&store, ada.id, "home", None, Some("asc")).await,
        (titles(&["Pay rent", "Fix the sink"]), 2)
    );
    assert_eq!(
        tag_list(&store, ada.id).await,
        (pairs(&[("finance", 1), ("home", 2)]), 3)
    );

    // Edited: the sink moves from home to work; an edit of the title alone
    // changes no tag.
    let mut edited = sink.clone();
    edited.tags = vec![Tag::parse("work").unwrap()];
    let sink = store
        .update_task(ada.id, &edited, sink.version)
        .await
        .unwrap()
        .unwrap();
    let mut renamed = book.clone();
    renamed.title = "Read two books".into();
    let book = store
        .update_task(ada.id, &renamed, book.version)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        tagged(&store, ada.id, "home", None, None).await,
        (titles(&["Pay rent"]), 1)
    );
    assert_eq!(
        tagged(&store, ada.id, "work", None, None).await,
        (titles(&["Fix the sink"]), 1)
    );
    assert_eq!(
        tag_list(&store, ada.id).await,
        (pairs(&[("finance", 1), ("home", 1), ("work", 1)]), 3)
    );

    // Completed, with its next occurrence (as a recurring task's is
    // inserted in the same transaction): the completed one keeps its tags
    // for `tag=` and leaves the counts of open tasks; the next one counts.
    let next = support::tagged_task("Pay rent", &["home", "finance", "monthly"]);
    store
        .complete_task(ada.id, rent.id, rent.version, at(10), Some(&next))
        .await
        .unwrap();
    // The next occurrence is created at `at(10)`: the newest.
    assert_eq!(
        tagged(&store, ada.id, "home", None, None).await,
        (titles(&["Pay rent", "Pay rent"]), 2)
    );
    assert_eq!(
        tagged(&store, ada.id, "home", Some("completed"), None).await,
        (titles(&["Pay rent"]), 1)
    );
    assert_eq!(
        tagged(&store, ada.id, "monthly", Some("pending"), None).await,
        (titles(&["Pay rent"]), 1)
    );
    assert_eq!(
        tag_list(&store, ada.id).await,
        (
            pairs(&[("finance", 1), ("home", 1), ("monthly", 1), ("work", 1)]),
            3
        )
    );

    // Reopened: counted again.
    store.reopen_task(ada.id, rent.id, at(11)).await.unwrap();
    assert_eq!(
        tag_list(&store, ada.id).await,
        (
            pairs(&[("finance", 2), ("home", 2), ("monthly", 1), ("work", 1)]),
            4
        )
    );

    // Deleted: gone from both.
    assert!(store.delete_task(ada.id, sink.id).await.unwrap());
    assert_eq!(
        tagged(&store, ada.id, "work", None, None).await,
        (titles(&[]), 0)
    );
    assert_eq!(
        tag_list(&store, ada.id).await,
        (pairs(&[("finance", 2), ("home", 2), ("monthly", 1)]), 3)
    );

    // Completed again and cleared: the completed task goes from `tag=`;
    // the counts, which did not hold it, stay.
    let rent = store.get_task(ada.id, rent.id).await.unwrap().unwrap();
    store
        .complete_task(ada.id, rent.id, rent.version, at(12), None)
        .await
        .unwrap();
    assert_eq!(
        tag_list(&store, ada.id).await,
        (pairs(&[("finance", 1), ("home", 1), ("monthly", 1)]), 2)
    );
    assert_eq!(store.clear_completed(ada.id).await.unwrap(), 1);
    assert_eq!(
        tagged(&store, ada.id, "home", None, None).await,
        (titles(&["Pay rent"]), 1)
    );
    assert_eq!(
        tag_list(&store, ada.id).await,
        (pairs(&[("finance", 1), ("home", 1), ("monthly", 1)]), 2)
    );
    // The book never had a tag: none appears for it.
    assert!(store.delete_task(ada.id, book.id).await.unwrap());
    assert_eq!(
        tag_list(&store, ada.id).await,
        (pairs(&[("finance", 1), ("home", 1), ("monthly", 1)]), 1)
    );

    // Bob's are his alone, throughout.
    assert_eq!(
        tagged(&store, bob.id, "home", None, None).await,
        (titles(&["Bob's"]), 1)
    );
    assert_eq!(tag_list(&store, bob.id).await, (pairs(&[("home", 1)]), 1));

    // The account deleted: its tasks go by cascade, and their tags with
    // them, from both tables; Bob's stay.
    assert!(derived_rows(url, ada.id).await != (0, 0));
    assert!(store.delete_user(ada.id).await.unwrap());
    assert_eq!(derived_rows(url, ada.id).await, (0, 0));
    assert_eq!(tag_list(&store, ada.id).await, (pairs(&[]), 0));
    assert_eq!(tag_list(&store, bob.id).await, (pairs(&[("home", 1)]), 1));
    assert_eq!(
        tagged(&store, bob.id, "home", None, None).await,
        (titles(&["Bob's"]), 1)
    );
}

/// Writes the JSON tags of task `id` by hand, as an operator's SQL would.
async fn set_tags_by_hand(url: &str, id: i64, tags: &str) {
    let sql = "UPDATE tasks SET tags = $1 WHERE id = $2";
    if url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query(sql)
            .bind(tags)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query(sql)
            .bind(tags)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
}

/// Tags written by SQL run by hand, in the shapes the storage layer never
/// writes (a duplicate, another spelling of an empty array) and in those
/// the triggers write without reading the array's elements (none, one).
async fn tags_written_by_hand_stay_in_step(url: &str) {
    let store = support::store(url).await;
    let now = Utc::now();
    let ada = store
        .insert_user("ada@example.com", "Ada", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    let task = store
        .insert_task(
            ada.id,
            &support::tagged_task("Water the plants", &["home"]),
            now,
        )
        .await
        .unwrap();
    let steps: [(&str, &[(&str, i64)]); 5] = [
        (r#"["home","home","garden"]"#, &[("garden", 1), ("home", 1)]),
        (r#"["garden"]"#, &[("garden", 1)]),
        ("[]", &[]),
        ("[ ]", &[]),
        (r#"["work","home"]"#, &[("home", 1), ("work", 1)]),
    ];
    for (tags, expected) in steps {
        set_tags_by_hand(url, task.id, tags).await;
        assert_eq!(
            tag_list(&store, ada.id).await,
            (pairs(expected), 1),
            "{tags}"
        );
        for (tag, _) in expected {
            assert_eq!(
                tagged(&store, ada.id, tag, None, None).await,
                (titles(&["Water the plants"]), 1),
                "{tags}: {tag}"
            );
        }
        let tag_rows = expected.len() as i64;
        // One count row per tag and one for the open tasks, in the task's
        // shard.
        assert_eq!(
            derived_rows(url, ada.id).await,
            (tag_rows, tag_rows + 1),
            "{tags}"
        );
    }
}

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    tags_follow_every_write(&support::sqlite_url(&dir, "todo.db")).await;
}

#[tokio::test]
async fn postgres() {
    tags_follow_every_write(&todo_testkit::fresh_postgres_database()).await;
}

#[tokio::test]
async fn by_hand_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    tags_written_by_hand_stay_in_step(&support::sqlite_url(&dir, "todo.db")).await;
}

#[tokio::test]
async fn by_hand_on_postgres() {
    tags_written_by_hand_stay_in_step(&todo_testkit::fresh_postgres_database()).await;
}
