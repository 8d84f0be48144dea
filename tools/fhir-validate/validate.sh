#!/usr/bin/env bash
# Validates FHIR R4 Bundle files with the fhir npm package (validate.js), installing it first from
# package-lock.json (npm ci) when node_modules is missing. Exit 0 when every file has 0 errors.
# Usage: bash tools/fhir-validate/validate.sh BUNDLE.json...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -f "$here/node_modules/fhir/package.json" ]; then
  # Two test processes may arrive together: one installs, the other waits.
  flock "$here/.npm-ci.lock" bash -c \
    "[ -f '$here/node_modules/fhir/package.json' ] || (cd '$here' && npm ci --no-audit --no-fund --silent)" >&2
fi
exec node "$here/validate.js" "$@"
