# Shared by infra/scripts/*.sh and scripts/demo.sh: settings, messages,
# prerequisite checks, and HTTP calls to the app through its ingress.
# Sourced, never run; defines functions and variables only.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CHART_DIR="$REPO_ROOT/infra/helm/todo-chatbot"

# Settings: flags override these, and these come from the environment.
RELEASE="${RELEASE:-todo-chatbot}"
NAMESPACE="${NAMESPACE:-todo}"
MINIKUBE_PROFILE="${MINIKUBE_PROFILE:-todo-chatbot}"
APP_HOST="${APP_HOST:-todo.local}"
# The address the ingress answers on, when APP_HOST does not resolve to it.
INGRESS_IP="${INGRESS_IP:-}"
# The ingress's HTTP port (80; another when a cluster maps it elsewhere).
APP_PORT="${APP_PORT:-80}"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  _bold=$'\033[1m' _green=$'\033[32m' _yellow=$'\033[33m' _red=$'\033[31m' _reset=$'\033[0m'
else
  _bold="" _green="" _yellow="" _red="" _reset=""
fi

step() { printf '\n%s==> %s%s\n' "$_bold" "$*" "$_reset"; }
info() { printf '    %s\n' "$*"; }
ok() { printf '    %s✓%s %s\n' "$_green" "$_reset" "$*"; }
warn() { printf '    %s!%s %s\n' "$_yellow" "$_reset" "$*" >&2; }
die() {
  printf '%serror:%s %s\n' "$_red" "$_reset" "$*" >&2
  exit 1
}

# need COMMAND "how to install it": stops with a clear message when missing.
need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is required but not installed: $2"
}

# The chart's appVersion: the images' default tag.
chart_app_version() {
  sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$CHART_DIR/Chart.yaml"
}

# Helm 3.8+ or Helm 4.
need_helm() {
  need helm "https://helm.sh/docs/intro/install/"
  local version
  version="$(helm version --short 2>/dev/null || true)"
  case "$version" in
  v3.[89].* | v3.[1-9][0-9].* | v4.*) ;;
  *) die "helm $version is too old: Helm 3.8+ or Helm 4 is needed" ;;
  esac
}

# kubectl, talking to a cluster.
need_cluster() {
  need kubectl "https://kubernetes.io/docs/tasks/tools/"
  kubectl version --request-timeout=5s >/dev/null 2>&1 ||
    die "kubectl cannot reach a cluster (context: $(kubectl config current-context 2>/dev/null || echo none)); run infra/scripts/minikube-up.sh first"
}

# Asks a yes/no question; "yes" when ASSUME_YES=1; "no" without a terminal.
confirm() {
  if [ "${ASSUME_YES:-0}" = 1 ]; then
    return 0
  fi
  if [ ! -t 0 ]; then
    return 1
  fi
  local answer
  read -r -p "    $1 [y/N] " answer
  [[ "$answer" =~ ^[Yy] ]]
}

# Whether a host name resolves (getent on Linux; /etc/hosts elsewhere).
host_resolves() {
  getent hosts "$1" >/dev/null 2>&1 || grep -Eq "^[^#]*[[:space:]]$1([[:space:]]|\$)" /etc/hosts 2>/dev/null
}

# Where to reach the ingress: INGRESS_IP when APP_HOST does not resolve
# (no /etc/hosts line yet), from Minikube when it runs the cluster.
resolve_ingress() {
  if [ -n "$INGRESS_IP" ] || host_resolves "$APP_HOST"; then
    return
  fi
  if command -v minikube >/dev/null 2>&1; then
    INGRESS_IP="$(minikube -p "$MINIKUBE_PROFILE" ip 2>/dev/null || true)"
  fi
  [ -n "$INGRESS_IP" ] ||
    die "$APP_HOST does not resolve: run infra/scripts/minikube-up.sh (it adds it to /etc/hosts) or set INGRESS_IP"
  info "$APP_HOST does not resolve here: using the ingress at $INGRESS_IP"
}

# The app's address: http://APP_HOST, with APP_PORT when it is not 80.
app_url() {
  if [ "$APP_PORT" = 80 ]; then printf 'http://%s' "$APP_HOST"; else printf 'http://%s:%s' "$APP_HOST" "$APP_PORT"; fi
}

# curl through the ingress, with the host name kept (for the Ingress rules).
app_curl() {
  local resolve=()
  if [ -n "$INGRESS_IP" ]; then
    resolve=(--resolve "$APP_HOST:$APP_PORT:$INGRESS_IP" --resolve "$APP_HOST:443:$INGRESS_IP")
  fi
  # ${a[@]+…}: an empty array under `set -u` on macOS's bash 3.2 too.
  curl --silent --show-error --max-time "${CURL_MAX_TIME:-30}" ${resolve[@]+"${resolve[@]}"} "$@"
}

