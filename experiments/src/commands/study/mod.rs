//! `experiments study`: every arm (a schedule preset under an optimizer) tuned on the same
//! budget and compared on held-out data. For each optimizer an LR range test; for each arm a
//! factor-2 grid of peak rates around its suggestion (extended past an edge that wins), the
//! winner picked by the median final validation accuracy; then paired final seeds at the tuned
//! peak (the reference constant also at a quarter and four times it, for the "too low" and "too
//! high" claims) and zero-tuning seeds at the suggestion itself. Each step is a sweep folder of
//! its own inside the study folder, so an interrupted study continues where it stopped when the
//! same command runs again, and `--shard I/N` trains a share of the arms.

pub mod file;
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
use crate::plan::{LrFindPlan, Settings};
use crate::report::study::pick::{self, Point};
use crate::report::study::{CurvePoint, Phase, StudyData, StudyRun};
use crate::report::{self, RunData};
use file::{Arm, StudyFile};
use step::{Step, train};

/// The reference's probes, as multiples of its tuned peak: too low, tuned, too high.
const PROBES: [f64; 3] = [0.25, 1.0, 4.0];

/// What every step of one study shares.
struct Study {
    file: StudyFile,
    dir: PathBuf,
    args: StudyArgs,
}

/// Runs (or continues) the study, then draws its report.
pub fn run(args: StudyArgs) -> Result<Ending> {
    let mut file = match &args.config {
        Some(path) => StudyFile::read(path)?,
        None => {
            let text = include_str!("../../../../configs/study.toml");
            let file: StudyFile = config::parse_toml("configs/study.toml", text)?;
            file.check()
                .map_err(|e| format!("configs/study.toml: {e}"))?;
            file
        }
    };
    // The budget and the data set may be given on the command line; study.toml records them.
    file.settings.epochs = args.epochs.or(file.settings.epochs);
    file.settings.dataset = args.dataset.or(file.settings.dataset);
    let settings = settings(&file, OptimizerKind::Momentum)?;
    let name = (args.name.clone()).unwrap_or_else(|| {
        format!(
            "study-{}-{}-{}ep",
            settings.dataset.name(),
            settings.model.name(),
            settings.epochs
        )
    });
    let dir = (args.out.clone())
        .or(config::defaults().out)
        .ok_or("configs/experiment.toml lacks `out`; restore the default")?
        .join(name);
    fsio::create_out_dir(&dir)?;
    // Shards share the study folder (each writes only its arms' sweeps, which lock
    // themselves, and the same study.toml and range tests): only a whole study locks it.
    let _lock = match args.shard {
        None => Some(fsio::lock_folder(&dir)?),
        Some(_) => None,
    };
    save_study(&dir, &file)?;
    fsio::create_out_dir(&dir.join(layout::STUDY_ARMS))?;
    for arm in &file.arms {
        let path = arm_config(&dir, arm);
        fsio::write_atomic(&path, file.arm_config(arm)?.as_bytes())?;
    }
    let study = Study { file, dir, args };
    let mine: Vec<&Arm> = (study.file.arms.iter())
        .enumerate()
        .filter(|(k, _)| study.args.shard.is_none_or(|(i, n)| k % n == i - 1))
        .map(|(_, a)| a)
        .collect();
    let mut suggestions = HashMap::new();
    for optimizer in study.file.optimizers() {
        if mine.iter().any(|a| a.optimizer == optimizer) {
            suggestions.insert(optimizer, range_test(&study, optimizer)?);
        }
    }
    for arm in &mine {
        if arm_steps(&study, arm, suggestions[&arm.optimizer])? == Ending::Stopped {
            eprintln!(
                "stopped; run the same `experiments study` command again to continue where it stopped"
            );
            return Ok(Ending::Stopped);
        }
    }
    if let Some((i, n)) = study.args.shard {
        eprintln!(
            "shard {i}/{n}: its arms are trained; once every shard has finished, run the study without --shard to draw the report"
        );
        return Ok(Ending::Finished);
    }
    let data = collect(&study, &suggestions)?;
    report::study::write_and_draw(&study.dir, &data)?;
    let md = fsio::read_to_string(&study.dir.join(layout::STUDY_MD))?;
    let lines: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with('|') || l.starts_with("- "))
        .collect();
    println!("{}", lines.join("\n"));
    eprintln!("wrote {}", study.dir.display());
    Ok(Ending::Finished)
}

