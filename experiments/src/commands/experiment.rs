//! The default command: plan the sweep, load the data once, train every run through the work
//! queue, and draw the sweep's report.

use burn::tensor::{Device, DeviceKind};
use std::path::Path;

use super::lr_find;
use crate::backend::{self, BackendKind};
use crate::checkpoint::Checkpoint;
use crate::cli::TrainArgs;
use crate::config::Dataset;
use crate::error::{Ending, Error, Result};
use crate::layout;
use crate::plan::{Draft, Planned, Settings, TrainPlan};
use crate::presets::AutoRates;
use crate::progress::Progress;
use crate::report;
use crate::signals;
use crate::summary;
use crate::train::{self, DeviceData, RunFiles};
use crate::{fsio, worker};

/// Runs trained at once on a GPU unless `--jobs` says otherwise: a small CNN leaves a large GPU
/// mostly idle, and eight runs' activations fit in a few GB.
const DEFAULT_GPU_JOBS: usize = 8;

/// A device with its own copy of the data: where a worker trains.
struct Place {
    /// The autodiff device training runs on.
    device: Device,
    data: DeviceData,
}

/// Trains every planned run of a command line and writes the sweep's report.
/// [`Ending::Stopped`] when a stop request (Ctrl-C, SIGTERM, `--stop-after`) ended it early,
/// with checkpoints to resume from.
pub fn run(args: TrainArgs) -> Result<Ending> {
    run_plan(Draft::from_args(args)?)
}

/// Trains every run of a plan (from the command line or a study's step) and writes the
/// sweep's report.
pub fn run_plan(draft: Draft) -> Result<Ending> {
    if draft.runs.is_empty() {
        // A job array larger than the sweep: this slice has nothing to train.
        eprintln!(
            "shard {}: no runs in this slice; nothing to do",
            draft
                .sweep
                .path()
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
        );
        return Ok(Ending::Finished);
    }
    fsio::create_out_dir(draft.sweep.path())?;
    // One process writes a sweep folder: a second one (the same command, or --resume) stops here.
    let _lock = fsio::lock_folder(draft.sweep.path())?;
    let (places, used, jobs) = places(&draft)?;
    let curve = draft.sweep.file(layout::LR_FIND);
    let quiet = draft.options.quiet;
    let plan = draft.finish(places[0].data.n_train, |s| {
        auto_rates(s, quiet, &places[0], &curve)
    })?;
    if !plan.resuming {
        plan.save()?;
    }
    announce(&plan, used, &places[0].data);
    signals::install_handler();
    // On the CPU, runs side by side split the cores between them rather than all queueing on
    // one thread pool; on a GPU each has a device (and queue) of its own among the places.
    let threads = (used != BackendKind::Wgpu && jobs > 1)
        .then(|| (rayon::current_num_threads() / jobs).max(1));
    let per_place = if used == BackendKind::Wgpu { 1 } else { jobs };
    let ending = worker::run_queue(
        &places,
        per_place,
        threads,
        &plan.runs,
        |side_by_side| Progress::new(plan.settings.batch_size, plan.options.quiet, side_by_side),
        |place, run, progress| run_one(&plan, used, place, run, progress),
    )?;
    if ending == Ending::Stopped {
        eprintln!(
            "stopped; continue with: experiments --resume {}",
            plan.sweep.path().display()
        );
        return Ok(Ending::Stopped);
    }
    let order: Vec<String> = plan.runs.iter().map(|p| p.name.clone()).collect();
    let runs = report::read_runs(&plan.sweep, Some(&order))?;
    let drawn = report::draw(&plan.sweep, &runs, plan.options.log_y)?;
    let md = &drawn.summary_md;
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    println!("{}", rows.join("\n"));
    eprintln!("wrote {}", plan.sweep.path().display());
    Ok(Ending::Finished)
}

