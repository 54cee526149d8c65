#!/usr/bin/env bash
# Preemption and resume under Slurm, end to end (not run by CI: needs root, a local Slurm and
# several minutes). Brings up a one-node Slurm on this machine (launch/slurm_localhost.sh), submits
# cluster_configs/slurm/one_node.sbatch with a short run, waits for a checkpoint, preempts the job
# the way Slurm warns it before a time limit (SIGUSR1 to the batch shell), and checks that
#   1. the job requeues itself and runs again (SLURM_RESTART_COUNT 1),
#   2. the second run's log has the learner's "learner: resumed from",
#   3. the final checkpoint's manifest.json has more "updates" than the one written at preemption.
#
#   tests/integration/slurm_resume_test.sh            # with build/launch/passrl
#   tests/integration/slurm_resume_test.sh --fake     # with a stand-in for `passrl train` built
#                                                     # here with mpicc: tests the Slurm side alone
#   Options: --keep-cluster (leave Slurm running), --keep-dir (leave the run and logs).
#   Environment: DURATION (run.duration_seconds, default 240), ACTORS (default 1), PASSRL.
#
# About 5-7 minutes: Slurm makes a requeued job wait ~2 minutes before it is eligible again.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD

FAKE=0 KEEP_CLUSTER=0 KEEP_DIR=0
for a in "$@"; do
  case "$a" in
    --fake) FAKE=1 ;;
    --keep-cluster) KEEP_CLUSTER=1 ;;
    --keep-dir) KEEP_DIR=1 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "slurm_resume_test: unknown argument $a" >&2; exit 2 ;;
  esac
done
DURATION=${DURATION:-240}
ACTORS=${ACTORS:-1}

T0=$SECONDS
say() { echo "slurm_resume_test [$((SECONDS - T0))s]: $*"; }
JOB="" WORK="" STARTED_CLUSTER=0
fail() {
  echo "slurm_resume_test: FAIL: $*" >&2
  if [ -n "$JOB" ]; then
    echo "--- squeue / scontrol for job $JOB:" >&2
    squeue -j "$JOB" 2>&1 | sed 's/^/    /' >&2
    scontrol show job "$JOB" 2>/dev/null | grep -E "JobState|Restarts|Reason" | sed 's/^/    /' >&2
  fi
  if [ -n "$WORK" ] && [ -f "$WORK/job.log" ]; then
    echo "--- last 40 lines of $WORK/job.log:" >&2
    tail -n 40 "$WORK/job.log" | sed 's/^/    /' >&2
  fi
  exit 1
}
cleanup() {
  [ -n "$JOB" ] && scancel "$JOB" 2>/dev/null
  if [ "$STARTED_CLUSTER" = 1 ] && [ "$KEEP_CLUSTER" = 0 ]; then
    launch/slurm_localhost.sh --stop >/dev/null 2>&1
  fi
  if [ -n "$WORK" ]; then
    if [ "$KEEP_DIR" = 1 ]; then echo "slurm_resume_test: kept $WORK"; else rm -rf "$WORK"; fi
  fi
}
trap cleanup EXIT

# wait_for SECONDS WHAT COMMAND...: polls COMMAND every 2 s until it succeeds; fails at once if
# the job has ended meanwhile (unless JOB_MAY_END=1).
JOB_MAY_END=0
wait_for() {
  local limit=$1 what=$2 start=$SECONDS state
  shift 2
  say "waiting for $what (up to ${limit}s)"
  until "$@"; do
    [ $((SECONDS - start)) -ge "$limit" ] && fail "timed out after ${limit}s waiting for $what"
    if [ -n "$JOB" ] && [ "$JOB_MAY_END" = 0 ]; then
      state=$(job_state)
      case "$state" in
        COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE)
          "$@" || fail "job $JOB ended ($state) while waiting for $what" ;;
      esac
    fi
    sleep 2
  done
  say "... $what ($((SECONDS - start))s)"
}

