#!/usr/bin/env bash
# Region and whole reads of an N x N float32 Zarr array (default N = 16384: 1 GiB, chunks
# 1024 x 1024 = 4 MiB, blosc lz4 = zarr-python's default compressor), ndbucket next to
# zarr-python 2.13 (Debian's /usr/bin/python3) reading the same region of the same directory
# store. Columns: requests (GET/HEAD, zarr: store reads), bytes fetched (compressed), seconds
# (region: best of 3, open included; whole: one read).
# With RGW=1 the array is also written to a Ceph RGW bucket (servers started by
# tests/servers/s3_servers.sh on NDBUCKET_RGW_PORT) and read back by ndbucket.
# usage: [RGW=1] [BUILD_DIR=...] bench/run_chunked.sh [N]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
n=${1:-16384}
work=$(mktemp -d "${TMPDIR:-/tmp}/ndbucket-chunked-bench.XXXXXX")
cleanup() {
  if [[ -f $work/s3/servers.txt ]]; then "$root/tests/servers/s3_servers.sh" stop "$work/s3"; fi
  rm -rf "$work"
}
trap cleanup EXIT
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNDBUCKET_BUILD_TESTS=OFF \
    -DNDBUCKET_BUILD_TOOLS=OFF -DNDBUCKET_BUILD_EXAMPLES=OFF >/dev/null
fi
cmake -S "$root" -B "$build" -DNDBUCKET_BUILD_BENCH=ON >/dev/null
cmake --build "$build" --target chunked_bench -j "${JOBS:-2}" >/dev/null
bench="$build/bench/chunked/chunked_bench"

# 1% of the elements: a (n/10) x (n/10) box, not aligned to chunk boundaries.
side=$((n / 10))
r0=$((n * 3 / 10 + 123)) c0=$((n / 2 + 77))
region="$r0:$((r0 + side)),$c0:$((c0 + side))"

"$bench" write "$work/store" "$n" blosc
echo "array: $n x $n float32 ($(( n * n * 4 >> 20 )) MiB), chunks 1024 x 1024, blosc lz4; region [$region]"
printf '%-10s %-8s %-7s %9s %14s %9s\n' reader store case requests bytes seconds
print_rows() {  # print_rows STORE < "reader case requests bytes seconds" lines
  while read -r reader case requests bytes seconds; do
    printf '%-10s %-8s %-7s %9s %14s %9s\n' "$reader" "$1" "$case" "$requests" "$bytes" "$seconds"
  done
}
"$bench" read "$work/store" "$region" | print_rows FileStore
/usr/bin/python3 - "$work/store" "$region" <<'PY' | print_rows directory
import sys, time
import zarr

class Counting(zarr.storage.DirectoryStore):
    requests = 0
    nbytes = 0
    def __getitem__(self, key):
        value = super().__getitem__(key)
        Counting.requests += 1
        Counting.nbytes += len(value)
        return value

region = tuple(slice(*map(int, e.split(":"))) for e in sys.argv[2].split(","))
best = 1e30
for _ in range(3):
    Counting.requests = Counting.nbytes = 0
    start = time.perf_counter()
    z = zarr.open_array(store=Counting(sys.argv[1]), path="bench", mode="r")
    part = z[region]
    best = min(best, time.perf_counter() - start)
print("zarr-py", "region", Counting.requests, Counting.nbytes, "%.3f" % best)
Counting.requests = Counting.nbytes = 0
start = time.perf_counter()
whole = zarr.open_array(store=Counting(sys.argv[1]), path="bench", mode="r")[...]
print("zarr-py", "whole", Counting.requests, Counting.nbytes, "%.3f" % (time.perf_counter() - start))
PY

if [[ ${RGW:-0} == 1 ]]; then
  NDBUCKET_RGW_PORT=${NDBUCKET_RGW_PORT:-17480} NDBUCKET_MOTO_PORT=${NDBUCKET_MOTO_PORT:-14571} \
    "$root/tests/servers/s3_servers.sh" start "$work/s3" >/dev/null
  read -r _ endpoint access secret < <(grep '^rgw ' "$work/s3/servers.txt")
  AWS_ACCESS_KEY_ID=$access AWS_SECRET_ACCESS_KEY=$secret /usr/bin/python3 -c "
import boto3, sys
boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1').create_bucket(Bucket='chunked-bench')
" "$endpoint"
  url="s3://$access:$secret@chunked-bench?endpoint=$endpoint"
  "$bench" write "$url" "$n" blosc
  "$bench" read "$url" "$region" | print_rows RGW
fi
