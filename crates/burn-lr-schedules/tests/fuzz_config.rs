//! A mutation fuzzer for the config parser and the schedule constructors: every preset file of
//! the experiments, with values swapped for extreme ones, lines dropped or repeated, keys and
//! kinds renamed. Whatever comes out, parsing and validation never panic, a refusal is one line,
//! and every accepted schedule gives finite, non-negative rates for its first million steps.

use burn_lr_schedules::{KINDS, ScheduleConfig};
use proptest::prelude::*;

mod presets;
use presets::read_presets;

/// The preset files, read once.
fn presets() -> &'static [(String, String)] {
    static PRESETS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    PRESETS.get_or_init(read_presets)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    schedule: ScheduleConfig,
}

/// Values at the edges of what each field could hold, and of the wrong type.
fn wild_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_string()),
        Just("0.0".to_string()),
        Just("-0.0".to_string()),
        Just("1".to_string()),
        Just("-1".to_string()),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("1e308".to_string()),
        Just("5e-324".to_string()),
        Just("9223372036854775807".to_string()),
        Just("true".to_string()),
        Just("'cos'".to_string()),
        Just("'linear'".to_string()),
        Just("'hann'".to_string()),
        Just("'max'".to_string()),
        Just("[]".to_string()),
        Just("[3, 1, 2]".to_string()),
        Just("[0, 0]".to_string()),
        any::<i64>().prop_map(|v| v.to_string()),
        (0u64..5000).prop_map(|v| v.to_string()),
        (-30.0f64..30.0).prop_map(|e| format!("{:e}", 10f64.powf(e))),
        (-3.0f64..3.0).prop_map(|v| format!("{v:?}")),
        prop::collection::vec(0u64..3000, 0..5).prop_map(|v| format!("{v:?}")),
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    Value(usize, String),
    Drop(usize),
    Repeat(usize),
    Kind(usize, usize),
    Key(usize, String),
    /// Multiply a number by a factor, keeping its type: near-valid values that reach the rates.
    Scale(usize, f64),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => (any::<usize>(), wild_value()).prop_map(|(i, v)| Edit::Value(i, v)),
        6 => (any::<usize>(), -6.0f64..6.0).prop_map(|(i, e)| Edit::Scale(i, 10f64.powf(e))),
        1 => any::<usize>().prop_map(Edit::Drop),
        1 => any::<usize>().prop_map(Edit::Repeat),
        1 => (any::<usize>(), 0..KINDS.len()).prop_map(|(i, k)| Edit::Kind(i, k)),
        1 => (any::<usize>(), "[a-z_]{1,12}").prop_map(|(i, k)| Edit::Key(i, k)),
    ]
}

/// Applies `edits` to the `key = value` lines of `text`.
fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let assignments = |lines: &[String]| -> Vec<usize> {
        (0..lines.len())
            .filter(|&i| lines[i].contains(" = ") && !lines[i].starts_with('#'))
            .collect()
    };
    for e in edits {
        let at = assignments(&lines);
        if at.is_empty() {
            break;
        }
        let pick = |i: usize| at[i % at.len()];
        match e {
            Edit::Value(i, v) => {
                let l = pick(*i);
                let key = lines[l].split(" = ").next().unwrap().to_string();
                lines[l] = format!("{key} = {v}");
            }
            Edit::Drop(i) => {
                lines.remove(pick(*i));
            }
            Edit::Repeat(i) => {
                let l = pick(*i);
                lines.insert(l, lines[l].clone());
            }
            Edit::Kind(i, k) => {
                let kinds: Vec<usize> = at
                    .iter()
                    .copied()
                    .filter(|&l| lines[l].starts_with("kind = "))
                    .collect();
                if !kinds.is_empty() {
                    lines[kinds[i % kinds.len()]] = format!("kind = \"{}\"", KINDS[*k]);
                }
            }
            Edit::Scale(i, f) => {
                let l = pick(*i);
                let (key, value) = lines[l].split_once(" = ").unwrap();
                let scaled = if let Ok(v) = value.parse::<u64>() {
                    ((v as f64 * f) as u64).to_string()
                } else if let Ok(v) = value.parse::<f64>() {
                    format!("{:?}", v * f)
                } else {
                    continue;
                };
                lines[l] = format!("{key} = {scaled}");
            }
            Edit::Key(i, k) => {
                let l = pick(*i);
                let value = lines[l].split_once(" = ").unwrap().1.to_string();
                lines[l] = format!("{k} = {value}");
            }
        }
    }
    lines.join("\n") + "\n"
}

/// Refusals are fine; panics, multi-line validation errors and bad rates are not.
fn check(text: &str) -> Result<bool, TestCaseError> {
    let Ok(file) = toml::from_str::<File>(text) else {
        return Ok(false);
    };
    let policy = match file.schedule.policy() {
        Ok(p) => p,
        Err(e) => {
            let message = e.to_string();
            prop_assert!(!message.contains('\n'), "multi-line error: {message}");
            return Ok(false);
        }
    };
    for t in 0..1_000_000u64 {
        let lr = policy.lr(t);
        prop_assert!(
            lr.is_finite() && lr >= 0.0,
            "lr({t}) = {lr} for accepted config:\n{text}"
        );
    }
    Ok(true)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn mutated_presets_never_panic_and_accepted_ones_stay_finite(
        preset in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let presets = presets();
        check(&mutate(&presets[preset.index(presets.len())].1, &edits))?;
    }
}

/// The fuzzer is only worth something if the mutants reach validation and the rate loop, not
/// just the parser: count how many are accepted on a fixed seed.
#[test]
fn mutants_reach_the_rate_loop() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(Default::default(), &[7; 32]),
    );
    let presets = presets();
    let strategy = (0..presets.len(), prop::collection::vec(edit(), 1..2));
    let (mut accepted, mut tried) = (0, 0);
    for _ in 0..40 {
        let (preset, edits) = strategy.new_tree(&mut runner).unwrap().current();
        tried += 1;
        if check(&mutate(&presets[preset].1, &edits)).unwrap() {
            accepted += 1;
        }
    }
    // Untouched presets are all accepted.
    for (_, text) in presets {
        assert!(check(text).unwrap(), "preset refused:\n{text}");
    }
    assert!(
        accepted * 5 >= tried,
        "only {accepted} of {tried} single-edit mutants were accepted"
    );
}
