//! The PyTorch side of the bench: the same network, optimizer, batch and thread count, timed by
//! `benches/reference/pytorch_mnist.py` in its own process.

use std::process::Command;

use crate::error::{Error, Result};
use crate::model::ModelKind;
use crate::plan::{BenchPlan, Reference};

/// PyTorch's images per second for the same measurement, or why there is none.
pub fn reference_rate(
    reference: &Reference,
    plan: &BenchPlan,
    model: ModelKind,
    batch: usize,
    steps: u64,
) -> Result<f64> {
    let out = Command::new(&reference.python)
        .arg(&reference.script)
        .arg("bench")
        .args([
            "--model",
            model.name(),
            "--optimizer",
            plan.optimizer.name(),
        ])
        .args(["--batch-size", &batch.to_string()])
        .args(["--threads", &plan.threads.to_string()])
        .args(["--warmup", &plan.warmup.to_string()])
        .args(["--steps", &steps.to_string()])
        .args(["--device", &reference.device])
        .output()
        .map_err(|e| Error::new(format!("cannot run {}: {e}", reference.python)))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("images_per_second="))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            let err = String::from_utf8_lossy(&out.stderr);
            let last = err.lines().last().unwrap_or("no output").to_string();
            Error::new(format!(
                "the PyTorch reference failed ({last}); install torch or pass --no-reference"
            ))
        })
}
