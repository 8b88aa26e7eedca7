//! The reference text's claims, each checked against the runs: one sentence per claim, every
//! number in it computed from the runs. Runs are told apart by what they are (optimizer, schedule
//! kind, loss decay), never by their names. Each verdict comes from a paired comparison over the
//! seeds both sides ran (the same seed, the same initial weights and batches), Holm-corrected
//! across the claims: supported, contradicted, or inconclusive.

use burn_lr_schedules::Kind;
use clap::ValueEnum;

use super::paired::{Paired, Verdict, holm, paired};
use super::runs::RunData;
use super::stats::mean;
use crate::optim::OptimizerKind;

/// What a claim compares a schedule as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// One rate throughout.
    Fixed,
    /// A rate that only falls.
    Decay,
    /// A rate that cycles between bounds.
    Cyclical,
    /// Anything else (restarts, warm-up, one-cycle, plateau, …): in no claim's family.
    Other,
}

/// The family of a schedule kind; every kind is placed here, so a new kind must be.
fn family(kind: Kind) -> Family {
    match kind {
        Kind::Constant => Family::Fixed,
        Kind::Step
        | Kind::Multistep
        | Kind::Exponential
        | Kind::InverseTime
        | Kind::Polynomial
        | Kind::Linear
        | Kind::Rex
        | Kind::Cosine => Family::Decay,
        Kind::Cyclical => Family::Cyclical,
        Kind::CosineRestarts
        | Kind::InverseSqrt
        | Kind::Product
        | Kind::OneCycle
        | Kind::Warmup
        | Kind::Wsd
        | Kind::Sequential
        | Kind::Plateau => Family::Other,
    }
}

/// What a claim needs of one run.
#[derive(Debug, Clone)]
pub struct ClaimRun {
    /// The schedule it repeats over seeds (its name when it has one seed).
    pub group: String,
    /// The schedule's kind (`None` for a kind this build does not know).
    pub kind: Option<Kind>,
    /// Plain SGD or SGD with momentum (not an adaptive optimizer).
    pub sgd: bool,
    /// The first step's rate (the rate of a constant schedule).
    pub lr: f64,
    pub seed: u64,
    /// Final accuracy, a fraction.
    pub accuracy: f64,
    /// Steps to the target, if it got there.
    pub to_target: Option<u64>,
    /// Steps the run took.
    pub steps: u64,
    pub diverged: bool,
    pub collapsed: bool,
    /// A loss-decay run: its rate is fixed but its loss is scaled, so it is in no family.
    pub loss_decay: bool,
}

/// Whether a run's recorded optimizer name is plain SGD or SGD with momentum (not adaptive).
pub fn is_sgd(optimizer: &str) -> bool {
    OptimizerKind::from_str(optimizer, false).is_ok_and(|o| !o.is_adaptive())
}

impl ClaimRun {
    /// A sweep's run as the claims read it: final test accuracy, steps to 98%.
    fn of(r: &RunData) -> Self {
        let s = &r.summary;
        Self {
            group: r.group().to_string(),
            kind: s.kind.parse().ok(),
            sgd: is_sgd(&s.optimizer),
            lr: r.steps.first().map_or(f64::NAN, |s| s.lr),
            seed: s.seed,
            accuracy: s.final_test_accuracy,
            to_target: s.steps_to_98,
            steps: s.steps,
            diverged: s.diverged,
            collapsed: s.collapsed,
            loss_decay: (r.config.as_ref()).is_some_and(|c| c.loss_decay.is_some()),
        }
    }
}

/// One schedule's result: its runs over seeds folded into means.
struct Aggregate {
    name: String,
    family: Family,
    /// Plain SGD or SGD with momentum (not an adaptive optimizer).
    sgd: bool,
    /// The first step's rate (the rate of a constant schedule).
    lr: f64,
    accuracy: f64,
    /// Mean steps to the target over the seeds that reached it, and how many did.
    to_target: Option<f64>,
    reached: usize,
    diverged: usize,
    collapsed: usize,
    seeds: usize,
    /// Each seed's result, for the paired comparisons.
    by_seed: Vec<SeedResult>,
}

