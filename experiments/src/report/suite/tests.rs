//! Synthetic workloads that give each verdict for each kind of claim: accuracy, time,
//! stability, a missing arm, and rank agreement across workloads.

use super::across::{self, Workload};
use super::claims::verdict;
use super::compare::Verdict;
use super::{WorkloadReport, workload};
use crate::config;
use crate::plan::study::{PrimaryTest, Statistics, StudyFile};
use crate::report::study::{CurvePoint, Phase, StudyData, StudyRun};

const SEEDS: u64 = 12;

fn stats() -> Statistics {
    Statistics {
        primary: PrimaryTest::Wilcoxon,
        alpha: 0.05,
        bootstrap_resamples: 500,
        bootstrap_seed: 1,
        target_arm: "cosine".into(),
        target_margin: 0.5,
        smoothing: 1,
        late_share: 0.5,
        profile_taus: vec![0.0, 1.0],
    }
}

fn file(arms: &[&str]) -> StudyFile {
    let mut text = String::from(
        "grid_points = 2\ngrid_seeds = 1\ngrid_extensions = 0\nfinal_seeds = 12\nzero_tuning_seeds = 1\nreference = \"constant\"\ncosine = \"cosine\"\n[settings]\n",
    );
    for a in arms {
        text +=
            &format!("[[arm]]\nname = \"{a}\"\nschedule = \"fixed\"\noptimizer = \"momentum\"\n");
    }
    config::parse_toml("synthetic", &text).unwrap()
}

fn run(phase: Phase, arm: &str, factor: f64, seed: u64, acc: f64) -> StudyRun {
    StudyRun {
        phase,
        arm: arm.into(),
        optimizer: "momentum".into(),
        kind: "constant".into(),
        factor,
        peak_lr: 0.1 * factor,
        suggestion: 0.1,
        seed,
        steps: 100,
        final_val_accuracy: Some(acc / 100.0),
        final_test_accuracy: acc / 100.0,
        diverged: false,
        collapsed: false,
        train_seconds: 1.0,
        eval_seconds: 0.1,
        score: None,
    }
}

/// An arm's final runs: accuracy `acc(seed)`, a validation curve over 10 evaluations that
/// climbs linearly to its final accuracy by evaluation `reach` and then holds there, `wiggle`
/// points up and down alternately over the second half.
fn arm(
    data: &mut StudyData,
    name: &str,
    factor: f64,
    acc: impl Fn(u64) -> f64,
    reach: u64,
    wiggle: f64,
) {
    for seed in 0..SEEDS {
        let a = acc(seed);
        data.runs.push(run(Phase::Final, name, factor, seed, a));
        for k in 1..=10u64 {
            let base = a * (k.min(reach) as f64 / reach as f64);
            let w = if k > 5 {
                if k % 2 == 0 { wiggle } else { -wiggle }
            } else {
                0.0
            };
            data.curves.push(CurvePoint {
                phase: Phase::Final,
                arm: name.into(),
                factor,
                seed,
                step: k * 10,
                val_accuracy: (base + w) / 100.0,
            });
        }
    }
}

/// A small noise per seed, so no two seeds tie.
fn noise(seed: u64) -> f64 {
    (seed as f64 * 0.37).sin() * 0.2
}

fn synthetic() -> StudyData {
    let mut d = StudyData {
        runs: Vec::new(),
        curves: Vec::new(),
        reference: "constant".into(),
        cosine: "cosine".into(),
    };
    // The constant: 80%, reached at evaluation 6, oscillating by 1 point late.
    arm(&mut d, "constant", 1.0, |s| 80.0 + noise(s), 6, 1.0);
    // Four times the rate: 10 points lower in every seed (too high fails: supported).
    arm(&mut d, "constant", 4.0, |s| 70.0 + noise(s), 6, 1.0);
    // A quarter: more accurate in every seed (too low crawls: contradicted).
    arm(&mut d, "constant", 0.25, |s| 82.0 + noise(s), 6, 1.0);
    // The cosine: as accurate, smooth late.
    arm(&mut d, "cosine", 1.0, |s| 80.0 + noise(s + 3), 6, 0.0);
    // CLR: reaches the target at evaluation 2 (faster than the constant: supported; than the
    // cosine too), oscillating.
    arm(&mut d, "clr", 1.0, |s| 80.0 + noise(s + 5), 2, 1.0);
    // The cosine's grid sets the target: its median final validation accuracy (79%) − 0.5.
    for (f, acc) in [(1.0, 79.0), (2.0, 75.0)] {
        d.runs.push(run(Phase::Grid, "cosine", f, 100, acc));
    }
    d
}

