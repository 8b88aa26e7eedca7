#!/usr/bin/env bash
# The GPU check, in one go, for a machine with a GPU and PyTorch (CUDA) but no Rust toolchain.
#
#   scripts/gpu-bench.sh OUT_DIR
#
# Environment:
#   BIN        the release binary, built elsewhere (x86-64, stripped)   [target/release/experiments]
#   MNIST_DIR  the four MNIST IDX files                                 [../shared/mnist]
#   PYTHON     a Python with torch + CUDA                               [python3]
#   LOADERS    a folder of .deb files (libvulkan1 …) to unpack into / when the machine lacks
#              the Vulkan loader                                        [.gl]
#   QUICK=1    a smaller run (fewer images), for trying the script on software Vulkan
#   ALLOW_SOFTWARE=1
#              measure a software adapter (lavapipe, llvmpipe) too; refused otherwise, naming it
#
# Writes OUT_DIR/table.md (the results) and OUT_DIR/logs/*.log. Sized to finish in under
# 8 minutes on an H200: the adapter it ran on; throughput on wgpu (with reads and kernels per
# step) and PyTorch CUDA for both models at batch 64, 256 and 1024, after warm-up steps; time
# to 99% test accuracy for lenet, batch 256, one-cycle; and the 12-schedule, 1-epoch sweep with
# --jobs 1 and --jobs 12. Kernels compile in each new process, so every timed command is also
# run for a few steps a run (2 for the time to 99%, 4 for the sweep, the fewest every schedule
# there takes), and that start-up is reported beside it and taken off.
set -euo pipefail

out=${1:?usage: scripts/gpu-bench.sh OUT_DIR}
bin=${BIN:-target/release/experiments}
data=${MNIST_DIR:-../shared/mnist}
python=${PYTHON:-python3}
loaders=${LOADERS:-.gl}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out/logs"
out=$(cd "$out" && pwd)
logs=$out/logs
table=$out/table.md

