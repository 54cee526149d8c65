#!/usr/bin/env bash
# The second half of BENCHMARKS.md "Sweep": train the sweep's best config and the default config
# (cluster_configs/local.yaml) for the same time, one after the other on this machine (1 learner
# + 1 actor each, as in the sweep), then evaluate both greedy policies on the validation sample
# the sweep scored on (VALIDATION_SAMPLE programs) and on a test-split sample, which no trial was
# ever scored on.
#   benchmarks/sweep_vs_default.sh SWEEP_DIR [SECONDS=900] [TEST_SAMPLE=50] [DATASET=csmith] \
#     [VALIDATION_SAMPLE=16]
# Writes SWEEP_DIR/vs_default/{best,default}/ (runs) and {best,default}.{validation,test}.json
# (eval), and prints the geomeans and the paired ratio best/default on each split. $PASSRL: the
# binary (default build/launch/passrl).
set -euo pipefail
cd "$(dirname "$0")/.."
SWEEP=${1:?usage: benchmarks/sweep_vs_default.sh SWEEP_DIR [SECONDS] [TEST_SAMPLE]}
SECONDS_EACH=${2:-900}
SAMPLE=${3:-50}
PASSRL=${PASSRL:-build/launch/passrl}
OUT=$SWEEP/vs_default
[ -f "$SWEEP/best.yaml" ] || { echo "sweep_vs_default: $SWEEP/best.yaml missing (finish the sweep first)" >&2; exit 1; }
DATASET=${4:-csmith}
VALIDATION_SAMPLE=${5:-16}
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
  for split in validation test; do
    n=$SAMPLE
    [ "$split" = validation ] && n=$VALIDATION_SAMPLE
    echo "sweep_vs_default: evaluating $which on $DATASET $split (sample $n)"
    "$PASSRL" eval --run "$OUT/$which" --dataset "$DATASET" --split "$split" --sample "$n" \
      --no-baselines --json "$OUT/$which.$split.json" >"$OUT/$which.$split.log" 2>&1
  done
done
python3 - "$OUT" <<'PY'
import json, math, random, sys
out = sys.argv[1]
for split in ("validation", "test"):
    docs = {w: json.load(open(f"{out}/{w}.{split}.json")) for w in ("default", "best")}
    for w, d in docs.items():
        g = d["geomean"]["greedy"]
        print(f"{split:10s} {w:8s} geomean IR vs -Oz {g['ir']['geomean']:.4f}x "
              f"[{g['ir']['ci95_low']:.3f}, {g['ir']['ci95_high']:.3f}] over {g['benchmarks']} "
              f"programs, {g['failed']} failed")
    ratio = {w: {r["benchmark"]: r["ir_ratio_vs_oz"] for r in d["rows"]
                 if r["method"] == "greedy" and r["ir_ratio_vs_oz"]} for w, d in docs.items()}
    common = sorted(set(ratio["default"]) & set(ratio["best"]))
    logs = [math.log(ratio["best"][b] / ratio["default"][b]) for b in common]
    rng = random.Random(1)
    boot = sorted(sum(rng.choice(logs) for _ in logs) / len(logs) for _ in range(2000))
    mean = sum(logs) / len(logs)
    print(f"{split:10s} best / default, paired over {len(common)} programs: "
          f"{math.exp(mean):.4f}x [{math.exp(boot[50]):.3f}, {math.exp(boot[1949]):.3f}] "
          f"(95% bootstrap); best better on {sum(l > 1e-12 for l in logs)}, "
          f"worse on {sum(l < -1e-12 for l in logs)}")
PY
