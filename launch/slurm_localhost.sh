#!/usr/bin/env bash
# A Slurm cluster on this machine, for testing the batch scripts in cluster_configs/slurm/
# (tests/integration/slurm_resume_test.sh). Needs root; meant for a throwaway machine or container
# (Debian 12: no systemd needed, the daemons are started directly).
#
#   launch/slurm_localhost.sh            # install what is missing, write the config, start munged,
#                                        # slurmctld and slurmd, wait until the nodes are idle
#   SLURM_LOCAL_NODES=2 launch/slurm_localhost.sh   # two virtual nodes (one slurmd each), for
#                                        # multi_node.sbatch and hetjob.sbatch
#   launch/slurm_localhost.sh --status   # the daemons' pids and `sinfo`
#   launch/slurm_localhost.sh --stop     # cancel every job, stop the slurmds, slurmctld and munged
#
# Environment: SLURM_LOCAL_NODES (default 1), SLURM_LOCAL_DIR (state, spool, logs, pid files;
# default /var/lib/passrl-slurm). The config goes to /etc/slurm/slurm.conf (and gres.conf), the
# paths every Slurm command reads; a slurm.conf that this script did not write is never
# overwritten. Starting a running cluster only waits for its nodes to be idle.
#
# The cluster "passrl-local": slurmctld and, with one node, a node named $(hostname) at 127.0.0.1
# with the CPU layout `slurmd -C` reports and RealMemory = MemTotal less 5% (at least 512 MB);
# partition "debug" (default). With N > 1 nodes: $(hostname)-1..N, each a slurmd on its own port
# with the machine's whole CPU layout (so their tasks' cpusets overlap: fine for function tests,
# not for timing), partition "gpu" = node 1 with one fake GPU (gres gpu:1, File=/dev/null; Slurm
# sets CUDA_VISIBLE_DEVICES but there is no device) and partition "cpu" = nodes 2..N.
# select/cons_tres with CR_Core (memory is not a consumable: jobs need no --mem);
# proctrack/linuxproc and task/affinity (no cgroups: works in containers, and --cpu-bind=cores still
# sets each task's affinity); JobRequeue=1; srun --mpi=pmix through Debian's mpi_pmix_v4 plugin
# (libpmix2, the PMIx Open MPI uses); backfill every 5 s (heterogeneous jobs start only from
# backfill). No accounting daemon: sacct does not work, `scontrol show job` does.
set -euo pipefail

STATE=${SLURM_LOCAL_DIR:-/var/lib/passrl-slurm}
NODES=${SLURM_LOCAL_NODES:-1}
CONF=/etc/slurm/slurm.conf
GRES_CONF=/etc/slurm/gres.conf
MARKER="# Written by passrl launch/slurm_localhost.sh"
PACKAGES=(slurmctld slurmd slurm-client slurm-wlm-basic-plugins munge libpmix2 openmpi-bin)

log() { echo "slurm_localhost: $*" >&2; }
die() { log "error: $*"; exit 1; }

alive() {  # alive PIDFILE: the pid in the file runs
  [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

stop_pid() {  # stop_pid NAME PIDFILE: SIGTERM, wait up to 20 s, then SIGKILL
  local pid
  alive "$2" || { rm -f "$2"; return 0; }
  pid=$(cat "$2")
  log "stopping $1 (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$2"
}

node_names() {
  local host i
  host=$(hostname)
  if [ "$NODES" -eq 1 ]; then echo "$host"; return; fi
  for i in $(seq "$NODES"); do echo "$host-$i"; done
}

install_missing() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null
}

start_munge() {
  if [ ! -s /etc/munge/munge.key ]; then
    log "creating /etc/munge/munge.key"
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge /etc/munge/munge.key
  chmod 0700 /etc/munge
  chmod 0400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 0755 /run/munge
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
  log "starting munged"
  # munged refuses to run as root; it daemonizes and writes /run/munge/munged.pid itself.
  runuser -u munge -- /usr/sbin/munged
  mkdir -p "$STATE"
  touch "$STATE/munged-started-here"  # --stop stops munged only if this script started it
  for _ in $(seq 20); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "munged did not start (see /var/log/munge/munged.log)"
}

write_conf() {
  local f
  for f in "$CONF" "$GRES_CONF"; do
    if [ -e "$f" ] && ! grep -qF "$MARKER" "$f"; then
      die "$f exists and was not written by this script: not overwriting a real cluster's config"
    fi
  done
  local host layout mem_mb margin names i
  host=$(hostname)
  # slurmd -C: "NodeName=h CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=N"
  layout=$(slurmd -C | head -n 1 | sed -e 's/ RealMemory=[0-9]*//' -e 's/^NodeName=[^ ]*//')
  mem_mb=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 ))
  margin=$(( mem_mb / 20 > 512 ? mem_mb / 20 : 512 ))
  mapfile -t names < <(node_names)
  mkdir -p "$(dirname "$CONF")" "$STATE/ctld" "$STATE/log"
  for i in "${names[@]}"; do mkdir -p "$STATE/d-$i" "$STATE/tmp-$i"; done
  {
    echo "$MARKER on $(date -u +%FT%TZ); launch/slurm_localhost.sh --stop tears it down."
    cat <<EOF
ClusterName=passrl-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmctldDebug=info
# %n: the node name, so several slurmd on one host keep apart (also PMIx's directories in TmpFS)
SlurmdSpoolDir=$STATE/d-%n
SlurmdPidFile=$STATE/slurmd-%n.pid
SlurmdLogFile=$STATE/log/slurmd-%n.log
SlurmdDebug=info
TmpFS=$STATE/tmp-%n
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
JobRequeue=1
ReturnToService=2
KillWait=30
MinJobAge=600
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=5
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
EOF
    if [ "$NODES" -eq 1 ]; then
      echo "NodeName=$host NodeAddr=127.0.0.1$layout RealMemory=$(( mem_mb - margin )) State=UNKNOWN"
      echo "PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP"
    else
      echo "GresTypes=gpu"
      for i in $(seq "$NODES"); do
        echo "NodeName=$host-$i NodeHostname=$host NodeAddr=127.0.0.1 Port=$((17000 + i))$layout" \
          "RealMemory=$(( mem_mb - margin ))$([ "$i" -eq 1 ] && echo " Gres=gpu:1") State=UNKNOWN"
      done
      echo "PartitionName=debug Nodes=$host-[1-$NODES] Default=YES MaxTime=INFINITE State=UP"
      echo "PartitionName=gpu Nodes=$host-1 MaxTime=INFINITE State=UP"
      echo "PartitionName=cpu Nodes=$host-[2-$NODES] MaxTime=INFINITE State=UP"
    fi
  } >"$CONF"
  if [ "$NODES" -eq 1 ]; then
    rm -f "$GRES_CONF"
  else
    printf '%s\nNodeName=%s Name=gpu File=/dev/null\n' "$MARKER" "$host-1" >"$GRES_CONF"
  fi
  log "wrote $CONF: ${#names[@]} node(s) ${names[*]} with$layout RealMemory=$(( mem_mb - margin ))"
}

