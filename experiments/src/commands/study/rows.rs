//! An arm's rows (`arms/ARM-runs.csv`, `arms/ARM-curves.csv`), written from its sweep folders
//! once it has finished, and the workload's data the report reads from them alone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{PROBES, Study, factor, grid_names, read, score, settings, tuned};
use crate::error::{Error, Result};
use crate::layout;
use crate::plan::study::Arm;
use crate::report::study::{CurvePoint, Phase, StudyData, StudyRun};
use crate::report::{self, RunData};

/// The rows of one finished arm: its runs (grid, final, zero-tuning) and the validation
/// curves of its final and zero-tuning runs, read from its sweep folders.
pub(super) fn arm_rows(
    study: &Study,
    arm: &Arm,
    suggestion: f64,
) -> Result<(Vec<StudyRun>, Vec<CurvePoint>)> {
    let f = &study.file;
    let last = f.tuning_evaluations;
    let (mut runs, mut curves) = (Vec::new(), Vec::new());
    let row = |r: &RunData, phase: Phase, at: (f64, f64, f64)| {
        let mut run = StudyRun::of(r, phase, &arm.name, at);
        run.score = Some(score(r, last));
        run
    };
    for r in read(study, &grid_names(study, arm))? {
        let at = (factor(&r), suggestion * factor(&r), suggestion);
        runs.push(row(&r, Phase::Grid, at));
    }
    let best = tuned(study, arm)?;
    let finals = read(study, &[format!("final-{}", arm.name)])?;
    let first = f.final_seed(settings(&study.settings, arm.optimizer)?.seed);
    let zero_seeds = first..first + f.zero_tuning_seeds;
    for r in &finals {
        let at = (factor(r), suggestion * best * factor(r), suggestion);
        runs.push(row(r, Phase::Final, at));
        curves.extend(CurvePoint::of(r, Phase::Final, &arm.name, factor(r)));
        if best == 1.0 && factor(r) == 1.0 && zero_seeds.contains(&r.summary.seed) {
            runs.push(row(r, Phase::Zero, (1.0, suggestion, suggestion)));
            curves.extend(CurvePoint::of(r, Phase::Zero, &arm.name, 1.0));
        }
    }
    if best != 1.0 {
        for r in read(study, &[format!("zero-{}", arm.name)])? {
            runs.push(row(&r, Phase::Zero, (1.0, suggestion, suggestion)));
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
    Ok((runs, curves))
}

/// The files of an arm's rows in the workload's `arms/` folder.
pub(super) fn arm_files(dir: &Path, arm: &str) -> (PathBuf, PathBuf) {
    let arms = dir.join(layout::STUDY_ARMS);
    (
        arms.join(format!("{arm}-{}", layout::STUDY_RUNS)),
        arms.join(format!("{arm}-{}", layout::STUDY_CURVES)),
    )
}

/// Writes a finished arm's rows, so the report (here or on another machine) needs no run folder.
pub(super) fn write_arm_rows(study: &Study, arm: &Arm, suggestion: f64) -> Result<()> {
    let (runs, curves) = arm_rows(study, arm, suggestion)?;
    let (runs_path, curves_path) = arm_files(&study.dir, &arm.name);
    report::study::write_rows(&runs_path, &runs)?;
    report::study::write_rows(&curves_path, &curves)
}

/// Every run of the workload as the report reads it: each arm's rows, in the study file's order.
pub(super) fn collect(study: &Study) -> Result<StudyData> {
    let f = &study.file;
    let (mut runs, mut curves) = (Vec::new(), Vec::new());
    for arm in &f.arms {
        let (runs_path, curves_path) = arm_files(&study.dir, &arm.name);
        if !runs_path.is_file() || !curves_path.is_file() {
            return Err(Error::new(format!(
                "{}: arm `{}` has not finished (no {}); train it (the same command without --shard, or its shard), or copy its rows from where it was trained",
                study.dir.display(),
                arm.name,
                runs_path.display()
            )));
        }
        runs.extend(report::study::read_rows::<StudyRun>(&runs_path)?);
        curves.extend(report::study::read_rows::<CurvePoint>(&curves_path)?);
    }
    check_suggestions(study, &runs)?;
    Ok(StudyData {
        runs,
        curves,
        reference: f.reference.clone(),
        cosine: f.cosine.clone(),
    })
}

/// Arms trained on different machines must have centred their grids on the same suggestion
/// for each optimizer (the same range test), or their peaks are not comparable.
fn check_suggestions(study: &Study, runs: &[StudyRun]) -> Result<()> {
    let mut seen: HashMap<&str, (&str, f64)> = HashMap::new();
    for r in runs {
        match seen.get(r.optimizer.as_str()) {
            Some(&(arm, s)) if s != r.suggestion => {
                return Err(Error::new(format!(
                    "{}: arms `{arm}` and `{}` centred their {} grids on different range tests ({s} and {}); copy one range-{}/ folder to every machine and train again",
                    study.dir.display(),
                    r.arm,
                    r.optimizer,
                    r.suggestion,
                    r.optimizer
                )));
            }
            Some(_) => {}
            None => {
                seen.insert(&r.optimizer, (&r.arm, r.suggestion));
            }
        }
    }
    Ok(())
}
