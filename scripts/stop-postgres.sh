#!/usr/bin/env bash
# Stops the throwaway cluster started by scripts/start-postgres.sh.
#   scripts/stop-postgres.sh [DIR] [--purge]     (--purge also deletes DIR)
set -euo pipefail
dir=${KIT_PG_DIR:-/tmp/kit-pg}
purge=0
for a in "$@"; do
  case "$a" in
    --purge) purge=1 ;;
    *) dir=$a ;;
  esac
done
data="$dir/data"
bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/pg_ctl" ]; then
  bindir=$(pg_config --bindir)
else
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/pg_ctl" ]; then bindir=$d; break; fi
  done
fi
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
if [ -n "$bindir" ] && [ -f "$data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  echo "stop-postgres: stopped the cluster in $data" >&2
else
  echo "stop-postgres: no cluster running in $data" >&2
fi
if [ "$purge" -eq 1 ] && [ -d "$dir" ]; then
  rm -rf -- "$dir"
  echo "stop-postgres: removed $dir" >&2
fi
