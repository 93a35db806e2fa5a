#!/bin/sh
# docker-entrypoint.sh of the cluster's stand-in for the official postgres
# image, keeping its contract: on an empty $PGDATA, initdb as POSTGRES_USER
# with POSTGRES_PASSWORD (scram-sha-256 over TCP), create POSTGRES_DB, run
# /docker-entrypoint-initdb.d/*.sh and *.sql; then exec postgres listening everywhere.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"

if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "error: database is uninitialized and POSTGRES_PASSWORD is not set" >&2
    exit 1
  fi
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  pwfile="$(mktemp)"
  printf '%s' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 -D "$PGDATA"
  rm -f "$pwfile"
  printf '\nhost all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
  if [ "$POSTGRES_DB" != postgres ]; then
    # psql interpolates :"db" (quoted as an identifier) only in its input.
    echo 'CREATE DATABASE :"db";' | psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" \
      --dbname postgres --set db="$POSTGRES_DB"
  fi
  # As the official image: *.sh run (sourced when not executable), *.sql
  # fed to psql, in name order; the server listens on its socket only.
  # (TODO_INITDB_DIR: elsewhere, for the chart test that runs this script.)
  for f in "${TODO_INITDB_DIR:-/docker-entrypoint-initdb.d}"/*; do
    case "$f" in
    *.sh)
      echo "running $f"
      if [ -x "$f" ]; then "$f"; else
        # shellcheck disable=SC1090
        . "$f"
      fi
      ;;
    *.sql)
      echo "running $f"
      psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -f "$f"
      ;;
    *) [ ! -e "$f" ] || echo "ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo "PostgreSQL init process complete; ready for start up."
fi

if [ "${1:-}" = postgres ]; then
  shift
  exec postgres -c listen_addresses='*' "$@"
fi
exec "$@"
