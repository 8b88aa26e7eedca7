//! The rules the study leans on, each on a small hand-made case.

use study_stats::{
    bootstrap_mean, kendall_w, kendall_w_bootstrap, median, performance_profile, reach_and_stay,
    resolve,
};

#[test]
fn reaching_counts_from_the_last_crossing_and_never_is_censored() {
    let curve = [(10, 50.0), (20, 81.0), (30, 79.0), (40, 82.0), (50, 83.0)];
    // Touches 80 at step 20, falls back, stays from step 40.
    assert_eq!(reach_and_stay(&curve, 80.0, 1), Some(40));
    // Smoothed over two: 65.5, 80, 80.5, 82.5 from step 20 on.
    assert_eq!(reach_and_stay(&curve, 80.0, 2), Some(30));
    assert_eq!(reach_and_stay(&curve, 90.0, 1), None, "never: censored");
    assert_eq!(reach_and_stay(&[], 1.0, 1), None);
}

#[test]
fn the_bootstrap_is_a_function_of_its_seed() {
    let v = [0.3, -0.1, 0.8, 0.4, 0.2, 0.5, -0.3, 0.9];
    let a = bootstrap_mean(&v, 2000, 7, 0.95).unwrap();
    assert_eq!(a, bootstrap_mean(&v, 2000, 7, 0.95).unwrap());
    assert!(a.low < a.mean && a.mean < a.high);
    assert_ne!(a, bootstrap_mean(&v, 2000, 8, 0.95).unwrap());
    assert!(bootstrap_mean(&[1.0, f64::INFINITY], 100, 1, 0.95).is_none());
}

#[test]
fn agreement_profile_and_resolution() {
    assert_eq!(
        kendall_w(&[vec![1.0, 2.0, 3.0], vec![1.0, 2.0, 3.0]]),
        Some(1.0)
    );
    assert_eq!(
        kendall_w(&[vec![1.0, 2.0, 3.0], vec![3.0, 2.0, 1.0]]),
        Some(0.0)
    );
    let per_seed = vec![
        vec![
            vec![1.0, 1.2, 0.9],
            vec![2.0, 2.1, 1.8],
            vec![3.0, 2.7, 3.1],
        ],
        vec![
            vec![1.1, 0.8, 1.0],
            vec![1.9, 2.2, 2.0],
            vec![2.9, 3.3, 3.0],
        ],
    ];
    let w = kendall_w_bootstrap(&per_seed, 500, 1, 0.95).unwrap();
    assert!(w.low >= 0.0 && w.high <= 1.0 && w.mean == 1.0);
    // Two workloads, three arms: arm 0 best on the first, within 1 of the best on the second.
    let p = performance_profile(
        &[vec![90.0, 89.0, 80.0], vec![70.0, 70.5, 60.0]],
        &[0.0, 1.0],
    );
    assert_eq!(p, [vec![0.5, 1.0], vec![0.5, 1.0], vec![0.0, 0.0]]);
    // A margin of 0.1 ± 0.5: unresolved; of 2 ± 0.1: resolved.
    let r = resolve(&[90.0, 89.0, 91.0], &[89.9, 89.6, 90.2]).unwrap();
    assert!(!r.resolved, "{r:?}");
    let r = resolve(&[92.0, 92.1, 91.9], &[90.0, 90.0, 90.1]).unwrap();
    assert!(r.resolved, "{r:?}");
    assert!(
        !resolve(&[1.0], &[0.0]).unwrap().resolved,
        "one seed never resolves"
    );
    assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), 2.5);
}
