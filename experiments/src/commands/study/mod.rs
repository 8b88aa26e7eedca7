//! `experiments study`: every arm (a schedule under an optimizer) tuned on the same budget and
//! compared on held-out data, on each workload of the study file. For each optimizer an LR
//! range test (the optimizers that need no schedule start from their reference rate instead);
//! for each arm a factor-2 grid of peak rates around that suggestion (extended past an edge that
//! wins), the winner picked by the best mean tuning score over the grid's seeds; then paired
//! final seeds at the tuned peak (the reference constant also at a quarter and four times it,
//! for the "too low" and "too high" claims) and zero-tuning seeds at the suggestion itself.
//! Each step is a sweep folder of its own inside the workload's folder, so an interrupted study
//! continues where it stopped when the same command runs again; `--workload` and `--shard I/N`
//! train a share. A finished arm writes its rows (`arms/ARM-runs.csv`, `arms/ARM-curves.csv`),
//! and the report reads those alone, so shards trained anywhere merge by copying them.

mod rows;
mod step;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::lr_find;
use crate::cli::StudyArgs;
use crate::config::{self, ConfigFile};
use crate::error::{Ending, Error, Result};
use crate::fsio;
use crate::layout::{self, SweepDir};
use crate::optim::OptimizerKind;
use crate::plan::study::{Arm, StudyFile};
use crate::plan::{LrFindPlan, Settings};
use crate::report::study::StudyData;
use crate::report::study::pick::{self, Point};
use crate::report::{self, RunData};
use rows::{arm_files, collect, write_arm_rows};
use step::{Step, train};

/// The reference's probes, as multiples of its tuned peak: too low, tuned, too high.
const PROBES: [f64; 3] = [0.25, 1.0, 4.0];

/// What every step of one workload of the study shares.
struct Study {
    file: StudyFile,
    /// The workload's folder (the study folder itself for a study without workloads).
    dir: PathBuf,
    /// The workload's settings: the study's `[settings]`, its own, and the command line's.
    settings: ConfigFile,
    args: StudyArgs,
}

/// The study file the command names, or the built-in `configs/study.toml`.
fn study_file(args: &StudyArgs) -> Result<StudyFile> {
    match &args.config {
        Some(path) => StudyFile::read(path),
        None => {
            let text = include_str!("../../../../configs/study.toml");
            let file: StudyFile = config::parse_toml("configs/study.toml", text)?;
            file.check()
                .map_err(|e| format!("configs/study.toml: {e}"))?;
            Ok(file)
        }
    }
}

