//! The reference text's claims, each checked against the runs: one sentence per claim, every
//! number in it computed from the runs. Runs are told apart by what they are (optimizer, schedule
//! kind, loss decay), never by their names.

use clap::ValueEnum;
use schedules::Kind;

use super::runs::RunData;
use super::stats::{group_by, mean};
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

/// One schedule's result: its runs over seeds folded into means.
struct Aggregate {
    name: String,
    family: Family,
    /// Plain SGD or SGD with momentum (not an adaptive optimizer).
    sgd: bool,
    /// The first step's rate (the rate of a constant schedule).
    lr: f64,
    accuracy: f64,
    /// Mean steps to 98% over the seeds that reached it, and how many did.
    to_98: Option<f64>,
    reached_98: usize,
    diverged: usize,
    collapsed: usize,
    seeds: usize,
}

fn aggregates(runs: &[RunData]) -> Vec<Aggregate> {
    group_by(runs, |r| Some(r.group()))
        .into_iter()
        // A loss-decay run holds its rate fixed but scales the loss: in no family.
        .filter(|(_, members)| (members[0].config.as_ref()).is_none_or(|c| c.loss_decay.is_none()))
        .map(|(name, members)| {
            let first = &members[0].summary;
            let n = members.len();
            let reached: Vec<f64> = members
                .iter()
                .filter_map(|r| r.summary.steps_to_98.map(|v| v as f64))
                .collect();
            let optimizer = OptimizerKind::from_str(&first.optimizer, false).ok();
            let kind: Option<Kind> = first.kind.parse().ok();
            Aggregate {
                name,
                family: kind.map_or(Family::Other, family),
                sgd: optimizer.is_some_and(|o| !o.is_adaptive()),
                lr: members[0].steps.first().map_or(f64::NAN, |s| s.lr),
                accuracy: members
                    .iter()
                    .map(|r| r.summary.final_test_accuracy)
                    .sum::<f64>()
                    / n as f64
                    * 100.0,
                to_98: mean(&reached),
                reached_98: reached.len(),
                diverged: members.iter().filter(|r| r.summary.diverged).count(),
                collapsed: members.iter().filter(|r| r.summary.collapsed).count(),
                seeds: n,
            }
        })
        .collect()
}

fn describe(o: &Aggregate) -> String {
    let speed = match o.to_98 {
        Some(s) if o.reached_98 == o.seeds => format!("98% at step {s:.0}"),
        Some(s) => format!("98% in {}/{} seeds (step {s:.0})", o.reached_98, o.seeds),
        None => "98% never".to_string(),
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

fn verdict(holds: bool) -> &'static str {
    if holds {
        "holds here"
    } else {
        "does not hold here"
    }
}

/// One sentence per claim of the reference text that these runs can test; a claim they cannot
/// test says which runs it needs.
pub fn claims(runs: &[RunData]) -> Vec<String> {
    let all = aggregates(runs);
    let sgd_in =
        |f: Family| -> Vec<&Aggregate> { all.iter().filter(|o| o.sgd && o.family == f).collect() };
    let mut fixed = sgd_in(Family::Fixed);
    fixed.sort_by(|a, b| a.lr.total_cmp(&b.lr));
    // The reference is the middle fixed rate (the lower middle one of an even count).
    let Some(&base) = fixed.get(fixed.len().saturating_sub(1) / 2) else {
        return vec!["No fixed-rate SGD run (kind `constant`), so no claim can be checked against a fixed rate; add the `fixed` preset.".into()];
    };
    let mut out = Vec::new();
    out.push(match fixed.last().filter(|h| h.lr > base.lr) {
        Some(h) => format!(
            "A too-high fixed rate fails (measured here as diverging, collapsing or ending less accurate): {} at lr {} against {} at lr {}: {}.",
            describe(h),
            h.lr,
            describe(base),
            base.lr,
            verdict(h.diverged + h.collapsed > 0 || h.accuracy < base.accuracy)
        ),
        None => format!(
            "A too-high fixed rate: not tested, no constant-rate run above `{}`'s lr {}.",
            base.name, base.lr
        ),
    });
    out.push(match fixed.first().filter(|l| l.lr < base.lr) {
        Some(l) => {
            let slower = match (l.to_98, base.to_98) {
                (None, Some(_)) => true,
                (Some(a), Some(b)) => a > b,
                _ => l.accuracy < base.accuracy,
            };
            format!(
                "A too-low fixed rate crawls: {} at lr {} against {} at lr {}: {}.",
                describe(l),
                l.lr,
                describe(base),
                base.lr,
                verdict(slower)
            )
        }
        None => format!(
            "A too-low fixed rate: not tested, no constant-rate run below `{}`'s lr {}.",
            base.name, base.lr
        ),
    });
    let decay = sgd_in(Family::Decay);
    match best(&decay) {
        None => out.push("Decay vs fixed: not tested, no decay schedule ran.".into()),
        Some(best) => {
            let better = decay.iter().filter(|o| o.accuracy > base.accuracy).count();
            out.push(format!(
                "Decay helps final accuracy: {better} of {} decay schedules end above `{}` ({:.2}%); their mean is {:.2}%, the best {}: {}.",
                decay.len(),
                base.name,
                base.accuracy,
                mean_accuracy(&decay),
                describe(best),
                verdict(mean_accuracy(&decay) > base.accuracy)
            ));
        }
    }
    let cyclical = sgd_in(Family::Cyclical);
    if cyclical.is_empty() {
        out.push("Cyclical vs fixed: not tested, no cyclical schedule ran.".into());
    } else {
        let faster = cyclical
            .iter()
            .filter(|o| match (o.to_98, base.to_98) {
                (Some(a), Some(b)) => a < b,
                (Some(_), None) => true,
                _ => false,
            })
            .count();
        out.push(format!(
            "Cyclical rates converge faster: {faster} of {} cyclical schedules reach 98% sooner than `{}` ({}); mean final accuracy {:.2}% against {:.2}%: {}.",
            cyclical.len(),
            base.name,
            describe(base),
            mean_accuracy(&cyclical),
            base.accuracy,
            verdict(2 * faster > cyclical.len())
        ));
    }
    out.push(adaptive_vs_sgd(&all, base));
    out
}

/// The most accurate of `v` (the last of equals).
fn best<'a>(v: &[&'a Aggregate]) -> Option<&'a Aggregate> {
    v.iter()
        .max_by(|a, b| a.accuracy.total_cmp(&b.accuracy))
        .copied()
}

