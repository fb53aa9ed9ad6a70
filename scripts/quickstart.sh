#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds ndbucket and runs the quickstart example on a local
# directory store (./quickstart-store). No server needed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
build=${NDBUCKET_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target quickstart ndbucket_cli -j"$(nproc)"
"$build/examples/quickstart" "${1:-quickstart-store}"