/// Runs (or continues) the study, then draws its report.
pub fn run(args: StudyArgs) -> Result<Ending> {
    let mut file = study_file(&args)?;
    // The budget and the data set may be given on the command line; study.toml records them.
    file.settings.epochs = args.epochs.or(file.settings.epochs);
    file.settings.dataset = args.dataset.or(file.settings.dataset);
    if args.epochs.is_some() || args.dataset.is_some() {
        for w in &mut file.workloads {
            w.settings.epochs = args.epochs.or(w.settings.epochs);
            w.settings.dataset = args.dataset.or(w.settings.dataset);
        }
    }
    let workloads = file.workload_settings();
    if let Some(wanted) = &args.workload
        && !workloads.iter().any(|(w, _)| *w == Some(wanted.as_str()))
    {
        let names: Vec<&str> = workloads.iter().filter_map(|(w, _)| *w).collect();
        return Err(Error::new(format!(
            "--workload {wanted}: the study has no such workload ({})",
            if names.is_empty() {
                "it has none: drop --workload".to_string()
            } else {
                names.join(", ")
            }
        )));
    }
    let name = match (&args.name, &args.config) {
        (Some(name), _) => name.clone(),
        (None, Some(path)) if !file.workloads.is_empty() => {
            (path.file_stem()).map_or("suite".into(), |s| s.to_string_lossy().into_owned())
        }
        _ => {
            let s = settings(&workloads[0].1, OptimizerKind::Momentum)?;
            format!(
                "study-{}-{}-{}ep",
                s.dataset.name(),
                s.model.name(),
                s.epochs
            )
        }
    };
    let root = (args.out.clone())
        .or(config::defaults().out)
        .ok_or("configs/experiment.toml lacks `out`; restore the default")?
        .join(name);
    fsio::create_out_dir(&root)?;
    // Shards share the study folder (each writes only its arms' sweeps, which lock
    // themselves, and the same study.toml and range tests): only a whole study locks it.
    let whole = args.shard.is_none() && args.workload.is_none();
    let _lock = if whole {
        Some(fsio::lock_folder(&root)?)
    } else {
        None
    };
    save_study(&root, &file)?;
    let mut studies = Vec::new();
    for (workload, settings) in workloads {
        if args
            .workload
            .as_deref()
            .is_some_and(|w| Some(w) != workload)
        {
            continue;
        }
        let dir = workload.map_or(root.clone(), |w| root.join(w));
        let study = Study {
            file: file.clone(),
            dir,
            settings,
            args: args.clone(),
        };
        if train_workload(&study)? == Ending::Stopped {
            eprintln!(
                "stopped; run the same `experiments study` command again to continue where it stopped"
            );
            return Ok(Ending::Stopped);
        }
        studies.push(study);
    }
    if let Some((i, n)) = args.shard {
        eprintln!(
            "shard {i}/{n}: its arms are trained; once every shard has finished, run the study without --shard to draw the report"
        );
        return Ok(Ending::Finished);
    }
    let mut data = Vec::new();
    let mut reports = Vec::new();
    for study in &studies {
        let d = collect(study)?;
        match &file.statistics {
            None => {
                report::study::write_and_draw(&study.dir, &d)?;
            }
            Some(st) => {
                report::study::write_data(&study.dir, &d)?;
                let r = report::suite::workload(&d, &file, st);
                report::suite::draw(&study.dir, &r, &file, st)?;
                report::study::draw_figures(&study.dir, &d)?;
                reports.push(r);
            }
        }
        let md = fsio::read_to_string(&study.dir.join(layout::STUDY_MD))?;
        let lines: Vec<&str> = md
            .lines()
            .filter(|l| l.starts_with('|') || l.starts_with("- "))
            .collect();
        println!("{}", lines.join("\n"));
        data.push(d);
    }
    if whole && file.workloads.len() > 1 {
        draw_suite(&root, &file, &data, &reports)?;
    }
    eprintln!("wrote {}", root.display());
    Ok(Ending::Finished)
}

/// The suite's report across its workloads (`suite.md`), from each workload's data and report
/// (one each, in the order of the study file).
fn draw_suite(
    root: &Path,
    file: &StudyFile,
    data: &[StudyData],
    reports: &[report::suite::WorkloadReport],
) -> Result<()> {
    let Some(st) = &file.statistics else {
        return Ok(());
    };
    let workloads: Vec<report::suite::across::Workload> = (file.workloads.iter())
        .zip(data)
        .zip(reports)
        .map(|((w, data), report)| report::suite::across::Workload {
            name: &w.name,
            data,
            report,
        })
        .collect();
    let md = report::suite::across::markdown(&workloads, file, st);
    fsio::write_atomic(&root.join(layout::SUITE_MD), md.as_bytes())
}

/// Trains this workload's share of the arms (all of them without `--shard`), each arm's rows
/// written once it has finished.
fn train_workload(study: &Study) -> Result<Ending> {
    fsio::create_out_dir(&study.dir)?;
    fsio::create_out_dir(&study.dir.join(layout::STUDY_ARMS))?;
    for arm in &study.file.arms {
        let path = arm_config(&study.dir, arm);
        let text = study.file.arm_config_in(arm, &study.settings)?;
        fsio::write_atomic(&path, text.as_bytes())?;
    }
    let mine: Vec<&Arm> = (study.file.arms.iter())
        .enumerate()
        .filter(|(k, _)| study.args.shard.is_none_or(|(i, n)| k % n == i - 1))
        .map(|(_, a)| a)
        .collect();
    // An arm with its rows is finished, here or elsewhere (its rows copied in).
    let finished = |arm: &Arm| {
        let (runs, curves) = arm_files(&study.dir, &arm.name);
        runs.is_file() && curves.is_file()
    };
    let todo: Vec<&Arm> = mine.into_iter().filter(|a| !finished(a)).collect();
    // The range tests first, once each, before any arm trains.
    let mut suggestions = HashMap::new();
    for optimizer in study.file.optimizers() {
        if todo.iter().any(|a| a.optimizer == optimizer) {
            suggestions.insert(optimizer, suggestion(study, optimizer)?);
        }
    }
    for arm in &todo {
        let suggestion = suggestions[&arm.optimizer];
        if arm_steps(study, arm, suggestion)? == Ending::Stopped {
            return Ok(Ending::Stopped);
        }
        write_arm_rows(study, arm, suggestion)?;
    }
    Ok(Ending::Finished)
}

