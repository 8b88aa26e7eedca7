//! The GPU path on Mesa's software Vulkan (lavapipe): a couple of training steps through wgpu.
//! `.ci/run` installs `mesa-vulkan-drivers` and `libvulkan1`; autotuning is turned down so the
//! first-time kernel compilation stays short.

use std::path::{Path, PathBuf};

mod common;

#[test]
fn wgpu_trains_a_few_steps_on_software_vulkan() {
    let data = std::env::var_os("MNIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/mnist"));
    let out = std::env::temp_dir().join(format!("experiments-wgpu-{}", std::process::id()));
    let result = common::bin()
        .arg("--data-dir")
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .args([
            "--backend",
            "wgpu",
            "--schedule",
            "fixed",
            "--epochs",
            "1",
            "--batch-size",
            "32",
        ])
        .args([
            "--train-limit",
            "64",
            "--test-limit",
            "100",
            "--validation",
            "300",
            "--max-steps",
            "2",
            "--name",
            "w",
            "--quiet",
        ])
        .env("CUBECL_AUTOTUNE_LEVEL", "minimal")
        .output()
        .unwrap();
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
    let _ = std::fs::remove_dir_all(&out);
}
