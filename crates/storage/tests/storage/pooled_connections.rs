//! What the pool's fewer round trips must not cost: a connection idle long
//! enough to have been closed by the server is still replaced before it is
//! lent (Postgres).

use crate::support;

use chrono::Utc;
use std::time::Duration;
use todo_domain::TimeZone;
use todo_storage::{Store, StoreOptions};

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
