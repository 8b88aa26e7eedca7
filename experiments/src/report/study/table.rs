//! The study's table, one row per arm, and its claims: every number computed from the runs.

use super::pick::{self, median};
use super::{Phase, StudyData, StudyRun};
use crate::report::claims::{self, ClaimRun, claims_of};
use crate::report::paired::{Paired, holm, paired};

/// One arm's results.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmRow {
    pub arm: String,
    pub optimizer: String,
    pub kind: String,
    /// The range test's suggestion for the arm's optimizer.
    pub suggestion: f64,
    /// The tuned peak, its multiple of the suggestion, and whether it won on the grid's edge.
    pub tuned_peak: f64,
    pub tuned_factor: f64,
    pub on_edge: bool,
    /// Grid points tried (extensions included).
    pub grid_points: usize,
    /// Final runs at the tuned peak.
    pub seeds: usize,
    /// Mean final validation and test accuracy (points) with their 95% t intervals.
    pub val: Paired,
    pub test: Paired,
    /// Paired Δ test accuracy (points) against the reference and the cosine arm, with Holm's p
    /// across every comparison of the table.
    pub vs_reference: Option<(Paired, f64)>,
    pub vs_cosine: Option<(Paired, f64)>,
    /// Steps to the target: the median over seeds (a seed that never got there counts as
    /// never; `None` when half or more never did), and how many got there.
    pub to_target: Option<f64>,
    pub reached: usize,
    /// Final runs that diverged or collapsed.
    pub failed: usize,
    /// Zero-tuning runs at the suggestion: mean test accuracy (points) and the paired Δ of the
    /// tuned runs against them.
    pub zero_test: Option<Paired>,
    pub tuned_minus_zero: Option<Paired>,
    /// Mean seconds per final run (training and evaluation).
    pub seconds: f64,
}

/// The mean of `values` with its 95% t interval (the interval is the mean alone for one value).
fn mean_ci(values: &[f64]) -> Paired {
    paired(values).unwrap_or_else(|| {
        let mean = values.first().copied().unwrap_or(f64::NAN);
        Paired {
            n: values.len(),
            mean,
            low: mean,
            high: mean,
            p: f64::NAN,
        }
    })
}

/// The final runs of `arm` at multiple `factor` of its tuned peak.
fn finals<'a>(data: &'a StudyData, arm: &str, factor: f64) -> Vec<&'a StudyRun> {
    (data.runs.iter())
        .filter(|r| r.phase == Phase::Final && r.arm == arm && r.factor == factor)
        .collect()
}

/// The target of the time-to-result column: the reference's median final validation accuracy.
pub fn target(data: &StudyData) -> f64 {
    let accuracies: Vec<f64> = (finals(data, &data.reference, 1.0).iter())
        .map(|r| r.val())
        .collect();
    median(&accuracies)
}

/// Steps run `r` took to reach `target` on the validation set, if it did.
fn steps_to(data: &StudyData, r: &StudyRun, target: f64) -> Option<u64> {
    (data.curves.iter())
        .filter(|c| {
            c.phase == r.phase && c.arm == r.arm && c.factor == r.factor && c.seed == r.seed
        })
        .find(|c| c.val_accuracy >= target)
        .map(|c| c.step)
}

/// Test accuracy (points) of `a` minus `b`, seed by seed, over the seeds both ran.
fn test_differences(a: &[&StudyRun], b: &[&StudyRun]) -> Vec<f64> {
    (a.iter())
        .filter_map(|x| {
            let y = b.iter().find(|y| y.seed == x.seed)?;
            Some((x.final_test_accuracy - y.final_test_accuracy) * 100.0)
        })
        .collect()
}

