#!/usr/bin/env bash
# Regenerates go.mod/go.sum here for ETCD_VERSION in ../../versions.env: the
# etcd server's main package as a tool, with the sibling modules its own
# go.mod replaces by ../ paths pinned to the same published release.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck disable=SC1091 # lib.bash, two folders up
source ../../lib.bash
v="v$ETCD_VERSION"
{
  printf 'module todo-chatbot.local/cluster/etcd\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n\nreplace (\n' "$v"
  curl -fsS "https://proxy.golang.org/go.etcd.io/etcd/server/v3/@v/$v.mod" |
    sed -n 's#^\t\(go.etcd.io/etcd/[a-z0-9/]*\) => \.\./.*#\t\1 => \1 '"$v"'#p'
  printf ')\n'
} >go.mod
rm -f go.sum
go get -tool "go.etcd.io/etcd/server/v3@$v"
