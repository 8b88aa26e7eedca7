//! `experiments bench`: training throughput of each model, batch size and CPU backend, side by
//! side with PyTorch running the same network, optimizer, batch and thread count.

use std::collections::HashMap;
use std::process::Command;
use std::time::Instant;

use burn::tensor::{Device, Distribution, Int, Tensor};

use crate::backend::{self, BackendKind};
use crate::error::{Error, Result};
use crate::model::ModelKind;
use crate::optim::OptimizerKind;
use crate::plan::{BenchPlan, Reference};
use crate::train::{DeviceData, Learner, Shuffle};

/// Batches of random data the bench cycles through: enough that gathering a batch costs what it
/// costs in training, few enough to fit any device.
const BENCH_BATCHES: usize = 4;

/// Images per second of `steps` training steps after `warmup`, through the training step
/// itself: batches gathered in a shuffled order from random data held on `device`, the loss
/// read back every step.
fn burn_rate(
    model: ModelKind,
    optimizer: OptimizerKind,
    batch: usize,
    device: &Device,
    warmup: u64,
    steps: u64,
) -> f64 {
    device.seed(0);
    let mut learner = Learner::new(model, optimizer, false, device);
    let n = batch * BENCH_BATCHES;
    let data = DeviceData {
        train_x: Tensor::<4>::random([n, 1, 28, 28], Distribution::Normal(0.0, 1.0), device),
        train_y: Tensor::<1, Int>::random([n], Distribution::Uniform(0.0, 10.0), device),
        test_x: Tensor::<4>::zeros([1, 1, 28, 28], device),
        test_y: Tensor::<1, Int>::zeros([1], device),
        n_train: n,
        n_test: 1,
    };
    let mut shuffle = Shuffle::new(0);
    let mut order: Vec<i64> = Vec::new();
    let mut step = |learner: Learner| {
        if order.len() < batch {
            order = shuffle.permutation(n);
        }
        let indices = order.split_off(order.len() - batch);
        let loss = learner.loss(data.batch(&indices, device));
        learner.update(loss, 1e-3, None)
    };
    for _ in 0..warmup {
        learner = step(learner);
    }
    let start = Instant::now();
    for _ in 0..steps {
        learner = step(learner);
    }
    let seconds = start.elapsed().as_secs_f64();
    (steps * batch as u64) as f64 / seconds
}

/// PyTorch's images per second for the same measurement, or why there is none.
fn reference_rate(
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

/// `experiments bench`: every measurement, then the table.
pub fn run(plan: BenchPlan) -> Result<()> {
    // SAFETY: set before any compute thread pool exists (nothing has run on a device yet).
    unsafe { std::env::set_var("RAYON_NUM_THREADS", plan.threads.to_string()) };
    let mut rows = Vec::new();
    let mut reference = HashMap::new();
    for &kind in &plan.backends {
        let (device, used) = backend::device(kind)?;
        let device = device.autodiff();
        for &model in &plan.models {
            for &batch in &plan.batch_sizes {
                let (images, warmup) = if used == BackendKind::Ndarray {
                    (plan.ndarray_images, plan.warmup.min(1))
                } else {
                    (plan.images, plan.warmup)
                };
                let steps = images.div_ceil(batch as u64).max(2);
                let rate = burn_rate(model, plan.optimizer, batch, &device, warmup, steps);
                eprintln!(
                    "burn {} {} batch {batch}: {rate:.0} images/s ({steps} steps)",
                    used.name(),
                    model.name()
                );
                if let Some(r) = &plan.reference
                    && !reference.contains_key(&(model, batch))
                {
                    let steps = plan.images.div_ceil(batch as u64).max(2);
                    let rate = reference_rate(r, &plan, model, batch, steps)?;
                    eprintln!(
                        "pytorch {} batch {batch}: {rate:.0} images/s ({steps} steps)",
                        model.name()
                    );
                    reference.insert((model, batch), rate);
                }
                rows.push((used, model, batch, rate));
            }
        }
    }
    let against = match &plan.reference {
        None => "Burn alone".to_string(),
        Some(r) => format!("PyTorch on {}", r.device),
    };
    println!(
        "\nTraining images/s, {} threads, {} (lr 1e-3), random data on the device, {} warm-up steps, {against}:\n",
        plan.threads,
        plan.optimizer.name(),
        plan.warmup,
    );
    println!("| backend | model | batch | Burn | PyTorch | Burn / PyTorch |");
    println!("|---|---|---|---|---|---|");
    for (used, model, batch, rate) in rows {
        let (torch, ratio) = match reference.get(&(model, batch)) {
            Some(r) => (format!("{r:.0}"), format!("{:.2}×", rate / r)),
            None => ("–".into(), "–".into()),
        };
        println!(
            "| {} | {} | {batch} | {rate:.0} | {torch} | {ratio} |",
            used.name(),
            model.name()
        );
    }
    Ok(())
}
