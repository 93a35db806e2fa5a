//! CPU accounting around a load run. wrk, the server and Postgres share the
//! same few cores, so "who used the CPU" tells what limited the throughput.

use anyhow::{Context, Result};
use std::time::{Duration, Instant};

/// Cumulative CPU seconds at one instant.
pub struct Sample {
    at: Instant,
    server: f64,
    /// Reaped children of this process: during a run, only wrk.
    children: f64,
    /// All processes on the machine, from /proc/stat.
    machine_busy: f64,
    /// Time the hypervisor gave our virtual CPUs to someone else.
    steal: f64,
}

/// Average cores used over an interval.
#[derive(Debug, Clone, Copy)]
pub struct Share {
    pub server: f64,
    pub wrk: f64,
    /// Everything else busy: Postgres, softirq (loopback TCP), other processes.
    pub other: f64,
    pub steal: f64,
    pub idle: f64,
}

/// CPU time per request over a run, in microseconds: where each request's
/// cost went. On a machine whose cores were all busy, `cores / total` is the
/// most requests a second it can serve at that cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerRequest {
    pub server: f64,
    /// The load generator (wrk, or pgbench for the database's ceiling).
    pub client: f64,
    /// Postgres, the kernel's loopback traffic and anything else running.
    pub other: f64,
}

impl PerRequest {
    pub fn total(&self) -> f64 {
        self.server + self.client + self.other
    }
}

impl Share {
    /// The cores of this share spread over `per_second` requests a second.
    pub fn per_request(&self, per_second: f64) -> PerRequest {
        let us = |cores: f64| {
            if per_second > 0.0 {
                cores * 1e6 / per_second
            } else {
                0.0
            }
        };
        PerRequest {
            server: us(self.server),
            client: us(self.wrk),
            other: us(self.other),
        }
    }
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a constant.
    (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).max(1) as f64
}

pub fn sample(server_pid: u32) -> Result<Sample> {
    let (machine_busy, steal) = machine_seconds()?;
    Ok(Sample {
        at: Instant::now(),
        server: process_seconds(server_pid)?,
        children: children_seconds(),
        machine_busy,
        steal,
    })
}

impl Sample {
    pub fn share_since(&self, start: &Sample) -> Share {
        let wall = self.at.duration_since(start.at).as_secs_f64().max(1e-9);
        let server = (self.server - start.server) / wall;
        let wrk = (self.children - start.children) / wall;
        let busy = (self.machine_busy - start.machine_busy) / wall;
        let steal = (self.steal - start.steal) / wall;
        Share {
            server,
            wrk,
            other: (busy - server - wrk).max(0.0),
            steal,
            idle: (cores() as f64 - busy - steal).max(0.0),
        }
    }
}

/// Cores busy (or stolen) on the machine over `window` while we wait: work
/// that is not ours and will compete with the benchmark.
pub fn background_load(window: Duration) -> Result<f64> {
    let (busy, steal) = machine_seconds()?;
    std::thread::sleep(window);
    let (busy_after, steal_after) = machine_seconds()?;
    Ok((busy_after - busy + steal_after - steal) / window.as_secs_f64())
}

/// utime + stime of one process (fields 14 and 15 of /proc/<pid>/stat).
fn process_seconds(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name may contain spaces; the fields after it do not.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .context("bad /proc/<pid>/stat")?
        .1
        .split_whitespace()
        .collect();
    let field =
        |i: usize| -> Result<f64> { Ok(fields.get(i).context("short /proc/<pid>/stat")?.parse()?) };
    Ok((field(11)? + field(12)?) / ticks_per_second())
}

fn children_seconds() -> f64 {
    // SAFETY: getrusage fills the zeroed struct we own.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Time all CPUs were busy (user, nice, system, irq, softirq), and stolen.
fn machine_seconds() -> Result<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/stat")?;
    let values: Vec<f64> = stat
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("cpu "))
        .context("no cpu line in /proc/stat")?
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    let busy: f64 = [0, 1, 2, 5, 6].iter().filter_map(|&i| values.get(i)).sum();
    let steal = values.get(7).copied().unwrap_or(0.0);
    Ok((busy / ticks_per_second(), steal / ticks_per_second()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_cores_over_requests() {
        let share = Share {
            server: 1.0,
            wrk: 0.2,
            other: 0.8,
            steal: 0.0,
            idle: 0.0,
        };
        let each = share.per_request(2_000.0);
        assert_eq!(
            each,
            PerRequest {
                server: 500.0,
                client: 100.0,
                other: 400.0
            }
        );
        assert_eq!(each.total(), 1_000.0);
        assert_eq!(share.per_request(0.0).total(), 0.0);
    }
}