wait_idle() {
  local states s ok i
  for i in $(seq 120); do
    states=$(sinfo -h -N -o '%t' 2>/dev/null | sort -u | paste -sd' ')
    ok=${states:+1}
    for s in $states; do
      case "$s" in idle|mix|alloc) ;; *) ok="" ;; esac
    done
    if [ -n "$ok" ]; then
      log "nodes are $states"
      sinfo
      return 0
    fi
    # A node that was down when slurmctld stopped comes back down; it is healthy now.
    if [ "$i" -gt 6 ] && grep -qE 'down|drain|drng' <<<"$states"; then
      scontrol update NodeName="$(node_names | paste -sd,)" State=RESUME 2>/dev/null || true
    fi
    sleep 0.5
  done
  die "node states are '${states:-unknown}' after 60 s (see $STATE/log/)"
}

running_slurmds() {
  local n
  for n in $(node_names); do alive "$STATE/slurmd-$n.pid" || return 1; done
}

start() {
  [ "$(id -u)" -eq 0 ] || die "needs root (it installs packages and starts daemons)"
  [[ "$NODES" =~ ^[1-9][0-9]*$ ]] || die "SLURM_LOCAL_NODES must be a positive number"
  install_missing
  start_munge
  if alive "$STATE/slurmctld.pid"; then
    if running_slurmds && [ "$(sinfo -h -N -o %N 2>/dev/null | sort -u | wc -l)" -eq "$NODES" ]; then
      log "already running"
      wait_idle
      return 0
    fi
    die "a cluster with another node count is running: launch/slurm_localhost.sh --stop first"
  fi
  write_conf
  log "starting slurmctld"
  # -c: a fresh cluster every time it comes up (no jobs or node states from an earlier run).
  slurmctld -c
  for _ in $(seq 40); do scontrol ping >/dev/null 2>&1 && break; sleep 0.5; done
  scontrol ping >/dev/null 2>&1 || die "slurmctld did not answer (see $STATE/log/slurmctld.log)"
  local n
  for n in $(node_names); do
    if ! alive "$STATE/slurmd-$n.pid"; then
      log "starting slurmd for node $n"
      slurmd -N "$n"
    fi
  done
  wait_idle
}

stop() {
  [ "$(id -u)" -eq 0 ] || die "needs root"
  local f
  if alive "$STATE/slurmctld.pid"; then
    scancel --user=root 2>/dev/null || true
    sleep 1
  fi
  for f in "$STATE"/slurmd-*.pid; do
    [ -e "$f" ] || continue
    f=${f##*/slurmd-}
    stop_pid "slurmd $f" "$STATE/slurmd-${f%.pid}.pid"
  done
  stop_pid slurmctld "$STATE/slurmctld.pid"
  if [ -e "$STATE/munged-started-here" ]; then
    stop_pid munged /run/munge/munged.pid
    rm -f "$STATE/munged-started-here"
  fi
  log "stopped (state and logs kept in $STATE)"
}

status() {
  local f
  if alive "$STATE/slurmctld.pid"; then echo "slurmctld: running (pid $(cat "$STATE/slurmctld.pid"))"; else echo "slurmctld: stopped"; fi
  for f in "$STATE"/slurmd-*.pid; do
    [ -e "$f" ] || continue
    if alive "$f"; then echo "slurmd ${f##*/}: running (pid $(cat "$f"))"; fi
  done
  if alive /run/munge/munged.pid; then echo "munged: running (pid $(cat /run/munge/munged.pid))"; else echo "munged: stopped"; fi
  sinfo 2>/dev/null || true
}

case "${1:-}" in
  "") start ;;
  --stop) stop ;;
  --status) status ;;
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument '$1' (use --stop, --status or no argument)" ;;
esac
