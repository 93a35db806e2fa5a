//! Start-up and shutdown of `todo serve`: connect (with retries), migrate,
//! listen; on SIGTERM or Ctrl-C stop accepting, let in-flight requests
//! finish within the grace period, and exit 0.

use anyhow::Context;
use axum::Router;
use chrono::Duration as ChronoDuration;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use todo_assistant::{Assistant, Builtin, Chat, Toolbox};
use todo_services::{system_clock, AuthConfig, Services};
use todo_storage::Store;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::config::{DatabaseArgs, ServeArgs};
use crate::http::{self, AppState, HttpOptions};
use crate::telemetry;

pub struct Server {
    listener: TcpListener,
    app: Router,
    store: Store,
    shutdown_timeout: Duration,
}

impl Server {
    pub async fn build(args: &ServeArgs) -> anyhow::Result<Self> {
        args.validate()?;
        let secret = args.resolve_jwt_secret()?;
        let ttl = ChronoDuration::from_std(args.session_ttl).unwrap_or(ChronoDuration::days(7));
        let hashing = args.hashing_limits();
        tracing::info!(
            slots = hashing.slots,
            queue_timeout_ms = hashing.queue_timeout.as_millis() as u64,
            "password checks bounded"
        );
        let auth = AuthConfig::new(&secret, ttl)
            .with_hashing(hashing)
            .with_sign_in_limits(args.sign_in_limits());
        let services = open_services_with(&args.database, auth).await?;
        let store = services.store().clone();
        let llm = args.llm.assistant()?.map(|llm| {
            tracing::info!(model = llm.model(), "the chat uses the language model");
            Arc::new(llm) as Arc<dyn Assistant>
        });
        let chat = Chat::new(
            Toolbox::new(services.clone()),
            Arc::new(Builtin::new()),
            llm,
        );
        let state = AppState {
            services,
            chat,
            metrics: telemetry::metrics(),
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
        Ok(Self {
            listener,
            app,
            store,
            shutdown_timeout: args.shutdown_timeout,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then drains within the grace period.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let address = self.local_addr()?;
        tracing::info!(%address, database = self.store.backend(), "listening");
        let draining = Arc::new(Notify::new());
        // The peer address, for throttling sign-ins per client.
        let app = self.app.into_make_service_with_connect_info::<SocketAddr>();
        let serve = axum::serve(self.listener, app).with_graceful_shutdown({
            let draining = draining.clone();
            async move { draining.notified().await }
        });
        let mut serve = std::pin::pin!(std::future::IntoFuture::into_future(serve));
        tokio::select! {
            result = &mut serve => result?,
            () = shutdown => {
                tracing::info!(grace_seconds = self.shutdown_timeout.as_secs(), "shutting down: finishing in-flight requests");
                draining.notify_one();
                if tokio::time::timeout(self.shutdown_timeout, serve).await.is_err() {
                    tracing::warn!("some requests did not finish within the grace period");
                }
            }
        }
        self.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Connects to the database (retrying while it starts), applies migrations
/// and assembles the domain services: shared by every subcommand that works
/// on the database.
pub async fn open_services(
    database: &DatabaseArgs,
    jwt_secret: &[u8],
    session_ttl: ChronoDuration,
) -> anyhow::Result<Services> {
    open_services_with(database, AuthConfig::new(jwt_secret, session_ttl)).await
}

async fn open_services_with(database: &DatabaseArgs, auth: AuthConfig) -> anyhow::Result<Services> {
    let store = Store::connect(&database.url(), &database.store_options())
        .await
        .context("cannot reach the database (DATABASE_URL)")?;
    store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    Ok(Services::new(store, auth, system_clock()))
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
