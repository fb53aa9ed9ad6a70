#!/bin/sh
# Peak memory of loading an N-byte float64 array from a directory store, uncompressed and zstd,
# next to the Python way (cottoncandy's: read the whole body, then decode with numcodecs and
# numpy, through Debian's /usr/bin/python3). Each load runs in a fresh process.
# usage: bench/run_array_memory.sh [MIB]   (default 512)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
mib=${1:-512}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNDBUCKET_BUILD_BENCH=ON \
  -DNDBUCKET_BUILD_TESTS=OFF -DNDBUCKET_BUILD_TOOLS=OFF -DNDBUCKET_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" --target array_memory_bench -j "${JOBS:-2}" >/dev/null
bench="$build/bench/array/array_memory_bench"
printf '%-12s %10s %18s %18s %20s\n' compression "N MiB" "ndbucket +MiB" "python +MiB" "ndbucket over N MiB"
for compression in False Zstd; do
  "$bench" save "$work/$compression" "$mib" "$compression"
  set -- $("$bench" load "$work/$compression")
  n=$1 base=$2 peak=$3
  python_delta=$(/usr/bin/python3 - "$work/$compression/bench" "$compression" <<'PY'
import resource, sys
import numpy as np
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
body = open(sys.argv[1], "rb").read()
if sys.argv[2] != "False":
    import numcodecs
    body = numcodecs.Zstd().decode(body)
array = np.frombuffer(body, dtype="<f8")
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024)
PY
)
  delta=$(( (peak - base) / 1024 ))
  printf '%-12s %10d %18d %18d %20d\n' "$compression" $((n >> 20)) "$delta" "$python_delta" \
    $((delta - (n >> 20)))
done
