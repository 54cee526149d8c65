#!/usr/bin/env bash
# Sets up passrl and runs a short job on the bundled dataset: builds every benchmark (with its
# -O0/-Oz/-O3 baselines), then random and greedy search on a few programs under a time budget.
#   launch/quickstart.sh [seconds per search, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET="${1:-5}"
launch/setup.sh --build-dir build
PASSRL=build/launch/passrl
$PASSRL dataset build --dataset bundled
for b in bundled/crc32_table bundled/bytecode_vm bundled/sorting_suite; do
  $PASSRL search --benchmark "$b" --method random --budget "$BUDGET" --length 30
  $PASSRL search --benchmark "$b" --method greedy --budget "$BUDGET" --length 30
done
