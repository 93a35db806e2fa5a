#!/usr/bin/env bash
# Starts (or reuses) a Minikube cluster for Todo Chatbot, with the ingress and
# metrics-server addons, and maps the app's host name to it in /etc/hosts.
set -euo pipefail
# shellcheck source=common.bash
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

usage() {
  cat <<EOF
Usage: infra/scripts/minikube-up.sh [options]

Starts a Minikube cluster for Todo Chatbot, or reuses the running one:
  - profile "$MINIKUBE_PROFILE" with 4 CPUs and 6 GiB (image builds compile Rust inside it),
  - the ingress and metrics-server addons, waiting until the controller is ready,
  - "$APP_HOST" in /etc/hosts pointing at the cluster (asks first).
Running it again changes nothing that is already right.

Options:
  --profile NAME         Minikube profile (env MINIKUBE_PROFILE; default $MINIKUBE_PROFILE)
  --cpus N               CPUs for a new cluster (env MINIKUBE_CPUS; default 4)
  --memory MB            memory for a new cluster, in MiB (env MINIKUBE_MEMORY; default 6144)
  --driver NAME          Minikube driver (docker, kvm2, hyperkit, qemu…; default: Minikube's choice)
  --kubernetes-version V Kubernetes version for a new cluster (default: Minikube's)
  --host NAME            host name for /etc/hosts (env APP_HOST; default $APP_HOST)
  --skip-hosts           leave /etc/hosts alone
  -y, --yes              do not ask before editing /etc/hosts
  -h, --help             this help
EOF
}

cpus="${MINIKUBE_CPUS:-4}"
memory="${MINIKUBE_MEMORY:-6144}"
driver="${MINIKUBE_DRIVER:-}"
kubernetes_version=""
skip_hosts=0
while [ $# -gt 0 ]; do
  case "$1" in
  --profile) MINIKUBE_PROFILE="$2"; shift 2 ;;
  --cpus) cpus="$2"; shift 2 ;;
  --memory) memory="$2"; shift 2 ;;
  --driver) driver="$2"; shift 2 ;;
  --kubernetes-version) kubernetes_version="$2"; shift 2 ;;
  --host) APP_HOST="$2"; shift 2 ;;
  --skip-hosts) skip_hosts=1; shift ;;
  -y | --yes) ASSUME_YES=1; shift ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; die "unknown option: $1" ;;
  esac
done

need minikube "https://minikube.sigs.k8s.io/docs/start/"
need kubectl "https://kubernetes.io/docs/tasks/tools/ (or: alias kubectl='minikube kubectl --')"
need curl "apt-get install curl / brew install curl"

step "Minikube cluster \"$MINIKUBE_PROFILE\""
if [ "$(minikube -p "$MINIKUBE_PROFILE" status --format '{{.Host}}' 2>/dev/null || true)" = Running ]; then
  ok "already running ($(minikube -p "$MINIKUBE_PROFILE" ip))"
  minikube -p "$MINIKUBE_PROFILE" update-context >/dev/null
else
  args=(start -p "$MINIKUBE_PROFILE" --cpus "$cpus" --memory "$memory")
  [ -z "$driver" ] || args+=(--driver "$driver")
  [ -z "$kubernetes_version" ] || args+=(--kubernetes-version "$kubernetes_version")
  info "minikube ${args[*]}"
  minikube "${args[@]}"
  ok "started"
fi
kubectl config use-context "$MINIKUBE_PROFILE" >/dev/null
ok "kubectl context: $MINIKUBE_PROFILE ($(kubectl version -o json 2>/dev/null | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p' | tail -n1))"

step "Addons: ingress and metrics-server"
for addon in ingress metrics-server; do
  if minikube -p "$MINIKUBE_PROFILE" addons list --output json 2>/dev/null |
    tr -d ' \n' | grep -q "\"$addon\":{[^}]*\"Status\":\"enabled\""; then
    ok "$addon already enabled"
  else
    minikube -p "$MINIKUBE_PROFILE" addons enable "$addon" >/dev/null
    ok "$addon enabled"
  fi
done
info "waiting for the ingress controller…"
kubectl -n ingress-nginx wait pod --for=condition=Ready \
  -l app.kubernetes.io/component=controller --timeout=300s >/dev/null
ok "ingress-nginx controller ready"

step "$APP_HOST in /etc/hosts"
ip="$(minikube -p "$MINIKUBE_PROFILE" ip)"
if ! curl -s -o /dev/null --max-time 5 "http://$ip/"; then
  if [ "$(uname -s)" != Linux ]; then
    # The docker driver on macOS and Windows does not route to the node's
    # IP: `minikube tunnel` publishes the ingress on 127.0.0.1 instead.
    ip=127.0.0.1
    warn "the node's address is not reachable from here: keep \`minikube -p $MINIKUBE_PROFILE tunnel\` running in another terminal"
  else
    warn "the ingress does not answer on $ip yet; check: kubectl -n ingress-nginx get pods"
  fi
fi
line="$ip $APP_HOST # todo-chatbot"
if [ "$skip_hosts" = 1 ]; then
  info "skipped (--skip-hosts); to reach the app: echo '$line' | sudo tee -a /etc/hosts"
elif grep -Eq "^${ip}[[:space:]]+${APP_HOST}([[:space:]]|\$)" /etc/hosts; then
  ok "already there: $ip $APP_HOST"
elif grep -Eq "^[^#]*[[:space:]]$APP_HOST([[:space:]]|\$)" /etc/hosts && ! grep -q "$APP_HOST # todo-chatbot" /etc/hosts; then
  warn "/etc/hosts maps $APP_HOST to another address, not added by these scripts; left alone."
  warn "replace that line with: $line"
else
  sudo=()
  [ -w /etc/hosts ] || sudo=(sudo)
  if confirm "Add \"$line\" to /etc/hosts${sudo[*]:+ (with sudo)}?"; then
    tmp="$(mktemp)"
    # Drop a line of ours with an old address, keep everything else.
    grep -v "[[:space:]]$APP_HOST # todo-chatbot\$" /etc/hosts >"$tmp" || true
    printf '%s\n' "$line" >>"$tmp"
    ${sudo[@]+"${sudo[@]}"} cp "$tmp" /etc/hosts
    rm -f "$tmp"
    ok "added: $line"
  else
    warn "not changed; add it yourself: echo '$line' | sudo tee -a /etc/hosts"
    warn "(the other scripts reach the ingress at $ip without it)"
  fi
fi

# Under WSL the Windows browser reads Windows' own hosts file, not this one.
if grep -qi microsoft /proc/sys/kernel/osrelease 2>/dev/null; then
  warn "WSL: for a Windows browser, add \"$line\" to C:\\Windows\\System32\\drivers\\etc\\hosts too"
  warn "(PowerShell as Administrator: Add-Content -Path \"\$env:windir\\System32\\drivers\\etc\\hosts\" -Value \"$line\"; see docs/quickstart.md, step 2)"
fi

step "Ready"
info "next: infra/scripts/build-images.sh && infra/scripts/deploy.sh"
