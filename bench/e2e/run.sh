#!/usr/bin/env bash
# End-to-end benchmark of backup and restore, every figure measured side by side in one run, written as Markdown to
# bench/results/e2e-<date>.md (or --out FILE):
#   - backup: logical MiB per CPU-second of all processes (pd + stores from /proc/<pid>/stat, br from its rusage), and
#     backup wall time / `tar -cf - <store dirs> | lz4` of the same store folders;
#   - restore: restore wall time / backup wall time, and restore MiB/s / reloading the same rows through transactions
#     (a transactional load of a sample of the rows into the restored cluster, scaled by rows);
#   - incremental backup of 1% changed rows / full backup time (when `cairn workload sysbench --mutate` and
#     `br backup --lastbackupts` exist);
#   - br peak RSS (max resident set, from /usr/bin/time) for a backup and a restore of many tiny tables, and the table
#     creation rate of that restore (br's "create tables" time);
#   - foreground impact: p99 latency of a point-select/update run with and without a backup running.
#
#   bench/e2e/run.sh [--size 1GiB] [--tables-many 10000] [--fg-duration 20s] [--dir DIR] [--out FILE]
#   SIZE=64MiB bench/e2e/run.sh          # a quick run (environment variables SIZE, TABLES_MANY, FG_DURATION also work)
#   MANY_ROWS=1 ...                      # give each tiny table a row (slow: rows go in through transactions)
#
# The size is logical (keys and values of rows and index entries, as br counts it), about 321 bytes a sysbench row.
set -euo pipefail

size=${SIZE:-1GiB} many=${TABLES_MANY:-10000} many_rows=${MANY_ROWS:-0} fg_duration=${FG_DURATION:-20s} dir="" out="" sample_div=10 loaders=2 tables=4
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --tables-many) many="$2"; shift 2 ;;
    --fg-duration) fg_duration="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "bench/e2e/run.sh: unknown argument $1 (see the comment at the top of the script)" >&2; exit 2 ;;
  esac
done

bytes_of() {
  local n unit
  n=$(sed -n 's/^\([0-9][0-9]*\)\([A-Za-z]*\)$/\1/p' <<<"$1") unit=$(sed -n 's/^\([0-9][0-9]*\)\([A-Za-z]*\)$/\2/p' <<<"$1")
  [ -n "$n" ] || { echo "bench/e2e/run.sh: size '$1' is not a number with an optional unit (KiB, MiB, GiB)" >&2; exit 2; }
  case "$unit" in
    ""|B) echo "$n" ;; KiB|K|k) echo $((n * 1024)) ;; MiB|M|m) echo $((n * 1048576)) ;; GiB|G|g) echo $((n * 1073741824)) ;;
    *) echo "bench/e2e/run.sh: unknown size unit '$unit' (KiB, MiB or GiB)" >&2; exit 2 ;;
  esac
}
size_bytes=$(bytes_of "$size")
row_bytes=321
rows_per_table=$(( size_bytes / row_bytes / loaders / tables ))
[ "$rows_per_table" -ge 100 ] || { echo "bench/e2e/run.sh: --size $size is too small (at least $((100 * loaders * tables * row_bytes / 1048576 + 1)) MiB)" >&2; exit 2; }
sample_rows=$(( rows_per_table / sample_div ))

repo="$(cd "$(dirname "$0")/../.." && pwd)"
date_tag=$(date -u +%Y-%m-%d)
out="${out:-$repo/bench/results/e2e-$date_tag.md}"
dir="${dir:-$(mktemp -d /tmp/cairn-e2e.XXXXXX)}"
mkdir -p "$dir"
art="$dir/bin"
if [ -n "${BIN_DIR:-}" ]; then
  art="$BIN_DIR"
else
  echo "building cairn and br into $art" >&2
  dotnet build "$repo/src/Cairn.Server" -c Release -nologo -v:q -clp:ErrorsOnly -o "$art" >&2
  dotnet build "$repo/src/Cairn.Cli" -c Release -nologo -v:q -clp:ErrorsOnly -o "$art" >&2