/// Runs trained at once on each device: `--jobs`, else 8 on a GPU and 1 on the CPU (where runs
/// would only compete for the same cores); never more than there are runs. On a GPU a model
/// with dropout trains one run at a time: its masks come from the one generator CubeCL keeps
/// for the whole process, which runs side by side would draw from in the order their threads
/// happen to run.
fn jobs(draft: &Draft, used: BackendKind) -> Result<usize> {
    let gpu = used == BackendKind::Wgpu;
    let dropout = draft.settings.model.has_dropout();
    let asked = draft.options.jobs;
    if let (true, true, Some(n @ 2..)) = (gpu, dropout, asked) {
        return Err(Error::new(format!(
            "--jobs {n} on wgpu: {}'s dropout masks come from the GPU's one process-wide generator, so runs side by side would not be reproducible; use --jobs 1 (or separate commands), or --backend flex",
            draft.settings.model.name()
        )));
    }
    let default = if gpu && !dropout { DEFAULT_GPU_JOBS } else { 1 };
    let jobs = asked.unwrap_or(default).clamp(1, draft.runs.len().max(1));
    if jobs > 1 {
        eprintln!(
            "training {jobs} runs at a time on {}{}",
            used.name(),
            if gpu {
                ", each with its own device queue and copy of the data"
            } else {
                "; dropout masks then depend on thread timing, so runs of a dropout model are not bit-reproducible"
            }
        );
    }
    Ok(jobs)
}

/// Loads the data set and puts a copy on every device the runs will use: one per GPU and job
/// on wgpu, one on the CPU (where the jobs share it). Returns the places, the backend used and
/// the runs trained at once on each GPU or on the CPU.
fn places(plan: &Draft) -> Result<(Vec<Place>, BackendKind, usize)> {
    let s = &plan.settings;
    // The whole training set: the validation images are its last ones, whatever --train-limit.
    let data = mnist::load(
        s.dataset.kind(),
        plan.file.data_dir.as_deref(),
        None,
        plan.file.test_limit,
    )
    .map_err(|e| Error::new(e.to_string()))?;
    let (data, validation) = train::hold_out(data, s.validation, plan.file.train_limit)?;
    let (device, used) = backend::device(s.backend)?;
    let jobs = jobs(plan, used)?;
    let devices = if used == BackendKind::Wgpu {
        let kinds = if plan.options.devices.is_empty() {
            vec![DeviceKind::DefaultDevice]
        } else {
            backend::gpus(&plan.options.devices)?
        };
        backend::side_by_side(&kinds, jobs)?
    } else if plan.options.devices.is_empty() {
        vec![device]
    } else {
        return Err(Error::new(format!(
            "--devices spreads runs over GPUs, but the backend is {}; use --backend wgpu",
            used.name()
        )));
    };
    let fashion = s.dataset == Dataset::FashionMnist;
    let chunk = backend::eval_chunk(used, s.model)?;
    let places = devices
        .iter()
        .map(|d| {
            let device = d.clone().autodiff();
            let data = DeviceData::new(&data, &validation, fashion, &device, d).chunked(chunk);
            Place { device, data }
        })
        .collect();
    Ok((places, used, jobs))
}

/// The LR range test for the `"auto"` rates of a preset, its curve written to `curve`.
fn auto_rates(s: &Settings, quiet: bool, place: &Place, curve: &Path) -> Result<AutoRates> {
    let points = lr_find::RangeTest::standard(quiet).run(
        s.model,
        s.optimizer,
        s.batch_size,
        s.seed,
        &place.data,
        &place.device,
    );
    let found = lr_find::suggest(&points)
        .ok_or("the LR range test for `\"auto\"` rates saw no finite loss")?;
    eprintln!(
        "LR range test: max_lr = {:.3e} (lowest loss / 10), base_lr = {:.3e} (max_lr / 4) for the \"auto\" rates",
        found.max_lr, found.base_lr
    );
    fsio::write_atomic(curve, lr_find::csv(&points).as_bytes())?;
    Ok(AutoRates {
        max_lr: found.max_lr,
        base_lr: found.base_lr,
    })
}

