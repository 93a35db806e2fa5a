#!/usr/bin/env bash
# Failure simulation: while a loop writes tasks through the ingress, delete a
# backend pod (with two replicas: no request may fail), restart the database
# pod, and scale the backend to zero and back (outages by design). Then count
# what was lost: every write that was acknowledged must be there.
set -euo pipefail
# shellcheck source=common.bash
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

usage() {
  cat <<EOF
Usage: infra/scripts/chaos.sh [options]

Runs three experiments on release "$RELEASE" (namespace "$NAMESPACE"), each
while a loop creates a task through http://$APP_HOST every ${INTERVAL:-0.2}s:
  1. delete a backend pod            (another replica serves: FAILED must be 0)
  2. restart the database pod        (in-cluster PostgreSQL only; its volume stays;
                                      an outage by design: failures expected)
  3. scale the backend to 0, then back  (an outage by design: failures expected)
After each, it reads every task back and prints a table: requests, answered
201, failed, and LOST = acknowledged but missing, which must be 0.
The backend must run 2 or more replicas (a pod kill with one is an outage):
infra/scripts/deploy.sh -- --set backend.replicaCount=2 (scripts/demo.sh does).
Exits 1 if anything acknowledged was lost, or a request failed in experiment 1.
Every wait is bounded: the write loop stops after ${LOOP_LIMIT:-600}s, recovery
gets 120s, rollouts 300s.

Options:
  --release NAME     release (env RELEASE; default $RELEASE)
  --namespace NAME   namespace (env NAMESPACE; default $NAMESPACE)
  --host NAME        ingress host (env APP_HOST; default $APP_HOST)
  --ingress-ip IP    reach the ingress at IP (env INGRESS_IP)
  --only N           run experiment N only (1, 2 or 3)
  --settle SECONDS   requests before and after each disruption (default 5)
  -h, --help         this help
EOF
}

only=""
settle=5
interval="${INTERVAL:-0.2}"
while [ $# -gt 0 ]; do
  case "$1" in
  --release) RELEASE="$2"; shift 2 ;;
  --namespace) NAMESPACE="$2"; shift 2 ;;
  --host) APP_HOST="$2"; shift 2 ;;
  --ingress-ip) INGRESS_IP="$2"; shift 2 ;;
  --only) only="$2"; shift 2 ;;
  --settle) settle="$2"; shift 2 ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; die "unknown option: $1" ;;
  esac
done

need_helm
need_cluster
init_api
helm -n "$NAMESPACE" status "$RELEASE" >/dev/null 2>&1 ||
  die "release $RELEASE is not installed in namespace $NAMESPACE: infra/scripts/deploy.sh"
resolve_ingress
wait_rollout 300s >/dev/null
replicas="$(kubectl -n "$NAMESPACE" get deployment "$(fullname)-backend" -o jsonpath='{.spec.replicas}')"
[ "${replicas:-0}" -ge 2 ] ||
  die "the backend runs ${replicas:-0} replica: deleting its pod is an outage by design. Run 2 or more first: infra/scripts/deploy.sh -- --set backend.replicaCount=2"
info "the backend runs $replicas replicas"

work="$(mktemp -d "${TMPDIR:-/tmp}/todo-chaos.XXXXXX")"
loop_pid=""
cleanup() {
  if [ -n "$loop_pid" ]; then kill "$loop_pid" 2>/dev/null || true; fi
  rm -rf "$work" "$API_BODY_FILE"
}
trap cleanup EXIT

step "A user for the experiments"
token="$(sign_up "chaos-$(date +%s)-$RANDOM@example.com" "chaos-password-$RANDOM" "Chaos")"
ok "signed up"

# The write loop: one line per request in $1: "<status> <task id or ->";
# stopped by the experiment, or on its own after LOOP_LIMIT seconds.
write_loop() {
  local log="$1" n=0 status id deadline=$((SECONDS + ${LOOP_LIMIT:-600}))
  while [ $SECONDS -lt $deadline ]; do
    n=$((n + 1))
    status="$(CURL_MAX_TIME=10 app_curl -o "$log.body" -w '%{http_code}' -X POST \
      -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
      --data "{\"title\":\"chaos write $n\"}" "$(app_url)/api/tasks" 2>/dev/null || true)"
    id="-"
    if [ "$status" = 201 ]; then id="$(jq -r .id "$log.body" 2>/dev/null || echo -)"; fi
    printf '%s %s\n' "$status" "$id" >>"$log"
    sleep "$interval"
  done
}

# Every task id the user has now, one per line.
all_task_ids() {
  local offset=0 total=1
  : >"$work/ids"
  # bounded: one page of 100 a turn, up to the total
  while [ "$offset" -lt "$total" ]; do
    [ "$(api GET "/api/tasks?status=all&limit=100&offset=$offset" "" "$token")" = 200 ] ||
      die "cannot read the tasks back: $(api_body)"
    total="$(jq -r .total "$API_BODY_FILE")"
    jq -r '.items[].id' "$API_BODY_FILE" >>"$work/ids"
    offset=$((offset + 100))
  done
  sort -u "$work/ids"
}

