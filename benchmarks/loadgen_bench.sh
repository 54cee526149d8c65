#!/usr/bin/env bash
# One learner against 1,000 simulated actors (passrl loadgen), side by side in one run: every actor
# subscribed to the learner, then 8 simulated nodes with one weights relay each, then the same
# with float16 weights and with CurveZMQ, then ingestion alone (the update loop held back), then
# float16 with 128 transitions per message (cluster_configs/multi_node.yaml's settings).
# Prints one markdown row per setup; the JSON summaries go to $OUT_DIR (default /tmp/loadgen).
#   benchmarks/loadgen_bench.sh RUN_DIR [ACTORS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:?usage: benchmarks/loadgen_bench.sh RUN_DIR [ACTORS] [SECONDS]}
ACTORS=${2:-1000}
SECONDS_EACH=${3:-20}
OUT_DIR=${OUT_DIR:-/tmp/loadgen}
PASSRL=${PASSRL:-build/launch/passrl}
mkdir -p "$OUT_DIR"
KEYS="$OUT_DIR/keys"
rm -rf "$KEYS" && "$PASSRL" keys generate --dir "$KEYS" > /dev/null
run() {  # NAME ARGS...
  local name=$1
  shift
  "$PASSRL" loadgen --from "$RUN" --actors "$ACTORS" --seconds "$SECONDS_EACH" \
    --json "$OUT_DIR/$name.json" "$@" > "$OUT_DIR/$name.log" 2>&1 ||
    { tail -5 "$OUT_DIR/$name.log"; exit 1; }
}
run direct
run relays --nodes 8
run relays-f16 --nodes 8 --set learner.weights_float16=true
run relays-curve --nodes 8 --curve-dir "$KEYS"
run ingest-only --nodes 8 --set learner.samples_per_insert=0.001
run relays-f16-b128 --nodes 8 --set learner.weights_float16=true --batch 128
echo "| setup | transitions/s accepted | sent = inserted | weights delay p50 / p99 | silent | without weights | learner RSS | egress per version (policies) | updates |"
echo "|---|---|---|---|---|---|---|---|---|"
for name in direct relays relays-f16 relays-curve ingest-only relays-f16-b128; do
  python3 - "$OUT_DIR/$name.json" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("| %s | %s | %s | %.2f s / %.2f s | %d | %d | %.2f GB | %.1f MB (%.1f) | %d |" % (
    sys.argv[2], format(round(r["transitions_per_second"]), ","),
    "yes" if r["transitions_sent"] == r["transitions_inserted"] else "no (%d vs %d)" % (
        r["transitions_sent"], r["transitions_inserted"]),
    r["weights_delay_p50_seconds"], r["weights_delay_p99_seconds"], r["actors_reported_silent"],
    r["actors_without_weights"], r["learner_rss_bytes"] / 1e9,
    r["learner_egress_bytes_per_version"] / 1e6, r["learner_egress_policies_per_version"],
    r["learner_updates"]))
PY
done
