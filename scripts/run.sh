#!/usr/bin/env bash
# The main job, end to end on this machine:
#   1. the foundation smoke check (codecs, RocksDB SST write/ingest/scan checksum, gRPC unary and streaming);
#   2. a 3-store cluster started as separate processes (`cairn playground`);
#   3. data loaded into it through the transactional client (sysbench-like tables with a secondary index, a bank
#      workload with concurrent transfers, and the catalog zoo of schema shapes), each verified afterwards;
#   4. table checksums computed by the stores (crc64xor, kvs, bytes), then a clean stop of every process.
# It grows into "start a cluster, load data, back up, restore, verify" as br is built.
# Options (environment): ROWS (per sysbench table, default 5000), KEEP=1 keeps the cluster folder.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

"$here/setup.sh" core
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build src/Cairn.Server -c Release -nologo -v:q -clp:ErrorsOnly -o artifacts/cairn
cairn() { dotnet artifacts/cairn/cairn.dll "$@"; }

echo "== 1. smoke check"
cairn smoke

echo "== 2. cluster"
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-run.XXXXXX")
playground_pid=""
cleanup() {
  if [ -n "$playground_pid" ] && kill -0 "$playground_pid" 2>/dev/null; then
    kill -TERM "$playground_pid" 2>/dev/null || true
    wait "$playground_pid" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "cluster data and logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
# Started without the shell function: `$!` must be the playground's own pid, not that of a subshell running the
# function, or the TERM in cleanup reaches the subshell and leaves the playground (and its pd and stores) running.
dotnet artifacts/cairn/cairn.dll playground --stores 3 --dir "$work/cluster" > "$work/playground.out" 2>&1 &
playground_pid=$!
for _ in $(seq 1 240); do
  grep -q "playground ready" "$work/playground.out" && break
  kill -0 "$playground_pid" 2>/dev/null || { cat "$work/playground.out"; echo "run: the playground did not start" >&2; exit 1; }
  sleep 0.5
done
grep -q "playground ready" "$work/playground.out" || { cat "$work/playground.out"; echo "run: the playground was not ready in 2 minutes" >&2; exit 1; }
cat "$work/playground.out"
pd=$(sed -n 's/^playground ready: pd \(http:\/\/\)\{0,1\}\([^ ]*\) .*/\2/p' "$work/playground.out")

echo "== 3. load and verify"
cairn workload sysbench --pd "$pd" --tables 4 --rows "${ROWS:-5000}"
cairn workload sysbench --pd "$pd" --tables 4 --rows "${ROWS:-5000}" --verify-only
cairn workload bank --pd "$pd" --accounts 100 --workers 4 --transfers 100
cairn workload catalog-zoo --pd "$pd"

echo "== 4. checksums"
cairn db ls --pd "$pd"
for t in sbtest1 sbtest2 sbtest3 sbtest4; do
  echo "sbtest.$t: $(cairn table count "sbtest.$t" --pd "$pd") rows, $(cairn table checksum "sbtest.$t" --pd "$pd")"
done
echo "run: all steps passed"
