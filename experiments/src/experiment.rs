//! The default action: resolve the settings, load the data once, train every requested schedule
//! and write each run's files and the sweep's report.

use std::path::{Path, PathBuf};

use clap::Args;
use schedules::{Schedule, ScheduleConfig};
use serde::{Deserialize, Serialize};

use crate::backend::{self, BackendKind};
use crate::checkpoint::{self, Checkpoint};
use crate::config::{self, ConfigFile, Dataset};
use crate::lr_find;
use crate::model::ModelKind;
use crate::optim::OptimizerKind;
use crate::progress::Progress;
use crate::results::{self, RunInfo};
use crate::sweep;
use crate::train::{self, DeviceData, Ending, RunFiles, RunSpec};
use burn::tensor::Device;

/// Training options (flags override `--config`, which overrides configs/experiment.toml).
#[derive(Debug, Args, Default)]
pub struct TrainArgs {
    /// Schedule presets to train, comma-separated or repeated; `all` for every preset.
    #[arg(long, value_delimiter = ',')]
    pub schedule: Vec<String>,
    /// A TOML file with experiment settings and/or a `[schedule]` table.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Network.
    #[arg(long, value_enum)]
    pub model: Option<ModelKind>,
    /// Optimizer (PyTorch's defaults for each).
    #[arg(long, value_enum)]
    pub optimizer: Option<OptimizerKind>,
    /// Device: auto takes wgpu on a hardware GPU, flex otherwise.
    #[arg(long, value_enum)]
    pub backend: Option<BackendKind>,
    /// Passes over the training set.
    #[arg(long)]
    pub epochs: Option<u64>,
    /// Images per optimizer step.
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Fixes initialisation, shuffle order and dropout.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Folder with the four IDX files (else $MNIST_DIR, ./data/mnist, Burn's cache, a download).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Data set.
    #[arg(long, value_enum)]
    pub dataset: Option<Dataset>,
    /// Results root; runs land in OUT/NAME/RUN/.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Sweep folder name under --out (default: dataset-model-optimizer-Nep).
    #[arg(long)]
    pub name: Option<String>,
    /// Train on the first N training images only (quick checks).
    #[arg(long)]
    pub train_limit: Option<usize>,
    /// Evaluate on the first N test images only.
    #[arg(long)]
    pub test_limit: Option<usize>,
    /// Also run loss decay: this preset multiplies the loss while the lr stays fixed.
    #[arg(long)]
    pub loss_decay: Option<String>,
    /// The fixed lr of the loss-decay run (default: the loss-decay preset's peak).
    #[arg(long)]
    pub lr: Option<f64>,
    /// Stop every run after N optimizer steps.
    #[arg(long)]
    pub max_steps: Option<u64>,
    /// Logarithmic learning-rate axes in the pictures (loss axes are always logarithmic).
    #[arg(long)]
    pub log_y: bool,
    /// No progress output.
    #[arg(long)]
    pub quiet: bool,
    /// Continue a stopped sweep (a sweep folder: finished runs are skipped) or one run (its
    /// folder), with the settings it started with.
    #[arg(long, value_name = "DIR", conflicts_with_all = [
        "schedule", "config", "model", "optimizer", "epochs", "batch_size", "seed", "dataset",
        "out", "name", "train_limit", "test_limit", "loss_decay", "lr", "max_steps", "shard",
        "seeds",
    ])]
    pub resume: Option<PathBuf>,
    /// Train every schedule with N seeds (the seed, seed+1, …); the report adds mean ± std
    /// over seeds and loss curves with min–max bands.
    #[arg(long, value_name = "N")]
    pub seeds: Option<u64>,
    /// Train only slice I of N of the sweep (runs I, I+N, I+2N, … in sweep order, counting
    /// from 1), into its own folder NAME-shard-I-of-N; `experiments report` merges the slices.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Spread the runs over these GPUs (indices among the discrete GPUs wgpu finds, e.g. 0,1),
    /// each holding its own copy of the data and training --jobs runs at a time.
    #[arg(long, value_delimiter = ',', value_name = "I,J,…")]
    pub devices: Vec<usize>,
    /// Runs trained at the same time, sharing the data on the device (default: 8 on a GPU, 1
    /// on the CPU, where runs would only compete for the same cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Stop each run after N steps as if interrupted, leaving a checkpoint to --resume from.
    #[arg(long, value_name = "N")]
    pub stop_after: Option<u64>,
}

