#!/usr/bin/env bash
# The demo: from an empty Minikube to a chat that manages tasks, with a
# backend pod killed and replaced while requests flow: none fails, no data
# is lost. Narrated.
set -euo pipefail
# shellcheck source=../infra/scripts/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/../infra/scripts/common.bash"

usage() {
  cat <<EOF
Usage: scripts/demo.sh [options]

The Todo Chatbot demo, narrated (the first image build takes longest):
  1. a Minikube cluster with ingress and metrics-server (infra/scripts/minikube-up.sh)
  2. the backend and frontend images built into it (infra/scripts/build-images.sh)
  3. the Helm chart installed: in-cluster PostgreSQL, builtin assistant, two backend
     replicas (infra/scripts/deploy.sh)
  4. checks through the ingress and \`helm test\` (infra/scripts/verify.sh)
  5. a chat that adds, lists, completes and reschedules tasks
  6. a backend pod killed while requests flow: the other replica answers them all
     (the demo fails on any failed request), Kubernetes replaces the pod, and every
     task is still there
  7. (--chaos) the full failure simulation (infra/scripts/chaos.sh)
Each step reuses what is already there, so the demo can be run again.

Options:
  --skip-cluster   use the current kubectl context as it is (no Minikube)
  --skip-build     use the images already in the cluster
  --chaos          run infra/scripts/chaos.sh at the end
  --pause          wait for Enter between steps (for presenting)
  -y, --yes        answer yes (e.g. to the /etc/hosts change)
  -h, --help       this help
EOF
}

skip_cluster=0
skip_build=0
with_chaos=0
pause=0
while [ $# -gt 0 ]; do
  case "$1" in
  --skip-cluster) skip_cluster=1; shift ;;
  --skip-build) skip_build=1; shift ;;
  --chaos) with_chaos=1; shift ;;
  --pause) pause=1; shift ;;
  -y | --yes) ASSUME_YES=1; export ASSUME_YES; shift ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; die "unknown option: $1" ;;
  esac
done

need_helm
need kubectl "https://kubernetes.io/docs/tasks/tools/"
[ "$skip_cluster" = 1 ] || need minikube "https://minikube.sigs.k8s.io/docs/start/"
init_api
scripts="$REPO_ROOT/infra/scripts"
yes_flag=()
[ "${ASSUME_YES:-0}" != 1 ] || yes_flag=(--yes)

say() { printf '\n%s%s%s\n' "$_bold" "$*" "$_reset"; }
next() {
  if [ "$pause" = 1 ] && [ -t 0 ]; then
    read -r -p "    (Enter to go on) " _
  fi
}
demo_started=$SECONDS

say "Todo Chatbot on Kubernetes: a todo list you can talk to."
info "Everything runs in the cluster: the Rust backend, the web UI, PostgreSQL."
next

if [ "$skip_cluster" = 0 ]; then
  say "1. A local cluster: Minikube with an ingress controller and metrics-server."
  bash "$scripts/minikube-up.sh" ${yes_flag[@]+"${yes_flag[@]}"}
  next
fi

if [ "$skip_build" = 0 ]; then
  say "2. The two images, built straight into the cluster: no registry involved."
  bash "$scripts/build-images.sh"
  next
fi

say "3. One Helm release: Deployments, Services, an Ingress on $APP_HOST, a ConfigMap,"
info "a Secret generated once and kept, PostgreSQL in a StatefulSet with a volume,"
info "and two backend replicas, so that losing one pod is no outage."
bash "$scripts/deploy.sh" -- --set backend.replicaCount=2
next

say "4. Is it really up? Health through the ingress, a scripted user, MCP, helm test."
bash "$scripts/verify.sh"
next

say "5. A conversation. The builtin assistant needs no API key."
resolve_ingress
token="$(sign_up "demo@example.com" "demo-password-123" "Demo")"
conversation=""
talk() {
  local answer
  printf '\n    %syou:%s %s\n' "$_bold" "$_reset" "$1"
  answer="$(chat "$1" "$token" "$conversation")"
  conversation="$(jq -r .conversation_id <<<"$answer")"
  jq -r .reply <<<"$answer" | sed "s/^/    ${_green}bot:${_reset} /"
  jq -r '.actions[]? | "      [\(.tool) \(if .ok then "ok" else "failed" end)]"' <<<"$answer"
}
talk "add buy milk tomorrow at 6pm #errands"
talk "remind me to call mom on friday, high priority"
talk "add renew passport next month"
talk "show my tasks"
talk "mark buy milk as done"
talk "move call mom to saturday"
talk "what's left?"
[ "$(api GET "/api/tasks?status=all" "" "$token")" = 200 ] || die "cannot list tasks: $(api_body)"
before="$(jq -c '[.items[] | {id, title, completed, due_at}] | sort_by(.id)' "$API_BODY_FILE")"
info ""
info "The same tasks over the REST API ($(jq -r 'length' <<<"$before")):"
jq -r '.[] | "      #\(.id) \(.title)\(if .completed then " (done)" else "" end)"' <<<"$before"
info "Open http://$APP_HOST and sign in as demo@example.com / demo-password-123 to see them."
next

say "6. Now kill a backend pod, while a client keeps asking for the task list."
# The client: one request every 0.2 s through the ingress, each status logged;
# it stops when told, or after 5 minutes on its own.
requests_log="$(mktemp "${TMPDIR:-/tmp}/todo-demo-requests.XXXXXX")"
(
  deadline=$((SECONDS + 300))
  while [ $SECONDS -lt $deadline ] && [ ! -e "$requests_log.stop" ]; do
    CURL_MAX_TIME=10 app_curl -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $token" \
      "$(app_url)/api/tasks?limit=1" >>"$requests_log" 2>/dev/null || true
    sleep 0.2
  done
) &
client=$!
sleep 2
old_pod="$(kubectl -n "$NAMESPACE" get pods -l "$(selector backend)" -o jsonpath='{.items[0].metadata.name}')"
info "kubectl delete pod $old_pod"
kubectl -n "$NAMESPACE" delete pod "$old_pod" --wait=false >/dev/null
kill_started=$SECONDS
kubectl -n "$NAMESPACE" wait pod "$old_pod" --for=delete --timeout=120s >/dev/null
kubectl -n "$NAMESPACE" rollout status "deployment/$(fullname)-backend" --timeout 300s >/dev/null
sleep 3
touch "$requests_log.stop"
wait "$client" 2>/dev/null || true
requests="$(wc -l <"$requests_log" | tr -d ' ')"
failed="$(grep -cv '^200$' "$requests_log" || true)"
rm -f "$requests_log" "$requests_log.stop"
new_pods="$(kubectl -n "$NAMESPACE" get pods -l "$(selector backend)" --field-selector=status.phase=Running -o jsonpath='{.items[*].metadata.name}')"
ok "$old_pod is gone after $((SECONDS - kill_started))s; serving now: $new_pods"
[ "$failed" = 0 ] || die "$failed of $requests requests failed while a backend pod was deleted"
ok "$requests requests while the pod went away: 0 failed (the other replica answered)"
[ "$(api GET "/api/tasks?status=all" "" "$token")" = 200 ] || die "cannot list tasks: $(api_body)"
after="$(jq -c '[.items[] | {id, title, completed, due_at}] | sort_by(.id)' "$API_BODY_FILE")"
if [ "$before" = "$after" ]; then
  ok "every task is still there, unchanged: no data lost"
else
  die "the tasks changed across the restart: before $before, after $after"
fi
talk "show my tasks"
info "(the conversation lives in PostgreSQL too: the new pod carried it on)"
next

if [ "$with_chaos" = 1 ]; then
  say "7. The full failure simulation."
  bash "$scripts/chaos.sh"
fi

say "Done in $((SECONDS - demo_started))s."
info "Web UI: http://$APP_HOST   API: http://$APP_HOST/api/openapi.json   MCP: http://$APP_HOST/mcp"
info "Clean up: infra/scripts/teardown.sh [--purge] [--cluster] [--hosts]"
