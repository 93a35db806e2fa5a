//! Debian packages the xtask's commands need, installed with apt-get when
//! missing (as root, or with passwordless sudo), so that `cargo xtask test`
//! and `cargo xtask bench` run on a fresh machine.

use crate::testing::{quiet, succeeds};
use anyhow::{bail, Context, Result};
use std::process::Command;

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

/// What [`install`] could not install: the packages, and the command that
/// would. Displayed as one line that says both.
pub struct Missing {
    pub packages: Vec<String>,
    how: String,
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "missing Debian packages: {} (not root, no passwordless sudo): run `{}`",
            self.packages.join(" "),
            self.how
        )
    }
}

/// Installs those of `packages` that are missing. `Ok(None)` when all are
/// there; `Ok(Some(missing))` when some are missing and this user may not
/// install them (not root, no passwordless sudo); an error when apt-get
/// failed.
pub fn install(packages: &[&str]) -> Result<Option<Missing>> {
    let missing: Vec<&str> = packages.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(None);
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let sudo = !root && succeeds(Command::new("sudo").args(["-n", "true"]));
    let how = format!("sudo apt-get install -y {}", missing.join(" "));
    if !(root || sudo) {
        return Ok(Some(Missing {
            packages: missing.iter().map(|p| p.to_string()).collect(),
            how,
        }));
    }
    let apt = |args: &[&str]| {
        let mut command = Command::new(if root { "apt-get" } else { "sudo" });
        if !root {
            command.arg("apt-get");
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    println!("    installing {}", missing.join(" "));
    quiet(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    quiet(install.args(&missing)).with_context(|| format!("installing {}", missing.join(" ")))?;
    Ok(None)
}

/// Installs what is missing of `packages`, or fails with the one line that
/// says how.
pub fn require(packages: &[&str]) -> Result<()> {
    match install(packages)? {
        Some(missing) => bail!("{missing}"),
        None => Ok(()),
    }
}
