//! Configuration: every setting is an environment variable and a flag of the
//! same name (`DATABASE_URL` / `--database-url`). A missing or invalid value
//! stops start-up with one line naming it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "todo",
    version,
    about = "Todo Chatbot: a self-hosted todo list you can talk to."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server: UI, REST API and operations endpoints.
    Serve(ServeArgs),
    /// Apply database migrations, then exit.
    Migrate(DatabaseArgs),
    /// Talk to the assistant in a terminal: on the local database, or on a server with --server and --token.
    Chat(ChatArgs),
    /// Serve the MCP tools over stdio to a local MCP client (Claude Desktop…), acting for the owner of --token.
    Mcp(McpArgs),
    /// Ask a running server whether it is alive (exit 0) or not (exit 1); for container health checks.
    Healthcheck(HealthcheckArgs),
}

fn duration(raw: &str) -> Result<Duration, String> {
    humantime::parse_duration(raw).map_err(|e| format!("{e} (use e.g. 500ms, 5s, 2m)"))
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// `sqlite://path/to/file.db` or `postgres://user:pass@host/db`. Default: a SQLite file in the data directory.
    #[arg(
        long,
        env = "DATABASE_URL",
        value_name = "DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Where migrations run: a direct (unpooled) `postgres://` URL, since they hold a session advisory lock
    /// that a transaction-mode pooler (PgBouncer, Neon's `-pooler` endpoint) cannot keep.
    /// Default: DATABASE_URL; for a Neon `-pooler` host, the same URL without `-pooler` (Neon's direct endpoint).
    #[arg(
        long,
        env = "DATABASE_MIGRATION_URL",
        value_name = "DATABASE_MIGRATION_URL",
        hide_env_values = true
    )]
    pub database_migration_url: Option<String>,
    /// Where local state lives (the default SQLite database, a generated JWT secret).
    #[arg(
        long,
        env = "DATA_DIR",
        value_name = "DATA_DIR",
        default_value = "data"
    )]
    pub data_dir: PathBuf,
    /// Most connections the pool opens [default: 10 on Postgres; on SQLite two per core, 2 to 10].
    #[arg(long, env = "DB_MAX_CONNECTIONS", value_name = "DB_MAX_CONNECTIONS",
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_max_connections: Option<u32>,
    /// How long a request waits for a connection before answering 503.
    #[arg(long, env = "DB_ACQUIRE_TIMEOUT", value_name = "DB_ACQUIRE_TIMEOUT", default_value = "3s", value_parser = duration)]
    pub db_acquire_timeout: Duration,
    /// Postgres cancels statements running longer than this.
    #[arg(long, env = "DB_STATEMENT_TIMEOUT", value_name = "DB_STATEMENT_TIMEOUT", default_value = "5s", value_parser = duration)]
    pub db_statement_timeout: Duration,
    /// How long start-up keeps retrying an unreachable database.
    #[arg(long, env = "DB_CONNECT_TIMEOUT", value_name = "DB_CONNECT_TIMEOUT", default_value = "30s", value_parser = duration)]
    pub db_connect_timeout: Duration,
}

impl DatabaseArgs {
    pub fn url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.trim().to_owned(),
            _ => format!("sqlite://{}", self.data_dir.join("todo.db").display()),
        }
    }

    /// The URL migrations run on: DATABASE_MIGRATION_URL, else the direct
    /// endpoint of a Neon pooled URL, else DATABASE_URL.
    pub fn migration_url(&self) -> String {
        if self.is_sqlite() {
            return self.url();
        }
        match &self.database_migration_url {
            Some(url) if !url.trim().is_empty() => url.trim().to_owned(),
            _ => neon_direct_url(&self.url()).unwrap_or_else(|| self.url()),
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.url().starts_with("sqlite:")
    }

    pub fn store_options(&self) -> todo_storage::StoreOptions {
        todo_storage::StoreOptions {
            max_connections: self.db_max_connections.unwrap_or_else(|| {
                todo_storage::StoreOptions::default_max_connections(&self.url())
            }),
            acquire_timeout: self.db_acquire_timeout,
            statement_timeout: self.db_statement_timeout,
            connect_deadline: self.db_connect_timeout,
        }
    }
}

