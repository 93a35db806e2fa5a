#!/usr/bin/env bash
# The cluster test: the seed's verification and failure sections, on a real
# single-node cluster built from source (up.sh), through its real ingress.
#
#   1. the cluster up (cold or warm) and the app's images built and imported
#   2. Helm 4, default values (in-cluster PostgreSQL): install → all Ready,
#      infra/scripts/verify.sh (with `helm test`) and scripts/demo.sh unchanged
#   3. through todo.local: the UI, sign-up, task CRUD, MCP with the official
#      client and a personal token
#   4. NetworkPolicy enforced: a pod without the allowed labels reaches the
#      backend and the database before the chart's policies, not after; the
#      app still works
#   5. two backend replicas under continuous reads and writes: a backend pod
#      deleted, a `helm upgrade` rolling both Deployments (zero failed
#      requests in both), the PostgreSQL pod deleted (unavailability window
#      measured); zero acknowledged writes lost in all three
#   6. a chat turn streamed by an LLM (a scripted OpenAI-compatible stub on
#      the host): its Server-Sent Events cross the ingress one by one
#   7. Helm 3 against an external PostgreSQL outside the cluster, over TLS
#      with sslmode=require (Neon's shape): install, verify.sh
#   8. the timing table (also in $TODO_CLUSTER_OUT/timings.md); down.sh
#
#   sudo infra/cluster/test.sh [--keep]     (--keep: leave the cluster up)
#
# Needs root, Go, and the chart tools (.ci/chart-tools.sh) and the MCP
# client's Python (TODO_TEST_PYTHON, default ~/.cache/todo-chatbot/venv).
# Fails at the first broken expectation; never skips.
set -euo pipefail
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

keep=0
[ "${1:-}" != --keep ] || keep=1
[ "$(id -u)" = 0 ] || die "test.sh needs root"

OUT="${TODO_CLUSTER_OUT:-$CACHE/cluster/last-test}"
rm -rf "$OUT"
mkdir -p "$OUT"
timings="$OUT/timings.tsv"
: >"$timings"
# timing WHAT SECONDS [TARGET]: one row of the table.
timing() {
  printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$timings"
  info "$1: $2 ${3:+(target $3)}"
}
fail() { die "FAILED: $*"; }
test_started=$SECONDS

background=()
cleanup() {
  local status="${1:-$?}" pid
  [ "$status" = 0 ] || diagnose "${NAMESPACE:-todo}"
  for pid in "${background[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ "$keep" = 0 ]; then
    "$CLUSTER_DIR/down.sh" >"$OUT/down.log" 2>&1 || {
      cat "$OUT/down.log" >&2
      echo "cluster: down.sh failed" >&2
    }
  fi
}
trap cleanup EXIT

log "chart tools (Helm 3 and 4) and the MCP client's Python"
eval "$(bash "$REPO_ROOT/.ci/chart-tools.sh")"
python="${TODO_TEST_PYTHON:-$CACHE/venv/bin/python}"
"$python" -c 'import mcp' 2>/dev/null || fail "the MCP client's Python ($python) lacks the mcp package"
install_packages jq curl postgresql
tools="$OUT/bin"
mkdir -p "$tools"
ln -sf "$TODO_TEST_HELM4" "$tools/helm"
ln -sf "$KUBE_BIN/kubectl" "$tools/kubectl"
export PATH="$tools:$PATH"

log "cluster up"
cold=warm
[ -x "$KUBE_BIN/kubelet" ] || cold=cold
started=$SECONDS
"$CLUSTER_DIR/up.sh"
timing "cluster up ($cold cache)" "$((SECONDS - started)) s"
export KUBECONFIG="$KUBECONFIG_FILE"
INGRESS_IP="$(node_ip)"
export INGRESS_IP APP_HOST=todo.local ASSUME_YES=1 NAMESPACE=todo RELEASE=todo-chatbot
url="http://$INGRESS_IP"