/// Adaptive optimizers against SGD at the reference fixed rate.
fn adaptive_vs_sgd(all: &[Aggregate], base: &Aggregate) -> String {
    let adaptive: Vec<&Aggregate> = all.iter().filter(|o| !o.sgd).collect();
    let Some(best_adaptive) = best(&adaptive) else {
        return "Adaptive optimizers vs SGD: not tested, every run used SGD; merge in a sweep run with --optimizer adam (or adagrad, rmsprop, adadelta) with `experiments report`.".into();
    };
    let plain: Vec<&Aggregate> = all.iter().filter(|o| o.sgd).collect();
    let best_sgd = best(&plain).unwrap_or(base);
    format!(
        "Adaptive optimizers vs SGD: {} adaptive schedule(s) average {:.2}% (best {}) against SGD at a fixed rate, {} (SGD's best schedule: {}): {}.",
        adaptive.len(),
        mean_accuracy(&adaptive),
        describe(best_adaptive),
        describe(base),
        describe(best_sgd),
        if mean_accuracy(&adaptive) > base.accuracy {
            "adaptive ahead of fixed-rate SGD here"
        } else {
            "fixed-rate SGD ahead here"
        }
    )
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
        };
        let steps = vec![StepRow {
            step: 0,
            epoch: 0,
            lr,
            momentum: None,
            train_loss: 2.3,
        }];
        RunData {
            summary,
            steps,
            epochs: Vec::new(),
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
        assert!(
            said[0].contains("`b` 10.00%, 98% never, diverged in 1/1 at lr 0.5 against `a`")
                && said[0].ends_with("holds here."),
            "{}",
            said[0]
        );
        assert!(
            said[1].contains("`c` 95.00%") && said[1].ends_with("holds here."),
            "{}",
            said[1]
        );
        // Mean of the decay runs: (99.0 + 97.0) / 2 = 98.0, not above the reference's 98.0.
        assert!(
            said[2].starts_with("Decay helps final accuracy: 1 of 2")
                && said[2].ends_with("does not hold here."),
            "{}",
            said[2]
        );
        assert!(
            said[3].starts_with("Cyclical rates converge faster: 1 of 1")
                && said[3].ends_with("holds here."),
            "{}",
            said[3]
        );
        assert!(said[4].contains("not tested"), "{}", said[4]);
        let mut with_adam = runs;
        with_adam.push(run("adam", "constant", "adam", 0.001, 0.99, Some(100)));
        let said = claims(&with_adam);
        assert!(
            said[4].contains("1 adaptive schedule(s) average 99.00%")
                && said[4].contains("SGD's best schedule: `cosine` 99.00%")
                && said[4].ends_with("adaptive ahead of fixed-rate SGD here."),
            "{}",
            said[4]
        );
        // The adaptive constant run is not a fixed-rate SGD run: the reference stays `a`.
        assert!(said[0].contains("against `a`"), "{}", said[0]);
    }

    #[test]
    fn a_collapsed_high_rate_fails_and_is_named_so() {
        let mut runs = vec![
            run("a", "constant", "momentum", 0.05, 0.980, Some(300)),
            run("b", "constant", "momentum", 0.5, 0.99, Some(200)),
            run("c", "constant", "momentum", 0.005, 0.950, None),
        ];
        // More accurate than `a` and never diverged: only its collapse makes it fail.
        assert!(claims(&runs)[0].ends_with("does not hold here."));
        runs[1].summary.collapsed = true;
        let first = &claims(&runs)[0];
        assert!(
            first.contains("`b` 99.00%, 98% at step 200, collapsed in 1/1 at lr 0.5")
                && first.ends_with("holds here."),
            "{first}"
        );
    }

    #[test]
    fn loss_decay_runs_and_unknown_kinds_are_in_no_family() {
        let mut decay = run("ld", "constant", "momentum", 5.0, 0.99, Some(10));
        decay.config = Some(ConfigFile {
            loss_decay: Some(schedules::ScheduleConfig::Constant(schedules::Constant {
                lr: 1.0,
            })),
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
        assert!(said[4].contains("every run used SGD"), "{}", said[4]);
        assert_eq!(
            claims(&runs[1..]).len(),
            1,
            "no fixed-rate SGD run: one sentence"
        );
    }
}