/// Neon names a compute's pooled endpoint `<endpoint>-pooler.<region>.….neon.tech`
/// and its direct endpoint the same without `-pooler`.
fn neon_direct_url(url: &str) -> Option<String> {
    let mut url = reqwest::Url::parse(url).ok()?;
    let (endpoint, domain) = url.host_str()?.split_once('.')?;
    let direct = endpoint.strip_suffix("-pooler")?;
    if !(domain.ends_with(".neon.tech") || domain == "neon.tech") {
        return None;
    }
    let direct = format!("{direct}.{domain}");
    url.set_host(Some(&direct)).ok()?;
    Some(url.into())
}

fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Pretty on a terminal, JSON otherwise.
    Auto,
    Json,
    Pretty,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// TCP port to listen on.
    #[arg(long, env = "PORT", value_name = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, env = "HOST", value_name = "HOST", default_value = "0.0.0.0")]
    pub host: String,
    /// Secret that signs session tokens, at least 32 bytes. Required with Postgres;
    /// with SQLite one is generated and kept in the data directory.
    #[arg(
        long,
        env = "JWT_SECRET",
        value_name = "JWT_SECRET",
        hide_env_values = true
    )]
    pub jwt_secret: Option<String>,
    /// How long a sign-in lasts.
    #[arg(long, env = "SESSION_TTL", value_name = "SESSION_TTL", default_value = "7days", value_parser = duration)]
    pub session_ttl: Duration,
    #[arg(long, env = "LOG_FORMAT", value_name = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Auto)]
    pub log_format: LogFormat,
    /// Folder of the built web UI. Default: `web/dist` when it exists.
    #[arg(long, env = "STATIC_DIR", value_name = "STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// Origins allowed to call the API from a browser, comma-separated, or `*`. Default: none (same origin only).
    #[arg(
        long,
        env = "CORS_ORIGINS",
        value_name = "CORS_ORIGINS",
        default_value = ""
    )]
    pub cors_origins: String,
    /// Largest request body accepted, in bytes.
    #[arg(
        long,
        env = "MAX_BODY_BYTES",
        value_name = "MAX_BODY_BYTES",
        default_value_t = 262_144
    )]
    pub max_body_bytes: usize,
    /// How long SIGTERM waits for in-flight requests before exiting.
    #[arg(long, env = "SHUTDOWN_TIMEOUT", value_name = "SHUTDOWN_TIMEOUT", default_value = "20s", value_parser = duration)]
    pub shutdown_timeout: Duration,
    /// Host names `/mcp` answers to (DNS-rebinding protection), comma-separated, or `*` for any.
    #[arg(
        long,
        env = "MCP_ALLOWED_HOSTS",
        value_name = "MCP_ALLOWED_HOSTS",
        default_value = crate::mcp::http::DEFAULT_ALLOWED_HOSTS
    )]
    pub mcp_allowed_hosts: String,
    /// Memory for password checks at sign-in and sign-up (Argon2id, 7 MiB each), which sets how many run
    /// at once: a size such as `64MiB`, or `auto` for an eighth of the container's memory limit (64MiB without one).
    #[arg(long, env = "PASSWORD_HASHING_MEMORY", value_name = "PASSWORD_HASHING_MEMORY", default_value = "auto",
          value_parser = memory_setting)]
    pub password_hashing_memory: MemorySetting,
    /// How long a sign-in or sign-up waits for a free password check before answering 503 (`sign_in_busy`).
    #[arg(long, env = "SIGN_IN_QUEUE_TIMEOUT", value_name = "SIGN_IN_QUEUE_TIMEOUT", default_value = "3s", value_parser = duration)]
    pub sign_in_queue_timeout: Duration,
    /// How long a client may take to send a request's headers, and how long an idle keep-alive
    /// connection stays open; then the connection is closed.
    #[arg(long, env = "HEADER_READ_TIMEOUT", value_name = "HEADER_READ_TIMEOUT", default_value = "10s", value_parser = duration)]
    pub header_read_timeout: Duration,
    /// Most client connections open at once; more are closed as soon as they are accepted.
    #[arg(long, env = "MAX_CONNECTIONS", value_name = "MAX_CONNECTIONS", default_value_t = 512,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Sign-in attempts one account may make per SIGN_IN_LIMIT_WINDOW; then 429 (`too_many_sign_ins`).
    #[arg(long, env = "SIGN_IN_LIMIT_PER_ACCOUNT", value_name = "SIGN_IN_LIMIT_PER_ACCOUNT", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub sign_in_limit_per_account: u32,
    /// Sign-in attempts one client address may make per SIGN_IN_LIMIT_WINDOW; then 429.
    #[arg(long, env = "SIGN_IN_LIMIT_PER_ADDRESS", value_name = "SIGN_IN_LIMIT_PER_ADDRESS", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub sign_in_limit_per_address: u32,
    #[arg(long, env = "SIGN_IN_LIMIT_WINDOW", value_name = "SIGN_IN_LIMIT_WINDOW", default_value = "15m", value_parser = duration)]
    pub sign_in_limit_window: Duration,
    /// A header carrying the client's address, set by a reverse proxy in front (e.g. `X-Real-IP` behind
    /// the bundled nginx). Default: none, the connection's peer address.
    #[arg(
        long,
        env = "CLIENT_ADDRESS_HEADER",
        value_name = "CLIENT_ADDRESS_HEADER",
        default_value = ""
    )]
    pub client_address_header: String,
    #[command(flatten)]
    pub llm: LlmArgs,
}

