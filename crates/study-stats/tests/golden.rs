//! Reference values from SciPy and from exact enumeration, written by `golden.py` into
//! `golden.json`: the tests compare with the committed file and never run Python.

use serde::Deserialize;
use study_stats::{holm, kendall_tau_b, kendall_w, sign_flip, t_interval, wilcoxon};

/// Relative tolerance for values SciPy computes in floating point.
const REL: f64 = 1e-12;

/// A number that may be `"inf"` or `"-inf"`, which JSON cannot write as a number.
#[derive(Deserialize)]
#[serde(untagged)]
enum Raw {
    Number(f64),
    Text(String),
}

#[derive(Deserialize, Clone, Copy)]
#[serde(try_from = "Raw")]
struct Num(f64);

impl TryFrom<Raw> for Num {
    type Error = String;
    fn try_from(raw: Raw) -> Result<Self, String> {
        match raw {
            Raw::Number(x) => Ok(Num(x)),
            Raw::Text(t) if t == "inf" => Ok(Num(f64::INFINITY)),
            Raw::Text(t) if t == "-inf" => Ok(Num(f64::NEG_INFINITY)),
            Raw::Text(t) => Err(format!("not a number: {t}")),
        }
    }
}

#[derive(Deserialize)]
struct Golden {
    wilcoxon: Vec<WilcoxonCase>,
    sign_flip: Vec<SignFlipCase>,
    t_interval: Vec<TCase>,
    holm: Vec<HolmCase>,
    kendall_w: Vec<KendallWCase>,
    kendall_tau_b: Vec<TauCase>,
}

#[derive(Deserialize)]
struct WilcoxonCase {
    name: String,
    d: Vec<Num>,
    n: usize,
    w_plus: f64,
    w_minus: f64,
    p: f64,
    /// Present where the p-value was enumerated exactly.
    p_fraction: Option<String>,
}

#[derive(Deserialize)]
struct SignFlipCase {
    name: String,
    d: Vec<f64>,
    p_fraction: String,
}

#[derive(Deserialize)]
struct TCase {
    values: Vec<f64>,
    level: f64,
    mean: f64,
    half_width: f64,
}

#[derive(Deserialize)]
struct HolmCase {
    p: Vec<f64>,
    adjusted: Vec<f64>,
}

#[derive(Deserialize)]
struct KendallWCase {
    name: String,
    scores: Vec<Vec<f64>>,
    w: f64,
}

#[derive(Deserialize)]
struct TauCase {
    x: Vec<f64>,
    y: Vec<f64>,
    tau: f64,
}

fn golden() -> Golden {
    serde_json::from_str(include_str!("golden.json")).expect("golden.json parses")
}

/// `num/den` as the `f64` it is exactly (every such p-value here is a dyadic fraction).
fn fraction(text: &str) -> f64 {
    let (num, den) = text.split_once('/').expect("a fraction");
    let (num, den): (u64, u64) = (num.parse().unwrap(), den.parse().unwrap());
    assert!(
        den.is_power_of_two() && den <= 1 << 53,
        "{text} is exact in f64"
    );
    num as f64 / den as f64
}

fn assert_close(got: f64, want: f64, what: &str) {
    let err = if want == 0.0 {
        got.abs()
    } else {
        ((got - want) / want).abs()
    };
    assert!(
        err <= REL,
        "{what}: got {got:e}, want {want:e} (relative error {err:e})"
    );
}

#[test]
fn wilcoxon_matches_scipy_and_enumeration() {
    let cases = golden().wilcoxon;
    assert!(cases.len() >= 8);
    for case in cases {
        let d: Vec<f64> = case.d.iter().map(|x| x.0).collect();
        let got = wilcoxon(&d).unwrap_or_else(|| panic!("{}: no result", case.name));
        assert_eq!(got.n, case.n, "{}", case.name);
        // Rank sums are half-integers: exact.
        assert_eq!(got.w_plus, case.w_plus, "{}", case.name);
        assert_eq!(got.w_minus, case.w_minus, "{}", case.name);
        match &case.p_fraction {
            Some(f) => {
                assert_eq!(got.p, fraction(f), "{}", case.name);
                assert_eq!(got.p, case.p, "{}", case.name);
            }
            None => assert_close(got.p, case.p, &case.name),
        }
    }
}

#[test]
fn ten_negative_differences_give_two_in_1024() {
    let case = golden()
        .wilcoxon
        .into_iter()
        .find(|c| c.name == "all_negative_n10")
        .unwrap();
    let d: Vec<f64> = case.d.iter().map(|x| x.0).collect();
    assert_eq!(wilcoxon(&d).unwrap().p, 2.0 / 1024.0);
}

#[test]
fn sign_flip_matches_enumeration() {
    for case in golden().sign_flip {
        let got = sign_flip(&case.d).unwrap_or_else(|| panic!("{}: no result", case.name));
        assert_eq!(got, fraction(&case.p_fraction), "{}", case.name);
    }
}

#[test]
fn t_interval_matches_scipy() {
    for case in golden().t_interval {
        let got = t_interval(&case.values, case.level).unwrap();
        let what = format!("{:?} at {}", case.values, case.level);
        assert_close(got.mean, case.mean, &what);
        // The half-widths, not the ends: an end near zero would turn the quantile's rounding
        // into a large relative error that says nothing about the interval.
        assert_close(got.high - got.mean, case.half_width, &what);
        assert_close(got.mean - got.low, case.half_width, &what);
    }
}

#[test]
fn holm_matches_the_formula() {
    for case in golden().holm {
        let got = holm(&case.p);
        assert_eq!(got.len(), case.adjusted.len());
        for (g, w) in got.iter().zip(&case.adjusted) {
            assert_close(*g, *w, &format!("{:?}", case.p));
        }
    }
}

#[test]
fn kendall_w_matches_the_formula() {
    for case in golden().kendall_w {
        assert_close(kendall_w(&case.scores).unwrap(), case.w, &case.name);
    }
}

#[test]
fn kendall_tau_b_matches_scipy() {
    for case in golden().kendall_tau_b {
        assert_close(
            kendall_tau_b(&case.x, &case.y).unwrap(),
            case.tau,
            &format!("{:?} {:?}", case.x, case.y),
        );
    }
}
