#!/usr/bin/env bash
# Bulk load (--bulk) against the transactional load of the sysbench workload, side by side on one 3-store
# playground. Usage: bench/bulk-load/run.sh [TABLES] [BULK_ROWS] [TXN_ROWS]
# TXN_ROWS defaults to a tenth of BULK_ROWS: the transactional load is the slow one; rates are compared per second.
set -euo pipefail
tables=${1:-4}
bulk_rows=${2:-250000}
txn_rows=${3:-$((bulk_rows / 10))}
repo=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/cairn-bulk-bench.XXXXXX)
port=${BASE_PORT:-24379}
# CAIRN_DLL reuses a built cairn.dll instead of building one.
dll=${CAIRN_DLL:-$dir/cairn/cairn.dll}
if [ -z "${CAIRN_DLL:-}" ]; then
  dotnet build "$repo/src/Cairn.Server" -c Release -nologo -clp:ErrorsOnly -o "$dir/cairn" >/dev/null
fi
cairn() { dotnet "$dll" "$@"; }

dotnet "$dll" playground --stores 3 --dir "$dir/data" --base-port "$port" >"$dir/playground.log" 2>&1 &
playground=$!
trap 'kill -TERM $playground 2>/dev/null; wait $playground 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 120); do
  if cairn db ls --pd "127.0.0.1:$port" >/dev/null 2>&1; then break; fi
  sleep 1
done

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "transactional: $tables × $txn_rows rows"
/usr/bin/time -f "transactional load+verify wall %e s" dotnet "$dll" workload sysbench --pd "127.0.0.1:$port" --tables "$tables" --rows "$txn_rows" --db sb_txn
echo "bulk: $tables × $bulk_rows rows"
/usr/bin/time -f "bulk load+verify wall %e s" dotnet "$dll" workload sysbench --pd "127.0.0.1:$port" --tables "$tables" --rows "$bulk_rows" --db sb_bulk --bulk
cairn table checksum sb_bulk.sbtest1 --pd "127.0.0.1:$port"
