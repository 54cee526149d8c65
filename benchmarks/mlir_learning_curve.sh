#!/bin/bash
# The MLIR run's snapshots on each split: greedy policy, best of N policy rollouts and best of N
# random rollouts, as geomeans of reference/ops (passrl eval). Pick a snapshot by its validation
# row only; the test rows are reported, never used to choose.
#   benchmarks/mlir_learning_curve.sh RUN_DIR [ROLLOUTS] [PASSRL]
set -euo pipefail
RUN=$1; N=${2:-20}; B=${3:-build/launch/passrl}
for p in "$RUN"/policy-*s.pb "$RUN"/policy.pb; do
  for s in train validation test; do
    echo "$(basename "$p") $s $("$B" eval --run "$RUN" --policy "$p" --split $s --rollouts "$N" 2>/dev/null | grep '^geomean')"
  done
done