/// `experiments plot DIR` on a study folder: its report redrawn from `runs.csv` and `curves.csv`.
pub fn redraw(dir: &Path) -> Result<Vec<PathBuf>> {
    let path = dir.join(layout::STUDY);
    let file: StudyFile =
        config::parse_toml(&path.display().to_string(), &fsio::read_to_string(&path)?)?;
    let data = report::study::read(dir, file.reference, file.cosine)?;
    report::study::draw(dir, &data)
}

/// The settings of a run of the study under `optimizer`.
fn settings(file: &StudyFile, optimizer: OptimizerKind) -> Result<Settings> {
    Settings::of(&config::defaults().merged(ConfigFile {
        optimizer: Some(optimizer),
        ..file.settings.clone()
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
    let settings = settings(&study.file, optimizer)?;
    let found = lr_find::run(LrFindPlan {
        data_dir: study
            .args
            .data_dir
            .clone()
            .or(study.file.settings.data_dir.clone()),
        train_limit: study.file.settings.train_limit,
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

/// The grid's points from its finished runs.
fn points(runs: &[RunData]) -> Vec<Point> {
    pick::points((runs.iter()).map(|r| (factor(r), r.summary.final_val_accuracy.unwrap_or(0.0))))
}

/// The tuned multiple of an arm's suggestion, from its finished grid.
fn tuned(study: &Study, arm: &Arm) -> Result<f64> {
    let runs = read(study, &grid_names(study, arm))?;
    let picked = pick::pick(&points(&runs))
        .ok_or_else(|| format!("arm `{}`: its grid has no finished run", arm.name))?;
    Ok(picked.factor)
}

/// An arm's grid (with its extensions), final and zero-tuning sweeps.
fn arm_steps(study: &Study, arm: &Arm, suggestion: f64) -> Result<Ending> {
    let f = &study.file;
    let base = settings(f, arm.optimizer)?.seed;
    let names = grid_names(study, arm);
    let mut factors = f.grid_factors();
    for (k, name) in names.iter().enumerate() {
        let step = Step {
            name: name.clone(),
            arm,
            peak: suggestion,
            factors: factors.clone(),
            seeds: f.grid_seeds,
            seed: base,
            eval_every: Some(0),
        };
        if train(study, step)? == Ending::Stopped {
            return Ok(Ending::Stopped);
        }
        let runs = read(study, &names[..=k])?;
        match pick::pick(&points(&runs)).and_then(|p| p.beyond) {
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

/// Every run of the study as the report reads it.
fn collect(study: &Study, suggestions: &HashMap<OptimizerKind, f64>) -> Result<StudyData> {
    let f = &study.file;
    let (mut runs, mut curves) = (Vec::new(), Vec::new());
    for arm in &f.arms {
        let suggestion = suggestions[&arm.optimizer];
        for r in read(study, &grid_names(study, arm))? {
            let at = (factor(&r), suggestion * factor(&r), suggestion);
            runs.push(StudyRun::of(&r, Phase::Grid, &arm.name, at));
        }
        let best = tuned(study, arm)?;
        let finals = read(study, &[format!("final-{}", arm.name)])?;
        let first = f.final_seed(settings(f, arm.optimizer)?.seed);
        let zero_seeds = first..first + f.zero_tuning_seeds;
        for r in &finals {
            let at = (factor(r), suggestion * best * factor(r), suggestion);
            runs.push(StudyRun::of(r, Phase::Final, &arm.name, at));
            curves.extend(CurvePoint::of(r, Phase::Final, &arm.name, factor(r)));
            if best == 1.0 && factor(r) == 1.0 && zero_seeds.contains(&r.summary.seed) {
                runs.push(StudyRun::of(
                    r,
                    Phase::Zero,
                    &arm.name,
                    (1.0, suggestion, suggestion),
                ));
                curves.extend(CurvePoint::of(r, Phase::Zero, &arm.name, 1.0));
            }
        }
        if best != 1.0 {
            for r in read(study, &[format!("zero-{}", arm.name)])? {
                runs.push(StudyRun::of(
                    &r,
                    Phase::Zero,
                    &arm.name,
                    (1.0, suggestion, suggestion),
                ));
                curves.extend(CurvePoint::of(&r, Phase::Zero, &arm.name, 1.0));
            }
        }
        let expected = f.final_seeds as usize
            * if arm.name == f.reference {
                PROBES.len()
            } else {
                1
            };
        if finals.len() != expected {
            return Err(Error::new(format!(
                "{}: arm `{}` has {} of its {expected} final runs; run the study again to finish it",
                study.dir.display(),
                arm.name,
                finals.len()
            )));
        }
    }
    Ok(StudyData {
        runs,
        curves,
        reference: f.reference.clone(),
        cosine: f.cosine.clone(),
    })
}