/// `I/N` with 1 ≤ I ≤ N.
fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("`{text}` is not I/N with 1 ≤ I ≤ N (e.g. 2/8)");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if i == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

/// A run to train: its name, schedule and, for loss decay, the loss multiplier.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Planned {
    name: String,
    schedule: ScheduleConfig,
    #[serde(skip_serializing_if = "Option::is_none")]
    loss_decay: Option<ScheduleConfig>,
    /// This run's seed when the sweep repeats schedules over seeds (`--seeds`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    /// The schedule a repeated run belongs to (its name without the seed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    /// Rates the preset left to the LR range test (`max_lr = "auto"`); filled before training,
    /// so `sweep.toml` holds the numbers.
    #[serde(skip)]
    auto: config::AutoPaths,
}

/// `sweep.toml`: what a sweep was started with, so `--resume` can finish it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    max_steps: Option<u64>,
    log_y: bool,
    settings: ConfigFile,
    runs: Vec<Planned>,
}

const SWEEP_FILE: &str = "sweep.toml";

/// Runs trained at once on a GPU unless `--jobs` says otherwise: a small CNN leaves a large GPU
/// mostly idle, and eight runs' activations fit in a few GB.
const DEFAULT_GPU_JOBS: usize = 8;

/// The settings with every default applied.
struct Settings {
    model: ModelKind,
    optimizer: OptimizerKind,
    backend: BackendKind,
    dataset: Dataset,
    epochs: u64,
    batch_size: usize,
    seed: u64,
    out: PathBuf,
}

fn resolve(args: &TrainArgs) -> Result<(ConfigFile, Settings, Vec<Planned>), String> {
    let mut file = config::defaults();
    let mut file_schedule = None;
    if let Some(path) = &args.config {
        let (name, mut given) = config::read_config(path)?;
        file_schedule = given.schedule.take().map(|s| (name, s));
        file = file.merged(given);
    }
    let flags = ConfigFile {
        model: args.model,
        optimizer: args.optimizer,
        backend: args.backend,
        dataset: args.dataset,
        epochs: args.epochs,
        batch_size: args.batch_size,
        seed: args.seed,
        data_dir: args.data_dir.clone(),
        out: args.out.clone(),
        train_limit: args.train_limit,
        test_limit: args.test_limit,
        loss_decay: None,
        schedule: None,
    };
    let file = file.merged(flags);
    let settings = settings_of(&file)?;
    if args.max_steps == Some(0) {
        return Err("--max-steps (0) must be at least 1".into());
    }
    let mut plan = Vec::new();
    if args.schedule.is_empty() {
        if let Some((name, schedule)) = file_schedule {
            plan.push(Planned {
                name,
                schedule,
                loss_decay: None,
                seed: None,
                group: None,
                auto: Vec::new(),
            });
        }
    }
    for name in config::expand_all(&args.schedule) {
        let (schedule, auto) = config::preset_auto(&name)?;
        plan.push(Planned {
            name,
            schedule,
            loss_decay: None,
            seed: None,
            group: None,
            auto,
        });
    }
    let loss_decay = match &args.loss_decay {
        Some(name) => Some((format!("loss-decay-{name}"), config::preset(name)?)),
        None => file
            .loss_decay
            .clone()
            .map(|s| ("loss-decay".to_string(), s)),
    };
    if let Some((name, decay)) = loss_decay {
        let lr = args.lr.unwrap_or_else(|| decay.bounds().1);
        let schedule = config::check("--lr", ScheduleConfig::Constant(schedules::Constant { lr }))?;
        plan.push(Planned {
            name,
            schedule,
            loss_decay: Some(decay),
            seed: None,
            group: None,
            auto: Vec::new(),
        });
    }
    if plan.is_empty() {
        return Err(format!(
            "no schedule to train: pass --schedule NAME (presets: {}, or all) or --config FILE with a [schedule] table",
            config::preset_names().join(", ")
        ));
    }
    let mut seen = std::collections::HashSet::new();
    plan.retain(|p| seen.insert(p.name.clone()));
    match args.seeds {
        Some(0) => return Err("--seeds (0) must be at least 1".into()),
        Some(n) if n > 1 => {
            plan = plan
                .into_iter()
                .flat_map(|p| {
                    (0..n).map(move |k| {
                        let seed = settings.seed.wrapping_add(k);
                        Planned {
                            name: format!("{}-seed{seed}", p.name),
                            seed: Some(seed),
                            group: Some(p.name.clone()),
                            ..p.clone()
                        }
                    })
                })
                .collect();
        }
        _ => {}
    }
    if let Some((i, n)) = args.shard {
        plan = plan
            .into_iter()
            .enumerate()
            .filter(|(k, _)| k % n == i - 1)
            .map(|(_, p)| p)
            .collect();
    }
    Ok((file, settings, plan))
}

