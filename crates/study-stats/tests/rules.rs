//! The rules the study leans on, each on a small hand-made case.

use study_stats::{
    SIGN_FLIP_EXACT_MAX, Score, bootstrap_mean, holm, kendall_tau_b, kendall_w,
    kendall_w_bootstrap, median, performance_profile, reach_and_stay, resolve, sign_flip,
    signed_differences, t_interval, wilcoxon,
};

#[test]
fn a_failed_run_ranks_below_every_finished_one() {
    use Score::{Failed, Value};
    let a = [Value(90.0), Value(91.0), Failed, Value(92.0), Failed];
    let b = [Value(89.0), Value(90.5), Value(10.0), Value(91.0), Failed];
    let d = signed_differences(&a, &b);
    assert_eq!(d, [1.0, 0.5, f64::NEG_INFINITY, 1.0, 0.0]);
    assert_eq!(
        signed_differences(&[Value(0.0)], &[Failed]),
        [f64::INFINITY]
    );
    // Both failed is a tie and dropped; the failure is the largest negative rank (4 of 4),
    // however small the score it lost to.
    let w = wilcoxon(&d).unwrap();
    assert_eq!((w.n, w.w_plus, w.w_minus), (4, 6.0, 4.0));
    assert_eq!(sign_flip(&d), None, "a mean over a failure has no meaning");
    // Failures on both sides: the two infinities are the largest magnitudes, tied at 2.5.
    let d = signed_differences(
        &[Value(0.1), Failed, Value(0.5)],
        &[Failed, Value(99.0), Value(0.4)],
    );
    let w = wilcoxon(&d).unwrap();
    assert_eq!((w.n, w.w_plus, w.w_minus), (3, 3.5, 2.5));
}

#[test]
#[should_panic(expected = "one entry per seed")]
fn differences_need_the_same_seeds() {
    signed_differences(&[Score::Failed], &[]);
}

#[test]
fn wilcoxon_drops_zeros_and_handles_the_edges() {
    let with_zeros = wilcoxon(&[0.0, 1.0, -0.0, 2.0, -3.0, 0.0]).unwrap();
    assert_eq!(with_zeros, wilcoxon(&[1.0, 2.0, -3.0]).unwrap());
    assert_eq!(with_zeros.n, 3);
    assert_eq!(wilcoxon(&[0.0, 0.0]), None, "nothing to test");
    assert_eq!(wilcoxon(&[]), None);
    assert_eq!(
        wilcoxon(&[1.0, f64::NAN]),
        None,
        "a NaN is a missing result, not a score"
    );

    // All equal: one tied group at the top of the order; 2·2^-6 two-sided.
    let equal = wilcoxon(&[0.4; 6]).unwrap();
    assert_eq!(
        (equal.w_plus, equal.w_minus, equal.p),
        (21.0, 0.0, 2.0 / 64.0)
    );
    // One pair: both signs equally likely, p = 1.
    let one = wilcoxon(&[-2.5]).unwrap();
    assert_eq!((one.n, one.w_plus, one.w_minus, one.p), (1, 0.0, 1.0, 1.0));
}

#[test]
fn wilcoxon_is_symmetric_and_exact_for_a_hundred_pairs() {
    let d: Vec<f64> = (1..=100)
        .map(|i| f64::from(i) * if i % 3 == 0 { -0.1 } else { 0.1 })
        .collect();
    let flipped: Vec<f64> = d.iter().map(|x| -x).collect();
    let (w, v) = (wilcoxon(&d).unwrap(), wilcoxon(&flipped).unwrap());
    assert_eq!((w.w_plus, w.w_minus, w.p), (v.w_minus, v.w_plus, v.p));
    assert!(w.p > 0.0 && w.p < 1.0);
    // Every one of 100 positive: only the all-positive assignment reaches W+, 2·2^-100.
    let up: Vec<f64> = (1..=100).map(f64::from).collect();
    assert_eq!(wilcoxon(&up).unwrap().p, 2.0f64.powi(-99));
}

