//! Paired comparisons of two arms over the seeds both ran: the same seed gives the same initial
//! weights and batch order under every arm, so the evidence is the per-seed differences.

use crate::rng::SplitMix64;

/// One run's result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Score {
    /// The run finished with this score (accuracy in points, higher is better).
    Value(f64),
    /// The run diverged or collapsed: it ranks below every run that finished.
    Failed,
}

/// The per-seed differences `a − b` of two arms, seed `i` of `a` against seed `i` of `b`.
///
/// A failure is worse than any value, so `Value − Failed` is `+∞` and `Failed − Value` is
/// `−∞`: rank-based tests then count such a pair among the largest differences, which a finite
/// stand-in value could not guarantee. Two failures are a tie (`0`). A `Value(NaN)` gives NaN,
/// which [`wilcoxon`] and [`sign_flip`] reject.
///
/// # Panics
///
/// If `a` and `b` differ in length: the pairing by seed would be lost.
pub fn signed_differences(a: &[Score], b: &[Score]) -> Vec<f64> {
    assert_eq!(
        a.len(),
        b.len(),
        "paired scores need one entry per seed on both sides"
    );
    a.iter()
        .zip(b)
        .map(|pair| match pair {
            (Score::Value(x), Score::Value(y)) => x - y,
            (Score::Value(_), Score::Failed) => f64::INFINITY,
            (Score::Failed, Score::Value(_)) => f64::NEG_INFINITY,
            (Score::Failed, Score::Failed) => 0.0,
        })
        .collect()
}

/// The result of [`wilcoxon`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wilcoxon {
    /// Pairs with a non-zero difference: the ones the test ranks.
    pub n: usize,
    /// Sum of the (mid)ranks of the positive differences.
    pub w_plus: f64,
    /// Sum of the (mid)ranks of the negative differences; `w_plus + w_minus = n(n+1)/2`.
    pub w_minus: f64,
    /// Exact two-sided p-value, `min(1, 2·min(P(W+ ≤ w_plus), P(W+ ≥ w_plus)))`.
    pub p: f64,
}

/// The exact two-sided Wilcoxon signed-rank test of the differences `d`.
///
/// Zeros are dropped (Wilcoxon's own convention); ties in `|d|` get midranks, and `±∞` (a
/// failed run, see [`signed_differences`]) are the largest magnitudes, tied among themselves.
/// The p-value is exact also under ties: it is computed from the distribution of `W+` over all
/// `2^n` sign assignments of the actual midranks, not from the tie-free table. A dynamic
/// programme over doubled ranks (integers) gives that distribution in `O(n³)`; its
/// probabilities are multiples of `2^-n`, so for `n ≤ 53` they are exact in `f64`.
///
/// `None` when no difference is non-zero (nothing to test) or when any is NaN: a NaN is a
/// missing result, which the caller should have turned into [`Score::Failed`].
pub fn wilcoxon(d: &[f64]) -> Option<Wilcoxon> {
    if d.iter().any(|x| x.is_nan()) {
        return None;
    }
    let mut nonzero: Vec<f64> = d.iter().copied().filter(|&x| x != 0.0).collect();
    let n = nonzero.len();
    if n == 0 {
        return None;
    }
    nonzero.sort_by(|a, b| a.abs().total_cmp(&b.abs()));

    // Doubled midranks: positions i..=j (0-based) tied share rank (i + j + 2) / 2.
    let mut ranks2 = vec![0usize; n];
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && nonzero[j + 1].abs() == nonzero[i].abs() {
            j += 1;
        }
        ranks2[i..=j].fill(i + j + 2);
        i = j + 1;
    }
    let w2: usize = ranks2
        .iter()
        .zip(&nonzero)
        .filter(|(_, x)| **x > 0.0)
        .map(|(r, _)| r)
        .sum();
    let total2 = n * (n + 1);

    // dist[s] = P(2·W+ = s); each rank joins W+ with probability ½.
    let mut dist = vec![0.0f64; total2 + 1];
    dist[0] = 1.0;
    let mut reach = 0;
    for &r in &ranks2 {
        reach += r;
        // Downwards, so dist[s − r] is still the previous round's value.
        for s in (0..=reach).rev() {
            let with = if s >= r { dist[s - r] } else { 0.0 };
            dist[s] = 0.5 * (dist[s] + with);
        }
    }
    let lower: f64 = dist[..=w2].iter().sum();
    let upper: f64 = dist[w2..].iter().sum();
    Some(Wilcoxon {
        n,
        w_plus: w2 as f64 / 2.0,
        w_minus: (total2 - w2) as f64 / 2.0,
        p: (2.0 * lower.min(upper)).min(1.0),
    })
}

