#!/bin/sh
# Render Todo Chatbot's nginx config from nginx.conf.template.
#
#   render.sh BACKEND_URL STATIC_DIR RUN_DIR [LISTEN_PORT]
#
# Writes RUN_DIR/nginx.conf (pid and temp files also go under RUN_DIR) and
# prints its path. Then: nginx -e stderr -c RUN_DIR/nginx.conf -g 'daemon off;'
#
#   BACKEND_URL  the backend's root, scheme://host[:port] (no path), e.g.
#                http://backend:8080 or http://127.0.0.1:3000
#   STATIC_DIR   the built web UI (index.html, assets/)
#   RUN_DIR      a writable folder for nginx.conf, the pid file and temp files
#   LISTEN_PORT  default 8080
#
# NGINX_TEMPLATE overrides the template's path (default: beside this script).
# Run as root (local tests), the workers run as root too, so they can read
# STATIC_DIR wherever it is; the image runs it as its unprivileged user.
# POSIX sh only: it runs in the image (busybox) and on Debian (dash).
set -eu

die() {
  echo "render.sh: $*" >&2
  exit 1
}

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  die "usage: render.sh BACKEND_URL STATIC_DIR RUN_DIR [LISTEN_PORT]"
fi
backend_url=$1
static_dir=$2
run_dir=$3
listen_port=${4:-8080}
template=${NGINX_TEMPLATE:-$(dirname "$0")/nginx.conf.template}

case $backend_url in
  http://* | https://*) ;;
  *) die "BACKEND_URL must start with http:// or https:// (got '$backend_url')" ;;
esac
scheme=${backend_url%%://*}
hostport=${backend_url#*://}
hostport=${hostport%/}
case $hostport in
  "" | */* | *[!A-Za-z0-9.:_\[\]-]*) die "BACKEND_URL must be scheme://host[:port] without a path (got '$backend_url')" ;;
esac
case $hostport in
  *\]:* | [!\[]*:*) ;; # has a port
  *) if [ "$scheme" = https ]; then hostport=$hostport:443; else hostport=$hostport:80; fi ;;
esac

case $listen_port in
  "" | *[!0-9]*) die "LISTEN_PORT must be a number (got '$listen_port')" ;;
esac
for dir in "$static_dir" "$run_dir"; do
  case $dir in
    /*) ;;
    *) die "'$dir' must be an absolute path" ;;
  esac
  case $dir in
    *[!A-Za-z0-9._/+@-]*) die "'$dir': only letters, digits and ._/+@- are allowed in paths" ;;
  esac
done
[ -f "$template" ] || die "no template at $template"

if [ "$(id -u)" = 0 ]; then
  user_line="user root root;"
else
  user_line=""
fi

mkdir -p "$run_dir"
# The values were checked above: none holds '|', '&', '\' or a newline.
sed -e "s|\${BACKEND_SCHEME}|$scheme|g" \
  -e "s|\${BACKEND_HOSTPORT}|$hostport|g" \
  -e "s|\${BACKEND_URL}|$scheme://$hostport|g" \
  -e "s|\${STATIC_DIR}|$static_dir|g" \
  -e "s|\${RUN_DIR}|$run_dir|g" \
  -e "s|\${LISTEN_PORT}|$listen_port|g" \
  -e "s|\${USER_LINE}|$user_line|g" \
  "$template" >"$run_dir/nginx.conf.tmp"
mv "$run_dir/nginx.conf.tmp" "$run_dir/nginx.conf"
echo "$run_dir/nginx.conf"
