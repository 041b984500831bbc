#!/usr/bin/env bash
# Runs the same BenchmarkDotNet filter on an older commit and on the working tree, back to back, for benchmarks that
# need the whole store on one RPC stack (bench/results/RpcStackComparison.md). The old commit is checked out in a
# temporary git worktree under /tmp, removed afterwards.
#
#   bench/compare-stacks.sh <old-commit> [filter] [output-dir]
#   bench/compare-stacks.sh 6ff92ca '*StoreBenchmarks*' /tmp/compare-stacks
#   ORDER=new-first bench/compare-stacks.sh ...   (a second pass in the other order evens out drifting load)
set -euo pipefail

old_commit=${1:?usage: bench/compare-stacks.sh <old-commit> [filter] [output-dir]}
filter=${2:-'*Store*'}
out=${3:-/tmp/compare-stacks}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
old_tree=$(mktemp -d /tmp/cairn-old-stack-XXXXXX)
rmdir "$old_tree"

cleanup() { git -C "$repo" worktree remove --force "$old_tree" 2>/dev/null || rm -rf "$old_tree"; }
trap cleanup EXIT

git -C "$repo" worktree add --detach --quiet "$old_tree" "$old_commit"
mkdir -p "$out"

run() { # <label> <tree>
    local label=$1 tree=$2
    echo "== $label: $(git -C "$tree" rev-parse --short HEAD) $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    # A generous build timeout: on a loaded 2-core machine BenchmarkDotNet's own build can take longer than its 2 minutes.
    (cd "$tree" && dotnet run -c Release --project bench/Cairn.Bench -- --filter "$filter" --job short --buildTimeout 900 \
        --artifacts "$out/$label" > "$out/$label.log" 2>&1)
    cat "$out/$label"/results/*-report-github.md
}

if [[ ${ORDER:-old-first} == new-first ]]; then
    run new "$repo"
    run old "$old_tree"
else
    run old "$old_tree"
    run new "$repo"
fi
