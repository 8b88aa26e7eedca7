//! Statistics over runs: one group-by, and mean with standard deviation.

use super::runs::RunData;

/// The runs grouped by `key` (runs whose key is `None` are left out), groups in the order of
/// their first run, runs in their order.
pub fn group_by<'a>(
    runs: impl IntoIterator<Item = &'a RunData>,
    key: impl Fn(&RunData) -> Option<&str>,
) -> Vec<(String, Vec<&'a RunData>)> {
    let mut out: Vec<(String, Vec<&RunData>)> = Vec::new();
    for r in runs {
        let Some(k) = key(r) else {
            continue;
        };
        match out.iter_mut().find(|(g, _)| g == k) {
            Some((_, members)) => members.push(r),
            None => out.push((k.to_string(), vec![r])),
        }
    }
    out
}

/// Runs that repeat one schedule over seeds (`--seeds`), by schedule.
pub fn seed_groups(runs: &[RunData]) -> Vec<(String, Vec<&RunData>)> {
    group_by(runs, |r| r.summary.group.as_deref())
}

/// Mean and sample standard deviation (0 for one value).
pub fn mean_std(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = values.collect();
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 {
        v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// The mean, or `None` for no values.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_sample_deviation() {
        let (m, s) = mean_std([1.0, 2.0, 3.0, 4.0].into_iter());
        assert_eq!(m, 2.5);
        assert!((s - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(mean_std([7.0].into_iter()), (7.0, 0.0));
        assert_eq!(mean(&[]), None);
    }
}