# updates_of CHECKPOINT_DIR: the "updates" counter in its manifest.json.
updates_of() {
  grep -o '"updates": *[0-9]*' "$1/manifest.json" 2>/dev/null | head -n 1 | grep -o '[0-9]*$'
}
latest_ckpt() {  # the directory checkpoints/latest names (empty if none)
  local name
  name=$(cat "$RUN_DIR/checkpoints/latest" 2>/dev/null) || return 0
  [ -n "$name" ] && echo "$RUN_DIR/checkpoints/$name"
}
job_state() { scontrol show job "$JOB" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1 | cut -d= -f2; }
restarts() { scontrol show job "$JOB" 2>/dev/null | grep -o 'Restarts=[0-9]*' | cut -d= -f2; }

[ "$(id -u)" -eq 0 ] || fail "needs root (launch/slurm_localhost.sh installs and starts Slurm)"
WORK=$(mktemp -d /tmp/passrl-slurm-test.XXXXXX)
RUN_DIR=$WORK/run
CONFIG=cluster_configs/local.yaml

# 1. The program under test.
if [ "$FAKE" = 1 ]; then
  say "building the stand-in for passrl train (mpicc)"
  command -v mpicc >/dev/null || fail "mpicc not found (apt-get install libopenmpi-dev)"
  cat >"$WORK/stand_in.c" <<'EOF'
// Stand-in for `passrl train` keeping its checkpoint/resume contract, to test the Slurm scripts
// alone. Rank 0 counts "updates" (10 per 0.1 s), checkpoints every checkpoint.every_seconds into
// RUN_DIR/checkpoints/ckpt-<9 digits>/manifest.json (+ latest, written last) and at the end, stops
// on SIGUSR1/SIGTERM or after run.duration_seconds, then tells the other ranks to stop.
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
static volatile sig_atomic_t stop_signal = 0;
static void on_signal(int s) { stop_signal = s; }
static char run_dir[4096] = "runs/fake";
static long updates = 0, sequence = 0;
static void checkpoint(void) {
  char dir[4200], ck[4400], path[4600], final_path[4600];
  snprintf(dir, sizeof dir, "%s/checkpoints", run_dir);
  mkdir(run_dir, 0755); mkdir(dir, 0755);
  snprintf(ck, sizeof ck, "%s/ckpt-%09ld", dir, ++sequence);
  mkdir(ck, 0755);
  snprintf(path, sizeof path, "%s/manifest.json", ck);
  FILE* f = fopen(path, "w");
  fprintf(f, "{\n \"counters\": {\n  \"updates\": %ld\n },\n \"fake\": true\n}\n", updates);
  fclose(f);
  snprintf(path, sizeof path, "%s/latest.tmp", dir);
  f = fopen(path, "w"); fprintf(f, "ckpt-%09ld\n", sequence); fclose(f);
  snprintf(final_path, sizeof final_path, "%s/latest", dir);
  rename(path, final_path);
  printf("learner: checkpoint ckpt-%09ld (updates %ld)\n", sequence, updates); fflush(stdout);
}
int main(int argc, char** argv) {
  double duration = 240, every = 20;
  const char* resume = NULL;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--resume") && i + 1 < argc) resume = argv[++i];
    else if (!strcmp(argv[i], "--set") && i + 1 < argc) {
      const char* kv = argv[++i];
      if (!strncmp(kv, "run.dir=", 8)) snprintf(run_dir, sizeof run_dir, "%s", kv + 8);
      else if (!strncmp(kv, "run.duration_seconds=", 21)) duration = atof(kv + 21);
      else if (!strncmp(kv, "checkpoint.every_seconds=", 25)) every = atof(kv + 25);
    }
  }
  MPI_Init(&argc, &argv);
  int rank, size, stop = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank); MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Request r;
  if (rank == 0) {
    signal(SIGUSR1, on_signal); signal(SIGTERM, on_signal);
    if (resume) {
      char p[4400], name[256] = "", text[4096] = "";
      snprintf(p, sizeof p, "%s/checkpoints/latest", resume);
      FILE* f = fopen(p, "r");
      if (f && fscanf(f, "%255s", name) == 1) {
        fclose(f);
        sequence = atol(name + 5);
        snprintf(p, sizeof p, "%s/checkpoints/%s/manifest.json", resume, name);
        f = fopen(p, "r");
        if (f) { text[fread(text, 1, sizeof text - 1, f)] = 0; fclose(f); }
        const char* u = strstr(text, "\"updates\":");
        if (u) updates = atol(u + 10);
        printf("learner: resumed from %s/checkpoints/%s: %ld updates\n", resume, name, updates);
      } else {
        fprintf(stderr, "learner: --resume %s: no checkpoint\n", resume);
        return 1;
      }
    }
    printf("learner: %d actors (stand-in)\n", size - 1); fflush(stdout);
    time_t start = time(NULL), last = start;
    while (!stop_signal && (duration <= 0 || difftime(time(NULL), start) < duration)) {
      usleep(100000); updates += 10;
      if (difftime(time(NULL), last) >= every) { checkpoint(); last = time(NULL); }
    }
    if (stop_signal) printf("learner: signal %d: final checkpoint\n", (int)stop_signal);
    checkpoint();
    MPI_Ibcast(&stop, 1, MPI_INT, 0, MPI_COMM_WORLD, &r);
    MPI_Wait(&r, MPI_STATUS_IGNORE);
  } else {
    signal(SIGUSR1, SIG_IGN);
    int done = 0;
    MPI_Ibcast(&stop, 1, MPI_INT, 0, MPI_COMM_WORLD, &r);
    while (!done) { MPI_Test(&r, &done, MPI_STATUS_IGNORE); if (!done) usleep(100000); }
    printf("actor %d: stopped by the learner\n", rank); fflush(stdout);
  }
  MPI_Finalize();
  return 0;
}
EOF
  mpicc -O1 -o "$WORK/stand_in" "$WORK/stand_in.c" || fail "could not build the stand-in"
  PASSRL=$WORK/stand_in  # not named passrl: scripts that pkill -f "passrl train" spare it