/// The settings of a merged config, checked.
fn settings_of(file: &ConfigFile) -> Result<Settings, String> {
    // configs/experiment.toml (built in, merged first) sets every one of these.
    let missing = |key: &str| format!("configs/experiment.toml lacks `{key}`; restore the default");
    let settings = Settings {
        model: file.model.ok_or_else(|| missing("model"))?,
        optimizer: file.optimizer.ok_or_else(|| missing("optimizer"))?,
        backend: file.backend.ok_or_else(|| missing("backend"))?,
        dataset: file.dataset.ok_or_else(|| missing("dataset"))?,
        epochs: file.epochs.ok_or_else(|| missing("epochs"))?,
        batch_size: file.batch_size.ok_or_else(|| missing("batch_size"))?,
        seed: file.seed.ok_or_else(|| missing("seed"))?,
        out: file.out.clone().ok_or_else(|| missing("out"))?,
    };
    if settings.epochs == 0 {
        return Err("epochs (0) must be at least 1".into());
    }
    if settings.batch_size == 0 {
        return Err("batch_size (0) must be at least 1".into());
    }
    for (name, limit) in [
        ("train_limit", file.train_limit),
        ("test_limit", file.test_limit),
    ] {
        if limit == Some(0) {
            return Err(format!(
                "{name} (0) must be at least 1 image; leave it out to use all"
            ));
        }
    }
    Ok(settings)
}

/// What `--resume DIR` continues: the sweep folder, its settings and the runs to finish (all of
/// the sweep's, or the one whose folder DIR is). `--backend`, `--data-dir` and `--log-y` may
/// still be given.
fn resume_plan(
    dir: &Path,
    args: &mut TrainArgs,
) -> Result<(ConfigFile, Settings, Vec<Planned>, PathBuf), String> {
    let (sweep_dir, only) = if dir.join(SWEEP_FILE).is_file() {
        (dir.to_path_buf(), None)
    } else if let Some(parent) = dir.parent().filter(|p| p.join(SWEEP_FILE).is_file()) {
        let run = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        (parent.to_path_buf(), run)
    } else {
        return Err(format!(
            "--resume {}: no {SWEEP_FILE} there or in its parent; pass a sweep folder (or a run folder inside one) written by this program",
            dir.display()
        ));
    };
    let path = sweep_dir.join(SWEEP_FILE);
    let sweep: SweepFile = config::parse_toml(&path.display().to_string(), &config::read(&path)?)?;
    let file = sweep.settings.merged(ConfigFile {
        backend: args.backend,
        data_dir: args.data_dir.clone(),
        ..ConfigFile::default()
    });
    let settings = settings_of(&file)?;
    for p in &sweep.runs {
        config::check(
            &format!("{} run {}", path.display(), p.name),
            p.schedule.clone(),
        )?;
    }
    let mut plan = sweep.runs;
    if let Some(run) = only {
        plan.retain(|p| p.name == run);
        if plan.is_empty() {
            return Err(format!(
                "--resume {}: {} has no run `{run}`; pass the sweep folder instead",
                dir.display(),
                path.display()
            ));
        }
    }
    args.max_steps = sweep.max_steps;
    args.log_y |= sweep.log_y;
    Ok((file, settings, plan, sweep_dir))
}

