//! The GPU path on Mesa's software Vulkan (lavapipe): training steps through wgpu, runs side by
//! side on queues of their own, and the instruments the GPU path is held to, none of which needs
//! a GPU: device→host reads per training step (at most one in `K`), kernel launches per step
//! for each model and optimizer with fusion (against the same steps unfused), and no kernel
//! launched for the first time after the warm-up steps. `.ci/run` installs
//! `mesa-vulkan-drivers` and `libvulkan1`; autotuning is turned down so the first-time kernel
//! compilation stays short.

use std::path::Path;
use std::process::{Command, Output};

mod common;

use common::{TempDir, assert_one_line_error, mnist_dir, ok};

/// The binary on wgpu, with autotuning at its shortest.
fn wgpu() -> Command {
    let mut c = common::bin();
    c.env("CUBECL_AUTOTUNE_LEVEL", "minimal");
    c
}

/// A tiny wgpu sweep of `schedules` into `out/NAME`.
fn train(out: &Path, name: &str, schedules: &str, extra: &[&str]) -> Output {
    wgpu()
        .arg("--data-dir")
        .arg(mnist_dir())
        .arg("--out")
        .arg(out)
        .args([
            "--backend",
            "wgpu",
            "--schedule",
            schedules,
            "--epochs",
            "1",
        ])
        .args([
            "--batch-size",
            "32",
            "--train-limit",
            "64",
            "--test-limit",
            "100",
        ])
        .args([
            "--validation",
            "300",
            "--max-steps",
            "2",
            "--name",
            name,
            "--quiet",
        ])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn wgpu_trains_a_few_steps_on_software_vulkan() {
    let out = TempDir::new("wgpu-train");
    let result = train(&out, "w", "fixed", &[]);
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(
        result.status.success(),
        "wgpu run failed (is mesa-vulkan-drivers installed?): {err}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("w/fixed/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["backend"], "wgpu");
    assert_eq!(summary["steps"], 2);
    let loss = summary["final_train_loss"].as_f64().unwrap();
    assert!(loss.is_finite() && loss > 0.0 && loss < 5.0, "{loss}");
}

#[test]
fn runs_side_by_side_each_get_a_queue_and_dropout_side_by_side_is_refused() {
    let out = TempDir::new("wgpu-jobs");
    let result = train(&out, "two", "fixed,cosine", &["--jobs", "2"]);
    ok(&result);
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(err.contains("each with its own device queue"), "{err}");
    for run in ["fixed", "cosine"] {
        assert!(
            out.join("two").join(run).join("summary.json").is_file(),
            "{run}"
        );
    }
    let dropout = train(
        &out,
        "dropout",
        "fixed,cosine",
        &["--model", "pytorch-example", "--jobs", "2"],
    );
    assert_one_line_error(&dropout, "process-wide generator");
}

/// The bench on wgpu: the CSV's rows for lenet and the MLP under `optimizer`.
fn bench(dir: &Path, optimizer: &str, extra: &[&str]) -> Vec<csv::StringRecord> {
    let path = dir.join(format!("{optimizer}{}.csv", extra.join("")));
    let out = wgpu()
        .arg("bench")
        .args([
            "--backends",
            "wgpu",
            "--models",
            "lenet,mlp",
            "--batch-sizes",
            "16",
        ])
        .args(["--images", "512", "--no-reference", "--allow-software"])
        .args(["--optimizer", optimizer, "--csv"])
        .arg(&path)
        .args(extra)
        .output()
        .unwrap();
    ok(&out);
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header[13..],
        [
            "reads_per_step",
            "kernels_per_step",
            "new_kernels_after_warmup"
        ]
    );
    reader.records().map(|r| r.unwrap()).collect()
}

/// Kernel launches a training step may take with fusion, per model and optimizer: about 1.25×
/// what software Vulkan measured (see docs/gpu.md), so a step that loses its fusion fails.
const KERNEL_BOUNDS: [(&str, &str, f64); 4] = [
    ("lenet", "momentum", KERNELS_LENET_MOMENTUM),
    ("mlp", "momentum", KERNELS_MLP_MOMENTUM),
    ("lenet", "adam", KERNELS_LENET_ADAM),
    ("mlp", "adam", KERNELS_MLP_ADAM),
];
// Measured fused (unfused): lenet 73.1 (125) with momentum, 73.1 (189) with Adam; the MLP
// 37 (82) and 36 (130).
const KERNELS_LENET_MOMENTUM: f64 = 92.0;
const KERNELS_MLP_MOMENTUM: f64 = 47.0;
const KERNELS_LENET_ADAM: f64 = 92.0;
const KERNELS_MLP_ADAM: f64 = 46.0;

#[test]
fn a_gpu_step_reads_once_in_k_launches_few_fused_kernels_and_compiles_none_after_warm_up() {
    let dir = TempDir::new("wgpu-bench");
    // Unfused only under Adam, where fusion matters most (every parameter's update is several
    // element-wise kernels): one bench process fewer.
    let unfused = bench(&dir, "adam", &["--unfused"]);
    for optimizer in ["momentum", "adam"] {
        let fused = bench(&dir, optimizer, &[]);
        for (row, plain) in fused.iter().zip(&unfused) {
            let (model, cell) = (&row[1], |r: &csv::StringRecord, i: usize| -> f64 {
                r[i].parse().unwrap()
            });
            let what = format!("{model}, {optimizer}");
            // 512 images of batch 16: 32 steps after 32 warm-up steps, losses read every 16.
            assert!(
                cell(row, 13) <= 1.0 / 16.0,
                "{what}: {} reads a step",
                &row[13]
            );
            assert_eq!(
                cell(row, 15),
                0.0,
                "{what}: kernels compiled after the warm-up"
            );
            let (kernels, alone) = (cell(row, 14), cell(plain, 14));
            let bound = KERNEL_BOUNDS
                .iter()
                .find(|b| b.0 == model && b.1 == optimizer)
                .unwrap()
                .2;
            assert!(
                kernels > 0.0 && kernels <= bound,
                "{what}: {kernels} kernels a step, bound {bound}"
            );
            assert!(
                optimizer != "adam" || kernels * 2.0 <= alone,
                "{what}: fusion should at least halve the launches: {kernels} fused, {alone} unfused"
            );
            eprintln!("{what}: {kernels} kernels a step fused, {} reads", &row[13]);
        }
    }
}

#[test]
fn the_bench_refuses_a_software_adapter_unless_allowed_naming_it() {
    let out = wgpu()
        .arg("bench")
        .args([
            "--backends",
            "wgpu",
            "--models",
            "lenet",
            "--batch-sizes",
            "16",
        ])
        .args(["--images", "32", "--warmup", "1", "--no-reference"])
        .output()
        .unwrap();
    assert_one_line_error(&out, "software");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("llvmpipe") || err.contains("lavapipe") || err.contains("Cpu"),
        "{err}"
    );
}