else
  PASSRL=${PASSRL:-$ROOT/build/launch/passrl}
  [ -x "$PASSRL" ] || fail "$PASSRL not built (launch/setup.sh), or run with --fake"
  "$PASSRL" train --help 2>&1 | grep -q -- '--resume' ||
    fail "$PASSRL train has no --resume yet (run with --fake to test the Slurm side alone)"
  "$PASSRL" train --config "$CONFIG" --set checkpoint.every_seconds=20 --print-config >/dev/null 2>&1 ||
    fail "$PASSRL does not accept checkpoint.every_seconds (run with --fake to test the Slurm side)"
fi

# 2. The cluster.
if launch/slurm_localhost.sh --status 2>/dev/null | grep -q '^slurmctld: running'; then
  say "using the running local Slurm"
else
  STARTED_CLUSTER=1
fi
SLURM_LOCAL_NODES=1 launch/slurm_localhost.sh || fail "launch/slurm_localhost.sh could not bring Slurm up"

# 3. Submit. --time well beyond the test: the preemption below is the only stop signal.
say "submitting one_node.sbatch: 1 learner + $ACTORS actor(s), run.duration_seconds=$DURATION, run dir $RUN_DIR"
JOB=$(PASSRL=$PASSRL RUN_DIR=$RUN_DIR CONFIG=$CONFIG \
  sbatch --parsable --ntasks=$((ACTORS + 1)) --time=30 --job-name=passrl-resume-test \
  --output="$WORK/job.log" cluster_configs/slurm/one_node.sbatch \
  --set run.duration_seconds="$DURATION" --set learner.warmup_transitions=200 \
  --set checkpoint.every_seconds=20) || fail "sbatch failed"
