#!/usr/bin/env bash
# A real SLURM run of the shipped docs/slurm/batch.sbatch: installs slurm-wlm and munge from Debian, starts a one-node
# cluster on localhost by hand (no systemd: munged, slurmctld and slurmd as daemons, a minimal slurm.conf with
# proctrack/linuxproc, task/none and no cgroups, all state in a temporary folder), submits sample-movies/ as an array of
# 2 shards, waits, runs `temtrack report`, and checks the merged summary.csv equals a one-shot `temtrack batch` byte for
# byte. Stops the daemons it started (by their pid files) on exit.
# Usage: scripts/slurm-ci.sh [TEMTRACK]   (default: the Release build's apphost; .ci/run passes the installed tool)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
temtrack=${1:-$repo/src/TemAreaTracker.Cli/bin/Release/net10.0/temtrack}
[ -x "$temtrack" ] || { echo "slurm-ci: no temtrack at $temtrack (build first: dotnet build -c Release)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "slurm-ci: needs root (installs packages, starts munged/slurmctld/slurmd)" >&2; exit 1; }
scripts/ensure-deps.sh slurm-wlm munge

work=$(mktemp -d /tmp/temtrack-slurm.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for f in "$work"/slurmd.pid "$work"/slurmctld.pid "$work"/munge/munged.pid; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT

# munge: its own key, socket and pid file in $work (the system's /etc/munge is not touched).
mkdir -p "$work/munge" "$work/munge-key"
chown munge:munge "$work/munge" "$work/munge-key" && chmod 755 "$work/munge" && chmod 700 "$work/munge-key"
dd if=/dev/urandom of="$work/munge-key/munge.key" bs=1024 count=1 status=none
chown munge:munge "$work/munge-key/munge.key" && chmod 400 "$work/munge-key/munge.key"
sock="$work/munge/munge.socket.2"
runuser -u munge -- /usr/sbin/munged --key-file="$work/munge-key/munge.key" --socket="$sock" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"

host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
mkdir -p "$work/state" "$work/spool"
cat > "$work/slurm.conf" <<CONF
ClusterName=temtrack-ci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
NodeName=ci-node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=ci Nodes=ci-node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
/usr/sbin/slurmctld -f "$SLURM_CONF" -i
/usr/sbin/slurmd -f "$SLURM_CONF" -N ci-node
for _ in $(seq 60); do
  sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && break
  sleep 1
done
sinfo -h -o '%P %D %T %c' || true
sinfo -h -o %T | grep -qE '^(idle|mixed|allocated)' || { echo "slurm-ci: the node did not come up" >&2; tail -20 "$work"/slurm*.log >&2; exit 1; }

# The array: 2 shards of sample-movies/ into one shared folder, with the shipped sbatch file (1 cpu each, so both run).
out="$work/sharded"
sbatch --wait --array=1-2 --cpus-per-task=1 --mem-per-cpu=1G --output="$work/task-%a.out" \
  --export=ALL,INPUT="$repo/sample-movies",OUT="$out",TEMTRACK="$temtrack" docs/slurm/batch.sbatch \
  || { echo "slurm-ci: the array job failed" >&2; tail -n 20 "$work"/task-*.out >&2; exit 1; }
cat "$work"/task-*.out
for k in 1 2; do
  grep -q "(shard $k/2)" "$work/task-$k.out" || { echo "slurm-ci: task $k did not run shard $k/2" >&2; exit 1; }
done
"$temtrack" report "$out"

# The same movies in one process, one shot.
"$temtrack" batch "$repo/sample-movies" --out "$work/oneshot" > "$work/oneshot.log"
if cmp "$out/summary.csv" "$work/oneshot/summary.csv"; then
  echo "slurm-ci: summary.csv of the 2-shard SLURM array equals the one-shot batch byte for byte ($(($(wc -l < "$out/summary.csv") - 1)) particles): OK"
else
  diff "$out/summary.csv" "$work/oneshot/summary.csv" >&2 || true
  echo "slurm-ci: summary.csv differs between the SLURM array and the one-shot batch" >&2
  exit 1
fi
