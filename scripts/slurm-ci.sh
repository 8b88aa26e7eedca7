#!/usr/bin/env bash
# The README's Slurm job array, run for real on a single-node cluster started here (munge,
# slurmctld, slurmd; no cgroups or systemd): a small sweep as an array of 2 tasks, one task sent
# Slurm's pre-emption signal mid-run (it checkpoints, exits 130, is requeued and continues), then
# the dependent merge job. The merged runs must equal the same sweep trained without Slurm, wall
# time aside. Every daemon started here is stopped by its PID.
#
#   EXPERIMENTS=target/debug/experiments MNIST_DIR=../shared/mnist scripts/slurm-ci.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${EXPERIMENTS:?set EXPERIMENTS to the experiments binary}"
: "${MNIST_DIR:?set MNIST_DIR to the MNIST files}"
EXPERIMENTS=$(realpath "$EXPERIMENTS")
started=$(date +%s)
T=$(mktemp -d /tmp/slurm-ci.XXXXXX)
chmod 755 "$T"
pids=()
stop_daemons() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
}
trap stop_daemons EXIT
fail() {
    echo "slurm-ci: $*" >&2
    tail -n 20 "$T"/*.log "$T"/*.out 2>/dev/null >&2 || true
    exit 1
}
# Wait up to $1 seconds for the command after it to succeed.
within() {
    local limit=$1
    shift
    for _ in $(seq $((limit * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    return 1
}

# munge, on a socket of its own so another munged on this machine does not matter.
[ -s /etc/munge/munge.key ] || mungekey --create
install -d -o munge -g munge "$T/munge"
setpriv --reuid=munge --regid=munge --init-groups munged -F \
    --socket="$T/munge/socket" --pid-file="$T/munge/pid" --seed-file="$T/munge/seed" \
    --log-file="$T/munged.log" >"$T/munged.out" 2>&1 &
pids+=($!)
within 10 test -S "$T/munge/socket" || fail "munged did not start"

mkdir -p "$T/state" "$T/spool"
cat > "$T/slurm.conf" <<CONF
ClusterName=ci
SlurmctldHost=$(hostname)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge/socket
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
DependencyParameters=kill_invalid_depend
JobRequeue=1
$(slurmd -C | head -n 1) State=UNKNOWN
PartitionName=ci Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$T/slurm.conf"
slurmctld -D -f "$SLURM_CONF" >"$T/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$T/slurmd.out" 2>&1 &
pids+=($!)
within 30 bash -c '[ "$(sinfo -h -o %T)" = idle ]' || fail "the node did not come up"
echo "slurm-ci: cluster up after $(($(date +%s) - started)) s"

# The sweep: 4 runs of the dropout CNN, 2 epochs of 40 steps, a checkpoint every 5 steps.
SWEEP="--data-dir $MNIST_DIR --backend flex --model pytorch-example --epochs 2 --batch-size 32
    --train-limit 1280 --test-limit 100 --validation 300 --schedule fixed,cosine,clr,step
    --checkpoint-every 5 --quiet"
# shellcheck disable=SC2086
MNIST_NO_DOWNLOAD=1 "$EXPERIMENTS" $SWEEP --out "$T/plain" --name sweep >/dev/null

export EXPERIMENTS SWEEP OUT="$T/slurm" NAME=sweep MNIST_NO_DOWNLOAD=1
array=$(sbatch --parsable --array=1-2 --output="$T/task-%a.out" scripts/slurm/sweep.sbatch)
# Once task 1 has a checkpoint, send it what Slurm sends before a pre-emption.
shard1="$T/slurm/sweep-shard-1-of-2"
within 120 bash -c "ls $shard1/*/checkpoint.bin" || fail "task 1 wrote no checkpoint"
scancel --batch --signal=USR1 "${array}_1"
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    --output="$T/merge.out" \
    --wrap "'$EXPERIMENTS' report '$shard1' '$T/slurm/sweep-shard-2-of-2' --out '$T/slurm/sweep'")
state() { scontrol show job "$1" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1; }
export -f state
within 600 bash -c "[ \"\$(state $merge)\" = COMPLETED ]" || fail "the merge job ended $(state "$merge")"
restarts=$(scontrol show job "${array}_1" | sed -n 's/.*Restarts=\([0-9]*\).*/\1/p')
[ "${restarts:-0}" -ge 1 ] || fail "task 1 was not requeued"
grep -q "SIGUSR1: stopping after this step" "$T/task-1.out" || fail "task 1 did not see the signal"

# The same runs, step for step, as without Slurm (the time column aside).
for run in fixed cosine clr step; do
    for f in "$T/plain/sweep/$run/metrics.csv" "$T/slurm/sweep/$run/metrics.csv"; do
        [ -s "$f" ] || fail "$f is missing"
    done
    cmp <(sed 's/,[^,]*$//' "$T/plain/sweep/$run/metrics.csv") \
        <(sed 's/,[^,]*$//' "$T/slurm/sweep/$run/metrics.csv") || fail "$run differs under Slurm"
done
echo "slurm-ci: array of 2 (task 1 signalled, requeued $restarts time(s)), merge, 4 runs equal to the plain sweep, in $(($(date +%s) - started)) s"
rm -rf "$T"
