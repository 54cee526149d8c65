#!/usr/bin/env bash
# The issue-12 targets for a trained run, on programs it never trained on: the greedy policy alone,
# `passrl optimize` with 45 compilations and with 10 s per program, each beside random search with
# the same budget, on a stable sample of the Debian test split and on csmith test seeds.
#   benchmarks/optimize_targets.sh RUN_DIR [DEBIAN_SAMPLE=150] [SECONDS_SAMPLE=30]
# Writes RUN_DIR/targets-*.json and prints each command's summary lines. JOBS=N sets the env
# workers per search (default: one per allowed CPU; the tables before 2026-12-01 ran with 1).
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:?usage: benchmarks/optimize_targets.sh RUN_DIR [DEBIAN_SAMPLE] [SECONDS_SAMPLE]}
SAMPLE=${2:-150}
SECONDS_SAMPLE=${3:-30}
B=${PASSRL:-build/launch/passrl}
JOBS=${JOBS:-0}
[ -f "$RUN/library.json" ] || "$B" library --run "$RUN" | tail -1
summary() { grep -E "geomean|fell back|greedy policy:" ; }
echo "== debian test, $SAMPLE programs, 45 compilations"
"$B" optimize --policy "$RUN" --dataset debian --split test --sample "$SAMPLE" --compilations 45 \
  --baselines --jobs "$JOBS" --json "$RUN/targets-debian-45.json" | summary
echo "== csmith test seeds 1-20, 45 compilations (each result run and compared with -O0)"
"$B" optimize --policy "$RUN" --dataset csmith --split test --csmith-count 20 --compilations 45 \
  --baselines --jobs "$JOBS" --json "$RUN/targets-csmith-45.json" | summary
echo "== debian test, $SECONDS_SAMPLE programs, 10 s each"
"$B" optimize --policy "$RUN" --dataset debian --split test --sample "$SECONDS_SAMPLE" --budget 10 \
  --baselines --jobs "$JOBS" --json "$RUN/targets-debian-10s.json" | summary
echo "== csmith test seeds 1-20, 10 s each"
"$B" optimize --policy "$RUN" --dataset csmith --split test --csmith-count 20 --budget 10 \
  --baselines --jobs "$JOBS" --json "$RUN/targets-csmith-10s.json" | summary
