//! `experiments bench`: training throughput of each model, batch size and CPU backend, side by
//! side with PyTorch running the same network, optimizer, batch and thread count.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Distribution, Int, Tensor};
use clap::Args;

use crate::backend::{self, BackendKind};
use crate::model::{ModelKind, Net};
use crate::optim::OptimizerKind;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Models to time.
    #[arg(long, value_enum, value_delimiter = ',', default_values = ["lenet", "pytorch-example"])]
    models: Vec<ModelKind>,
    /// Batch sizes to time.
    #[arg(long, value_delimiter = ',', default_values = ["64", "256"])]
    batch_sizes: Vec<usize>,
    /// Backends to time.
    #[arg(long, value_enum, value_delimiter = ',', default_values = ["flex", "ndarray"])]
    backends: Vec<BackendKind>,
    /// Optimizer (lr 1e-3), for both sides.
    #[arg(long, value_enum, default_value = "adam")]
    optimizer: OptimizerKind,
    /// Untimed steps first (kernel selection, allocator warm-up).
    #[arg(long, default_value_t = 5)]
    warmup: u64,
    /// Images to time per measurement; the step count is this divided by the batch size.
    #[arg(long, default_value_t = 8192)]
    images: u64,
    /// The same for ndarray, which is many times slower.
    #[arg(long, default_value_t = 512)]
    ndarray_images: u64,
    /// Compute threads for both sides (RAYON_NUM_THREADS, torch.set_num_threads).
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// The PyTorch reference script.
    #[arg(long, default_value = "benches/reference/pytorch_mnist.py")]
    reference: PathBuf,
    /// The Python that has torch.
    #[arg(long, default_value = "python3")]
    python: String,
    /// The PyTorch device: cpu, or cuda on a GPU machine.
    #[arg(long, default_value = "cpu")]
    reference_device: String,
    /// Time Burn alone.
    #[arg(long)]
    no_reference: bool,
}

/// Images per second of `steps` training steps after `warmup`, on random data held on `device`
/// (as training holds MNIST), reading the loss back every step as training does.
fn burn_rate(
    model: ModelKind,
    optimizer: OptimizerKind,
    batch: usize,
    device: &Device,
    warmup: u64,
    steps: u64,
) -> f64 {
    device.seed(0);
    let mut net = Net::new(model, device);
    let mut optim = optimizer.build();
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    let x = Tensor::<4>::random([batch, 1, 28, 28], Distribution::Normal(0.0, 1.0), device);
    let y = Tensor::<1, Int>::random([batch], Distribution::Uniform(0.0, 10.0), device);
    let mut step = |net: Net| {
        let loss = loss_fn.forward(net.forward(x.clone()), y.clone());
        let _: f32 = loss.clone().into_scalar();
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        optim.step(1e-3, net, grads)
    };
    for _ in 0..warmup {
        net = step(net);
    }
    let start = Instant::now();
    for _ in 0..steps {
        net = step(net);
    }
    let seconds = start.elapsed().as_secs_f64();
    (steps * batch as u64) as f64 / seconds
}

/// PyTorch's images per second for the same measurement, or why there is none.
fn reference_rate(
    args: &BenchArgs,
    model: ModelKind,
    batch: usize,
    steps: u64,
) -> Result<f64, String> {
    let out = Command::new(&args.python)
        .arg(&args.reference)
        .arg("bench")
        .args([
            "--model",
            model.name(),
            "--optimizer",
            args.optimizer.name(),
        ])
        .args(["--batch-size", &batch.to_string()])
        .args(["--threads", &args.threads.to_string()])
        .args(["--warmup", &args.warmup.to_string()])
        .args(["--steps", &steps.to_string()])
        .args(["--device", &args.reference_device])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", args.python))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("images_per_second="))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            let err = String::from_utf8_lossy(&out.stderr);
            let last = err.lines().last().unwrap_or("no output").to_string();
            format!("the PyTorch reference failed ({last}); install torch or pass --no-reference")
        })
}

pub fn run(args: BenchArgs) -> Result<(), String> {
    if args.threads == 0 || args.batch_sizes.contains(&0) {
        return Err("--threads and --batch-sizes must be at least 1".into());
    }
    if !args.no_reference && !args.reference.is_file() {
        return Err(format!(
            "{} not found; run from the repository root, pass --reference FILE, or --no-reference",
            args.reference.display()
        ));
    }
    // SAFETY: set before any compute thread pool exists (nothing has run on a device yet).
    unsafe { std::env::set_var("RAYON_NUM_THREADS", args.threads.to_string()) };
    let mut rows = Vec::new();
    let mut reference = std::collections::HashMap::new();
    for &kind in &args.backends {
        let (device, used) = backend::device(kind)?;
        let device = device.autodiff();
        for &model in &args.models {
            for &batch in &args.batch_sizes {
                let images = if used == BackendKind::Ndarray {
                    args.ndarray_images
                } else {
                    args.images
                };
                let steps = images.div_ceil(batch as u64).max(2);
                let warmup = if used == BackendKind::Ndarray {
                    args.warmup.min(1)
                } else {
                    args.warmup
                };
                let rate = burn_rate(model, args.optimizer, batch, &device, warmup, steps);
                eprintln!(
                    "burn {} {} batch {batch}: {rate:.0} images/s ({steps} steps)",
                    used.name(),
                    model.name()
                );
                if !args.no_reference && !reference.contains_key(&(model, batch)) {
                    let steps = args.images.div_ceil(batch as u64).max(2);
                    let r = reference_rate(&args, model, batch, steps)?;
                    eprintln!(
                        "pytorch {} batch {batch}: {r:.0} images/s ({steps} steps)",
                        model.name()
                    );
                    reference.insert((model, batch), r);
                }
                rows.push((used, model, batch, rate));
            }
        }
    }
    let against = if args.no_reference {
        "Burn alone".to_string()
    } else {
        format!("PyTorch on {}", args.reference_device)
    };
    println!(
        "\nTraining images/s, {} threads, {} (lr 1e-3), random data on the device, {} warm-up steps, {against}:\n",
        args.threads,
        args.optimizer.name(),
        args.warmup,
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
