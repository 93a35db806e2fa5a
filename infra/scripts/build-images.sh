#!/usr/bin/env bash
# Builds the backend and frontend images inside Minikube, where the chart's
# pods find them without a registry.
set -euo pipefail
# shellcheck source=common.bash
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"

usage() {
  cat <<EOF
Usage: infra/scripts/build-images.sh [options]

Builds todo-chatbot-backend and todo-chatbot-frontend from infra/docker/ into
the Minikube cluster's image store (\`minikube image build\`), tagged after the
sources: git-<commit>, plus -dirty-<hash of the changes> for a modified tree
(now: $(source_image_tag "$REPO_ROOT")). A rebuild after a change gets a new tag, so the
next infra/scripts/deploy.sh rolls it out (it uses the tags built last,
remembered in $(state_dir)); an unchanged tree rebuilds from the cache.

Options:
  --profile NAME   Minikube profile (env MINIKUBE_PROFILE; default $MINIKUBE_PROFILE)
  --tag TAG        image tag (env IMAGE_TAG; default the sources' tag above)
  --only NAME      build only "backend" or "frontend"
  --docker         build with the local Docker engine instead, then load into Minikube
  -h, --help       this help
EOF
}

tag="${IMAGE_TAG:-}"
only=""
use_docker=0
while [ $# -gt 0 ]; do
  case "$1" in
  --profile) MINIKUBE_PROFILE="$2"; shift 2 ;;
  --tag) tag="$2"; shift 2 ;;
  --only) only="$2"; shift 2 ;;
  --docker) use_docker=1; shift ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; die "unknown option: $1" ;;
  esac
done
[ -n "$tag" ] || tag="$(source_image_tag "$REPO_ROOT")"
case "$only" in "" | backend | frontend) ;; *) die "--only takes backend or frontend, not $only" ;; esac

need minikube "https://minikube.sigs.k8s.io/docs/start/"
[ "$use_docker" = 0 ] || need docker "https://docs.docker.com/engine/install/"
[ "$(minikube -p "$MINIKUBE_PROFILE" status --format '{{.Host}}' 2>/dev/null || true)" = Running ] ||
  die "Minikube profile $MINIKUBE_PROFILE is not running: infra/scripts/minikube-up.sh"

cd "$REPO_ROOT"
for component in backend frontend; do
  [ -z "$only" ] || [ "$only" = "$component" ] || continue
  dockerfile="infra/docker/$component.Dockerfile"
  image="todo-chatbot-$component:$tag"
  [ -f "$dockerfile" ] || die "$dockerfile is missing"
  step "$image from $dockerfile"
  started=$SECONDS
  if [ "$use_docker" = 1 ]; then
    docker build -f "$dockerfile" -t "$image" .
    minikube -p "$MINIKUBE_PROFILE" image load "$image"
  else
    minikube -p "$MINIKUBE_PROFILE" image build -f "$dockerfile" -t "$image" .
  fi
  ok "$image built in $((SECONDS - started))s"
  # What deploy.sh deploys next.
  mkdir -p "$(state_dir)"
  printf '%s\n' "$tag" >"$(state_dir)/image-tag.$component"
done

step "Images in the cluster"
minikube -p "$MINIKUBE_PROFILE" image ls | grep 'todo-chatbot-' | sed 's/^/    /' || true
info "next: infra/scripts/deploy.sh${tag:+ (tag $tag)}"
