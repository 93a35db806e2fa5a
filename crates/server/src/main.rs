use clap::Parser;
use std::process::ExitCode;
use todo_server::config::{Cli, Command};
use todo_server::{healthcheck, serve, telemetry};

/// mimalloc in the musl image (issue 12). With musl's own allocator the
/// server spent 760 µs of CPU per page of 100 tasks (a third of it in the
/// kernel) against 440-470 µs with mimalloc: 1,380-1,410 -> 1,950-2,070
/// req/s (wrk, 64 connections, Postgres on the same 2 cores). glibc builds
/// keep glibc's allocator, tuned below: mimalloc cut their CPU by a tenth
/// but held 6 MB more at the bench's peak (43 MB on SQLite).
#[cfg(target_env = "musl")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tune_malloc();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            use clap::error::ErrorKind;
            if matches!(
                error.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = error.print();
                return if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            // One line, naming the setting: "todo: invalid value 'x' for '--port <PORT>': …"
            let text = error.to_string();
            let first = text
                .lines()
                .next()
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ");
            eprintln!("todo: {first}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("todo: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli.command));
    match result {
        Ok(code) => code,
        Err(error) => {
            // The full chain on one line: "cannot reach the database (DATABASE_URL): …"
            eprintln!("todo: {}", format!("{error:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve(args) => {
            telemetry::init_logging(args.log_format);
            let server = serve::Server::build(&args).await?;
            server.run(serve::shutdown_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate(args) => {
            telemetry::init_logging(todo_server::config::LogFormat::Auto);
            let database = todo_server::serve::run_migrations(&args).await?;
            tracing::info!(database, "migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::Chat(args) => {
            telemetry::init_logging_with(todo_server::config::LogFormat::Pretty, "warn");
            todo_server::chat_cli::run(args).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Mcp(args) => {
            // Stdout is the protocol: logs go to stderr only.
            telemetry::init_logging(todo_server::config::LogFormat::Auto);
            todo_server::mcp::stdio::run(&args).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Healthcheck(args) => {
            match healthcheck::check(args.port, &args.path, args.timeout).await {
                Ok(()) => Ok(ExitCode::SUCCESS),
                Err(reason) => {
                    eprintln!("todo: unhealthy: {reason}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}

/// glibc's allocator, set before any other thread exists (issue 12: peak RSS).
/// - Allocations of 1 MiB and more are mapped from the OS and given back when
///   freed. glibc's threshold otherwise rises to the size of the largest
///   mapped block freed so far, and later blocks that size come from a heap
///   that keeps them (password checks, the largest, now map their own).
/// - Two arenas per core instead of eight: each thread that allocates (tokio
///   workers, one per SQLite connection, the blocking pool) otherwise gets an
///   arena of its own that keeps its high-water mark. Measured on 2 cores
///   under `cargo xtask bench`: SQLite 49 -> 46 MB with no throughput loss
///   seen within the run-to-run noise; two arenas did halve list throughput.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_malloc() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let arenas = libc::c_int::try_from(cores.saturating_mul(2)).unwrap_or(libc::c_int::MAX);
    // SAFETY: mallopt only sets allocator parameters; no other thread exists
    // yet to allocate concurrently.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc() {}
