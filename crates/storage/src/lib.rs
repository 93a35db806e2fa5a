//! Storage for Todo Chatbot: SQLite (the default, a local file in WAL mode)
//! or Postgres, behind one [`Store`]. Queries are written once in SQL both
//! databases accept and run on whichever pool is configured.

mod conversations;
mod error;
mod tasks;
mod timestamp;
mod tokens;
mod transaction;
mod users;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Connection;
use std::future::Future;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use error::StoreError;
pub use tasks::CompleteOutcome;
pub use timestamp::Timestamp;
pub use tokens::TokenRecord;
pub use users::UserRecord;

pub type StoreResult<T> = Result<T, StoreError>;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Runs the same statement on whichever database the store holds. The body
/// is compiled once per database type, so it is written once.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// [`on_pool!`] for statements that write. On SQLite they first take the
/// store's write gate, so concurrent writers queue in order in the process
/// instead of sleeping and retrying in SQLite's busy handler (the database
/// takes one writer at a time; there a lucky writer barges in while an
/// unlucky one sleeps in steps of up to 100 ms). It trades throughput for
/// the tail: `cargo xtask bench` on SQLite, two alternating runs each on a
/// busy machine, chat-add p99 171–179 → 53 ms at 1,150 → 960 turns/s,
/// chat-list p99 ~100 → 33–75 ms, create p99 111–124 → 44 ms in one run
/// (238 ms in the other, with half the CPU) at 2,700 → 2,290 req/s. A
/// deferred transaction that reads and then writes also cannot meet a
/// writer that committed in between (`SQLITE_BUSY_SNAPSHOT`, which the busy
/// handler does not retry).
macro_rules! writing {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => {
                let _turn = $store.sqlite_writer.lock().await;
                $body
            }
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use writing;

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// How to reach the database and how long to wait for it.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    pub max_connections: u32,
    /// How long a request waits for a pooled connection before failing.
    pub acquire_timeout: Duration,
    /// Postgres cancels a statement that runs longer than this.
    pub statement_timeout: Duration,
    /// How long start-up keeps retrying to reach the database (a serverless
    /// Postgres such as Neon may take seconds to wake).
    pub connect_deadline: Duration,
}

impl StoreOptions {
    /// The pool's size when none is configured for the database at `url`.
    /// Postgres: 10 (issue 12 measured 10 connections faster than 32 on 2
    /// cores). SQLite: two per core. Each SQLite connection is a thread of
    /// this process with its own page cache and copy of the schema, and on a
    /// local file more readers than cores add memory, not throughput
    /// (`cargo xtask bench`, 2 cores, 10 connections against 4: peak RSS
    /// 41.4 against 38.0 MB, throughput the same within the run's noise).
    pub fn default_max_connections(url: &str) -> u32 {
        if is_sqlite_url(url) {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            u32::try_from(cores.saturating_mul(2)).map_or(10, |pool| pool.clamp(2, 10))
        } else {
            10
        }
    }
}

/// Whether `url` names a SQLite database (else it must be Postgres).
fn is_sqlite_url(url: &str) -> bool {
    url.starts_with("sqlite:")
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(3),
            statement_timeout: Duration::from_secs(5),
            connect_deadline: Duration::from_secs(30),
        }
    }
}

/// What [`Store::probe_idle_connection`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdleProbe {
    /// An idle connection answered.
    Alive,
    /// An idle connection was dead (closed by the server, a pooler, a
    /// scale-to-zero or an outage); it is dropped from the pool.
    Broken,
    /// No idle connection to ask (none open, or all in use; or SQLite).
    NoIdleConnection,
}

/// A pooled Postgres connection idle this long is pinged before it is lent
/// (see `connect_once`).
const PING_IDLE_AFTER: Duration = Duration::from_secs(1);

/// After a statement found its connection cut, every connection is pinged
/// before it is lent for this long (see [`Suspicion`]).
const SUSPECT_FOR: Duration = Duration::from_secs(2);

