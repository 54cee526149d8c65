#!/usr/bin/env bash
# One MPI rank of `passrl train` under srun: the batch scripts in this folder run
#   srun --mpi=pmix ... cluster_configs/slurm/rank.sh build/launch/passrl train ...
# Rank 0 (the learner) writes "HOST SLURMD_NODENAME PID" to $PASSRL_LEARNER_FILE, so the batch
# script can send SIGUSR1 to the learner alone (srun would deliver it to every process of the step,
# actors' environment workers and benchmark children included). Other ranks (actors) ignore SIGUSR1:
# they stop when the learner tells them to. Output is line-buffered so logs stay in order.
set -eu
if [ "${SLURM_PROCID:-0}" = 0 ]; then
  if [ -n "${PASSRL_LEARNER_FILE:-}" ]; then
    echo "$(hostname) ${SLURMD_NODENAME:-} $$" >"$PASSRL_LEARNER_FILE"
  fi
else
  trap '' USR1  # ignored dispositions survive exec
fi
# One OpenMP/OpenBLAS thread per allocated CPU (actors: 1); PASSIVE: idle threads sleep.
export OMP_NUM_THREADS="${SLURM_CPUS_PER_TASK:-1}" OMP_WAIT_POLICY=PASSIVE
exec stdbuf -oL -eL "$@"
