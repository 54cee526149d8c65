# Shared by cluster_configs/slurm/*.sbatch (sourced, not run): run directory, resume, the srun
# step in the background, SIGUSR1 -> final checkpoint -> requeue. See docs/SLURM.md.
#
# Environment (all optional):
#   PASSRL_ROOT         repository root: build/launch/passrl and the configs (default: the
#                       directory sbatch was run from, $SLURM_SUBMIT_DIR)
#   PASSRL              the passrl binary (default $PASSRL_ROOT/build/launch/passrl)
#   CONFIG              run config (default: the script's, e.g. cluster_configs/single_node.yaml)
#   RUN_DIR             run directory, on a filesystem every node sees (default
#                       $PASSRL_ROOT/runs/slurm-$SLURM_JOB_ID; the job id survives requeues)
#   PASSRL_ARGS         extra `passrl train` arguments, split on spaces (e.g. "--set run.seed=2");
#                       arguments after the script name on the sbatch line are added too
#   STOP_GRACE_SECONDS  after SIGUSR1, how long the learner gets to checkpoint and stop before the
#                       step gets SIGTERM (default 100; keep it below the @120 of --signal)
#   MAX_RESTARTS        requeue at most this many times (default 1000)
#   REQUEUE_ON_FAILURE  1: also requeue when the step fails without a stop signal (the learner
#                       died, a node failed; a dead actor alone does not stop the others, see
#                       docs/SLURM.md); the next run resumes from the last checkpoint (default 0)
# shellcheck shell=bash

passrl_log() { echo "passrl-slurm [$(date -u +%FT%TZ)] $*"; }

