#!/usr/bin/env bash
# Regenerates go.mod/go.sum here for KUBERNETES_VERSION in ../../versions.env:
# k8s.io/kubernetes at that release, each of its staging modules (which its
# own go.mod replaces with ./staging paths) at the matching published
# v0.X.Y, and the commands as tools. Run after changing the version.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck disable=SC1091 # lib.bash, two folders up
source ../../lib.bash
v="$KUBERNETES_VERSION"
{
  printf 'module todo-chatbot.local/cluster/kubernetes\n\ngo 1.24.0\n\nrequire k8s.io/kubernetes v%s\n\nreplace (\n' "$v"
  curl -fsS "https://proxy.golang.org/k8s.io/kubernetes/@v/v$v.mod" |
    sed -n 's#^\t\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\t\1 => \1 v0.'"${v#1.}"'#p'
  printf ')\n'
} >go.mod
rm -f go.sum
for command in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
  go get -tool "k8s.io/kubernetes/cmd/$command@v$v"
done
