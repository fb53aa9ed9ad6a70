#!/usr/bin/env bash
# Starts (or stops) every S3 server the tests run against, on 127.0.0.1:
#   s3_servers.sh start DIR   writes DIR/servers.txt, one "NAME ENDPOINT ACCESS_KEY SECRET_KEY"
#                             line per server; exits non-zero if any server fails to start
#   s3_servers.sh stop DIR
# Ports: the first free ones from NDBUCKET_RGW_PORT (17480) and NDBUCKET_MOTO_PORT (14571).
set -euo pipefail
action=${1:?start or stop}
dir=${2:?state directory}
here=$(cd "$(dirname "$0")" && pwd)

# The first port from $1 on that nothing listens on (and its +5000 twin, RGW's monitor, too).
# Ports stay below 32768, out of Linux's range for outgoing connections.
free_port() {
  local port=$1
  while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null ||
    (exec 3<>/dev/tcp/127.0.0.1/$((port + 5000))) 2>/dev/null; do
    port=$((port + 1))
  done
  echo "$port"
}

if [[ $action == stop ]]; then
  "$here/rgw.sh" stop "$dir/rgw" || true
  "$here/moto.sh" stop "$dir/moto" || true
  rm -f "$dir/servers.txt"
  exit 0
fi

mkdir -p "$dir"
rm -f "$dir/servers.txt"
# Leftovers of an interrupted run would hold the ports.
"$here/rgw.sh" stop "$dir/rgw" 2>/dev/null || true
"$here/moto.sh" stop "$dir/moto" 2>/dev/null || true
rgw_port=$(free_port "${NDBUCKET_RGW_PORT:-17480}")
moto_port=$(free_port "${NDBUCKET_MOTO_PORT:-14571}")

# Both in parallel: RGW takes ~12 s to come up, moto ~3 s.
"$here/rgw.sh" start "$dir/rgw" "$rgw_port" >"$dir/rgw.out" 2>"$dir/rgw.err" &
rgw_pid=$!
"$here/moto.sh" start "$dir/moto" "$moto_port" >"$dir/moto.out" 2>"$dir/moto.err" &
moto_pid=$!
failed=0
wait $rgw_pid || { echo "Ceph RGW failed to start:" >&2; cat "$dir/rgw.err" >&2; failed=1; }
wait $moto_pid || { echo "moto failed to start:" >&2; cat "$dir/moto.err" >&2; failed=1; }
if [[ $failed -ne 0 ]]; then
  "$0" stop "$dir"
  exit 1
fi
{
  echo "rgw $(cat "$dir/rgw.out")"
  echo "moto $(cat "$dir/moto.out")"
} >"$dir/servers.txt"
cat "$dir/servers.txt"
