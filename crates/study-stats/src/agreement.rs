//! How far the arms' ranking holds across workloads: Kendall's W over all of them (with a seed
//! bootstrap for its uncertainty), Kendall's τ-b between two, and performance profiles.

use crate::interval::{Interval, percentile_interval, valid_level};
use crate::rng::SplitMix64;

/// Kendall's coefficient of concordance W of `m` raters over `n` objects: `scores[rater][object]`,
/// here a workload's score of each arm. A higher score is a better (lower) rank; ties within a
/// row get midranks, with the usual correction: `W = 12·S / (m²(n³ − n) − m·Σ T)`, where `S`
/// is the sum of squared deviations of the rank sums from `m(n+1)/2` and `T = Σ (t³ − t)` over
/// one row's groups of `t` tied objects. W is 1 when every workload ranks the arms alike and 0
/// when the rankings cancel out.
///
/// `None` with fewer than two raters or objects, rows of different lengths, a NaN score, or
/// every row entirely tied (W is then 0/0). `±∞` rank as the best and worst scores.
pub fn kendall_w(scores: &[Vec<f64>]) -> Option<f64> {
    let m = scores.len();
    let n = scores.first()?.len();
    if m < 2
        || n < 2
        || scores
            .iter()
            .any(|row| row.len() != n || row.iter().any(|x| x.is_nan()))
    {
        return None;
    }
    let mut rank_sums = vec![0.0; n];
    let mut ties = 0.0;
    for row in scores {
        let (ranks, t) = midranks(row);
        rank_sums
            .iter_mut()
            .zip(&ranks)
            .for_each(|(sum, r)| *sum += r);
        ties += t;
    }
    let (m, n) = (m as f64, n as f64);
    let centre = m * (n + 1.0) / 2.0;
    let s: f64 = rank_sums.iter().map(|r| (r - centre).powi(2)).sum();
    let denominator = m * m * (n * n * n - n) - m * ties;
    (denominator > 0.0).then(|| 12.0 * s / denominator)
}

/// Kendall's W with a percentile bootstrap interval over seeds: `per_seed[workload][arm][seed]`.
///
/// Each of `resamples` replicates draws, for every workload, seed indices with replacement and
/// takes each arm's mean over them; the same indices serve every arm of that workload, since
/// the same seed is the same initial weights and batch order under every arm. W of those means
/// is one replicate; replicates where W is undefined (every workload's means entirely tied)
/// are left out. `mean` is W of the means over all seeds. The arms of one workload must share
/// their seed count; workloads may differ.
///
/// `None` where [`kendall_w`] of the full means is, for unequal seed counts within a workload,
/// a workload without seeds, a non-finite score (give a failed run its score first), no
/// resamples, or `level` outside `(0, 1)`.
pub fn kendall_w_bootstrap(
    per_seed: &[Vec<Vec<f64>>],
    resamples: usize,
    seed: u64,
    level: f64,
) -> Option<Interval> {
    if resamples == 0 || !valid_level(level) {
        return None;
    }
    let mut seeds = Vec::with_capacity(per_seed.len());
    for workload in per_seed {
        let k = workload.first().map_or(0, Vec::len);
        if k == 0
            || workload
                .iter()
                .any(|arm| arm.len() != k || arm.iter().any(|x| !x.is_finite()))
        {
            return None;
        }
        seeds.push(k);
    }
    let full: Vec<Vec<f64>> = per_seed
        .iter()
        .map(|workload| {
            workload
                .iter()
                .map(|arm| arm.iter().sum::<f64>() / arm.len() as f64)
                .collect()
        })
        .collect();
    let point = kendall_w(&full)?;

    let mut rng = SplitMix64::new(seed);
    let mut replicates = Vec::with_capacity(resamples);
    let mut indices = Vec::new();
    for _ in 0..resamples {
        let means: Vec<Vec<f64>> = per_seed
            .iter()
            .zip(&seeds)
            .map(|(workload, &k)| {
                indices.clear();
                indices.extend((0..k).map(|_| rng.below(k)));
                workload
                    .iter()
                    .map(|arm| indices.iter().map(|&i| arm[i]).sum::<f64>() / k as f64)
                    .collect()
            })
            .collect();
        replicates.extend(kendall_w(&means));
    }
    if replicates.is_empty() {
        return None;
    }
    let (low, high) = percentile_interval(replicates, level);
    Some(Interval {
        mean: point,
        low,
        high,
    })
}

