//! The report of a study with `[statistics]`: per workload a table of every arm (its tuned peak
//! and whether the pick was resolved, final accuracies with intervals, the paired difference
//! with the tuned cosine, time to the workload's target) and the reference text's claims, every
//! comparison in one Holm family; across workloads the ranking, the performance profile, rank
//! agreement and a recommendation (`across`). Drawn from `runs.csv` and `curves.csv` alone.

pub mod across;
pub mod claims;
pub mod compare;
pub mod measure;
mod text;

use std::path::{Path, PathBuf};

use study_stats::{Interval, Resolution, median, resolve, t_interval};

use self::claims::{Claim, catalogue};
use self::compare::{Ask, Compared, family};
use self::measure::{Metric, Side, finals, target, value};
use super::study::{Phase, StudyData, StudyRun, pick};
use crate::error::Result;
use crate::fsio;
use crate::layout;
use crate::plan::study::{Statistics, StudyFile};

/// One arm's row.
#[derive(Debug, Clone)]
pub struct Row {
    pub arm: String,
    pub optimizer: String,
    pub note: Option<String>,
    pub suggestion: f64,
    pub tuned_peak: f64,
    pub tuned_factor: f64,
    pub on_edge: bool,
    pub grid_points: usize,
    /// The winner against the runner-up, paired over the grid's seeds (tuning score, points).
    pub resolution: Option<Resolution>,
    pub seeds: usize,
    pub val: Option<Interval>,
    pub test: Option<Interval>,
    /// Steps to the target: the median over seeds (a seed that never got there, or failed,
    /// counts as never: `None` when half or more never did) and how many got there.
    pub to_target: Option<f64>,
    pub reached: usize,
    pub failed: usize,
    /// The untuned runs at the suggestion: mean test accuracy (points).
    pub zero_test: Option<f64>,
    /// The comparison with the tuned cosine (index into the workload's family).
    pub vs_cosine: Option<usize>,
}

/// A claim with its comparisons (indices into the family; empty when an arm is missing).
pub struct ClaimResult {
    pub claim: Claim,
    pub compared: Vec<usize>,
}

/// Everything one workload's report says.
pub struct WorkloadReport {
    pub target: Option<f64>,
    pub rows: Vec<Row>,
    pub family: Vec<Compared>,
    pub claims: Vec<ClaimResult>,
}

fn points(values: impl Iterator<Item = f64>) -> Vec<f64> {
    values.map(|v| v * 100.0).collect()
}

/// The mean of one value or more (the t interval needs two).
fn mean_interval(v: &[f64]) -> Option<Interval> {
    t_interval(v, 0.95).or_else(|| {
        (v.len() == 1).then(|| Interval {
            mean: v[0],
            low: v[0],
            high: v[0],
        })
    })
}

/// The arms in the study file's order (those with final runs).
fn arms(data: &StudyData, file: &StudyFile) -> Vec<String> {
    (file.arms.iter())
        .filter(|a| {
            data.runs
                .iter()
                .any(|r| r.arm == a.name && r.phase == Phase::Final)
        })
        .map(|a| a.name.clone())
        .collect()
}

/// The grid's resolution of arm `arm`: the winner's per-seed scores against the runner-up's.
fn resolution(grid: &[&StudyRun], best: &pick::Pick) -> Option<Resolution> {
    let runner = best.runner_up?;
    let scores = |f: f64| {
        let mut v: Vec<(u64, f64)> = (grid.iter())
            .filter(|r| r.factor == f)
            .map(|r| (r.seed, r.tuning_score() * 100.0))
            .collect();
        v.sort_by_key(|p| p.0);
        v
    };
    let (w, r) = (scores(best.factor), scores(runner));
    let paired: Vec<(f64, f64)> = (w.iter())
        .filter_map(|(s, x)| Some((*x, r.iter().find(|(t, _)| t == s)?.1)))
        .collect();
    let (a, b): (Vec<f64>, Vec<f64>) = paired.into_iter().unzip();
    resolve(&a, &b)
}

/// The report of one workload.
pub fn workload(data: &StudyData, file: &StudyFile, st: &Statistics) -> WorkloadReport {
    let target = target(data, st);
    let names = arms(data, file);
    let present = |side: &Side| side.arms().iter().all(|a| names.iter().any(|n| n == a));
    // The claims first, then each arm against the cosine: one family.
    let mut asks: Vec<Ask> = Vec::new();
    let mut claims = Vec::new();
    for claim in catalogue(&data.reference, &data.cosine) {
        let mut compared = Vec::new();
        if claim.asks.iter().all(|a| present(&a.a) && present(&a.b)) {
            for a in &claim.asks {
                compared.push(asks.len());
                asks.push(a.clone());
            }
        }
        claims.push(ClaimResult { claim, compared });
    }
    let mut rows = Vec::new();
    for arm in &names {
        let main = finals(data, arm, 1.0);
        let Some(first) = main.first() else { continue };
        let grid: Vec<&StudyRun> = (data.runs.iter())
            .filter(|r| r.phase == Phase::Grid && &r.arm == arm)
            .collect();
        let grid_points = pick::points(grid.iter().map(|r| (r.factor, r.tuning_score())));
        let picked = pick::pick(&grid_points);
        let times: Vec<f64> = (main.iter())
            .map(|r| value(data, r, Metric::Time, target, st).unwrap_or(f64::INFINITY))
            .collect();
        let to_target = Some(median(&times)).filter(|m| m.is_finite());
        let zero: Vec<f64> = (data.runs.iter())
            .filter(|r| r.phase == Phase::Zero && &r.arm == arm)
            .map(|r| r.final_test_accuracy * 100.0)
            .collect();
        let vs_cosine = (*arm != data.cosine).then(|| {
            asks.push(Ask {
                a: Side::arm(arm),
                b: Side::arm(&data.cosine),
                metric: Metric::Accuracy,
                expected: 0,
            });
            asks.len() - 1
        });
        rows.push(Row {
            arm: arm.clone(),
            optimizer: first.optimizer.clone(),
            note: file
                .arms
                .iter()
                .find(|a| &a.name == arm)
                .and_then(|a| a.note.clone()),
            suggestion: first.suggestion,
            tuned_peak: first.peak_lr,
            tuned_factor: picked.as_ref().map_or(1.0, |p| p.factor),
            on_edge: picked.as_ref().is_some_and(|p| p.on_edge),
            grid_points: grid_points.len(),
            resolution: picked.as_ref().and_then(|p| resolution(&grid, p)),
            seeds: main.len(),
            val: mean_interval(&points(main.iter().map(|r| r.val()))),
            test: mean_interval(&points(main.iter().map(|r| r.final_test_accuracy))),
            to_target,
            reached: times.iter().filter(|t| t.is_finite()).count(),
            failed: main.iter().filter(|r| r.failed()).count(),
            zero_test: (!zero.is_empty()).then(|| zero.iter().sum::<f64>() / zero.len() as f64),
            vs_cosine,
        });
    }
    let family = family(data, asks, target, st);
    WorkloadReport {
        target,
        rows,
        family,
        claims,
    }
}

/// Writes a workload's `study.md` and `study.csv` from its report ([`workload`]).
pub fn draw(
    dir: &Path,
    report: &WorkloadReport,
    file: &StudyFile,
    st: &Statistics,
) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for (name, text) in [
        (layout::STUDY_MD, text::markdown(report, file, st)),
        (layout::STUDY_CSV, text::csv(report)?),
    ] {
        let path = dir.join(name);
        fsio::write_atomic(&path, text.as_bytes())?;
        files.push(path);
    }
    Ok(files)
}

#[cfg(test)]
mod tests;
