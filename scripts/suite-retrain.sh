#!/usr/bin/env bash
# Re-trains one final run of a committed suite from its committed files alone (the arm's
# config and its row in arms/ARM-runs.csv: peak rate and seed) and checks that it ends with the
# committed accuracies to the last digit.
#   EXPERIMENTS=path/to/experiments scripts/suite-retrain.sh WORKLOAD ARM [SEED] [SUITE]
# (SEED: the arm's first final seed by default; SUITE: results/suite.) Exit 0 when equal.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${EXPERIMENTS:-target/release/experiments}"
workload="$1"
arm="$2"
suite="${4:-results/suite}"
rows="$suite/$workload/arms/$arm-runs.csv"
[ -f "$rows" ] || { echo "error: $rows not found; train the arm first, or name another" >&2; exit 1; }
# phase,arm,optimizer,kind,factor,peak_lr,suggestion,seed,steps,final_val_accuracy,final_test_accuracy,…
row=$(awk -F, -v seed="${3:-}" '$1 == "final" && $5 == "1.0" && (seed == "" || $8 == seed) { print; exit }' "$rows")
[ -n "$row" ] || { echo "error: no final run at the tuned peak with seed ${3:-any} in $rows" >&2; exit 1; }
IFS=, read -r _ _ _ _ _ peak _ seed _ val test _ <<<"$row"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" --config "$suite/$workload/arms/$arm.toml" --peak-lr "$peak" --seed "$seed" \
    --out "$out" --name retrain --quiet
summary=$(find "$out/retrain" -name summary.json | head -1)
got=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['final_val_accuracy'], d['final_test_accuracy'])" "$summary")
echo "committed: val $val test $test; re-trained: val/test $got"
[ "$got" = "$val $test" ] || { echo "error: the re-trained run differs from the committed one" >&2; exit 1; }
echo "$workload/$arm seed $seed: identical"
