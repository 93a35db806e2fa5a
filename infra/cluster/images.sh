#!/usr/bin/env bash
# Builds the images the cluster runs and imports them into its containerd
# (nothing can be pulled here):
#
#   system  pause (Kubernetes' own pause.c), CoreDNS, Traefik,
#           local-path-provisioner (each FROM scratch with the binary build.sh
#           compiled), kube-router (the same, with Debian's iptables and
#           ipset, which it runs), and a stand-in for
#           docker.io/library/busybox:1.37 (Debian's busybox, GNU wget), which
#           the chart's `helm test` pod and the volume helper use
#   app     the app's images from infra/docker/*.Dockerfile, built exactly as
#           a user builds them (by .ci/containers.sh, on its base-image
#           stand-ins), tagged as the chart names them, and a stand-in for
#           docker.io/library/postgres:16-alpine that keeps the official
#           image's contract (POSTGRES_USER/PASSWORD/DB, PGDATA, initdb on an
#           empty volume, uid 70, pg_isready) on Debian's PostgreSQL 15,
#           built by .ci/containers.sh (its postgres step)
#
#   infra/cluster/images.sh system|app|postgres...
set -euo pipefail
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

[ -S "$CONTAINERD_SOCK" ] || die "containerd is not running ($CONTAINERD_SOCK): infra/cluster/up.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# import IMAGE...: from podman's storage into the cluster's containerd.
import() {
  local image archive="$work/images.tar"
  for image in "$@"; do
    rm -f "$archive"
    podman_cached save --quiet --format docker-archive -o "$archive" "$image"
    ctr_k8s images import --no-unpack=false "$archive" >/dev/null
    info "imported $image ($(du -m "$archive" | cut -f1) MB)"
  done
}

# scratch_image IMAGE DIR: an image of DIR's files and nothing else.
scratch_image() {
  local image="$1" dir="$2"
  if podman_cached image exists "$image"; then
    return
  fi
  printf 'FROM scratch\nCOPY . /\n' >"$dir/Containerfile"
  podman_cached build --quiet --isolation chroot --pull=never --format docker \
    -f "$dir/Containerfile" -t "$image" "$dir" >/dev/null
}