results=()
lost_total=0
unexpected_failures=0
experiment() { # experiment N TITLE MAY_FAIL(yes/no) COMMAND...
  local n="$1" title="$2" may_fail="$3" log="$work/log-$1" started recovered
  shift 3
  [ -z "$only" ] || [ "$only" = "$n" ] || return 0
  step "$n. $title"
  : >"$log"
  write_loop "$log" &
  loop_pid=$!
  sleep "$settle"
  started=$SECONDS
  "$@"
  wait_rollout 300s >/dev/null
  # Back when the API answers through the ingress again (within 2 minutes).
  local deadline=$((SECONDS + 120))
  until [ "$(api GET "/api/tasks?limit=1" "" "$token")" = 200 ]; do
    [ $SECONDS -lt $deadline ] || die "the API did not answer again within 120 s: $(api_body)"
    sleep 0.5
  done
  recovered=$((SECONDS - started))
  sleep "$settle"
  kill "$loop_pid" 2>/dev/null || true
  wait "$loop_pid" 2>/dev/null || true
  loop_pid=""
  local requests acknowledged failed lost
  requests="$(wc -l <"$log" | tr -d ' ')"
  acknowledged="$(awk '$1 == 201 && $2 != "-" { print $2 }' "$log" | sort -u)"
  failed="$(awk '$1 != 201' "$log" | wc -l | tr -d ' ')"
  lost="$(comm -23 <(printf '%s\n' "$acknowledged" | sed '/^$/d') <(all_task_ids) | wc -l | tr -d ' ')"
  lost_total=$((lost_total + lost))
  info "failed requests by status: $(awk '$1 != 201 { print $1 }' "$log" | sort | uniq -c | tr -s ' ' | tr '\n' ',' | sed 's/,$//;s/^ //')"
  results+=("$(printf '%-34s %8s %8s %8s %6s %10s' "$n. $title" "$requests" "$(printf '%s\n' "$acknowledged" | sed '/^$/d' | wc -l | tr -d ' ')" "$failed" "$lost" "${recovered}s")")
  if [ "$lost" = 0 ]; then ok "nothing lost"; else warn "$lost acknowledged writes are missing"; fi
  if [ "$may_fail" = no ]; then
    if [ "$failed" = 0 ]; then
      ok "no request failed"
    else
      unexpected_failures=$((unexpected_failures + failed))
      warn "$failed requests failed, where another replica should have answered"
    fi
  fi
}

delete_backend_pod() {
  local pod
  pod="$(kubectl -n "$NAMESPACE" get pods -l "$(selector backend)" -o jsonpath='{.items[0].metadata.name}')"
  info "kubectl delete pod $pod"
  kubectl -n "$NAMESPACE" delete pod "$pod" --wait=false >/dev/null
  # The whole stop (preStop pause, drain) happens under traffic.
  kubectl -n "$NAMESPACE" wait pod "$pod" --for=delete --timeout=120s >/dev/null
}

restart_database() {
  local pod
  pod="$(fullname)-postgresql-0"
  if ! kubectl -n "$NAMESPACE" get pod "$pod" >/dev/null 2>&1; then
    info "no in-cluster PostgreSQL (an external database): skipped"
    return
  fi
  info "kubectl delete pod $pod (the volume stays)"
  kubectl -n "$NAMESPACE" delete pod "$pod" --wait=false >/dev/null
  sleep 2
  kubectl -n "$NAMESPACE" wait pod "$pod" --for=condition=Ready --timeout=300s >/dev/null
}

scale_to_zero_and_back() {
  local replicas
  replicas="$(kubectl -n "$NAMESPACE" get deployment "$(fullname)-backend" -o jsonpath='{.spec.replicas}')"
  info "kubectl scale deployment/$(fullname)-backend --replicas=0, then $replicas"
  kubectl -n "$NAMESPACE" scale "deployment/$(fullname)-backend" --replicas=0 >/dev/null
  kubectl -n "$NAMESPACE" wait pod -l "$(selector backend)" --for=delete --timeout=120s >/dev/null 2>&1 || true
  sleep 3
  kubectl -n "$NAMESPACE" scale "deployment/$(fullname)-backend" --replicas="$replicas" >/dev/null
}

experiment 1 "delete a backend pod" no delete_backend_pod
experiment 2 "restart the database pod" yes restart_database
experiment 3 "scale the backend to 0 and back" yes scale_to_zero_and_back

step "What was lost"
printf '    %-34s %8s %8s %8s %6s %10s\n' experiment requests "201" failed LOST recovery
for row in ${results[@]+"${results[@]}"}; do printf '    %s\n' "$row"; done
if [ "$lost_total" = 0 ]; then
  ok "LOST: 0 — every acknowledged write survived (failed requests were refused, never half-done)"
else
  die "LOST: $lost_total acknowledged writes are missing"
fi
if [ "$unexpected_failures" = 0 ]; then
  ok "FAILED while a backend pod was deleted: 0 — the other replica answered every request"
else
  die "FAILED while a backend pod was deleted: $unexpected_failures requests, with $replicas replicas"
fi
