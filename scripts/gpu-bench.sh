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
#
# Writes OUT_DIR/table.md (the results) and OUT_DIR/logs/*.log. Sized to finish in under
# 8 minutes on an H200: throughput on wgpu and PyTorch CUDA for both models at batch 64, 256
# and 1024; time to 99% test accuracy for lenet, batch 256, one-cycle; and the 12-schedule,
# 1-epoch sweep with --jobs 1 and --jobs 12.
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
    images=512 warmup=3 limit=(--train-limit 1024 --test-limit 500) batches=64,256
else
    images=65536 warmup=20 limit=() batches=64,256,1024
fi

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
"$bin" bench --backends wgpu --models lenet,pytorch-example --batch-sizes "$batches" \
    --images "$images" --warmup "$warmup" "${reference[@]}" 2>"$logs/bench.log" | tee -a "$table"
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
"$bin" --backend wgpu --config "$cfg" --out "$out/runs" --name to-99 "${limit[@]}" --quiet \
    >"$logs/to-99.log" 2>&1
summary=$out/runs/to-99/lenet-one-cycle-256/summary.json
"$python" - "$summary" >>"$table" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
to99 = s["seconds_to_99"]
print("| recipe | best accuracy | steps to 99% | s to 99% (training + evaluation) | images/s |")
print("|---|---|---|---|---|")
print(f"| lenet, batch 256, one-cycle 0.2 | {s['best_test_accuracy']:.2%} | {s['steps_to_99'] or '–'} | "
      f"{'%.1f' % to99 if to99 is not None else 'not reached'} | {s['images_per_second']:.0f} |")
EOF
echo >>"$table"

echo "== the 12-schedule sweep, 1 epoch, --jobs 1 and --jobs 12" >&2
twelve=fixed,step,multistep,exponential,inverse-time,polynomial,cosine,sgdr,clr,one-cycle,warmup-cosine,wsd
echo "| sweep (12 schedules × 1 epoch, lenet, batch 128) | wall seconds |" >>"$table"
echo "|---|---|" >>"$table"
for jobs in 1 12; do
    start=$(date +%s.%N)
    "$bin" --backend wgpu --schedule "$twelve" --epochs 1 --jobs "$jobs" --out "$out/runs" \
        --name "sweep-jobs-$jobs" "${limit[@]}" --quiet >"$logs/sweep-jobs-$jobs.log" 2>&1
    end=$(date +%s.%N)
    awk -v j="$jobs" -v s="$start" -v e="$end" 'BEGIN { printf "| --jobs %s | %.1f |\n", j, e - s }' >>"$table"
done
start=$(date +%s.%N)
"$bin" --backend wgpu --schedule one-cycle --epochs 1 --out "$out/runs" --name single \
    "${limit[@]}" --quiet >"$logs/single.log" 2>&1
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "| one run alone | %.1f |\n", e - s }' >>"$table"
echo >>"$table"
echo "total $(( $(date +%s) - t0 )) s" >>"$table"
cat "$table"
