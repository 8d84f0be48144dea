#!/usr/bin/env bash
# Builds the web application into web/dist (what `kit serve` serves by default): the npm packages
# exactly as web/package-lock.json records them, then the TypeScript check and the Vite build.
# Needs Node.js >= 20.19 and npm (the machine's; Debian's own nodejs 18 is too old for Vite 8).
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v node >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "build-web: Node.js >= 20.19 is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
# npm ci only when the lock file changed since the last install (it wipes node_modules).
stamp=node_modules/.kit-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
npm run build --silent