# api METHOD PATH [JSON] [TOKEN]: prints the HTTP status (000 when nothing
# answered); the body is in "$API_BODY_FILE".
# Call init_api once (after the flags are read) before api.
init_api() {
  need curl "apt-get install curl / brew install curl"
  need jq "apt-get install jq / brew install jq"
  API_BODY_FILE="$(mktemp "${TMPDIR:-/tmp}/todo-api.XXXXXX")"
  trap 'rm -f "$API_BODY_FILE"' EXIT
}
api() {
  local method="$1" path="$2" body="${3:-}" token="${4:-}"
  local args=(--output "$API_BODY_FILE" --write-out '%{http_code}' -X "$method"
    -H 'Accept: application/json')
  if [ -n "$body" ]; then
    args+=(-H 'Content-Type: application/json' --data "$body")
  fi
  if [ -n "$token" ]; then
    args+=(-H "Authorization: Bearer $token")
  fi
  : "${API_BODY_FILE:?init_api first}"
  app_curl "${args[@]}" "$(app_url)$path" 2>/dev/null || true
}

api_body() { cat "$API_BODY_FILE"; }

# sign_up EMAIL PASSWORD NAME: prints a session token.
sign_up() {
  local payload status
  payload="$(jq -nc --arg e "$1" --arg p "$2" --arg n "$3" '{email:$e,password:$p,name:$n,timezone:"UTC"}')"
  status="$(api POST /api/auth/signup "$payload")"
  if [ "$status" = 409 ]; then
    payload="$(jq -nc --arg e "$1" --arg p "$2" '{email:$e,password:$p}')"
    status="$(api POST /api/auth/login "$payload")"
  fi
  case "$status" in
  200 | 201) jq -r .token "$API_BODY_FILE" ;;
  *) die "sign-up of $1 answered $status: $(api_body)" ;;
  esac
}

# chat MESSAGE TOKEN [CONVERSATION]: prints the answer's JSON.
chat() {
  local payload status
  if [ -n "${3:-}" ]; then
    payload="$(jq -nc --arg m "$1" --argjson c "$3" '{message:$m,conversation_id:$c}')"
  else
    payload="$(jq -nc --arg m "$1" '{message:$m}')"
  fi
  status="$(api POST /api/chat "$payload" "$2")"
  [ "$status" = 200 ] || die "chat answered $status: $(api_body)"
  api_body
}

# Waits for the app's Deployments (and the in-cluster database) to be rolled out.
wait_rollout() {
  local timeout="${1:-300s}"
  if kubectl -n "$NAMESPACE" get statefulset "$(fullname)-postgresql" >/dev/null 2>&1; then
    kubectl -n "$NAMESPACE" rollout status "statefulset/$(fullname)-postgresql" --timeout "$timeout"
  fi
  kubectl -n "$NAMESPACE" rollout status "deployment/$(fullname)-backend" --timeout "$timeout"
  kubectl -n "$NAMESPACE" rollout status "deployment/$(fullname)-frontend" --timeout "$timeout"
}

# The chart's full name for RELEASE (see _helpers.tpl).
fullname() {
  case "$RELEASE" in
  *todo-chatbot*) printf '%s' "$RELEASE" ;;
  *) printf '%s-todo-chatbot' "$RELEASE" ;;
  esac
}

# Label selector of a component's pods.
selector() {
  printf 'app.kubernetes.io/instance=%s,app.kubernetes.io/component=%s' "$RELEASE" "$1"
}

# Where the scripts remember things between runs on this machine (the tag
# build-images.sh built last).
state_dir() {
  printf '%s' "${TODO_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/todo-chatbot}"
}

sha256_hex() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -c1-64; else shasum -a 256 | cut -c1-64; fi
}

# source_image_tag [DIR]: a tag that changes whenever the sources do, so that
# a rebuild rolls out (a reused tag with pullPolicy IfNotPresent never
# reaches the pods): git-<commit> for a clean tree, plus -dirty-<hash of
# the changes and untracked files> for a modified one; build-<time> outside git.
source_image_tag() {
  local dir="${1:-$REPO_ROOT}" revision changes
  if ! revision="$(git -C "$dir" rev-parse --short=12 HEAD 2>/dev/null)"; then
    printf 'build-%s' "$(date -u +%Y%m%d%H%M%S)"
    return
  fi
  if [ -z "$(git -C "$dir" status --porcelain 2>/dev/null)" ]; then
    printf 'git-%s' "$revision"
    return
  fi
  changes="$(
    cd "$dir" || exit 1
    git diff HEAD --binary
    git ls-files --others --exclude-standard -z | while IFS= read -r -d '' file; do
      printf '%s\n' "$file"
      cat -- "$file" 2>/dev/null || true
    done
  )"
  printf 'git-%s-dirty-%s' "$revision" "$(printf '%s' "$changes" | sha256_hex | cut -c1-8)"
}
