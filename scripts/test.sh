#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds ndbucket with warnings as errors and runs the whole
# test suite; then builds and runs it again under AddressSanitizer + UBSan.
# Exits non-zero if any step or any test fails.
#   NDBUCKET_SKIP_SANITIZE=1  skip the sanitizer pass
#   CTEST_ARGS="-L store"     ctest arguments for both passes (default: -LE large)
# The `large` label (codec inputs over 4 GiB, ~20 GB of RAM, many minutes) is a release check of
# its own: `ctest -L large` in a build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
jobs=$(nproc)

run_suite() {
  local build=$1; shift
  cmake -S . -B "$build" -DNDBUCKET_WERROR=ON "$@" >/dev/null
  cmake --build "$build" -j"$jobs"
  (cd "$build" && ctest --output-on-failure -j"$jobs" ${CTEST_ARGS:--LE large})
}

echo "== build and test (warnings are errors) =="
# -O2 without debug info: the suite builds in about two thirds of the time RelWithDebInfo takes.
run_suite build -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG"
if [[ "${NDBUCKET_SKIP_SANITIZE:-0}" != 1 ]]; then
  echo "== build and test under AddressSanitizer + UBSan =="
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DNDBUCKET_SANITIZE=ON
fi
echo "== all tests passed =="