log "the app's images, from infra/docker, into the cluster"
started=$SECONDS
"$CLUSTER_DIR/images.sh" app
timing "images built and imported" "$((SECONDS - started)) s"
for image in todo-chatbot-backend todo-chatbot-frontend postgres; do
  size="$(ctr_k8s images ls | awk -v i="docker.io/library/$image:" 'index($1, i) == 1 { print $4 " " $5; exit }')"
  timing "image $image" "$size"
done

# The chart's names for the release (RELEASE contains "todo-chatbot", so
# the full name is the release's; see infra/scripts/common.bash).
fullname() { printf '%s' "$RELEASE"; }
selector() { printf 'app.kubernetes.io/instance=%s,app.kubernetes.io/component=%s' "$RELEASE" "$1"; }

# through_ingress CURL_ARGS...: curl to the ingress with Host: todo.local.
through_ingress() { curl -sS --max-time 30 -H "Host: $APP_HOST" "$@"; }

# pods_ready_seconds SELECTOR: seconds from the newest matching pod's start to Ready.
pod_start_to_ready() {
  kubectl -n "$NAMESPACE" get pods -l "$1" -o json | jq -r '
    [.items[] | select(.metadata.deletionTimestamp == null)] | max_by(.status.startTime) |
    ((.status.conditions[] | select(.type == "Ready") | .lastTransitionTime | fromdateiso8601)
      - (.status.startTime | fromdateiso8601))'
}

log "Helm 4 ($(helm version --short)): install with default values (in-cluster PostgreSQL)"
started=$SECONDS
"$REPO_ROOT/infra/scripts/deploy.sh" --timeout 5m
install_seconds=$((SECONDS - started))
timing "helm install → all Ready (Helm 4, in-cluster PostgreSQL)" "$install_seconds s" "< 180 s"
[ "$install_seconds" -lt 180 ] || fail "install took $install_seconds s, over the seed's 3 minutes"
backend_start="$(pod_start_to_ready "$(selector backend)")"
timing "backend pod start → Ready" "$backend_start s" "< 120 s"
[ "$backend_start" -lt 120 ] || fail "a backend pod took $backend_start s to be Ready"

log "infra/scripts/verify.sh (unchanged, with helm test)"
"$REPO_ROOT/infra/scripts/verify.sh"

log "the in-cluster PostgreSQL: the app's own role, no superuser; verify.sh left no user behind"
# pg_sql SQL: as the superuser, over the pod's local socket.
pg_sql() {
  # shellcheck disable=SC2016 # expanded in the pod
  kubectl -n "$NAMESPACE" exec -i "$(fullname)-postgresql-0" -- sh -c \
    'exec psql -v ON_ERROR_STOP=1 -qAt -U postgres -d "$POSTGRES_DB" -v app="$APP_DB_USER" -f -' <<<"$1"
}
role="$(pg_sql "SELECT rolname || ' super=' || rolsuper || ' createrole=' || rolcreaterole || ' createdb=' || rolcreatedb
  || ' foreign_tables=' || (SELECT count(*) FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner <> r.rolname)
  FROM pg_roles r WHERE rolname = :'app'")" ||
  fail "cannot read the app's role in the in-cluster PostgreSQL"
info "the app's role: $role"
[[ "$role" =~ ^[a-z_]+\ super=false\ createrole=false\ createdb=false\ foreign_tables=0$ ]] ||
  fail "the app should connect as a non-superuser role owning its tables: $role"
sessions="$(pg_sql "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity WHERE datname = current_database() AND client_addr IS NOT NULL")"
[ "$sessions" = "${role%% *}" ] || fail "the backend's sessions should all be the app's role ${role%% *}: $sessions"
left="$(pg_sql "SELECT count(*) FROM users WHERE email LIKE 'verify-%'")"
[ "$left" = 0 ] || fail "verify.sh left $left user(s) behind"
header="$(kubectl -n "$NAMESPACE" get configmap "$(fullname)-backend" -o jsonpath='{.data.CLIENT_ADDRESS_HEADER}' 2>/dev/null || true)"
[ "$header" = X-Forwarded-For ] || fail "the backend should read client addresses from X-Forwarded-For behind the ingress: '$header'"
info "TCP sessions as $sessions only; no verify-* user left; CLIENT_ADDRESS_HEADER=$header"