/// What every run of a sweep shares.
struct RunContext<'a> {
    file: &'a ConfigFile,
    s: &'a Settings,
    used: BackendKind,
    sweep_dir: &'a Path,
    data: &'a DeviceData,
    device: &'a burn::tensor::Device,
    resuming: bool,
    max_steps: Option<u64>,
    stop_after: Option<u64>,
}

/// Trains one run of the sweep (or resumes it, or skips it when finished) and writes its files.
fn run_one(ctx: &RunContext, p: &Planned, progress: &mut Progress) -> Result<Ending, String> {
    let run_dir = ctx.sweep_dir.join(&p.name);
    std::fs::create_dir_all(&run_dir)
        .map_err(|e| format!("cannot create {}: {e}", run_dir.display()))?;
    let checkpoint_path = run_dir.join(checkpoint::FILE);
    let summary_path = run_dir.join("summary.json");
    let resume = if !ctx.resuming {
        // A fresh run: files of an earlier run in this folder no longer describe it.
        for stale in [&checkpoint_path, &summary_path] {
            let _ = std::fs::remove_file(stale);
        }
        None
    } else if checkpoint_path.is_file() {
        Some(Checkpoint::load(&checkpoint_path)?)
    } else if summary_path.is_file() {
        progress.note(&format!("{}: finished before, skipped", p.name));
        return Ok(Ending::Finished);
    } else {
        None
    };
    if let Some(c) = &resume {
        progress.note(&format!("{}: resuming after step {}", p.name, c.state.step));
    }
    let resolved = ConfigFile {
        model: Some(ctx.s.model),
        optimizer: Some(ctx.s.optimizer),
        backend: Some(ctx.used),
        dataset: Some(ctx.s.dataset),
        epochs: Some(ctx.s.epochs),
        batch_size: Some(ctx.s.batch_size),
        seed: Some(p.seed.unwrap_or(ctx.s.seed)),
        schedule: Some(p.schedule.clone()),
        loss_decay: p.loss_decay.clone(),
        ..ctx.file.clone()
    };
    let toml =
        toml::to_string(&resolved).map_err(|e| format!("cannot serialise the config: {e}"))?;
    results::write_atomic(&run_dir.join("config.toml"), toml.as_bytes())?;
    let spec = RunSpec {
        name: &p.name,
        schedule: &p.schedule,
        loss_decay: p.loss_decay.as_ref(),
        model: ctx.s.model,
        optimizer: ctx.s.optimizer,
        epochs: ctx.s.epochs,
        batch_size: ctx.s.batch_size,
        seed: p.seed.unwrap_or(ctx.s.seed),
        max_steps: ctx.max_steps,
    };
    let metrics_path = run_dir.join("metrics.csv");
    let files = RunFiles {
        checkpoint: &checkpoint_path,
        metrics: &metrics_path,
        resume,
        stop_after: ctx.stop_after,
    };
    let (outcome, ending) = train::train(&spec, ctx.data, ctx.device, progress, files)?;
    if ending == Ending::Stopped {
        return Ok(Ending::Stopped);
    }
    results::write_atomic(&metrics_path, results::metrics_csv(&outcome).as_bytes())?;
    let info = RunInfo {
        name: &p.name,
        kind: p.schedule.kind(),
        model: ctx.s.model.name(),
        optimizer: ctx.s.optimizer.name(),
        backend: ctx.used.name(),
        dataset: ctx.s.dataset.name(),
        epochs: ctx.s.epochs,
        batch_size: ctx.s.batch_size,
        seed: p.seed.unwrap_or(ctx.s.seed),
        group: p.group.as_deref(),
    };
    let summary = results::summarize(&info, &outcome);
    let json = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    results::write_atomic(&summary_path, json.as_bytes())?;
    // The run is complete: its checkpoint would only resume it into the same files.
    let _ = std::fs::remove_file(&checkpoint_path);
    Ok(Ending::Finished)
}