JOB=${JOB%%;*}
say "job $JOB submitted"
wait_for 120 "job $JOB to start" bash -c "[ \"\$(scontrol show job $JOB | grep -o 'JobState=[A-Z]*')\" = JobState=RUNNING ]"
wait_for 300 "a first checkpoint ($RUN_DIR/checkpoints/latest)" test -s "$RUN_DIR/checkpoints/latest"
say "latest checkpoint: $(latest_ckpt) ($(updates_of "$(latest_ckpt)") updates)"

# 4. Preempt: SIGUSR1 to the batch shell, as `#SBATCH --signal=B:USR1@120` does before the limit.
say "preempting: scancel --signal=USR1 --batch $JOB"
scancel --signal=USR1 --batch "$JOB" || fail "scancel --signal=USR1 --batch $JOB failed"
wait_for 150 "the batch script to requeue the job" grep -q "requeueing job $JOB" "$WORK/job.log"
wait_for 60 "job $JOB back in the queue" bash -c "[ \"\$(scontrol show job $JOB | grep -o 'Restarts=[0-9]*')\" = Restarts=1 ] && scontrol show job $JOB | grep -q 'JobState=PENDING'"
grep -q "SIGUSR1 -> learner" "$WORK/job.log" || fail "the batch script did not signal the learner"
AT_PREEMPTION=$(latest_ckpt)
UPDATES_AT_PREEMPTION=$(updates_of "$AT_PREEMPTION")
[ -n "$UPDATES_AT_PREEMPTION" ] || fail "no \"updates\" in $AT_PREEMPTION/manifest.json"
say "checkpoint at preemption: $AT_PREEMPTION ($UPDATES_AT_PREEMPTION updates); job $JOB is $(job_state), reason $(scontrol show job "$JOB" | grep -o 'Reason=[A-Za-z]*')"

# 5. The requeued run (Slurm holds a requeued job ~2 minutes: BeginTime).
wait_for 360 "job $JOB to run again" bash -c "grep -q 'job $JOB restart 1 ' '$WORK/job.log'"
wait_for 120 "the learner to resume" bash -c "sed -n '/job $JOB restart 1 /,\$p' '$WORK/job.log' | grep -q 'learner: resumed from'"
say "$(sed -n "/job $JOB restart 1 /,\$p" "$WORK/job.log" | grep -m 1 'learner: resumed from')"
sed -n "/job $JOB restart 1 /,\$p" "$WORK/job.log" | grep -q -- "--resume $RUN_DIR" ||
  fail "the second run was not started with --resume $RUN_DIR"

# 6. Let it finish (run.duration_seconds; the budget allows for a fresh clock after resume).
JOB_MAY_END=1
wait_for $((DURATION + 240)) "job $JOB to complete" bash -c "case \$(scontrol show job $JOB 2>/dev/null | grep -o 'JobState=[A-Z_]*') in JobState=COMPLETED|JobState=FAILED|JobState=CANCELLED|JobState=TIMEOUT|JobState=NODE_FAIL|JobState=OUT_OF_MEMORY|'') exit 0;; *) exit 1;; esac"
STATE=$(job_state)
[ "$STATE" = COMPLETED ] || fail "job $JOB ended $STATE, not COMPLETED"
[ "$(restarts)" = 1 ] || fail "job $JOB restarted $(restarts) times, expected 1"
FINAL=$(latest_ckpt)
UPDATES_FINAL=$(updates_of "$FINAL")
[ -n "$UPDATES_FINAL" ] || fail "no \"updates\" in $FINAL/manifest.json"
say "final checkpoint: $FINAL ($UPDATES_FINAL updates)"
[ "$UPDATES_FINAL" -gt "$UPDATES_AT_PREEMPTION" ] ||
  fail "final checkpoint has $UPDATES_FINAL updates, not more than $UPDATES_AT_PREEMPTION at preemption"
JOB=""  # done: nothing to cancel
say "PASS: preempted at $UPDATES_AT_PREEMPTION updates, requeued, resumed, finished at $UPDATES_FINAL"
echo "1 passed, 0 failed"
