#!/usr/bin/env bash
# The web application's tests, after the C++ ones (scripts/test.sh): build it, run the unit tests
# (vitest: the quantity formatter, clinic time, the inquiry rules), then the browser specs
# (web/e2e: Playwright driving Debian's Chromium against a real `kit serve` on a fresh database,
# with axe on every screen and screenshots at 375, 768 and 1280 px in web/e2e/screenshots/).
# KIT_BINARY defaults to the release build's kit.
set -euo pipefail
cd "$(dirname "$0")/.."
export KIT_BINARY="${KIT_BINARY:-$PWD/build/release/cli/kit}"
if [ ! -x "$KIT_BINARY" ]; then
  echo "test-web: $KIT_BINARY is missing: build the kit target first" >&2
  exit 1
fi
if [ ! -x "${CHROME_PATH:-/usr/bin/chromium}" ]; then
  echo "test-web: ${CHROME_PATH:-/usr/bin/chromium} is missing: apt-get install chromium fonts-dejavu-core (scripts/install-deps.sh)" >&2
  exit 1
fi
bash scripts/build-web.sh
cd web
echo "== web: unit tests (vitest)"
npx vitest run
node e2e/bundle-size.mjs
echo "== web: browser tests (Chromium, axe, screenshots in web/e2e/screenshots/)"
node --test --test-concurrency=1 e2e/specs/
