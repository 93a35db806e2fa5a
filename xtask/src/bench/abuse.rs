//! Abuse figures (README, "Reliability"): the server's peak memory during a
//! burst of concurrent sign-ins with wrong passwords, each a full Argon2id
//! check, and how long completing tasks with the costliest recurrence rules
//! takes. Each on a fresh server, so its peak RSS is the burst's own.

use crate::http;
use crate::server::{Config, Server};
use anyhow::{ensure, Context, Result};
use serde_json::json;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Concurrent sign-ins per burst; the README's figure is for 64.
pub const BURSTS: [usize; 2] = [64, 128];

/// Rules at the edge of what the API accepts, each due in year 1: never or
/// rarely matching (the expansion walks many empty periods), BYSETPOS over
/// long lists, a large INTERVAL.
const WORST_RULES: [&str; 6] = [
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30,31,-31;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=1,2,3,-1,-2,-3",
    "FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO;BYMONTH=1,2,3,4,5,6,7,8,9,10,11",
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=DAILY;INTERVAL=999;BYMONTH=2;BYMONTHDAY=29",
];

#[derive(Debug)]
pub struct Burst {
    pub sign_ins: usize,
    pub took: Duration,
    /// Answers by status (401 wrong password, 503 queue full…).
    pub statuses: BTreeMap<u16, usize>,
    pub peak_rss_bytes: u64,
    /// Resident memory a second after the burst: what was given back.
    pub rss_after_bytes: u64,
}

#[derive(Debug)]
pub struct Figures {
    pub bursts: Vec<Burst>,
    /// Slowest completion of a task with one of [`WORST_RULES`].
    pub worst_completion: Duration,
    pub worst_rule: &'static str,
}

pub fn run(config: &Config, label: &str) -> Result<Figures> {
    // The bursts measure password checking, not the throttle that would
    // answer most of them 429 first (the servers inherit this environment).
    std::env::set_var("SIGN_IN_LIMIT_PER_ACCOUNT", "1000000");
    std::env::set_var("SIGN_IN_LIMIT_PER_ADDRESS", "1000000");
    let mut bursts = Vec::new();
    for sign_ins in BURSTS {
        let (server, _) = Server::start(config, &format!("burst-{sign_ins}"))?;
        let burst = sign_in_burst(&server, sign_ins, label);
        server.stop()?;
        bursts.push(burst?);
    }
    let (server, _) = Server::start(config, "recurrence")?;
    let worst = worst_completion(server.addr, label);
    server.stop()?;
    let (worst_completion, worst_rule) = worst?;
    Ok(Figures {
        bursts,
        worst_completion,
        worst_rule,
    })
}

/// The password the abuse scenarios sign up with (and later get wrong).
const RIGHT_PASSWORD: &str = "right-password-1";

fn sign_up(addr: SocketAddr, email: &str) -> Result<String> {
    super::sign_up(addr, email, RIGHT_PASSWORD)
}

fn sign_in_burst(server: &Server, sign_ins: usize, label: &str) -> Result<Burst> {
    let email = format!("burst-{label}-{sign_ins}@example.com");
    sign_up(server.addr, &email)?;
    let body = json!({"email": email, "password": "wrong-password-1"}).to_string();
    let addr = server.addr;
    let start = std::sync::Barrier::new(sign_ins);
    let began = Instant::now();
    let statuses = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..sign_ins)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    http::send(addr, "POST", "/api/auth/login", None, Some(&body))
                        .map(|r| r.status)
                        .unwrap_or(0)
                })
            })
            .collect();
        let mut counts = BTreeMap::new();
        for handle in handles {
            *counts.entry(handle.join().unwrap_or(0)).or_insert(0) += 1;
        }
        counts
    });
    let took = began.elapsed();
    let peak_rss_bytes = server.peak_rss()?;
    std::thread::sleep(Duration::from_secs(1));
    let rss_after_bytes = server.rss()?;
    Ok(Burst {
        sign_ins,
        took,
        statuses,
        peak_rss_bytes,
        rss_after_bytes,
    })
}

fn worst_completion(addr: SocketAddr, label: &str) -> Result<(Duration, &'static str)> {
    let token = sign_up(addr, &format!("recurrence-{label}@example.com"))?;
    let mut worst = (Duration::ZERO, WORST_RULES[0]);
    for rule in WORST_RULES {
        let body = json!({"title": "worst case", "due_at": "0001-01-01", "recurrence": rule});
        let created = http::send(
            addr,
            "POST",
            "/api/tasks",
            Some(&token),
            Some(&body.to_string()),
        )?;
        ensure!(
            created.status == 201,
            "{rule}: create answered {}: {}",
            created.status,
            created.body
        );
        let id = created.json()?["id"].as_i64().context("no id")?;
        let began = Instant::now();
        let done = http::send(
            addr,
            "POST",
            &format!("/api/tasks/{id}/complete"),
            Some(&token),
            Some("{}"),
        )?;
        let took = began.elapsed();
        ensure!(
            done.status == 200,
            "{rule}: complete answered {}: {}",
            done.status,
            done.body
        );
        if took > worst.0 {
            worst = (took, rule);
        }
    }
    Ok(worst)
}

pub fn print(name: &str, figures: &Figures) {
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    for burst in &figures.bursts {
        let statuses: Vec<String> = burst
            .statuses
            .iter()
            .map(|(status, n)| format!("{n}×{status}"))
            .collect();
        println!(
            "[{name}] {} concurrent wrong sign-ins: peak RSS {:.0} MiB, {:.0} MiB a second later, {:.2} s, answers {}",
            burst.sign_ins,
            mib(burst.peak_rss_bytes),
            mib(burst.rss_after_bytes),
            burst.took.as_secs_f64(),
            statuses.join(" ")
        );
    }
    println!(
        "[{name}] slowest completion of a worst-case recurring task: {:.1} ms ({})",
        figures.worst_completion.as_secs_f64() * 1e3,
        figures.worst_rule
    );
}
