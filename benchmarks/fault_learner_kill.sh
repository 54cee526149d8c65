#!/usr/bin/env bash
# Fault injection: SIGKILL the learner of a running training job N times at random moments, and
# resume each time from the latest checkpoint. Reports, per kill, which checkpoint was resumed,
# whether the counters continued exactly from it, and what was lost (transitions and updates made
# after that checkpoint). Fails if any resume does not load or does not continue the counters.
#   benchmarks/fault_learner_kill.sh [KILLS=10] [RUN_DIR=/tmp/passrl-fault-learner]
# Needs build/ (launch/setup.sh). Takes about KILLS x 45 s.
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS="${1:-10}"
RUN="${2:-/tmp/passrl-fault-learner}"
rm -rf "$RUN"
mkdir -p "$RUN"
LOGS="$RUN/fault-logs"
mkdir -p "$LOGS"
COMMON=(--set run.duration_seconds=0 --set checkpoint.every_seconds=8 --set checkpoint.keep=2
        --set learner.warmup_transitions=200 --set run.snapshot_seconds=0)

learner_pid() {  # the rank-0 process of the job
  for p in $(pgrep -f "passrl train.*$RUN" || true); do
    if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=0"; then
      echo "$p"; return 0
    fi
  done
  return 1
}
manifest_field() {  # manifest_field FILE KEY
  /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['counters'][sys.argv[2]])" "$1" "$2"
}

printf "| kill | after (s) | resumed from | updates at ckpt | resumed updates | transitions lost | updates lost |\n"
printf "|---|---|---|---|---|---|---|\n"
failures=0
for i in $(seq 0 "$KILLS"); do
  log="$LOGS/session-$i.log"
  if [ "$i" -eq 0 ]; then
    launch/train_local.sh --actors 2 --set run.dir="$RUN" "${COMMON[@]}" > "$log" 2>&1 &
  else
    launch/train_local.sh --actors 2 --resume "$RUN" "${COMMON[@]}" > "$log" 2>&1 &
  fi
  job=$!
  # Wait until the learner is up (and, after a resume, has printed where it resumed from).
  for _ in $(seq 1 120); do grep -q "transitions/s" "$log" 2>/dev/null && break; sleep 0.5; done
  if [ "$i" -gt 0 ]; then
    ckpt=$(cat "$LOGS/expected-$i" 2>/dev/null || echo "?")
    line=$(grep -m1 "learner: resumed from" "$log" || true)
    if [ -z "$line" ]; then
      echo "session $i did not resume:"; tail -5 "$log"; failures=$((failures + 1))
    fi
    resumed_updates=$(echo "$line" | sed -n 's/.*: \([0-9]*\) updates.*/\1/p')
    expected_updates=$(manifest_field "$RUN/checkpoints/$ckpt/manifest.json" updates 2>/dev/null || echo "?")
    [ "$resumed_updates" = "$expected_updates" ] || { echo "kill $i: resumed $resumed_updates updates, checkpoint had $expected_updates"; failures=$((failures + 1)); }
    printf "| %d | %s | %s | %s | %s | %s | %s |\n" "$i" "$(cat "$LOGS/after-$i")" "$ckpt" \
      "$expected_updates" "$resumed_updates" "$(cat "$LOGS/lost-transitions-$i")" \
      "$(cat "$LOGS/lost-updates-$i")"
  fi
  [ "$i" -eq "$KILLS" ] && { kill -TERM "$job" 2>/dev/null || true; wait "$job" || true; break; }
  after=$((12 + RANDOM % 20))
  sleep "$after"
  pid=$(learner_pid) || { echo "no learner process found"; tail -5 "$log"; exit 1; }
  kill -KILL "$pid"
  # Under --enable-recovery (launch/train_local.sh) the actors would go on until
  # actor.learner_lost_seconds; end the job now, as a cluster's scheduler would.
  sleep 1
  kill -TERM "$job" 2>/dev/null || true
  wait "$job" || true
  pkill -KILL -f "passrl train.*$RUN" 2>/dev/null || true   # this run's ranks only
  sleep 1
  ckpt=$(cat "$RUN/checkpoints/latest")
  n=$((i + 1))
  echo "$ckpt" > "$LOGS/expected-$n"
  echo "$after" > "$LOGS/after-$n"
  # What the learner had reached at its last metrics line (each second) before the kill, minus
  # what the checkpoint it resumes from holds.
  read -r updates_at_kill inserted_at_kill < <(/usr/bin/python3 - "$RUN/metrics.jsonl" <<'PY'
import json, sys
last = None
for line in open(sys.argv[1]):
    try: last = json.loads(line)
    except ValueError: pass
print(int(last["step"]), int(last["transitions_inserted"]))
PY
)
  m="$RUN/checkpoints/$ckpt/manifest.json"
  echo $((inserted_at_kill - $(manifest_field "$m" transitions_inserted))) > "$LOGS/lost-transitions-$n"
  echo $((updates_at_kill - $(manifest_field "$m" updates))) > "$LOGS/lost-updates-$n"
done
echo
echo "$KILLS kills, $failures failed resumes; logs in $LOGS"
[ "$failures" -eq 0 ]
