#!/usr/bin/env bash
# The clinic server under load (docs/performance.md, "Clinic server under load"): starts
# `kit serve --demo` on a fresh data folder, measures start-up, runs the clinic mix with wrk beside
# the /healthz peer, then again with 1,000 idle or slow connections held open, and prints a table
# (with the wrk command lines and the load average of the machine at each figure).
#
#   bench/load/run.sh [--kit build/release/cli/kit] [--duration 15] [--connections 32]
#                     [--idle 1000] [--database postgresql://...] [--keep]
#                     [--perf FILE] [--serve-arg=--workers=32]
# It prints the server's CPU seconds per 1,000 requests of each phase (/proc/PID/stat); --perf
# records a `perf record` profile of kit serve during the first mix phase (needs perf).
#
# Needs wrk (installed here with apt-get if missing: a benchmark tool, not a build or CI need).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (apt-get)" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y wrk >/dev/null; else sudo apt-get install -y wrk >/dev/null; fi
fi
exec python3 "$here/load.py" "$@"