log "scripts/demo.sh on this cluster, with infra/scripts/chaos.sh"
started=$SECONDS
"$REPO_ROOT/scripts/demo.sh" --skip-cluster --skip-build --chaos --yes 2>&1 | tee "$OUT/demo.log"
timing "scripts/demo.sh end to end" "$((SECONDS - started)) s"

log "through $APP_HOST: the UI, a user, task CRUD, MCP"
through_ingress -o "$OUT/index.html" -w '%{http_code}' "$url/" | grep -qx 200 || fail "the UI's page"
grep -q '<html' "$OUT/index.html" || fail "the UI's page is not HTML"
wasm="$(grep -o '/[^"]*\.wasm' "$OUT/index.html" | head -n 1)"
[ -n "$wasm" ] || fail "the UI's page names no .wasm"
through_ingress -o /dev/null -w '%{http_code} %{content_type}' "$url$wasm" | grep -q '^200 application/wasm' ||
  fail "the UI's WebAssembly ($wasm) through the ingress"
email="cluster-$(date +%s)@example.com"
token="$(through_ingress -X POST -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"cluster-test-password\",\"name\":\"Cluster\"}" \
  "$url/api/auth/signup" | jq -er .token)" || fail "sign-up"
api() { through_ingress -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
id="$(api -X POST -d '{"title":"cluster task","priority":"high"}' "$url/api/tasks" | jq -er .id)" || fail "create"
api "$url/api/tasks/$id" | jq -e '.title == "cluster task"' >/dev/null || fail "read"
api -X PATCH -d '{"title":"cluster task, renamed"}' "$url/api/tasks/$id" | jq -e '.title == "cluster task, renamed"' >/dev/null || fail "update"
api -X POST "$url/api/tasks/$id/complete" | jq -e '.completed == true' >/dev/null || fail "complete"
[ "$(api -o /dev/null -w '%{http_code}' -X DELETE "$url/api/tasks/$id")" = 204 ] || fail "delete"
[ "$(api -o /dev/null -w '%{http_code}' "$url/api/tasks/$id")" = 404 ] || fail "a deleted task answers 404"
pat="$(api -X POST -d '{"name":"cluster test"}' "$url/api/tokens" | jq -er .token)" || fail "a personal access token"
"$python" "$REPO_ROOT/crates/server/tests/mcp/client.py" http "$url/mcp" --token "$pat" --host "$APP_HOST" \
  --title "added over MCP through the ingress" | tail -n 1 >"$OUT/mcp.json"
info "MCP: $(jq -r '"\(.server_name): tools \(.tools | keys | join(", ")); \(.errors | length) refusals as expected"' "$OUT/mcp.json")"
api "$url/api/tasks?q=over%20MCP" | jq -e '.total >= 1' >/dev/null || fail "the MCP client's task is not in the list"
info "UI, sign-up, create/read/update/complete/delete, MCP tools: all through the ingress"

log "NetworkPolicy (kube-router's policy controller)"
backend_svc="http://$(fullname)-backend:8080/healthz"
database_svc="$(fullname)-postgresql"
# probe: from a pod without the app's labels; prints "backend database" reachability.
probe() {
  kubectl -n "$NAMESPACE" delete pod netpol-probe --ignore-not-found --wait >/dev/null
  kubectl -n "$NAMESPACE" run netpol-probe --image docker.io/library/busybox:1.37 --image-pull-policy Never \
    --restart Never --quiet --command -- sh -c "
      if wget -q -T 3 -O /dev/null $backend_svc 2>/dev/null; then echo backend=open; else echo backend=closed; fi
      if nc -w 3 $database_svc 5432 </dev/null 2>/dev/null; then echo database=open; else echo database=closed; fi" >/dev/null
  kubectl -n "$NAMESPACE" wait pod netpol-probe --for=jsonpath='{.status.phase}'=Succeeded --timeout 60s >/dev/null
  kubectl -n "$NAMESPACE" logs netpol-probe | tr '\n' ' '
  kubectl -n "$NAMESPACE" delete pod netpol-probe --wait=false >/dev/null
}
before="$(probe)"
info "without the chart's policies: $before"
[ "$before" = "backend=open database=open " ] || fail "the probe pod should reach both before the policies: $before"
helm upgrade "$RELEASE" "$REPO_ROOT/infra/helm/todo-chatbot" -n "$NAMESPACE" --reuse-values \
  --set networkPolicy.enabled=true --wait --timeout 3m >/dev/null
after="$(probe)"
info "with the chart's policies: $after"
[ "$after" = "backend=closed database=closed " ] || fail "NetworkPolicy is not enforced: $after"
timing "NetworkPolicy enforcement" "a pod without the labels reaches neither the backend nor PostgreSQL"
"$REPO_ROOT/infra/scripts/verify.sh" >"$OUT/verify-netpol.log" 2>&1 || {
  cat "$OUT/verify-netpol.log"
  fail "the app with NetworkPolicies on"
}
info "the app works through the ingress with the chart's NetworkPolicies on, helm test included"

log "failures under traffic: two backend replicas"
helm upgrade "$RELEASE" "$REPO_ROOT/infra/helm/todo-chatbot" -n "$NAMESPACE" --reuse-values \
  --set backend.replicaCount=2 --wait --timeout 3m >/dev/null
kubectl -n "$NAMESPACE" rollout status "deployment/$(fullname)-backend" --timeout 120s >/dev/null
traffic() { "$python" "$CLUSTER_DIR/traffic.py" "$@" --url "$url" --host "$APP_HOST" --token "$token"; }
# under_traffic NAME COMMAND...: runs COMMAND while traffic flows; prints the report.
under_traffic() {
  local name="$1" dir="$OUT/traffic-$1" pid
  shift
  traffic run --out "$dir" >"$dir.log" 2>&1 &
  pid=$!
  background+=("$pid")
  sleep 3
  # (inside $(…), where errexit does not reach: a failed step must end the test)
  "$@" || {
    touch "$dir/stop"
    fail "$name: $* failed (the traffic so far: $(tail -n 3 "$dir/failures.txt" 2>/dev/null))"
  }
  sleep 3
  touch "$dir/stop"
  wait "$pid" || fail "the traffic generator failed: $(cat "$dir.log")"
  cat "$dir/acked.txt" >>"$OUT/acked.txt"
  jq -c . "$dir/report.json"
}
kill_backend_pod() {
  local pod
  pod="$(kubectl -n "$NAMESPACE" get pods -l "$(selector backend)" -o jsonpath='{.items[0].metadata.name}')"
  info "kubectl delete pod $pod"
  kubectl -n "$NAMESPACE" delete pod "$pod" --wait=false >/dev/null
  kubectl -n "$NAMESPACE" wait pod "$pod" --for=delete --timeout 120s >/dev/null
  kubectl -n "$NAMESPACE" rollout status "deployment/$(fullname)-backend" --timeout 120s >/dev/null
}
rolling_upgrade() {
  info "helm upgrade (a new pod annotation on both Deployments)"
  helm upgrade "$RELEASE" "$REPO_ROOT/infra/helm/todo-chatbot" -n "$NAMESPACE" --reuse-values \
    --set-string "backend.podAnnotations.todo-cluster-test/rolled=$(date +%s)" \
    --set-string "frontend.podAnnotations.todo-cluster-test/rolled=$(date +%s)" --wait --timeout 5m >/dev/null
  kubectl -n "$NAMESPACE" rollout status "deployment/$(fullname)-backend" --timeout 120s >/dev/null
  kubectl -n "$NAMESPACE" rollout status "deployment/$(fullname)-frontend" --timeout 120s >/dev/null
}
kill_database_pod() {
  local pod
  pod="$(fullname)-postgresql-0"
  info "kubectl delete pod $pod (its volume stays)"
  kubectl -n "$NAMESPACE" delete pod "$pod" --wait=false >/dev/null
  kubectl -n "$NAMESPACE" wait pod "$pod" --for=delete --timeout 120s >/dev/null
  kubectl -n "$NAMESPACE" wait pod "$pod" --for=condition=Ready --timeout 300s >/dev/null
  # Until the backends have their connections back.
  sleep 5
}
report="$(under_traffic pod-kill kill_backend_pod)"
info "backend pod deleted: $report"
[ "$(jq .failed <<<"$report")" = 0 ] || fail "requests failed while a backend pod was deleted: $(head -n 5 "$OUT/traffic-pod-kill/failures.txt")"
timing "backend pod deleted: failed requests" "$(jq -r '"\(.failed) of \(.requests)"' <<<"$report")" "0"
report="$(under_traffic rolling-upgrade rolling_upgrade)"
info "rolling upgrade: $report"
[ "$(jq .failed <<<"$report")" = 0 ] || fail "requests failed during the rolling upgrade: $(head -n 5 "$OUT/traffic-rolling-upgrade/failures.txt")"
timing "helm upgrade rolling both Deployments: failed requests" "$(jq -r '"\(.failed) of \(.requests)"' <<<"$report")" "0"
report="$(under_traffic database-kill kill_database_pod)"
info "PostgreSQL pod deleted: $report"
timing "PostgreSQL pod deleted: unavailability window" "$(jq -r .longest_gap_seconds <<<"$report") s ($(jq -r '"\(.failed) of \(.requests)"' <<<"$report") requests failed)"
check="$(traffic check --acked "$OUT/acked.txt")" || fail "acknowledged writes were lost: $check"
timing "acknowledged writes lost (all three)" "$(jq -r '"\(.missing) of \(.acked)"' <<<"$check")" "0"

log "a streamed chat turn through the ingress (an LLM stub on the host)"
stub_port=18099
"$python" "$CLUSTER_DIR/llm-stub.py" "$stub_port" "$INGRESS_IP" >"$OUT/llm-stub.log" 2>&1 &
background+=("$!")
helm upgrade "$RELEASE" "$REPO_ROOT/infra/helm/todo-chatbot" -n "$NAMESPACE" --reuse-values \
  --set llm.enabled=true --set "llm.baseUrl=http://$INGRESS_IP:$stub_port/v1" --set llm.model=stub \
  --wait --timeout 3m >/dev/null
kubectl -n "$NAMESPACE" rollout status "deployment/$(fullname)-backend" --timeout 120s >/dev/null
# The old pods serve on through their preStop pause: wait until they are
# gone, so the turn is answered by a pod that has the model.
deadline=$((SECONDS + 120))
while kubectl -n "$NAMESPACE" get pods -l "$(selector backend)" -o json |
  jq -e '[.items[] | select(.metadata.deletionTimestamp != null)] | length > 0' >/dev/null; do
  [ $SECONDS -lt $deadline ] || fail "the old backend pods did not go within 120 s"
  sleep 1
done
sleep 3
api -N -H 'Accept: text/event-stream' -X POST -d '{"message":"tell me something"}' "$url/api/chat" |
  while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done >"$OUT/sse.log"
deltas="$(grep -c ' event: delta$' "$OUT/sse.log" || true)"
spread="$(awk '$2 == "event:" && $3 == "delta" { if (!first) first = $1; last = $1 } END { printf "%.1f", last - first }' "$OUT/sse.log")"
grep -q ' event: done$' "$OUT/sse.log" || fail "the stream did not finish with a done event: $(tail -n 5 "$OUT/sse.log")"
[ "$deltas" -ge 5 ] || fail "expected the reply in several delta events, got $deltas: $(head -n 20 "$OUT/sse.log")"
awk -v s="$spread" 'BEGIN { exit !(s >= 1.5) }' || fail "the deltas arrived together ($spread s apart): buffered"
timing "SSE chat: delta events through the ingress" "$deltas over $spread s"

log "Helm 3 ($("$TODO_TEST_HELM3" version --short)) against an external PostgreSQL over TLS"
helm uninstall "$RELEASE" -n "$NAMESPACE" --wait >/dev/null
kubectl -n "$NAMESPACE" delete pvc --all --wait=false >/dev/null
ln -sf "$TODO_TEST_HELM3" "$tools/helm"
# Outside root's home, which the postgres user cannot enter.
external_pg="$(mktemp -d /tmp/todo-external-pg.XXXXXX)"
pg_bin="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin | sort -V | tail -n 1)"
chown postgres: "$external_pg"
pg_password="external-$(openssl rand -hex 12)"
as_postgres() { runuser -u postgres -- "$@"; }
as_postgres "$pg_bin/initdb" -D "$external_pg/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$INGRESS_IP" \
  -keyout "$external_pg/data/server.key" -out "$external_pg/data/server.crt" 2>/dev/null
chown postgres: "$external_pg/data/server.key" "$external_pg/data/server.crt"
chmod 600 "$external_pg/data/server.key"
cat >>"$external_pg/data/postgresql.conf" <<EOF
listen_addresses = '$INGRESS_IP'
port = 55432
ssl = on
unix_socket_directories = '$external_pg'
EOF
# TLS only, as a hosted Postgres insists.
printf 'hostnossl all all 0.0.0.0/0 reject\nhostssl all all 0.0.0.0/0 scram-sha-256\n' >"$external_pg/data/pg_hba.conf"
printf 'local all all trust\n' >>"$external_pg/data/pg_hba.conf"
as_postgres "$pg_bin/pg_ctl" -D "$external_pg/data" -l "$external_pg/log" -w start >/dev/null
background_pg() {
  as_postgres "$pg_bin/pg_ctl" -D "$external_pg/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$external_pg"
}
trap 'status=$?; background_pg; cleanup "$status"' EXIT
as_postgres psql -h "$external_pg" -p 55432 -U postgres -qc "CREATE ROLE todo LOGIN PASSWORD '$pg_password'"
as_postgres psql -h "$external_pg" -p 55432 -U postgres -qc "CREATE DATABASE todo OWNER todo"
started=$SECONDS
DATABASE_URL="postgres://todo:$pg_password@$INGRESS_IP:55432/todo?sslmode=require" \
  "$REPO_ROOT/infra/scripts/deploy.sh" --timeout 5m
timing "helm install → all Ready (Helm 3, external PostgreSQL, TLS)" "$((SECONDS - started)) s" "< 180 s"
"$REPO_ROOT/infra/scripts/verify.sh"
ssl_connections="$(as_postgres psql -h "$external_pg" -p 55432 -U postgres -Atc \
  "SELECT count(*) FILTER (WHERE ssl), count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE usename = 'todo'")"
info "the backend's connections (TLS, all): $ssl_connections"
if [ "${ssl_connections%|*}" -lt 1 ] || [ "${ssl_connections%|*}" != "${ssl_connections#*|}" ]; then
  fail "the backend's connections are not all TLS: $ssl_connections"
fi

timing "the whole test" "$((SECONDS - test_started)) s"
{
  printf '| step | measured | target |\n| --- | --- | --- |\n'
  awk -F '\t' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$timings"
} >"$OUT/timings.md"
log "timings"
cat "$OUT/timings.md"
log "the cluster test passed"