/// Up to this many non-zero differences [`sign_flip`] enumerates every sign assignment.
pub const SIGN_FLIP_EXACT_MAX: usize = 20;

/// Random sign assignments [`sign_flip`] draws above [`SIGN_FLIP_EXACT_MAX`].
pub const SIGN_FLIP_RESAMPLES: usize = 100_000;

/// Fixed, so the Monte Carlo p-value of a committed study never changes.
const SIGN_FLIP_SEED: u64 = 0x5eed_f11b;

/// Sums within this share of `Σ|d|` of the observed one count as equal: differences of
/// accuracies in points (0.1 + 0.2 against 0.3) tie in decimal but not in binary.
const TIE_TOLERANCE: f64 = 1e-9;

/// The two-sided sign-flip permutation test of the mean difference: the share of sign
/// assignments of `d` whose `|mean|` is at least the observed `|mean|`.
///
/// Zeros are left out (flipping them changes no mean, so the share is the same); with at most
/// [`SIGN_FLIP_EXACT_MAX`] non-zero differences every assignment is enumerated and the
/// p-value is exact, otherwise [`SIGN_FLIP_RESAMPLES`] assignments are drawn with a fixed seed
/// and `p = (1 + hits) / (1 + draws)`, which counts the observed assignment and so never
/// gives 0. All differences zero gives 1.
///
/// `None` for no differences or any that is not finite (a failed run or NaN): a mean has no
/// meaning there, and [`wilcoxon`] ranks infinities instead.
pub fn sign_flip(d: &[f64]) -> Option<f64> {
    if d.is_empty() || d.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let magnitudes: Vec<f64> = d.iter().filter(|&&x| x != 0.0).map(|x| x.abs()).collect();
    if magnitudes.is_empty() {
        return Some(1.0);
    }
    let scale: f64 = magnitudes.iter().sum();
    // The same n divides every assignment's mean, so sums compare as the means do.
    let threshold = d.iter().sum::<f64>().abs() - TIE_TOLERANCE * scale;
    let n = magnitudes.len();
    if n <= SIGN_FLIP_EXACT_MAX {
        // Meet in the middle: every sum is one of the first half's plus one of the second's.
        let (first, second) = magnitudes.split_at(n / 2);
        let (first, second) = (all_sums(first), all_sums(second));
        let hits: usize = first
            .iter()
            .map(|a| {
                second
                    .iter()
                    .filter(|&&b| (a + b).abs() >= threshold)
                    .count()
            })
            .sum();
        return Some(hits as f64 / (1u64 << n) as f64);
    }
    let mut rng = SplitMix64::new(SIGN_FLIP_SEED);
    let mut hits = 0usize;
    for _ in 0..SIGN_FLIP_RESAMPLES {
        let mut sum = 0.0;
        for chunk in magnitudes.chunks(64) {
            let mut bits = rng.next_u64();
            for &x in chunk {
                sum += if bits & 1 == 1 { x } else { -x };
                bits >>= 1;
            }
        }
        if sum.abs() >= threshold {
            hits += 1;
        }
    }
    Some((1 + hits) as f64 / (1 + SIGN_FLIP_RESAMPLES) as f64)
}

/// The `2^len` sums `±x[0] ± x[1] …`.
fn all_sums(x: &[f64]) -> Vec<f64> {
    let mut sums = vec![0.0];
    for &v in x {
        sums = sums.iter().flat_map(|&s| [s + v, s - v]).collect();
    }
    sums
}