# passrl_setup DEFAULT_CONFIG [ARGS...]: sets PASSRL_CMD (the command each rank runs).
passrl_setup() {
  local default_config=$1
  shift
  PASSRL_ROOT=${PASSRL_ROOT:-${SLURM_SUBMIT_DIR:-$PWD}}
  cd "$PASSRL_ROOT" || { passrl_log "error: cannot cd to PASSRL_ROOT=$PASSRL_ROOT"; exit 1; }
  PASSRL=${PASSRL:-$PASSRL_ROOT/build/launch/passrl}
  CONFIG=${CONFIG:-$default_config}
  RUN_DIR=${RUN_DIR:-$PASSRL_ROOT/runs/slurm-$SLURM_JOB_ID}
  case "$RUN_DIR" in /*) ;; *) RUN_DIR=$PASSRL_ROOT/$RUN_DIR ;; esac
  STOP_GRACE_SECONDS=${STOP_GRACE_SECONDS:-100}
  MAX_RESTARTS=${MAX_RESTARTS:-1000}
  RANK_SH=$PASSRL_ROOT/cluster_configs/slurm/rank.sh
  [ -x "$PASSRL" ] || { passrl_log "error: $PASSRL is not an executable (build first, or set PASSRL)"; exit 1; }
  [ -f "$CONFIG" ] || { passrl_log "error: config $CONFIG not found (set CONFIG)"; exit 1; }
  mkdir -p "$RUN_DIR"
  export PASSRL_LEARNER_FILE=$RUN_DIR/.slurm-learner-$SLURM_JOB_ID
  rm -f "$PASSRL_LEARNER_FILE"
  local extra=()
  read -r -a extra <<<"${PASSRL_ARGS:-}"
  PASSRL_CMD=(bash "$RANK_SH" "$PASSRL" train --config "$CONFIG" --set "run.dir=$RUN_DIR" "${extra[@]}" "$@")
  passrl_log "job $SLURM_JOB_ID restart ${SLURM_RESTART_COUNT:-0} on $(hostname) (nodes ${SLURM_JOB_NODELIST:-?}), run dir $RUN_DIR"
  if [ -s "$RUN_DIR/checkpoints/latest" ]; then
    PASSRL_CMD+=(--resume "$RUN_DIR")
    passrl_log "resuming from $RUN_DIR/checkpoints/$(cat "$RUN_DIR/checkpoints/latest")"
  fi
}

PASSRL_STOPPING=""  # usr1 / term: the batch shell was told to stop; requeued: it requeued the job

# Sends SIGUSR1 to the learner alone (the pid rank.sh recorded), on its node.
passrl_signal_learner() {
  local host="" node="" pid=""
  for _ in $(seq 20); do  # a signal right after start: rank 0 may not have written its pid yet
    [ -s "$PASSRL_LEARNER_FILE" ] && break
    sleep 0.5
  done
  read -r host node pid <"$PASSRL_LEARNER_FILE" 2>/dev/null || true
  if [ -z "$pid" ]; then
    passrl_log "no learner pid in $PASSRL_LEARNER_FILE: sending SIGUSR1 to the whole step"
    kill -USR1 "$SRUN_PID" 2>/dev/null || true
  elif [ "$host" = "$(hostname)" ]; then
    passrl_log "SIGUSR1 -> learner (pid $pid)"
    kill -USR1 "$pid" 2>/dev/null || passrl_log "learner pid $pid is gone"
  else
    # Another node: a one-task step that shares the running step's CPUs (--overlap).
    passrl_log "SIGUSR1 -> learner (pid $pid on $node)"
    env -u SLURM_HOSTFILE srun --overlap --nodes=1 --ntasks=1 --nodelist="$node" \
      kill -USR1 "$pid" || passrl_log "could not signal the learner on $node"
  fi
}

passrl_on_usr1() {
  [ -n "$PASSRL_STOPPING" ] && return
  PASSRL_STOPPING=usr1
  passrl_log "got SIGUSR1 (time limit or preemption): final checkpoint, then requeue"
  passrl_signal_learner
}

passrl_on_term() {
  # scancel, a preemption without the warning signal, or the time limit: Slurm sends SIGTERM to
  # every process of the job itself (the learner checkpoints on it) and SIGKILL KillWait seconds
  # later. Wait for the step; do not requeue (a preempted job is requeued by Slurm itself).
  # A SIGTERM after SIGUSR1 (scancel while the learner stops) also cancels the requeue: a
  # requeue then would bring back a job the user just cancelled.
  case "$PASSRL_STOPPING" in
    term) return ;;
    requeued) exit 0 ;;  # Slurm ending this shell after our requeue
  esac
  PASSRL_STOPPING=term
  passrl_log "got SIGTERM: waiting for the step to stop; no requeue"
}

# passrl_run SRUN_ARGS...: runs `srun SRUN_ARGS... PASSRL_CMD` and handles the signals; exits
# (after calling passrl_after_success, when the script defines it and the step succeeded).
# An argument "@PASSRL@" is replaced by PASSRL_CMD instead (heterogeneous steps name the command
# once per component: `srun OPTS0 @PASSRL@ : OPTS1 @PASSRL@`).
passrl_run() {
  local argv=() a
  for a in "$@"; do
    if [ "$a" = @PASSRL@ ]; then argv+=("${PASSRL_CMD[@]}"); else argv+=("$a"); fi
  done
  [[ " $* " == *" @PASSRL@ "* ]] || argv+=("${PASSRL_CMD[@]}")
  trap passrl_on_usr1 USR1
  trap passrl_on_term TERM
  passrl_log "srun ${argv[*]}"
  srun "${argv[@]}" &
  SRUN_PID=$!
  local rc deadline
  # `wait` returns early (status > 128) whenever a trapped signal arrives: wait again until the
  # step is really over. After SIGUSR1, give the learner STOP_GRACE_SECONDS, then SIGTERM the step.
  while :; do
    wait "$SRUN_PID"
    rc=$?
    if ! kill -0 "$SRUN_PID" 2>/dev/null; then
      wait "$SRUN_PID"  # bash keeps the status: srun's own, not the interrupted wait's
      rc=$?
      break
    fi
    if [ "$PASSRL_STOPPING" = usr1 ] && [ -z "${deadline:-}" ]; then
      deadline=$((SECONDS + STOP_GRACE_SECONDS))
      while kill -0 "$SRUN_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 1; done
      if kill -0 "$SRUN_PID" 2>/dev/null; then
        passrl_log "the step is still running after ${STOP_GRACE_SECONDS}s: SIGTERM to every task"
        kill -TERM "$SRUN_PID" 2>/dev/null || true
      fi
    fi
  done
  rm -f "$PASSRL_LEARNER_FILE"
  passrl_log "step finished with status $rc"
  if [ "$PASSRL_STOPPING" = usr1 ] ||
    { [ -z "$PASSRL_STOPPING" ] && [ "$rc" -ne 0 ] && [ "${REQUEUE_ON_FAILURE:-0}" = 1 ]; }; then
    if [ "${SLURM_RESTART_COUNT:-0}" -ge "$MAX_RESTARTS" ]; then
      passrl_log "restarted ${SLURM_RESTART_COUNT} times already (MAX_RESTARTS): not requeueing"
      exit "$rc"
    fi
    if [ -s "$RUN_DIR/checkpoints/latest" ]; then
      passrl_log "requeueing job $SLURM_JOB_ID (latest checkpoint $(cat "$RUN_DIR/checkpoints/latest"))"
    else
      passrl_log "requeueing job $SLURM_JOB_ID (no checkpoint yet: it starts over)"
    fi
    # The job goes back to the queue (eligible again about 2 minutes later); Slurm ends this
    # shell at once, with SIGTERM, as part of the requeue.
    PASSRL_STOPPING=requeued
    scontrol requeue "$SLURM_JOB_ID" || { passrl_log "error: scontrol requeue failed"; exit 1; }
    sleep 60 &  # let Slurm end the job as requeued rather than as completed
    wait $!
    exit 0
  fi
  # A script's own step after a training that ran to its end (sweep.sbatch scores its trial); not
  # after one stopped by a signal, whose policy is not the finished one.
  if [ "$rc" -eq 0 ] && [ -z "$PASSRL_STOPPING" ] && declare -F passrl_after_success >/dev/null; then
    passrl_after_success
    rc=$?
  fi
  exit "$rc"
}
