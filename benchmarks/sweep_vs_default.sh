#!/usr/bin/env bash
# The second half of BENCHMARKS.md "Sweep": train the sweep's best config and the default config
# (cluster_configs/local.yaml) for the same time, one after the other on this machine (1 learner
# + 1 actor each, as in the sweep), then evaluate both greedy policies on the same test-split
# sample, which no trial was ever scored on.
#   benchmarks/sweep_vs_default.sh SWEEP_DIR [SECONDS=900] [TEST_SAMPLE=50] [DATASET=csmith]
# Writes SWEEP_DIR/vs_default/{best,default}/ (runs) and {best,default}.json (eval), and prints
# both test geomeans and their ratio. $PASSRL: the binary (default build/launch/passrl).
set -euo pipefail
cd "$(dirname "$0")/.."
SWEEP=${1:?usage: benchmarks/sweep_vs_default.sh SWEEP_DIR [SECONDS] [TEST_SAMPLE]}
SECONDS_EACH=${2:-900}
SAMPLE=${3:-50}
PASSRL=${PASSRL:-build/launch/passrl}
OUT=$SWEEP/vs_default
[ -f "$SWEEP/best.yaml" ] || { echo "sweep_vs_default: $SWEEP/best.yaml missing (finish the sweep first)" >&2; exit 1; }
DATASET=${4:-csmith}
mkdir -p "$OUT"
for which in default best; do
  config=cluster_configs/local.yaml
  [ "$which" = best ] && config=$SWEEP/best.yaml
  echo "sweep_vs_default: training $which ($config) for $SECONDS_EACH s"
  rm -rf "${OUT:?}/$which"
  PASSRL=$PASSRL launch/train_local.sh --actors 1 --config "$config" \
    --set "run.dir=$OUT/$which" --set "run.duration_seconds=$SECONDS_EACH" \
    --set validation.every_seconds=0 >"$OUT/$which.train.log" 2>&1
done
for which in default best; do
  echo "sweep_vs_default: evaluating $which on $DATASET test (sample $SAMPLE)"
  "$PASSRL" eval --run "$OUT/$which" --dataset "$DATASET" --split test --sample "$SAMPLE" \
    --no-baselines --json "$OUT/$which.json" >"$OUT/$which.eval.log" 2>&1
done
python3 - "$OUT" <<'PY'
import json, math, random, sys
out = sys.argv[1]
docs = {w: json.load(open(f"{out}/{w}.json")) for w in ("default", "best")}
for w, d in docs.items():
    g = d["geomean"]["greedy"]
    print(f"{w:8s} test geomean IR vs -Oz {g['ir']['geomean']:.4f}x "
          f"[{g['ir']['ci95_low']:.3f}, {g['ir']['ci95_high']:.3f}] over {g['benchmarks']} "
          f"programs, {g['failed']} failed")
ratio = {w: {r["benchmark"]: r["ir_ratio_vs_oz"] for r in d["rows"]
             if r["method"] == "greedy" and r["ir_ratio_vs_oz"]} for w, d in docs.items()}
common = sorted(set(ratio["default"]) & set(ratio["best"]))
logs = [math.log(ratio["best"][b] / ratio["default"][b]) for b in common]
rng = random.Random(1)
boot = sorted(sum(rng.choice(logs) for _ in logs) / len(logs) for _ in range(2000))
mean = sum(logs) / len(logs)
print(f"best / default, paired over {len(common)} programs: {math.exp(mean):.4f}x "
      f"[{math.exp(boot[50]):.3f}, {math.exp(boot[1949]):.3f}] (95% bootstrap); "
      f"best better on {sum(l > 1e-12 for l in logs)}, worse on {sum(l < -1e-12 for l in logs)}")
PY
