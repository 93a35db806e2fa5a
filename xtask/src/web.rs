//! Builds the web UI: the `todo-web` crate for wasm32, `wasm-bindgen` at the
//! exact version the crate links, `wasm-opt` when installed, then a static
//! folder with content-hashed asset names and gzip/brotli siblings.

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";
const CRATE: &str = "todo-web";

pub struct Options {
    pub workspace: PathBuf,
    pub out: PathBuf,
    pub release: bool,
}

pub fn build(options: &Options) -> Result<()> {
    let workspace = &options.workspace;
    ensure_wasm_target()?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"));
    let profile = if options.release {
        "wasm-release"
    } else {
        "dev"
    };
    let status = Command::new(cargo())
        .args([
            "build",
            "-p",
            CRATE,
            "--target",
            TARGET,
            "--profile",
            profile,
        ])
        .current_dir(workspace)
        .status()
        .context("running cargo build for the web UI")?;
    if !status.success() {
        bail!("building the web UI failed ({status})");
    }
    let profile_dir = if options.release {
        "wasm-release"
    } else {
        "debug"
    };
    let wasm = target_dir
        .join(TARGET)
        .join(profile_dir)
        .join(format!("{CRATE}.wasm"));

    // Binding, optimising and compressing take a while: skip them when
    // nothing they read changed since the folder was built.
    let inputs = inputs_digest(workspace, &wasm, options.release)?;
    let stamp = options.out.join(".build-inputs");
    if options.out.join("index.html").is_file()
        && std::fs::read_to_string(&stamp).is_ok_and(|s| s == inputs)
    {
        println!("web UI in {} is up to date", options.out.display());
        return Ok(());
    }

    let staging = tempfile::tempdir().context("creating a staging folder")?;
    let bindgen = wasm_bindgen(workspace)?;
    let status = Command::new(&bindgen)
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--out-name",
            CRATE,
            "--out-dir",
        ])
        .arg(staging.path())
        .arg(&wasm)
        .status()
        .with_context(|| format!("running {}", bindgen.display()))?;
    if !status.success() {
        bail!("wasm-bindgen failed ({status})");
    }
    let bound_wasm = staging.path().join(format!("{CRATE}_bg.wasm"));
    if options.release {
        optimize(&bound_wasm)?;
    }

    let out = &options.out;
    let assets = out.join("assets");
    if out.exists() {
        std::fs::remove_dir_all(out).with_context(|| format!("clearing {}", out.display()))?;
    }
    std::fs::create_dir_all(&assets).with_context(|| format!("creating {}", assets.display()))?;

    let web = workspace.join("crates/web");
    let wasm_bytes = std::fs::read(&bound_wasm)?;
    let wasm_name = format!("{CRATE}-{}_bg.wasm", short_hash(&wasm_bytes));
    // The module starts itself (static/start.js) with the wasm index.html
    // names: index.html then needs no inline script, which a strict
    // Content-Security-Policy forbids.
    let mut js = std::fs::read_to_string(staging.path().join(format!("{CRATE}.js")))?;
    js.push('\n');
    js.push_str(
        &std::fs::read_to_string(web.join("static/start.js")).context("reading static/start.js")?,
    );
    let js_name = format!("{CRATE}-{}.js", short_hash(js.as_bytes()));
    let css =
        std::fs::read_to_string(web.join("style/app.css")).context("reading style/app.css")?;
    let css = if options.release {
        minify_css(&css)
    } else {
        css
    }
    .into_bytes();
    let css_name = format!("app-{}.css", short_hash(&css));
    let icon = std::fs::read(web.join("static/icon.svg")).context("reading static/icon.svg")?;
    let icon_name = format!("icon-{}.svg", short_hash(&icon));

    let index = std::fs::read_to_string(web.join("index.html"))
        .context("reading crates/web/index.html")?
        .replace("{{js}}", &format!("/assets/{js_name}"))
        .replace("{{wasm}}", &format!("/assets/{wasm_name}"))
        .replace("{{css}}", &format!("/assets/{css_name}"))
        .replace("{{icon}}", &format!("/assets/{icon_name}"));

    let files: Vec<(PathBuf, Vec<u8>)> = vec![
        (assets.join(&wasm_name), wasm_bytes),
        (assets.join(&js_name), js.into_bytes()),
        (assets.join(&css_name), css),
        (assets.join(&icon_name), icon),
        (out.join("index.html"), index.into_bytes()),
    ];
    let mut report = Vec::new();
    for (path, bytes) in &files {
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
        let gzip = gzip(bytes)?;
        let brotli = brotli(bytes)?;
        std::fs::write(with_suffix(path, "gz"), &gzip)?;
        std::fs::write(with_suffix(path, "br"), &brotli)?;
        report.push((path.clone(), bytes.len(), gzip.len(), brotli.len()));
    }
    std::fs::write(&stamp, inputs)?;
    print_sizes(out, &report);
    Ok(())
}

