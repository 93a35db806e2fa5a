//! Starting transactions safely.

/// Begins a transaction in a task of its own, so that a caller cancelled
/// while `BEGIN` is in flight cannot hand a connection back to the pool
/// inside a transaction. A client that hangs up drops its request's future;
/// sqlx (0.8.6 and 0.9.0 alike) counts a Postgres transaction only once
/// `BEGIN` has answered, so a drop in between leaves it open for the next
/// borrower, whose plain statements then never commit
/// (launchbadge/sqlx#4393, fixed upstream by #4394 but in no release yet).
/// Here the `BEGIN` always completes; a transaction nobody awaits any more
/// is dropped, which queues its `ROLLBACK` before the connection is reused.
/// Every transaction starts here (clippy.toml forbids sqlx's other ways
/// to begin one: `Pool::begin` and its variants, `Connection::begin`,
/// `Acquire::begin`).
pub(crate) async fn begin<DB: sqlx::Database>(
    pool: &sqlx::Pool<DB>,
) -> Result<sqlx::Transaction<'static, DB>, sqlx::Error> {
    let pool = pool.clone();
    // The one call allowed: the point of this function.
    #[allow(clippy::disallowed_methods)]
    let begun = tokio::spawn(async move { pool.begin().await });
    match begun.await {
        Ok(result) => result,
        // Only a runtime shutting down (or a panic in sqlx) gets here.
        Err(error) => Err(sqlx::Error::Io(std::io::Error::other(error))),
    }
}
