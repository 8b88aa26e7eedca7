//! Paired comparisons over seeds: the same seed gives the same initial weights and batch order
//! under every schedule, so a schedule is compared with a reference seed by seed. The mean
//! difference with a 95% Student t interval, the paired t-test's two-sided p-value, Holm's
//! correction (`study-stats`') across the comparisons a report makes, and the verdict they give.

use statrs::distribution::{ContinuousCDF, StudentsT};
pub use study_stats::holm;
use study_stats::t_interval;

/// Significance level after Holm's correction.
pub const ALPHA: f64 = 0.05;

/// One schedule against a reference over the seeds both ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Paired {
    /// Seeds compared.
    pub n: usize,
    /// Mean of the differences (schedule − reference).
    pub mean: f64,
    /// The 95% confidence interval of the mean difference.
    pub low: f64,
    pub high: f64,
    /// Two-sided p-value of the paired t-test (no correction).
    pub p: f64,
}

/// The paired comparison of `differences` (one per seed), or `None` with fewer than two: one
/// seed gives no interval. The interval is `study-stats`' t interval; the p-value the t-test's
/// on the same standard error.
pub fn paired(differences: &[f64]) -> Option<Paired> {
    let n = differences.len();
    let ci = t_interval(differences, 0.95)?;
    if ci.low == ci.high {
        // Every seed moved by the same amount: no spread to test against.
        let p = if ci.mean == 0.0 { 1.0 } else { 0.0 };
        return Some(Paired {
            n,
            mean: ci.mean,
            low: ci.mean,
            high: ci.mean,
            p,
        });
    }
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64).expect("n ≥ 2 degrees of freedom");
    // The interval's half-width over the t quantile is the standard error.
    let se = (ci.high - ci.mean) / t.inverse_cdf(0.975);
    Some(Paired {
        n,
        mean: ci.mean,
        low: ci.low,
        high: ci.high,
        p: 2.0 * (1.0 - t.cdf((ci.mean / se).abs())),
    })
}

/// What the runs say of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Supported,
    Contradicted,
    Inconclusive,
}

impl Verdict {
    /// The claim's direction is `expected` (+1: the schedule ends higher, −1: lower); a
    /// difference significant after correction (`holm_p` < [`ALPHA`]) in that direction
    /// supports it, in the other contradicts it, anything else leaves it open.
    pub fn of(comparison: Option<&Paired>, holm_p: f64, expected: f64) -> Self {
        match comparison {
            Some(c) if holm_p < ALPHA && c.mean * expected > 0.0 => Verdict::Supported,
            Some(c) if holm_p < ALPHA && c.mean * expected < 0.0 => Verdict::Contradicted,
            _ => Verdict::Inconclusive,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::Contradicted => "contradicted",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_and_p_value_of_the_paired_t_test() {
        // Differences 1, 2, 3: mean 2, sd 1, se 1/√3, t = 2√3 on 2 degrees of freedom.
        let c = paired(&[1.0, 2.0, 3.0]).expect("three seeds");
        assert_eq!((c.n, c.mean), (3, 2.0));
        // On 2 degrees of freedom Student's t has closed forms: the quantile at a is
        // (2a − 1) / √(2a(1 − a)), and the two-sided p of t is 1 − t / √(t² + 2).
        let q = 0.95 / (2.0 * 0.975 * 0.025f64).sqrt();
        let half = q / 3f64.sqrt();
        assert!((c.low - (2.0 - half)).abs() < 1e-9, "{}", c.low);
        assert!((c.high - (2.0 + half)).abs() < 1e-9, "{}", c.high);
        let t = 2.0 * 3f64.sqrt();
        let p = 1.0 - t / (t * t + 2.0).sqrt();
        assert!((c.p - p).abs() < 1e-9, "{} against {p}", c.p);
        assert_eq!(paired(&[0.5]), None);
        let same = paired(&[0.3, 0.3]).expect("two seeds");
        assert_eq!((same.low, same.high, same.p), (0.3, 0.3, 0.0));
        assert_eq!(paired(&[0.0, 0.0]).expect("two").p, 1.0);
    }

    #[test]
    fn verdicts_follow_significance_and_direction() {
        let up = paired(&[1.0, 1.1, 0.9, 1.05]).expect("four");
        assert_eq!(Verdict::of(Some(&up), up.p, 1.0), Verdict::Supported);
        assert_eq!(Verdict::of(Some(&up), up.p, -1.0), Verdict::Contradicted);
        assert_eq!(Verdict::of(Some(&up), 0.2, 1.0), Verdict::Inconclusive);
        assert_eq!(Verdict::of(None, 0.0, 1.0), Verdict::Inconclusive);
    }
}