/// A memory size in bytes, or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemorySetting {
    Auto,
    Bytes(u64),
}

fn memory_setting(raw: &str) -> Result<MemorySetting, String> {
    let raw = raw.trim();
    if raw.eq_ignore_ascii_case("auto") {
        return Ok(MemorySetting::Auto);
    }
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "'{raw}' is not a size (use e.g. 64MiB, 1GiB or auto)"
            ))
        }
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .map(MemorySetting::Bytes)
        .ok_or_else(|| format!("'{raw}' is not a size (use e.g. 64MiB, 1GiB or auto)"))
}

/// The memory limit of this process's cgroup (a container's limit), if any.
fn container_memory_limit() -> Option<u64> {
    [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .find_map(|path| {
        std::fs::read_to_string(path)
            .ok()?
            .trim()
            .parse::<u64>()
            .ok()
    })
    // cgroup v1 writes a huge number for "no limit".
    .filter(|limit| *limit < 1 << 60)
}

/// The language model the chat uses instead of the builtin assistant.
#[derive(Clone, Args)]
pub struct LlmArgs {
    /// API root of an OpenAI-compatible Chat Completions endpoint, e.g. https://api.openai.com/v1
    /// or http://localhost:11434/v1 (Ollama). When set, the chat uses the model (LLM_MODEL required).
    #[arg(long, env = "LLM_BASE_URL", value_name = "LLM_BASE_URL")]
    pub llm_base_url: Option<String>,
    /// API key, sent as a bearer token; local servers usually need none.
    #[arg(
        long,
        env = "LLM_API_KEY",
        value_name = "LLM_API_KEY",
        hide_env_values = true
    )]
    pub llm_api_key: Option<String>,
    /// Model name, e.g. gpt-4o-mini or llama3.1.
    #[arg(long, env = "LLM_MODEL", value_name = "LLM_MODEL")]
    pub llm_model: Option<String>,
    /// How long a chat turn may wait for the model, all its requests and retries included; then the
    /// builtin assistant answers.
    #[arg(long, env = "LLM_TIMEOUT", value_name = "LLM_TIMEOUT", default_value = "30s", value_parser = duration)]
    pub llm_timeout: Duration,
    /// Which assistant answers when LLM_BASE_URL is set: hybrid (the builtin one what it understands,
    /// the model the rest), llm (the model always) or builtin (never the model).
    #[arg(long, env = "ASSISTANT_MODE", value_name = "ASSISTANT_MODE", default_value = "hybrid",
          value_parser = |s: &str| s.parse::<todo_assistant::Routing>())]
    pub assistant_mode: todo_assistant::Routing,
}

impl std::fmt::Debug for LlmArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmArgs")
            .field("llm_base_url", &self.llm_base_url)
            .field(
                "llm_api_key",
                &self.llm_api_key.as_ref().map(|_| "<hidden>"),
            )
            .field("llm_model", &self.llm_model)
            .field("llm_timeout", &self.llm_timeout)
            .field("assistant_mode", &self.assistant_mode)
            .finish()
    }
}