/// What the static folder is made from: the compiled wasm, the page, style
/// and icon, the build kind, the tools' versions and this build code.
fn inputs_digest(workspace: &Path, wasm: &Path, release: bool) -> Result<String> {
    let web = workspace.join("crates/web");
    let mut digest = Sha256::new();
    for file in [
        wasm.to_path_buf(),
        web.join("index.html"),
        web.join("static/start.js"),
        web.join("style/app.css"),
        web.join("static/icon.svg"),
    ] {
        let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        digest.update((bytes.len() as u64).to_le_bytes());
        digest.update(&bytes);
    }
    let tools = format!(
        "release={release} wasm-bindgen={} binaryen={BINARYEN_VERSION} {:?} {:?}",
        locked_wasm_bindgen_version(workspace)?,
        std::env::var_os("WASM_BINDGEN"),
        std::env::var_os("WASM_OPT"),
    );
    digest.update(tools.as_bytes());
    // And how this file puts them together.
    digest.update(include_bytes!("web.rs"));
    Ok(format!("{:x}\n", digest.finalize()))
}

fn print_sizes(out: &Path, report: &[(PathBuf, usize, usize, usize)]) {
    println!("web UI built into {}", out.display());
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "file", "bytes", "gzip", "brotli"
    );
    let mut code = (0, 0, 0);
    for (path, raw, gzip, brotli) in report {
        let name = path.strip_prefix(out).unwrap_or(path).display().to_string();
        println!("{name:<44} {raw:>10} {gzip:>10} {brotli:>10}");
        if ["wasm", "js", "css"].iter().any(|ext| name.ends_with(ext)) {
            code = (code.0 + raw, code.1 + gzip, code.2 + brotli);
        }
    }
    println!(
        "wasm + JS + CSS: {:.1} KB raw, {:.1} KB gzipped, {:.1} KB brotli (goal: ≤ 350 KB gzipped)",
        code.0 as f64 / 1024.0,
        code.1 as f64 / 1024.0,
        code.2 as f64 / 1024.0
    );
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        bytes,
        &mut out,
    )?;
    Ok(out)
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        writer.write_all(bytes)?;
    }
    Ok(out)
}

/// The cargo running this xtask (so toolchain overrides carry over).
pub fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

fn ensure_wasm_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == TARGET)
        })
        .unwrap_or(false);
    if !installed {
        println!("adding the {TARGET} target with rustup");
        let status = Command::new("rustup")
            .args(["target", "add", TARGET])
            .status()
            .context("running rustup (install Rust with rustup to build the web UI)")?;
        if !status.success() {
            bail!("`rustup target add {TARGET}` failed");
        }
    }
    Ok(())
}

/// The version of the `wasm-bindgen` crate in Cargo.lock: the CLI must match it exactly.
pub fn locked_wasm_bindgen_version(workspace: &Path) -> Result<String> {
    let lock =
        std::fs::read_to_string(workspace.join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'))
            {
                return Ok(version.to_owned());
            }
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package")
}

/// `wasm-bindgen` at the locked version: `WASM_BINDGEN`, then the one on
/// PATH if its version matches, then one installed by cargo into the cache.
fn wasm_bindgen(workspace: &Path) -> Result<PathBuf> {
    let version = locked_wasm_bindgen_version(workspace)?;
    let matches = |program: &Path| {
        Command::new(program)
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == format!("wasm-bindgen {version}"))
            .unwrap_or(false)
    };
    if let Some(path) = std::env::var_os("WASM_BINDGEN").map(PathBuf::from) {
        if matches(&path) {
            return Ok(path);
        }
        bail!(
            "WASM_BINDGEN={} is not wasm-bindgen {version}",
            path.display()
        );
    }
    if matches(Path::new("wasm-bindgen")) {
        return Ok(PathBuf::from("wasm-bindgen"));
    }
    let root = tools_dir().join(format!("wasm-bindgen-{version}"));
    let installed = root.join("bin/wasm-bindgen");
    if matches(&installed) {
        return Ok(installed);
    }
    println!(
        "installing wasm-bindgen-cli {version} into {} (once)",
        root.display()
    );
    let install = |locked: bool| {
        let mut command = Command::new(cargo());
        command.args(["install", "--quiet", "wasm-bindgen-cli", "--version"]);
        command.arg(format!("={version}")).arg("--root").arg(&root);
        if locked {
            command.arg("--locked");
        }
        command.output()
    };
    // The published lock file can name yanked crates (cargo then fails at
    // once, before compiling): resolve afresh, and show cargo's complaint
    // only if that fails too.
    let locked = install(true).context("running cargo install")?;
    if !locked.status.success() {
        println!("wasm-bindgen-cli {version}'s published Cargo.lock no longer resolves; installing with current dependencies");
        let fresh = install(false).context("running cargo install")?;
        if !fresh.status.success() {
            bail!(
                "could not install wasm-bindgen-cli {version}:\n{}\n{}",
                String::from_utf8_lossy(&locked.stderr),
                String::from_utf8_lossy(&fresh.stderr)
            );
        }
    }
    if !matches(&installed) {
        bail!("could not install wasm-bindgen-cli {version}");
    }
    Ok(installed)
}

