#!/usr/bin/env bash
# Runs `passrl train` on this machine under mpirun: 1 learner + N actors (default: one per core,
# at least 2). Extra arguments go to `passrl train` (e.g. --set run.duration_seconds=600).
#   launch/train_local.sh [--actors N] [--config FILE] [passrl train args...]
#   launch/train_local.sh --resume runs/local      (the run's own config.yaml unless --config)
set -euo pipefail
cd "$(dirname "$0")/.."
ACTORS=$(( $(nproc) > 2 ? $(nproc) : 2 ))
CONFIG=""
RESUME=0
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --actors) ACTORS="$2"; shift 2 ;;
    --config) CONFIG="$2"; shift 2 ;;
    --resume) RESUME=1; ARGS+=("$1"); shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
if [ -z "$CONFIG" ] && [ "$RESUME" -eq 0 ]; then CONFIG=cluster_configs/local.yaml; fi
[ -n "$CONFIG" ] && ARGS=(--config "$CONFIG" "${ARGS[@]}")
# passrl pins actors itself (hwloc). --enable-recovery: a lost actor rank does not end the job
# (Open MPI's default aborts everything); the learner reports it silent and goes on.
MPI_FLAGS=(--oversubscribe --bind-to none --enable-recovery)
[ "$(id -u)" -eq 0 ] && MPI_FLAGS+=(--allow-run-as-root)
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
# $PASSRL: another passrl binary (e.g. a copy that a rebuild of the tree cannot replace mid-run).
exec mpirun "${MPI_FLAGS[@]}" -np $((ACTORS + 1)) "${PASSRL:-build/launch/passrl}" train "${ARGS[@]}"
