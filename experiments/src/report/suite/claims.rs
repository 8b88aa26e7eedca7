//! The reference text's testable claims, each with its section, as comparisons of the suite's
//! arms; and the ones a suite of these workloads cannot measure, with the reason. A claim holds
//! on a workload when every comparison it makes is supported, fails when any is contradicted,
//! and is open otherwise; one that needs an arm the study lacks is not measurable there.

use super::compare::{Ask, Compared, Verdict};
use super::measure::{Metric, Side};

/// One claim and the comparisons that test it.
pub struct Claim {
    pub section: &'static str,
    pub text: &'static str,
    pub asks: Vec<Ask>,
}

/// The arms the claims name (the suite file's names; a study without one of them leaves its
/// claims not measurable).
const DECAYS: [&str; 8] = [
    "step",
    "exponential",
    "inverse-time",
    "polynomial",
    "cosine",
    "cosine-10",
    "linear-zero",
    "wsd-sqrt",
];
const ADAPTIVE: [&str; 4] = [
    "adam-constant",
    "rmsprop-constant",
    "adagrad-constant",
    "adadelta-constant",
];

fn ask(a: Side, b: Side, metric: Metric, expected: i8) -> Ask {
    Ask {
        a,
        b,
        metric,
        expected,
    }
}

fn mean(arms: &[&str]) -> Side {
    Side::Mean(arms.iter().map(|a| a.to_string()).collect())
}

/// Every claim tested, in the text's order; `reference` is the constant rate, `cosine` the
/// tuned cosine.
pub fn catalogue(reference: &str, cosine: &str) -> Vec<Claim> {
    use Metric::*;
    let constant = || Side::arm(reference);
    let probe = |f: f64| Side::Arm(reference.into(), f);
    let mut out = vec![
        Claim {
            section: "2.1",
            text: "A too-high fixed rate fails: four times the tuned constant ends less accurate",
            asks: vec![ask(probe(4.0), constant(), Accuracy, -1)],
        },
        Claim {
            section: "2.1.2",
            text: "A too-low fixed rate crawls: a quarter of the tuned constant reaches the target later and ends less accurate",
            asks: vec![
                ask(probe(0.25), constant(), Time, -1),
                ask(probe(0.25), constant(), Accuracy, -1),
            ],
        },
        Claim {
            section: "2.1.2",
            text: "Loss decay improves on a fixed rate: the cosine's shape on the loss at a constant rate ends more accurate than the constant",
            asks: vec![ask(Side::arm("loss-decay"), constant(), Accuracy, 1)],
        },
        Claim {
            section: "2.1.2",
            text: "Loss decay and the same shape as a rate end differently (two-sided)",
            asks: vec![ask(Side::arm("loss-decay"), Side::arm(cosine), Accuracy, 0)],
        },
        Claim {
            section: "2.2.1",
            text: "AdaGrad stops learning early and RMSprop and Adadelta fix it: both gain more validation accuracy over the late run than AdaGrad",
            asks: vec![
                ask(
                    Side::arm("rmsprop-constant"),
                    Side::arm("adagrad-constant"),
                    Progress,
                    1,
                ),
                ask(
                    Side::arm("adadelta-constant"),
                    Side::arm("adagrad-constant"),
                    Progress,
                    1,
                ),
            ],
        },
        Claim {
            section: "2.2.4",
            text: "Adaptive optimizers are faster and more accurate than a fixed rate: Adam, RMSprop, AdaGrad and Adadelta at their tuned constants, on average, reach the target sooner and end above the tuned momentum constant",
            asks: vec![
                ask(mean(&ADAPTIVE), constant(), Time, 1),
                ask(mean(&ADAPTIVE), constant(), Accuracy, 1),
            ],
        },
        Claim {
            section: "2.3",
            text: "Decay beats a fixed rate: the decay schedules, on average, end above the constant",
            asks: vec![ask(mean(&DECAYS), constant(), Accuracy, 1)],
        },
        Claim {
            section: "2.3",
            text: "Decay oscillates less late in training: the decay schedules' validation accuracy varies less over the late run than the constant's",
            asks: vec![ask(mean(&DECAYS), constant(), LateSd, 1)],
        },
    ];
    for (arm, text) in [
        ("step", "Step decay ends above the constant"),
        ("exponential", "Exponential decay ends above the constant"),
        ("inverse-time", "Inverse-time decay ends above the constant"),
        ("polynomial", "Polynomial decay ends above the constant"),
    ] {
        out.push(Claim {
            section: "2.3.3",
            text,
            asks: vec![ask(Side::arm(arm), constant(), Accuracy, 1)],
        });
    }
    out.extend([
        Claim {
            section: "2.8",
            text: "Cyclical rates converge faster: triangular CLR reaches the target sooner than the constant",
            asks: vec![ask(Side::arm("clr"), constant(), Time, 1)],
        },
        Claim {
            section: "2.8",
            text: "Cyclical rates converge faster than cosine annealing: triangular CLR reaches the target sooner than the cosine",
            asks: vec![ask(Side::arm("clr"), Side::arm(cosine), Time, 1)],
        },
        Claim {
            section: "2.8.1",
            text: "The Welch window ends differently from the triangular one (two-sided)",
            asks: vec![ask(Side::arm("clr-welch"), Side::arm("clr"), Accuracy, 0)],
        },
        Claim {
            section: "2.8.1",
            text: "The Hann window ends differently from the triangular one (two-sided)",
            asks: vec![ask(Side::arm("clr-hann"), Side::arm("clr"), Accuracy, 0)],
        },
        Claim {
            section: "2.9.1",
            text: "Cosine annealing is smoother than a triangular schedule: its validation accuracy changes less from one evaluation to the next over the late run",
            asks: vec![ask(Side::arm(cosine), Side::arm("clr"), Roughness, 1)],
        },
    ]);
    out
}

/// Claims of the text no suite of these workloads can measure, and why.
pub const NOT_MEASURABLE: [(&str, &str, &str); 5] = [
    (
        "2.2.1",
        "AdaGrad performs well with sparse data",
        "no workload has sparse features",
    ),
    (
        "2.2.1",
        "Adam is better in high-dimensional spaces and recurrent networks",
        "no recurrent network, and one input size",
    ),
    (
        "2.2.2, 2.2.4",
        "Adaptive methods are more computationally expensive",
        "wall times here come from a machine shared with other work; the per-step cost of each optimizer is `experiments bench`'s to measure",
    ),
    (
        "2.8.1",
        "CLR escapes local minima and saddle points",
        "the loss landscape is not observed, only its outcome (the accuracy claims above)",
    ),
    (
        "2.9.3",
        "The best schedule depends on the problem",
        "judged across workloads, in the suite's report (rank agreement)",
    ),
];

/// A claim's verdict from its comparisons' (missing arms make it not measurable).
pub fn verdict(compared: &[&Compared], alpha: f64) -> Verdict {
    let verdicts: Vec<Verdict> = compared.iter().map(|c| c.verdict(alpha)).collect();
    if verdicts.is_empty() || verdicts.contains(&Verdict::NotMeasurable) {
        Verdict::NotMeasurable
    } else if verdicts.contains(&Verdict::Contradicted) {
        Verdict::Contradicted
    } else if verdicts.iter().all(|v| *v == Verdict::Supported) {
        Verdict::Supported
    } else {
        Verdict::Inconclusive
    }
}