#[test]
fn sign_flip_drops_zeros_rejects_infinities_and_samples_above_twenty() {
    assert_eq!(sign_flip(&[0.0, 1.0, 0.0, 2.0]), sign_flip(&[1.0, 2.0]));
    assert_eq!(sign_flip(&[0.0, 0.0]), Some(1.0));
    assert_eq!(sign_flip(&[]), None);
    assert_eq!(sign_flip(&[1.0, f64::INFINITY]), None);
    assert_eq!(sign_flip(&[1.0, f64::NAN]), None);
    assert_eq!(sign_flip(&[0.5; 4]), Some(2.0 / 16.0));

    // 15 of 21 unit differences positive: |sum| ≥ 9 has p = 2·P(Binomial(21, ½) ≤ 6).
    let n = SIGN_FLIP_EXACT_MAX + 1;
    let d: Vec<f64> = (0..n).map(|i| if i < 15 { 1.0 } else { -1.0 }).collect();
    let choose = |k: u64| (0..k).fold(1u64, |c, i| c * (n as u64 - i) / (i + 1));
    let exact = 2.0 * (0..=6).map(choose).sum::<u64>() as f64 / (1u64 << n) as f64;
    let sampled = sign_flip(&d).unwrap();
    let se = (exact * (1.0 - exact) / 100_000.0).sqrt();
    assert!(
        (sampled - exact).abs() < 5.0 * se,
        "{sampled} against {exact}"
    );
    assert_eq!(sign_flip(&d), Some(sampled), "the draws are seeded");
}

#[test]
fn t_interval_edges() {
    let flat = t_interval(&[91.5; 4], 0.95).unwrap();
    assert_eq!((flat.low, flat.mean, flat.high), (91.5, 91.5, 91.5));
    let tenths = t_interval(&[0.1; 3], 0.95).unwrap();
    assert_eq!((tenths.low, tenths.mean, tenths.high), (0.1, 0.1, 0.1));
    assert_eq!(t_interval(&[1.0], 0.95), None, "one value has no spread");
    assert_eq!(t_interval(&[1.0, 2.0], 1.0), None);
    assert_eq!(t_interval(&[1.0, f64::NAN], 0.95), None);
    let wide = t_interval(&[1.0, 2.0, 4.0], 0.99).unwrap();
    let narrow = t_interval(&[1.0, 2.0, 4.0], 0.9).unwrap();
    assert!(wide.low < narrow.low && narrow.high < wide.high);
}

#[test]
fn the_bootstrap_is_a_function_of_its_seed() {
    let v = [0.3, -0.1, 0.8, 0.4, 0.2, 0.5, -0.3, 0.9];
    let a = bootstrap_mean(&v, 2000, 7, 0.95).unwrap();
    assert_eq!(a, bootstrap_mean(&v, 2000, 7, 0.95).unwrap());
    assert_eq!(a.mean, v.iter().sum::<f64>() / 8.0);
    assert!(a.low < a.mean && a.mean < a.high);
    assert!(v.iter().copied().reduce(f64::min).unwrap() <= a.low);
    assert!(a.high <= v.iter().copied().reduce(f64::max).unwrap());
    assert_ne!(a, bootstrap_mean(&v, 2000, 8, 0.95).unwrap());
    let narrow = bootstrap_mean(&v, 2000, 7, 0.5).unwrap();
    assert!(a.low < narrow.low && narrow.high < a.high);
    assert!(bootstrap_mean(&[1.0, f64::INFINITY], 100, 1, 0.95).is_none());
    assert!(bootstrap_mean(&[], 100, 1, 0.95).is_none());
    assert!(bootstrap_mean(&v, 0, 1, 0.95).is_none());
}

#[test]
fn holm_keeps_the_order_and_caps_at_one() {
    assert_eq!(holm(&[0.01, 0.04, 0.03]), [0.03, 0.06, 0.06]);
    assert_eq!(holm(&[0.5, 0.9]), [1.0, 1.0]);
    assert!(holm(&[]).is_empty());
    // A NaN stays NaN and still counts as a test made.
    let with_nan = holm(&[-f64::NAN, 0.01, 0.02]);
    assert!(with_nan[0].is_nan());
    assert_eq!(&with_nan[1..], [0.03, 0.04]);
}

