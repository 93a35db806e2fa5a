//! An index of the common-password list (src/common_passwords.rs), so that a
//! lookup reads one stretch of the list instead of binary-searching all of it:
//! every page a search touches stays mapped, and the kernel maps 64 KiB
//! around each (issue 12: a binary search left most of the 816 KiB list
//! resident after the first sign-up).

use std::fmt::Write;

/// About this many bytes of the list per bucket (a page).
const BUCKET_BYTES: usize = 4096;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=data/common-passwords.txt");
    let list =
        std::fs::read("data/common-passwords.txt").expect("reading data/common-passwords.txt");
    // Each bucket starts at a line: its offset, and the line's first 8 bytes.
    let (mut keys, mut starts) = (Vec::new(), Vec::new());
    let mut start = 0;
    while start < list.len() {
        keys.push(key(&list[start..]));
        starts.push(start);
        let Some(newline) = list
            .get(start + BUCKET_BYTES..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        else {
            break;
        };
        start += BUCKET_BYTES + newline + 1;
    }
    let mut out = String::new();
    writeln!(out, "const BUCKET_KEYS: [u64; {}] = {keys:?};", keys.len()).unwrap();
    writeln!(
        out,
        "const BUCKET_STARTS: [u32; {}] = {starts:?};",
        starts.len()
    )
    .unwrap();
    let path =
        std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("common_passwords_index.rs");
    std::fs::write(path, out).expect("writing the index");
}

/// A line's first 8 bytes, big-endian, zero-padded: ordered as the lines are.
fn key(line: &[u8]) -> u64 {
    let mut bytes = [0; 8];
    for (slot, &byte) in bytes
        .iter_mut()
        .zip(line.iter().take_while(|&&b| b != b'\n'))
    {
        *slot = byte;
    }
    u64::from_be_bytes(bytes)
}
