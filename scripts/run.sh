#!/usr/bin/env bash
# The main job: install what is missing, build (release) the server and the web application, and
# start the clinic server with the demo clinic on an embedded SQLite database in ./kit-data. The
# log prints the URL to open in a browser, the demo accounts and the demo password (a generated
# one, kept in ./kit-data/demo-password for the next start; or choose one with
# KIT_DEMO_PASSWORD=... or --demo-password-file FILE, never on the command line). Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys on absolute paths; a base directory lets fresh clones reuse each other's objects.
export CCACHE_BASEDIR="$PWD"
# The sanitizer build carries debug info, which ccache would otherwise key on the build folder.
export CCACHE_NOHASHDIR=1
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target kit
# The web application (web/dist), served by kit serve at the URL the log prints.
bash scripts/build-web.sh
exec ./build/release/cli/kit serve --demo "$@"