#[test]
fn reaching_counts_from_the_last_crossing_and_never_is_censored() {
    let curve = [(10, 50.0), (20, 81.0), (30, 79.0), (40, 82.0), (50, 83.0)];
    // Touches 80 at step 20, falls back, stays from step 40.
    assert_eq!(reach_and_stay(&curve, 80.0, 1), Some(40));
    assert_eq!(
        reach_and_stay(&curve, 80.0, 0),
        Some(40),
        "window 0 is no smoothing"
    );
    // Smoothed over two: 50, 65.5, 80, 80.5, 82.5: from step 30 on.
    assert_eq!(reach_and_stay(&curve, 80.0, 2), Some(30));
    // Over three the dip and the start weigh more: 50, 65.5, 70, 80.67, 81.33.
    assert_eq!(reach_and_stay(&curve, 80.0, 3), Some(40));
    assert_eq!(
        reach_and_stay(&curve, 40.0, 1),
        Some(10),
        "above from the start"
    );
    assert_eq!(reach_and_stay(&curve, 90.0, 1), None, "never: censored");
    // Reached once, lost at the end: also censored.
    assert_eq!(reach_and_stay(&[(1, 90.0), (2, 70.0)], 80.0, 1), None);
    assert_eq!(reach_and_stay(&[(1, 90.0), (2, f64::NAN)], 80.0, 1), None);
    assert_eq!(reach_and_stay(&[], 1.0, 1), None);
}

#[test]
fn concordance_of_rankings() {
    let rows = |r: &[&[f64]]| r.iter().map(|row| row.to_vec()).collect::<Vec<_>>();
    assert_eq!(
        kendall_w(&rows(&[
            &[1.0, 2.0, 3.0],
            &[1.0, 2.0, 3.0],
            &[10.0, 20.0, 30.0]
        ])),
        Some(1.0)
    );
    assert_eq!(
        kendall_w(&rows(&[&[1.0, 2.0, 3.0, 4.0], &[4.0, 3.0, 2.0, 1.0]])),
        Some(0.0)
    );
    assert_eq!(kendall_w(&rows(&[&[1.0, 2.0, 3.0]])), None, "one rater");
    assert_eq!(kendall_w(&rows(&[&[1.0], &[2.0]])), None, "one object");
    assert_eq!(kendall_w(&rows(&[&[1.0, 2.0], &[1.0]])), None, "ragged");
    assert_eq!(
        kendall_w(&rows(&[&[1.0, 1.0], &[2.0, 2.0]])),
        None,
        "all tied: 0/0"
    );
    assert_eq!(kendall_w(&rows(&[&[1.0, f64::NAN], &[1.0, 2.0]])), None);

    assert_eq!(kendall_tau_b(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]), Some(1.0));
    assert_eq!(
        kendall_tau_b(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]),
        Some(-1.0)
    );
    assert_eq!(
        kendall_tau_b(&[1.0, 1.0, 1.0], &[3.0, 2.0, 1.0]),
        None,
        "one side all tied"
    );
    assert_eq!(kendall_tau_b(&[1.0, 2.0], &[1.0]), None);
}