fn claim(w: &WorkloadReport, start: &str) -> Verdict {
    let c = (w.claims.iter())
        .find(|c| c.claim.text.starts_with(start))
        .unwrap_or_else(|| panic!("no claim {start}"));
    let compared: Vec<_> = c.compared.iter().map(|&i| &w.family[i]).collect();
    verdict(&compared, 0.05)
}

#[test]
fn each_kind_of_claim_gets_each_verdict() {
    let data = synthetic();
    let f = file(&["constant", "cosine", "clr"]);
    let st = stats();
    let w = workload(&data, &f, &st);
    assert!((w.target.unwrap() - 78.5).abs() < 1e-9, "{:?}", w.target);
    // Accuracy: supported and contradicted.
    assert_eq!(claim(&w, "A too-high fixed rate fails"), Verdict::Supported);
    assert_eq!(
        claim(&w, "A too-low fixed rate crawls"),
        Verdict::Contradicted
    );
    // Time: supported against the constant (every seed sooner).
    assert_eq!(
        claim(&w, "Cyclical rates converge faster: "),
        Verdict::Supported
    );
    // Stability: the cosine changes less late than the oscillating CLR.
    assert_eq!(
        claim(&w, "Cosine annealing is smoother"),
        Verdict::Supported
    );
    // Accuracy, inconclusive: the arms differ by noise alone.
    let vs_cosine = &w.family[w.rows[2].vs_cosine.unwrap()];
    assert_eq!(vs_cosine.verdict(0.05), Verdict::Inconclusive);
    // Not measurable: the decay arms are not in this study.
    assert_eq!(
        claim(&w, "Decay beats a fixed rate"),
        Verdict::NotMeasurable
    );
    assert_eq!(claim(&w, "Decay oscillates less"), Verdict::NotMeasurable);
    // Every stated comparison is in the one family, Holm-corrected.
    assert!(w.family.iter().all(|c| c.p.is_nan() || c.holm_p >= c.p));
    let md = super::text::markdown(&w, &f, &st);
    assert!(
        md.contains("**supported**") && md.contains("**contradicted**"),
        "{md}"
    );
}

#[test]
fn a_failed_run_ranks_lowest_and_a_censored_time_counts_as_never() {
    let mut data = synthetic();
    // Four times the rate now fails in 6 seeds with an accuracy above the constant's: the
    // failures still rank it below.
    for r in data.runs.iter_mut().filter(|r| r.factor == 4.0) {
        if r.seed % 2 == 0 {
            r.final_test_accuracy = 0.95;
            r.diverged = true;
        }
    }
    let f = file(&["constant", "cosine", "clr"]);
    let w = workload(&data, &f, &stats());
    let c = (w.family.iter())
        .find(|c| c.ask.a == super::measure::Side::Arm("constant".into(), 4.0))
        .unwrap();
    assert_eq!(c.failed_a, 6);
    assert_eq!(c.direction, -1, "failures rank below every value");
    assert_eq!(claim(&w, "A too-high fixed rate fails"), Verdict::Supported);
}

#[test]
fn rank_agreement_across_workloads_supports_or_contradicts_one_best() {
    let st = stats();
    let f = file(&["constant", "cosine", "clr"]);
    let same = synthetic();
    // The constant is best (by a hair) on the first; on a second CLR is best by far.
    let mut other = synthetic();
    for r in other.runs.iter_mut().filter(|r| r.arm == "clr") {
        r.final_test_accuracy += 0.05;
    }
    let reports: Vec<WorkloadReport> = [&same, &other, &same]
        .iter()
        .map(|d| workload(d, &f, &st))
        .collect();
    let names = ["a", "b", "c"];
    let differs: Vec<Workload> = (names.iter().zip([&same, &other, &same]).zip(&reports))
        .map(|((name, data), report)| Workload { name, data, report })
        .collect();
    let differs = across::markdown(&differs, &f, &st);
    assert!(
        differs.contains("depends on the problem") && differs.contains("**supported"),
        "{differs}"
    );
    let agrees: Vec<Workload> = (names.iter().zip([&same, &same, &same]).zip(&reports))
        .map(|((name, data), report)| Workload { name, data, report })
        .collect();
    let agrees = across::markdown(&agrees, &f, &st);
    assert!(agrees.contains("**contradicted"), "{agrees}");
}
