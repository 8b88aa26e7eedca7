//! Paired comparisons of a workload, all in one Holm family: each compares two sides seed by
//! seed on one metric with the primary test (exact Wilcoxon signed-rank, a failed or censored
//! run ranked below every other; or the exact sign-flip test), and puts the mean difference's
//! t and bootstrap intervals beside it, over the seeds where both sides have a value.

use study_stats::{Interval, bootstrap_mean, holm, sign_flip, signed_differences, t_interval};

use super::measure::{Metric, Side, score, side_values};
use crate::plan::study::{PrimaryTest, Statistics};
use crate::report::study::StudyData;

/// One comparison as asked for: `a` against `b` on `metric`, expecting `a` better (`+1`), worse
/// (`−1`) or either (`0`, two-sided).
#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    pub a: Side,
    pub b: Side,
    pub metric: Metric,
    pub expected: i8,
}

/// What the runs say of one [`Ask`].
#[derive(Debug, Clone, PartialEq)]
pub struct Compared {
    pub ask: Ask,
    /// Seeds both sides ran.
    pub seeds: usize,
    /// Seeds where a side failed or never reached the target (ranked, not in the intervals).
    pub failed_a: usize,
    pub failed_b: usize,
    /// `a − b` in the metric's own units over the seeds where both have a value.
    pub t: Option<Interval>,
    pub bootstrap: Option<Interval>,
    /// Which side the primary test's ranks favour: +1 `a` better, −1 `b`, 0 neither.
    pub direction: i8,
    /// The primary test's two-sided p, and after Holm's correction over the workload's family.
    pub p: f64,
    pub holm_p: f64,
}

/// What a comparison says of its expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Supported,
    Contradicted,
    Inconclusive,
    /// An arm it needs is not in the study, or no seed has values on both sides.
    NotMeasurable,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::Contradicted => "contradicted",
            Verdict::Inconclusive => "inconclusive",
            Verdict::NotMeasurable => "not measurable",
        }
    }
}

impl Compared {
    /// Significant after correction in the expected direction (either, for a two-sided ask).
    pub fn verdict(&self, alpha: f64) -> Verdict {
        if self.p.is_nan() {
            return Verdict::NotMeasurable;
        }
        let significant = self.holm_p < alpha && self.direction != 0;
        match self.ask.expected {
            _ if !significant => Verdict::Inconclusive,
            0 => Verdict::Supported,
            e if e == self.direction => Verdict::Supported,
            _ => Verdict::Contradicted,
        }
    }
}

/// Compares `ask` without the correction (its `holm_p` is its `p` until [`family`]).
fn compare(data: &StudyData, ask: Ask, target: Option<f64>, st: &Statistics) -> Compared {
    let a = side_values(data, &ask.a, ask.metric, target, st);
    let b = side_values(data, &ask.b, ask.metric, target, st);
    let pairs: Vec<(Option<f64>, Option<f64>)> = (a.iter())
        .filter_map(|(seed, x)| Some((*x, b.iter().find(|(s, _)| s == seed)?.1)))
        .collect();
    let (sa, sb): (Vec<_>, Vec<_>) = (pairs.iter())
        .map(|(x, y)| (score(*x, ask.metric), score(*y, ask.metric)))
        .unzip();
    let d = signed_differences(&sa, &sb);
    let (p, direction) = match st.primary {
        PrimaryTest::Wilcoxon => match study_stats::wilcoxon(&d) {
            Some(w) => (w.p, (w.w_plus - w.w_minus).signum() as i8),
            None if pairs.is_empty() => (f64::NAN, 0),
            None => (1.0, 0),
        },
        PrimaryTest::SignFlip => {
            let finite: Vec<f64> = d.iter().copied().filter(|x| x.is_finite()).collect();
            let mean = finite.iter().sum::<f64>();
            match sign_flip(&finite) {
                Some(p) => (p, mean.signum() as i8),
                None if pairs.is_empty() => (f64::NAN, 0),
                None => (1.0, 0),
            }
        }
    };
    let both: Vec<f64> = (pairs.iter())
        .filter_map(|(x, y)| Some(x.as_ref()? - y.as_ref()?))
        .collect();
    Compared {
        seeds: pairs.len(),
        failed_a: pairs.iter().filter(|p| p.0.is_none()).count(),
        failed_b: pairs.iter().filter(|p| p.1.is_none()).count(),
        t: t_interval(&both, 0.95),
        bootstrap: bootstrap_mean(&both, st.bootstrap_resamples, st.bootstrap_seed, 0.95),
        direction,
        p,
        holm_p: p,
        ask,
    }
}

/// Every comparison of a workload, Holm-corrected together (one that cannot be measured keeps
/// a NaN p and still counts in the family, so the correction is never weaker than asked).
pub fn family(
    data: &StudyData,
    asks: Vec<Ask>,
    target: Option<f64>,
    st: &Statistics,
) -> Vec<Compared> {
    let mut out: Vec<Compared> = (asks.into_iter())
        .map(|ask| compare(data, ask, target, st))
        .collect();
    let adjusted = holm(&out.iter().map(|c| c.p).collect::<Vec<_>>());
    for (c, h) in out.iter_mut().zip(adjusted) {
        c.holm_p = h;
    }
    out
}

/// "Δ +0.52 [+0.21, +0.80] (t), [+0.25, +0.79] (bootstrap), Wilcoxon p 0.003, Holm p 0.04,
/// 12 seeds (1 failed in `a`)" for a table cell or a sentence.
pub fn describe(c: &Compared, st: &Statistics) -> String {
    let interval = |i: &Option<Interval>| {
        i.map_or("–".to_string(), |i| {
            format!("[{:+.2}, {:+.2}]", i.low, i.high)
        })
    };
    let mean = c.t.map(|i| i.mean).or(c.bootstrap.map(|i| i.mean));
    let test = match st.primary {
        PrimaryTest::Wilcoxon => "Wilcoxon",
        PrimaryTest::SignFlip => "sign-flip",
    };
    let mut failed = Vec::new();
    if c.failed_a > 0 {
        failed.push(format!(
            "{} failed or censored in {}",
            c.failed_a,
            c.ask.a.name()
        ));
    }
    if c.failed_b > 0 {
        failed.push(format!("{} in {}", c.failed_b, c.ask.b.name()));
    }
    let failed = if failed.is_empty() {
        String::new()
    } else {
        format!(", {}", failed.join(", "))
    };
    format!(
        "Δ {} {} (t) {} (bootstrap), {test} p {}, Holm p {}, {} seeds{failed}",
        mean.map_or("–".to_string(), |m| format!("{m:+.2}")),
        interval(&c.t),
        interval(&c.bootstrap),
        p_text(c.p),
        p_text(c.holm_p),
        c.seeds,
    )
}

/// A p-value in three significant places, or `–`.
pub fn p_text(p: f64) -> String {
    if p.is_nan() {
        "–".into()
    } else if p < 0.001 {
        format!("{p:.1e}")
    } else {
        format!("{p:.3}")
    }
}
