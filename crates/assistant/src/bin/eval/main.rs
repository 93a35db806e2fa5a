//! `eval`: runs the builtin assistant's evaluation set through the real
//! stack (SQLite, services, tools, chat turn) and prints the pass rate per
//! intent and overall.
//!
//! Usage: `eval [--min 0.97] [--dir crates/assistant/eval] [--filter NAME|INTENT|FILE] [--quiet]`.
//! Exits 1 when the overall pass rate is below `--min` (default 0.97), 2 on
//! a broken case. Each case starts from a fresh task list; see
//! `runner.rs` for the file format.

mod runner;

use std::path::PathBuf;
use std::process::ExitCode;

struct Options {
    min: f64,
    dir: PathBuf,
    filter: Option<String>,
    quiet: bool,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        // The quality gate: 97% unless told otherwise (`--min 0` to report only).
        min: 0.97,
        dir: runner::default_dir(),
        filter: None,
        quiet: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--min" => {
                options.min = value("--min")?
                    .parse()
                    .map_err(|_| "--min takes a number such as 0.97".to_owned())?;
            }
            "--dir" => options.dir = PathBuf::from(value("--dir")?),
            "--filter" => options.filter = Some(value("--filter")?),
            "--quiet" | "-q" => options.quiet = true,
            "--help" | "-h" => {
                return Err(
                    "usage: eval [--min 0.97] [--dir DIR] [--filter NAME|INTENT|FILE] [--quiet]"
                        .into(),
                )
            }
            other => return Err(format!("unknown argument '{other}' (try --help)")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let started = std::time::Instant::now();
    let run = match runtime.block_on(runner::run_all(&options.dir, options.filter.as_deref())) {
        Ok(run) => run,
        Err(message) => {
            eprintln!("eval: {message}");
            return ExitCode::from(2);
        }
    };
    let outcomes = &run.outcomes;
    if !options.quiet {
        print!("{}", runner::failures(outcomes));
    }
    let (table, rate) = runner::summary(outcomes);
    println!("\n{table}");
    println!(
        "{} cases in {:.1}s; {}",
        outcomes.len(),
        started.elapsed().as_secs_f64(),
        run.latency()
    );
    if rate < options.min {
        eprintln!(
            "pass rate {:.1}% is below the minimum {:.1}%",
            rate * 100.0,
            options.min * 100.0
        );
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
