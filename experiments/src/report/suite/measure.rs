//! What a suite measures of each run, from the rows of `runs.csv` and `curves.csv`: final test
//! accuracy, time to the workload's target (reach and stay), late oscillation, late roughness
//! and late progress of the validation accuracy. Every metric is in points (or steps) with a
//! stated direction, so one paired test serves them all.

use study_stats::{Score, median, reach_and_stay};

use super::super::study::pick;
use super::super::study::{CurvePoint, Phase, StudyData, StudyRun};
use crate::plan::study::Statistics;

/// A measured quantity of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Final test accuracy (points); higher is better.
    Accuracy,
    /// Steps until the smoothed validation accuracy reaches the target and stays; lower is
    /// better; never reached is censored.
    Time,
    /// Standard deviation of the validation accuracy over the late part of the run (points);
    /// lower is better.
    LateSd,
    /// Mean absolute change between successive validation evaluations over the late part
    /// (points); lower is better.
    Roughness,
    /// Validation accuracy gained over the late part (points); higher is better.
    Progress,
}

impl Metric {
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::Accuracy | Metric::Progress)
    }

    /// How the metric reads in a sentence.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Accuracy => "final test accuracy (points)",
            Metric::Time => "steps to the target",
            Metric::LateSd => "late validation SD (points)",
            Metric::Roughness => "late mean |Δ| of validation accuracy (points)",
            Metric::Progress => "late validation gain (points)",
        }
    }
}

/// The workload's target (validation accuracy, points): the median final validation accuracy
/// of the target arm's winning grid point, less the margin. The grid's seeds are not the final
/// runs', so no final comparison judges the runs that set its target.
pub fn target(data: &StudyData, st: &Statistics) -> Option<f64> {
    let grid: Vec<&StudyRun> = (data.runs.iter())
        .filter(|r| r.phase == Phase::Grid && r.arm == st.target_arm)
        .collect();
    let points = pick::points(grid.iter().map(|r| (r.factor, r.tuning_score())));
    let best = pick::pick(&points)?;
    let at: Vec<f64> = (grid.iter())
        .filter(|r| r.factor == best.factor)
        .map(|r| r.val() * 100.0)
        .collect();
    Some(median(&at) - st.target_margin)
}

/// The validation curve of run `r` (steps done, accuracy in points), in step order.
pub fn curve(data: &StudyData, r: &StudyRun) -> Vec<(u64, f64)> {
    let mut c: Vec<(u64, f64)> = (data.curves.iter())
        .filter(|c: &&CurvePoint| {
            c.phase == r.phase && c.arm == r.arm && c.factor == r.factor && c.seed == r.seed
        })
        .map(|c| (c.step, c.val_accuracy * 100.0))
        .collect();
    c.sort_by_key(|p| p.0);
    c
}

/// The evaluations of the last `share` of a run of `steps` steps.
fn late(curve: &[(u64, f64)], steps: u64, share: f64) -> Vec<f64> {
    let from = ((1.0 - share) * steps as f64).floor() as u64;
    (curve.iter()).filter(|p| p.0 > from).map(|p| p.1).collect()
}

/// Run `r`'s value of `metric`: `None` for a run that failed (diverged or collapsed), never
/// reached the target, or has too few late evaluations to measure.
pub fn value(
    data: &StudyData,
    r: &StudyRun,
    metric: Metric,
    target: Option<f64>,
    st: &Statistics,
) -> Option<f64> {
    if r.failed() {
        return None;
    }
    let c = || curve(data, r);
    let late = |c: &[(u64, f64)]| late(c, r.steps, st.late_share);
    match metric {
        Metric::Accuracy => Some(r.final_test_accuracy * 100.0),
        Metric::Time => reach_and_stay(&c(), target?, st.smoothing).map(|s| s as f64),
        Metric::LateSd => {
            let v = late(&c());
            (v.len() >= 2).then(|| {
                let m = v.iter().sum::<f64>() / v.len() as f64;
                (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
            })
        }
        Metric::Roughness => {
            let v = late(&c());
            (v.len() >= 2).then(|| {
                v.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (v.len() - 1) as f64
            })
        }
        Metric::Progress => {
            let v = late(&c());
            (v.len() >= 2).then(|| v[v.len() - 1] - v[0])
        }
    }
}

/// The final runs of `arm` at multiple `factor` of its tuned peak, in seed order.
pub fn finals<'a>(data: &'a StudyData, arm: &str, factor: f64) -> Vec<&'a StudyRun> {
    let mut runs: Vec<&StudyRun> = (data.runs.iter())
        .filter(|r| r.phase == Phase::Final && r.arm == arm && r.factor == factor)
        .collect();
    runs.sort_by_key(|r| r.seed);
    runs
}

/// One side of a comparison: an arm at a multiple of its tuned peak, or the per-seed mean of
/// several arms.
#[derive(Debug, Clone, PartialEq)]
pub enum Side {
    Arm(String, f64),
    Mean(Vec<String>),
}

impl Side {
    pub fn arm(name: &str) -> Self {
        Side::Arm(name.into(), 1.0)
    }

    pub fn name(&self) -> String {
        match self {
            Side::Arm(a, f) if *f == 1.0 => format!("`{a}`"),
            Side::Arm(a, f) => format!("`{a}` ×{f}"),
            Side::Mean(arms) => format!(
                "the mean of {}",
                arms.iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The arms it needs.
    pub fn arms(&self) -> Vec<&str> {
        match self {
            Side::Arm(a, _) => vec![a],
            Side::Mean(arms) => arms.iter().map(String::as_str).collect(),
        }
    }
}

/// Per seed (the seeds every arm of the side ran, ascending): the seed and the side's value,
/// `None` where it failed or was censored. A mean of arms counts a failed accuracy with the
/// accuracy it ended at and a censored time as the budget + 1 step, so one arm's failure
/// lowers the mean rather than hiding the seed; other metrics of a failed run leave the seed
/// out of the mean.
pub fn side_values(
    data: &StudyData,
    side: &Side,
    metric: Metric,
    target: Option<f64>,
    st: &Statistics,
) -> Vec<(u64, Option<f64>)> {
    match side {
        Side::Arm(arm, factor) => (finals(data, arm, *factor).into_iter())
            .map(|r| (r.seed, value(data, r, metric, target, st)))
            .collect(),
        Side::Mean(arms) => {
            let per_arm: Vec<Vec<&StudyRun>> = arms.iter().map(|a| finals(data, a, 1.0)).collect();
            let Some(first) = per_arm.first() else {
                return Vec::new();
            };
            (first.iter())
                .filter_map(|r| {
                    let runs: Vec<&StudyRun> = (per_arm.iter())
                        .map(|runs| runs.iter().find(|x| x.seed == r.seed).copied())
                        .collect::<Option<_>>()?;
                    let values: Option<Vec<f64>> = (runs.iter())
                        .map(|x| match (metric, value(data, x, metric, target, st)) {
                            (_, Some(v)) => Some(v),
                            (Metric::Accuracy, None) => Some(x.final_test_accuracy * 100.0),
                            (Metric::Time, None) => Some(x.steps as f64 + 1.0),
                            _ => None,
                        })
                        .collect();
                    let mean = values.map(|v| v.iter().sum::<f64>() / v.len() as f64);
                    Some((r.seed, mean))
                })
                .collect()
        }
    }
}

/// A side's value as a score where higher is better, `Failed` for a failure or a censored time.
pub fn score(v: Option<f64>, metric: Metric) -> Score {
    match v {
        Some(v) if metric.higher_is_better() => Score::Value(v),
        Some(v) => Score::Value(-v),
        None => Score::Failed,
    }
}