/// `experiments plot DIR` on a study folder: its report redrawn from `runs.csv` and `curves.csv`.
pub fn redraw(dir: &Path) -> Result<Vec<PathBuf>> {
    let path = dir.join(layout::STUDY);
    let file: StudyFile =
        config::parse_toml(&path.display().to_string(), &fsio::read_to_string(&path)?)?;
    let mut files = Vec::new();
    let mut all = Vec::new();
    let mut reports = Vec::new();
    for (workload, _) in file.workload_settings() {
        let dir = workload.map_or(dir.to_path_buf(), |w| dir.join(w));
        if workload.is_some() && !dir.join(layout::STUDY_RUNS).is_file() {
            // A suite still training: its finished workloads redraw, the others wait.
            eprintln!(
                "{}: no {} yet (the workload has not been reported); skipped",
                dir.display(),
                layout::STUDY_RUNS
            );
            continue;
        }
        let data = report::study::read(&dir, file.reference.clone(), file.cosine.clone())?;
        match &file.statistics {
            None => files.extend(report::study::draw(&dir, &data)?),
            Some(st) => {
                let r = report::suite::workload(&data, &file, st);
                files.extend(report::suite::draw(&dir, &r, &file, st)?);
                files.extend(report::study::draw_figures(&dir, &data)?);
                reports.push(r);
            }
        }
        all.push(data);
    }
    if file.workloads.len() > 1 && all.len() == file.workloads.len() {
        draw_suite(dir, &file, &all, &reports)?;
        files.push(dir.join(layout::SUITE_MD));
    }
    Ok(files)
}

/// The settings of a run of a workload (`workload`: its merged settings) under `optimizer`.
fn settings(workload: &ConfigFile, optimizer: OptimizerKind) -> Result<Settings> {
    Settings::of(&config::defaults().merged(ConfigFile {
        optimizer: Some(optimizer),
        ..workload.clone()
    }))
}

/// Writes `study.toml`, or checks that the folder holds this same study.
fn save_study(dir: &Path, file: &StudyFile) -> Result<()> {
    let text = toml::to_string(file).map_err(|e| format!("cannot write {}: {e}", layout::STUDY))?;
    let path = dir.join(layout::STUDY);
    if path.is_file() {
        if fsio::read_to_string(&path)? != text {
            return Err(Error::new(format!(
                "{} holds another study (its {} differs from this one); pass another --name, or delete the folder to start again",
                dir.display(),
                layout::STUDY
            )));
        }
        return Ok(());
    }
    fsio::write_atomic(&path, text.as_bytes())
}

fn arm_config(dir: &Path, arm: &Arm) -> PathBuf {
    dir.join(layout::STUDY_ARMS)
        .join(format!("{}.toml", arm.name))
}

/// Where an optimizer's grid is centred: the reference rate of an optimizer that needs no
/// schedule (its rate is a multiplier, or its range test is not what its authors tune by),
/// else the range test's suggestion.
fn suggestion(study: &Study, optimizer: OptimizerKind) -> Result<f64> {
    match optimizer.default_lr() {
        Some(lr) => Ok(lr),
        None => range_test(study, optimizer),
    }
}

/// The range test for `optimizer` (in `range-OPTIMIZER/`): its suggested peak. Run once: a
/// continued study, each shard and the report read the curve back, so every grid is centred on
/// the same suggestion even when a later invocation runs elsewhere.
fn range_test(study: &Study, optimizer: OptimizerKind) -> Result<f64> {
    let out = study.dir.join(format!("range-{}", optimizer.name()));
    let curve = out.join(layout::LR_FIND);
    if curve.is_file() {
        let fail = |what: &str| {
            let c = curve.display();
            format!("{c} {what}; delete its folder to run the range test again")
        };
        let points = lr_find::read_csv(&fsio::read_to_string(&curve)?)
            .ok_or_else(|| fail("is not a range test's curve"))?;
        let found = lr_find::suggest(&points).ok_or_else(|| fail("has no finite loss"))?;
        return Ok(found.max_lr);
    }
    let settings = settings(&study.settings, optimizer)?;
    let found = lr_find::run(LrFindPlan {
        data_dir: study
            .args
            .data_dir
            .clone()
            .or(study.settings.data_dir.clone()),
        train_limit: study.settings.train_limit,
        start: 1e-6,
        end: 10.0,
        steps: 200,
        beta: 0.98,
        out,
        quiet: true,
        settings,
    })?;
    Ok(found.max_lr)
}

