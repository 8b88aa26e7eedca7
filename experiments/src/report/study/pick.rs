//! Picking an arm's tuned peak from its grid: the factor whose runs have the best mean tuning
//! score (the validation accuracy at the run's end), whether the grid must grow past an edge
//! that won, and whether the win is resolved: its margin over the runner-up, paired by seed,
//! against that margin's standard error.

/// One grid point: a multiple of the range test's suggestion and its runs' tuning scores, in
/// seed order (a diverged or collapsed run counts with the score it ended at).
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub factor: f64,
    pub accuracies: Vec<f64>,
}

/// The grid's points from its runs' `(factor, tuning score)`, in the order each factor first
/// appears, each point's scores in the order of its runs.
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

/// The mean of `v`, a NaN counted as 0 (a run never evaluated); NaN for none.
pub fn mean(v: &[f64]) -> f64 {
    let sum: f64 = v.iter().map(|x| if x.is_nan() { 0.0 } else { *x }).sum();
    sum / v.len() as f64
}

/// The median of `v` (the mean of the middle two for an even count), a NaN counted as 0 as in
/// [`mean`]; NaN for none.
pub fn median(v: &[f64]) -> f64 {
    let zeroed: Vec<f64> = v
        .iter()
        .map(|x| if x.is_nan() { 0.0 } else { *x })
        .collect();
    study_stats::median(&zeroed)
}

/// What the grid says.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    /// The winning factor.
    pub factor: f64,
    /// Its mean score.
    pub mean: f64,
    /// The runner-up's factor, if the grid has a second point.
    pub runner_up: Option<f64>,
    /// The winner is the lowest or highest factor tried.
    pub on_edge: bool,
    /// The factor to try next when the winner is on an edge: half the lowest or twice the
    /// highest.
    pub beyond: Option<f64>,
}

/// The best point by mean score; of equal means the lower rate (the safer one).
pub fn pick(points: &[Point]) -> Option<Pick> {
    let mut sorted: Vec<&Point> = points.iter().filter(|p| !p.accuracies.is_empty()).collect();
    sorted.sort_by(|a, b| a.factor.total_cmp(&b.factor));
    let (first, last) = (sorted.first()?.factor, sorted.last()?.factor);
    let scored: Vec<(f64, f64)> = sorted
        .iter()
        .map(|p| (p.factor, mean(&p.accuracies)))
        .collect();
    let best = (scored.iter().copied()).reduce(|best, p| if p.1 > best.1 { p } else { best })?;
    let runner_up = (scored.iter().copied())
        .filter(|p| p.0 != best.0)
        .reduce(|best, p| if p.1 > best.1 { p } else { best })
        .map(|p| p.0);
    let beyond = if best.0 == first {
        Some(first / 2.0)
    } else if best.0 == last {
        Some(last * 2.0)
    } else {
        None
    };
    Some(Pick {
        factor: best.0,
        mean: best.1,
        runner_up,
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
    fn the_best_mean_wins_and_an_edge_asks_for_one_more_point() {
        // A collapse in one seed (0.2) costs a point its win: 0.633 against 0.85.
        let inside = grid(&[
            (0.5, &[0.75, 0.95]),
            (1.0, &[0.84, 0.86, 0.2]),
            (2.0, &[0.7]),
        ]);
        let p = pick(&inside).unwrap();
        assert_eq!((p.factor, p.on_edge, p.beyond), (0.5, true, Some(0.25)));
        assert!((p.mean - 0.85).abs() < 1e-12);
        assert_eq!(p.runner_up, Some(2.0));
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
        let one = pick(&grid(&[(1.0, &[0.5])])).unwrap();
        assert_eq!(one.runner_up, None);
    }
}
