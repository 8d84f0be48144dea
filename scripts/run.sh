#!/usr/bin/env bash
# The main job: install what is missing, build (release), and start the clinic server with the demo
# clinic on an embedded SQLite database in ./kit-data. The log prints where to log in and the demo
# password (or pass --demo-password PW). Stop with Ctrl-C (graceful).
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
