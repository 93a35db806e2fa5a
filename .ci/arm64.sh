#!/usr/bin/env bash
# Apple Silicon and other arm64 machines: the backend built for the Rust
# target infra/docker/backend.Dockerfile picks for TARGETARCH=arm64, with zig
# as the cross C compiler and linker (ring and SQLite have C parts), then run
# under QEMU user-mode emulation. The arm64 binary starts, migrates SQLite,
# signs a user up (argon2, JWT), adds and lists a task over REST and adds one
# through the chat.
#
# What this does not prove: the arm64 image build itself (no arm64 base image
# can be pulled here) or real arm64 hardware. Build output is cached in the
# shared target folder, so a warm run rebuilds only the project's crates.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="$HOME/.cache/todo-chatbot"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$cache/target}"
ZIGLANG_VERSION=0.17.1
CARGO_ZIGBUILD_VERSION=0.24.1

die() { printf 'arm64: %s\n' "$*" >&2; exit 1; }
log() { printf -- '--> %s\n' "$*"; }

# The Dockerfile is the source of truth: a Dockerfile that hard-codes one
# target (the defect this guards against) has no arm64 line and fails here.
target="$(sed -n 's/^ *arm64) target=\([a-z0-9_]*-[a-z0-9_-]*\) ;;.*/\1/p' infra/docker/backend.Dockerfile)"
[ -n "$target" ] || die "infra/docker/backend.Dockerfile maps no Rust target for TARGETARCH=arm64"
log "backend.Dockerfile builds $target for arm64"

if ! command -v qemu-aarch64-static >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends qemu-user-static >/dev/null
fi
for tool in curl jq; do
  command -v "$tool" >/dev/null || apt-get install -y -qq --no-install-recommends "$tool" >/dev/null
done
venv="$cache/zig-venv"
if ! "$venv/bin/cargo-zigbuild" --version 2>/dev/null | grep -qF "$CARGO_ZIGBUILD_VERSION" ||
  ! "$venv/bin/python" -m ziglang version 2>/dev/null | grep -qF "$ZIGLANG_VERSION"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"
fi
rustup target add "$target" >/dev/null

log "cargo zigbuild --target $target (debug profile: this proves the platform, not the release tuning)"
started=$SECONDS
PATH="$venv/bin:$PATH" cargo zigbuild --quiet --locked --target "$target" -p todo-server --bin todo
binary="$CARGO_TARGET_DIR/$target/debug/todo"
log "built in $((SECONDS - started)) s: $(du -h "$binary" | cut -f1)"
machine="$(readelf -h "$binary" | sed -n 's/^ *Machine: *//p')"
[ "$machine" = AArch64 ] || die "$binary is built for '$machine', not AArch64"

work="$(mktemp -d)"
server=""
cleanup() {
  [ -z "$server" ] || kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

version="$(qemu-aarch64-static "$binary" --version)"
log "under qemu-aarch64-static: $version"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
DATA_DIR="$work" HOST=127.0.0.1 PORT="$port" JWT_SECRET="$(head -c 32 /dev/urandom | base64)" \
  qemu-aarch64-static "$binary" serve >"$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
ready=""
for _ in $(seq 1 120); do
  if curl -fsS "$base/readyz" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$server" 2>/dev/null || break
  sleep 0.5
done
[ -n "$ready" ] || die "the arm64 server did not become ready in 60 s: $(tail -n 20 "$work/server.log")"
log "ready: GET /readyz 200"

# One request: method, path, body, token; prints the body, fails on a status
# other than the expected one.
request() {
  local expected="$1" method="$2" path="$3" body="${4:-}" token="${5:-}" status
  local args=(-sS -o "$work/body" -w '%{http_code}' -X "$method" -H 'Content-Type: application/json')
  [ -z "$token" ] || args+=(-H "Authorization: Bearer $token")
  [ -z "$body" ] || args+=(--data "$body")
  status="$(curl "${args[@]}" "$base$path")"
  [ "$status" = "$expected" ] || die "$method $path answered $status, not $expected: $(head -c 300 "$work/body")"
  cat "$work/body"
}

token="$(request 201 POST /api/auth/signup \
  '{"email":"arm64@example.com","password":"arm64-password-1","name":"Arm","timezone":"UTC"}' | jq -r .token)"
log "signed up (argon2 + JWT on arm64)"
request 201 POST /api/tasks '{"title":"Water the plants","priority":"high"}' "$token" >/dev/null
answer="$(request 200 POST /api/chat '{"message":"add buy milk tomorrow #errands"}' "$token")"
jq -e '.actions | any(.ok)' >/dev/null <<<"$answer" || die "the chat changed nothing: $answer"
titles="$(request 200 GET '/api/tasks?status=pending' "" "$token" | jq -r '[.items[].title | ascii_downcase] | sort | join(", ")')"
[ "$titles" = "buy milk, water the plants" ] || die "the tasks are '$titles'"
log "a task over REST and one through the chat: $titles"
printf 'arm64: passed (%s, %s under QEMU)\n' "$target" "$version"
