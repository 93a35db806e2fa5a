//! Load generation with wrk, and parsing of its `--latency` report.

use anyhow::{bail, Context, Result};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

pub struct Load {
    pub duration: Duration,
    pub connections: u32,
    pub threads: u32,
}

#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    pub name: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    pub body: Option<&'static str>,
    /// Concurrent clients for this scenario, when it differs from the run's.
    pub connections: Option<u32>,
}

#[derive(Debug, Default, PartialEq)]
pub struct Report {
    pub requests: u64,
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p75_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    /// Responses with a status of 400 or more (wrk's "Non-2xx or 3xx").
    pub non_2xx: u64,
    /// Connect, read, write errors and timeouts.
    pub socket_errors: u64,
}

impl Report {
    pub fn errors(&self) -> u64 {
        self.non_2xx + self.socket_errors
    }
}

pub fn run(
    scenario: &Scenario,
    addr: SocketAddr,
    token: &str,
    load: &Load,
    dir: &Path,
) -> Result<Report> {
    let script = dir.join(format!("{}.lua", scenario.name));
    std::fs::write(&script, lua_script(scenario, token))?;
    let output = Command::new("wrk")
        .arg(format!("--threads={}", load.threads))
        .arg(format!(
            "--connections={}",
            scenario
                .connections
                .unwrap_or(load.connections)
                .max(load.threads)
        ))
        .arg(format!("--duration={}s", load.duration.as_secs().max(1)))
        .arg("--latency")
        .arg("--script")
        .arg(&script)
        .arg(format!("http://{addr}{}", scenario.path))
        .output()
        .context("running wrk")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "wrk failed ({}): {}{}",
            output.status,
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    parse(&stdout).with_context(|| format!("unexpected wrk output:\n{stdout}"))
}

/// wrk sends the same request every time; Lua long brackets keep the JSON
/// body free of escaping.
fn lua_script(scenario: &Scenario, token: &str) -> String {
    let mut lua = format!(
        "wrk.method = \"{}\"\nwrk.headers[\"Authorization\"] = \"Bearer {token}\"\n",
        scenario.method
    );
    if let Some(body) = scenario.body {
        lua.push_str("wrk.headers[\"Content-Type\"] = \"application/json\"\n");
        lua.push_str(&format!("wrk.body = [==[{body}]==]\n"));
    }
    lua
}

pub fn parse(output: &str) -> Result<Report> {
    let mut report = Report::default();
    let mut seen_rate = false;
    for line in output.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", time] => report.p50_ms = millis(time)?,
            ["75%", time] => report.p75_ms = millis(time)?,
            ["90%", time] => report.p90_ms = millis(time)?,
            ["99%", time] => report.p99_ms = millis(time)?,
            [count, "requests", "in", ..] => report.requests = count.parse()?,
            ["Requests/sec:", rate] => {
                report.requests_per_sec = rate.parse()?;
                seen_rate = true;
            }
            ["Non-2xx", "or", "3xx", "responses:", count] => report.non_2xx = count.parse()?,
            ["Socket", "errors:", rest @ ..] => {
                // "connect 0, read 0, write 0, timeout 12"
                report.socket_errors = rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum();
            }
            _ => {}
        }
    }
    if !seen_rate || report.p99_ms == 0.0 && report.requests > 0 {
        bail!("no Requests/sec or latency distribution found");
    }
    Ok(report)
}

/// wrk prints times as e.g. `812.00us`, `4.10ms`, `1.02s`, `1.50m`.
fn millis(raw: &str) -> Result<f64> {
    let units = [
        ("us", 0.001),
        ("ms", 1.0),
        ("s", 1000.0),
        ("m", 60_000.0),
        ("h", 3_600_000.0),
    ];
    for (suffix, factor) in units {
        if let Some(number) = raw.strip_suffix(suffix) {
            if let Ok(value) = number.parse::<f64>() {
                return Ok(value * factor);
            }
        }
    }
    bail!("not a wrk time: {raw}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
Running 10s test @ http://127.0.0.1:8080/api/tasks?limit=100
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.12ms    2.01ms   1.02s    80.00%
    Req/Sec     6.30k   500.00     7.00k    70.00%
  Latency Distribution
     50%  812.00us
     75%    6.00ms
     90%    1.50s
     99%    2.00m
  125000 requests in 10.00s, 1.20GB read
  Socket errors: connect 1, read 2, write 0, timeout 12
  Non-2xx or 3xx responses: 5
Requests/sec:  12500.50
Transfer/sec:    123.00MB
";

    #[test]
    fn parses_a_latency_report() {
        let report = parse(OUTPUT).unwrap();
        assert_eq!(report.requests, 125_000);
        assert_eq!(report.requests_per_sec, 12_500.5);
        assert!((report.p50_ms - 0.812).abs() < 1e-9);
        assert_eq!(report.p75_ms, 6.0);
        assert_eq!(report.p90_ms, 1500.0);
        assert_eq!(report.p99_ms, 120_000.0);
        assert_eq!((report.non_2xx, report.socket_errors), (5, 15));
        assert_eq!(report.errors(), 20);
    }

    #[test]
    fn rejects_output_without_figures() {
        assert!(parse("unable to connect to 127.0.0.1:1 Connection refused").is_err());
    }

    #[test]
    fn quotes_the_post_body_verbatim() {
        let scenario = Scenario {
            name: "create",
            method: "POST",
            path: "/api/tasks",
            body: Some(r#"{"title":"a \"b\""}"#),
            connections: None,
        };
        let lua = lua_script(&scenario, "t.o.k");
        assert!(lua.contains(r#"wrk.body = [==[{"title":"a \"b\""}]==]"#));
        assert!(lua.contains("Bearer t.o.k"));
        assert!(lua.contains("Content-Type"));
    }
}