#[test]
fn the_seed_bootstrap_of_w_stays_in_range_and_pairs_seeds() {
    // Separated arms: every resample ranks them alike.
    let separated = vec![
        vec![
            vec![1.0, 1.2, 0.9],
            vec![2.0, 2.1, 1.8],
            vec![3.0, 2.7, 3.1],
        ],
        vec![
            vec![1.1, 0.8, 1.0, 0.9],
            vec![1.9, 2.2, 2.0, 2.1],
            vec![2.9, 3.3, 3.0, 3.2],
        ],
    ];
    let w = kendall_w_bootstrap(&separated, 500, 1, 0.95).unwrap();
    assert_eq!((w.low, w.mean, w.high), (1.0, 1.0, 1.0));
    // Overlapping arms: the interval spreads but stays in [0, 1].
    let overlapping = vec![
        vec![
            vec![1.0, 3.0, 2.0],
            vec![2.5, 1.0, 2.0],
            vec![2.0, 2.2, 1.5],
        ],
        vec![
            vec![0.5, 2.0, 1.0],
            vec![1.0, 1.5, 0.5],
            vec![2.0, 0.2, 1.1],
        ],
        vec![
            vec![3.0, 1.0, 2.0],
            vec![1.0, 2.0, 3.0],
            vec![2.0, 3.0, 1.0],
        ],
    ];
    let w = kendall_w_bootstrap(&overlapping, 2000, 3, 0.95).unwrap();
    assert!(0.0 <= w.low && w.low < w.high && w.high <= 1.0, "{w:?}");
    assert_eq!(w, kendall_w_bootstrap(&overlapping, 2000, 3, 0.95).unwrap());
    // A shift common to every arm of a seed (a lucky seed) leaves W unchanged when the
    // resample keeps each seed's arms together.
    let common = vec![
        vec![vec![1.0, 11.0], vec![2.0, 12.0]],
        vec![vec![4.0, 24.0], vec![5.0, 25.0]],
    ];
    let w = kendall_w_bootstrap(&common, 500, 9, 0.95).unwrap();
    assert_eq!((w.low, w.mean, w.high), (1.0, 1.0, 1.0));
    let unequal = vec![vec![vec![1.0, 2.0], vec![1.0]], vec![vec![1.0], vec![2.0]]];
    assert_eq!(kendall_w_bootstrap(&unequal, 10, 1, 0.95), None);
}

#[test]
fn performance_profile_counts_workloads_within_the_gap() {
    // Each arm best once; arm 1 within 1 point everywhere; arm 2 failed on the second.
    let scores = [
        vec![90.0, 89.0, 80.0],
        vec![70.0, 70.5, f64::NAN],
        vec![50.0, 52.0, 53.0],
    ];
    let p = performance_profile(&scores, &[0.0, 1.0, 3.0, 100.0]);
    assert_eq!(
        p,
        [
            vec![1.0 / 3.0, 2.0 / 3.0, 1.0, 1.0],
            vec![1.0 / 3.0, 1.0, 1.0, 1.0],
            vec![1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 2.0 / 3.0],
        ]
    );
    assert!(performance_profile(&[], &[0.0]).is_empty());
    let failed = performance_profile(&[vec![f64::NEG_INFINITY, f64::NEG_INFINITY]], &[1.0]);
    assert_eq!(failed, [vec![0.0], vec![0.0]], "a failure is never within");
}

#[test]
fn resolution_of_a_tuning_pick() {
    // A margin of 0.1 against a spread of about 0.7: unresolved.
    let r = resolve(&[90.0, 89.0, 91.0], &[89.9, 89.6, 90.2]).unwrap();
    assert!(
        !r.resolved && r.margin > 0.0 && r.margin < 2.0 * r.se.unwrap(),
        "{r:?}"
    );
    // A margin of about 2 against a spread of 0.1: resolved.
    let r = resolve(&[92.0, 92.1, 91.9], &[90.0, 90.0, 90.1]).unwrap();
    assert!(r.resolved && r.margin > 2.0 * r.se.unwrap(), "{r:?}");
    let one = resolve(&[1.0], &[0.0]).unwrap();
    assert_eq!(
        (one.se, one.resolved),
        (None, false),
        "one seed never resolves"
    );
    assert_eq!(resolve(&[1.0, 2.0], &[1.0]), None);
    assert_eq!(resolve(&[], &[]), None);
}

#[test]
fn median_of_odd_even_and_nothing() {
    assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), 2.5);
    assert!(median(&[]).is_nan());
    assert!(median(&[1.0, f64::NAN]).is_nan());
}
