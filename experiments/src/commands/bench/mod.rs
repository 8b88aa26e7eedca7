//! `experiments bench`: training throughput of each model, batch size and CPU backend, side by
//! side with PyTorch running the same network, optimizer, batch and thread count; and how close
//! that is to the machine: the practical peak of a large matrix multiply through `gemm` (the
//! kernels' own), the FLOP/s training achieves (from [`ModelKind::train_flop_per_image`]), the
//! cores busy while it trains, and evaluation (the forward pass alone, as training evaluates).

mod machine;
mod reference;
mod table;

use std::collections::HashMap;
use std::time::Instant;

use burn::tensor::Device;

use crate::backend::{self, BackendKind};
use crate::error::{Error, Result};
use crate::kernels;
use crate::model::{ModelKind, Net};
use crate::optim::OptimizerKind;
use crate::plan::BenchPlan;
use crate::traffic::Traffic;
use crate::train::{DeviceData, Learner, Losses, Shuffle, evaluate, readback};
use machine::{PEAK_SIZE, cpu_seconds, peak_gflops};
use reference::reference_rate;
use table::Row;

/// Batches of random data the bench cycles through: enough that gathering a batch costs what it
/// costs in training, few enough to fit any device.
const BENCH_BATCHES: usize = 4;

/// A timed training measurement.
pub struct Training {
    pub images_per_second: f64,
    /// Process CPU time over wall time while it ran: the cores kept busy.
    pub cores_busy: Option<f64>,
    /// Device→host reads per timed step.
    pub reads_per_step: f64,
    /// Kernel launches per timed step (none on the CPU backends).
    pub kernels_per_step: f64,
    /// Kernels the timed steps launched that the warm-up had not: compiles after warm-up.
    pub new_kernels: u64,
    /// The kernels of a few steps timed one by one: name, launches and seconds per step.
    pub kernel_times: Vec<(String, f64, f64)>,
}

/// Keeps the first device failure for the bench to report once it is done.
fn keep_failure<E: std::fmt::Debug>(
    slot: &std::cell::Cell<std::result::Result<(), String>>,
    r: std::result::Result<(), E>,
) {
    if let Err(e) = r {
        let kept = slot.replace(Ok(()));
        slot.set(kept.and(Err(format!("{e:?}"))));
    }
}

/// The warm-up steps on a backend: at least two loss reads' worth where the losses are read
/// in batches, so that every kernel (the reads' own included) has compiled and fusion has
/// settled before the clock starts.
fn warmup(asked: u64, traffic: Traffic) -> u64 {
    match traffic.read_every {
        1 => asked,
        k => asked.max(2 * k),
    }
}

/// A kernel's type name without its path and generic arguments (`DirectConv2dKernel`).
fn short(kernel: &str) -> &str {
    let plain = kernel.split('<').next().unwrap_or(kernel);
    plain.rsplit("::").next().unwrap_or(plain)
}

/// Steps whose kernels are each timed on their own, after the measurement.
const KERNEL_TIMED_STEPS: u64 = 3;

/// Images per second of `steps` training steps after `warmup`, through the training step
/// itself: batches gathered in a shuffled order from random data held on `device`, the losses
/// read back as training reads them (every `read_every` steps, in one read), the device synced
/// before the clock stops; and the cores busy, the reads and the kernel launches meanwhile.
fn burn_rate(
    model: ModelKind,
    optimizer: OptimizerKind,
    batch: usize,
    device: &Device,
    (warmup, steps): (u64, u64),
    read_every: u64,
) -> Result<Training> {
    device.seed(0);
    let mut learner = Some(Learner::new(model, optimizer, false, device));
    let n = batch * BENCH_BATCHES;
    let data = DeviceData::random(n, 1, device);
    let mut shuffle = Shuffle::new(0);
    let mut order: Vec<i64> = Vec::new();
    let mut losses = Losses::new(read_every, None);
    let mut t = 0;
    let run = |count: u64| {
        for _ in 0..count {
            if order.len() < batch {
                order = shuffle.permutation(n);
            }
            let indices = order.split_off(order.len() - batch);
            let now = learner.take().expect("put back every step");
            let loss = now.loss(data.batch(&indices, device));
            if losses.push(t, &loss.tensor) {
                losses.read();
            }
            learner = Some(now.update(loss, 1e-3, None));
            t += 1;
        }
        losses.read();
        device.sync()
    };
    // Called from the warm-up and the measured stretch alike.
    let run = std::cell::RefCell::new(run);
    let run = |count: u64| (run.borrow_mut())(count);
    let synced = std::cell::Cell::new(Ok(()));
    let keep = |r| keep_failure(&synced, r);
    let (mut seconds, mut cpu, mut reads) = (0.0, None, 0);
    let launches = kernels::count(
        false,
        || keep(run(warmup)),
        || {
            let cpu_start = cpu_seconds();
            let reads_before = readback::reads();
            let start = Instant::now();
            keep(run(steps));
            seconds = start.elapsed().as_secs_f64();
            reads = readback::reads() - reads_before;
            cpu = cpu_start.zip(cpu_seconds()).map(|(a, b)| b - a);
        },
    );
    let timed = kernels::count(true, || (), || keep(run(KERNEL_TIMED_STEPS)));
    synced
        .into_inner()
        .map_err(|e| Error::new(format!("the device failed during the bench: {e}")))?;
    let per = |v: f64| v / KERNEL_TIMED_STEPS as f64;
    Ok(Training {
        images_per_second: (steps * batch as u64) as f64 / seconds,
        cores_busy: cpu.map(|c| c / seconds),
        reads_per_step: reads as f64 / steps as f64,
        kernels_per_step: launches.kernels as f64 / steps as f64,
        new_kernels: launches.new_kernels,
        kernel_times: (timed.by_name.into_iter())
            .map(|(name, n, secs)| (name, per(n as f64), per(secs)))
            .collect(),
    })
}

