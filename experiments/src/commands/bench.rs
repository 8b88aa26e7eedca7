//! `experiments bench`: training throughput of each model, batch size and CPU backend, side by
//! side with PyTorch running the same network, optimizer, batch and thread count; and how close
//! that is to the machine: the practical peak of a large matrix multiply through `gemm` (the
//! kernels' own), the FLOP/s training achieves (from [`ModelKind::train_flop_per_image`]), the
//! cores busy while it trains, and evaluation (the forward pass alone, as training evaluates).

use std::collections::HashMap;
use std::process::Command;
use std::time::Instant;

use burn::tensor::Device;

use crate::backend::{self, BackendKind, Traffic};
use crate::error::{Error, Result};
use crate::fsio;
use crate::kernels;
use crate::model::{ModelKind, Net};
use crate::optim::OptimizerKind;
use crate::plan::{BenchPlan, Reference};
use crate::train::{DeviceData, Learner, Losses, Shuffle, evaluate, readback};

/// Batches of random data the bench cycles through: enough that gathering a batch costs what it
/// costs in training, few enough to fit any device.
const BENCH_BATCHES: usize = 4;

/// Side of the square matrices of the peak measurement: 2·2048³ ≈ 17.2 GFLOP a multiply.
const PEAK_SIZE: usize = 2048;

/// Timed multiplies of the peak measurement, after one untimed.
const PEAK_REPS: u32 = 3;

/// The practical peak in GFLOP/s: `PEAK_SIZE`² fp32 matrices multiplied through `gemm` on
/// `threads` threads of the rayon pool the kernels use, best of `PEAK_REPS` after a warm-up.
fn peak_gflops(threads: usize) -> f64 {
    let n = PEAK_SIZE;
    let lhs: Vec<f32> = (0..n * n).map(|i| (i % 7) as f32 * 0.25 - 0.75).collect();
    let rhs: Vec<f32> = (0..n * n).map(|i| (i % 5) as f32 * 0.5 - 1.0).collect();
    let mut dst = vec![0.0f32; n * n];
    let mut multiply = || {
        let start = Instant::now();
        // SAFETY: three contiguous row-major n×n buffers, strides (n, 1), all in bounds.
        unsafe {
            gemm::gemm(
                n,
                n,
                n,
                dst.as_mut_ptr(),
                1,
                n as isize,
                false,
                lhs.as_ptr(),
                1,
                n as isize,
                rhs.as_ptr(),
                1,
                n as isize,
                0.0,
                1.0,
                false,
                false,
                false,
                gemm::Parallelism::Rayon(threads),
            )
        }
        start.elapsed().as_secs_f64()
    };
    multiply();
    let best = (0..PEAK_REPS)
        .map(|_| multiply())
        .fold(f64::INFINITY, f64::min);
    2.0 * (n as f64).powi(3) / best / 1e9
}

