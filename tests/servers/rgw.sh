#!/usr/bin/env bash
# A one-node Ceph cluster (monitor + in-memory OSD) and the RADOS gateway on 127.0.0.1, the S3
# server of record for the tests: it checks every signature.
#   rgw.sh start DIR PORT   prints "ENDPOINT ACCESS_KEY SECRET_KEY" once the gateway answers
#   rgw.sh stop DIR         stops the daemons by their pid files
# Needs Debian's radosgw, ceph-mon and ceph-osd (scripts/setup-debian.sh installs them).
set -euo pipefail
action=${1:?start or stop}
dir=${2:?state directory}

stop() {
  for daemon in client.rgw.gw osd.0 mon.a; do
    pidfile="$dir/run/$daemon.pid"
    [[ -f $pidfile ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  for daemon in client.rgw.gw osd.0 mon.a; do
    pidfile="$dir/run/$daemon.pid"
    for _ in $(seq 50); do
      [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null || break
      sleep 0.2
    done
  done
}

if [[ $action == stop ]]; then
  stop
  exit 0
fi

port=${3:?port}
mon_port=${RGW_MON_PORT:-$((port + 5000))}
access_key=${RGW_ACCESS_KEY:-NDBUCKETTESTKEY}
secret_key=${RGW_SECRET_KEY:-ndbucket-test-secret}
rm -rf "$dir"
mkdir -p "$dir"/{mon.a,osd.0,run,log,rgw}
fsid=$(cat /proc/sys/kernel/random/uuid)

# Without "crc" messenger modes next to "auth ... = none" the gateway never reaches the monitor.
# The OSD keeps objects in memory (memstore), one replica, so tests keep their data small.
cat >"$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
public addr = 127.0.0.1
public network = 127.0.0.0/8
ms bind ipv4 = true
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
ms client mode = crc
ms cluster mode = crc
ms service mode = crc
ms mon client mode = crc
ms mon cluster mode = crc
ms mon service mode = crc
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon max pg per osd = 1000
osd crush chooseleaf type = 0
mon warn on pool no redundancy = false
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
mon data = $dir/\$name
osd data = $dir/\$name
osd objectstore = memstore
memstore device bytes = ${MEMSTORE_BYTES:-3221225472}
[client.rgw.gw]
rgw frontends = beast endpoint=127.0.0.1:$port tcp_nodelay=1
rgw data = $dir/rgw
# Deleted objects wait for garbage collection (2 h by default) and fill the in-memory OSD
# meanwhile; collect them within a minute so a long test run keeps its memory.
rgw gc obj min wait = 30
rgw gc processor period = 30
CONF

conf=(-c "$dir/ceph.conf")
trap 'stop' ERR
monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$dir/monmap" >/dev/null
ceph-mon "${conf[@]}" --mkfs -i a --monmap "$dir/monmap"
ceph-mon "${conf[@]}" -i a
ceph "${conf[@]}" osd create >/dev/null
ceph-osd "${conf[@]}" -i 0 --mkfs 2>/dev/null
ceph "${conf[@]}" osd crush add osd.0 1.0 host=localhost root=default >/dev/null 2>&1
ceph-osd "${conf[@]}" -i 0 2>/dev/null
radosgw "${conf[@]}" -n client.rgw.gw --no-mon-config
for _ in $(seq 240); do
  curl -s -o /dev/null -m 2 "http://127.0.0.1:$port/" && break
  # A gateway that exited (a port taken, a bad setting) will not answer: say why at once.
  if [[ -f $dir/run/client.rgw.gw.pid ]] && ! kill -0 "$(cat "$dir/run/client.rgw.gw.pid")" 2>/dev/null; then
    echo "radosgw exited:" >&2
    grep -E "ERROR|failed" "$dir/log/client.rgw.gw.log" | tail -5 >&2
    stop
    exit 1
  fi
  sleep 0.5
done
curl -s -o /dev/null -m 2 "http://127.0.0.1:$port/" || { echo "radosgw did not answer on port $port" >&2; stop; exit 1; }
radosgw-admin "${conf[@]}" --no-mon-config user create --uid=ndbucket --display-name=ndbucket \
  --access-key="$access_key" --secret="$secret_key" >/dev/null
echo "http://127.0.0.1:$port $access_key $secret_key"
