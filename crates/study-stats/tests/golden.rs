//! The crate against `golden.json`, written by `golden.py` with SciPy 1.17 and brute-force
//! enumeration over every sign assignment (where ties, zeros or infinities are involved).

use serde_json::Value;
use study_stats::{
    Score, holm, kendall_tau_b, kendall_w, sign_flip, signed_differences, t_interval, wilcoxon,
};

fn golden() -> Value {
    serde_json::from_str(include_str!("golden.json")).expect("golden.json parses")
}

fn numbers(v: &Value) -> Vec<f64> {
    (v.as_array().unwrap().iter())
        .map(|x| match x.as_str() {
            Some("inf") => f64::INFINITY,
            Some("-inf") => f64::NEG_INFINITY,
            _ => x.as_f64().unwrap(),
        })
        .collect()
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-12 * b.abs().max(1.0),
        "{what}: {a} against {b}"
    );
}

#[test]
fn wilcoxon_matches_scipy_and_the_exact_distribution_under_ties() {
    let g = golden();
    let cases = g["wilcoxon"].as_array().unwrap();
    assert!(cases.len() >= 8);
    for c in cases {
        let d = numbers(&c["d"]);
        let w = wilcoxon(&d).expect("non-zero differences");
        close(w.p, c["p"].as_f64().unwrap(), &format!("p of {d:?}"));
        close(
            w.w_plus,
            c["w_plus"].as_f64().unwrap(),
            &format!("W+ of {d:?}"),
        );
    }
    // Ten negative differences: the most extreme of 1,024 assignments, both tails.
    let all_negative: Vec<f64> = (1..=10).map(|k| -(k as f64)).collect();
    assert_eq!(wilcoxon(&all_negative).unwrap().p, 2.0 / 1024.0);
}

#[test]
fn the_other_tests_match_their_references() {
    let g = golden();
    for c in g["sign_flip"].as_array().unwrap() {
        let d = numbers(&c["d"]);
        close(
            sign_flip(&d).unwrap(),
            c["p"].as_f64().unwrap(),
            "sign flip",
        );
    }
    for c in g["t"].as_array().unwrap() {
        let i = t_interval(&numbers(&c["v"]), 0.95).unwrap();
        close(i.mean, c["mean"].as_f64().unwrap(), "t mean");
        close(i.low, c["low"].as_f64().unwrap(), "t low");
        close(i.high, c["high"].as_f64().unwrap(), "t high");
    }
    for c in g["holm"].as_array().unwrap() {
        let got = holm(&numbers(&c["p"]));
        for (a, b) in got.iter().zip(numbers(&c["adjusted"])) {
            close(*a, b, "holm");
        }
    }
    for c in g["kendall_w"].as_array().unwrap() {
        let scores: Vec<Vec<f64>> = c["scores"]
            .as_array()
            .unwrap()
            .iter()
            .map(numbers)
            .collect();
        close(
            kendall_w(&scores).unwrap(),
            c["w"].as_f64().unwrap(),
            "kendall W",
        );
    }
    for c in g["tau_b"].as_array().unwrap() {
        let tau = kendall_tau_b(&numbers(&c["x"]), &numbers(&c["y"])).unwrap();
        close(tau, c["tau"].as_f64().unwrap(), "tau-b");
    }
}

#[test]
fn a_failure_ranks_below_every_value() {
    let a = [
        Score::Value(0.1),
        Score::Failed,
        Score::Value(0.5),
        Score::Failed,
    ];
    let b = [
        Score::Failed,
        Score::Value(99.0),
        Score::Value(0.4),
        Score::Failed,
    ];
    let d = signed_differences(&a, &b);
    assert_eq!(d[0], f64::INFINITY);
    assert_eq!(d[1], f64::NEG_INFINITY);
    assert_eq!(d[3], 0.0, "two failures tie");
    // The zero is dropped; the infinities are the largest magnitudes, tied: ranks 2.5 each.
    let w = wilcoxon(&d).unwrap();
    assert_eq!((w.n, w.w_plus, w.w_minus), (3, 2.5 + 1.0, 2.5));
}
