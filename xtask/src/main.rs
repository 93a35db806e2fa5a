//! Project tooling, run as `cargo xtask <command>`.

mod bench;
mod cpu;
mod debian;
mod http;
mod server;
mod testing;
mod web;
mod wrk;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "xtask",
    bin_name = "cargo xtask",
    about = "Project tooling for the todo server."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load-test the release server on SQLite and/or Postgres with wrk and
    /// print throughput, latency, start-up time and memory (never asserts).
    Bench(BenchArgs),
    /// Run the builtin assistant's evaluation set and print the pass rate
    /// per intent and overall (`cargo xtask eval --min 0.97`).
    Eval(EvalArgs),
    /// Build the web UI (wasm, hashed assets, gzip and brotli copies) into a
    /// static folder that `todo serve` and nginx serve, and print its size.
    Web(WebArgs),
    /// Build the web UI, then run the server with it: the whole product at
    /// http://localhost:8080 (arguments after `--` go to `todo serve`).
    Serve(ServeArgs),
    /// The README's test command: install what the tests need (Debian
    /// packages, the Python environment, the browser harness, the chart
    /// tools, the web UI; each cached under ~/.cache/todo-chatbot), run
    /// `cargo test --workspace`, and list every test that could not run.
    Test(TestArgs),
}

#[derive(Debug, Args)]
struct TestArgs {
    /// Only provision; afterwards `cargo test -p <crate> --test <name>` finds everything.
    #[arg(long)]
    provision_only: bool,
    /// Passed to `cargo test --workspace`, e.g. `-- --test-threads 1`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    cargo_args: Vec<String>,
}

#[derive(Debug, Args)]
struct WebArgs {
    /// Where the static site goes.
    #[arg(long, default_value = "web/dist")]
    out: PathBuf,
    /// A debug build: faster to compile, much larger, no wasm-opt.
    #[arg(long, conflicts_with = "release")]
    dev: bool,
    /// The optimised build (the default; accepted for explicit scripts).
    #[arg(long)]
    release: bool,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Passed to `todo serve`, e.g. `--port 3000`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

#[derive(Debug, Args)]
struct EvalArgs {
    /// Passed to the runner: --min 0.97, --filter NAME|INTENT|FILE, --quiet.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// How long each load scenario runs (whole seconds: 10s, 1m).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    duration: Duration,
    /// Open HTTP connections wrk keeps busy.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    connections: u32,
    /// wrk threads (they share the machine's cores with the server).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
    threads: u32,
    /// Which database backend(s) to measure.
    #[arg(long, value_enum, default_value_t = BackendChoice::Both)]
    backend: BackendChoice,
    /// Measure this server binary instead of building the workspace's (e.g.
    /// an older commit's, for before/after figures with today's scenarios).
    #[arg(long)]
    server: Option<PathBuf>,
    /// Use target/release/todo as it is, without `cargo build` (e.g. while
    /// the working tree does not compile).
    #[arg(long)]
    no_build: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum BackendChoice {
    Sqlite,
    Postgres,
    Both,
}

fn main() -> std::process::ExitCode {
    // One readable error, without the backtrace anyhow adds under RUST_BACKTRACE.
    match run(Cli::parse().command) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<()> {
    match command {
        Command::Bench(args) => {
            let backends = match args.backend {
                BackendChoice::Sqlite => vec![bench::Backend::Sqlite],
                BackendChoice::Postgres => vec![bench::Backend::Postgres],
                BackendChoice::Both => vec![bench::Backend::Sqlite, bench::Backend::Postgres],
            };
            bench::run(&bench::Options {
                duration: args.duration,
                // wrk refuses fewer connections than threads.
                connections: args.connections.max(args.threads),
                threads: args.threads,
                backends,
                build: !args.no_build,
                workspace: workspace_root(),
                server: args.server,
            })
        }
        Command::Test(args) => testing::run(&testing::Options {
            workspace: workspace_root(),
            provision_only: args.provision_only,
            cargo_args: args.cargo_args,
        }),
        Command::Web(args) => web::build(&web::Options {
            out: workspace_root().join(args.out),
            release: !args.dev,
            workspace: workspace_root(),
        }),
        Command::Serve(args) => {
            let workspace = workspace_root();
            web::build(&web::Options {
                out: workspace.join("web/dist"),
                release: true,
                workspace: workspace.clone(),
            })?;
            let cargo = crate::web::cargo();
            let status = std::process::Command::new(cargo)
                .args(["run", "--release", "-p", "todo-server", "--", "serve"])
                .args(&args.args)
                .env("STATIC_DIR", workspace.join("web/dist"))
                .current_dir(&workspace)
                .status()
                .context("running the server")?;
            if !status.success() {
                bail!("the server stopped ({status})");
            }
            Ok(())
        }
        Command::Eval(args) => {
            let cargo = crate::web::cargo();
            let status = std::process::Command::new(cargo)
                .args([
                    "run",
                    "--quiet",
                    "-p",
                    "todo-assistant",
                    "--bin",
                    "eval",
                    "--",
                ])
                .args(&args.args)
                .current_dir(workspace_root())
                .status()
                .context("running the eval binary")?;
            if !status.success() {
                bail!("the evaluation failed ({status})");
            }
            Ok(())
        }
    }
}

/// The workspace root: xtask lives one level below it. Read at run time
/// from the `CARGO_MANIFEST_DIR` `cargo run` sets: a build cached from
/// another checkout (CI's clone shares the target folder) carries that
/// checkout's compile-time path.
fn workspace_root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Whole seconds only, because that is what wrk's `--duration` takes.
fn parse_duration(raw: &str) -> Result<Duration> {
    let raw = raw.trim();
    let (number, unit) = raw.split_at(raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len()));
    let value: u64 = number
        .parse()
        .with_context(|| format!("'{raw}' is not a duration (use e.g. 10s or 1m)"))?;
    let seconds = match unit {
        "" | "s" => value,
        "m" => value * 60,
        _ => bail!("'{raw}': use whole seconds or minutes, e.g. 10s or 1m"),
    };
    if seconds == 0 {
        bail!("the duration must be at least 1s");
    }
    Ok(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("7").unwrap(), Duration::from_secs(7));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("500ms").is_err());
        assert!(parse_duration("fast").is_err());
    }
}
