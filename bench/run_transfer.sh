#!/usr/bin/env bash
# Transfers against Ceph RGW, ndbucket next to boto3 and the AWS CRT S3 client, same server, same
# run: get_many of 2,000 x 64 KiB objects, a 1 GiB ranged download into memory, a 1 GiB multipart
# upload. Prints wall seconds, throughput, client CPU seconds per GiB and peak RSS per client.
#
# usage: bench/run_transfer.sh [REPEATS]   (default 3; the best wall time of the repeats is shown,
#                                           with that run's CPU and RSS)
# RGW is started on 127.0.0.1:80 (awscrt 0.16 drops a port from the Host header), which needs
# root; set NDBUCKET_BENCH_RGW="ENDPOINT ACCESS_KEY SECRET_KEY" to use a running server instead.
# CONCURRENCY (default 8) is every client's number of parallel requests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
repeats=${1:-3}
concurrency=${CONCURRENCY:-8}
build=${BUILD_DIR:-$root/build-bench}
state=${TMPDIR:-/tmp}/ndbucket-bench-rgw

"$root/scripts/setup-debian.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNDBUCKET_BUILD_BENCH=ON \
  -DNDBUCKET_BUILD_TESTS=OFF -DNDBUCKET_BUILD_TOOLS=OFF -DNDBUCKET_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" --target transfer_bench -j "${JOBS:-2}" >/dev/null

if [[ -n ${NDBUCKET_BENCH_RGW:-} ]]; then
  read -r endpoint access secret <<<"$NDBUCKET_BENCH_RGW"
else
  # 12 GiB of memstore (allocated as used): the 1 GiB source, and removed uploads until RGW's
  # garbage collector (every 30 s) frees them.
  read -r endpoint access secret < <(MEMSTORE_BYTES=$((12 << 30)) \
    "$root/tests/servers/rgw.sh" start "$state" 80)
  trap '"$root/tests/servers/rgw.sh" stop "$state"' EXIT
fi
bucket="ndb-bench-$$"
cpp="$build/bench/transfer/transfer_bench"
py="$root/bench/transfer/transfer_python.py"
"$cpp" "$endpoint" "$access" "$secret" "$bucket" setup "$concurrency"

results=$(mktemp)
run() {  # CLIENT OP
  case $1 in
    ndbucket) "$cpp" "$endpoint" "$access" "$secret" "$bucket" "$2" "$concurrency" ;;
    ndbucket-unsigned) "$cpp" "$endpoint" "$access" "$secret" "$bucket" "$2" "$concurrency" unsigned ;;
    boto3) python3 "$py" boto3 "$2" "$endpoint" "$access" "$secret" "$bucket" "$concurrency" ;;
    crt) /usr/bin/python3 "$py" crt "$2" "$endpoint" "$access" "$secret" "$bucket" "$concurrency" ;;
  esac
}
for _ in $(seq "$repeats"); do
  for op in get_many download upload; do
    for client in ndbucket ndbucket-unsigned boto3 crt; do
      run "$client" "$op" >>"$results"
      [[ $op == upload ]] && "$cpp" "$endpoint" "$access" "$secret" "$bucket" cleanup
    done
  done
done

/usr/bin/python3 - "$results" "$repeats" "$concurrency" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
best = {}
for row in rows:
    key = (row["op"], row["client"])
    if key not in best or row["seconds"] < best[key]["seconds"]:
        best[key] = row
labels = {"get_many": "get_many 2,000 x 64 KiB", "download": "ranged download 1 GiB",
          "upload": "multipart upload 1 GiB"}
print(f"\nRGW on 127.0.0.1, concurrency {sys.argv[3]}, best wall time of {sys.argv[2]} runs")
print(f"{'operation':<26}{'client':<19}{'wall s':>8}{'MiB/s':>9}{'CPU s/GiB':>11}{'peak RSS MiB':>14}")
for op in ("get_many", "download", "upload"):
    for client in ("ndbucket", "ndbucket-unsigned", "boto3", "crt"):
        row = best.get((op, client))
        if not row:
            continue
        gib = row["bytes"] / (1 << 30)
        print(f"{labels[op]:<26}{client:<19}{row['seconds']:>8.2f}"
              f"{row['bytes'] / (1 << 20) / row['seconds']:>9.0f}"
              f"{row['cpu_seconds'] / gib:>11.2f}{row['peak_rss_mib']:>14.0f}")
PY
rm -f "$results"
