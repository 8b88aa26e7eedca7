#!/usr/bin/env bash
# Trains the committed suite (configs/suite.toml) into results/suite, one shard at a time, in
# the order that finishes whole workloads first; then draws the reports. Each shard continues
# where a stopped one left off, so running this again after a kill resumes it. A shard's arms
# write their rows to results/suite/WORKLOAD/arms/ as each finishes: commit those.
#   EXPERIMENTS=path/to/experiments scripts/suite.sh [SHARD…]   (SHARD: WORKLOAD:I/N)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${EXPERIMENTS:-target/release/experiments}"
shards=("$@")
if [ ${#shards[@]} -eq 0 ]; then
    shards=(fashion-mlp:1/1 fashion-lenet:1/2 fashion-lenet:2/2 mnist-lenet:1/2 mnist-lenet:2/2)
fi
for shard in "${shards[@]}"; do
    workload="${shard%%:*}"
    share="${shard#*:}"
    start=$(date +%s)
    "$bin" study --config configs/suite.toml --out results --quiet --workload "$workload" --shard "$share"
    echo "shard $shard: $(( $(date +%s) - start )) s"
done
"$bin" study --config configs/suite.toml --out results --quiet