/// Images evaluated per measurement: MNIST's test set.
const EVAL_IMAGES: usize = 10_000;

/// Timed evaluations, after one untimed.
const EVAL_REPS: u32 = 3;

/// Images per second of evaluation itself ([`train::evaluate`](crate::train::evaluate), as
/// training runs it: the network without autodiff, so no graph is recorded and dropout is off,
/// the test set in large chunks, loss and accuracy read back) over `EVAL_IMAGES` random images
/// held on `device`, the best of `EVAL_REPS` after one untimed.
fn evaluation_rate(model: ModelKind, device: &Device, chunk: usize) -> f64 {
    device.seed(0);
    let net = Net::new(model, &device.clone().autodiff());
    let data = DeviceData::random(1, EVAL_IMAGES, device).chunked(chunk);
    evaluate(&net, &data);
    let best = (0..EVAL_REPS)
        .map(|_| {
            let start = Instant::now();
            evaluate(&net, &data);
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    EVAL_IMAGES as f64 / best
}

/// `experiments bench`: every measurement, then the table (and the CSV).
pub fn run(plan: BenchPlan) -> Result<()> {
    // SAFETY: set before any compute thread pool exists (nothing has run on a device yet).
    unsafe { std::env::set_var("RAYON_NUM_THREADS", plan.threads.to_string()) };
    if plan.unfused {
        kernels::unfuse().map_err(|e| Error::new(format!("bench --unfused: {e}")))?;
    }
    // Every device first: a software GPU adapter is refused before anything is measured.
    let mut opened = HashMap::new();
    for &kind in &plan.backends {
        let (device, used) = backend::device(kind)?;
        if used == BackendKind::Wgpu {
            let adapter = backend::adapter(burn::tensor::DeviceKind::DefaultDevice)?;
            println!("wgpu adapter: {}", adapter.line);
            if adapter.software && !plan.allow_software {
                return Err(Error::new(format!(
                    "bench --backends wgpu: the adapter is a software one ({}), whose figures say nothing of a GPU; install the GPU's Vulkan driver, or pass --allow-software to measure it anyway",
                    adapter.line
                )));
            }
        }
        opened.insert(kind, (device, used));
    }
    let first_peak = peak_gflops(plan.threads);
    eprintln!(
        "peak: {first_peak:.1} GFLOP/s ({PEAK_SIZE}³ fp32 gemm, {} threads)",
        plan.threads
    );
    let mut rows = Vec::new();
    let mut reference = HashMap::new();
    for &kind in &plan.backends {
        let (inner, used) = opened[&kind].clone();
        let device = inner.clone().autodiff();
        let traffic = used.traffic();
        for &model in &plan.models {
            // Evaluation does not depend on the training batch: measured once per model.
            let chunk = backend::eval_chunk(used, model)?;
            let evaluation = evaluation_rate(model, &inner, chunk);
            for &batch in &plan.batch_sizes {
                let steps = plan.images.div_ceil(batch as u64).max(2);
                let counts = (warmup(plan.warmup, traffic), steps);
                let training = burn_rate(
                    model,
                    plan.optimizer,
                    batch,
                    &device,
                    counts,
                    traffic.read_every,
                )?;
                eprintln!(
                    "burn {} {} batch {batch}: {:.0} images/s training ({steps} steps), {evaluation:.0} evaluating; {:.3} reads, {:.1} kernels a step, {} new kernels after warm-up",
                    used.name(),
                    model.name(),
                    training.images_per_second,
                    training.reads_per_step,
                    training.kernels_per_step,
                    training.new_kernels,
                );
                for (name, launches, seconds) in training.kernel_times.iter().take(6) {
                    eprintln!(
                        "  {:>9.3} ms/step {launches:>5.1}× {}",
                        seconds * 1e3,
                        short(name),
                    );
                }
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
                rows.push(Row {
                    backend: used,
                    model,
                    batch,
                    training,
                    evaluation,
                });
            }
        }
    }
    // Measured again at the end, and the better one kept: a machine shared with others can be
    // slowed through one measurement, and a peak taken low would overstate every share of it.
    let last_peak = peak_gflops(plan.threads);
    eprintln!("peak again: {last_peak:.1} GFLOP/s");
    let peak = first_peak.max(last_peak);
    table::print(&plan, &rows, &reference, peak)
}
