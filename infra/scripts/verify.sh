#!/usr/bin/env bash
# Checks a deployed release end to end: rollout, health through the ingress,
# a user's sign-up, a task, a chat turn (plain and streamed), MCP, helm test.
set -euo pipefail
# shellcheck source=common.bash
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

usage() {
  cat <<EOF
Usage: infra/scripts/verify.sh [options]

Verifies release "$RELEASE" in namespace "$NAMESPACE" through its ingress at
http://$APP_HOST:
  1. the Deployments (and the in-cluster PostgreSQL) are rolled out;
  2. /readyz, /api/openapi.json and the web UI answer through the ingress;
  3. a new user signs up, adds a task over REST, and the chat adds and lists
     tasks (and streams its answer as Server-Sent Events);
  4. /mcp answers an MCP initialize with a personal access token;
  5. \`helm test\` passes.
Each run signs up a new user (verify-<time>@example.com) and, on the way out
(also after a failed check), removes what it made: the personal access token
is revoked, and the user with its tasks and conversations is deleted (with
the in-cluster PostgreSQL, by \`kubectl exec\` psql; with an external database
the API deletes the tasks and conversations and the empty account stays, as
the API has no account deletion). Exits non-zero at the first failed check.

Options:
  --release NAME     release (env RELEASE; default $RELEASE)
  --namespace NAME   namespace (env NAMESPACE; default $NAMESPACE)
  --host NAME        the ingress host (env APP_HOST; default $APP_HOST; env APP_PORT: its port, default 80)
  --ingress-ip IP    reach the ingress at IP (env INGRESS_IP; default: DNS, else \`minikube ip\`)
  --skip-helm-test   do not run \`helm test\`
  -h, --help         this help
EOF
}

skip_helm_test=0
while [ $# -gt 0 ]; do
  case "$1" in
  --release) RELEASE="$2"; shift 2 ;;
  --namespace) NAMESPACE="$2"; shift 2 ;;
  --host) APP_HOST="$2"; shift 2 ;;
  --ingress-ip) INGRESS_IP="$2"; shift 2 ;;
  --skip-helm-test) skip_helm_test=1; shift ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; die "unknown option: $1" ;;
  esac
done

need_helm
need_cluster
init_api
helm -n "$NAMESPACE" status "$RELEASE" >/dev/null 2>&1 ||
  die "release $RELEASE is not installed in namespace $NAMESPACE: infra/scripts/deploy.sh"

# What this run made, removed on exit whatever happened.
email=""
token=""
pat_id=""
# in_cluster_sql POD SQL: psql in the in-cluster PostgreSQL's pod, as the
# app's role (the socket trusts local users).
in_cluster_sql() {
  # shellcheck disable=SC2016 # expanded in the pod, with the SQL as $1
  kubectl -n "$NAMESPACE" exec "$1" -- sh -c \
    'exec psql -v ON_ERROR_STOP=1 -qAt -U "${APP_DB_USER:-$POSTGRES_USER}" -d "$POSTGRES_DB" -c "$1"' sh "$2"
}
cleanup() {
  local status=$? id database_pod
  trap - EXIT
  if [ -n "$token" ]; then
    step "Cleaning up what verify.sh made"
    if [ -n "$pat_id" ] && [ "$(api DELETE "/api/tokens/$pat_id" "" "$token")" = 204 ]; then
      ok "personal access token revoked"
    fi
    database_pod="$(fullname)-postgresql-0"
    if kubectl -n "$NAMESPACE" get pod "$database_pod" >/dev/null 2>&1 &&
      in_cluster_sql "$database_pod" "DELETE FROM users WHERE email = '$email'" >/dev/null 2>&1; then
      ok "user $email deleted, with its tasks, tokens and conversations"
    else
      if [ "$(api GET "/api/tasks?status=all&limit=100" "" "$token")" = 200 ]; then
        for id in $(jq -r '.items[].id' "$API_BODY_FILE"); do api DELETE "/api/tasks/$id" "" "$token" >/dev/null; done
      fi
      if [ "$(api GET "/api/conversations" "" "$token")" = 200 ]; then
        for id in $(jq -r '.items[].id' "$API_BODY_FILE"); do
          api DELETE "/api/conversations/$id" "" "$token" >/dev/null
        done
      fi
      ok "tasks and conversations of $email deleted (the empty account stays: the API deletes no accounts)"
    fi
  fi
  rm -f "$API_BODY_FILE"
  exit "$status"
}
trap cleanup EXIT

step "1. Rollout"
wait_rollout 300s >/dev/null
kubectl -n "$NAMESPACE" get pods -l "app.kubernetes.io/instance=$RELEASE" \
  -o custom-columns='POD:.metadata.name,READY:.status.containerStatuses[*].ready,RESTARTS:.status.containerStatuses[*].restartCount' |
  sed 's/^/    /'
ok "every pod ready"

step "2. Health through the ingress ($(app_url))"
resolve_ingress
expect() { # expect STATUS WHAT METHOD PATH [BODY] [TOKEN]
  local want="$1" what="$2" got
  shift 2
  got="$(api "$@")"
  [ "$got" = "$want" ] || die "$what: $1 $2 answered $got, not $want: $(head -c 300 "$API_BODY_FILE")"
  ok "$what ($1 $2 → $got)"
}
# An ingress controller routes a new Ingress, and learns its Services' ready
# endpoints, a few seconds after they exist (its own 404, or 503 "no
# available server", until then): wait up to 60 s for both paths to route.
routed() {
  local path status
  for path in /readyz /api/openapi.json; do
    status="$(api GET "$path")"
    [ "$status" != 404 ] && [ "$status" != 502 ] && [ "$status" != 503 ] || return 1
  done
}
deadline=$((SECONDS + 60))
until routed || [ "$SECONDS" -ge "$deadline" ]; do sleep 1; done
expect 200 "backend ready, database reachable (through the frontend)" GET /readyz
expect 200 "API description (ingress → backend)" GET /api/openapi.json
expect 200 "web UI (ingress → frontend)" GET /
grep -qi '<html' "$API_BODY_FILE" || die "/ is not the web UI: $(head -c 200 "$API_BODY_FILE")"

step "3. A user, a task, a chat"
email="verify-$(date +%s)-$RANDOM@example.com"
token="$(sign_up "$email" "verify-password-$RANDOM" "Verify")"
ok "signed up $email"
expect 201 "task added over REST" POST /api/tasks '{"title":"Water the plants","priority":"high"}' "$token"
answer="$(chat "add buy milk tomorrow at 6pm #errands" "$token")"
jq -e '.actions | any(.tool == "add_task" and .ok)' >/dev/null <<<"$answer" ||
  die "the chat did not add the task: $answer"
ok "chat: \"add buy milk tomorrow at 6pm #errands\" → $(jq -r .reply <<<"$answer" | head -n1)"
conversation="$(jq -r .conversation_id <<<"$answer")"
answer="$(chat "show my tasks" "$token" "$conversation")"
reply="$(jq -r .reply <<<"$answer")"
if ! grep -qi "milk" <<<"$reply" || ! grep -qi "plants" <<<"$reply"; then
  die "the chat's list lacks the tasks: $reply"
fi
ok "chat: \"show my tasks\" lists both"
expect 200 "the tasks over REST" GET "/api/tasks?status=pending" "" "$token"
[ "$(jq -r .total "$API_BODY_FILE")" = 2 ] || die "expected 2 tasks: $(api_body)"
ok "2 pending tasks"
stream="$(app_curl -N -X POST -H 'Accept: text/event-stream' -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $token" --data '{"message":"list my tasks"}' "$(app_url)/api/chat" || true)"
grep -q '^data:' <<<"$stream" || die "no Server-Sent Events from /api/chat: $(head -c 300 <<<"$stream")"
ok "chat streams Server-Sent Events through the ingress ($(grep -c '^data:' <<<"$stream") events)"

step "4. MCP at $(app_url)/mcp"
expect 201 "personal access token" POST /api/tokens '{"name":"verify"}' "$token"
pat="$(jq -r '.token // .secret // empty' "$API_BODY_FILE")"
pat_id="$(jq -r '.id // empty' "$API_BODY_FILE")"
[ -n "$pat" ] || die "no token in $(api_body)"
initialize='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"verify.sh","version":"1"}}}'
mcp="$(app_curl -X POST -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
  -H "Authorization: Bearer $pat" --data "$initialize" "$(app_url)/mcp" || true)"
grep -q '"serverInfo"' <<<"$mcp" || die "MCP initialize failed: $(head -c 300 <<<"$mcp")"
ok "MCP initialize answered ($(grep -o '"serverInfo":{[^}]*}' <<<"$mcp"))"

if [ "$skip_helm_test" = 0 ]; then
  step "5. helm test $RELEASE"
  if helm -n "$NAMESPACE" test "$RELEASE" --timeout 2m >/dev/null; then
    ok "helm test passed"
  else
    kubectl -n "$NAMESPACE" logs "$(fullname)-test" 2>/dev/null | sed 's/^/    /' || true
    die "helm test failed"
  fi
fi

step "All checks passed"
