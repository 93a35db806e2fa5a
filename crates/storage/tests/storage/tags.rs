//! The tags on a user's open tasks with their counts (`GET /api/tags`), on
//! SQLite and on Postgres: what they count and leave out, their order and
//! bounds, and, for a user with more open tasks than the count reads, that
//! the database's plan walks an index and stops at the cap.

use crate::support;

use chrono::{Duration, Utc};
use todo_domain::tags::{TagCount, TagList, TAGS_COUNTED_TASKS};
use todo_domain::TimeZone;
use todo_storage::Store;

fn counts(tags: &[TagCount]) -> Vec<(&str, i64)> {
    tags.iter().map(|t| (t.name.as_str(), t.open)).collect()
}

async fn open_tasks_tags_by_name_with_counts(store: &Store) {
    let now = Utc::now();
    let ada = store
        .insert_user("ada@example.com", "Ada", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    let bob = store
        .insert_user("bob@example.com", "Bob", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    assert_eq!(
        store.tag_counts(ada.id, 200).await.unwrap(),
        TagList::default()
    );

    for (title, tags) in [
        ("Pay rent", &["home", "finance"][..]),
        ("Fix the sink", &["home"]),
        ("Plan the offsite", &["work", "été-2026"]),
        ("Read a book", &[]),
        ("Call the bank", &["finance", "a_1"]),
    ] {
        store
            .insert_task(ada.id, &support::tagged_task(title, tags), now)
            .await
            .unwrap();
    }
    // A completed task's tags do not count: "archive" is on none open.
    let done = store
        .insert_task(
            ada.id,
            &support::tagged_task("Old report", &["work", "archive"]),
            now,
        )
        .await
        .unwrap();
    store
        .complete_task(ada.id, done.id, done.version, now, None)
        .await
        .unwrap();
    // Another user's tags are not Ada's.
    store
        .insert_task(
            bob.id,
            &support::tagged_task("Bob's", &["home", "secret"]),
            now,
        )
        .await
        .unwrap();

    // By name (tags are lowercase: code point order, "é" after "w").
    let list = store.tag_counts(ada.id, 200).await.unwrap();
    assert_eq!(
        counts(&list.items),
        [
            ("a_1", 1),
            ("finance", 2),
            ("home", 2),
            ("work", 1),
            ("été-2026", 1)
        ]
    );
    assert!(!list.more && !list.counts_capped);
    // Ada's open tasks: the five, not the completed one.
    assert_eq!(list.open_tasks, 5);
    // At most `limit`, the first by name, saying that more follow.
    let list = store.tag_counts(ada.id, 2).await.unwrap();
    assert_eq!(counts(&list.items), [("a_1", 1), ("finance", 2)]);
    assert!(list.more);
    let list = store.tag_counts(ada.id, 5).await.unwrap();
    assert_eq!(list.items.len(), 5);
    assert!(!list.more, "exactly the limit: nothing more");
    assert_eq!(
        counts(&store.tag_counts(bob.id, 200).await.unwrap().items),
        [("home", 1), ("secret", 1)]
    );
}

/// `count` tasks of `user` created at `$1`, numbered `n` from 1, with the
/// `completed` and `tags` (a JSON array) SQL expressions of `n`.
fn insert_tasks(user: i64, count: u32, completed: &str, tags: &str) -> String {
    format!(
        "INSERT INTO tasks (user_id, title, completed, tags, created_at, updated_at) \
         WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {count}) \
         SELECT {user}, 'task ' || n, {completed}, {tags}, $1, $1 FROM g"
    )
}

/// Open tasks of a big user beyond the open tasks counted, tagged `old` only.
const OLD_TASKS: u32 = 2_000;

/// A big user: [`TAGS_COUNTED_TASKS`] open tasks tagged `all` and one of
/// `a`, `b`, `c`, completed ones tagged `done`, and another user's tasks
/// (inserted by SQL: the triggers count them); then [`OLD_TASKS`] older
/// open tasks tagged `old`, past the open tasks counted.
async fn a_big_users_tags_read_an_index_up_to_the_cap(store: &Store, url: &str) {
    let backend = store.backend();
    let now = Utc::now();
    let big = store
        .insert_user("big@example.com", "Big", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    let other = store
        .insert_user("other@example.com", "Other", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    let abc = "'[\"' || CASE n % 3 WHEN 0 THEN 'a' WHEN 1 THEN 'b' ELSE 'c' END || '\", \"all\"]'";
    let seed = |sql: String, at: chrono::DateTime<Utc>| async move {
        let at = todo_storage::Timestamp::new(at);
        if backend == "postgres" {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::query(&sql).bind(at).execute(&pool).await.unwrap();
            // As autovacuum would: statistics and the visibility map.
            sqlx::raw_sql("VACUUM ANALYZE tasks")
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        } else {
            let pool = sqlx::SqlitePool::connect(url).await.unwrap();
            sqlx::query(&sql).bind(at).execute(&pool).await.unwrap();
            sqlx::raw_sql("ANALYZE").execute(&pool).await.unwrap();
            pool.close().await;
        }
    };
    seed(insert_tasks(big.id, TAGS_COUNTED_TASKS, "FALSE", abc), now).await;
    seed(insert_tasks(big.id, 2_000, "TRUE", "'[\"done\"]'"), now).await;
    seed(
        insert_tasks(other.id, 3_000, "n % 2 = 0", "'[\"other\"]'"),
        now,
    )
    .await;

    let third = i64::from(TAGS_COUNTED_TASKS) / 3;
    let expected = [
        ("a", third),
        ("all", i64::from(TAGS_COUNTED_TASKS)),
        ("b", third + 1),
        ("c", third),
    ];
    // Exactly as many open tasks as are read: every one counted.
    let list = store.tag_counts(big.id, 200).await.unwrap();
    assert_eq!(counts(&list.items), expected, "{backend}");
    assert!(!list.more && !list.counts_capped, "{backend}");
    assert_eq!(list.open_tasks, i64::from(TAGS_COUNTED_TASKS));
    // Older open tasks beyond those: counted too (the counts are kept on
    // write, exact for every open task), and the answer says that the
    // open tasks are more than it counts.
    seed(
        insert_tasks(big.id, OLD_TASKS, "FALSE", "'[\"old\"]'"),
        now - Duration::days(1),
    )
    .await;
    let list = store.tag_counts(big.id, 200).await.unwrap();
    let mut with_old = expected.to_vec();
    with_old.push(("old", i64::from(OLD_TASKS)));
    assert_eq!(counts(&list.items), with_old, "{backend}");
    assert!(!list.more && list.counts_capped, "{backend}");
    // Counted up to the cap: the UI reads "10000+".
    assert_eq!(list.open_tasks, i64::from(TAGS_COUNTED_TASKS));

    // A stored tag the domain refuses is left off, as it is left off the
    // task: the rest still answer.
    seed(
        insert_tasks(other.id, 1, "FALSE", "'[\"Not a tag!\", \"other\"]'"),
        now,
    )
    .await;
    let list = store.tag_counts(other.id, 200).await.unwrap();
    assert_eq!(counts(&list.items), [("other", 1_501)], "{backend}");

    // The answer reads the user's rows of `tag_counts` by its key, and no
    // task: its cost does not grow with the tasks the user holds.
    let plan = store.explain_tag_counts(big.id, 200).await.unwrap();
    match backend {
        "postgres" => {
            assert!(!plan.contains("Seq Scan"), "{plan}");
            assert!(!plan.contains("on tasks"), "{plan}");
            // (An index scan in order, or a bitmap of the user's rows while
            // the table has no statistics: a few rows per tag either way.)
            assert!(plan.contains("using tag_counts_pkey"), "{plan}");
            assert!(!plan.contains("Rows Removed by Filter"), "{plan}");
        }
        _ => {
            assert!(
                plan.contains("SEARCH tag_counts USING PRIMARY KEY"),
                "{plan}"
            );
            assert!(!plan.contains("tasks"), "{plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        }
    }
}

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = support::sqlite_url(&dir, "todo.db");
    open_tasks_tags_by_name_with_counts(&support::store(&url).await).await;
    let url = support::sqlite_url(&dir, "big.db");
    a_big_users_tags_read_an_index_up_to_the_cap(&support::store(&url).await, &url).await;
}

#[tokio::test]
async fn postgres() {
    let url = todo_testkit::fresh_postgres_database();
    open_tasks_tags_by_name_with_counts(&support::store(&url).await).await;
    let url = todo_testkit::fresh_postgres_database();
    a_big_users_tags_read_an_index_up_to_the_cap(&support::store(&url).await, &url).await;
}
