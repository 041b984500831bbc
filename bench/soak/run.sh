#!/usr/bin/env bash
# The soak: CYCLES (default 20) times, a backup of cluster A taken while bank transfers run and under a random fault
# of the fault matrix (store or pd SIGKILLed and restarted, split/scatter storm, a faulty storage, br SIGKILLed and
# re-run, a disk that fills), then a restore of it into cluster B under another random fault, then the checks of the
# matrix (br debug checksum, cairn table checksum against A at the backup ts, row counts, index check, bank invariant
# in A and B, import mode off, import folders empty). Prints per cycle the faults with their seeds and timings and the
# result, and last "cycles: N, violations: V"; exits non-zero on any violation.
# Usage: bench/soak/run.sh [CYCLES] [OUT]   (OUT: the report file, default bench/results/soak-<date>.md)
# SEED=N replays a run's random choices; SKIP_BUILD=1 uses the last build of test/Cairn.Faults.Tests.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
cycles=${1:-20}
out=${2:-bench/results/soak-$(date -u +%Y-%m-%d).md}
case "$cycles" in ''|*[!0-9]*|0) echo "soak: CYCLES must be a positive number, got '$cycles'" >&2; exit 2 ;; esac
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
project=test/Cairn.Faults.Tests/Cairn.Faults.Tests.csproj
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  dotnet build "$project" -c Release -nologo -v:q -clp:ErrorsOnly
fi
mkdir -p "$(dirname "$out")"
{
  echo "# Soak: backup under transfers -> restore -> verify, with random faults"
  echo
  echo "Command: \`bench/soak/run.sh $cycles\`${SEED:+ (SEED=$SEED)}, on $(nproc) cores, started $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)."
  echo
  echo '```'
} > "$out"
report=$(mktemp)
set +e
CAIRN_SOAK_CYCLES=$cycles CAIRN_SOAK_SEED=${SEED:-} CAIRN_SOAK_OUT=$report \
  dotnet test "$project" -c Release --no-build --nologo --filter "FullyQualifiedName~SoakTests" --logger "console;verbosity=minimal" &
test_pid=$!
tail -n +1 -F "$report" 2>/dev/null &
tail_pid=$!
wait "$test_pid"
rc=$?
sleep 1
kill "$tail_pid" 2>/dev/null
wait "$tail_pid" 2>/dev/null
set -e
cat "$report" >> "$out"
echo '```' >> "$out"
rm -f "$report"
echo "soak: report in $out"
exit "$rc"