/// CPU seconds (user + system) this process has used so far, all threads together; `None`
/// where `getrusage` is unavailable.
fn cpu_seconds() -> Option<f64> {
    #[cfg(unix)]
    {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } != 0 {
            return None;
        }
        // SAFETY: initialised by the successful call above (and zeroed before it).
        let usage = unsafe { usage.assume_init() };
        let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
        Some(seconds(usage.ru_utime) + seconds(usage.ru_stime))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// A timed training measurement.
struct Training {
    images_per_second: f64,
    /// Process CPU time over wall time while it ran: the cores kept busy.
    cores_busy: Option<f64>,
    /// Device→host reads per timed step.
    reads_per_step: f64,
    /// Kernel launches per timed step (none on the CPU backends).
    kernels_per_step: f64,
    /// Kernels the timed steps launched that the warm-up had not: compiles after warm-up.
    new_kernels: u64,
    /// The kernels of a few steps timed one by one: name, launches and seconds per step.
    kernel_times: Vec<(String, f64, f64)>,
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

/// One line of the table.
struct Row {
    backend: BackendKind,
    model: ModelKind,
    batch: usize,
    training: Training,
    evaluation: f64,
}

/// The CSV header: the table's columns (the share of the peak in percent), with the FLOP per
/// image and the peak the share is of. PyTorch's cells are empty with `--no-reference`.
const CSV_HEADER: [&str; 16] = [
    "backend",
    "model",
    "batch",
    "burn_images_per_second",
    "pytorch_images_per_second",
    "burn_over_pytorch",
    "evaluation_images_per_second",
    "evaluation_over_training",
    "train_flop_per_image",
    "gflops",
    "percent_of_peak",
    "peak_gflops",
    "cores_busy",
    "reads_per_step",
    "kernels_per_step",
    "new_kernels_after_warmup",
];

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
        let traffic = Traffic::of(used);
        for &model in &plan.models {
            // Evaluation does not depend on the training batch: measured once per model.
            let chunk = match used {
                BackendKind::Wgpu => model.gpu_eval_chunk(backend::buffer_limit()?),
                _ => traffic.eval_chunk,
            };
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
    let against = match &plan.reference {
        None => "Burn alone".to_string(),
        Some(r) => format!("PyTorch on {}", r.device),
    };
    println!(
        "\nTraining images/s, {} threads, {} (lr 1e-3), random data on the device, {} warm-up steps{}, losses read as training reads them{}, {against}.",
        plan.threads,
        plan.optimizer.name(),
        plan.warmup,
        match plan.backends.contains(&BackendKind::Wgpu) {
            true => format!(" (on wgpu at least {})", warmup(0, Traffic::GPU)),
            false => String::new(),
        },
        if plan.unfused {
            ", kernel fusion off"
        } else {
            ""
        },
    );
    println!(
        "Peak: {peak:.1} GFLOP/s ({PEAK_SIZE}×{PEAK_SIZE}×{PEAK_SIZE} fp32 gemm, {} threads, best of {PEAK_REPS} before the measurements and {PEAK_REPS} after).",
        plan.threads
    );
    let flop: Vec<String> = plan
        .models
        .iter()
        .map(|m| {
            format!(
                "{} {:.2} MFLOP",
                m.name(),
                m.train_flop_per_image() as f64 / 1e6
            )
        })
        .collect();
    println!(
        "Training FLOP per image (conv and linear layers, backward 2× forward, no input gradient for the first layer): {}.\n",
        flop.join(", ")
    );
    println!(
        "| backend | model | batch | Burn img/s | PyTorch img/s | Burn / PyTorch | evaluation img/s | evaluation / training | GFLOP/s | % of peak | cores busy | reads/step | kernels/step | new kernels after warm-up |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut csv = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| Error::new(format!("cannot write the bench CSV: {e}"));
    csv.write_record(CSV_HEADER).map_err(csv_error)?;
    for row in &rows {
        let rate = row.training.images_per_second;
        let torch = reference.get(&(row.model, row.batch)).copied();
        let flop = row.model.train_flop_per_image();
        let gflops = rate * flop as f64 / 1e9;
        let share = 100.0 * gflops / peak;
        let (torch_cell, ratio_cell) = match torch {
            Some(r) => (format!("{r:.0}"), format!("{:.2}×", rate / r)),
            None => ("–".into(), "–".into()),
        };
        let cores_cell = row
            .training
            .cores_busy
            .map_or("–".into(), |c| format!("{c:.2}"));
        println!(
            "| {} | {} | {} | {rate:.0} | {torch_cell} | {ratio_cell} | {:.0} | {:.2}× | {gflops:.1} | {share:.1}% | {cores_cell} | {:.3} | {:.1} | {} |",
            row.backend.name(),
            row.model.name(),
            row.batch,
            row.evaluation,
            row.evaluation / rate,
            row.training.reads_per_step,
            row.training.kernels_per_step,
            row.training.new_kernels,
        );
        let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        csv.write_record([
            row.backend.name().to_string(),
            row.model.name().to_string(),
            row.batch.to_string(),
            rate.to_string(),
            opt(torch),
            opt(torch.map(|r| rate / r)),
            row.evaluation.to_string(),
            (row.evaluation / rate).to_string(),
            flop.to_string(),
            gflops.to_string(),
            share.to_string(),
            peak.to_string(),
            opt(row.training.cores_busy),
            row.training.reads_per_step.to_string(),
            row.training.kernels_per_step.to_string(),
            row.training.new_kernels.to_string(),
        ])
        .map_err(csv_error)?;
    }
    if let Some(path) = &plan.csv {
        let bytes = csv
            .into_inner()
            .map_err(|e| Error::new(format!("cannot write the bench CSV: {e}")))?;
        fsio::write_atomic(path, &bytes)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