/// The arms in the order of their first run, each with its table row.
pub fn arm_rows(data: &StudyData) -> Vec<ArmRow> {
    let mut arms: Vec<&str> = Vec::new();
    for r in &data.runs {
        if !arms.contains(&r.arm.as_str()) {
            arms.push(&r.arm);
        }
    }
    let target = target(data);
    let reference = finals(data, &data.reference, 1.0);
    let cosine = finals(data, &data.cosine, 1.0);
    let mut rows: Vec<ArmRow> = arms
        .into_iter()
        .filter_map(|arm| {
            let main = finals(data, arm, 1.0);
            let first = *main.first()?;
            let grid = (data.runs.iter())
                .filter(|r| r.phase == Phase::Grid && r.arm == arm)
                .map(|r| (r.factor, r.tuning_score()));
            let points = pick::points(grid);
            let picked = pick::pick(&points);
            let zero: Vec<&StudyRun> = (data.runs.iter())
                .filter(|r| r.phase == Phase::Zero && r.arm == arm)
                .collect();
            let steps: Vec<Option<u64>> = main.iter().map(|r| steps_to(data, r, target)).collect();
            let reached = steps.iter().flatten().count();
            // A run that never got there counts as infinitely slow (censored).
            let steps_or_never: Vec<f64> = (steps.iter())
                .map(|s| s.map_or(f64::INFINITY, |s| s as f64))
                .collect();
            let to_target = Some(median(&steps_or_never)).filter(|m| m.is_finite());
            let points_of = |runs: &[&StudyRun], f: fn(&StudyRun) -> f64| -> Vec<f64> {
                runs.iter().map(|r| f(r) * 100.0).collect()
            };
            Some(ArmRow {
                arm: arm.to_string(),
                optimizer: first.optimizer.clone(),
                kind: first.kind.clone(),
                suggestion: first.suggestion,
                tuned_peak: first.peak_lr,
                tuned_factor: picked.as_ref().map_or(1.0, |p| p.factor),
                on_edge: picked.as_ref().is_some_and(|p| p.on_edge),
                grid_points: points.len(),
                seeds: main.len(),
                val: mean_ci(&points_of(&main, StudyRun::val)),
                test: mean_ci(&points_of(&main, |r| r.final_test_accuracy)),
                vs_reference: (arm != data.reference)
                    .then(|| paired(&test_differences(&main, &reference)))
                    .flatten()
                    .map(|c| (c, f64::NAN)),
                vs_cosine: (arm != data.reference && arm != data.cosine)
                    .then(|| paired(&test_differences(&main, &cosine)))
                    .flatten()
                    .map(|c| (c, f64::NAN)),
                to_target,
                reached,
                failed: main.iter().filter(|r| r.failed()).count(),
                zero_test: (!zero.is_empty())
                    .then(|| mean_ci(&points_of(&zero, |r| r.final_test_accuracy))),
                tuned_minus_zero: paired(&test_differences(&main, &zero)),
                seconds: main
                    .iter()
                    .map(|r| r.train_seconds + r.eval_seconds)
                    .sum::<f64>()
                    / main.len() as f64,
            })
        })
        .collect();
    // Holm across every comparison with the reference and with the cosine arm.
    let raw: Vec<f64> = (rows.iter())
        .flat_map(|r| [&r.vs_reference, &r.vs_cosine])
        .filter_map(|c| c.as_ref().map(|c| c.0.p))
        .collect();
    let mut adjusted = holm(&raw).into_iter();
    for row in &mut rows {
        for c in [&mut row.vs_reference, &mut row.vs_cosine]
            .into_iter()
            .flatten()
        {
            c.1 = adjusted.next().unwrap_or(1.0);
        }
    }
    rows
}

