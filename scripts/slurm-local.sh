#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine (Debian packages slurm-wlm + munge), for
# `serx run --executor slurm` and its integration tests. Needs root (or sudo); works without systemd.
#
#   bash scripts/slurm-local.sh up      # install if missing, write config, start munged/slurmctld/slurmd
#   bash scripts/slurm-local.sh down    # stop the daemons (config and packages stay)
#   bash scripts/slurm-local.sh status
#
# Idempotent: `up` on a running cluster only checks that the node is idle/usable (a second or so).
set -euo pipefail

CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
LOG_DIR=/var/log/slurm
STATE_DIR=/var/spool/slurmctld
SPOOL_DIR=/var/spool/slurmd
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

say() { echo "[slurm-local] $*"; }

# A daemon runs if the pid in its pid file is alive (munged: its socket answers).
running() {
  case "$1" in
  munged) munge -n 2>/dev/null | unmunge >/dev/null 2>&1 ;;
  *) [ -s "/run/$1.pid" ] && kill -0 "$(cat "/run/$1.pid")" 2>/dev/null ;;
  esac
}

install_packages() {
  local missing=()
  command -v slurmctld >/dev/null || missing+=(slurmctld)
  command -v slurmd >/dev/null || missing+=(slurmd)
  command -v sbatch >/dev/null || missing+=(slurm-client)
  command -v munged >/dev/null || missing+=(munge)
  ((${#missing[@]})) || return 0
  say "installing ${missing[*]} (apt-get)"
  local log="${TMPDIR:-/tmp}/serx-slurm-apt.log"
  if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
    </dev/null >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "[slurm-local] apt-get install ${missing[*]} failed (full log: $log)" >&2
    exit 1
  fi
}

start_munge() {
  if [ ! -s /etc/munge/munge.key ]; then
    say "creating the munge key"
    $sudo mkdir -p /etc/munge
    $sudo dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  fi
  $sudo chown munge:munge /etc/munge/munge.key
  $sudo chmod 400 /etc/munge/munge.key
  $sudo mkdir -p /run/munge /var/log/munge /var/lib/munge
  $sudo chown munge:munge /run/munge /var/log/munge /var/lib/munge
  if ! running munged; then
    say "starting munged"
    $sudo runuser -u munge -- /usr/sbin/munged
  fi
  munge -n | unmunge >/dev/null
}

# The config depends only on this machine (hostname, cores, memory), so rewriting it is a no-op
# unless the machine changed; the daemons are reconfigured only when it did.
write_config() {
  local host cpus mem_mb def_mem
  host=$(hostname -s)
  cpus=$(nproc)
  mem_mb=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10))
  def_mem=$((mem_mb / cpus / 2))
  $sudo mkdir -p "$CONF_DIR" "$LOG_DIR" "$STATE_DIR" "$SPOOL_DIR"
  local tmp
  tmp=$(mktemp)
  cat >"$tmp" <<EOF
# Written by serx scripts/slurm-local.sh: a one-node cluster for tests. Do not edit by hand.
ClusterName=serx-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE_DIR
SlurmdSpoolDir=$SPOOL_DIR
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
# finished jobs stay visible to squeue/scontrol for an hour (serx reads final states there, not sacct)
MinJobAge=3600
ReturnToService=2
SlurmdTimeout=300
KillWait=10
DefMemPerCPU=$def_mem
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  if ! cmp -s "$tmp" "$CONF" 2>/dev/null; then
    say "writing $CONF ($host: $cpus CPUs, $mem_mb MB, DefMemPerCPU=$def_mem)"
    $sudo cp "$tmp" "$CONF"
    CONFIG_CHANGED=1
  fi
  rm -f "$tmp"
}

wait_for_node() {
  local state=""
  for _ in $(seq 1 60); do
    state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)
    case "$state" in
    idle | mixed | allocated | completing) return 0 ;;
    down* | drain* | fail*) $sudo scontrol update nodename="$(hostname -s)" state=resume 2>/dev/null || true ;;
    esac
    sleep 0.5
  done
  echo "[slurm-local] the node did not become usable (state: '${state:-unknown}'); see $LOG_DIR/slurmctld.log and slurmd.log" >&2
  exit 1
}

up() {
  CONFIG_CHANGED=0
  install_packages
  start_munge
  write_config
  if ((CONFIG_CHANGED)) && running slurmctld; then
    say "config changed: restarting the daemons"
    down
  fi
  if ! running slurmctld; then
    say "starting slurmctld"
    $sudo /usr/sbin/slurmctld
  fi
  if ! running slurmd; then
    say "starting slurmd"
    $sudo /usr/sbin/slurmd
  fi
  wait_for_node
  say "up: $(sinfo -h -o '%P %D node(s) %c CPUs %m MB %T' | head -n 1)"
}

# Stops a daemon by the pid in its pid file (never by name: other Slurm daemons may share the machine).
stop() {
  local name=$1 pidfile=/run/$1.pid pid i
  [ -s "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill -0 "$pid" 2>/dev/null || return 0
  $sudo kill "$pid" || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  $sudo kill -9 "$pid" || true
}

down() {
  stop slurmd
  stop slurmctld
  say "slurmd and slurmctld stopped (munged left running)"
}

case "${1:-}" in
up) up ;;
down) down ;;
status)
  for d in munged slurmctld slurmd; do running "$d" && echo "$d: running" || echo "$d: stopped"; done
  sinfo 2>/dev/null || true
  ;;
*)
  echo "usage: bash scripts/slurm-local.sh up|down|status" >&2
  exit 2
  ;;
esac