impl LlmArgs {
    /// The LLM assistant's settings, or `None` when `LLM_BASE_URL` is not set.
    pub fn config(&self) -> Result<Option<todo_assistant::llm::LlmConfig>, ConfigError> {
        let error = |name, reason: &str| ConfigError {
            name,
            reason: reason.to_owned(),
        };
        let Some(base_url) = self
            .llm_base_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        else {
            return Ok(None);
        };
        match reqwest::Url::parse(base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {}
            _ => {
                return Err(error(
                    "LLM_BASE_URL",
                    "use an http:// or https:// URL such as https://api.openai.com/v1",
                ))
            }
        }
        let model = self
            .llm_model
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .ok_or_else(|| error("LLM_MODEL", "it is required when LLM_BASE_URL is set"))?;
        let api_key = self
            .llm_api_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty());
        if api_key.is_some_and(|k| k.chars().any(|c| c.is_control())) {
            return Err(error("LLM_API_KEY", "it has control characters"));
        }
        if self.llm_timeout.is_zero() {
            return Err(error("LLM_TIMEOUT", "use more than zero, e.g. 30s"));
        }
        Ok(Some(todo_assistant::llm::LlmConfig {
            base_url: base_url.to_owned(),
            api_key: api_key.map(str::to_owned),
            model: model.to_owned(),
            timeout: self.llm_timeout,
        }))
    }

    /// The LLM assistant, or `None` when `LLM_BASE_URL` is not set.
    pub fn assistant(&self) -> Result<Option<todo_assistant::llm::LlmAssistant>, ConfigError> {
        let Some(config) = self.config()? else {
            return Ok(None);
        };
        todo_assistant::llm::LlmAssistant::new(config)
            .map(Some)
            .map_err(|reason| ConfigError {
                name: "LLM_BASE_URL",
                reason,
            })
    }
}

#[derive(Debug, Clone, Args)]
pub struct McpArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The personal access token (tdc_…) of the user the tools act for. Required.
    #[arg(
        long,
        env = "TODO_TOKEN",
        value_name = "TODO_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// As for `serve`: needed with Postgres, and to accept a session token instead of a personal one.
    #[arg(
        long,
        env = "JWT_SECRET",
        value_name = "JWT_SECRET",
        hide_env_values = true
    )]
    pub jwt_secret: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ChatArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// A running server to talk to (e.g. http://todo.local) instead of the local database.
    #[arg(long, env = "TODO_SERVER", value_name = "TODO_SERVER")]
    pub server: Option<String>,
    /// A personal access token (tdc_…): required with --server; locally it picks the account.
    #[arg(
        long,
        env = "TODO_TOKEN",
        value_name = "TODO_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// Locally, the email of the account to act as (default: the only account).
    #[arg(long, value_name = "EMAIL")]
    pub user: Option<String>,
    /// Locally, the language model to use (the builtin assistant when LLM_BASE_URL is unset).
    #[command(flatten)]
    pub llm: LlmArgs,
    /// Continue this conversation instead of starting a new one.
    #[arg(long, value_name = "ID")]
    pub conversation: Option<i64>,
    /// A message to send and exit; without one, read messages line by line.
    pub message: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    #[arg(long, env = "PORT", value_name = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Path to ask; `/readyz` also checks the database.
    #[arg(long, default_value = "/healthz")]
    pub path: String,
    #[arg(long, default_value = "2s", value_parser = duration)]
    pub timeout: Duration,
}

/// A configuration value that cannot be used, named for the operator.
#[derive(Debug, thiserror::Error)]
#[error("invalid {name}: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub reason: String,
}

pub const MIN_JWT_SECRET_BYTES: usize = 32;

impl ServeArgs {
    /// The JWT secret, by [`resolve_jwt_secret`].
    pub fn resolve_jwt_secret(&self) -> Result<Vec<u8>, ConfigError> {
        resolve_jwt_secret(self.jwt_secret.as_deref(), &self.database)
    }

    /// `MCP_ALLOWED_HOSTS`: the accepted host names, or just `*` for any.
    pub fn mcp_allowed_hosts(&self) -> Result<Vec<String>, ConfigError> {
        crate::mcp::http::parse_allowed_hosts(&self.mcp_allowed_hosts).map_err(|reason| {
            ConfigError {
                name: "MCP_ALLOWED_HOSTS",
                reason,
            }
        })
    }

