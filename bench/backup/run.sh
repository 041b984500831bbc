#!/usr/bin/env bash
# End-to-end backup benchmark: a 3-store playground loaded with >= 256 MiB of logical data (sysbench tables, several
# loaders in parallel), one `br backup full` to a local folder, and in the same run `tar -cf - <store dirs> | lz4` of
# the same store folders. Reports logical MiB per CPU-second of all processes (pd + stores + br, utime+stime from
# /proc/<pid>/stat before and after; br's from its own rusage) and backup wall time / tar|lz4 wall time.
#
#   bench/backup/run.sh [--loaders N] [--tables T] [--rows R] [--dir DIR] [--out FILE]
#
# Defaults load 2 loaders x 4 tables x 110000 rows: 880 000 rows of ~321 bytes of keys and values (row and index), ~270 MiB.
set -euo pipefail

loaders=2 tables=4 rows=110000 dir="" out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --loaders) loaders="$2"; shift 2 ;;
    --tables) tables="$2"; shift 2 ;;
    --rows) rows="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "bench/backup/run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

repo="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${dir:-$(mktemp -d /tmp/br-bench.XXXXXX)}"
mkdir -p "$dir"
art="$dir/bin"
echo "building cairn and br into $art" >&2
dotnet build "$repo/src/Cairn.Server" -c Release -nologo -clp:ErrorsOnly -o "$art" >&2
dotnet build "$repo/src/Cairn.Cli" -c Release -nologo -clp:ErrorsOnly -o "$art" >&2
cairn() { dotnet "$art/cairn.dll" "$@"; }

cluster="$dir/cluster"
rm -rf "$cluster" "$dir/backup" "$dir/stores.tar.lz4"
rm -f "$dir/playground.out"
mkfifo "$dir/playground.out"
# dotnet itself in the background (not the shell function), so $! is the playground and the trap can stop it.
dotnet "$art/cairn.dll" playground --stores 3 --dir "$cluster" > "$dir/playground.out" 2> "$dir/playground.err" &
playground=$!
exec 3< "$dir/playground.out"
cleanup() { kill -TERM "$playground" 2>/dev/null || true; wait "$playground" 2>/dev/null || true; rm -f "$dir/playground.out"; rm -rf "$cluster" "$dir/backup" "$dir/stores.tar.lz4"; }
trap cleanup EXIT

pids=() pd=""
while IFS= read -r line <&3; do
  echo "$line" >> "$dir/playground.log"
  case "$line" in
    "pd "*pid*) pids+=("$(awk '{print $3}' <<<"$line")") ;;
    "store "*pid*) pids+=("$(awk '{for(i=1;i<=NF;i++) if($i=="pid") print $(i+1)}' <<<"$line")") ;;
    "playground ready: pd "*) pd="$(awk '{print $4}' <<<"$line")"; pd="${pd#http://}"; break ;;
  esac
done
[[ -n "$pd" ]] || { echo "the playground did not start: $(cat "$dir/playground.err")" >&2; exit 1; }
# Keep draining the playground's stdout so it never blocks on a full pipe.
cat <&3 >> "$dir/playground.log" &

echo "loading: $loaders loaders x $tables tables x $rows rows (pd $pd)" >&2
load_start=$(date +%s.%N)
loader_pids=()
for i in $(seq 1 "$loaders"); do
  cairn workload sysbench --pd "$pd" --db "bench$i" --tables "$tables" --rows "$rows" > "$dir/load$i.log" 2>&1 &
  loader_pids+=($!)
done
for p in "${loader_pids[@]}"; do
  wait "$p" || { echo "a loader failed: $(tail -3 "$dir"/load*.log)" >&2; exit 1; }
done
load_s=$(echo "$(date +%s.%N) - $load_start" | bc)
echo "loaded in ${load_s}s" >&2

ticks=$(getconf CLK_TCK)
cpu_of() { local total=0; for p in "$@"; do read -r -a f < "/proc/$p/stat"; total=$((total + f[13] + f[14])); done; echo "$total"; }
sleep 2   # let compactions after the load settle a little; both measurements below see the same state
before=$(cpu_of "${pids[@]}")
backup_start=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$dir/br.rusage" dotnet "$art/br.dll" backup full -u "$pd" -s "local://$dir/backup" --log-file "$dir/br.log" > "$dir/br.out" 2> "$dir/br.err"
backup_s=$(echo "$(date +%s.%N) - $backup_start" | bc)
after=$(cpu_of "${pids[@]}")
read -r br_user br_sys < "$dir/br.rusage"
cluster_cpu=$(echo "($after - $before) / $ticks" | bc -l)
br_cpu=$(echo "$br_user + $br_sys" | bc -l)

store_dirs=()
for s in "$cluster"/store*; do [[ -d "$s" ]] && store_dirs+=("$(basename "$s")"); done
tar_start=$(date +%s.%N)
tar -C "$cluster" -cf - "${store_dirs[@]}" | lz4 -q > "$dir/stores.tar.lz4"
tar_s=$(echo "$(date +%s.%N) - $tar_start" | bc)

logical=$(awk '/logical size/ {gsub(/[(,]/, "", $4); print $4}' "$dir/br.out")
stored=$(awk '/backup size/ {gsub(/[(,]/, "", $4); print $4}' "$dir/br.out")
store_bytes=$(du -sb "${store_dirs[@]/#/$cluster/}" | awk '{s+=$1} END {print s}')
tar_bytes=$(stat -c %s "$dir/stores.tar.lz4")
mib=$(echo "$logical / 1048576" | bc -l)
total_cpu=$(echo "$cluster_cpu + $br_cpu" | bc -l)

report=$(cat <<REPORT
backup of $(printf %.1f "$mib") MiB logical ($logical bytes; stored $stored bytes after compression) on a 3-store playground
store folders: $store_bytes bytes; tar|lz4 output: $tar_bytes bytes
backup wall time: $(printf %.2f "$backup_s") s; tar -cf - <store dirs> | lz4: $(printf %.2f "$tar_s") s
CPU: pd + stores $(printf %.2f "$cluster_cpu") s, br $(printf %.2f "$br_cpu") s, total $(printf %.2f "$total_cpu") s
logical MiB per CPU-second (all processes): $(printf %.1f "$(echo "$mib / $total_cpu" | bc -l)")
logical MiB/s wall: $(printf %.1f "$(echo "$mib / $backup_s" | bc -l)")
backup wall time / tar|lz4 wall time: $(printf %.2f "$(echo "$backup_s / $tar_s" | bc -l)")
REPORT
)
echo "$report"
if [[ -n "$out" ]]; then
  {
    echo "# Backup benchmark"
    echo
    echo "Command: \`bench/backup/run.sh --loaders $loaders --tables $tables --rows $rows\` on $(date -u +%Y-%m-%d) ($(nproc) cores, shared)."
    echo
    echo '```'
    echo "$report"
    echo '```'
    echo
    echo "br's summary:"
    echo
    echo '```'
    cat "$dir/br.out"
    echo '```'
  } > "$out"
fi
