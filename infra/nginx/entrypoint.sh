#!/bin/sh
# The frontend image's entrypoint: render the nginx config into /tmp (the
# root filesystem may be read-only) from the environment, then run nginx in
# the foreground. Extra arguments go to nginx.
#   BACKEND_URL   default http://backend:8080
#   LISTEN_PORT   default 8080
set -eu
here=$(dirname "$0")
conf=$("$here/render.sh" "${BACKEND_URL:-http://backend:8080}" "${STATIC_DIR:-/usr/share/nginx/html}" \
  "${NGINX_RUN_DIR:-/tmp/nginx}" "${LISTEN_PORT:-8080}")
exec nginx -e stderr -c "$conf" -g 'daemon off;' "$@"
