//! Time to target: when a run reaches an accuracy for good, not when noise first touches it.

/// The step from which the smoothed validation accuracy stays at or above `target` through the
/// last evaluation. `curve` holds `(step, accuracy)` in step order; the smoothing is a trailing
/// moving average of `window` evaluations (the first `window − 1` average what exists so far;
/// `window` 1, or 0, is no smoothing), so one lucky evaluation does not count as arrival.
///
/// `None` when the last smoothed value is below `target` (or NaN): the run never reached it
/// within its budget, a censored time, not a late one. An empty curve gives `None`.
pub fn reach_and_stay(curve: &[(u64, f64)], target: f64, window: usize) -> Option<u64> {
    let window = window.max(1);
    let smoothed = |i: usize| {
        let from = (i + 1).saturating_sub(window);
        curve[from..=i].iter().map(|&(_, a)| a).sum::<f64>() / (i + 1 - from) as f64
    };
    // A NaN counts as below.
    let below = |i: usize| {
        let v = smoothed(i);
        v.is_nan() || v < target
    };
    let last_below = (0..curve.len()).rev().find(|&i| below(i));
    match last_below {
        None => curve.first().map(|&(step, _)| step),
        Some(i) => curve.get(i + 1).map(|&(step, _)| step),
    }
}
