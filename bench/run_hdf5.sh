#!/bin/sh
# Importing an HDF5 file (several chunked datasets, 1 GiB by default) into a Zarr tree:
# `ndbucket h5 import` next to the Python way (h5py + zarr-python 2.x, zarr.copy_all: dataset by
# dataset in chunk rows, source chunks kept), both with zarr's default compressor (blosc lz4),
# into a directory store and, with RGW=1, into Ceph RGW (tests/servers/s3_servers.sh; Python
# through a boto3-backed zarr store). Wall seconds and peak RSS from /usr/bin/time -v.
# MEMCHECK=1 also imports one 4 GiB dataset and prints its peak RSS (the < 512 MiB target).
# usage: bench/run_hdf5.sh [GIB]   (default 1; env RGW=1, MEMCHECK=1, BUILD_DIR, JOBS)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
gib=${1:-1}
work=${WORK_DIR:-$(mktemp -d)}
mkdir -p "$work"
servers=""
cleanup() {
  if [ -n "$servers" ]; then "$root/tests/servers/s3_servers.sh" stop "$servers" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
if [ -z "${BUILD_DIR:-}" ]; then  # a given BUILD_DIR is used as configured
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNDBUCKET_BUILD_TESTS=OFF \
    -DNDBUCKET_BUILD_EXAMPLES=OFF >/dev/null
fi
cmake --build "$build" --target ndbucket_cli -j "${JOBS:-2}" >/dev/null
nb="$build/tools/ndbucket"
py=/usr/bin/python3

# Four chunked datasets of gib/4 GiB each: float32 frames, float64 signals, int16 labels (gzip,
# as HDF5 users often store them) and uint8 volumes in a subgroup; smooth data plus noise so
# compressors have something to do. Written piece by piece to keep the generator small.
make_file() {  # FILE GIB [single]
  $py - "$1" "$2" "${3:-}" <<'PY'
import sys, h5py, numpy as np
path, gib, single = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "single"
rng = np.random.default_rng(1)
quarter = int(gib * (1 << 30)) // (1 if single else 4)
def fill(ds, rows_per_piece):
    for start in range(0, ds.shape[0], rows_per_piece):
        shape = (min(rows_per_piece, ds.shape[0] - start),) + ds.shape[1:]
        base = np.sin(np.linspace(0, 20, int(np.prod(shape)))).reshape(shape) * 100
        noise = rng.standard_normal(shape)
        ds[start:start + shape[0]] = (base + noise).astype(ds.dtype)
with h5py.File(path, "w") as f:
    n = quarter // (256 * 256 * 4)
    fill(f.create_dataset("movie", (n, 256, 256), "f4", chunks=(8, 256, 256)), 64)
    if single:
        sys.exit(0)
    fill(f.create_dataset("signals", (quarter // (4096 * 8), 4096), "f8", chunks=(256, 512)), 2048)
    fill(f.create_dataset("labels", (quarter // (8192 * 2), 8192), "i2", chunks=(1024, 1024),
                          compression="gzip", compression_opts=1), 2048)
    planes = quarter // (512 * 1024)
    fill(f.create_dataset("scans/volume", (planes, 512, 1024), "u1",
                          chunks=(min(64, planes), 64, 128)), 64)
    f.attrs["description"] = "ndbucket hdf5 benchmark"
PY
}

# measure LABEL CMD...: prints "LABEL seconds peak-MiB".
measure() {
  label=$1; shift
  /usr/bin/time -v "$@" >"$work/out" 2>"$work/time" || { cat "$work/out" "$work/time" >&2; exit 1; }
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time" |
         awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
  printf '%-34s %10.1f %14d\n' "$label" "$wall" $((rss / 1024))
}

# The Python way: h5_to_zarr.py FILE DEST_DIR | h5_to_zarr.py FILE s3 ENDPOINT AK SK BUCKET
cat >"$work/h5_to_zarr.py" <<'PY'
import sys, h5py, zarr
src = h5py.File(sys.argv[1], "r")
if sys.argv[2] == "s3":
    import boto3
    from collections.abc import MutableMapping
    endpoint, ak, sk, bucket = sys.argv[3:7]
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ak,
                          aws_secret_access_key=sk, region_name="us-east-1")
    class S3Map(MutableMapping):  # the smallest zarr store over boto3 (no s3fs on Debian)
        def __getitem__(self, key):
            try:
                return client.get_object(Bucket=bucket, Key="py/" + key)["Body"].read()
            except client.exceptions.NoSuchKey:
                raise KeyError(key)
        def __setitem__(self, key, value):
            client.put_object(Bucket=bucket, Key="py/" + key, Body=bytes(value))
        def __delitem__(self, key):
            client.delete_object(Bucket=bucket, Key="py/" + key)
        def __iter__(self):
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="py/"):
                for item in page.get("Contents", []):
                    yield item["Key"][3:]
        def __len__(self):
            return sum(1 for _ in self)
    dest = zarr.group(store=S3Map())
else:
    dest = zarr.open_group(sys.argv[2], mode="w")
zarr.copy_all(src, dest)
zarr.consolidate_metadata(dest.store)
PY

file="$work/bench.h5"
make_file "$file" "$gib"
echo "HDF5 file: $(du -m "$file" | cut -f1) MiB on disk, $gib GiB of elements, 4 chunked datasets"
printf '%-34s %10s %14s\n' "import into" "seconds" "peak RSS MiB"
measure "ndbucket h5 import -> directory" "$nb" h5 import "$file" "$work/nb" --quiet
measure "h5py + zarr.copy_all -> directory" $py "$work/h5_to_zarr.py" "$file" "$work/py"
echo "stored: ndbucket $(du -sm "$work/nb" | cut -f1) MiB, zarr-python $(du -sm "$work/py" | cut -f1) MiB"
rm -rf "$work/nb" "$work/py"

if [ "${RGW:-0}" = 1 ]; then
  servers="$work/s3"
  "$root/tests/servers/s3_servers.sh" start "$servers" >/dev/null
  read -r _ endpoint ak sk <<EOF2
$(grep '^rgw ' "$servers/servers.txt")
EOF2
  $py -c "import boto3,sys; boto3.client('s3', endpoint_url='$endpoint', aws_access_key_id='$ak', aws_secret_access_key='$sk', region_name='us-east-1').create_bucket(Bucket='bench')"
  export AWS_ACCESS_KEY_ID="$ak" AWS_SECRET_ACCESS_KEY="$sk" AWS_REGION=us-east-1
  measure "ndbucket h5 import -> RGW" "$nb" h5 import "$file" "s3://bench/nb?endpoint=$endpoint" --quiet
  measure "h5py + zarr.copy_all -> RGW" $py "$work/h5_to_zarr.py" "$file" s3 "$endpoint" "$ak" "$sk" bench
fi

if [ "${MEMCHECK:-0}" = 1 ]; then
  rm -f "$file"
  make_file "$file" 4 single
  measure "ndbucket 4 GiB dataset -> dir" "$nb" h5 import "$file" "$work/nb4" --quiet
fi
