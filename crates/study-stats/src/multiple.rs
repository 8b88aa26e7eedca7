//! Correction for the many comparisons one study makes.

/// Holm's step-down adjusted p-values, in the order given: with `m` tests, the `i`-th smallest
/// p (`i` from 0) becomes `(m − i)·p`, raised to the running maximum so the order is kept, and
/// capped at 1. Rejecting where the adjusted p is below α controls the family-wise error at α
/// without Bonferroni's loss of power.
///
/// A NaN p-value stays NaN and leaves the others as if it were the largest (it still counts in
/// `m`, so the correction is never weaker than for the tests actually made).
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    // NaN last whatever its sign bit (`total_cmp` alone puts a negative NaN first).
    order.sort_by(|&a, &b| {
        p[a].is_nan()
            .cmp(&p[b].is_nan())
            .then(p[a].total_cmp(&p[b]))
    });
    let mut adjusted = vec![f64::NAN; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        if p[i].is_nan() {
            continue;
        }
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}