/// Says what will be trained, and warns about schedules that end early.
fn announce(plan: &TrainPlan, used: BackendKind, data: &DeviceData) {
    let s = &plan.settings;
    let total = plan.steps(data.n_train);
    eprintln!(
        "{} run(s) of {} on {} ({} train / {} validation / {} test images, {} steps each) -> {}",
        plan.runs.len(),
        s.model.name(),
        used.name(),
        data.n_train,
        data.n_val,
        data.n_test,
        total,
        plan.sweep.path().display()
    );
    for p in &plan.runs {
        // A few steps at the final rate do not matter; more than 2% of the run does.
        if let Some(len) = (p.schedule.length()).filter(|&len| (len as f64) < 0.98 * total as f64) {
            eprintln!(
                "warning: {}: the schedule ends at step {len}, before the {total} steps of training; the rest runs at its final rate",
                p.name
            );
        }
    }
    if s.optimizer.is_adaptive() && plan.runs.iter().any(|p| p.loss_decay.is_some()) {
        eprintln!(
            "note: with {} the loss scale is largely divided out, so loss decay is not the lr schedule it equals under plain SGD",
            s.optimizer.name()
        );
    }
}

/// Trains one run of the sweep (or resumes it, or skips it when finished) and writes its files.
fn run_one(
    plan: &TrainPlan,
    used: BackendKind,
    place: &Place,
    run: &Planned,
    progress: &mut Progress,
) -> Result<Ending> {
    let dir = plan.sweep.run(&run.name);
    fsio::create_out_dir(dir.path())?;
    let checkpoint_path = dir.file(layout::CHECKPOINT);
    let summary_path = dir.file(layout::SUMMARY);
    let model_path = dir.file(layout::MODEL);
    let resume = if !plan.resuming {
        // A fresh run: files of an earlier run in this folder no longer describe it.
        for stale in [&checkpoint_path, &summary_path, &model_path] {
            let _ = std::fs::remove_file(stale);
        }
        None
    } else if checkpoint_path.is_file() {
        Some(Checkpoint::load(&checkpoint_path)?)
    } else if dir.is_finished() {
        progress.note(&format!("{}: finished before, skipped", run.name));
        return Ok(Ending::Finished);
    } else {
        None
    };
    if let Some(c) = &resume {
        progress.note(&format!(
            "{}: resuming after step {}",
            run.name, c.state.step
        ));
    }
    let config = toml::to_string(&plan.run_config(run, used))
        .map_err(|e| format!("cannot serialise the config: {e}"))?;
    fsio::write_atomic(&dir.file(layout::CONFIG), config.as_bytes())?;
    let metrics_path = dir.file(layout::METRICS);
    let files = RunFiles {
        checkpoint: &checkpoint_path,
        metrics: &metrics_path,
        resume,
        stop_after: plan.options.stop_after,
        max_steps: plan.max_steps,
        checkpoint_every: plan.options.checkpoint_every,
        model: plan.options.save_model.then_some(model_path.as_path()),
        read_every: (plan.options.read_every).unwrap_or(used.traffic().read_every),
    };
    let s = &plan.settings;
    let (outcome, ending) = train::train(run, s, &place.data, &place.device, progress, files)?;
    if ending == Ending::Stopped {
        return Ok(Ending::Stopped);
    }
    let csv = crate::metrics::to_csv(&outcome.steps, &outcome.evaluations);
    fsio::write_atomic(&metrics_path, csv.as_bytes())?;
    let summary = summary::summarize(run, s, used, &outcome);
    let json = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    fsio::write_atomic(&summary_path, json.as_bytes())?;
    // The run is complete: its checkpoint would only resume it into the same files.
    let _ = std::fs::remove_file(&checkpoint_path);
    Ok(Ending::Finished)
}
