#!/usr/bin/env bash
# A short, bounded coverage-guided fuzz run of the domain's parsers (the
# quick-add grammar and the recurrence rules), from the committed corpus in
# crates/domain/fuzz/corpus. Any crash fails the run; libFuzzer leaves the
# input that crashed in crates/domain/fuzz/artifacts/<target>/, which is the
# regression case to fix and then commit to the corpus.
#
#   .ci/fuzz.sh [SECONDS_PER_TARGET]      (default 30)
#
# libFuzzer needs nightly Rust and cargo-fuzz: both are installed on first use
# (nightly with rustup's minimal profile; cargo-fuzz, pinned, under
# ~/.cache/todo-chatbot/tools). The fuzz build has its own target folder,
# so its sanitizer flags never touch the product's build cache.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-30}"
cache="$HOME/.cache/todo-chatbot"
cargo_fuzz_version=0.13.2
tools="$cache/tools/cargo-fuzz-$cargo_fuzz_version"

log() { printf '\n==> %s\n' "$*"; }

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  log "installing nightly Rust (minimal profile), for libFuzzer"
  rustup toolchain install nightly --profile minimal --no-self-update >/dev/null
fi
if [ ! -x "$tools/bin/cargo-fuzz" ]; then
  log "installing cargo-fuzz $cargo_fuzz_version"
  cargo install --quiet --locked --root "$tools" --version "$cargo_fuzz_version" cargo-fuzz
fi
export PATH="$tools/bin:$PATH"
export CARGO_TARGET_DIR="$cache/fuzz-target"

cd crates/domain
for target in $(cargo +nightly fuzz list); do
  corpus="fuzz/corpus/$target"
  log "fuzzing $target for ${seconds}s from $(find "$corpus" -type f | wc -l) committed inputs"
  # A scratch copy of the corpus: new inputs found here are not written into
  # the clone (commit the interesting ones by hand, after `cargo fuzz cmin`).
  scratch="$(mktemp -d)"
  cp -r "$corpus/." "$scratch/"
  if ! cargo +nightly fuzz run --release --debug-assertions "$target" "$scratch" -- \
    -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=5 -print_final_stats=1 2>"$scratch.log"; then
    tail -n 40 "$scratch.log"
    rm -rf "$scratch" "$scratch.log"
    echo "fuzz.sh: $target crashed; the input is in crates/domain/fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$scratch.log" | tr '\n' ' '
  echo
  rm -rf "$scratch" "$scratch.log"
done
