#!/usr/bin/env bash
# Removes the release; with --purge its kept data too; with --cluster the
# Minikube cluster; with --hosts the /etc/hosts line minikube-up.sh added.
set -euo pipefail
# shellcheck source=common.bash
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

usage() {
  cat <<EOF
Usage: infra/scripts/teardown.sh [options]

Uninstalls release "$RELEASE" from namespace "$NAMESPACE". The in-cluster
PostgreSQL's volume and the chart's Secret (JWT secret, database password) are
kept, so a new deploy finds the same data. Running it again does nothing more.

Options:
  --release NAME     release (env RELEASE; default $RELEASE)
  --namespace NAME   namespace (env NAMESPACE; default $NAMESPACE)
  --purge            also delete the kept volume and Secret, and the namespace (data is gone)
  --cluster          also delete the Minikube cluster (profile $MINIKUBE_PROFILE)
  --hosts            also remove the "$APP_HOST" line minikube-up.sh added to /etc/hosts
  -y, --yes          do not ask before deleting data
  -h, --help         this help
EOF
}

purge=0
cluster=0
hosts=0
while [ $# -gt 0 ]; do
  case "$1" in
  --release) RELEASE="$2"; shift 2 ;;
  --namespace) NAMESPACE="$2"; shift 2 ;;
  --purge) purge=1; shift ;;
  --cluster) cluster=1; shift ;;
  --hosts) hosts=1; shift ;;
  -y | --yes) ASSUME_YES=1; shift ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; die "unknown option: $1" ;;
  esac
done

if [ "$cluster" = 1 ]; then
  need minikube "https://minikube.sigs.k8s.io/docs/start/"
else
  need_helm
  need_cluster
fi

if [ "$cluster" = 0 ] || { command -v helm >/dev/null && kubectl version --request-timeout=5s >/dev/null 2>&1; }; then
  step "Release $RELEASE"
  if helm -n "$NAMESPACE" status "$RELEASE" >/dev/null 2>&1; then
    helm -n "$NAMESPACE" uninstall "$RELEASE" --wait >/dev/null
    ok "uninstalled"
  else
    ok "not installed"
  fi
  if [ "$purge" = 1 ]; then
    step "Kept data of $RELEASE"
    if confirm "Delete the database volume and secrets of $RELEASE in $NAMESPACE for good?"; then
      kubectl -n "$NAMESPACE" delete pvc -l "app.kubernetes.io/instance=$RELEASE" --ignore-not-found
      kubectl -n "$NAMESPACE" delete secret "$(fullname)" --ignore-not-found
      kubectl delete namespace "$NAMESPACE" --ignore-not-found --wait=false
      ok "purged"
    else
      warn "kept (add --yes to purge without asking)"
    fi
  else
    info "kept: the database volume and Secret $(fullname) (--purge deletes them)"
  fi
fi

if [ "$cluster" = 1 ]; then
  step "Minikube cluster $MINIKUBE_PROFILE"
  if minikube profile list 2>/dev/null | grep -q "[[:space:]]${MINIKUBE_PROFILE}[[:space:]]"; then
    minikube delete -p "$MINIKUBE_PROFILE"
    ok "deleted"
  else
    ok "not there"
  fi
fi

if [ "$hosts" = 1 ]; then
  step "$APP_HOST in /etc/hosts"
  if grep -q "[[:space:]]$APP_HOST # todo-chatbot\$" /etc/hosts; then
    sudo=()
    [ -w /etc/hosts ] || sudo=(sudo)
    if confirm "Remove the $APP_HOST line minikube-up.sh added?"; then
      tmp="$(mktemp)"
      grep -v "[[:space:]]$APP_HOST # todo-chatbot\$" /etc/hosts >"$tmp" || true
      ${sudo[@]+"${sudo[@]}"} cp "$tmp" /etc/hosts
      rm -f "$tmp"
      ok "removed"
    fi
  else
    ok "no line of ours"
  fi
fi