fn tools_dir() -> PathBuf {
    std::env::var_os("TODO_TOOLS_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/todo-chatbot/tools"))
        })
        .unwrap_or_else(|| PathBuf::from("target/tools"))
}

/// binaryen's version, pinned: older releases (Debian 12 ships 108) emit a
/// wasm whose externref table the browser rejects at start.
const BINARYEN_VERSION: &str = "132.0.0";
const BINARYEN_MIN_NATIVE: u32 = 116;

/// `wasm-opt` to use: `WASM_OPT`, a recent enough one on PATH, or the npm
/// build of binaryen installed into the tools cache. `None` without npm.
fn wasm_opt() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("WASM_OPT") {
        return Some(PathBuf::from(path));
    }
    let native_version = Command::new("wasm-opt")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .find_map(|word| word.parse::<u32>().ok())
        });
    if native_version.is_some_and(|v| v >= BINARYEN_MIN_NATIVE) {
        return Some(PathBuf::from("wasm-opt"));
    }
    let root = tools_dir().join(format!("binaryen-{BINARYEN_VERSION}"));
    let installed = root.join("node_modules/.bin/wasm-opt");
    if installed.exists() {
        return Some(installed);
    }
    println!(
        "installing binaryen {BINARYEN_VERSION} (wasm-opt) from npm into {} (once)",
        root.display()
    );
    let ok = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(&root)
        .arg(format!("binaryen@{BINARYEN_VERSION}"))
        .status()
        .is_ok_and(|s| s.success());
    (ok && installed.exists()).then_some(installed)
}

/// `wasm-opt -Oz` and more; the UI works without it, only larger.
fn optimize(wasm: &Path) -> Result<()> {
    let Some(wasm_opt) = wasm_opt() else {
        println!("no usable wasm-opt (needs npm, or binaryen ≥ {BINARYEN_MIN_NATIVE}): the wasm stays unoptimised");
        return Ok(());
    };
    let optimized = with_suffix(wasm, "opt");
    // The features rustc enables by default for wasm32 today.
    // `--low-memory-unused` folds constant offsets into loads and stores:
    // rustc puts the stack first (data starts at 1 MiB, the stack grows down
    // toward 0), so the low 1 KiB is only reached by an overflowing stack.
    // With `--converge`: 1.5 KB less gzipped wasm (issue 13).
    let status = Command::new(&wasm_opt)
        .args([
            "-Oz",
            "--low-memory-unused",
            "--converge",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-reference-types",
            "--enable-multivalue",
        ])
        .arg(wasm)
        .arg("-o")
        .arg(&optimized)
        .status()
        .with_context(|| format!("running {}", wasm_opt.display()))?;
    if !status.success() {
        bail!("wasm-opt failed ({status})");
    }
    std::fs::rename(&optimized, wasm)?;
    Ok(())
}

/// The stylesheet without its comments and indentation (about 1 KB less
/// gzipped, inside the first load's cap); quoted strings are kept as they
/// are, and every run of whitespace or comments becomes one separator.
fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    // Whitespace or a comment seen since the last kept character.
    let mut gap: Option<char> = None;
    while let Some(c) = chars.next() {
        let comment = c == '/' && chars.peek() == Some(&'*');
        if comment || c.is_whitespace() {
            if comment {
                chars.next();
                let mut previous = ' ';
                for next in chars.by_ref() {
                    if previous == '*' && next == '/' {
                        break;
                    }
                    previous = next;
                }
            }
            gap = Some(if c == '\n' || gap == Some('\n') {
                '\n'
            } else {
                ' '
            });
            continue;
        }
        if let Some(separator) = gap.take() {
            if !out.is_empty() {
                out.push(separator);
            }
        }
        out.push(c);
        if c == '"' || c == '\'' {
            for next in chars.by_ref() {
                out.push(next);
                if next == c {
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod css_tests {
    use super::minify_css;

    #[test]
    fn minified_css_keeps_rules_and_strings() {
        let css = "/* a */\n:root {\n  --x: 1px; /* why */\n}\n.a, .b  { content: \"  /* kept */  \"; }\n";
        assert_eq!(
            minify_css(css),
            ":root {\n--x: 1px;\n}\n.a, .b { content: \"  /* kept */  \"; }"
        );
    }
}
