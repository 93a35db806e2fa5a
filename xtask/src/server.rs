//! One `todo serve` process: started on a free port, timed until ready,
//! stopped (and reaped) when dropped, so an error never leaves it running.

use crate::http;
use anyhow::{bail, Context, Result};
use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long start-up may take before we give up.
const READY_LIMIT: Duration = Duration::from_secs(60);
/// Poll interval for `/readyz`: fine enough to time a start-up of a few ms.
const POLL: Duration = Duration::from_millis(2);
/// How long a SIGTERM'd server gets to drain before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);
/// At least 32 bytes; the databases are throwaway.
const JWT_SECRET: &str = "xtask-bench-secret-not-for-production-use-0123456789";

pub struct Config<'a> {
    pub binary: &'a Path,
    pub database_url: &'a str,
    /// Working and data directory (logs, and nothing else lands in the repo).
    pub dir: &'a Path,
    pub max_connections: u32,
}

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    /// Spawns the server and waits for the first 200 from `/readyz`; returns it
    /// with the time from spawn to ready.
    pub fn start(config: &Config, name: &str) -> Result<(Self, Duration)> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let log = config.dir.join(format!("{name}.log"));
        let out = File::create(&log)?;
        let mut command = Command::new(config.binary);
        command
            .arg("serve")
            .args(["--port", &port.to_string(), "--host", "127.0.0.1"])
            .args(["--database-url", config.database_url])
            .args(["--jwt-secret", JWT_SECRET])
            .current_dir(config.dir)
            .env("DATA_DIR", config.dir)
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "warn")
            .env("DB_MAX_CONNECTIONS", config.max_connections.to_string())
            .env("SHUTDOWN_TIMEOUT", "2s")
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out);
        let started = Instant::now();
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", config.binary.display()))?;
        let mut server = Self { child, addr, log };
        let ready = server.wait_ready(started)?;
        Ok((server, ready))
    }

    fn wait_ready(&mut self, started: Instant) -> Result<Duration> {
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the server exited during start-up ({status}):\n{}",
                    self.log_tail()
                );
            }
            // Connection refused until it listens, 503 until the database is ready.
            if let Ok(response) = http::send(self.addr, "GET", "/readyz", None, None) {
                if response.status == 200 {
                    return Ok(started.elapsed());
                }
            }
            if started.elapsed() > READY_LIMIT {
                bail!("not ready after {READY_LIMIT:?}:\n{}", self.log_tail());
            }
            std::thread::sleep(POLL);
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident memory so far (`VmHWM`), in bytes.
    pub fn peak_rss(&self) -> Result<u64> {
        self.status_kib("VmHWM:").map(|kib| kib * 1024)
    }

    /// Resident memory now (`VmRSS`), in bytes.
    pub fn rss(&self) -> Result<u64> {
        self.status_kib("VmRSS:").map(|kib| kib * 1024)
    }

    fn status_kib(&self, field: &str) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .with_context(|| format!("no {field} in /proc/<pid>/status"))
    }

    /// SIGTERM (the server's graceful shutdown), then SIGKILL if it lingers.
    pub fn stop(mut self) -> Result<()> {
        self.terminate()
    }

    fn terminate(&mut self) -> Result<()> {
        if self.child.try_wait()?.is_some() {
            return Ok(());
        }
        // SAFETY: plain kill(2) on our own, not yet reaped, child.
        unsafe { libc::kill(self.pid() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.child.kill()?;
        self.child.wait()?;
        // Worth seeing, but not worth losing the measurements over.
        eprintln!("WARNING: the server did not exit within {STOP_GRACE:?} of SIGTERM; killed it");
        Ok(())
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Err(error) = self.terminate() {
            eprintln!("warning: stopping the server: {error:#}");
        }
    }
}
