#!/usr/bin/env bash
# The main job: install what is missing, build (release), and start the clinic server with the demo
# clinic on an embedded SQLite database in ./kit-data. The log prints where to log in, the demo
# accounts and the demo password (a generated one, kept in ./kit-data/demo-password for the next
# start; or choose one with KIT_DEMO_PASSWORD=... or --demo-password-file FILE, never on the
# command line). Stop with Ctrl-C (graceful).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys on absolute paths; a base directory lets fresh clones reuse each other's objects.
export CCACHE_BASEDIR="$PWD"
# The sanitizer build carries debug info, which ccache would otherwise key on the build folder.
export CCACHE_NOHASHDIR=1
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target kit
exec ./build/release/cli/kit serve --demo "$@"
