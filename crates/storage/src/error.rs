use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The database cannot be reached or is shutting down: worth retrying.
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// A unique value is taken; names the field (`email`, `token`).
    #[error("this {0} is already taken")]
    Conflict(&'static str),
    #[error("invalid DATABASE_URL: {0}")]
    InvalidUrl(String),
    #[error("database migrations are not applied")]
    NotMigrated,
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The user a new row would belong to no longer exists (a foreign key
    /// refused the row): the account was deleted.
    #[error("the account no longer exists")]
    OwnerGone,
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

/// Postgres SQLSTATEs that mean "not now" rather than "never": connection
/// exceptions (class 08), shutdown and start-up (57P0x), too many
/// connections, and a statement cancelled by its timeout.
fn transient_sqlstate(code: &str) -> bool {
    code.starts_with("08") || code.starts_with("57P") || code == "53300" || code == "57014"
}

/// Whether `error` says the statement's connection was cut: closed under
/// it, or ended by the server (administrator command, crash, shutdown).
pub(crate) fn connection_cut(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

impl From<sqlx::Error> for StoreError {
    /// Every statement's error passes here: one that says its connection
    /// was cut has the pool check connections before lending them for a
    /// while ([`crate::CUT_CONNECTIONS`]).
    fn from(error: sqlx::Error) -> Self {
        if connection_cut(&error) {
            crate::CUT_CONNECTIONS.raise();
        }
        match &error {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Protocol(_) => StoreError::Unavailable(error),
            sqlx::Error::Database(db) if db.code().as_deref().is_some_and(transient_sqlstate) => {
                StoreError::Unavailable(error)
            }
            // SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6) after busy_timeout.
            sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("5" | "6")) => {
                StoreError::Unavailable(error)
            }
            _ => StoreError::Database(error),
        }
    }
}

impl StoreError {
    /// Maps a unique violation to [`StoreError::Conflict`] naming `what`.
    pub(crate) fn unique(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
        move |error| match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
            _ => StoreError::from(error),
        }
    }

    /// Maps a foreign-key violation to [`StoreError::OwnerGone`], for a
    /// statement whose only foreign key is its owner's.
    pub(crate) fn owner_gone(error: sqlx::Error) -> StoreError {
        match &error {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::OwnerGone,
            _ => StoreError::from(error),
        }
    }
}
