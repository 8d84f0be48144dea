#!/usr/bin/env bash
# The main job: install what is missing, build (release), and run the KIT demonstration.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target kit
exec ./build/release/cli/kit demo "$@"
