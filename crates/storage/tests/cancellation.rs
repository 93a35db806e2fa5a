//! A request cancelled in the middle of a transaction (a client that hangs
//! up drops its request's future) leaves nothing behind on its pooled
//! connection: the next requests on that connection commit on their own, on
//! SQLite and on Postgres. Guards against launchbadge/sqlx#4393, where a
//! Postgres connection went back to the pool inside the cancelled request's
//! transaction. And the rollback of a cancelled transaction reaches
//! Postgres when the connection goes back to the pool, not when it is next
//! lent (our sqlx-core patch skips the release ping only for a connection
//! with nothing queued, see vendor/README.md).

use chrono::Utc;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;
use todo_domain::chat::TurnRecord;
use todo_domain::{NewTask, Priority, TimeZone};
use todo_storage::{Store, StoreOptions};

/// The store's sessions that Postgres sees idle inside a transaction.
const OPEN_TRANSACTIONS: &str = "SELECT count(*) FROM pg_stat_activity \
     WHERE datname = current_database() AND application_name = 'todo' \
     AND state LIKE 'idle in transaction%'";

/// Enough rounds, each cancelling after a different number of polls, to
/// stop some writes before their `BEGIN` is sent, some while it is in
/// flight and some after.
const ROUNDS: usize = 240;

fn task(title: String) -> NewTask {
    NewTask {
        title,
        description: String::new(),
        priority: Priority::None,
        tags: Vec::new(),
        due: None,
        recurrence: None,
    }
}

/// Polls `future` up to `polls` times, letting the runtime run in between,
/// then drops it unless it finished: what a server does with a request
/// whose client hangs up.
async fn cancel_after<F: Future>(future: F, polls: usize) -> bool {
    let mut future = std::pin::pin!(future);
    for _ in 0..polls {
        let polled = poll_fn(|cx| Poll::Ready(Pin::as_mut(&mut future).poll(cx).is_ready())).await;
        if polled {
            return false;
        }
        tokio::task::yield_now().await;
    }
    true
}

async fn cancelled_transactions_leave_nothing_behind(url: &str) {
    // One connection, so every request after a cancelled one gets the very
    // connection the cancelled one used.
    let single = StoreOptions {
        max_connections: 1,
        ..StoreOptions::default()
    };
    let store = Store::connect(url, &single).await.unwrap();
    store.migrate().await.unwrap();
    // Another pool, seeing only what was committed.
    let observer = Store::connect(url, &StoreOptions::default()).await.unwrap();
    let now = Utc::now();
    let user = store
        .insert_user("ada@example.com", "Ada", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    let conversation = store
        .create_conversation(user.id, "cancelled turns", now)
        .await
        .unwrap();
    // Postgres' own view of the pool's sessions.
    let activity = match store.backend() {
        "postgres" => Some(sqlx::PgPool::connect(url).await.unwrap()),
        _ => None,
    };
    let mut cancelled = 0;
    for round in 0..ROUNDS {
        let marker = store
            .insert_task(user.id, &task(format!("marker {round}")), now)
            .await
            .unwrap();
        let polls = round % 12 + 1;
        let write_cancelled = if round % 3 == 0 {
            cancel_after(
                store.insert_task(user.id, &task(format!("cancelled {round}")), now),
                polls,
            )
            .await
        } else if round % 3 == 1 {
            // A transaction on both databases (insert and turn are one
            // statement each on Postgres).
            let successor = task(format!("successor {round}"));
            cancel_after(
                store.complete_task(user.id, marker.id, marker.version, now, Some(&successor)),
                polls,
            )
            .await
        } else {
            let turn = TurnRecord {
                user_message: "add something",
                reply: "cancelled",
                actions: &[],
                state: "{}",
            };
            cancel_after(
                store.record_turn(user.id, conversation.id, &turn, now),
                polls,
            )
            .await
        };
        cancelled += usize::from(write_cancelled);
        if let (Some(activity), true) = (&activity, write_cancelled) {
            assert!(
                no_session_stays_in_a_transaction(activity).await,
                "round {round} (cancelled after {polls} polls): the cancelled request's connection \
                 sat in the pool inside its transaction"
            );
        }
        // The next request, on the same connection, is a statement outside
        // any transaction: it must be committed the moment it answers.
        assert!(store.delete_task(user.id, marker.id).await.unwrap());
        assert_eq!(
            observer.get_task(user.id, marker.id).await.unwrap(),
            None,
            "round {round} (cancelled after {polls} polls): a delete that answered is not visible \
             to another connection: it ran inside a transaction the cancelled request left open"
        );
    }
    eprintln!("{cancelled} of {ROUNDS} writes cancelled");
    assert!(
        cancelled >= ROUNDS / 4,
        "only {cancelled} of {ROUNDS} writes were cancelled: the test did not test much"
    );
    // Whatever the cancelled writes did is whole: each turn has both its messages.
    let (_, _, messages) = observer
        .conversation_with_history(user.id, conversation.id, 1_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(messages.len() % 2, 0, "a turn was stored by halves");
    // And later transactions still work on that connection.
    let last = store
        .insert_task(user.id, &task("after".into()), now)
        .await
        .unwrap();
    assert!(observer.get_task(user.id, last.id).await.unwrap().is_some());
    if store.backend() == "postgres" {
        let open = todo_testkit::postgres()
            .psql_on(url, OPEN_TRANSACTIONS)
            .unwrap();
        assert_eq!(open, "0", "pooled connections idle inside a transaction");
    }
}

/// Whether, within 2 s, no session of the store is idle inside a
/// transaction. The cancelled request's `BEGIN` still runs (in a task of
/// its own) and its rollback is sent by the task that returns the
/// connection to the pool: 20 ms lets both happen, so that the count is not
/// read before the transaction began. A rollback left for the next borrower
/// keeps the session in its transaction until the next request.
async fn no_session_stays_in_a_transaction(activity: &sqlx::PgPool) -> bool {
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        let open: i64 = sqlx::query_scalar(OPEN_TRANSACTIONS)
            .fetch_one(activity)
            .await
            .unwrap();
        if open == 0 {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("todo.db").display());
    cancelled_transactions_leave_nothing_behind(&url).await;
}

#[tokio::test]
async fn postgres() {
    let url = todo_testkit::fresh_postgres_database();
    cancelled_transactions_leave_nothing_behind(&url).await;
}