/// Kendall's τ-b between two workloads' scores of the same arms: `(C − D) / √((P − X)(P − Y))`
/// over the `P = n(n−1)/2` pairs of arms, with `C` and `D` the concordant and discordant pairs
/// and `X`, `Y` the pairs tied in `x` and in `y`.
///
/// `None` for unequal lengths, fewer than two arms, a NaN, or a side entirely tied.
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n != y.len() || n < 2 || x.iter().chain(y).any(|v| v.is_nan()) {
        return None;
    }
    let (mut concordance, mut tied_x, mut tied_y) = (0i64, 0i64, 0i64);
    for i in 0..n {
        for j in i + 1..n {
            let (dx, dy) = (x[i].partial_cmp(&x[j])?, y[i].partial_cmp(&y[j])?);
            tied_x += i64::from(dx.is_eq());
            tied_y += i64::from(dy.is_eq());
            if dx.is_ne() && dy.is_ne() {
                concordance += if dx == dy { 1 } else { -1 };
            }
        }
    }
    let pairs = (n * (n - 1) / 2) as i64;
    let denominator = ((pairs - tied_x) as f64 * (pairs - tied_y) as f64).sqrt();
    (denominator > 0.0).then(|| concordance as f64 / denominator)
}

/// Performance profiles with an absolute gap: `scores[workload][arm]`, higher is better (points).
/// For each arm and each `τ` in `taus`, the share of workloads on which the arm scores at least
/// the workload's best minus `τ`; the result is `[arm][tau]`. This is Dolan and Moré's profile
/// with a difference in points in place of their ratio, as accuracies have no natural zero.
///
/// A NaN or `−∞` score (a failed run) is never within any gap; a workload where every score is
/// NaN counts for no arm. No workloads gives no rows.
///
/// # Panics
///
/// If the workloads do not all score the same number of arms.
pub fn performance_profile(scores: &[Vec<f64>], taus: &[f64]) -> Vec<Vec<f64>> {
    let Some(arms) = scores.first().map(Vec::len) else {
        return Vec::new();
    };
    assert!(
        scores.iter().all(|row| row.len() == arms),
        "every workload must score every arm"
    );
    let mut within = vec![vec![0usize; taus.len()]; arms];
    for row in scores {
        let Some(best) = row.iter().copied().filter(|x| !x.is_nan()).reduce(f64::max) else {
            continue;
        };
        for (arm, &score) in row.iter().enumerate() {
            if score.is_nan() || score == f64::NEG_INFINITY {
                continue;
            }
            for (count, &tau) in within[arm].iter_mut().zip(taus) {
                *count += usize::from(score >= best - tau);
            }
        }
    }
    let workloads = scores.len() as f64;
    within
        .into_iter()
        .map(|row| row.into_iter().map(|c| c as f64 / workloads).collect())
        .collect()
}

/// Midranks of `row` with rank 1 for the highest score, and the row's tie term `Σ (t³ − t)`.
fn midranks(row: &[f64]) -> (Vec<f64>, f64) {
    let n = row.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| row[b].total_cmp(&row[a]));
    let mut ranks = vec![0.0; n];
    let mut ties = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        // `==`, not `total_cmp`: 0.0 and −0.0 are the same score.
        while j + 1 < n && row[order[j + 1]] == row[order[i]] {
            j += 1;
        }
        let rank = (i + j + 2) as f64 / 2.0;
        order[i..=j].iter().for_each(|&k| ranks[k] = rank);
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        i = j + 1;
    }
    (ranks, ties)
}
