#!/usr/bin/env bash
# Sets passrl up and runs a short real training job on the bundled dataset: builds every benchmark
# (with its -O0/-Oz/-O3 baselines, cached), then 1 learner + 2 actors under mpirun for a few
# minutes, printing a live progress line. Results land in runs/quickstart/.
#   launch/quickstart.sh [seconds, default 180]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_TRAIN="${1:-180}"
launch/setup.sh --build-dir build
build/launch/passrl dataset build --dataset bundled
rm -rf runs/quickstart   # a fresh run each time (a run dir with checkpoints is only resumed)
launch/train_local.sh --actors 2 --set run.duration_seconds="$SECONDS_TO_TRAIN" \
  --set run.dir=runs/quickstart
build/launch/passrl eval --checkpoint runs/quickstart --csv runs/quickstart/eval.csv
/usr/bin/python3 launch/plot.py run runs/quickstart > /dev/null
/usr/bin/python3 launch/plot.py eval runs/quickstart/eval.csv --out runs/quickstart/plots/eval.png > /dev/null
echo "quickstart: metrics in runs/quickstart/metrics.jsonl, TensorBoard logs in runs/quickstart/tb,"
echo "            per-actor results in runs/quickstart/summary.json, checkpoints in"
echo "            runs/quickstart/checkpoints (launch/train_local.sh --resume runs/quickstart goes on),"
echo "            learning curves and the eval chart in runs/quickstart/plots/"
echo "quickstart: next, optimize a program with it: build/launch/passrl library --run runs/quickstart &&"
echo "            build/launch/passrl optimize datasets/programs/nqueens.c --policy runs/quickstart -o nq.bc"
