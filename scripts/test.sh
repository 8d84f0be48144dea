#!/usr/bin/env bash
# Every test: install what is missing, start a throwaway PostgreSQL for the storage and API tests,
# build and run the suite optimised, then again under AddressSanitizer + UndefinedBehaviorSanitizer,
# then every fuzz target briefly (scripts/fuzz.sh --ci), then the web application's unit and
# browser tests (scripts/test-web.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys on absolute paths; a base directory lets fresh clones reuse each other's objects.
export CCACHE_BASEDIR="$PWD"
# The sanitizer build carries debug info, which ccache would otherwise key on the build folder.
export CCACHE_NOHASHDIR=1
bash scripts/install-deps.sh

pg_dir=$(mktemp -d /tmp/kit-pg-test.XXXXXX)
trap 'bash scripts/stop-postgres.sh "$pg_dir" --purge >/dev/null 2>&1 || true' EXIT
pg_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
KIT_TEST_POSTGRES_URL=$(bash scripts/start-postgres.sh "$pg_dir" "$pg_port" | tail -n 1)
export KIT_TEST_POSTGRES_URL
echo "== PostgreSQL for the tests: $KIT_TEST_POSTGRES_URL"

jobs=$(nproc)
for preset in release asan; do
  echo "== ${preset}: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== ${preset}: test"
  ctest --preset "$preset"
done

# Sample reports of the demo clinic (PDF and HTML) into build/samples/ (docs/reports.md).
bash scripts/sample-reports.sh --out build/samples

# Every fuzz target briefly, built with clang (scripts/fuzz.sh, docs/adr/0017-fuzzing.md).
bash scripts/fuzz.sh --ci

# The web application: unit tests, then the browser specs against the release build's kit serve
# (a separate step, not a CTest test: it needs Node.js and Chromium, and runs once, not per preset).
echo "== web: build and test"
bash scripts/test-web.sh
