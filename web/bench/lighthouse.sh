#!/usr/bin/env bash
# Lighthouse (12.2.3, Debian's Chromium) on the public inquiry page and a signed-in screen (the
# nurse's chairs of the day), against a real `kit serve --demo` with the demo clinic on a fresh
# database. Prints the performance and accessibility scores and the gzip size of the JavaScript
# each screen ships. A benchmark, not a test: it never fails on a score.
#   bash web/bench/lighthouse.sh            (KIT_BINARY defaults to build/release/cli/kit)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
kit="${KIT_BINARY:-$root/build/release/cli/kit}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
[ -x "$kit" ] || { echo "lighthouse: $kit is missing: build the kit target" >&2; exit 1; }
[ -x "$CHROME_PATH" ] || { echo "lighthouse: $CHROME_PATH is missing (apt-get install chromium)" >&2; exit 1; }

bash "$root/scripts/build-web.sh" >/dev/null
cd "$here"
[ -x node_modules/.bin/lighthouse ] || npm ci --no-audit --no-fund --loglevel=error

work="$(mktemp -d /tmp/kit-lighthouse.XXXXXX)"
password="lighthouse-demo-$(date +%s)"
KIT_DEMO_PASSWORD="$password" "$kit" serve --data "$work/data" --listen 127.0.0.1:0 --demo \
  --web-dir "$root/web/dist" >"$work/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port=""
for _ in $(seq 1 300); do
  port="$(grep -o '"msg":"listening","port":[0-9]*' "$work/server.log" | grep -o '[0-9]*$' || true)"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "lighthouse: kit serve did not start:"; tail -20 "$work/server.log"; exit 1; }
base="http://127.0.0.1:$port"
token="$(curl -s -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"username\":\"nurse\",\"password\":\"$password\"}" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).token))')"

run() { # slug label url [extra headers json]
  local name="$1" label="$2" url="$3" headers="${4:-}"
  local args=("$url" --quiet --output=json --output-path="$work/$name.json"
    --only-categories=performance,accessibility,best-practices
    --chrome-flags="--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync")
  [ -n "$headers" ] && args+=(--extra-headers="$headers")
  node_modules/.bin/lighthouse "${args[@]}" >/dev/null 2>"$work/$name.err" || { echo "$label: lighthouse failed"; tail -5 "$work/$name.err"; return; }
  node -e '
    const r = require(process.argv[1]);
    const c = r.categories, s = (k) => (c[k] ? Math.round(c[k].score * 100) : "n/a");
    const js = r.audits["total-byte-weight"].details.items
      .filter((i) => /\.js(\?|$)/.test(i.url)).reduce((n, i) => n + i.totalBytes, 0);
    console.log(`${process.argv[2].padEnd(24)} performance ${s("performance")}  accessibility ${s("accessibility")}  best practices ${s("best-practices")}  JS transferred ${(js / 1024).toFixed(1)} KB  LCP ${r.audits["largest-contentful-paint"].displayValue}`);
  ' "$work/$name.json" "$label"
}

echo "Lighthouse 12.2.3 on $base (demo clinic)"
run public "public inquiry page /" "$base/"
run chairs "nurse: chairs /chairs" "$base/chairs" "{\"Cookie\":\"kit_session=$token\"}"
node "$root/web/e2e/bundle-size.mjs" || true
