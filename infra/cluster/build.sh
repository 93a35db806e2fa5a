#!/usr/bin/env bash
# Builds the cluster's components from their release sources with `go build`
# (nothing prebuilt is downloaded): Kubernetes (apiserver, controller-manager,
# scheduler, kubelet, kube-proxy, kubectl), etcd, CoreDNS, Traefik,
# kube-router (NetworkPolicy only), local-path-provisioner and crictl. Each build lands in
# ~/.cache/todo-chatbot/cluster/bin/<name>-<version>/ and is skipped when
# already there, so only the first run on a machine pays for it.
#
#   infra/cluster/build.sh [kubernetes|etcd|coredns|traefik|kube-router|local-path|crictl]...
set -euo pipefail
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

command -v go >/dev/null || die "Go is needed to build the cluster (https://go.dev/dl)"

# module_dir MODULE@VERSION: the module's source, downloaded from the proxy.
module_dir() {
  go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'
}

# built DIR BINARY...: true when every binary is there.
built() {
  local dir="$1"
  shift
  local b
  for b in "$@"; do [ -x "$dir/$b" ] || return 1; done
}

# A build writes into a temporary folder, moved into place when complete:
# an interrupted build never leaves a half-filled cache entry.
finish() {
  local tmp="$1" dir="$2"
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  mv "$tmp" "$dir"
}

build_kubernetes() {
  local dir tmp version="v$KUBERNETES_VERSION" ld="-s -w" p
  local commands=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
  dir="$(bin_dir kubernetes "$version")"
  built "$dir" "${commands[@]}" && return
  log "building Kubernetes $version (${commands[*]}): about 15 minutes on 2 cores, once"
  grep -q "k8s.io/kubernetes $version\$" "$CLUSTER_DIR/build/kubernetes/go.mod" ||
    die "build/kubernetes/go.mod does not pin k8s.io/kubernetes $version: run build/kubernetes/pin.sh"
  # What `kubectl version` and the apiserver report (Helm checks kubeVersion).
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$version -X $p.gitMajor=${KUBERNETES_VERSION%%.*}"
    ld+=" -X $p.gitMinor=$(cut -d. -f2 <<<"$KUBERNETES_VERSION") -X $p.gitTreeState=clean"
  done
  tmp="$(mktemp -d "$BIN_CACHE/.kubernetes.XXXXXX")"
  (cd "$CLUSTER_DIR/build/kubernetes" &&
    CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags "$ld" -o "$tmp/" \
      "${commands[@]/#/k8s.io/kubernetes/cmd/}")
  finish "$tmp" "$dir"
}

# etcd's go.mod replaces its sibling modules with ../ paths, which a module
# download lacks: build/etcd pins them to the same release instead.
build_etcd() {
  local dir tmp version="v$ETCD_VERSION"
  dir="$(bin_dir etcd "$version")"
  built "$dir" etcd && return
  log "building etcd $version"
  grep -q "go.etcd.io/etcd/server/v3 $version\$" "$CLUSTER_DIR/build/etcd/go.mod" ||
    die "build/etcd/go.mod does not pin etcd $version: run build/etcd/pin.sh"
  tmp="$(mktemp -d "$BIN_CACHE/.etcd.XXXXXX")"
  (cd "$CLUSTER_DIR/build/etcd" &&
    CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3)
  finish "$tmp" "$dir"
}

# build_module NAME MODULE VERSION PACKAGE BINARY [LDFLAGS]: go build of one
# command inside its own release module (its go.mod and go.sum as published).
build_module() {
  local name="$1" module="$2" version="$3" package="$4" binary="$5" ld="${6:-}"
  local dir src tmp
  dir="$(bin_dir "$name" "$version")"
  built "$dir" "$binary" && return
  log "building $name $version from $module"
  src="$(module_dir "$module@$version")"
  [ -n "$src" ] || die "cannot download $module@$version"
  tmp="$(mktemp -d "$BIN_CACHE/.$name.XXXXXX")"
  (cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags "-s -w $ld" -o "$tmp/$binary" "$package")
  finish "$tmp" "$dir"
}

# k3s's kube-router fork declares the upstream module path, so `go mod
# download` refuses it under its own: its release zip comes from the proxy,
# checked against the hash pinned in versions.env, and builds with its own
# go.mod and go.sum (every dependency verified as usual).
build_kube_router() {
  local dir tmp zip src version="v$KUBE_ROUTER_VERSION"
  dir="$(bin_dir kube-router "$version")"
  built "$dir" kube-router && return
  log "building kube-router $version (k3s's fork)"
  tmp="$(mktemp -d "$BIN_CACHE/.kube-router.XXXXXX")"
  zip="$tmp/source.zip"
  curl -fsS -o "$zip" "https://proxy.golang.org/github.com/k3s-io/kube-router/v2/@v/$version.zip" ||
    die "cannot download kube-router $version"
  echo "$KUBE_ROUTER_ZIP_SHA256  $zip" | sha256sum --quiet -c - || die "kube-router $version: the zip's hash is not the pinned one"
  (cd "$tmp" && unzip -q source.zip)
  src="$tmp/github.com/k3s-io/kube-router/v2@$version"
  (cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath \
    -ldflags "-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$version" \
    -o "$tmp/kube-router" ./cmd/kube-router)
  rm -rf "$zip" "$tmp/github.com"
  finish "$tmp" "$dir"
}

mkdir -p "$BIN_CACHE"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(kubernetes etcd coredns traefik kube-router local-path crictl)
for target in "${targets[@]}"; do
  case "$target" in
  kubernetes) build_kubernetes ;;
  etcd) build_etcd ;;
  coredns) build_module coredns github.com/coredns/coredns "v$COREDNS_VERSION" . coredns ;;
  traefik)
    build_module traefik github.com/traefik/traefik/v3 "v$TRAEFIK_VERSION" ./cmd/traefik traefik \
      "-X github.com/traefik/traefik/v3/pkg/version.Version=v$TRAEFIK_VERSION"
    ;;
  kube-router) build_kube_router ;;
  local-path)
    build_module local-path-provisioner github.com/rancher/local-path-provisioner \
      "v$LOCAL_PATH_PROVISIONER_VERSION" . local-path-provisioner
    ;;
  crictl) build_module cri-tools sigs.k8s.io/cri-tools "v$CRI_TOOLS_VERSION" ./cmd/crictl crictl ;;
  *) die "unknown component: $target" ;;
  esac
done
info "built: $(find "$BIN_CACHE" -mindepth 1 -maxdepth 1 -type d ! -name ".*" -printf "%f ")"
