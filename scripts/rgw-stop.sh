#!/usr/bin/env bash
# Stops what scripts/rgw-start.sh DIR started (gateway first, monitor last), by the pid files under DIR.
# Waits for each daemon to exit and kills it after 10 seconds. DIR itself is left for the caller to remove.
#   usage: scripts/rgw-stop.sh DIR
set -uo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$(realpath -m "$1")
for name in client.rgw.a osd.0 mon.a; do
  pidfile="$dir/run/$name.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  [ -n "$pid" ] || continue
  kill "$pid" 2>/dev/null || continue
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
done
exit 0
