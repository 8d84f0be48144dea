#!/usr/bin/env bash
# Request latency while kit serve runs scheduled backups, against the same server without them
# (docs/reliability.md, "Backups and the restore drill"). Seeds the demo clinic in a scratch
# folder, then for each mode runs kit serve (backups every 2 s, or none) and times GET /healthz
# (a database query) in a loop for 20 s on one keep-alive connection, loopback only.
#   scripts/measure-backup-latency.sh [path/to/kit]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kit="${1:-$root/build/release/cli/kit}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
port=18733
export KIT_DEMO_PASSWORD=measure-pass-2026
cat > "$work/lat.py" <<'PY'
import http.client, sys, time
port = int(sys.argv[1]); lat = []
end = time.monotonic() + 20
c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
while time.monotonic() < end:
    t = time.monotonic(); c.request("GET", "/healthz"); r = c.getresponse(); r.read()
    lat.append((time.monotonic() - t) * 1000)
lat.sort()
print("n=%d median=%.2f p99=%.2f max=%.2f ms" % (len(lat), lat[len(lat) // 2],
                                                 lat[int(len(lat) * 0.99)], lat[-1]))
PY
wait_up() { for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done; return 1; }
mkdir -p "$work/data" "$work/backups"
for mode in off on; do
  folder=""; [ "$mode" = on ] && folder="$work/backups"
  KIT_BACKUP_FOLDER="$folder" KIT_BACKUP_EVERY="every 2 seconds" KIT_BACKUP_KEEP=3 \
    "$kit" serve --demo --data "$work/data" --listen "127.0.0.1:$port" >"$work/log-$mode" 2>&1 &
  pid=$!
  wait_up
  echo "backups $mode: $(python3 "$work/lat.py" "$port")"
  kill "$pid"; wait "$pid" || true
  echo "  runs: $(grep -c 'backup written' "$work/log-$mode" || true)"
done
echo "load: $(uptime)"
