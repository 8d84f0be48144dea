#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the storage and API tests, and prints its URL on the
# last line of stdout:  postgresql://kit:kit@127.0.0.1:55432/kit_test
#
#   scripts/start-postgres.sh [DIR] [PORT]      (defaults /tmp/kit-pg and 55432)
#   KIT_PG_DIR, KIT_PG_PORT, KIT_PG_USER, KIT_PG_PASSWORD, KIT_PG_DB override the defaults.
#
# Idempotent: a second run finds the cluster initialised and running and prints the same URL. As root
# (CI containers) the cluster runs as the `postgres` user (initdb refuses root); as anyone else it runs
# as the caller. Needs the Debian `postgresql` package (server binaries in /usr/lib/postgresql/N/bin).
# Stop it with scripts/stop-postgres.sh [DIR] [--purge].
set -euo pipefail

dir=${1:-${KIT_PG_DIR:-/tmp/kit-pg}}
port=${2:-${KIT_PG_PORT:-55432}}
user=${KIT_PG_USER:-kit}
password=${KIT_PG_PASSWORD:-kit}
db=${KIT_PG_DB:-kit_test}
data="$dir/data"

log() { echo "start-postgres: $*" >&2; }

bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
  bindir=$(pg_config --bindir)
else
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then bindir=$d; break; fi
  done
fi
if [ -z "$bindir" ]; then
  log "no PostgreSQL server binaries found (apt-get install postgresql)"
  exit 1
fi

owner=$(id -un)
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}
if [ "$(id -u)" -eq 0 ]; then owner=postgres; fi

mkdir -p "$dir"
if [ "$(id -u)" -eq 0 ]; then
  chown "$owner" "$dir"
  chmod 0755 "$dir"
fi

if [ ! -f "$data/PG_VERSION" ]; then
  log "initialising a cluster in $data"
  as_owner "$bindir/initdb" -D "$data" -U postgres -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
fi

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  port=$(cat "$dir/port")
  log "already running on 127.0.0.1:$port"
else
  # A free port: the requested one, or the next free one above it.
  for _ in $(seq 1 100); do
    port_busy "$port" || break
    log "port $port is in use, trying $((port + 1))"
    port=$((port + 1))
  done
  echo "$port" >"$dir/port"
  log "starting on 127.0.0.1:$port (log $dir/server.log)"
  as_owner "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null || {
    tail -n 30 "$dir/server.log" >&2 || true
    exit 1
  }
fi

psql_admin() { as_owner "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" != "1" ]; then
  log "creating role $user"
  psql_admin -c "CREATE ROLE \"$user\" LOGIN PASSWORD '$password'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
  log "creating database $db"
  psql_admin -c "CREATE DATABASE \"$db\" OWNER \"$user\""
fi

echo "postgresql://$user:$password@127.0.0.1:$port/$db"
