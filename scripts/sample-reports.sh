#!/usr/bin/env bash
# Sample reports of the demo clinic: starts `kit serve --demo` on a throwaway data folder (the demo
# clinic, 30 synthetic patients, seeded through the API), then, while it runs, writes with
# `kit report` the patient letter of the demo patient DEMO-0001 and the clinic's outcomes for the
# past year, each as PDF (headless Chromium) and HTML, into the output folder; stops the server.
#   scripts/sample-reports.sh [--out DIR] [--kit PATH]    (default build/samples, build/release/cli/kit)
# scripts/test.sh runs it, so a test run leaves the samples in build/samples/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/build/samples"
kit="$root/build/release/cli/kit"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --kit) kit="$2"; shift 2 ;;
    *) echo "usage: $0 [--out DIR] [--kit PATH]" >&2; exit 2 ;;
  esac
done
[ -x "$kit" ] || { echo "sample-reports: no kit binary at $kit (build the kit target)" >&2; exit 1; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
password="sample-reports-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
KIT_DEMO_PASSWORD="$password" "$kit" serve --demo --data "$work/data" --listen "127.0.0.1:$port" \
  > "$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { echo "kit serve did not start" >&2; exit 1; }

# DEMO-0001's id, through the API as the physician.
token="$(curl -fsS -H 'Content-Type: application/json' -X POST "http://127.0.0.1:$port/api/v1/auth/login" \
  -d "{\"username\":\"physician\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
patient="$(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/patients?q=DEMO-0001" |
  python3 -c 'import json,sys; print(next(p["id"] for p in json.load(sys.stdin)["patients"] if p["mrn"] == "DEMO-0001"))')"
to="$(date -u +%F)"
from="$(date -u -d "$to - 365 days" +%F)"

for ext in pdf html; do
  "$kit" report patient "$patient" --data "$work/data" --out "$out/patient-report.$ext" >/dev/null
  "$kit" report clinic --from "$from" --to "$to" --data "$work/data" --out "$out/clinic-report.$ext" >/dev/null
done
echo "sample-reports: $out/{patient-report,clinic-report}.{pdf,html} (demo patient DEMO-0001; courses started $from to $to)"