/// The reference text's claims over the final runs (the reference's probes included), with
/// time measured to the reference's median final validation accuracy.
pub fn claims(data: &StudyData) -> Vec<String> {
    let target = target(data);
    let runs: Vec<ClaimRun> = (data.runs.iter())
        .filter(|r| r.phase == Phase::Final)
        .map(|r| ClaimRun {
            group: if r.factor == 1.0 {
                r.arm.clone()
            } else {
                format!("{}-x{}", r.arm, r.factor)
            },
            kind: r.kind.parse().ok(),
            sgd: claims::is_sgd(&r.optimizer),
            lr: r.peak_lr,
            seed: r.seed,
            accuracy: r.final_test_accuracy,
            to_target: steps_to(data, r, target),
            steps: r.steps,
            diverged: r.diverged,
            collapsed: r.collapsed,
            loss_decay: false,
        })
        .collect();
    let label = format!("{:.2}% validation accuracy", target * 100.0);
    claims_of(&runs, &label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::study::CurvePoint;

    fn run(
        phase: Phase,
        arm: &str,
        kind: &str,
        optimizer: &str,
        factor: f64,
        seed: u64,
        acc: f64,
    ) -> StudyRun {
        StudyRun {
            phase,
            arm: arm.into(),
            optimizer: optimizer.into(),
            kind: kind.into(),
            factor,
            peak_lr: 0.1 * factor,
            suggestion: 0.1,
            seed,
            steps: 100,
            final_val_accuracy: Some(acc),
            final_test_accuracy: acc,
            diverged: acc < 0.2,
            collapsed: false,
            train_seconds: 1.0,
            eval_seconds: 0.1,
            score: None,
        }
    }

    /// Synthetic final runs over 4 seeds: the reference at 0.80 (± a little), its ×4 probe far
    /// lower, its ×¼ probe 0.5 points *higher* in every seed, a cosine that moves by noise,
    /// and a grid whose winner sits on its top edge.
    fn study() -> StudyData {
        let mut runs = Vec::new();
        let mut curves = Vec::new();
        let noise = [0.001, -0.002, 0.0015, -0.0005];
        for (seed, n) in noise.iter().enumerate() {
            let seed = seed as u64;
            let constant = 0.80 + n;
            for (arm, kind, factor, acc) in [
                ("constant", "constant", 1.0, constant),
                ("constant", "constant", 4.0, 0.10 + n),
                ("constant", "constant", 0.25, constant + 0.005),
                (
                    "cosine",
                    "cosine",
                    1.0,
                    0.80 + noise[(seed as usize + 1) % 4] * 3.0,
                ),
            ] {
                runs.push(run(Phase::Final, arm, kind, "momentum", factor, seed, acc));
                // Each run climbs to its final accuracy over 10 points; a quarter of the way
                // it is at half.
                for k in 1..=10u64 {
                    curves.push(CurvePoint {
                        phase: Phase::Final,
                        arm: arm.into(),
                        factor,
                        seed,
                        step: k * 10,
                        val_accuracy: acc * (k as f64 / 10.0).sqrt(),
                    });
                }
            }
            runs.push(run(
                Phase::Zero,
                "cosine",
                "cosine",
                "momentum",
                1.0,
                seed,
                0.79,
            ));
        }
        for (factor, acc) in [(0.5, 0.7), (1.0, 0.78), (2.0, 0.81)] {
            runs.push(run(
                Phase::Grid,
                "constant",
                "constant",
                "momentum",
                factor,
                9,
                acc,
            ));
            runs.push(run(
                Phase::Grid,
                "cosine",
                "cosine",
                "momentum",
                factor,
                9,
                1.5 - factor,
            ));
        }
        StudyData {
            runs,
            curves,
            reference: "constant".into(),
            cosine: "cosine".into(),
        }
    }

    #[test]
    fn synthetic_studies_give_each_verdict() {
        let said = claims(&study());
        assert!(
            said[0].starts_with("A too-high fixed rate fails") && said[0].ends_with(": supported."),
            "{}",
            said[0]
        );
        assert!(
            said[1].contains("Δ final accuracy (points) +0.50 (95% CI +0.50 to +0.50)")
                && said[1].ends_with(": contradicted."),
            "{}",
            said[1]
        );
        assert!(
            said[2].starts_with("Decay helps") && said[2].ends_with(": inconclusive."),
            "{}",
            said[2]
        );
        // The target is the reference's median final validation accuracy (80.025%, from
        // 0.801, 0.798, 0.8015, 0.7995): time is measured to it.
        assert!(
            said[0].contains("80.03% validation accuracy in 2/4 seeds (at step 100, their mean)"),
            "{}",
            said[0]
        );
    }

    #[test]
    fn the_table_follows_from_the_runs() {
        let data = study();
        assert!((target(&data) - 0.80025).abs() < 1e-12);
        let rows = arm_rows(&data);
        assert_eq!(rows.len(), 2);
        let (constant, cosine) = (&rows[0], &rows[1]);
        assert_eq!((constant.seeds, constant.grid_points), (4, 3));
        // The grid's best point is its highest: on the edge.
        assert!(constant.on_edge && constant.tuned_factor == 2.0);
        assert!(
            cosine.on_edge && cosine.tuned_factor == 0.5,
            "the lowest point won"
        );
        assert!(
            (constant.test.mean - 80.0).abs() < 1e-9,
            "{}",
            constant.test.mean
        );
        assert!(constant.vs_reference.is_none() && constant.vs_cosine.is_none());
        let (delta, holm_p) = cosine.vs_reference.clone().unwrap();
        assert_eq!(delta.n, 4);
        assert!(holm_p >= delta.p && holm_p <= 1.0);
        // Every seed of the reference reaches the median only at its last point or never:
        // the seeds at or above 80% get there at step 100.
        assert_eq!(constant.reached, 2);
        assert_eq!(constant.to_target, None, "half never got there");
        // The zero-tuning runs: 0.79 in every seed.
        assert!((cosine.zero_test.as_ref().unwrap().mean - 79.0).abs() < 1e-9);
        let md = crate::report::study::text::markdown(&data, &rows, &claims(&data));
        assert!(
            md.contains("| constant | momentum | constant | 1.000e-1 |"),
            "{md}"
        );
        assert!(md.contains("×2, edge, 3 points"), "{md}");
        let csv = crate::report::study::text::csv(&rows).unwrap();
        assert_eq!(csv.lines().count(), 3);
    }
}
