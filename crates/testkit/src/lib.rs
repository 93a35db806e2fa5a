//! Test support. Here: a real PostgreSQL server for tests, started on a free
//! port from the machine's PostgreSQL binaries, with a fresh database per test,
//! and PgBouncer in transaction mode in front of it (Neon's pooled endpoint).
//!
//! One cluster serves every test of a test binary. It is a child of a thread
//! that lives as long as the process and dies with it (`PR_SET_PDEATHSIG`),
//! so no server outlives a test run. Set `TODO_TEST_POSTGRES_URL` to use a
//! server of your own instead.
//!
//! In [`llm`]: a scripted OpenAI-compatible server, for the LLM assistant's
//! faults.

pub mod llm;

use anyhow::{bail, Context, Result};
use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The shared cluster of this test process.
pub fn postgres() -> &'static Postgres {
    static SHARED: OnceLock<Postgres> = OnceLock::new();
    SHARED.get_or_init(|| match std::env::var("TODO_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Postgres::external(url),
        _ => {
            Postgres::start().unwrap_or_else(|e| panic!("could not start a test PostgreSQL: {e:#}"))
        }
    })
}

/// A URL to a new, empty database on the shared cluster.
pub fn fresh_postgres_database() -> String {
    postgres()
        .fresh_database()
        .unwrap_or_else(|e| panic!("could not create a test database: {e:#}"))
}

/// A PostgreSQL server for tests: either one this process started (and can
/// stop and start again, for fault tests) or an external one.
pub struct Postgres {
    base_url: String,
    local: Option<LocalCluster>,
}

struct LocalCluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    user: Option<(u32, u32)>,
    child: Mutex<Option<Child>>,
    _root: tempfile::TempDir,
}

impl Postgres {
    fn external(base_url: String) -> Self {
        Self {
            base_url,
            local: None,
        }
    }

    /// Starts a new cluster of its own (`initdb`, then `postgres`) on a free port.
    pub fn start() -> Result<Self> {
        remove_abandoned_clusters();
        let bin = find_postgres_bin()?;
        let root = tempfile::Builder::new().prefix("todo-test-pg-").tempdir()?;
        let data = root.path().join("data");
        // initdb refuses to run as root; run the server as the postgres user then.
        let user = if std::fs::metadata("/proc/self")?.uid() == 0 {
            let ids = lookup_user("postgres")
                .context("running as root needs a 'postgres' system user")?;
            std::os::unix::fs::chown(root.path(), Some(ids.0), Some(ids.1))?;
            Some(ids)
        } else {
            None
        };
        let mut initdb = Command::new(bin.join("initdb"));
        initdb
            .args([
                "--no-sync",
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--no-instructions",
            ])
            .arg("-D")
            .arg(&data)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some((uid, gid)) = user {
            initdb.uid(uid).gid(gid);
        }
        let output = initdb.output().context("running initdb")?;
        if !output.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        let port = free_port()?;
        let cluster = LocalCluster {
            bin,
            data,
            port,
            user,
            child: Mutex::new(None),
            _root: root,
        };
        cluster.spawn()?;
        let pg = Self {
            base_url: format!("postgres://postgres@127.0.0.1:{port}"),
            local: Some(cluster),
        };
        pg.wait_ready(Duration::from_secs(60))?;
        Ok(pg)
    }

    /// `postgres://…/postgres`, the maintenance database.
    pub fn admin_url(&self) -> String {
        format!("{}/postgres", self.base_url)
    }

