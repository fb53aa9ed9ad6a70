#!/usr/bin/env bash
# Installs every Debian package ndbucket needs to build, test and benchmark.
# Idempotent: asks apt-get only for what is missing, and prints nothing when all is present.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config git ca-certificates
  libcurl4-openssl-dev libssl-dev libhdf5-dev
  libzstd-dev liblz4-dev libbz2-dev zlib1g-dev liblzma-dev libblosc-dev
  libeigen3-dev nlohmann-json3-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev curl
  python3 python3-numpy python3-scipy python3-numcodecs python3-zarr python3-h5py python3-boto3 python3-botocore
  python3-dask python3-awscrt
  # fuzzing (libFuzzer) and LeakSanitizer runtimes
  clang-14 libclang-rt-14-dev
  # S3 test server of record: a one-node Ceph cluster with the RADOS gateway
  radosgw ceph-mon ceph-osd
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
