#!/usr/bin/env bash
# Tears the local cluster down and leaves nothing behind: pod sandboxes are
# stopped through the CRI first (so the CNI plugins release their addresses,
# rules and interfaces), then every component stops; what is left of their
# mounts, nftables tables, iptables chains, the bridge, network namespaces
# and cgroups is removed, and $TODO_CLUSTER_STATE deleted. Finally it checks
# that nothing remains, and fails naming anything that does.
#
#   sudo infra/cluster/down.sh
set -euo pipefail
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

[ "$(id -u)" = 0 ] || die "down.sh needs root"

pid_of() { [ -s "$STATE/run/$1.pid" ] && cat "$STATE/run/$1.pid"; }

# stop NAME: SIGTERM, then SIGKILL after 10 s.
stop() {
  local pid
  pid="$(pid_of "$1")" || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

if [ -d "$STATE" ]; then
  log "stopping the node's workloads"
  # The kubelet first, or it restarts what is stopped below.
  stop kubelet
  if [ -S "$CONTAINERD_SOCK" ] && kill -0 "$(pid_of containerd)" 2>/dev/null; then
    if [ -x "$(bin_dir cri-tools "v$CRI_TOOLS_VERSION")/crictl" ]; then
      mapfile -t sandboxes < <(crictl pods -q 2>/dev/null)
      for sandbox in "${sandboxes[@]}"; do
        crictl stopp "$sandbox" >/dev/null 2>&1 || true
        crictl rmp --force "$sandbox" >/dev/null 2>&1 || true
      done
    fi
    # Anything the CRI did not own (an interrupted image import, say).
    for task in $(ctr_k8s tasks ls -q 2>/dev/null); do
      ctr_k8s tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
    done
  fi

  log "stopping the components"
  for name in kube-proxy kube-scheduler kube-controller-manager kube-apiserver etcd containerd; do
    stop "$name"
  done
  # Shims outlive containerd; their containers with them.
  pkill -9 -f "containerd-shim-runc-v2 .*-address $CONTAINERD_SOCK" 2>/dev/null || true
fi

log "cleaning up the host"
# Container processes that escaped (their cgroups are the kubelet's).
for cgroup in /sys/fs/cgroup/*/kubepods; do
  [ -d "$cgroup" ] || continue
  while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done < <(find "$cgroup" -name cgroup.procs -exec cat {} + 2>/dev/null)
done
# Mounts under the state folder, deepest first.
if [ -d "$STATE" ]; then
  awk -v root="$STATE" '$2 == root || index($2, root "/") == 1 { print $2 }' /proc/self/mounts |
    sort -r | while read -r mount; do umount -l "$mount" 2>/dev/null || true; done
fi
# Network namespaces the CRI made and did not remove.
for netns in /var/run/netns/cni-*; do
  [ -e "$netns" ] || continue
  umount "$netns" 2>/dev/null || true
  rm -f "$netns"
done
# nftables: kube-proxy's tables.
for table in "ip kube-proxy" "ip6 kube-proxy"; do
  # shellcheck disable=SC2086 # family and name are two words
  nft delete table $table 2>/dev/null || true
done
# iptables: the chains the kubelet, kube-proxy, kube-router and the CNI
# plugins add (KUBE-*, CNI-*) and every rule that jumps to them; nothing
# else changes.
for tool in iptables ip6tables; do
  command -v "$tool-save" >/dev/null || continue
  # (grep -c, not -q: -q stops reading early, and under pipefail the save's
  # SIGPIPE would read as "nothing to remove")
  if "$tool-save" 2>/dev/null | grep -cE -- '(KUBE-|CNI-)' >/dev/null; then
    "$tool-save" | grep -vE -- '^:(KUBE-|CNI-)|-[AjgN] (KUBE-|CNI-)|--comment "KUBE-ROUTER ' | "$tool-restore"
  fi
done
# kube-router's ipsets (of pods' addresses), free once no rule uses them.
if command -v ipset >/dev/null; then
  for set in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router-)' || true); do
    ipset destroy "$set" 2>/dev/null || true
  done
fi
# The pods' bridge and any of its veths.
ip link delete "$BRIDGE" 2>/dev/null || true
# Empty cgroups the kubelet made.
for cgroup in /sys/fs/cgroup/*/kubepods; do
  [ -d "$cgroup" ] || continue
  find "$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null || true
done
rm -rf "$STATE"

log "checking that nothing is left"
left=()
for name in containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
  pgrep -af "$STATE" 2>/dev/null | grep -q "$name" && left+=("process $name")
done
pgrep -f "containerd-shim-runc-v2 .*-address $CONTAINERD_SOCK" >/dev/null && left+=("containerd shims")
grep -qF " $STATE" /proc/self/mounts && left+=("mounts under $STATE")
for table in "ip kube-proxy" "ip6 kube-proxy"; do
  # shellcheck disable=SC2086
  nft list table $table >/dev/null 2>&1 && left+=("nftables table $table")
done
ipset list -n 2>/dev/null | grep -cE '^(KUBE-|kube-router-)' >/dev/null && left+=("kube-router's ipsets")
iptables-save 2>/dev/null | grep -cE -- '(KUBE-|CNI-)' >/dev/null && left+=("iptables chains KUBE-/CNI-")
ip link show "$BRIDGE" >/dev/null 2>&1 && left+=("bridge $BRIDGE")
ls /var/run/netns/cni-* >/dev/null 2>&1 && left+=("network namespaces cni-*")
[ -e "$STATE" ] && left+=("$STATE")
if [ ${#left[@]} -gt 0 ]; then
  die "left behind: ${left[*]}"
fi
info "nothing left: no process, mount, nftables table, iptables chain, ipset, bridge or network namespace"
