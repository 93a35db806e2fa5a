//! Link-time settings of the `todo` binary.

use std::env::var;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // Relative relocations packed (DT_RELR): the loader then reads ~50 KiB
    // instead of a 4 MiB `.rela.dyn`, whose pages stayed resident for the
    // process's life (issue 12: peak RSS). The binary then needs glibc 2.36+,
    // so only a native glibc build on such a glibc packs them; the musl image
    // and cross builds link as before.
    let native = var("HOST").ok() == var("TARGET").ok();
    let glibc = var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    if native && glibc && host_glibc().is_some_and(|version| version >= (2, 36)) {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// This machine's glibc, from `ldd --version`'s first line
/// ("ldd (Debian GLIBC 2.36-9+deb12u14) 2.36").
fn host_glibc() -> Option<(u32, u32)> {
    let output = Command::new("ldd").arg("--version").output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let (major, minor) = text.lines().next()?.rsplit(' ').next()?.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}