/// How many steps a schedule needs before its end, when it has one that matters.
fn schedule_length(s: &ScheduleConfig) -> Option<u64> {
    match s {
        ScheduleConfig::Cosine(c) => Some(c.total_steps),
        ScheduleConfig::OneCycle(c) => Some(c.total_steps),
        ScheduleConfig::Polynomial(p) if !p.cycle => Some(p.total_steps),
        ScheduleConfig::Linear(l) => Some(l.total_steps),
        ScheduleConfig::Wsd(w) => Some(w.warmup_steps + w.stable_steps + w.decay_steps),
        ScheduleConfig::Warmup(w) => schedule_length(&w.after).map(|n| n + w.warmup_steps),
        _ => None,
    }
}

/// Trains every planned run and writes the sweep's report. `Ok(false)` when a stop request
/// (Ctrl-C, SIGTERM, `--stop-after`) ended it early, with checkpoints to resume from.
pub fn run(mut args: TrainArgs) -> Result<bool, String> {
    let resuming = args.resume.is_some();
    let (file, s, plan, sweep_dir) = match args.resume.clone() {
        Some(dir) => resume_plan(&dir, &mut args)?,
        None => {
            let (file, s, plan) = resolve(&args)?;
            let sweep_name = args.name.clone().unwrap_or_else(|| {
                format!(
                    "{}-{}-{}-{}ep",
                    s.dataset.name(),
                    s.model.name(),
                    s.optimizer.name(),
                    s.epochs
                )
            });
            let sweep_name = match args.shard {
                Some((i, n)) => format!("{sweep_name}-shard-{i}-of-{n}"),
                None => sweep_name,
            };
            if plan.is_empty() {
                // A job array larger than the sweep: this slice has nothing to train.
                eprintln!("shard {sweep_name}: no runs in this slice; nothing to do");
                return Ok(true);
            }
            let sweep_dir = s.out.join(&sweep_name);
            (file, s, plan, sweep_dir)
        }
    };
    results::create_out_dir(&sweep_dir)?;
    let data = mnist::load(
        s.dataset.kind(),
        file.data_dir.as_deref(),
        file.train_limit,
        file.test_limit,
    )
    .map_err(|e| e.to_string())?;
    let (device, used) = backend::device(s.backend)?;
    let devices = if args.devices.is_empty() {
        vec![device]
    } else if used != BackendKind::Wgpu {
        return Err(format!(
            "--devices spreads runs over GPUs, but the backend is {}; use --backend wgpu",
            used.name()
        ));
    } else {
        backend::gpus(&args.devices)?
    };
    // One copy of the data on each device; runs on a device share it.
    let on_devices: Vec<(Device, DeviceData)> = devices
        .iter()
        .map(|d| {
            let train = d.clone().autodiff();
            let held = DeviceData::new(&data, s.dataset == Dataset::FashionMnist, &train, d);
            (train, held)
        })
        .collect();
    let (train_device, data) = &on_devices[0];
    let mut plan = plan;
    if plan.iter().any(|p| !p.auto.is_empty()) {
        let points = lr_find::RangeTest::standard(args.quiet).run(
            s.model,
            s.optimizer,
            s.batch_size,
            s.seed,
            data,
            train_device,
        );
        let found = lr_find::suggest(&points)
            .ok_or("the LR range test for `\"auto\"` rates saw no finite loss")?;
        eprintln!(
            "LR range test: max_lr = {:.3e} (lowest loss / 10), base_lr = {:.3e} (max_lr / 4) for the \"auto\" rates",
            found.max_lr, found.base_lr
        );
        results::write_atomic(
            &sweep_dir.join("lr-find.csv"),
            lr_find::csv(&points).as_bytes(),
        )?;
        for p in plan.iter_mut().filter(|p| !p.auto.is_empty()) {
            p.schedule =
                config::fill_auto(&p.name, &p.schedule, &p.auto, found.max_lr, found.base_lr)?;
        }
    }
    if !resuming {
        let sweep = SweepFile {
            max_steps: args.max_steps,
            log_y: args.log_y,
            settings: ConfigFile {
                // Absolute, so a resume from another working directory finds the data.
                data_dir: file
                    .data_dir
                    .as_ref()
                    .map(|d| std::path::absolute(d).unwrap_or_else(|_| d.clone())),
                loss_decay: None,
                schedule: None,
                ..file.clone()
            },
            runs: plan.clone(),
        };
        let text =
            toml::to_string(&sweep).map_err(|e| format!("cannot serialise {SWEEP_FILE}: {e}"))?;
        results::write_atomic(&sweep_dir.join(SWEEP_FILE), text.as_bytes())?;
    }

    let steps_per_epoch = data.n_train.div_ceil(s.batch_size) as u64;
    let total = (steps_per_epoch * s.epochs).min(args.max_steps.unwrap_or(u64::MAX));
    eprintln!(
        "{} run(s) of {} on {} ({} train / {} test images, {} steps each) -> {}",
        plan.len(),
        s.model.name(),
        used.name(),
        data.n_train,
        data.n_test,
        total,
        sweep_dir.display()
    );
    for p in &plan {
        // A few steps at the final rate do not matter; more than 2% of the run does.
        if let Some(len) =
            schedule_length(&p.schedule).filter(|&len| (len as f64) < 0.98 * total as f64)
        {
            eprintln!(
                "warning: {}: the schedule ends at step {len}, before the {total} steps of training; the rest runs at its final rate",
                p.name
            );
        }
    }
    if s.optimizer.is_adaptive() && plan.iter().any(|p| p.loss_decay.is_some()) {
        eprintln!(
            "note: with {} the loss scale is largely divided out, so loss decay is not the lr schedule it equals under plain SGD",
            s.optimizer.name()
        );
    }
    checkpoint::install_handler();
    let jobs = args
        .jobs
        .unwrap_or(if used == BackendKind::Wgpu {
            DEFAULT_GPU_JOBS
        } else {
            1
        })
        .clamp(1, plan.len().max(1));
    if jobs > 1 {
        eprintln!(
            "training {jobs} runs at a time on {}{}",
            used.name(),
            if used == BackendKind::Wgpu {
                ""
            } else {
                "; dropout masks then depend on thread timing, so runs of a dropout model are not bit-reproducible"
            }
        );
    }
    let contexts: Vec<RunContext> = on_devices
        .iter()
        .map(|(device, data)| RunContext {
            file: &file,
            s: &s,
            used,
            sweep_dir: &sweep_dir,
            data,
            device,
            resuming,
            max_steps: args.max_steps,
            stop_after: args.stop_after,
        })
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let worker = |ctx: &RunContext, plain: bool| -> Result<Ending, String> {
        let mut progress = Progress::new(s.batch_size, args.quiet, plain);
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let Some(p) = plan.get(i) else {
                return Ok(Ending::Finished);
            };
            if run_one(ctx, p, &mut progress)? == Ending::Stopped {
                // No new runs once one has stopped: the others finish their step and stop too
                // (a signal reaches them all; --stop-after stops each at the same step).
                next.store(plan.len(), std::sync::atomic::Ordering::SeqCst);
                return Ok(Ending::Stopped);
            }
        }
    };
    let endings: Vec<Result<Ending, String>> = if jobs * contexts.len() == 1 {
        vec![worker(&contexts[0], false)]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = contexts
                .iter()
                .flat_map(|ctx| (0..jobs).map(move |_| ctx))
                .map(|ctx| scope.spawn(|| worker(ctx, true)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("a training thread panicked".into()))
                })
                .collect()
        })
    };
    let mut stopped = false;
    for ending in endings {
        stopped |= ending? == Ending::Stopped;
    }
    if stopped {
        eprintln!(
            "stopped; continue with: experiments --resume {}",
            sweep_dir.display()
        );
        return Ok(false);
    }
    let order: Vec<String> = plan.iter().map(|p| p.name.clone()).collect();
    let runs = sweep::read_sweep(&sweep_dir, Some(&order))?;
    sweep::report(&sweep_dir, &runs, args.log_y)?;
    let (_, md) = sweep::tables(&runs);
    println!(
        "{}",
        md.lines()
            .filter(|l| l.starts_with('|'))
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!("wrote {}", sweep_dir.display());
    Ok(true)
}
