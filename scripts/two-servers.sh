#!/usr/bin/env bash
# Two kit serve processes on one throwaway PostgreSQL, behind nginx terminating TLS
# (deploy/nginx/kit.conf, a self-signed certificate made for the run), under concurrent booking,
# dosing, If-Match edits and stock movements for N seconds; then every invariant is checked
# (tests/api/test_two_servers_tls.py) and the figures are printed as JSON.
#
#   scripts/two-servers.sh [--seconds N] [--report FILE] [--kit PATH]
#
# Defaults: 120 seconds, the report in /tmp/kit-two-servers.json, build/release/cli/kit. The short
# run (12 s) is part of the API suite (ctest api_postgresql_two_servers_tls). Traffic stays on
# loopback addresses (nginx and kit on 127.0.0.1, clients from 127.0.0.2 and 127.0.0.3).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=120
report=/tmp/kit-two-servers.json
kit="$PWD/build/release/cli/kit"
while (($#)); do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --report) report=$2; shift 2 ;;
    --kit) kit=$2; shift 2 ;;
    -h|--help) sed -n 2,11p "$0"; exit 0 ;;
    *) echo "two-servers.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds < 1 || seconds > 86400)); then
  echo "two-servers.sh: --seconds must be a whole number of seconds, 1..86400" >&2
  exit 2
fi
[ -x "$kit" ] || { echo "two-servers.sh: no kit binary at $kit (build the kit target)" >&2; exit 2; }
for tool in nginx openssl psql; do
  command -v "$tool" >/dev/null || { echo "two-servers.sh: $tool missing (scripts/install-deps.sh)" >&2; exit 2; }
done

pg_dir=$(mktemp -d /tmp/kit-pg-two.XXXXXX)
trap 'bash scripts/stop-postgres.sh "$pg_dir" --purge >/dev/null 2>&1 || true' EXIT
pg_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=$(bash scripts/start-postgres.sh "$pg_dir" "$pg_port" 2>/dev/null | tail -n 1)
echo "== two servers behind TLS for ${seconds} s (PostgreSQL $url)"
cd tests/api
KIT_BINARY="$kit" KIT_TEST_BACKEND=postgresql KIT_TEST_POSTGRES_URL="$url" \
  KIT_TWO_SERVERS_SECONDS="$seconds" KIT_TWO_SERVERS_REPORT="$report" PYTHONDONTWRITEBYTECODE=1 \
  /usr/bin/python3 -m unittest -v \
  test_two_servers_tls.TwoServersBehindTlsTest.test_concurrent_load_through_the_proxy_keeps_every_invariant
echo "== report ($report), $(date -u +%Y-%m-%dT%H:%MZ), load: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$report"