fi
cairn() { dotnet "$art/cairn.dll" "$@"; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
ticks=$(getconf CLK_TCK)
cpu_of() { local total=0 p; for p in "$@"; do read -r -a f < "/proc/$p/stat"; total=$((total + f[13] + f[14])); done; echo "$total"; }
summary_value() { sed -n "s/^  $2 \{1,\}\(.*\)$/\1/p" "$1" | head -1; }
summary_bytes() { summary_value "$1" "$2" | sed -n 's/.*(\([0-9,]*\) bytes).*/\1/p' | tr -d ,; }
summary_seconds() { summary_value "$1" "$2" | awk '{print $1}'; }
latency_field() { sed -n "s/^latency: .*$2=\([0-9.]*\).*/\1/p" "$1"; }

playground_pids=()
cleanup() {
  local p
  for p in "${playground_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${playground_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$dir/a" "$dir/b" "$dir"/backup* "$dir/stores.tar.lz4"
}
trap cleanup EXIT

# start_playground NAME: sets pd_addr and cluster_pids (pd and stores) from its stdout.
start_playground() {
  local name=$1 outf="$dir/$1.out"
  dotnet "$art/cairn.dll" playground --stores 3 --dir "$dir/$name" > "$outf" 2>&1 &
  playground_pids+=($!)
  for _ in $(seq 1 240); do
    grep -q "playground ready" "$outf" && break
    kill -0 "$!" 2>/dev/null || { cat "$outf" >&2; echo "playground $name did not start" >&2; exit 1; }
    sleep 0.5
  done
  grep -q "playground ready" "$outf" || { cat "$outf" >&2; exit 1; }
  pd_addr=$(sed -n 's/^playground ready: pd \(http:\/\/\)\{0,1\}\([^ ]*\) .*/\2/p' "$outf")
  mapfile -t cluster_pids < <(awk '/^pd +pid / {print $3} /^store .* pid / {for (i = 1; i <= NF; i++) if ($i == "pid") print $(i + 1)}' "$outf")
}

# timed FILE CMD...: runs CMD under /usr/bin/time (user, system seconds, max RSS KiB into FILE.rusage), wall seconds into $wall.
timed() {
  local file=$1 start; shift
  start=$(now)
  /usr/bin/time -f "%U %S %M" -o "$file.rusage" "$@" > "$file" 2> "$file.err" || { cat "$file" "$file.err" >&2; echo "failed: $*" >&2; exit 1; }
  wall=$(calc "$(now) - $start" 3)
}

sysbench_help=$(cairn workload sysbench --help 2>&1 || true)
br_help=$(dotnet "$art/br.dll" backup full --help 2>&1 || true)
load_mode="transactional (cairn workload sysbench; no --bulk in this tree)"
bulk_flag=()
if grep -q -- "--bulk" <<<"$sysbench_help"; then load_mode="bulk (cairn workload sysbench --bulk: SSTs through the import service)"; bulk_flag=(--bulk); fi

echo "== cluster A; loading $loaders x $tables tables x $rows_per_table rows ($size logical), $load_mode" >&2
start_playground a
pd_a=$pd_addr pids_a=("${cluster_pids[@]}")
load_start=$(now)
loader_pids=()
for i in $(seq 1 "$loaders"); do
  cairn workload sysbench --pd "$pd_a" --db "sb$i" --tables "$tables" --rows "$rows_per_table" "${bulk_flag[@]}" > "$dir/load$i.log" 2>&1 &
  loader_pids+=($!)
done
for p in "${loader_pids[@]}"; do wait "$p" || { tail -5 "$dir"/load*.log >&2; echo "a loader failed" >&2; exit 1; }; done
load_s=$(calc "$(now) - $load_start")
echo "loaded in $load_s s" >&2
sleep 2   # let the load's compactions settle a little; backup and tar below see the same state

echo "== full backup" >&2
before=$(cpu_of "${pids_a[@]}")
timed "$dir/backup.out" dotnet "$art/br.dll" backup full -u "$pd_a" -s "local://$dir/backup" --log-file "$dir/br-backup.log"
backup_s=$wall
after=$(cpu_of "${pids_a[@]}")
read -r br_user br_sys br_rss < "$dir/backup.out.rusage"
cluster_cpu=$(calc "($after - $before) / $ticks")
total_cpu=$(calc "$cluster_cpu + $br_user + $br_sys")
logical=$(summary_bytes "$dir/backup.out" "logical size")
stored=$(summary_bytes "$dir/backup.out" "backup size")
backup_ts=$(summary_value "$dir/backup.out" "backup ts" | awk '{print $1}')
mib=$(calc "$logical / 1048576")

echo "== tar | lz4 of the same store folders" >&2
store_dirs=()
for s in "$dir/a"/store*; do [[ -d "$s" ]] && store_dirs+=("$(basename "$s")"); done
tar_start=$(now)
tar -C "$dir/a" -cf - "${store_dirs[@]}" | lz4 -q > "$dir/stores.tar.lz4"
tar_s=$(calc "$(now) - $tar_start" 3)
store_bytes=$(du -sb "${store_dirs[@]/#/$dir/a/}" | awk '{s += $1} END {print s}')
rm -f "$dir/stores.tar.lz4"

echo "== incremental backup" >&2
incremental="n/a (incremental backup not built yet)"
if grep -q -- "--mutate" <<<"$sysbench_help" && grep -q -- "--lastbackupts" <<<"$br_help"; then
  for i in $(seq 1 "$loaders"); do
    cairn workload sysbench --pd "$pd_a" --db "sb$i" --tables "$tables" --rows "$rows_per_table" --mutate 1 > "$dir/mutate$i.log" 2>&1 \
      || { cat "$dir/mutate$i.log" >&2; exit 1; }
  done
  timed "$dir/incr.out" dotnet "$art/br.dll" backup full -u "$pd_a" -s "local://$dir/backup-incr" --lastbackupts "$backup_ts" --log-file "$dir/br-incr.log"
  incr_s=$wall
  incremental="$(calc "$incr_s / $backup_s") ($incr_s s for 1% of the rows changed, full $backup_s s; $(summary_value "$dir/incr.out" "logical size") logical)"
fi

echo "== foreground impact: point-select/update with and without a backup" >&2
fg=(workload sysbench --pd "$pd_a" --db sb1 --tables "$tables" --rows "$rows_per_table" --run point-select-update --duration "$fg_duration" --threads 4)
cairn "${fg[@]}" > "$dir/fg-idle.out"
cairn "${fg[@]}" > "$dir/fg-backup.out" &
fg_pid=$!
fg_backups=0
# Backups one after another for as long as the foreground run lasts, so that every sample sees one running.
while kill -0 "$fg_pid" 2>/dev/null; do
  fg_backups=$((fg_backups + 1))
  dotnet "$art/br.dll" backup full -u "$pd_a" -s "local://$dir/backup-fg$fg_backups" --log-file "$dir/br-fg.log" > "$dir/fg-br.out" 2>&1 \
    || { cat "$dir/fg-br.out" >&2; exit 1; }
  rm -rf "$dir/backup-fg$fg_backups"
done
wait "$fg_pid" || { cat "$dir/fg-backup.out" >&2; exit 1; }
p99_idle=$(latency_field "$dir/fg-idle.out" p99_ms) p99_busy=$(latency_field "$dir/fg-backup.out" p99_ms)
p50_idle=$(latency_field "$dir/fg-idle.out" p50_ms) p50_busy=$(latency_field "$dir/fg-backup.out" p50_ms)
fg_impact=$(calc "($p99_busy - $p99_idle) * 100 / $p99_idle" 1)

echo "== $many tiny tables: backup" >&2
cairn workload many-tables --pd "$pd_a" --count "$many" --rows "$many_rows" > "$dir/many.out"
timed "$dir/many-backup.out" dotnet "$art/br.dll" backup db -u "$pd_a" -s "local://$dir/backup-many" --db many --log-file "$dir/br-many-backup.log"
many_backup_s=$wall
read -r _ _ many_backup_rss < "$dir/many-backup.out.rusage"
many_files=$(summary_value "$dir/many-backup.out" "files")

echo "== cluster B: restore" >&2
start_playground b
pd_b=$pd_addr
timed "$dir/restore.out" dotnet "$art/br.dll" restore full -u "$pd_b" -s "local://$dir/backup" --log-file "$dir/br-restore.log"
restore_s=$wall
read -r _ _ restore_rss < "$dir/restore.out.rusage"
timed "$dir/many-restore.out" dotnet "$art/br.dll" restore db -u "$pd_b" -s "local://$dir/backup-many" --db many --log-file "$dir/br-many-restore.log"
many_restore_s=$wall
read -r _ _ many_restore_rss < "$dir/many-restore.out.rusage"
many_create_s=$(summary_seconds "$dir/many-restore.out" "create tables")
create_rate=$(calc "$many / $many_create_s" 0)

echo "== transactional reload of 1/$sample_div of the rows into B" >&2
reload_start=$(now)
reload_pids=()
for i in $(seq 1 "$loaders"); do
  cairn workload sysbench --pd "$pd_b" --db "reload$i" --tables "$tables" --rows "$sample_rows" > "$dir/reload$i.log" 2>&1 &
  reload_pids+=($!)
done
for p in "${reload_pids[@]}"; do wait "$p" || { tail -5 "$dir"/reload*.log >&2; exit 1; }; done
reload_s=$(calc "$(now) - $reload_start" 3)
# The sample is sample_rows/rows_per_table of the data set; its logical size is taken in that proportion.
reload_mib_s=$(calc "$mib * $sample_rows / $rows_per_table / $reload_s")
restore_mib_s=$(calc "$mib / $restore_s")
backup_mib_s=$(calc "$mib / $backup_s")

cores=$(nproc)
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
command="MANY_ROWS=$many_rows bench/e2e/run.sh --size $size --tables-many $many --fg-duration $fg_duration"
report=$(cat <<REPORT
data set: $loaders databases x $tables sysbench tables x $rows_per_table rows; $mib MiB logical ($logical bytes), backup $stored bytes stored; loaded in $load_s s, $load_mode
backup: $backup_s s wall, $backup_mib_s MiB/s; CPU pd + stores $cluster_cpu s, br $(calc "$br_user + $br_sys") s, total $total_cpu s
backup: logical MiB per CPU-second (all processes): $(calc "$mib / $total_cpu")
backup wall / tar|lz4 wall: $(calc "$backup_s / $tar_s") (tar -cf - <3 store dirs, $store_bytes bytes> | lz4: $tar_s s)
restore: $restore_s s wall, $restore_mib_s MiB/s; restore wall / backup wall: $(calc "$restore_s / $backup_s")
restore MiB/s / transactional reload MiB/s: $(calc "$restore_mib_s / $reload_mib_s") (reload of $loaders x $tables x $sample_rows rows, 1/$sample_div of the rows, in $reload_s s: $reload_mib_s MiB/s scaled by rows)
incremental backup (1% of rows changed) / full backup wall: $incremental
br peak RSS: full backup $((br_rss / 1024)) MiB, full restore $((restore_rss / 1024)) MiB
br peak RSS, $many tables of $many_rows rows ($(sed -n "s/.* in \([0-9.]* s\)$/\1/p" "$dir/many.out") to create): backup $((many_backup_rss / 1024)) MiB ($many_backup_s s, $many_files files), restore $((many_restore_rss / 1024)) MiB ($many_restore_s s)
table creation on restore: $create_rate tables/s ($many tables in $many_create_s s)
foreground point-select/update p99: $p99_idle ms idle, $p99_busy ms during backups ($fg_backups backups ran): +$fg_impact% (p50 $p50_idle -> $p50_busy ms)
REPORT
)
echo "$report"
mkdir -p "$(dirname "$out")"
{
  echo "# End-to-end benchmark ($date_tag)"
  echo
  echo "Command: \`$command\`"
  echo
  echo "Machine: $cores cores, $mem memory (shared with other work: absolute times drift, ratios are measured side by side)."
  echo "Clusters: \`cairn playground --stores 3\` (A, loaded and backed up; B, empty, restored into), local storage."
  echo
  echo '```'
  echo "$report"
  echo '```'
  echo
  echo "## br's summaries"
  for f in backup restore many-backup many-restore; do
    echo
    echo "\`$f\`:"
    echo
    echo '```'
    grep -v '^log file' "$dir/$f.out"
    echo '```'
  done
  echo
  echo "## Foreground runs"
  echo
  echo '```'
  echo "idle:"; cat "$dir/fg-idle.out"; echo "during backups:"; cat "$dir/fg-backup.out"
  echo '```'
} > "$out"
echo "wrote $out" >&2
