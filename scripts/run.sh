#!/usr/bin/env bash
# The main job, end to end on this machine:
#   1. the foundation smoke check (codecs, RocksDB SST write/ingest/scan checksum, gRPC unary and streaming);
#   2. cluster A: pd and 3 stores as separate processes (`cairn playground`);
#   3. data loaded into A through the transactional client: sysbench-like tables with a secondary index, the bank
#      accounts, and the catalog zoo of schema shapes;
#   4. `br backup full` of A while bank transfers keep running, then A's checksums at the backup's snapshot TS;
#   5. cluster B, empty, and `br restore full` into it;
#   6. verification in B: row counts, table checksums equal to A's at the backup TS, index consistency (sysbench and
#      catalog-zoo --verify-only), the bank invariant;
#   7. a summary table (data size, backup size, backup and restore time and speed), then every process stopped and
#      checked gone.
# Exits non-zero if any step fails.
# Options (environment): ROWS (per sysbench table, default 5000), BANK_ROUND (length of each round of bank transfers
# run during the backup, default 5s), KEEP=1 keeps the job's folder, SKIP_BUILD=1 uses artifacts/cairn and artifacts/br when they exist, BIN_DIR=DIR
# uses the cairn.dll and br.dll found in DIR (both skip the build).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
rows=${ROWS:-5000}
tables=4
bank_round=${BANK_ROUND:-5s}

"$here/setup.sh" core
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [ -n "${BIN_DIR:-}" ]; then
  cairn_dll="$BIN_DIR/cairn.dll" br_dll="$BIN_DIR/br.dll"
  [ -f "$cairn_dll" ] && [ -f "$br_dll" ] || { echo "run: BIN_DIR=$BIN_DIR holds no cairn.dll and br.dll" >&2; exit 2; }
else
  cairn_dll="$root/artifacts/cairn/cairn.dll" br_dll="$root/artifacts/br/br.dll"
  if [ "${SKIP_BUILD:-0}" = 1 ] && [ -f "$cairn_dll" ] && [ -f "$br_dll" ]; then
    echo "run: SKIP_BUILD=1: using the cairn and br already in artifacts/"
  else
    dotnet build src/Cairn.Server -c Release -nologo -v:q -clp:ErrorsOnly -o artifacts/cairn
    dotnet build src/Cairn.Cli -c Release -nologo -v:q -clp:ErrorsOnly -o artifacts/br
  fi