if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
    if compgen -G "$loaders/*.deb" >/dev/null; then
        for f in "$loaders"/*.deb; do dpkg -x "$f" /; done
        ldconfig
    else
        echo "error: no Vulkan loader (libvulkan.so.1) and no .deb files in $loaders; install libvulkan1" >&2
        exit 1
    fi
fi
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
[ -x "$bin" ] || { echo "error: $bin is not an executable; set BIN" >&2; exit 1; }
[ -d "$data" ] || { echo "error: MNIST folder $data not found; set MNIST_DIR" >&2; exit 1; }
export MNIST_DIR=$data MNIST_NO_DOWNLOAD=1

if [ "${QUICK:-0}" = 1 ]; then
    # Whole reads of 16 losses (1,024 images of batch 64) and one batch size: software Vulkan
    # takes minutes a bench row of pytorch-example.
    images=1024 warmup=32 limit=(--train-limit 1024 --test-limit 500 --validation 500) batches=64
else
    images=65536 warmup=32 limit=() batches=64,256,1024
fi
software=()
[ "${ALLOW_SOFTWARE:-0}" = 1 ] && software=(--allow-software)

# Seconds of a command, its output to a log; the script stops on a failure, naming the log.
timed() { # LOG COMMAND...
    local log=$1 start end
    shift
    start=$(date +%s.%N)
    "$@" >"$log" 2>&1 || { echo "error: $* failed; see $log" >&2; tail -3 "$log" >&2; exit 1; }
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}

t0=$(date +%s)
{
    echo "# GPU check"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || echo 'no nvidia-smi'), torch $("$python" -c 'import torch; print(torch.__version__, "cuda", torch.cuda.is_available())' 2>/dev/null || echo 'missing')"
    echo
} >"$table"

echo "== throughput: wgpu and PyTorch CUDA" >&2
reference=(--reference "$here/benches/reference/pytorch_mnist.py" --python "$python" --reference-device cuda)
if ! "$python" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    reference=(--no-reference)
fi
if ! "$bin" bench --backends wgpu --models lenet,pytorch-example --batch-sizes "$batches" \
    --images "$images" --warmup "$warmup" "${reference[@]}" "${software[@]}" \
    >"$logs/bench.out" 2>"$logs/bench.log"; then
    tail -1 "$logs/bench.log" >&2
    cat "$logs/bench.out" >>"$table"
    echo "refused or failed: $(tail -1 "$logs/bench.log")" >>"$table"
    exit 1
fi
tee -a "$table" <"$logs/bench.out"
echo >>"$table"
echo "Kernel time per step on the device (each kernel timed alone), from the bench's log:" >>"$table"
echo '```' >>"$table"
grep -E '^burn wgpu|ms/step' "$logs/bench.log" >>"$table" || true
echo '```' >>"$table"
echo >>"$table"

echo "== time to 99%: lenet, batch 256, one-cycle over 3 epochs" >&2
cfg=$out/lenet-one-cycle-256.toml
cat >"$cfg" <<'EOF'
model = "lenet"
optimizer = "momentum"
batch_size = 256
epochs = 3

[schedule]
kind = "one_cycle"
max_lr = 0.2
total_steps = 705
EOF
start_99=$(timed "$logs/to-99-start.log" "$bin" --backend wgpu --config "$cfg" --out "$out/runs" \
    --name to-99-start "${limit[@]}" --max-steps 2 --quiet)
wall_99=$(timed "$logs/to-99.log" "$bin" --backend wgpu --config "$cfg" --out "$out/runs" \
    --name to-99 "${limit[@]}" --quiet)
summary=$out/runs/to-99/lenet-one-cycle-256/summary.json
start_summary=$out/runs/to-99-start/lenet-one-cycle-256/summary.json
"$python" - "$summary" "$start_summary" "$wall_99" "$start_99" >>"$table" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
first = json.load(open(sys.argv[2]))
to99 = s["seconds_to_99"]
# The 2-step run's own clock (training + evaluation, kernel compilation and tuning included):
# what the first steps of the full run also spent before it was warm.
startup = first["train_seconds"] + first["eval_seconds"]
cell = "not reached" if to99 is None else f"{to99:.1f} ({max(to99 - startup, 0):.1f} after start-up)"
print("| recipe | best accuracy | steps to 99% | s to 99% (training + evaluation) | start-up: 2 steps + evaluation, s | command wall s (2-step command) | images/s |")
print("|---|---|---|---|---|---|---|")
print(f"| lenet, batch 256, one-cycle 0.2 | {s['best_test_accuracy']:.2%} | {s['steps_to_99'] or '–'} | "
      f"{cell} | {startup:.1f} | {sys.argv[3]} ({sys.argv[4]}) | {s['images_per_second']:.0f} |")
EOF
echo >>"$table"

echo "== the 12-schedule sweep, 1 epoch, --jobs 1 and --jobs 12" >&2
twelve=fixed,step,multistep,exponential,inverse-time,polynomial,cosine,sgdr,clr,one-cycle,warmup-cosine,wsd
echo "| sweep (lenet, batch 128, 1 epoch) | wall s | start-up: the same command, 4 steps a run, s | wall − start-up (the other steps, warm), s |" >>"$table"
echo "|---|---|---|---|" >>"$table"
row() { # LABEL NAME SCHEDULES JOBS
    local first all
    first=$(timed "$logs/$2-start.log" "$bin" --backend wgpu --schedule "$3" --epochs 1 --jobs "$4" \
        --out "$out/runs" --name "$2-start" "${limit[@]}" --max-steps 4 --quiet)
    all=$(timed "$logs/$2.log" "$bin" --backend wgpu --schedule "$3" --epochs 1 --jobs "$4" \
        --out "$out/runs" --name "$2" "${limit[@]}" --quiet)
    awk -v l="$1" -v a="$all" -v f="$first" 'BEGIN { printf "| %s | %.1f | %.1f | %.1f |\n", l, a, f, a - f }' >>"$table"
}
row "12 schedules, --jobs 1" sweep-jobs-1 "$twelve" 1
row "12 schedules, --jobs 12" sweep-jobs-12 "$twelve" 12
row "one run alone" single one-cycle 1
echo >>"$table"
echo "total $(( $(date +%s) - t0 )) s" >>"$table"
cat "$table"
