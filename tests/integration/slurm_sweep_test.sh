#!/usr/bin/env bash
# `passrl sweep --slurm` end to end on a local Slurm (not run by CI: needs root, a local Slurm and
# several minutes). Brings up a one-node Slurm (launch/slurm_localhost.sh) and runs a two-trial
# grid sweep (learning rate 1e-12, which cannot learn, and 3e-4) whose jobs are array tasks of
# cluster_configs/slurm/sweep.sbatch. While trial 1 trains, the test
#   1. stops the driver (SIGTERM): the array task goes on,
#   2. preempts the task the way Slurm warns of a time limit (SIGUSR1 to its batch shell): it
#      checkpoints and requeues itself,
#   3. resumes the driver (`passrl sweep --resume DIR --slurm`), which adopts the requeued task
#      instead of submitting trial 1 again,
# and checks that the task resumed its trial from the checkpoint, that no job was submitted twice,
# that the useless trial ranks last and was not promoted, and that best.yaml is the other trial.
#
#   tests/integration/slurm_sweep_test.sh [--keep-cluster] [--keep-dir]
#
# About 6-8 minutes: Slurm makes a requeued job wait ~2 minutes before it is eligible again.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
KEEP_CLUSTER=0 KEEP_DIR=0
for a in "$@"; do
  case "$a" in
    --keep-cluster) KEEP_CLUSTER=1 ;;
    --keep-dir) KEEP_DIR=1 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "slurm_sweep_test: unknown argument $a" >&2; exit 2 ;;
  esac
done
T0=$SECONDS
say() { echo "slurm_sweep_test [$((SECONDS - T0))s]: $*"; }
WORK="" DRIVER="" STARTED_CLUSTER=0
fail() {
  echo "slurm_sweep_test: FAIL: $*" >&2
  [ -n "$WORK" ] && for f in "$WORK"/driver*.log "$WORK"/sweep/slurm/*.out; do
    [ -f "$f" ] && { echo "--- last 25 lines of $f:" >&2; tail -n 25 "$f" | sed 's/^/    /' >&2; }
  done
  exit 1
}
cleanup() {
  [ -n "$DRIVER" ] && kill "$DRIVER" 2>/dev/null
  scancel --name=passrl-sweep 2>/dev/null
  if [ "$STARTED_CLUSTER" = 1 ] && [ "$KEEP_CLUSTER" = 0 ]; then
    launch/slurm_localhost.sh --stop >/dev/null 2>&1
  fi
  if [ -n "$WORK" ]; then
    if [ "$KEEP_DIR" = 1 ]; then echo "slurm_sweep_test: kept $WORK"; else rm -rf "$WORK"; fi
  fi
}
trap cleanup EXIT
wait_for() {  # wait_for SECONDS WHAT COMMAND...
  local limit=$1 what=$2 start=$SECONDS
  shift 2
  say "waiting for $what (up to ${limit}s)"
  until "$@"; do
    [ $((SECONDS - start)) -ge "$limit" ] && fail "timed out after ${limit}s waiting for $what"
    sleep 2
  done
  say "... $what ($((SECONDS - start))s)"
}

[ "$(id -u)" -eq 0 ] || fail "needs root (launch/slurm_localhost.sh installs and starts Slurm)"
PASSRL=${PASSRL:-$ROOT/build/launch/passrl}
[ -x "$PASSRL" ] || fail "$PASSRL not built (launch/setup.sh)"
if ! sinfo -h >/dev/null 2>&1; then
  say "starting a local Slurm"
  launch/slurm_localhost.sh >/dev/null || fail "launch/slurm_localhost.sh failed"
  STARTED_CLUSTER=1
fi
WORK=$(mktemp -d /tmp/passrl-slurm-sweep.XXXXXX)
SWEEP=$WORK/sweep
cat >"$WORK/spec.yaml" <<YAML
base_config: $ROOT/cluster_configs/local.yaml
task: ir
strategy: grid
rungs: {min_seconds: 60, max_seconds: 90, eta: 2}
score: {dataset: csmith, split: validation, sample: 4}
slurm: {max_running: 1, poll_seconds: 3, sbatch_args: [--time=00:20:00]}
fixed:
  learner.warmup_transitions: 200
  checkpoint.every_seconds: 10
params:
  sac.learning_rate: [1.0e-12, 0.0003]
YAML

say "starting the sweep driver"
"$PASSRL" sweep --spec "$WORK/spec.yaml" --out "$SWEEP" --slurm >"$WORK/driver1.log" 2>&1 &
DRIVER=$!
wait_for 300 "trial 1 to train and checkpoint" test -s "$SWEEP/trials/t001/run/checkpoints/latest"
kill -TERM "$DRIVER"
wait "$DRIVER"
DRIVER=""
grep -q "the submitted array tasks go on" "$WORK/driver1.log" || fail "driver did not say the tasks go on"
TASK=$(grep -o '"1/0": *"[0-9_]*"' "$SWEEP/slurm/submitted.json" | grep -o '[0-9]*_[0-9]*')
[ -n "$TASK" ] || fail "no array task recorded for trial 1 rung 0"
squeue -h -r -j "${TASK%_*}" -o %i | grep -qx "$TASK" || fail "array task $TASK is not running"
say "preempting array task $TASK (SIGUSR1 to its batch shell)"
scancel --signal=USR1 --batch "$TASK" || fail "scancel --signal=USR1 failed"
wait_for 120 "task $TASK to requeue" bash -c \
  "scontrol show job $TASK | grep -q 'Restarts=1'"

say "resuming the driver"
"$PASSRL" sweep --resume "$SWEEP" --slurm >"$WORK/driver2.log" 2>&1 &
DRIVER=$!
wait_for 900 "the sweep to finish" bash -c "! kill -0 $DRIVER 2>/dev/null"
wait "$DRIVER" || fail "the resumed driver failed"
DRIVER=""
grep -q "resuming: 1 jobs finished (not re-run), 1 still running" "$WORK/driver2.log" ||
  fail "the resumed driver did not adopt the running task"
LOG=$SWEEP/slurm/$TASK.out
grep -q "resuming from" "$LOG" || fail "task $TASK did not resume its trial from a checkpoint"
N=$(cat "$SWEEP"/slurm/array-*.tsv | awk '$1 == 1 && $2 == 0' | wc -l)
[ "$N" = 1 ] || fail "trial 1 rung 0 was submitted $N times"
[ -f "$SWEEP/trials/t000/rung-1.json" ] && fail "the useless trial was promoted"
[ -f "$SWEEP/trials/t001/rung-1.json" ] || fail "trial 1 was not promoted"
LAST=$(sed -n '$p' "$SWEEP/results.csv" | cut -d, -f2)
[ "$LAST" = 0 ] || fail "the last-ranked trial is $LAST, not 0"
grep -q "  learning_rate: 0.0003  #" "$SWEEP/best.yaml" || fail "best.yaml is not trial 1's config"
say "PASS (the driver adopted the requeued task; nothing ran twice; the useless trial ranked last)"