/// A window after a pooled connection was found cut (a restart, a pooler,
/// an outage) in which every connection is pinged before it is lent: one
/// used within [`PING_IDLE_AFTER`] is otherwise lent unchecked, and what
/// cut one most likely cut its idle siblings too. Raised wherever a
/// statement's error is converted ([`StoreError`]'s `From<sqlx::Error>`),
/// so a write that meets a dead connection spares the next requests as a
/// read does. One per process: a server has one pool, and a ping too many
/// in a process with several (tests) costs a round trip.
pub(crate) static CUT_CONNECTIONS: std::sync::LazyLock<Suspicion> =
    std::sync::LazyLock::new(Suspicion::new);

#[derive(Debug)]
pub(crate) struct Suspicion {
    since: Instant,
    /// The window's end, in milliseconds after `since` (0: none yet).
    until_ms: AtomicU64,
}

impl Suspicion {
    fn new() -> Self {
        Self {
            since: Instant::now(),
            until_ms: AtomicU64::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.since.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub(crate) fn raise(&self) {
        let until = self.now_ms().saturating_add(SUSPECT_FOR.as_millis() as u64);
        self.until_ms.fetch_max(until, Ordering::Relaxed);
    }

    fn active(&self) -> bool {
        self.now_ms() < self.until_ms.load(Ordering::Relaxed)
    }
}

/// Whether a pooled Postgres connection answers a ping within 2 s.
async fn answers(connection: &mut sqlx::pool::PoolConnection<sqlx::Postgres>) -> bool {
    tokio::time::timeout(Duration::from_secs(2), connection.ping())
        .await
        .is_ok_and(|pinged| pinged.is_ok())
}

fn statement_timeout_sql(timeout: Duration) -> String {
    format!("SET statement_timeout = {}", timeout.as_millis())
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
    /// Held by SQLite's writers, one at a time (see [`writing!`]); unused on
    /// Postgres, which takes concurrent writers itself.
    sqlite_writer: Arc<tokio::sync::Mutex<()>>,
    /// Users whose text search outgrew the kept walk lately (Postgres).
    outgrown_walks: Arc<tasks::OutgrownWalks>,
}

impl Store {
    fn new(pool: Pool) -> Self {
        Self {
            pool,
            sqlite_writer: Arc::default(),
            outgrown_walks: Arc::default(),
        }
    }

    /// Runs a read. Where its connection turned out cut since its last use
    /// (lent without a ping, see `connect_once`), every connection is
    /// pinged before it is lent for a while ([`CUT_CONNECTIONS`]), and the
    /// read runs once more: the request does not fail for a restart it
    /// could not see. A write is not run again: it may have committed
    /// before its connection went.
    pub(crate) async fn read_retrying<T, Fut>(&self, read: impl Fn() -> Fut) -> StoreResult<T>
    where
        Fut: Future<Output = Result<T, sqlx::Error>>,
    {
        match read().await {
            Err(error)
                if matches!(self.pool, Pool::Postgres(_)) && error::connection_cut(&error) =>
            {
                tracing::warn!(%error, "a pooled connection was cut; reading again on a checked one");
                CUT_CONNECTIONS.raise();
                Ok(read().await?)
            }
            result => Ok(result?),
        }
    }

    /// Connects, retrying with exponential backoff until `connect_deadline`.
    pub async fn connect(url: &str, options: &StoreOptions) -> StoreResult<Self> {
        let started = Instant::now();
        let mut delay = Duration::from_millis(100);
        loop {
            match Self::connect_once(url, options).await {
                Ok(store) => return Ok(store),
                Err(StoreError::Unavailable(error))
                    if started.elapsed() + delay < options.connect_deadline =>
                {
                    tracing::warn!(%error, retry_in_ms = delay.as_millis() as u64, "database not reachable yet");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(2));
                }
                Err(error) => return Err(error),
            }
        }
    }

    async fn connect_once(url: &str, options: &StoreOptions) -> StoreResult<Self> {
        let invalid = |e: sqlx::Error| StoreError::InvalidUrl(e.to_string());
        if is_sqlite_url(url) {
            let connect = SqliteConnectOptions::from_str(url)
                .map_err(invalid)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                // 1 MiB of page cache per connection (SQLite's default is 2):
                // the OS page cache already holds the file, and the pool
                // multiplies this by its size.
                .pragma("cache_size", "-1024")
                // A connection's thread hands rows over through a channel of
                // this many; sqlx's 50 made the thread stop and wait for
                // the request's task to drain it twice in a page of 100.
                // A whole page (and the row that tells whether more follow)
                // fits.
                .row_buffer_size(todo_domain::query::MAX_LIMIT as usize + 2)
                .foreign_keys(true);
            if let Some(parent) = connect
                .get_filename()
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
            {
                std::fs::create_dir_all(parent).map_err(|e| {
                    StoreError::InvalidUrl(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                // A local file's connection does not die while idle: no
                // ping (a hop to its worker thread) before each borrow.
                .test_before_acquire(false)
                .connect_with(connect)
                .await?;
            Ok(Self::new(Pool::Sqlite(pool)))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            // No `options` or `extra_float_digits` startup parameter: PgBouncer
            // (Neon's pooled endpoint) refuses both ("unsupported startup
            // parameter"). Postgres 12+ already answers floats exactly.
            let connect = PgConnectOptions::from_str(url)
                .map_err(invalid)?
                .application_name("todo")
                .extra_float_digits(None);
            let set_timeout = statement_timeout_sql(options.statement_timeout);
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                // sqlx pings every connection it lends (a Sync round trip)
                // and again when it takes it back (0.8.6 always does; that
                // one runs after the response, and flushes the ROLLBACK of
                // a dropped transaction). Under load a connection was
                // pinged on its way back microseconds before, so the first
                // ping only doubled the round trips of a one-statement
                // request. Only a connection idle for a while may have been
                // closed by the server, a pooler or a scale-to-zero
                // meanwhile: that one is still pinged, and replaced if dead.
                .test_before_acquire(false)
                .before_acquire(move |conn, meta| {
                    let suspect = CUT_CONNECTIONS.active();
                    Box::pin(async move {
                        if suspect || meta.idle_for >= PING_IDLE_AFTER {
                            conn.ping().await?;
                        }
                        Ok(true)
                    })
                })
                // Takes effect at once on a direct connection. Behind a
                // transaction-mode pooler a session's SET reaches only the
                // server connection it ran on: there the role's default
                // (`persist_statement_timeout`) is what every session gets.
                //
                // Plans: Postgres' own choice (`plan_cache_mode = auto`).
                // After five runs of a prepared statement it keeps a plan
                // for any values where that plan costs no more, so a
                // listing is not planned again on every request (planning
                // was a third of Postgres' CPU per list request: 160 µs
                // against 110 with the plan kept, pgbench). The statements
                // whose best plan depends on their values, a `q=`/`tag=`
                // pattern's, are planned for them at every run instead (see
                // `ListSql::plan_per_values`), save a text search that a
                // prefix of the user's tasks answers (`kept_text_walk`).
                .after_connect(move |conn, _| {
                    let sql = set_timeout.clone();
                    Box::pin(async move {
                        sqlx::Executor::execute(conn, sql.as_str()).await?;
                        Ok(())
                    })
                })
                .connect_with(connect)
                .await?;
            Ok(Self::new(Pool::Postgres(pool)))
        } else {
            Err(StoreError::InvalidUrl(
                "it must start with sqlite:// or postgres://".into(),
            ))
        }
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    fn migrator(&self) -> &'static Migrator {
        match self.pool {
            Pool::Sqlite(_) => &SQLITE_MIGRATIONS,
            Pool::Postgres(_) => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies pending migrations. On Postgres sqlx holds an advisory lock
    /// meanwhile, so replicas starting together apply each migration once.
    pub async fn migrate(&self) -> StoreResult<()> {
        on_pool!(self, pool => self.migrator().run(pool).await?);
        Ok(())
    }

    /// Postgres: makes `timeout` this role's statement timeout in this
    /// database, so every session starts with it, including the server
    /// connections a transaction-mode pooler (PgBouncer, Neon's `-pooler`
    /// endpoint) opens and hands from client to client. Run it over a direct
    /// connection, with the migrations. A role may always set its own
    /// defaults; concurrent starts take turns on an advisory lock.
    pub async fn persist_statement_timeout(&self, timeout: Duration) -> StoreResult<()> {
        let Pool::Postgres(pool) = &self.pool else {
            return Ok(());
        };
        let value = format!("{}ms", timeout.as_millis());
        let sql = format!(
            "DO $$ BEGIN \
               PERFORM pg_advisory_xact_lock(7262817046); \
               IF NOT EXISTS (SELECT 1 FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase \
                              WHERE d.datname = current_database() AND s.setrole = current_user::regrole \
                                AND 'statement_timeout={value}' = ANY (s.setconfig)) THEN \
                 EXECUTE format('ALTER ROLE CURRENT_USER IN DATABASE %I SET statement_timeout = %L', \
                                current_database(), '{value}'); \
               END IF; \
             END $$"
        );
        sqlx::raw_sql(&sql).execute(pool).await?;
        Ok(())
    }

    /// Postgres: asks an idle pooled connection for a protocol-level Sync
    /// round trip, which runs no SQL (nothing in pg_stat_statements or the
    /// statement log, and a serverless Postgres such as Neon does not count
    /// it as activity). Never opens a connection.
    pub async fn probe_idle_connection(&self) -> IdleProbe {
        let Pool::Postgres(pool) = &self.pool else {
            return IdleProbe::NoIdleConnection;
        };
        // A connection a request just released reaches the idle queue a
        // moment later (sqlx returns it from a task of its own).
        let mut idle = pool.try_acquire();
        for _ in 0..5 {
            if idle.is_some() || pool.size() == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            idle = pool.try_acquire();
        }
        let Some(mut connection) = idle else {
            return IdleProbe::NoIdleConnection;
        };
        if answers(&mut connection).await {
            return IdleProbe::Alive;
        }
        connection.close_on_drop();
        drop(connection);
        // What cut one connection (a restart, a pooler, an outage) most
        // likely cut its idle siblings too, and a connection used within
        // `PING_IDLE_AFTER` is lent without a ping: drop the dead ones now,
        // so that neither the readiness check nor a request gets one. Each
        // is taken once (the live are held until the end), at most the
        // pool's size.
        let mut live = Vec::new();
        while live.len() < pool.size() as usize {
            let Some(mut connection) = pool.try_acquire() else {
                break;
            };
            if answers(&mut connection).await {
                live.push(connection);
            } else {
                connection.close_on_drop();
            }
        }
        IdleProbe::Broken
    }

    /// Postgres: whether the server's address still takes a connection,
    /// which is closed again before a startup message: no session and no
    /// SQL. Postgres does not log a connection that sends nothing, and a
    /// proxy that wakes a serverless compute (Neon's routes by the TLS
    /// server name) cannot tell which one it would be. An outage of a
    /// database behind a pooler or proxy that is itself up goes unseen.
    pub async fn reach_server(&self) -> StoreResult<()> {
        let Pool::Postgres(pool) = &self.pool else {
            return Ok(());
        };
        let options = pool.connect_options();
        let (host, port) = (options.get_host(), options.get_port());
        let socket_dir = match options.get_socket() {
            Some(dir) => Some(dir.display().to_string()),
            None => host.starts_with('/').then(|| host.to_owned()),
        };
        let connect = async {
            match socket_dir {
                Some(dir) => tokio::net::UnixStream::connect(format!("{dir}/.s.PGSQL.{port}"))
                    .await
                    .map(drop),
                None => tokio::net::TcpStream::connect((host, port)).await.map(drop),
            }
        };
        match tokio::time::timeout(Duration::from_secs(2), connect).await {
            Ok(result) => result.map_err(|error| sqlx::Error::Io(error).into()),
            Err(_) => Err(sqlx::Error::Io(std::io::ErrorKind::TimedOut.into()).into()),
        }
    }

    /// Connections the pool holds (idle or in use).
    pub fn open_connections(&self) -> u32 {
        on_pool!(self, pool => pool.size())
    }

    /// Ready means reachable with every migration applied.
    pub async fn check_ready(&self) -> StoreResult<()> {
        let latest = self.migrator().iter().map(|m| m.version).max().unwrap_or(0);
        let sql = "SELECT MAX(version) FROM _sqlx_migrations WHERE success";
        let applied: Option<i64> =
            on_pool!(self, pool => sqlx::query_scalar(sql).fetch_one(pool).await)?;
        if applied.unwrap_or(0) < latest {
            return Err(StoreError::NotMigrated);
        }
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await);
    }
}