# copy_libraries ROOT BINARY...: the shared libraries the binaries link
# (resolved on this host, with the image's own copies first), into ROOT.
copy_libraries() {
  local root="$1" lib
  shift
  for lib in $(LD_LIBRARY_PATH="$root/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu" ldd "$@" |
    grep -o '/[^ ]*' | grep -v "^$root" | sort -u); do
    [ -e "$root$lib" ] && continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

system_images() {
  local dir src
  dir="$work/pause"
  mkdir -p "$dir"
  src="$(cd "$CLUSTER_DIR/build/kubernetes" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)"
  gcc -Os -static -DVERSION=v3.10-todo -o "$dir/pause" "$src/build/pause/linux/pause.c"
  strip "$dir/pause"
  printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"$dir/Containerfile"
  podman_cached build --quiet --isolation chroot --pull=never --format docker \
    -f "$dir/Containerfile" -t "$PAUSE_IMAGE" "$dir" >/dev/null

  local name version binary
  while read -r name version binary; do
    dir="$work/$name"
    mkdir -p "$dir"
    cp "$(bin_dir "$name" "v$version")/$binary" "$dir/$binary"
    scratch_image "$ADDON_IMAGE_PREFIX/$name:$version" "$dir"
  done <<EOF
coredns $COREDNS_VERSION coredns
traefik $TRAEFIK_VERSION traefik
local-path-provisioner $LOCAL_PATH_PROVISIONER_VERSION local-path-provisioner
EOF

  # kube-router programs the policies with iptables-restore and ipset (the
  # nf_tables flavour of iptables, as on the host).
  dir="$work/kube-router"
  mkdir -p "$dir/deb" "$dir/root/run" "$dir/root/tmp"
  (cd "$dir/deb" && apt-get download iptables ipset libipset13 libxtables12 libip4tc2 libip6tc2 \
    libnftnl11 libmnl0 libnetfilter-conntrack3 libnfnetlink0 >/dev/null 2>&1) ||
    die "apt-get download iptables ipset failed"
  local deb
  for deb in "$dir"/deb/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
  cp "$(bin_dir kube-router "v$KUBE_ROUTER_VERSION")/kube-router" "$dir/root/kube-router"
  for tool in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
    ln -sf xtables-nft-multi "$dir/root/usr/sbin/$tool"
  done
  copy_libraries "$dir/root" "$dir/root/usr/sbin/xtables-nft-multi" "$dir/root/usr/sbin/ipset"
  rm -rf "${dir:?}/root/usr/share"
  mkdir -p "$dir/root/etc"
  cp /etc/protocols /etc/services "$dir/root/etc/"
  scratch_image "$ADDON_IMAGE_PREFIX/kube-router:$KUBE_ROUTER_VERSION" "$dir/root"

  # Debian's busybox (dynamically linked: the static one crashes resolving
  # names) with GNU wget for `wget`: Debian's busybox 1.35 wget crashes on
  # -T, which the chart's test pod uses. Each with the libraries it links.
  dir="$work/busybox"
  mkdir -p "$dir/tmp" "$dir/etc"
  (cd "$work" && apt-get download busybox wget >/dev/null 2>&1) || die "apt-get download busybox wget failed"
  dpkg-deb -x "$work"/busybox_*.deb "$dir"
  dpkg-deb -x "$work"/wget_*.deb "$dir"
  local applet
  copy_libraries "$dir" "$dir/bin/busybox" "$dir/usr/bin/wget"
  rm -rf "${dir:?}/usr/share" "$dir/etc/wgetrc"
  for applet in $("$dir/bin/busybox" --list); do
    [ "$applet" = busybox ] || [ "$applet" = wget ] || [ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"
  done
  ln -s ../usr/bin/wget "$dir/bin/wget"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$dir/etc/group"
  printf 'hosts: files dns\n' >"$dir/etc/nsswitch.conf"
  chmod 1777 "$dir/tmp"
  podman_cached rmi --force docker.io/library/busybox:1.37 >/dev/null 2>&1 || true
  scratch_image docker.io/library/busybox:1.37 "$dir"

  import "$PAUSE_IMAGE" "$ADDON_IMAGE_PREFIX/coredns:$COREDNS_VERSION" \
    "$ADDON_IMAGE_PREFIX/traefik:$TRAEFIK_VERSION" \
    "$ADDON_IMAGE_PREFIX/kube-router:$KUBE_ROUTER_VERSION" \
    "$ADDON_IMAGE_PREFIX/local-path-provisioner:$LOCAL_PATH_PROVISIONER_VERSION" \
    docker.io/library/busybox:1.37
}

# The official image's contract, on Debian's PostgreSQL: see the header.
# .ci/containers.sh builds it (compose runs it in CI too), in the same
# podman storage, and rebuilds it only when its entrypoint changes.
postgres_image() {
  local image=docker.io/library/postgres:16-alpine build_log="$CACHE/cluster/images-postgres.log"
  "$REPO_ROOT/.ci/containers.sh" packages postgres >"$build_log" 2>&1 || {
    tail -n 40 "$build_log" >&2
    die "building the PostgreSQL stand-in failed (the whole log: $build_log)"
  }
  import "$image"
}

app_images() {
  local version
  version="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$REPO_ROOT/infra/helm/todo-chatbot/Chart.yaml")"
  log "the app's images from infra/docker (as .ci/containers.sh builds them)"
  local build_log="$CACHE/cluster/images-build.log"
  "$REPO_ROOT/.ci/containers.sh" packages bases build >"$build_log" 2>&1 || {
    tail -n 40 "$build_log" >&2
    die "building the app's images failed (the whole log: $build_log)"
  }
  grep '^built ' "$build_log" | sed 's/^/    /' >&2 || true
  local component
  for component in backend frontend; do
    # The chart names them without a registry, as for an image built into
    # Minikube; containerd reads that as docker.io/library/.
    podman_cached tag "localhost/todo-chatbot-$component:$version" "docker.io/library/todo-chatbot-$component:$version"
    import "docker.io/library/todo-chatbot-$component:$version"
  done
  postgres_image
}

[ $# -gt 0 ] || set -- system app
for what in "$@"; do
  case "$what" in
  system) system_images ;;
  app) app_images ;;
  postgres) postgres_image ;;
  *) die "unknown image set: $what (system, app or postgres)" ;;
  esac
done
