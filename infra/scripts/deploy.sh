#!/usr/bin/env bash
# Installs or upgrades the chart, with secrets from the environment or a
# .env file, and waits until the app is rolled out. Keeps the release's
# earlier choices; never switches its database without being told to.
set -euo pipefail
# shellcheck source=common.bash
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

usage() {
  cat <<EOF
Usage: infra/scripts/deploy.sh [options] [-- extra helm arguments]

Runs \`helm upgrade --install\` of infra/helm/todo-chatbot as release
"$RELEASE" in namespace "$NAMESPACE", then waits for the rollout.

Running it again keeps the release's choices: it starts from the values the
release already has (\`helm get values\`: the database, the assistant, the
image tags, earlier --set), and changes only what this run sets. Generated
secrets (JWT secret, PostgreSQL passwords) are kept by the chart.

It never switches the database behind your back: DATABASE_URL on a release
that uses the in-cluster PostgreSQL (or another host or database than the
external one it uses) is refused unless --switch-database is given; going
back to the in-cluster PostgreSQL also takes --switch-database. The data is
not copied either way.

Settings come from the environment, or from a .env file (KEY=VALUE lines; the
environment wins). All are optional:
  DATABASE_URL       an external PostgreSQL such as Neon (postgres://…?sslmode=verify-full);
                     unset: what the release uses (a new release: the in-cluster PostgreSQL)
  DATABASE_MIGRATION_URL  with DATABASE_URL through a transaction pooler (PgBouncer): the
                     direct URL migrations use (Neon's -pooler hosts need none: derived)
  JWT_SECRET         session signing secret, 32+ bytes; unset: generated once, kept
  POSTGRES_PASSWORD  the in-cluster PostgreSQL app role's password; unset: generated once, kept
  LLM_BASE_URL       an OpenAI-compatible API root; unset: what the release uses (new: builtin)
  LLM_MODEL          the model (required with LLM_BASE_URL)
  LLM_API_KEY        the model API's key
  IMAGE_TAG          tag of both images; unset: the tags build-images.sh built last
                     (remembered in \$TODO_STATE_DIR, default ~/.local/state/todo-chatbot),
                     else what the release uses
Secrets are handed to Helm in a private temporary values file, never on the
command line.

Options:
  --release NAME     release name (env RELEASE; default $RELEASE)
  --namespace NAME   namespace, created if missing (env NAMESPACE; default $NAMESPACE)
  --env-file FILE    read settings from FILE (default: .env at the repository root, if any)
  -f, --values FILE  extra values file (repeatable)
  --switch-database  allow a switch between the in-cluster PostgreSQL and an external
                     one (DATABASE_URL set: to it; unset: back to the in-cluster one)
  --reset-values     start from the chart's defaults, not the release's values
                     (the database choice is still kept)
  --timeout DURATION how long to wait for the rollout (default 10m)
  -h, --help         this help

Examples:
  infra/scripts/deploy.sh
  DATABASE_URL='postgres://…-pooler.….neon.tech/todo?sslmode=verify-full' infra/scripts/deploy.sh
  infra/scripts/deploy.sh -- --set backend.replicaCount=2
EOF
}

env_file=""
timeout=10m
switch_database=0
reset_values=0
values=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
  --release) RELEASE="$2"; shift 2 ;;
  --namespace) NAMESPACE="$2"; shift 2 ;;
  --env-file) env_file="$2"; shift 2 ;;
  -f | --values) values+=(--values "$2"); shift 2 ;;
  --switch-database) switch_database=1; shift ;;
  --reset-values) reset_values=1; shift ;;
  --timeout) timeout="$2"; shift 2 ;;
  -h | --help) usage; exit 0 ;;
  --) shift; extra=("$@"); break ;;
  *) usage >&2; die "unknown option: $1" ;;
  esac
done

need_helm
need_cluster
need jq "apt-get install jq / brew install jq"
[ -d "$CHART_DIR" ] || die "the chart is missing: $CHART_DIR"

# Reads KEY=VALUE lines of the known keys (no shell evaluation); the
# environment wins over the file.
keys=(DATABASE_URL DATABASE_MIGRATION_URL JWT_SECRET POSTGRES_PASSWORD LLM_BASE_URL LLM_MODEL LLM_API_KEY IMAGE_TAG)
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

# The release's values as they are: the operator's earlier choices.
previous='{}'
exists=0
if helm status "$RELEASE" -n "$NAMESPACE" >/dev/null 2>&1; then
  exists=1
  previous="$(helm get values "$RELEASE" -n "$NAMESPACE" -o json)"
  [ "$previous" != null ] || previous='{}'
fi
current="$previous"
if [ "$reset_values" = 1 ]; then
  current="$(jq '{postgresql: {enabled: .postgresql.enabled}, externalDatabase, secret: {existingSecret: .secret.existingSecret}}
    | del(.. | nulls)' <<<"$previous")"
fi
# set_value JQ_PATH JSON: one value of what this run installs.
set_value() { current="$(jq --argjson v "$2" "$1 = \$v" <<<"$current")"; }
json_string() { jq -n --arg s "$1" '$s'; }
# host:port/database of a postgres:// URL (what tells two databases apart).
where() { sed 's|^[^@]*@||; s|?.*||' <<<"$1"; }

# The database: kept, or switched only when asked.
was_external=0
if [ "$exists" = 1 ] && [ "$(jq -r '.postgresql.enabled' <<<"$previous")" = false ]; then
  was_external=1
fi
claim="data-$(fullname)-postgresql-0"
if [ -n "${DATABASE_URL:-}" ]; then
  case "$DATABASE_URL" in postgres://* | postgresql://*) ;; *) die "DATABASE_URL must be a postgres:// URL" ;; esac
  if [ "$exists" = 1 ] && [ "$was_external" = 0 ] && [ "$switch_database" = 0 ]; then
    die "release $RELEASE uses the in-cluster PostgreSQL (its data is in the volume $claim): DATABASE_URL would switch it to another database and leave that data behind.
       Copy the data first if you need it (docs/operations.md, \"Moving between databases\"), then run again with --switch-database; or unset DATABASE_URL to keep the in-cluster one."
  fi
  old_url="$(jq -r '.externalDatabase.url // empty' <<<"$previous")"
  if [ "$was_external" = 1 ] && [ -n "$old_url" ] && [ "$(where "$old_url")" != "$(where "$DATABASE_URL")" ] &&
    [ "$switch_database" = 0 ]; then
    die "release $RELEASE uses the database at $(where "$old_url"); DATABASE_URL points at $(where "$DATABASE_URL"), another one. Run again with --switch-database if that is what you want (the data is not copied)."
  fi
  set_value .postgresql.enabled false
  set_value .externalDatabase.url "$(json_string "$DATABASE_URL")"
  set_value .externalDatabase.migrationUrl "$(json_string "${DATABASE_MIGRATION_URL:-}")"
elif [ "$was_external" = 1 ] && [ "$switch_database" = 1 ]; then
  # Back to the in-cluster PostgreSQL. A volume left from before opens only
  # with the password it was made with, which the chart keeps in its Secret.
  set_value .postgresql.enabled true
  set_value .externalDatabase.url '""'
  set_value .externalDatabase.migrationUrl '""'
  kept="$(kubectl -n "$NAMESPACE" get secret "$(fullname)" -o json 2>/dev/null |
    jq -r '.data["postgres-password"] // empty' | base64 -d 2>/dev/null || true)"
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ -n "$kept" ]; then
    POSTGRES_PASSWORD="$kept"
    info "the in-cluster PostgreSQL's password: the one kept in Secret $(fullname)"
  elif [ -z "${POSTGRES_PASSWORD:-}" ] && kubectl -n "$NAMESPACE" get pvc "$claim" >/dev/null 2>&1; then
    die "the volume $claim holds an earlier in-cluster database, but Secret $(fullname) lacks its password: set POSTGRES_PASSWORD to it, or delete the volume (infra/scripts/teardown.sh --purge) to start empty"
  fi
elif [ "$was_external" = 1 ]; then
  info "database: external, kept from release $RELEASE (--switch-database goes back to the in-cluster PostgreSQL)"
fi
if [ -n "${POSTGRES_PASSWORD:-}" ]; then
  set_value .postgresql.auth.password "$(json_string "$POSTGRES_PASSWORD")"
fi
if [ -n "${JWT_SECRET:-}" ]; then
  [ "${#JWT_SECRET}" -ge 32 ] || die "JWT_SECRET is ${#JWT_SECRET} bytes; use 32 or more (openssl rand -hex 32)"
  set_value .secret.jwtSecret "$(json_string "$JWT_SECRET")"
fi
if [ -n "${LLM_BASE_URL:-}" ]; then
  [ -n "${LLM_MODEL:-}" ] || die "LLM_MODEL is required with LLM_BASE_URL"
  set_value .llm "$(jq -n --arg u "$LLM_BASE_URL" --arg m "$LLM_MODEL" --arg k "${LLM_API_KEY:-}" \
    '{enabled: true, baseUrl: $u, model: $m, apiKey: $k}')"
fi
# Image tags: IMAGE_TAG, else what build-images.sh built last, else the release's.
for component in backend frontend; do
  tag="${IMAGE_TAG:-}"
  if [ -z "$tag" ] && [ -s "$(state_dir)/image-tag.$component" ]; then
    tag="$(cat "$(state_dir)/image-tag.$component")"
  fi
  if [ -n "$tag" ]; then
    set_value ".$component.image.tag" "$(json_string "$tag")"
  fi
done

# The private values file: JSON, which YAML reads as it is.
secrets="$(mktemp "${TMPDIR:-/tmp}/todo-values.XXXXXX")"
chmod 600 "$secrets"
trap 'rm -f "$secrets"' EXIT
printf '%s\n' "$current" >"$secrets"

step "helm upgrade --install $RELEASE (namespace $NAMESPACE)"
if [ "$(jq -r '.postgresql.enabled' <<<"$current")" = false ]; then
  url="$(jq -r '.externalDatabase.url // empty' <<<"$current")"
  if [ -n "$url" ]; then
    info "database: external, $(where "$url" | sed 's|/.*||')"
  else
    info "database: external, from secret.existingSecret"
  fi
else
  info "database: the in-cluster PostgreSQL"
fi
if [ "$(jq -r '.llm.enabled' <<<"$current")" = true ]; then
  info "assistant: $(jq -r '"\(.llm.model) at \(.llm.baseUrl)"' <<<"$current")"
else
  info "assistant: builtin"
fi
info "images: $(jq -r '"backend \(.backend.image.tag // "(appVersion)"), frontend \(.frontend.image.tag // "(appVersion)")"' <<<"$current")"
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
