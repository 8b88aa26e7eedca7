//! Picking an arm's tuned peak from its grid: the factor whose runs have the best median final
//! validation accuracy, and whether the grid must grow past an edge that won.

/// One grid point: a multiple of the range test's suggestion and its runs' final validation
/// accuracies (a diverged or collapsed run counts with the accuracy it ended at).
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub factor: f64,
    pub accuracies: Vec<f64>,
}

/// The grid's points from its runs' `(factor, final validation accuracy)`, in the order each
/// factor first appears.
pub fn points(runs: impl IntoIterator<Item = (f64, f64)>) -> Vec<Point> {
    let mut points: Vec<Point> = Vec::new();
    for (factor, accuracy) in runs {
        match points.iter_mut().find(|p| p.factor == factor) {
            Some(p) => p.accuracies.push(accuracy),
            None => points.push(Point {
                factor,
                accuracies: vec![accuracy],
            }),
        }
    }
    points
}

/// The median of `v` (the mean of the middle two for an even count); NaN for none.
pub fn median(v: &[f64]) -> f64 {
    let mut s: Vec<f64> = v
        .iter()
        .map(|x| if x.is_nan() { 0.0 } else { *x })
        .collect();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

/// What the grid says.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    /// The winning factor.
    pub factor: f64,
    /// Its median accuracy.
    pub median: f64,
    /// The winner is the lowest or highest factor tried.
    pub on_edge: bool,
    /// The factor to try next when the winner is on an edge: half the lowest or twice the
    /// highest.
    pub beyond: Option<f64>,
}

/// The best point by median accuracy; of equal medians the lower rate (the safer one).
pub fn pick(points: &[Point]) -> Option<Pick> {
    let mut sorted: Vec<&Point> = points.iter().filter(|p| !p.accuracies.is_empty()).collect();
    sorted.sort_by(|a, b| a.factor.total_cmp(&b.factor));
    let (first, last) = (sorted.first()?.factor, sorted.last()?.factor);
    let best = sorted
        .iter()
        .map(|p| (p.factor, median(&p.accuracies)))
        .reduce(|best, p| if p.1 > best.1 { p } else { best })?;
    let beyond = if best.0 == first {
        Some(first / 2.0)
    } else if best.0 == last {
        Some(last * 2.0)
    } else {
        None
    };
    Some(Pick {
        factor: best.0,
        median: best.1,
        on_edge: beyond.is_some(),
        beyond,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(medians: &[(f64, &[f64])]) -> Vec<Point> {
        medians
            .iter()
            .map(|(factor, acc)| Point {
                factor: *factor,
                accuracies: acc.to_vec(),
            })
            .collect()
    }

    #[test]
    fn the_best_median_wins_and_an_edge_asks_for_one_more_point() {
        let inside = grid(&[
            (0.5, &[0.75, 0.95]),
            (1.0, &[0.84, 0.86, 0.2]),
            (2.0, &[0.7]),
        ]);
        let p = pick(&inside).unwrap();
        assert_eq!((p.factor, p.on_edge, p.beyond), (0.5, true, Some(0.25)));
        assert_eq!(p.median, 0.85);
        let top = grid(&[(0.5, &[0.8]), (1.0, &[0.85]), (2.0, &[0.9])]);
        assert_eq!(pick(&top).unwrap().beyond, Some(4.0));
        let middle = grid(&[(0.5, &[0.8]), (1.0, &[0.95]), (2.0, &[0.9])]);
        let p = pick(&middle).unwrap();
        assert_eq!((p.factor, p.on_edge), (1.0, false));
        // Equal medians: the lower rate.
        let tie = grid(&[(2.0, &[0.9]), (1.0, &[0.9]), (4.0, &[0.1])]);
        assert_eq!(pick(&tie).unwrap().factor, 1.0);
        // A NaN accuracy (a run that never evaluated) counts as 0, never as the best.
        let nan = grid(&[(1.0, &[f64::NAN]), (2.0, &[0.5]), (4.0, &[0.1])]);
        assert_eq!(pick(&nan).unwrap().factor, 2.0);
        assert!(pick(&[]).is_none());
    }
}
