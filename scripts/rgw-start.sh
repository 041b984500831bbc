#!/usr/bin/env bash
# Runs a throw-away S3 server for tests: a one-node Ceph cluster (a monitor and one OSD that keeps its data
# in memory, no manager) with a radosgw gateway in front. Everything listens on 127.0.0.1 and every file
# (config, pid files, logs, monitor store) lives under DIR, which is wiped first.
#
#   usage: scripts/rgw-start.sh DIR PORT [MON_PORT] [OSD_PORT_MIN]
#     PORT          S3 port of the gateway
#     MON_PORT      monitor port (default 3300); pick a free one when runs may overlap
#     OSD_PORT_MIN  first of the 16 ports the OSD may bind (default 6800)
#   environment:
#     RGW_ACCESS_KEY / RGW_SECRET_KEY   test user's keys (default AKIATEST / SECRETTEST)
#     RGW_MEMSTORE_BYTES                the OSD's capacity (default 1 GiB; it is RAM)
#     RGW_OWNER_PID                     stop everything (and wipe DIR) once this process is gone, so a
#                                       crashed test run leaves no daemons behind
#
# Prints "rgw ready on http://127.0.0.1:PORT" once S3 answers and the user exists. Stop with scripts/rgw-stop.sh DIR.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 DIR PORT [MON_PORT] [OSD_PORT_MIN]" >&2
  exit 2
fi
for tool in ceph-mon ceph-osd radosgw radosgw-admin ceph-authtool monmaptool ceph; do
  command -v "$tool" >/dev/null || { echo "rgw-start: $tool is missing; run scripts/setup.sh storage" >&2; exit 3; }
done

dir=$(realpath -m "$1")
port=$2
mon_port=${3:-3300}
osd_min=${4:-6800}
osd_max=$((osd_min + 15))
access_key=${RGW_ACCESS_KEY:-AKIATEST}
secret_key=${RGW_SECRET_KEY:-SECRETTEST}
capacity=${RGW_MEMSTORE_BYTES:-1073741824}

rm -rf "$dir"
mkdir -p "$dir/mon-a" "$dir/osd-0" "$dir/run" "$dir/log"
fsid=$(cat /proc/sys/kernel/random/uuid)
conf="$dir/ceph.conf"

# Facts this configuration depends on:
# - with authentication off, daemons must still agree on the crc wire mode, otherwise radosgw waits for
#   minutes on its first monitor session (get_initial_auth_request returned -13);
# - "cluster addr" keeps the OSD's cluster-side sockets on loopback instead of every interface;
# - the monitor writes its cluster log under /var/log/ceph unless told otherwise;
# - a single OSD means pools of size one, which the monitor refuses unless allowed.
cat >"$conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
ms bind msgr1 = false
ms bind port min = $osd_min
ms bind port max = $osd_max
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms client mode = crc
run dir = $dir/run
pid file = $dir/run/\$name.pid
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
mon cluster log file = $dir/log/cluster.log
keyring = $dir/keyring
mon data = $dir/mon-\$id
osd data = $dir/osd-\$id
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
osd pool default size = 1
osd pool default min size = 1
osd pool default pg autoscale mode = off
osd pool default pg num = 8
osd pool default pgp num = 8
osd objectstore = memstore
memstore device bytes = $capacity
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$port
rgw dns name = 127.0.0.1
CONF

c=(-c "$conf")
ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$dir/monmap" >/dev/null
ceph-mon "${c[@]}" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring"
ceph-mon "${c[@]}" -i a
timeout 60 ceph "${c[@]}" osd create >/dev/null
ceph-osd "${c[@]}" -i 0 --mkfs >"$dir/log/osd-mkfs.out" 2>&1
ceph-osd "${c[@]}" -i 0 >"$dir/log/osd-start.out" 2>&1
radosgw "${c[@]}" -n client.rgw.a

# Any HTTP answer on the S3 port means the gateway is serving (bash's /dev/tcp: no curl needed).
probe() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
    printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    IFS= read -r -t 5 status <&3 || exit 1
    [[ $status == HTTP/1.* ]]
  ) 2>/dev/null
}
ready=""
for _ in $(seq 1 240); do
  if probe; then ready=1; break; fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "rgw-start: radosgw did not answer on port $port; see $dir/log" >&2
  exit 1
fi

created=""
for _ in $(seq 1 30); do
  if timeout 60 radosgw-admin "${c[@]}" user create --uid=test --display-name=test \
      --access-key="$access_key" --secret-key="$secret_key" >"$dir/log/user-create.out" 2>&1; then
    created=1; break
  fi
  sleep 1
done
if [ -z "$created" ]; then
  echo "rgw-start: could not create the test user; see $dir/log/user-create.out" >&2
  exit 1
fi
if [ -n "${RGW_OWNER_PID:-}" ]; then
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  owner=$RGW_OWNER_PID
  # Detached and with its own stdio, so that whoever reads this script's output is not kept waiting.
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -d "$3" ]; do sleep 2; done; [ -d "$3" ] && "$2/rgw-stop.sh" "$3" && rm -rf "$3"' \
    rgw-watchdog "$owner" "$here" "$dir" </dev/null >/dev/null 2>&1 &
fi
echo "rgw ready on http://127.0.0.1:$port"