fi
cairn() { dotnet "$cairn_dll" "$@"; }
br() { dotnet "$br_dll" "$@"; }
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# One folder for everything the job creates; every process it starts has this path on its command line, which is
# how the last step checks that none is left.
work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-run.XXXXXX")
pids=()
cleanup() {
  local rc=$? pid left
  # The bank rounds' loop first (its current `cairn workload bank`, then the loop), then the playgrounds.
  [ -n "${bank_pid:-}" ] && pkill -TERM -P "$bank_pid" 2>/dev/null || true
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  # pd and the stores stop with their playground; give the last of them a bounded moment to exit.
  for _ in $(seq 1 100); do
    pgrep -f -- "$work/" >/dev/null || break
    sleep 0.2
  done
  if left=$(pgrep -a -f -- "$work/"); then
    echo "run: processes of this job are still running:" >&2
    echo "$left" >&2
    rc=1
  else
    echo "run: no process of the job is left"
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "run: the job's data and logs are kept in $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_playground NAME: cluster NAME under $work/NAME; sets pd_addr and playground_pid.
start_playground() {
  local name=$1 out="$work/$1.out"
  # dotnet itself in the background (not the shell function), so that $! is the playground's own pid.
  dotnet "$cairn_dll" playground --stores 3 --dir "$work/$name" > "$out" 2>&1 &
  playground_pid=$!
  pids+=("$playground_pid")
  for _ in $(seq 1 240); do
    grep -q "playground ready" "$out" && break
    kill -0 "$playground_pid" 2>/dev/null || { cat "$out"; echo "run: playground $name did not start" >&2; exit 1; }
    sleep 0.5
  done
  grep -q "playground ready" "$out" || { cat "$out"; echo "run: playground $name was not ready in 2 minutes" >&2; exit 1; }
  sed 's/^/  /' "$out"
  pd_addr=$(sed -n 's/^playground ready: pd \(http:\/\/\)\{0,1\}\([^ ]*\) .*/\2/p' "$out")
}

# summary_value FILE NAME: the value column of a br summary row ("  logical size  1.2 MiB (1,234 bytes)").
summary_value() { sed -n "s/^  $2 \{1,\}\(.*\)$/\1/p" "$1" | head -1; }
summary_bytes() { summary_value "$1" "$2" | sed -n 's/.*(\([0-9,]*\) bytes).*/\1/p' | tr -d ,; }

echo "== 1. smoke check"
cairn smoke

echo "== 2. cluster A"
start_playground a
pd_a=$pd_addr

echo "== 3. load A"
cairn workload sysbench --pd "$pd_a" --tables "$tables" --rows "$rows"
cairn workload bank --pd "$pd_a" --accounts 100 --workers 4 --transfers 50
cairn workload catalog-zoo --pd "$pd_a"

echo "== 4. backup A while bank transfers run"
# Rounds of transfers on the existing accounts, each verified, one after another until the backup is done.
(
  while [ ! -e "$work/backup.done" ]; do
    cairn workload bank --pd "$pd_a" --accounts 100 --workers 4 --skip-load --duration "$bank_round" >> "$work/bank-load.out" 2>&1 || exit 1
  done
) &
bank_pid=$!
pids+=("$bank_pid")
# The backup starts once the first round is committing (its first commit comes well under two seconds here).
sleep 2
kill -0 "$bank_pid" 2>/dev/null || { cat "$work/bank-load.out"; echo "run: the bank transfers stopped before the backup" >&2; exit 1; }
backup_start=$(now)
br backup full -u "$pd_a" -s "local://$work/backup" --log-file "$work/br-backup.log" > "$work/backup.out"
backup_s=$(seconds "$backup_start" "$(now)")
cat "$work/backup.out"
kill -0 "$bank_pid" 2>/dev/null || { cat "$work/bank-load.out"; echo "run: the bank transfers stopped during the backup" >&2; exit 1; }
touch "$work/backup.done"
wait "$bank_pid" || { cat "$work/bank-load.out"; echo "run: the bank transfers failed" >&2; exit 1; }
awk '/transfers committed/ { rounds++; done += $1 } END { printf "bank transfers ran during the whole backup: %d rounds, %d transfers committed, each round verified\n", rounds, done }' "$work/bank-load.out"
backup_ts=$(summary_value "$work/backup.out" "backup ts" | awk '{print $1}')
[ -n "$backup_ts" ] || { echo "run: br printed no backup ts" >&2; exit 1; }
echo "bank invariant in A at the backup ts $backup_ts:"
cairn workload bank --pd "$pd_a" --accounts 100 --verify-only --at "$backup_ts"

# A's checksums at the backup TS, and its table ids (a restored table gets a new id; --as-table-id hashes it as the old one).
checked=(sbtest.sbtest1 sbtest.sbtest2 sbtest.sbtest3 sbtest.sbtest4 bank.accounts)
declare -A sum_a id_a count_a
for t in "${checked[@]}"; do
  db=${t%%.*} name=${t#*.}
  id_a[$t]=$(cairn table ls "$db" --pd "$pd_a" | awk -v n="$name" '$2 == n {print $1}')
  sum_a[$t]=$(cairn table checksum "$t" --pd "$pd_a" --at "$backup_ts")
  count_a[$t]=$(cairn table count "$t" --pd "$pd_a")
done

echo "== 5. cluster B (empty) and restore"
start_playground b
pd_b=$pd_addr
restore_start=$(now)
br restore full -u "$pd_b" -s "local://$work/backup" --log-file "$work/br-restore.log" > "$work/restore.out"
restore_s=$(seconds "$restore_start" "$(now)")
cat "$work/restore.out"

echo "== 6. verify B"
failed=0
for t in "${checked[@]}"; do
  sum_b=$(cairn table checksum "$t" --pd "$pd_b" --as-table-id "${id_a[$t]}")
  count_b=$(cairn table count "$t" --pd "$pd_b")
  if [ "$sum_b" = "${sum_a[$t]}" ] && [ "$count_b" = "${count_a[$t]}" ]; then
    echo "$t: $count_b rows, $sum_b (equal to A at the backup ts)"
  else
    echo "run: $t differs: A at $backup_ts has ${count_a[$t]} rows, ${sum_a[$t]}; B has $count_b rows, $sum_b" >&2
    failed=1
  fi
done
cairn workload sysbench --pd "$pd_b" --tables "$tables" --rows "$rows" --verify-only || failed=1
cairn workload catalog-zoo --pd "$pd_b" --verify-only || failed=1
cairn workload bank --pd "$pd_b" --accounts 100 --verify-only || failed=1
[ "$failed" = 0 ] || { echo "run: the restored cluster does not match the backup" >&2; exit 1; }

echo "== 7. summary"
logical=$(summary_bytes "$work/backup.out" "logical size")
stored=$(summary_bytes "$work/backup.out" "backup size")
awk -v l="$logical" -v s="$stored" -v b="$backup_s" -v r="$restore_s" -v ts="$backup_ts" 'BEGIN {
  mib = l / 1048576
  printf "| %-14s | %s |\n", "what", "value"
  printf "|%s|%s|\n", "----------------", "------------------------------"
  printf "| %-14s | %.2f MiB (%d bytes, backup ts %s) |\n", "data size", mib, l, ts
  printf "| %-14s | %.2f MiB (%d bytes) |\n", "backup size", s / 1048576, s
  printf "| %-14s | %.2f s, %.2f MiB/s |\n", "backup", b, (b > 0 ? mib / b : 0)
  printf "| %-14s | %.2f s, %.2f MiB/s |\n", "restore", r, (r > 0 ? mib / r : 0)
}'
echo "run: all steps passed"
