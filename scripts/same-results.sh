#!/usr/bin/env bash
# Checks that two builds of `experiments` give the same results: trains the same small sweeps
# with each (lenet under five schedules, pytorch-example with Adadelta, dropout and loss decay,
# Adam over two seeds stopped mid-epoch) and compares every metrics.csv without its wall-time
# column, then redraws the committed sweeps with the second build and compares them with the
# committed pictures and tables byte for byte. For refactors that must not change behaviour.
#
#   scripts/same-results.sh OLD_BINARY NEW_BINARY     (MNIST files in $MNIST_DIR)
set -euo pipefail
old=$(realpath "$1"); new=$(realpath "$2")
data=${MNIST_DIR:?set MNIST_DIR to the folder with the MNIST files}
cd "$(dirname "$0")/.."
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

sweeps() { # BINARY OUT (`&&`: set -e does not act inside a function called with `||`)
    local d=(--data-dir "$data" --backend flex --quiet --out "$2")
    "$1" --schedule fixed,clr,plateau,one-cycle,sgdr --epochs 2 --train-limit 640 --test-limit 200 --batch-size 64 --name a "${d[@]}" >"$2.log" 2>&1 &&
    "$1" --schedule step --model pytorch-example --optimizer adadelta --loss-decay cosine --epochs 2 --train-limit 256 --test-limit 100 --batch-size 32 --name b "${d[@]}" >>"$2.log" 2>&1 &&
    "$1" --schedule fixed,cosine --seeds 2 --optimizer adam --epochs 1 --train-limit 320 --test-limit 100 --batch-size 32 --max-steps 7 --name c "${d[@]}" >>"$2.log" 2>&1
}
for side in old new; do
    sweeps "${!side}" "$work/$side" || { cat "$work/$side.log"; echo "training with $side failed"; exit 2; }
done
differ=0; runs=0
while read -r f; do
    runs=$((runs + 1))
    # The last column is wall_seconds (a `momentum` column, where there is one, comes after lr).
    cmp -s <(sed 's/,[^,]*$//' "$work/old/$f") <(sed 's/,[^,]*$//' "$work/new/$f") || { echo "differs: $f"; differ=1; }
done < <(cd "$work/old" && find . -name metrics.csv | sort)
echo "$runs runs trained by both: metrics.csv $([ $differ = 0 ] && echo identical || echo DIFFERENT) (wall time aside)"
trained=$differ; differ=0

for sweep in results/*/; do
    [ -f "$sweep/summary.md" ] || continue
    copy="$work/redraw/$(basename "$sweep")"; mkdir -p "$copy"; cp -r "$sweep". "$copy"
    "$new" plot "$copy" 2>/dev/null
    for f in "$sweep"*.png "$sweep"*.svg "$sweep"summary.md "$sweep"summary.csv; do
        [ -f "$f" ] || continue
        cmp -s "$f" "$copy/$(basename "$f")" || { echo "redraw differs: $f"; differ=1; }
    done
done
"$new" lr --schedule all --plot "$work/schedules.png" >/dev/null 2>&1
cmp -s results/schedules.png "$work/schedules.png" || { echo "redraw differs: results/schedules.png"; differ=1; }
echo "committed results redrawn: $([ $differ = 0 ] && echo identical || echo DIFFERENT)"
exit $((differ | trained))
