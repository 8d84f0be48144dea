#!/usr/bin/env bash
# Crash consistency, the long run: `kit serve` killed with SIGKILL at random moments under a load of
# clinic writes, restarted and checked, N times (tests/api/test_crash_consistency.py; results in
# docs/reliability.md, "Crash consistency"). CI runs the same test with 8 cycles per back end.
#
#   scripts/crash-test.sh [--backend sqlite|postgresql] [--cycles N] [--seed S] [--binary PATH]
#
# Defaults: sqlite, 100 cycles, a seed from the clock (printed), build/release/cli/kit. With
# --backend postgresql and no KIT_TEST_POSTGRES_URL in the environment, a throwaway cluster is
# started (scripts/start-postgres.sh) and purged afterwards. The last line of the output is the
# totals as JSON (acknowledged writes, lost, duplicated, retried, audit rows missing, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
backend=sqlite
cycles=100
seed=""
binary="$root/build/release/cli/kit"
while [ $# -gt 0 ]; do
  case "$1" in
    --backend) backend=$2; shift 2 ;;
    --cycles) cycles=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "crash-test: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$backend" in sqlite|postgresql) ;; *) echo "crash-test: --backend sqlite|postgresql" >&2; exit 2 ;; esac
case "$cycles" in ''|*[!0-9]*) echo "crash-test: --cycles takes a positive number" >&2; exit 2 ;; esac
[ -x "$binary" ] || { echo "crash-test: no kit binary at $binary (build the kit target)" >&2; exit 2; }

if [ "$backend" = postgresql ] && [ -z "${KIT_TEST_POSTGRES_URL:-}" ]; then
  pg_dir=$(mktemp -d /tmp/kit-pg-crash.XXXXXX)
  trap 'bash scripts/stop-postgres.sh "$pg_dir" --purge >/dev/null 2>&1 || true' EXIT
  pg_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  KIT_TEST_POSTGRES_URL=$(bash scripts/start-postgres.sh "$pg_dir" "$pg_port" | tail -n 1)
  export KIT_TEST_POSTGRES_URL
fi
export KIT_BINARY="$binary" KIT_TEST_BACKEND="$backend" KIT_CRASH_CYCLES="$cycles"
[ -n "$seed" ] && export KIT_CRASH_SEED="$seed"
cd tests/api
/usr/bin/python3 -m unittest -v test_crash_consistency.CrashConsistencyTest 2>&1 | tee /dev/stderr |
  grep '^crash consistency totals: ' | sed 's/^crash consistency totals: //'
exit "${PIPESTATUS[0]}"
