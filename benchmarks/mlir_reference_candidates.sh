#!/bin/bash
# Op counts of the candidate reference pipelines for the MLIR task on every graph of the mlir
# dataset (docs/MLIR.md chose the reference from the training graphs' rows).
#   benchmarks/mlir_reference_candidates.sh [PASSRL]
set -euo pipefail
B=${1:-build/launch/passrl}
declare -A P=(
  [A]="canonicalize,cse,linalg-fuse-elementwise-ops,canonicalize,cse"
  [B]="linalg-generalize-named-ops,linalg-fuse-elementwise-ops,canonicalize,cse"
  [C]="canonicalize,cse,linalg-generalize-named-ops,linalg-fuse-elementwise-ops,canonicalize,cse"
  [D]="canonicalize,cse,linalg-generalize-named-ops,linalg-fuse-elementwise-ops,canonicalize,cse,linalg-fuse-elementwise-ops,canonicalize,cse"
)
"$B" dataset list --dataset mlir | while IFS=$'\t' read -r graph split; do
  line="$graph $split"
  for k in A B C D; do
    n=$("$B" env --compiler mlir -b "$graph" -a "${P[$k]}" 2>/dev/null | sed -n 's/^final: ops \([0-9]*\).*/\1/p')
    line="$line $k=$n"
  done
  echo "$line"
done
