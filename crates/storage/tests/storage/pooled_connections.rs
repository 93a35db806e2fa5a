//! What the pool's fewer round trips must not cost: a connection idle long
//! enough to have been closed by the server is still replaced before it is
//! lent, and one cut soon after its last use fails no read and at most one
//! write (Postgres).

use crate::support;

use chrono::Utc;
use futures::future::join_all;
use std::time::Duration;
use todo_domain::account::UserId;
use todo_domain::query::{TaskFilter, TaskQueryParams};
use todo_domain::task::TaskId;
use todo_domain::TimeZone;
use todo_storage::{Store, StoreError, StoreOptions};

/// The pool no longer pings a connection it lends straight after taking it
/// back; one idle for a while is pinged, and a dead one replaced. Here the
/// server ends the pool's only connection while it is idle (as a restart,
/// a pooler's idle timeout or a scale-to-zero does): the next request
/// still succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_idle_connection_closed_by_the_server_is_replaced() {
    let url = todo_testkit::fresh_postgres_database();
    support::store(&url).await.close().await;
    let single = StoreOptions {
        max_connections: 1,
        ..StoreOptions::default()
    };
    let store = Store::connect(&url, &single).await.unwrap();
    let now = Utc::now();
    store
        .insert_user("ada@example.com", "Ada", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    assert_eq!(store.open_connections(), 1);
    // One connection, not a pool: a pool may open a second while the first
    // is still on its way back, and that one would be counted below.
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    // The migrating store's connections end a moment after its close():
    // wait until only the pool's one is left, so the count below is its
    // (client backends only: an autovacuum worker may be in the database).
    for _ in 0..100 {
        let others: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
             AND backend_type = 'client backend'",
        )
        .fetch_one(&mut admin)
        .await
        .unwrap();
        if others == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ended: i64 = sqlx::query_scalar(
        "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() \
             AND backend_type = 'client backend'",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert_eq!(ended, 1, "the pool's one idle connection");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let found = store.find_user_by_email("ada@example.com").await;
    assert!(
        matches!(found, Ok(Some(_))),
        "{:?}",
        found.map(|u| u.is_some())
    );
    sqlx::Connection::close(admin).await.unwrap();
    store.close().await;
}

/// A store over `url` whose connections (several, each just used) the
/// server has all ended a moment ago, as a restart or a pooler does: each
/// would be lent again without a ping. Its user holds one task.
async fn store_with_connections_cut(url: &str) -> (Store, UserId, TaskId, TaskFilter) {
    support::store(url).await.close().await;
    let options = StoreOptions {
        max_connections: 4,
        ..StoreOptions::default()
    };
    let store = Store::connect(url, &options).await.unwrap();
    let now = Utc::now();
    let user = store
        .insert_user("ada@example.com", "Ada", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    let task = store
        .insert_task(user.id, &support::new_task("Water the plants"), now)
        .await
        .unwrap();
    let filter = TaskQueryParams::default()
        .validate()
        .unwrap()
        .resolve(now, TimeZone::UTC);
    // Several connections open, each just used.
    let reads = join_all((0..8).map(|_| store.list_tasks(user.id, &filter))).await;
    assert!(reads.iter().all(Result::is_ok));
    assert!(
        store.open_connections() >= 2,
        "{}",
        store.open_connections()
    );

    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(url)
        .await
        .unwrap();
    let others = "FROM pg_stat_activity WHERE datname = current_database() \
                  AND pid <> pg_backend_pid() AND backend_type = 'client backend'";
    let ended: i64 =
        sqlx::query_scalar(&format!("SELECT COUNT(pg_terminate_backend(pid)) {others}"))
            .fetch_one(&mut admin)
            .await
            .unwrap();
    assert!(ended >= 2, "{ended} connections ended");
    for _ in 0..100 {
        let left: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {others}"))
            .fetch_one(&mut admin)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    sqlx::Connection::close(admin).await.unwrap();
    (store, user.id, task.id, filter)
}

/// Connections cut together a moment after their last use, so lent again
/// without a ping: the first read to meet a dead one has every connection
/// pinged for a while and runs again on a live one. No read fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_cut_together_fail_no_read() {
    let url = todo_testkit::fresh_postgres_database();
    let (store, user, task, filter) = store_with_connections_cut(&url).await;

    // At once: well within the second after which an idle connection is
    // pinged anyway.
    let page = store.list_tasks(user, &filter).await;
    assert!(
        matches!(&page, Ok(page) if page.items.len() == 1),
        "{:?}",
        page.map(|p| p.items.len())
    );
    let found = store.get_task(user, task).await;
    assert!(
        matches!(found, Ok(Some(_))),
        "{:?}",
        found.map(|t| t.is_some())
    );
    let tags = store.tag_counts(user, 10).await;
    assert!(tags.is_ok(), "{:?}", tags.err());
    let reads = join_all((0..8).map(|_| store.list_tasks(user, &filter))).await;
    assert!(
        reads.iter().all(Result::is_ok),
        "{:?}",
        reads
            .iter()
            .filter_map(|r| r.as_ref().err())
            .collect::<Vec<_>>()
    );
    store.close().await;
}

/// A write is not run again (it may have committed before its connection
/// went), so the first to meet a dead connection may fail, as unavailable;
/// it has every connection pinged for a while, so the writes after it do
/// not meet the other dead ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_cut_together_fail_one_write_at_most() {
    let url = todo_testkit::fresh_postgres_database();
    let (store, user, _, filter) = store_with_connections_cut(&url).await;

    let now = Utc::now();
    let mut outcomes = Vec::new();
    for i in 0..6 {
        let task = support::new_task(format!("Write {i}"));
        outcomes.push(store.insert_task(user, &task, now).await.map(|_| ()));
    }
    let (first, rest) = outcomes.split_first().unwrap();
    assert!(
        matches!(first, Ok(()) | Err(StoreError::Unavailable(_))),
        "{first:?}"
    );
    assert!(rest.iter().all(Result::is_ok), "{outcomes:?}");
    let written = outcomes.iter().filter(|o| o.is_ok()).count();
    let page = store.list_tasks(user, &filter).await.unwrap();
    assert_eq!(page.items.len(), 1 + written, "no write lost or doubled");
    store.close().await;
}
