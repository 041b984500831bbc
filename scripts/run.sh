#!/usr/bin/env bash
# The main job, end to end on this machine. Today: the foundation smoke check (RocksDB SST write, ingest and read
# back; gRPC round trips over HTTP/2 between our client and server, and with Debian's grpcio). It grows into
# "start a cluster, load data, back up, restore, verify" as the product grows.
# Extra arguments go to `cairn smoke` (see `cairn smoke --help`).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

"$here/setup.sh" core
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build src/Cairn.Server -c Release -nologo -clp:ErrorsOnly -o artifacts/cairn
exec dotnet artifacts/cairn/cairn.dll smoke "$@"
