//! Whether a tuning grid's pick is resolved: better than its runner-up by more than the noise
//! between seeds, or a choice the seeds could have made either way.

/// How clearly a grid point beat the runner-up, from [`resolve`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolution {
    /// Seeds compared.
    pub n: usize,
    /// Mean per-seed difference, winner − runner-up.
    pub margin: f64,
    /// Standard error of `margin` (sample standard deviation over √n); `None` with one seed.
    pub se: Option<f64>,
    /// `margin > 2·se`: the pick stands out by about two standard errors, roughly a one-sided
    /// test at 2.5%. Always false with one seed, whose margin has no error to compare with.
    pub resolved: bool,
}

/// Compares the per-seed tuning scores of the winning grid point with the runner-up's, paired
/// by seed (same length, seed `i` against seed `i`).
///
/// `None` for no seeds, unequal lengths, or a non-finite score.
pub fn resolve(winner: &[f64], runner_up: &[f64]) -> Option<Resolution> {
    let n = winner.len();
    if n == 0 || n != runner_up.len() || winner.iter().chain(runner_up).any(|x| !x.is_finite()) {
        return None;
    }
    let d: Vec<f64> = winner.iter().zip(runner_up).map(|(w, r)| w - r).collect();
    let margin = d.iter().sum::<f64>() / n as f64;
    let se = (n >= 2).then(|| {
        let var = d.iter().map(|x| (x - margin).powi(2)).sum::<f64>() / (n - 1) as f64;
        (var / n as f64).sqrt()
    });
    let resolved = se.is_some_and(|se| margin > 2.0 * se);
    Some(Resolution {
        n,
        margin,
        se,
        resolved,
    })
}

/// The median of `values`: the middle value, or the mean of the middle two for an even count.
/// NaN for no values or any NaN value (a NaN has no place in the order).
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() || values.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}
