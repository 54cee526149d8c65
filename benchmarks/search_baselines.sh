#!/usr/bin/env bash
# Random and greedy search on every benchmark of a dataset under a per-benchmark time budget:
# the baselines a trained policy is compared with. Prints per-benchmark ratios vs -Oz and geomeans.
#   benchmarks/search_baselines.sh [seconds per search, default 5] [dataset, default bundled]
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET="${1:-5}"
DATASET="${2:-bundled}"
PASSRL=${PASSRL:-build/launch/passrl}
printf "%-28s %10s %10s\n" benchmark random greedy
for b in $($PASSRL dataset list --dataset "$DATASET"); do
  # An LLVM crash inside a pass ends an in-process search: that entry is then "crash".
  r=$($PASSRL search -b "$b" -m random --budget "$BUDGET" --length 24 --seed 1 2>/dev/null |
      sed -n 's/.*: \([0-9.]*\)x -Oz$/\1/p' || true)
  g=$($PASSRL search -b "$b" -m greedy --budget "$BUDGET" --length 24 2>/dev/null |
      sed -n 's/.*: \([0-9.]*\)x -Oz$/\1/p' || true)
  r=${r:-crash}
  g=${g:-crash}
  printf "%-28s %10s %10s\n" "$b" "$r" "$g"
done | tee /dev/stderr | awk '{ if ($2 + 0 > 0 && $3 + 0 > 0) { r += log($2); g += log($3); n++ } }
  END { printf "geomean over %d: random %.4fx, greedy %.4fx -Oz\n", n, exp(r / n), exp(g / n) }'