    /// How many password checks run at once, from `PASSWORD_HASHING_MEMORY`.
    pub fn hashing_limits(&self) -> todo_services::HashingLimits {
        let budget = match self.password_hashing_memory {
            MemorySetting::Bytes(bytes) => bytes,
            MemorySetting::Auto => container_memory_limit().map_or(64 << 20, |limit| limit / 8),
        };
        todo_services::HashingLimits::from_memory_budget(budget, self.sign_in_queue_timeout)
    }

    pub fn sign_in_limits(&self) -> todo_services::SignInLimits {
        todo_services::SignInLimits {
            per_account: self.sign_in_limit_per_account,
            per_address: self.sign_in_limit_per_address,
            window: self.sign_in_limit_window,
        }
    }

    /// `CLIENT_ADDRESS_HEADER` as a header name, if set.
    pub fn client_address_header(&self) -> Result<Option<axum::http::HeaderName>, ConfigError> {
        let name = self.client_address_header.trim();
        if name.is_empty() {
            return Ok(None);
        }
        axum::http::HeaderName::try_from(name)
            .map(Some)
            .map_err(|_| ConfigError {
                name: "CLIENT_ADDRESS_HEADER",
                reason: format!("'{name}' is not a header name"),
            })
    }

    pub fn static_dir(&self) -> Option<PathBuf> {
        match &self.static_dir {
            Some(dir) => Some(dir.clone()),
            None => Some(PathBuf::from("web/dist")).filter(|d| d.join("index.html").exists()),
        }
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(dir) = &self.static_dir {
            if !dir.join("index.html").is_file() {
                return Err(ConfigError {
                    name: "STATIC_DIR",
                    reason: format!("{} has no index.html", dir.display()),
                });
            }
        }
        let url = self.database.url();
        if !(url.starts_with("sqlite:") || is_postgres_url(&url)) {
            return Err(ConfigError {
                name: "DATABASE_URL",
                reason: "it must start with sqlite:// or postgres://".into(),
            });
        }
        if is_postgres_url(&url) && !is_postgres_url(&self.database.migration_url()) {
            return Err(ConfigError {
                name: "DATABASE_MIGRATION_URL",
                reason: "it must start with postgres:// (a direct connection to the same database)"
                    .into(),
            });
        }
        self.mcp_allowed_hosts()?;
        self.client_address_header()?;
        if self.header_read_timeout.is_zero() {
            return Err(ConfigError {
                name: "HEADER_READ_TIMEOUT",
                reason: "use more than zero, e.g. 10s".into(),
            });
        }
        if self.sign_in_limit_window.is_zero() {
            return Err(ConfigError {
                name: "SIGN_IN_LIMIT_WINDOW",
                reason: "use more than zero, e.g. 15m".into(),
            });
        }
        self.llm.config()?;
        if matches!(self.password_hashing_memory, MemorySetting::Bytes(b) if b < todo_services::HASH_MEMORY_BYTES)
        {
            return Err(ConfigError {
                name: "PASSWORD_HASHING_MEMORY",
                reason: "use at least 7MiB (one password check) or auto".into(),
            });
        }
        if self.max_body_bytes < 1024 {
            return Err(ConfigError {
                name: "MAX_BODY_BYTES",
                reason: "use at least 1024".into(),
            });
        }
        Ok(())
    }
}

/// The JWT secret: the configured one, or for a local SQLite install one
/// generated once and kept in the data directory. Shared by every subcommand
/// that checks bearer tokens.
pub fn resolve_jwt_secret(
    configured: Option<&str>,
    database: &DatabaseArgs,
) -> Result<Vec<u8>, ConfigError> {
    let error = |reason: String| ConfigError {
        name: "JWT_SECRET",
        reason,
    };
    if let Some(secret) = configured.filter(|s| !s.is_empty()) {
        if secret.len() < MIN_JWT_SECRET_BYTES {
            return Err(error(format!(
                "it is {} bytes long; use at least {MIN_JWT_SECRET_BYTES} random bytes (e.g. `openssl rand -hex 32`)",
                secret.len()
            )));
        }
        return Ok(secret.as_bytes().to_vec());
    }
    if !database.is_sqlite() {
        return Err(error(
            "it is required with a Postgres DATABASE_URL (e.g. `openssl rand -hex 32`)".into(),
        ));
    }
    let path = database.data_dir.join("jwt-secret");
    match std::fs::read_to_string(&path) {
        Ok(existing) if existing.trim().len() >= MIN_JWT_SECRET_BYTES => {
            Ok(existing.trim().as_bytes().to_vec())
        }
        _ => {
            use rand::distributions::{Alphanumeric, DistString};
            let secret = Alphanumeric.sample_string(&mut rand::thread_rng(), 64);
            write_private(&path, &secret).map_err(|e| {
                error(format!(
                    "cannot keep a generated secret in {}: {e}",
                    path.display()
                ))
            })?;
            tracing::warn!(path = %path.display(), "JWT_SECRET not set: generated one for this local install");
            Ok(secret.into_bytes())
        }
    }
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(test)]
mod llm_tests {
    use super::*;

