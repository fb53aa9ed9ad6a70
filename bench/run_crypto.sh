#!/bin/sh
# Builds the encryption benchmark in Release mode and prints put/get throughput of
# EncryptedStore(MemoryStore) next to the plain MemoryStore, on one thread and on every core.
# usage: bench/run_crypto.sh [--size-mib N] [--min-seconds S] [--threads T]
# BUILD_DIR (default build-bench) and JOBS (default 2) select the build directory and parallelism.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNDBUCKET_BUILD_BENCH=ON \
  -DNDBUCKET_BUILD_TESTS=OFF -DNDBUCKET_BUILD_TOOLS=OFF -DNDBUCKET_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" --target crypto_bench -j "${JOBS:-2}" >/dev/null
exec "$build/bench/crypto/crypto_bench" "$@"