/// The names of an arm's grid sweeps: the grid, then one per extension.
fn grid_names(study: &Study, arm: &Arm) -> Vec<String> {
    std::iter::once(format!("grid-{}", arm.name))
        .chain((1..=study.file.grid_extensions).map(|k| format!("grid-{}-e{k}", arm.name)))
        .collect()
}

/// The finished runs of the sweep folders `names` that exist.
fn read(study: &Study, names: &[String]) -> Result<Vec<RunData>> {
    let mut runs = Vec::new();
    for name in names {
        let dir = study.dir.join(name);
        if dir.join(layout::SWEEP).is_file() {
            runs.extend(report::read_runs(&SweepDir::new(dir), None)?);
        }
    }
    Ok(runs)
}

/// The multiple of the suggestion a run trained at (`--lr-scale`; 1 without).
fn factor(r: &RunData) -> f64 {
    r.summary.lr_scale.unwrap_or(1.0)
}

/// A run's tuning score: the mean validation accuracy of its last `last` evaluations (fewer
/// if it made fewer; its final one for 1), 0 for a run never evaluated.
fn score(r: &RunData, last: usize) -> f64 {
    let v: Vec<f64> = (r.evaluations.iter())
        .filter_map(|e| e.val_accuracy)
        .collect();
    let tail = &v[v.len().saturating_sub(last)..];
    if tail.is_empty() {
        return r.summary.final_val_accuracy.unwrap_or(0.0);
    }
    let mean = tail.iter().sum::<f64>() / tail.len() as f64;
    if mean.is_nan() { 0.0 } else { mean }
}

/// The grid's points from its finished runs.
fn points(study: &Study, runs: &[RunData]) -> Vec<Point> {
    let last = study.file.tuning_evaluations;
    pick::points((runs.iter()).map(|r| (factor(r), score(r, last))))
}

/// The tuned multiple of an arm's suggestion, from its finished grid.
fn tuned(study: &Study, arm: &Arm) -> Result<f64> {
    let runs = read(study, &grid_names(study, arm))?;
    let picked = pick::pick(&points(study, &runs))
        .ok_or_else(|| format!("arm `{}`: its grid has no finished run", arm.name))?;
    Ok(picked.factor)
}

/// An arm's grid (with its extensions), final and zero-tuning sweeps.
fn arm_steps(study: &Study, arm: &Arm, suggestion: f64) -> Result<Ending> {
    let f = &study.file;
    let base = settings(&study.settings, arm.optimizer)?.seed;
    let names = grid_names(study, arm);
    // A score of the final evaluation alone needs no evaluation within the run.
    let grid_eval = (f.tuning_evaluations == 1).then_some(0);
    let mut factors = f.grid_factors();
    for (k, name) in names.iter().enumerate() {
        let step = Step {
            name: name.clone(),
            arm,
            peak: suggestion,
            factors: factors.clone(),
            seeds: f.grid_seeds,
            seed: base,
            eval_every: grid_eval,
        };
        if train(study, step)? == Ending::Stopped {
            return Ok(Ending::Stopped);
        }
        let runs = read(study, &names[..=k])?;
        match pick::pick(&points(study, &runs)).and_then(|p| p.beyond) {
            Some(beyond) if k < f.grid_extensions => factors = vec![beyond],
            _ => break,
        }
    }
    let best = tuned(study, arm)?;
    let final_seed = f.final_seed(base);
    let last = Step {
        name: format!("final-{}", arm.name),
        arm,
        peak: suggestion * best,
        factors: if arm.name == f.reference {
            PROBES.to_vec()
        } else {
            Vec::new()
        },
        seeds: f.final_seeds,
        seed: final_seed,
        eval_every: None,
    };
    if train(study, last)? == Ending::Stopped {
        return Ok(Ending::Stopped);
    }
    if best == 1.0 {
        // Tuning kept the suggestion: the zero-tuning runs are the final runs' first seeds.
        return Ok(Ending::Finished);
    }
    train(
        study,
        Step {
            name: format!("zero-{}", arm.name),
            arm,
            peak: suggestion,
            factors: Vec::new(),
            seeds: f.zero_tuning_seeds,
            seed: final_seed,
            eval_every: None,
        },
    )
}
