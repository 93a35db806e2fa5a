#!/usr/bin/env bash
# Installs or upgrades the chart, with secrets from the environment or a
# .env file, and waits until the app is rolled out.
set -euo pipefail
# shellcheck source=common.bash
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

usage() {
  cat <<EOF
Usage: infra/scripts/deploy.sh [options] [-- extra helm arguments]

Runs \`helm upgrade --install\` of infra/helm/todo-chatbot as release
"$RELEASE" in namespace "$NAMESPACE", then waits for the rollout. Running it
again upgrades in place (generated secrets are kept).

Settings come from the environment, or from a .env file (KEY=VALUE lines; the
environment wins). All are optional:
  DATABASE_URL    an external PostgreSQL such as Neon (postgres://…?sslmode=require);
                  unset: the chart's in-cluster PostgreSQL
  JWT_SECRET      session signing secret, 32+ bytes; unset: generated once, kept
  LLM_BASE_URL    an OpenAI-compatible API root; unset: the builtin assistant
  LLM_MODEL       the model (required with LLM_BASE_URL)
  LLM_API_KEY     the model API's key
  IMAGE_TAG       image tag of both images (default: the chart's appVersion)
Secrets are handed to Helm in a private temporary values file, never on the
command line.

Options:
  --release NAME     release name (env RELEASE; default $RELEASE)
  --namespace NAME   namespace, created if missing (env NAMESPACE; default $NAMESPACE)
  --env-file FILE    read settings from FILE (default: .env at the repository root, if any)
  -f, --values FILE  extra values file (repeatable)
  --timeout DURATION how long to wait for the rollout (default 10m)
  -h, --help         this help

Examples:
  infra/scripts/deploy.sh
  DATABASE_URL='postgres://…neon.tech/todo?sslmode=require' infra/scripts/deploy.sh
  infra/scripts/deploy.sh -- --set backend.replicaCount=2
EOF
}

env_file=""
timeout=10m
values=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
  --release) RELEASE="$2"; shift 2 ;;
  --namespace) NAMESPACE="$2"; shift 2 ;;
  --env-file) env_file="$2"; shift 2 ;;
  -f | --values) values+=(--values "$2"); shift 2 ;;
  --timeout) timeout="$2"; shift 2 ;;
  -h | --help) usage; exit 0 ;;
  --) shift; extra=("$@"); break ;;
  *) usage >&2; die "unknown option: $1" ;;
  esac
done

need_helm
need_cluster
[ -d "$CHART_DIR" ] || die "the chart is missing: $CHART_DIR"

# Reads KEY=VALUE lines of the known keys (no shell evaluation); the
# environment wins over the file.
keys=(DATABASE_URL JWT_SECRET LLM_BASE_URL LLM_MODEL LLM_API_KEY IMAGE_TAG)
if [ -z "$env_file" ] && [ -f "$REPO_ROOT/.env" ]; then
  env_file="$REPO_ROOT/.env"
fi
if [ -n "$env_file" ]; then
  [ -f "$env_file" ] || die "no such env file: $env_file"
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line#export }"
    case "$line" in '' | '#'*) continue ;; esac
    key="${line%%=*}"
    value="${line#*=}"
    value="${value%\"}"
    value="${value#\"}"
    value="${value%\'}"
    value="${value#\'}"
    for known in "${keys[@]}"; do
      if [ "$key" = "$known" ] && [ -z "${!key:-}" ]; then
        printf -v "$key" '%s' "$value"
      fi
    done
  done <"$env_file"
  info "settings from $env_file (the environment wins)"
fi

# The private values file: only what is set, JSON-quoted (YAML accepts JSON strings).
secrets="$(mktemp "${TMPDIR:-/tmp}/todo-values.XXXXXX")"
chmod 600 "$secrets"
trap 'rm -f "$secrets"' EXIT
quote() {
  local s="${1//\\/\\\\}"
  s="${s//\"/\\\"}"
  printf '"%s"' "$s"
}
{
  if [ -n "${DATABASE_URL:-}" ]; then
    case "$DATABASE_URL" in postgres://* | postgresql://*) ;; *) die "DATABASE_URL must be a postgres:// URL" ;; esac
    printf 'postgresql:\n  enabled: false\nexternalDatabase:\n  url: %s\n' "$(quote "$DATABASE_URL")"
  fi
  if [ -n "${JWT_SECRET:-}" ]; then
    [ "${#JWT_SECRET}" -ge 32 ] || die "JWT_SECRET is ${#JWT_SECRET} bytes; use 32 or more (openssl rand -hex 32)"
    printf 'secret:\n  jwtSecret: %s\n' "$(quote "$JWT_SECRET")"
  fi
  if [ -n "${LLM_BASE_URL:-}" ]; then
    [ -n "${LLM_MODEL:-}" ] || die "LLM_MODEL is required with LLM_BASE_URL"
    printf 'llm:\n  enabled: true\n  baseUrl: %s\n  model: %s\n  apiKey: %s\n' \
      "$(quote "$LLM_BASE_URL")" "$(quote "$LLM_MODEL")" "$(quote "${LLM_API_KEY:-}")"
  fi
  if [ -n "${IMAGE_TAG:-}" ]; then
    printf 'backend:\n  image:\n    tag: %s\nfrontend:\n  image:\n    tag: %s\n' "$(quote "$IMAGE_TAG")" "$(quote "$IMAGE_TAG")"
  fi
} >"$secrets"
step "helm upgrade --install $RELEASE (namespace $NAMESPACE)"
if [ -n "${DATABASE_URL:-}" ]; then
  info "database: external, host ${DATABASE_URL#*@}" | sed 's/[/?].*//'
else
  info "database: the in-cluster PostgreSQL"
fi
if [ -n "${LLM_BASE_URL:-}" ]; then
  info "assistant: $LLM_MODEL at $LLM_BASE_URL"
else
  info "assistant: builtin"
fi
started=$SECONDS
helm upgrade --install "$RELEASE" "$CHART_DIR" \
  --namespace "$NAMESPACE" --create-namespace \
  --values "$secrets" ${values[@]+"${values[@]}"} \
  --wait --timeout "$timeout" ${extra[@]+"${extra[@]}"}
ok "release $RELEASE at revision $(helm -n "$NAMESPACE" history "$RELEASE" --max 1 -o json | sed -n 's/.*"revision":\([0-9]*\).*/\1/p')"

step "Rollout"
wait_rollout "$timeout"
ok "rolled out in $((SECONDS - started))s"
kubectl -n "$NAMESPACE" get pods -l "app.kubernetes.io/instance=$RELEASE" -o wide
info "next: infra/scripts/verify.sh"
