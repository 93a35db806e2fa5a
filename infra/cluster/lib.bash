# Shared by infra/cluster/*.sh: paths, versions, messages. Sourced, never run.
# shellcheck disable=SC2034 # the variables are for the scripts that source this
# shellcheck shell=bash

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CLUSTER_DIR/../.." && pwd)"
# shellcheck source=versions.env
source "$CLUSTER_DIR/versions.env"

CACHE="${TODO_CACHE:-$HOME/.cache/todo-chatbot}"
# Go's module and build caches live in the project cache, so CI keeps them.
export GOMODCACHE="${GOMODCACHE_OVERRIDE:-$CACHE/go/mod}"
export GOCACHE="${GOCACHE_OVERRIDE:-$CACHE/go/build}"
export GOFLAGS="${GOFLAGS:--mod=mod}"
export GOTOOLCHAIN=local
BIN_CACHE="$CACHE/cluster/bin"

# The running cluster's state: certificates, kubeconfigs, data, logs, pids.
STATE="${TODO_CLUSTER_STATE:-/var/lib/todo-cluster}"
KUBECONFIG_FILE="$STATE/kubeconfig"
CONTEXT=todo-local

log() { printf '\n==> %s\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
die() {
  printf 'cluster: %s\n' "$*" >&2
  exit 1
}

# bin_dir NAME VERSION: where that build's binaries live.
bin_dir() { printf '%s/%s-%s' "$BIN_CACHE" "$1" "$2"; }
KUBE_BIN="$(bin_dir kubernetes "v$KUBERNETES_VERSION")"

# The node and its networks.
NODE_NAME="${TODO_CLUSTER_NODE:-todo-node}"
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SERVICE_IP=10.96.0.1
CLUSTER_DNS_IP=10.96.0.10
BRIDGE=todo0
CONTAINERD_SOCK="$STATE/containerd/containerd.sock"
PAUSE_IMAGE=localhost/todo-cluster/pause:3.10
ADDON_IMAGE_PREFIX=localhost/todo-cluster

# The address other hosts reach this one at: the source of the default route.
node_ip() {
  if [ -s "$STATE/node-ip" ]; then
    cat "$STATE/node-ip"
    return
  fi
  ip -4 route get 192.0.2.123 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -n 1
}

kubectl() { "$KUBE_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
ctr_k8s() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }
crictl() {
  [ -s "$STATE/crictl.yaml" ] ||
    printf 'runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\n' "$CONTAINERD_SOCK" "$CONTAINERD_SOCK" >"$STATE/crictl.yaml"
  "$(bin_dir cri-tools "v$CRI_TOOLS_VERSION")/crictl" --config "$STATE/crictl.yaml" "$@"
}

# podman with the storage (and layer cache) .ci/containers.sh uses, so the
# app's images and their base stand-ins are built once for both.
podman_cached() {
  podman --root "$CACHE/containers/storage" --runroot "${XDG_RUNTIME_DIR:-/run}/todo-chatbot-podman" \
    --storage-driver overlay --cgroup-manager cgroupfs --events-backend file "$@"
}

cluster_running() {
  [ -s "$KUBECONFIG_FILE" ] && kubectl get --raw /readyz >/dev/null 2>&1
}

node_ready() {
  [ "$(kubectl get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

install_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  info "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# start NAME COMMAND...: runs a component in the background, in its own
# session, its output in $STATE/logs/NAME.log and its pid in $STATE/run.
start() {
  local name="$1"
  shift
  setsid "$@" >"$STATE/logs/$name.log" 2>&1 </dev/null &
  printf '%s\n' "$!" >"$STATE/run/$name.pid"
}

# wait_until SECONDS WHAT COMMAND...: retries COMMAND until it succeeds.
wait_until() {
  local deadline=$((SECONDS + $1)) what="$2"
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      local name
      for name in "$STATE"/run/*.pid; do
        [ -e "$name" ] || continue
        kill -0 "$(cat "$name")" 2>/dev/null || info "$(basename "$name" .pid) is not running"
      done
      die "timed out waiting until $what (logs: $STATE/logs)"
    fi
    sleep 1
  done
}

# The add-ons' manifest (addons.yaml), with its variables filled in.
render_addons() {
  local kubernetes_version="$KUBERNETES_VERSION" node_ip
  node_ip="$(node_ip)"
  NODE_IP="$node_ip" STATE="$STATE" IMAGES="$ADDON_IMAGE_PREFIX" CLUSTER_DNS_IP="$CLUSTER_DNS_IP" \
    NODE_NAME="$NODE_NAME" COREDNS_VERSION="$COREDNS_VERSION" TRAEFIK_VERSION="$TRAEFIK_VERSION" \
    KUBE_ROUTER_VERSION="$KUBE_ROUTER_VERSION" SERVICE_CIDR="$SERVICE_CIDR" KUBERNETES_VERSION="$kubernetes_version" \
    LOCAL_PATH_PROVISIONER_VERSION="$LOCAL_PATH_PROVISIONER_VERSION" \
    perl -pe 's/\$\{([A-Z_]+)\}/exists $ENV{$1} ? $ENV{$1} : die "addons.yaml: unknown \${$1}\n"/ge' \
    "$CLUSTER_DIR/addons.yaml"
}

# diagnose NAMESPACE: what a failed run needs to be understood after the
# cluster is gone: the node's conditions, every pod, the namespace's events,
# each of its containers' last lines (and the previous run's, after a
# restart), and the tail of the node components' own logs.
diagnose() {
  local namespace="$1" pod
  {
    log "diagnosis: why the cluster test failed"
    kubectl get nodes -o wide || true
    kubectl describe node "$NODE_NAME" | sed -n '/^Conditions:/,/^Addresses:/p' || true
    kubectl get pods -A -o wide || true
    kubectl get pvc -A || true
    kubectl -n "$namespace" get events --sort-by=.lastTimestamp | tail -n 60 || true
    for pod in $(kubectl -n "$namespace" get pods -o name 2>/dev/null); do
      info "--- $pod"
      kubectl -n "$namespace" describe "$pod" | sed -n '/^Containers:/,/^Volumes:/p' | grep -E 'State|Reason|Exit Code|Ready|Restart' || true
      kubectl -n "$namespace" logs "$pod" --all-containers --tail=30 || true
      kubectl -n "$namespace" logs "$pod" --all-containers --tail=30 --previous 2>/dev/null || true
    done
    for name in kubelet containerd; do
      info "--- the last lines of $name's log"
      tail -n 30 "$STATE/logs/$name.log" 2>/dev/null || true
    done
  } >&2
}
