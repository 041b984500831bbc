#!/usr/bin/env bash
# The whole test suite: installs prerequisites, builds, runs every test project, prints one summary line.
# Extra arguments go to `dotnet test` (for example: --filter "FullyQualifiedName~Crc64").
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

"$here/setup.sh" all || { echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! dotnet build Cairn.slnx -c Release -nologo -clp:ErrorsOnly; then
  echo "tests: 0 passed, 1 failed, 0 skipped"
  exit 1
fi

dotnet test Cairn.slnx -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
  --blame-hang-timeout 10m "$@"
rc=$?

read -r passed failed skipped < <(/usr/bin/python3 "$here/trx-summary.py" "$results")
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The runner failed without a failing test (a crashed test host, a build error): count it.
  failed=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