/// One seed's result: final accuracy in percent, and steps to the target (a run that never got
/// there counted at the report's longest run + 1: censored at the budget).
#[derive(Debug, Clone, Copy)]
struct SeedResult {
    seed: u64,
    accuracy: f64,
    to_target: f64,
}

fn aggregates(runs: &[ClaimRun]) -> Vec<Aggregate> {
    let never = runs.iter().map(|r| r.steps).max().unwrap_or(0) as f64 + 1.0;
    let mut groups: Vec<(&str, Vec<&ClaimRun>)> = Vec::new();
    for r in runs.iter().filter(|r| !r.loss_decay) {
        match groups.iter_mut().find(|(g, _)| *g == r.group) {
            Some((_, members)) => members.push(r),
            None => groups.push((&r.group, vec![r])),
        }
    }
    groups
        .into_iter()
        .map(|(name, members)| {
            let n = members.len();
            let reached: Vec<f64> = (members.iter())
                .filter_map(|r| r.to_target.map(|v| v as f64))
                .collect();
            Aggregate {
                name: name.to_string(),
                family: members[0].kind.map_or(Family::Other, family),
                sgd: members[0].sgd,
                lr: members[0].lr,
                accuracy: members.iter().map(|r| r.accuracy).sum::<f64>() / n as f64 * 100.0,
                to_target: mean(&reached),
                reached: reached.len(),
                diverged: members.iter().filter(|r| r.diverged).count(),
                collapsed: members.iter().filter(|r| r.collapsed).count(),
                seeds: n,
                by_seed: (members.iter())
                    .map(|r| SeedResult {
                        seed: r.seed,
                        accuracy: r.accuracy * 100.0,
                        to_target: r.to_target.map_or(never, |s| s as f64),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// A rate to four significant digits, written as briefly as it reads (0.5, 0.02266).
fn rate(lr: f64) -> String {
    format!("{:.3e}", lr)
        .parse::<f64>()
        .map_or(lr.to_string(), |r| r.to_string())
}

fn describe(o: &Aggregate, target: &str) -> String {
    let speed = match o.to_target {
        Some(s) if o.reached == o.seeds => format!("{target} at step {s:.0} (mean)"),
        Some(s) => format!(
            "{target} in {}/{} seeds (at step {s:.0}, their mean)",
            o.reached, o.seeds
        ),
        None => format!("{target} never reached"),
    };
    let mut failed = String::new();
    if o.diverged > 0 {
        failed += &format!(", diverged in {}/{}", o.diverged, o.seeds);
    }
    if o.collapsed > 0 {
        failed += &format!(", collapsed in {}/{}", o.collapsed, o.seeds);
    }
    format!("`{}` {:.2}%, {speed}{failed}", o.name, o.accuracy)
}

fn mean_accuracy(group: &[&Aggregate]) -> f64 {
    let accuracies: Vec<f64> = group.iter().map(|o| o.accuracy).collect();
    mean(&accuracies).unwrap_or(0.0)
}

/// The seeds' mean result over a family of schedules, for the seeds every member ran.
fn family_by_seed(members: &[&Aggregate]) -> Vec<SeedResult> {
    let Some(first) = members.first() else {
        return Vec::new();
    };
    first
        .by_seed
        .iter()
        .filter_map(|r| {
            let same: Vec<&SeedResult> = members
                .iter()
                .filter_map(|m| m.by_seed.iter().find(|o| o.seed == r.seed))
                .collect();
            (same.len() == members.len()).then(|| SeedResult {
                seed: r.seed,
                accuracy: same.iter().map(|o| o.accuracy).sum::<f64>() / same.len() as f64,
                to_target: same.iter().map(|o| o.to_target).sum::<f64>() / same.len() as f64,
            })
        })
        .collect()
}

/// `a − b` of `metric`, seed by seed, over the seeds both ran.
fn differences(a: &[SeedResult], b: &[SeedResult], metric: fn(&SeedResult) -> f64) -> Vec<f64> {
    a.iter()
        .filter_map(|x| {
            b.iter()
                .find(|y| y.seed == x.seed)
                .map(|y| metric(x) - metric(y))
        })
        .collect()
}

/// A claim waiting for its Holm-corrected p-value: the sentence so far, what is compared (and
/// in which unit), and the direction the claim expects (+1 higher, −1 lower).
struct Pending {
    text: String,
    what: String,
    comparison: Option<Paired>,
    expected: f64,
}

impl Pending {
    fn finish(&self, holm_p: f64) -> String {
        let verdict = Verdict::of(self.comparison.as_ref(), holm_p, self.expected);
        let stats = match &self.comparison {
            Some(c) => format!(
                "paired over {} seeds, Δ {} {:+.2} (95% CI {:+.2} to {:+.2}), t-test p = {:.4}, Holm p = {:.4}",
                c.n, self.what, c.mean, c.low, c.high, c.p, holm_p
            ),
            None => "fewer than 2 paired seeds, so no interval".to_string(),
        };
        format!("{}; {stats}: {}.", self.text, verdict.word())
    }
}

/// One sentence per claim of the reference text that a sweep's runs can test (final test
/// accuracy, time to 98% on the validation set); a claim they cannot test says which runs it
/// needs.
pub fn claims(runs: &[RunData]) -> Vec<String> {
    let runs: Vec<ClaimRun> = runs.iter().map(ClaimRun::of).collect();
    claims_of(&runs, "98%")
}

/// The claims over `runs`, whose `to_target` counts the steps to `target` (its name in the
/// sentences).
pub fn claims_of(runs: &[ClaimRun], target: &str) -> Vec<String> {
    let all = aggregates(runs);
    let describe = |o: &Aggregate| describe(o, target);
    let sgd_in =
        |f: Family| -> Vec<&Aggregate> { all.iter().filter(|o| o.sgd && o.family == f).collect() };
    let mut fixed = sgd_in(Family::Fixed);
    fixed.sort_by(|a, b| a.lr.total_cmp(&b.lr));
    // The reference is the middle fixed rate (the lower middle one of an even count).
    let Some(&base) = fixed.get(fixed.len().saturating_sub(1) / 2) else {
        return vec!["No fixed-rate SGD run (kind `constant`), so no claim can be checked against a fixed rate; add the `fixed` preset.".into()];
    };
    // Claims with a paired comparison wait for Holm's correction across all of them.
    let mut out: Vec<Result<Pending, String>> = Vec::new();
    let accuracy = |r: &SeedResult| r.accuracy;
    let steps = |r: &SeedResult| r.to_target;
    out.push(match fixed.last().filter(|h| h.lr > base.lr) {
        Some(h) => Ok(Pending {
            text: format!(
                "A too-high fixed rate fails (ends less accurate, diverged or collapsed): {} at lr {} against {} at lr {}",
                describe(h),
                rate(h.lr),
                describe(base),
                rate(base.lr),
            ),
            what: "final accuracy (points)".into(),
            comparison: paired(&differences(&h.by_seed, &base.by_seed, accuracy)),
            expected: -1.0,
        }),
        None => Err(format!(
            "A too-high fixed rate: not tested, no constant-rate run above `{}`'s lr {}.",
            base.name,
            rate(base.lr)
        )),
    });
    out.push(match fixed.first().filter(|l| l.lr < base.lr) {
        Some(l) => Ok(Pending {
            text: format!(
                "A too-low fixed rate crawls (ends less accurate on the same budget): {} at lr {} against {} at lr {}",
                describe(l),
                rate(l.lr),
                describe(base),
                rate(base.lr),
            ),
            what: "final accuracy (points)".into(),
            comparison: paired(&differences(&l.by_seed, &base.by_seed, accuracy)),
            expected: -1.0,
        }),
        None => Err(format!(
            "A too-low fixed rate: not tested, no constant-rate run below `{}`'s lr {}.",
            base.name,
            rate(base.lr)
        )),
    });
    let decay = sgd_in(Family::Decay);
    out.push(match best(&decay) {
        None => Err("Decay vs fixed: not tested, no decay schedule ran.".into()),
        Some(best) => {
            let better = decay.iter().filter(|o| o.accuracy > base.accuracy).count();
            Ok(Pending {
                text: format!(
                    "Decay helps final accuracy: {better} of {} decay schedules end above `{}` ({:.2}%); their mean is {:.2}%, the best {}",
                    decay.len(),
                    base.name,
                    base.accuracy,
                    mean_accuracy(&decay),
                    describe(best),
                ),
                what: "final accuracy of the decay schedules' mean (points)".into(),
                comparison: paired(&differences(
                    &family_by_seed(&decay),
                    &base.by_seed,
                    accuracy,
                )),
                expected: 1.0,
            })
        }
    });
    let cyclical = sgd_in(Family::Cyclical);
    out.push(if cyclical.is_empty() {
        Err("Cyclical vs fixed: not tested, no cyclical schedule ran.".into())
    } else {
        let faster = cyclical
            .iter()
            .filter(|o| match (o.to_target, base.to_target) {
                (Some(a), Some(b)) => a < b,
                (Some(_), None) => true,
                _ => false,
            })
            .count();
        Ok(Pending {
            text: format!(
                "Cyclical rates converge faster: {faster} of {} cyclical schedules reach {target} sooner than `{}` ({}); mean final accuracy {:.2}% against {:.2}%",
                cyclical.len(),
                base.name,
                describe(base),
                mean_accuracy(&cyclical),
                base.accuracy,
            ),
            what: format!(
                "steps to {target} of the cyclical schedules' mean (a run that never got there counts as the budget + 1)"
            ),
            comparison: paired(&differences(
                &family_by_seed(&cyclical),
                &base.by_seed,
                steps,
            )),
            expected: -1.0,
        })
    });
    out.push(adaptive_vs_sgd(&all, base, &describe));
    // Holm over the comparisons that have a p-value.
    let tested: Vec<f64> = out
        .iter()
        .filter_map(|c| c.as_ref().ok()?.comparison.as_ref().map(|c| c.p))
        .collect();
    let mut adjusted = holm(&tested).into_iter();
    out.into_iter()
        .map(|c| match c {
            Ok(p) => {
                let holm_p = match p.comparison {
                    Some(_) => adjusted.next().unwrap_or(1.0),
                    None => 1.0,
                };
                p.finish(holm_p)
            }
            Err(untested) => untested,
        })
        .collect()
}

/// The most accurate of `v` (the last of equals).
fn best<'a>(v: &[&'a Aggregate]) -> Option<&'a Aggregate> {
    v.iter()
        .max_by(|a, b| a.accuracy.total_cmp(&b.accuracy))
        .copied()
}

/// Adaptive optimizers at a fixed rate against SGD at the reference fixed rate: the text says
/// they improve "convergence speed and solution quality", so they should end more accurate.
fn adaptive_vs_sgd(
    all: &[Aggregate],
    base: &Aggregate,
    describe: &dyn Fn(&Aggregate) -> String,
) -> Result<Pending, String> {
    let adaptive: Vec<&Aggregate> = (all.iter())
        .filter(|o| !o.sgd && o.family == Family::Fixed)
        .collect();
    let Some(best_adaptive) = best(&adaptive) else {
        return Err("Adaptive optimizers vs SGD: not tested, no adaptive optimizer ran at a constant rate; merge in a sweep run with --optimizer adam (or adagrad, rmsprop, adadelta) and --schedule fixed with `experiments report`.".into());
    };
    Ok(Pending {
        text: format!(
            "Adaptive optimizers end more accurate than fixed-rate SGD: {} adaptive constant-rate schedule(s) average {:.2}% (best {}) against {}",
            adaptive.len(),
            mean_accuracy(&adaptive),
            describe(best_adaptive),
            describe(base),
        ),
        what: "final accuracy of the adaptive schedules' mean (points)".into(),
        comparison: paired(&differences(
            &family_by_seed(&adaptive),
            &base.by_seed,
            |r| r.accuracy,
        )),
        expected: 1.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigFile;
    use crate::metrics::StepRow;
    use crate::summary::RunSummary;

    /// A run with the given schedule kind, first-step lr, final accuracy and steps to 98%.
    fn run(
        name: &str,
        kind: &str,
        optimizer: &str,
        lr: f64,
        acc: f64,
        to_98: Option<u64>,
    ) -> RunData {
        let summary = RunSummary {
            name: name.into(),
            kind: kind.into(),
            model: "lenet".into(),
            optimizer: optimizer.into(),
            backend: "flex".into(),
            dataset: "mnist".into(),
            epochs: 1,
            batch_size: 32,
            seed: 1,
            steps: 10,
            final_test_accuracy: acc,
            best_test_accuracy: acc,
            final_val_accuracy: None,
            best_val_accuracy: None,
            steps_to_98: to_98,
            seconds_to_98: None,
            steps_to_99: None,
            seconds_to_99: None,
            final_train_loss: 0.1,
            final_test_loss: 0.1,
            diverged: acc < 0.2,
            diverged_at_step: (acc < 0.2).then_some(3),
            collapsed: false,
            train_seconds: 1.0,
            eval_seconds: 0.1,
            images_per_second: 100.0,
            group: None,
            scaled_from: None,
            lr_scale: None,
        };
        let steps = vec![StepRow {
            step: 0,
            epoch: 0,
            lr,
            momentum: None,
            estimate: None,
            train_loss: 2.3,
        }];
        RunData {
            summary,
            steps,
            evaluations: Vec::new(),
            config: None,
        }
    }

    #[test]
    fn claims_are_computed_from_the_runs() {
        // Names say nothing to the claims: the reference is the middle fixed rate.
        let runs = vec![
            run("a", "constant", "momentum", 0.05, 0.980, Some(300)),
            run("b", "constant", "momentum", 0.5, 0.10, None),
            run("c", "constant", "momentum", 0.005, 0.950, None),
            run("cosine", "cosine", "momentum", 0.05, 0.990, Some(250)),
            run("step", "step", "momentum", 0.05, 0.970, Some(300)),
            run("clr", "cyclical", "momentum", 0.001, 0.985, Some(200)),
        ];
        let said = claims(&runs);
        assert_eq!(said.len(), 5, "{said:#?}");
        // One seed each: the numbers are described, and no verdict is drawn from them.
        let open = "fewer than 2 paired seeds, so no interval: inconclusive.";
        assert!(
            said[0]
                .contains("`b` 10.00%, 98% never reached, diverged in 1/1 at lr 0.5 against `a`")
                && said[0].ends_with(open),
            "{}",
            said[0]
        );
        assert!(
            said[1].contains("`c` 95.00%") && said[1].ends_with(open),
            "{}",
            said[1]
        );
        // Mean of the decay runs: (99.0 + 97.0) / 2 = 98.0, not above the reference's 98.0.
        assert!(
            said[2].starts_with("Decay helps final accuracy: 1 of 2") && said[2].ends_with(open),
            "{}",
            said[2]
        );
        assert!(
            said[3].starts_with("Cyclical rates converge faster: 1 of 1")
                && said[3].ends_with(open),
            "{}",
            said[3]
        );
        assert!(said[4].contains("not tested"), "{}", said[4]);
        let mut with_adam = runs;
        with_adam.push(run("adam", "constant", "adam", 0.001, 0.99, Some(100)));
        let said = claims(&with_adam);
        assert!(
            said[4].contains("1 adaptive constant-rate schedule(s) average 99.00% (best `adam` 99.00%, 98% at step 100 (mean)) against `a` 98.00%")
                && said[4].ends_with(open),
            "{}",
            said[4]
        );
        // The adaptive constant run is not a fixed-rate SGD run: the reference stays `a`.
        assert!(said[0].contains("against `a`"), "{}", said[0]);
    }

    #[test]
    fn a_collapsed_run_is_named_so() {
        let mut runs = vec![
            run("a", "constant", "momentum", 0.05, 0.980, Some(300)),
            run("b", "constant", "momentum", 0.5, 0.1135, None),
        ];
        // Finished without learning: collapsed, not diverged.
        (runs[1].summary.diverged, runs[1].summary.diverged_at_step) = (false, None);
        runs[1].summary.collapsed = true;
        let first = &claims(&runs)[0];
        assert!(
            first.contains("`b` 11.35%, 98% never reached, collapsed in 1/1 at lr 0.5"),
            "{first}"
        );
    }

    /// Run `name` with seed `seed`, grouped under `name` as `--seeds` groups it.
    fn seeded(name: &str, kind: &str, lr: f64, seed: u64, acc: f64) -> RunData {
        let mut r = run(
            name,
            kind,
            "momentum",
            lr,
            acc,
            (acc >= 0.98).then_some(300),
        );
        r.summary.name = format!("{name}-seed{seed}");
        r.summary.group = Some(name.into());
        r.summary.seed = seed;
        r
    }

    #[test]
    fn paired_seeds_give_each_verdict() {
        let mut runs = Vec::new();
        for (seed, (fixed, high, low, cosine)) in [
            (0.980, 0.10, 0.985, 0.9805),
            (0.982, 0.11, 0.987, 0.9810),
            (0.979, 0.09, 0.984, 0.9800),
            (0.981, 0.105, 0.986, 0.9825),
        ]
        .into_iter()
        .enumerate()
        {
            let seed = seed as u64;
            runs.push(seeded("fixed", "constant", 0.05, seed, fixed));
            runs.push(seeded("high", "constant", 0.5, seed, high));
            runs.push(seeded("low", "constant", 0.005, seed, low));
            runs.push(seeded("cosine", "cosine", 0.05, seed, cosine));
            let mut adam = seeded("adam", "constant", 0.001, seed, fixed + 0.004);
            adam.summary.optimizer = "adam".into();
            runs.push(adam);
        }
        let said = claims(&runs);
        // About 88 points lower in every seed: the claim holds.
        assert!(
            said[0].contains("paired over 4 seeds, Δ final accuracy (points) -87.9")
                && said[0].ends_with(": supported."),
            "{}",
            said[0]
        );
        // The low rate ends 0.5 points *above* the reference in every seed: the claim fails.
        assert!(
            said[1].contains("Δ final accuracy (points) +0.50 (95% CI +0.50 to +0.50)")
                && said[1].ends_with(": contradicted."),
            "{}",
            said[1]
        );
        // Cosine moves by +0.05, −0.10, +0.10, +0.15: too little against the spread.
        assert!(said[2].ends_with(": inconclusive."), "{}", said[2]);
        assert!(said[3].contains("no cyclical schedule ran"), "{}", said[3]);
        // Adam 0.4 points above in every seed: the text's claim for adaptive methods holds.
        assert!(
            said[4].contains("Δ final accuracy of the adaptive schedules' mean (points) +0.40")
                && said[4].ends_with(": supported."),
            "{}",
            said[4]
        );
        // Holm across the four tests: the p-values printed after it are never below the raw.
        for line in [&said[..3], &said[4..]].concat() {
            let p = |key: &str| -> f64 {
                let at = line.find(key).expect(key) + key.len();
                line[at..]
                    .split([',', ':'])
                    .next()
                    .unwrap()
                    .trim()
                    .parse()
                    .unwrap()
            };
            assert!(p("Holm p = ") >= p("t-test p = "), "{line}");
        }
    }

    #[test]
    fn loss_decay_runs_and_unknown_kinds_are_in_no_family() {
        let mut decay = run("ld", "constant", "momentum", 5.0, 0.99, Some(10));
        decay.config = Some(ConfigFile {
            loss_decay: Some(burn_lr_schedules::ScheduleConfig::Constant(
                burn_lr_schedules::Constant { lr: 1.0 },
            )),
            ..ConfigFile::default()
        });
        let runs = vec![
            run("a", "constant", "sgd", 0.05, 0.98, Some(300)),
            decay,
            run("new", "some_future_kind", "sgd", 0.05, 0.99, Some(100)),
        ];
        let said = claims(&runs);
        assert!(
            said[0].contains("not tested, no constant-rate run above `a`"),
            "{}",
            said[0]
        );
        assert!(said[2].contains("no decay schedule ran"), "{}", said[2]);
        assert!(said[3].contains("no cyclical schedule ran"), "{}", said[3]);
        assert!(said[4].contains("no adaptive optimizer ran"), "{}", said[4]);
        assert_eq!(
            claims(&runs[1..]).len(),
            1,
            "no fixed-rate SGD run: one sentence"
        );
    }
}
