//! `eval`: runs the builtin assistant's evaluation set through the real
//! stack (SQLite, services, tools, chat turn) and prints the pass rate per
//! intent and overall.
//!
//! Usage: `eval [--min 0.97] [--dir crates/assistant/eval] [--filter NAME|INTENT|FILE] [--quiet]
//! [--mode builtin|hybrid|llm --llm-base-url URL --llm-model NAME [--llm-timeout SECS]]`.
//! With a model, it also prints who answered the turns and the tokens spent.
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
    mode: todo_assistant::Routing,
    llm_base_url: Option<String>,
    llm_model: String,
    llm_timeout: f64,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        // The quality gate: 97% unless told otherwise (`--min 0` to report only).
        min: 0.97,
        dir: runner::default_dir(),
        filter: None,
        quiet: false,
        mode: todo_assistant::Routing::Builtin,
        llm_base_url: None,
        llm_model: "model".into(),
        llm_timeout: 30.0,
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
            "--mode" => options.mode = value("--mode")?.parse()?,
            "--llm-base-url" => options.llm_base_url = Some(value("--llm-base-url")?),
            "--llm-model" => options.llm_model = value("--llm-model")?,
            "--llm-timeout" => {
                options.llm_timeout = value("--llm-timeout")?
                    .parse()
                    .map_err(|_| "--llm-timeout takes seconds".to_owned())?;
            }
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
    let llm = match &options.llm_base_url {
        Some(base_url) => {
            match todo_assistant::llm::LlmAssistant::new(todo_assistant::llm::LlmConfig {
                base_url: base_url.clone(),
                api_key: std::env::var("LLM_API_KEY").ok(),
                model: options.llm_model.clone(),
                timeout: std::time::Duration::from_secs_f64(options.llm_timeout),
            }) {
                Ok(llm) => Some(std::sync::Arc::new(llm)),
                Err(message) => {
                    eprintln!("eval: {message}");
                    return ExitCode::from(2);
                }
            }
        }
        None => None,
    };
    let started = std::time::Instant::now();
    let run = runtime.block_on(async {
        let harness = runner::Harness::with_llm(llm.clone(), options.mode).await?;
        runner::run_all_with(&options.dir, options.filter.as_deref(), harness).await
    });
    let run = match run {
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
    let turns: usize = run.routes.values().sum();
    let routes: Vec<String> = run
        .routes
        .iter()
        .map(|(who, n)| {
            format!(
                "{who} {n} ({:.0}%)",
                *n as f64 * 100.0 / turns.max(1) as f64
            )
        })
        .collect();
    println!("answered by: {}", routes.join(", "));
    if let Some(llm) = &llm {
        let usage = llm.usage();
        let asked = run.routes.get("llm").copied().unwrap_or(0)
            + run.routes.get("fallback").copied().unwrap_or(0);
        let per_turn = usage.prompt_tokens as f64 / asked.max(1) as f64;
        let kept = run.routes.get("builtin").copied().unwrap_or(0);
        println!(
            "model: {} requests, {} prompt tokens ({} from the cache), {} completion tokens; \
             {:.0} prompt tokens per turn it was asked, so the {} turns the builtin kept saved ~{:.0}",
            usage.requests,
            usage.prompt_tokens,
            usage.cached_tokens,
            usage.completion_tokens,
            per_turn,
            kept,
            per_turn * kept as f64
        );
    }
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