    pub fn fresh_database(&self) -> Result<String> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        self.psql(&format!("CREATE DATABASE {name}"))?;
        Ok(format!("{}/{name}", self.base_url))
    }

    /// Runs one SQL statement with `psql` against the maintenance database.
    pub fn psql(&self, sql: &str) -> Result<String> {
        self.psql_on(&self.admin_url(), sql)
    }

    /// Runs one SQL statement with `psql` against the database at `url`.
    pub fn psql_on(&self, url: &str, sql: &str) -> Result<String> {
        let output = Command::new(psql_path())
            .args(["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(url)
            .args(["-c", sql])
            .output()
            .context("running psql")?;
        if !output.status.success() {
            bail!(
                "psql '{sql}' failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// Stops the server (fast shutdown: open connections are cut).
    pub fn stop(&self) -> Result<()> {
        let cluster = self
            .local
            .as_ref()
            .context("an external server cannot be stopped")?;
        let mut guard = cluster
            .child
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?;
        if let Some(mut child) = guard.take() {
            // SIGINT is PostgreSQL's "fast" shutdown.
            unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
            child.wait()?;
        }
        Ok(())
    }

    /// Starts a stopped server again on the same port and data.
    pub fn restart(&self) -> Result<()> {
        let cluster = self
            .local
            .as_ref()
            .context("an external server cannot be restarted")?;
        cluster.spawn()?;
        self.wait_ready(Duration::from_secs(60))
    }

    fn wait_ready(&self, limit: Duration) -> Result<()> {
        let started = Instant::now();
        loop {
            match self.psql("SELECT 1") {
                Ok(_) => return Ok(()),
                Err(e) if started.elapsed() > limit => {
                    return Err(e.context("PostgreSQL did not become ready"))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
}

impl LocalCluster {
    /// Spawns `postgres`, tied to the test process.
    fn spawn(&self) -> Result<()> {
        let mut command = Command::new(self.bin.join("postgres"));
        command
            .arg("-D")
            .arg(&self.data)
            .args(["-p", &self.port.to_string(), "-h", "127.0.0.1", "-k"])
            .arg(self.data.parent().unwrap_or(Path::new("/tmp")))
            .args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=300",
                "-c",
                "shared_buffers=64MB",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some((uid, gid)) = self.user {
            command.uid(uid).gid(gid);
        }
        let child = spawn_tied_to_process(command, "test-postgres")?;
        *self.child.lock().map_err(|_| anyhow::anyhow!("poisoned"))? = Some(child);
        Ok(())
    }
}

/// PgBouncer in transaction mode in front of a [`Postgres`] started by this
/// process: what Neon's pooled (`-pooler`) endpoint is. Like Neon's it
/// refuses startup parameters it does not track (`options`,
/// `extra_float_digits`) and keeps protocol-level prepared statements
/// (`max_prepared_statements`, PgBouncer 1.21 or newer). It dies with the
/// test process.
pub struct PgBouncer {
    port: u16,
    upstream_port: u16,
    child: Mutex<Option<Child>>,
    _dir: tempfile::TempDir,
}

/// The oldest PgBouncer that pools protocol-level prepared statements (sqlx
/// prepares every query; Debian 12's 1.18 mixes them up between clients).
const PGBOUNCER_MIN: (u32, u32) = (1, 21);

impl PgBouncer {
    /// Starts PgBouncer on a free port in front of `upstream`. Its binary:
    /// `TODO_TEST_PGBOUNCER`, else the one `cargo xtask test` builds into
    /// `~/.cache/todo-chatbot/pgbouncer`, else `pgbouncer` on the PATH.
    pub fn start(upstream: &Postgres) -> Result<Self> {
        let cluster = upstream
            .local
            .as_ref()
            .context("PgBouncer is put in front of a cluster this process started")?;
        let binary = find_pgbouncer()?;
        let dir = tempfile::Builder::new()
            .prefix("todo-test-pgbouncer-")
            .tempdir()?;
        let port = free_port()?;
        let auth_file = dir.path().join("users.txt");
        std::fs::write(&auth_file, "\"postgres\" \"\"\n")?;
        let config = dir.path().join("pgbouncer.ini");
        std::fs::write(
            &config,
            format!(
                "[databases]\n* = host=127.0.0.1 port={upstream}\n\n[pgbouncer]\n\
                 listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
                 auth_type = trust\nauth_file = {auth}\n\
                 pool_mode = transaction\nmax_prepared_statements = 1000\n\
                 default_pool_size = 20\nmax_client_conn = 1000\n\
                 ignore_startup_parameters =\n",
                upstream = cluster.port,
                auth = auth_file.display(),
            ),
        )?;
        // The binary is run from the temporary folder: the unprivileged user
        // cannot reach the cache under root's home (mode 0700).
        let binary = if cluster.user.is_some() {
            let copy = dir.path().join("pgbouncer");
            std::fs::copy(&binary, &copy)
                .with_context(|| format!("copying {} for the test user", binary.display()))?;
            copy
        } else {
            binary
        };
        let mut command = Command::new(&binary);
        command
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // PgBouncer refuses to run as root.
        if let Some((uid, gid)) = cluster.user {
            for path in [dir.path(), auth_file.as_path(), config.as_path()] {
                std::os::unix::fs::chown(path, Some(uid), Some(gid))?;
            }
            command.uid(uid).gid(gid);
        }
        let child = spawn_tied_to_process(command, "test-pgbouncer")?;
        let bouncer = Self {
            port,
            upstream_port: cluster.port,
            child: Mutex::new(Some(child)),
            _dir: dir,
        };
        let started = Instant::now();
        while let Err(error) = upstream.psql_on(&bouncer.url_of("postgres"), "SELECT 1") {
            if started.elapsed() > Duration::from_secs(30) {
                return Err(error.context(format!("{} did not start", binary.display())));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(bouncer)
    }

    /// The pooled URL of a database on the upstream cluster, given its
    /// direct URL (from [`Postgres::fresh_database`]).
    pub fn pooled(&self, direct_url: &str) -> String {
        direct_url.replacen(
            &format!("127.0.0.1:{}/", self.upstream_port),
            &format!("127.0.0.1:{}/", self.port),
            1,
        )
    }

    fn url_of(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        if let Ok(mut guard) = self.child.lock() {
            if let Some(mut child) = guard.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

fn find_pgbouncer() -> Result<PathBuf> {
    let candidates: Vec<PathBuf> = match std::env::var_os("TODO_TEST_PGBOUNCER") {
        Some(path) if !path.is_empty() => vec![PathBuf::from(path)],
        _ => std::env::var_os("HOME")
            .map(|home| PathBuf::from(home).join(".cache/todo-chatbot/pgbouncer/bin/pgbouncer"))
            .into_iter()
            .chain([
                PathBuf::from("pgbouncer"),
                PathBuf::from("/usr/sbin/pgbouncer"),
            ])
            .collect(),
    };
    let mut found = Vec::new();
    for candidate in candidates {
        let Ok(output) = Command::new(&candidate).arg("--version").output() else {
            continue;
        };
        let text = String::from_utf8_lossy(&output.stdout);
        // "PgBouncer 1.24.1"
        let version = text
            .split_whitespace()
            .nth(1)
            .map(|v| {
                v.split('.')
                    .filter_map(|n| n.parse::<u32>().ok())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        if let [major, minor, ..] = version[..] {
            if (major, minor) >= PGBOUNCER_MIN {
                return Ok(candidate);
            }
            found.push(format!("{} is {major}.{minor}", candidate.display()));
        }
    }
    bail!(
        "no PgBouncer {}.{} or newer (found: {}); `cargo xtask test --provision-only` builds one \
         into ~/.cache/todo-chatbot/pgbouncer, or set TODO_TEST_PGBOUNCER",
        PGBOUNCER_MIN.0,
        PGBOUNCER_MIN.1,
        if found.is_empty() {
            "none".to_owned()
        } else {
            found.join(", ")
        }
    )
}

/// Spawns `command` from a thread that never ends, so that the parent-death
/// signal fires only when the whole test process is gone.
fn spawn_tied_to_process(mut command: Command, name: &str) -> Result<Child> {
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let _ = sender.send(command.spawn());
            loop {
                std::thread::park();
            }
        })?;
    receiver.recv()?.with_context(|| format!("starting {name}"))
}

/// The shared cluster lives in a static, so its folder outlives the test
/// process (its server does not: it dies with the process). Folders whose
/// server is gone are removed by the next cluster to start.
fn remove_abandoned_clusters() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_ours = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("todo-test-pg-"));
        let old_enough = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().unwrap_or_default() > Duration::from_secs(60));
        if !is_ours || !old_enough {
            continue;
        }
        let pid = std::fs::read_to_string(path.join("data/postmaster.pid"))
            .ok()
            .and_then(|text| {
                text.lines()
                    .next()
                    .and_then(|l| l.trim().parse::<i32>().ok())
            });
        let running = pid.is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if !running {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// A TCP port nothing listens on right now, for a server a test starts.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn psql_path() -> PathBuf {
    find_postgres_bin()
        .map(|b| b.join("psql"))
        .unwrap_or_else(|_| PathBuf::from("psql"))
}

/// Debian keeps the server binaries in /usr/lib/postgresql/<major>/bin.
fn find_postgres_bin() -> Result<PathBuf> {
    if let Ok(dir) = std::env::var("TODO_TEST_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .context("PostgreSQL is not installed (no /usr/lib/postgresql); install the 'postgresql' package")?
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions
        .pop()
        .context("no initdb found under /usr/lib/postgresql/*/bin")
}

fn lookup_user(name: &str) -> Result<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd")?;
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.first() == Some(&name))
        .and_then(|fields| Some((fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?)))
        .with_context(|| format!("no user '{name}' in /etc/passwd"))
}

/// The workspace's root folder (where Cargo.lock is), for tests that read
/// the repository's own files: the chart, the built UI, scripts.
///
/// Read at run time from the `CARGO_MANIFEST_DIR` cargo sets for the test it
/// runs: a build cached from another checkout of the same sources (CI's clone
/// shares the target folder) still carries that checkout's compile-time path.
pub fn workspace_root() -> std::path::PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .map(std::path::Path::to_path_buf)
        .unwrap_or(manifest)
}

/// A test that cannot run here (a tool or a build it needs is missing).
/// Under `CI` this fails the test with `why`. Otherwise it says so where
/// people look, and the caller returns: a `SKIPPED` line written straight
/// to the terminal (libtest hides what a passing test prints), and a line
/// in `TODO_TEST_SKIP_LOG` when that is set, so `cargo xtask test` lists
/// every suite that did not run in its summary.
#[track_caller]
pub fn cannot_run(why: &str) {
    let test = test_name();
    if std::env::var_os("CI").is_some_and(|ci| !ci.is_empty()) {
        panic!("{test} cannot run, and CI is set: {why}");
    }
    use std::io::Write;
    // io::stderr() is not captured by the test harness; eprintln! would be.
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {test}: {why}");
    if let Some(log) = std::env::var_os("TODO_TEST_SKIP_LOG").filter(|l| !l.is_empty()) {
        let line = format!("{test}\t{}\n", why.replace(['\n', '\t'], " "));
        // One short append per line: concurrent test processes do not interleave.
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .and_then(|mut file| file.write_all(line.as_bytes()));
    }
}

/// `binary::test`: the test binary's name without cargo's hash, and the
/// running test (libtest names each test's thread after it).
fn test_name() -> String {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|stem| match stem.rsplit_once('-') {
            Some((name, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => name.to_owned(),
            _ => stem,
        })
        .unwrap_or_else(|| "tests".to_owned());
    match std::thread::current().name() {
        Some(test) if test != "main" => format!("{binary}::{test}"),
        _ => binary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_distinct_databases() {
        let a = fresh_postgres_database();
        let b = fresh_postgres_database();
        assert_ne!(a, b);
        let listed = postgres().psql("SELECT datname FROM pg_database").unwrap();
        for url in [a, b] {
            let name = url.rsplit('/').next().unwrap();
            assert!(
                listed.lines().any(|l| l == name),
                "{name} missing in {listed}"
            );
        }
    }

    /// Only run by `cannot_run_says_so_and_fails_under_ci`, as a child process.
    #[test]
    #[ignore = "run as a child by cannot_run_says_so_and_fails_under_ci"]
    fn probe_that_cannot_run() {
        cannot_run("the probe's tool is missing");
    }

    #[test]
    fn cannot_run_says_so_and_fails_under_ci() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("skips");
        let probe = |ci: Option<&str>| {
            let mut command = Command::new(std::env::current_exe().unwrap());
            command
                .args(["--ignored", "--exact", "tests::probe_that_cannot_run"])
                .env("TODO_TEST_SKIP_LOG", &log)
                .env_remove("CI");
            if let Some(ci) = ci {
                command.env("CI", ci);
            }
            command.output().unwrap()
        };

        let skipped = probe(None);
        assert!(skipped.status.success());
        let stderr = String::from_utf8_lossy(&skipped.stderr);
        let line =
            "SKIPPED todo_testkit::tests::probe_that_cannot_run: the probe's tool is missing";
        assert!(stderr.contains(line), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            "todo_testkit::tests::probe_that_cannot_run\tthe probe's tool is missing\n"
        );

        let failed = probe(Some("1"));
        assert!(!failed.status.success());
        let stdout = String::from_utf8_lossy(&failed.stdout);
        assert!(stdout.contains("cannot run, and CI is set"), "{stdout}");
    }
}
