//! Start-up and shutdown of `todo serve`: connect (with retries), migrate,
//! listen; on SIGTERM or Ctrl-C stop accepting, let in-flight requests
//! finish within the grace period, and exit 0.

use anyhow::Context;
use axum::extract::ConnectInfo;
use axum::Router;
use chrono::Duration as ChronoDuration;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use todo_assistant::{Assistant, Builtin, Chat, Toolbox};
use todo_services::{system_clock, AuthConfig, Services};
use todo_storage::Store;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

use crate::config::{DatabaseArgs, ServeArgs};
use crate::http::{self, AppState, HttpOptions};
use crate::readiness::Readiness;
use crate::telemetry;

pub struct Server {
    listener: TcpListener,
    app: Router,
    store: Store,
    shutdown_timeout: Duration,
    header_read_timeout: Duration,
    max_connections: usize,
}

impl Server {
    pub async fn build(args: &ServeArgs) -> anyhow::Result<Self> {
        args.validate()?;
        let secret = args.resolve_jwt_secret()?;
        let ttl = ChronoDuration::from_std(args.session_ttl).unwrap_or(ChronoDuration::days(7));
        let hashing = args.hashing_limits();
        let auth = AuthConfig::new(&secret, ttl)
            .with_hashing(hashing)
            .with_sign_in_limits(args.sign_in_limits());
        let store = open_store(&args.database).await?;
        let services = Services::new(store.clone(), auth, system_clock());
        let llm = args.llm.assistant()?.map(|llm| {
            tracing::info!(model = llm.model(), "the chat uses the language model");
            Arc::new(llm) as Arc<dyn Assistant>
        });
        // Built on a runtime worker, not on this thread: a pattern's first
        // search leaves its cache with the thread that ran it, and the warm-up
        // searches. Only the workers run chat turns, so caches kept by this
        // thread were 1.6 MB never used again (issue 12: peak RSS).
        let builtin = tokio::spawn(async { Builtin::new() })
            .await
            .context("compiling the builtin assistant's patterns")?;
        let chat = Chat::new(Toolbox::new(services.clone()), Arc::new(builtin), llm)
            .with_routing(args.llm.assistant_mode);
        let state = AppState {
            services,
            chat,
            metrics: telemetry::metrics(),
            readiness: Arc::new(Readiness::new(store.clone())),
        };
        let options = HttpOptions {
            static_dir: args.static_dir(),
            cors_origins: args
                .cors_origins
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(String::from)
                .collect(),
            max_body_bytes: args.max_body_bytes,
            mcp_allowed_hosts: args.mcp_allowed_hosts()?,
            client_address_header: args.client_address_header()?,
        };
        let app = http::router(state, &options);
        let address = format!("{}:{}", args.host, args.port);
        let listener = TcpListener::bind(&address)
            .await
            .with_context(|| format!("cannot listen on {address} (HOST, PORT)"))?;
        // Logged once every setting is known good: a bad one stays the only line.
        tracing::info!(
            slots = hashing.slots,
            queue_timeout_ms = hashing.queue_timeout.as_millis() as u64,
            "password checks bounded"
        );
        Ok(Self {
            listener,
            app,
            store,
            shutdown_timeout: args.shutdown_timeout,
            header_read_timeout: args.header_read_timeout,
            max_connections: args.max_connections as usize,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then drains within the grace period.
    ///
    /// Each connection gets `HEADER_READ_TIMEOUT` to send a request's headers
    /// (and as long to stay idle between requests), and at most
    /// `MAX_CONNECTIONS` are open at once: a slow or idle client cannot hold
    /// the server's memory or sockets for long.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let address = self.local_addr()?;
        tracing::info!(%address, database = self.store.backend(), max_connections = self.max_connections,
            header_read_timeout_ms = self.header_read_timeout.as_millis() as u64, "listening");
        let upkeep = tokio::spawn(telemetry::keep_metrics_bounded());
        let slots = Arc::new(Semaphore::new(self.max_connections));
        // Dropped to tell connections to finish; closed once they all have.
        let (draining, drain_signal) = watch::channel(());
        let (finished, all_finished) = watch::channel(());
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: pause, go on.
                        tracing::warn!(%error, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                metrics::counter!("connections_refused_total").increment(1);
                tracing::debug!(%peer, "connection limit reached: closing a new connection");
                drop(stream);
                continue;
            };
            let app = self.app.clone();
            let header_read_timeout = self.header_read_timeout;
            let mut drain_signal = drain_signal.clone();
            let finished = finished.clone();
            tokio::spawn(async move {
                let service =
                    app.map_request(move |mut request: axum::extract::Request<Incoming>| {
                        // The peer address, for throttling sign-ins per client.
                        request.extensions_mut().insert(ConnectInfo(peer));
                        request.map(axum::body::Body::new)
                    });
                // HTTP/1.1 only (nginx and every client here speak it): the
                // header-read timer then runs from the first byte awaited,
                // which the HTTP/2 detection of an "auto" connection would not.
                let connection = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(header_read_timeout)
                    .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
                    .with_upgrades();
                let mut connection = std::pin::pin!(connection);
                let result = tokio::select! {
                    result = connection.as_mut() => result,
                    _ = drain_signal.changed() => {
                        // Finish the request in flight, then close.
                        connection.as_mut().graceful_shutdown();
                        connection.await
                    }
                };
                if let Err(error) = result {
                    tracing::debug!(%peer, %error, "connection ended with an error");
                }
                drop((slot, finished));
            });
        }
        tracing::info!(
            grace_seconds = self.shutdown_timeout.as_secs(),
            "shutting down: finishing in-flight requests"
        );
        drop(self.listener);
        drop(draining);
        drop(finished);
        let mut all_finished = all_finished;
        let drained = async move { while all_finished.changed().await.is_ok() {} };
        if tokio::time::timeout(self.shutdown_timeout, drained)
            .await
            .is_err()
        {
            tracing::warn!("some requests did not finish within the grace period");
        }
        upkeep.abort();
        self.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Connects to the database (retrying while it starts), applies migrations
/// and assembles the domain services: shared by every subcommand that works
/// on the database.
/// The services over a store opened with [`open_store`], for commands that
/// act for one local account (`todo chat`, `todo mcp`).
pub fn services_over(store: &Store, jwt_secret: &[u8], session_ttl: ChronoDuration) -> Services {
    Services::new(
        store.clone(),
        AuthConfig::new(jwt_secret, session_ttl),
        system_clock(),
    )
}

/// Migrates (over DATABASE_MIGRATION_URL when it differs from DATABASE_URL:
/// migrations hold a session advisory lock, which a transaction-mode pooler
/// cannot keep), then opens the application's pool on DATABASE_URL.
pub async fn open_store(database: &DatabaseArgs) -> anyhow::Result<Store> {
    let options = database.store_options();
    // On the same URL the application's pool migrates: no second connection.
    let separate = database.migration_url() != database.url();
    if separate {
        run_migrations(database).await?;
    }
    let store = Store::connect(&database.url(), &options)
        .await
        .context("cannot reach the database (DATABASE_URL)")?;
    if !separate {
        migrate(&store, &options).await?;
    }
    Ok(store)
}

/// `todo migrate`: applies migrations over the migration URL only, and
/// names the database kind.
pub async fn run_migrations(database: &DatabaseArgs) -> anyhow::Result<&'static str> {
    let options = database.store_options();
    let direct = Store::connect(
        &database.migration_url(),
        &todo_storage::StoreOptions {
            max_connections: 1,
            ..options.clone()
        },
    )
    .await
    .context(
        "cannot reach the database for migrations (DATABASE_MIGRATION_URL, default DATABASE_URL)",
    )?;
    let migrated = migrate(&direct, &options).await;
    direct.close().await;
    migrated.map(|()| direct.backend())
}

async fn migrate(store: &Store, options: &todo_storage::StoreOptions) -> anyhow::Result<()> {
    store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    // Any role may set its own defaults, but a managed database may still
    // refuse: then the per-connection SET remains, and the server starts.
    if let Err(error) = store
        .persist_statement_timeout(options.statement_timeout)
        .await
    {
        tracing::warn!(
            %error,
            "cannot make DB_STATEMENT_TIMEOUT this role's default in the database \
             (ALTER ROLE … IN DATABASE … SET statement_timeout): behind a transaction pooler \
             some statements may run without a timeout"
        );
    }
    Ok(())
}

/// Resolves on SIGTERM (Kubernetes, Docker) or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
