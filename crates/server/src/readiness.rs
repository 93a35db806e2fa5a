//! Readiness that does not keep a serverless database awake.
//!
//! A probe every few seconds on every replica that ran SQL would count as
//! activity, so Neon would never scale to zero. Instead `/readyz` answers
//! from what the server already knows, and asks the database with SQL only
//! when something went wrong:
//! - after a request failed because the database was unavailable, or a
//!   check failed: a real check (the migrations' version) on every probe
//!   until one succeeds;
//! - otherwise an idle pooled connection is asked for a protocol-level Sync
//!   round trip (no SQL, no new connection). If it answers, or every
//!   connection is in use: ready. If it is dead, or the pool is empty, and
//!   requests came in within [`RECENT`], the
//!   database was in use moments ago (so a check wakes nothing) and losing a
//!   connection may be an outage: a real check decides. If nothing came in
//!   for longer, a dead connection is what a scale-to-zero or a pooler's idle
//!   timeout leaves behind: it is dropped, the next request reconnects, and
//!   readiness only asks whether the server's address still takes a
//!   connection (no session, no SQL: `Store::reach_server`). If it does not,
//!   not ready, and real checks until one succeeds.
//!
//! SQLite is local and cheap: it is always checked for real.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use todo_storage::{IdleProbe, Store, StoreError};

/// How long after the last request a dead idle connection is still worth a
/// real check: an outage soon after traffic shows within seconds. Not longer
/// than Neon's shortest scale-to-zero delay (1 minute, 5 by default), so a
/// compute suspended for idleness is not woken by a probe.
pub const RECENT: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct Readiness {
    /// The database it asks about: readiness is an operations concern, so it
    /// holds the storage handle, not the services.
    store: Store,
    started: Instant,
    /// Milliseconds since `started` of the last request that was not a probe.
    last_request_ms: AtomicU64,
    /// A request or a check found the database unavailable, and no check
    /// has succeeded since.
    failing: AtomicBool,
}

impl Readiness {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            started: Instant::now(),
            last_request_ms: AtomicU64::new(0),
            failing: AtomicBool::new(false),
        }
    }

    /// A request other than a probe came in.
    pub fn saw_request(&self) {
        let now = self.started.elapsed().as_millis() as u64;
        self.last_request_ms.store(now.max(1), Ordering::Relaxed);
    }

    /// A request found the database unavailable.
    pub fn saw_database_unavailable(&self) {
        self.failing.store(true, Ordering::Relaxed);
    }

    fn requested_recently(&self) -> bool {
        let last = self.last_request_ms.load(Ordering::Relaxed);
        last != 0 && self.started.elapsed().as_millis() as u64 - last <= RECENT.as_millis() as u64
    }

    pub async fn check(&self) -> Result<(), StoreError> {
        let store = &self.store;
        if store.backend() != "sqlite" && !self.failing.load(Ordering::Relaxed) {
            let connection_lost = match store.probe_idle_connection().await {
                IdleProbe::Alive => false,
                IdleProbe::Broken => true,
                // All in use: those requests will tell if the database fails.
                IdleProbe::NoIdleConnection => store.open_connections() == 0,
            };
            if !connection_lost {
                return Ok(());
            }
            if !self.requested_recently() {
                let reached = store.reach_server().await;
                self.failing.store(reached.is_err(), Ordering::Relaxed);
                return reached;
            }
        }
        let result = store.check_ready().await;
        self.failing.store(result.is_err(), Ordering::Relaxed);
        result
    }
}