    fn llm(base_url: Option<&str>, model: Option<&str>) -> LlmArgs {
        LlmArgs {
            llm_base_url: base_url.map(str::to_owned),
            llm_api_key: Some("sk-secret".into()),
            llm_model: model.map(str::to_owned),
            llm_timeout: Duration::from_secs(30),
            assistant_mode: todo_assistant::Routing::Hybrid,
        }
    }

    #[test]
    fn the_llm_is_optional_but_complete_when_set() {
        assert!(llm(None, None).config().unwrap().is_none());
        assert!(llm(Some(" "), None).config().unwrap().is_none());
        let config = llm(Some("http://localhost:11434/v1"), Some("llama3.1"))
            .config()
            .unwrap()
            .unwrap();
        assert_eq!(config.model, "llama3.1");
        assert_eq!(config.api_key.as_deref(), Some("sk-secret"));
        assert_eq!(config.timeout, Duration::from_secs(30));
        let missing = llm(Some("http://localhost:11434/v1"), None)
            .config()
            .unwrap_err();
        assert_eq!(missing.name, "LLM_MODEL");
        let bad = llm(Some("localhost:11434"), Some("m"))
            .config()
            .unwrap_err();
        assert_eq!(bad.name, "LLM_BASE_URL");
        let mut zero = llm(Some("http://x/v1"), Some("m"));
        zero.llm_timeout = Duration::ZERO;
        assert_eq!(zero.config().unwrap_err().name, "LLM_TIMEOUT");
        assert!(!format!("{:?}", llm(None, None)).contains("sk-secret"));
    }
}

#[cfg(test)]
mod database_tests {
    use super::*;

    fn database(url: &str, migration: Option<&str>) -> DatabaseArgs {
        DatabaseArgs {
            database_url: Some(url.into()),
            database_migration_url: migration.map(str::to_owned),
            data_dir: PathBuf::from("data"),
            db_max_connections: None,
            db_acquire_timeout: Duration::from_secs(3),
            db_statement_timeout: Duration::from_secs(5),
            db_connect_timeout: Duration::from_secs(30),
        }
    }

    #[test]
    fn the_pool_is_sized_per_database_unless_configured() {
        let postgres = database("postgres://app@db/todo", None);
        assert_eq!(postgres.store_options().max_connections, 10);
        let sqlite = database("sqlite:///data/todo.db", None);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
        assert_eq!(
            sqlite.store_options().max_connections,
            (cores * 2).clamp(2, 10)
        );
        let configured = DatabaseArgs {
            db_max_connections: Some(3),
            ..database("sqlite:///data/todo.db", None)
        };
        assert_eq!(configured.store_options().max_connections, 3);
    }

    #[test]
    fn migrations_run_on_a_direct_connection() {
        let plain = "postgres://app:pw@db:5432/todo?sslmode=require";
        assert_eq!(database(plain, None).migration_url(), plain);
        assert_eq!(
            database(plain, Some(" postgres://admin@db/todo ")).migration_url(),
            "postgres://admin@db/todo"
        );
        let pooled = "postgresql://alex:AbC-pooler1@ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=verify-full";
        assert_eq!(
            database(pooled, None).migration_url(),
            "postgresql://alex:AbC-pooler1@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb?sslmode=verify-full"
        );
        // An explicit direct URL wins; other hosts named -pooler are left alone.
        assert_eq!(
            database(pooled, Some("postgres://direct/neondb")).migration_url(),
            "postgres://direct/neondb"
        );
        let other = "postgres://u@pg-pooler.example.com/db";
        assert_eq!(database(other, None).migration_url(), other);
    }
}
