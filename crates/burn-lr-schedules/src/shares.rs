//! Lengths written as a share of the run (`total_steps = "100%"`, `milestones = ["50%",
//! "75%"]`) in a TOML schedule table, made steps once the run's length is known, so one config
//! fits any number of epochs, batch size or data set size. Needs the `toml` feature.
//!
//! [`take`] replaces each share with a placeholder (a share of a long run, so the table still
//! parses and validates) and says where it was; [`resolve`] writes the shares back as steps of
//! the actual run and validates again. [`from_toml`] does both at once.
//!
//! ```
//! let table: toml::Value = toml::from_str(
//!     "kind = 'multistep'\ninitial_lr = 0.1\ngamma = 0.1\nmilestones = ['50%', '75%']",
//! )
//! .unwrap();
//! let schedule = burn_lr_schedules::shares::from_toml(table, 1000).unwrap();
//! let policy = schedule.policy().unwrap();
//! assert_eq!((policy.lr(499), policy.lr(500)), (0.1, 0.1 * 0.1));
//! ```

use serde::Deserialize;

use crate::ScheduleConfig;

/// Keys whose value counts optimizer steps (or epochs, when the schedule steps per epoch): the
/// only ones a share may stand for.
pub const LENGTH_KEYS: [&str; 8] = [
    "total_steps",
    "milestones",
    "step_size",
    "warmup_steps",
    "stable_steps",
    "decay_steps",
    "first_cycle_steps",
    "timescale",
];

/// The run length the placeholders are taken from: long enough that every share of it is a
/// distinct whole number of steps, so ordered milestones stay ordered.
const NOMINAL_STEPS: f64 = 1_000_000.0;

/// Where a schedule's TOML gave shares: key paths inside its table (an array index written as
/// its number), each with its fraction of the run.
pub type Shares = Vec<(Vec<String>, f64)>;

/// The fraction a share like `"37.5%"` stands for, if `text` is one: over 0 and at most 100%.
fn parse(text: &str) -> Option<Result<f64, String>> {
    let number = text.trim().strip_suffix('%')?;
    Some(match number.trim().parse::<f64>() {
        Ok(p) if p > 0.0 && p <= 100.0 => Ok(p / 100.0),
        _ => Err(format!(
            "\"{text}\" is not a share of the run: write a percentage over 0 and at most 100, like \"50%\""
        )),
    })
}

/// Replaces every share under a [`LENGTH_KEYS`] key of `value` (a schedule's table) with a
/// placeholder, returning where they were. An error names the key: a share under another key,
/// a percentage out of range, or an array mixing shares and numbers.
pub fn take(value: &mut toml::Value) -> Result<Shares, String> {
    let mut found = Vec::new();
    walk(value, &mut Vec::new(), false, &mut found)?;
    Ok(found)
}

fn walk(
    value: &mut toml::Value,
    path: &mut Vec<String>,
    length: bool,
    found: &mut Shares,
) -> Result<(), String> {
    match value {
        toml::Value::String(text) => match parse(text) {
            None => {}
            Some(Err(e)) => return Err(format!("{}: {e}", path.join("."))),
            Some(Ok(_)) if !length => {
                return Err(format!(
                    "{} = \"{text}\": only a length may be a share of the run ({})",
                    path.join("."),
                    LENGTH_KEYS.join(", ")
                ));
            }
            Some(Ok(fraction)) => {
                found.push((path.clone(), fraction));
                *value = toml::Value::Integer((fraction * NOMINAL_STEPS).round() as i64);
            }
        },
        toml::Value::Table(t) => {
            for (key, v) in t.iter_mut() {
                path.push(key.clone());
                walk(v, path, LENGTH_KEYS.contains(&key.as_str()), found)?;
                path.pop();
            }
        }
        toml::Value::Array(a) => {
            // Placeholders among numbers would not keep the numbers' order (milestones).
            let shares = a
                .iter()
                .filter(|v| v.as_str().is_some_and(|t| parse(t).is_some()))
                .count();
            if length && shares > 0 && shares < a.len() {
                return Err(format!(
                    "{}: give every entry as a share of the run, or none",
                    path.join(".")
                ));
            }
            for (i, v) in a.iter_mut().enumerate() {
                path.push(i.to_string());
                walk(v, path, length, found)?;
                path.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

/// Steps for `fraction` of a run of `total` steps: rounded to the nearest, at least 1.
pub fn steps(fraction: f64, total: u64) -> u64 {
    ((fraction * total as f64).round() as u64).max(1)
}

/// `schedule` with its shares written as steps of a run of `total`, validated. The error is
/// the schedule's validation error (a run too short for its shares, such as two milestones on
/// one step).
pub fn resolve(
    schedule: &ScheduleConfig,
    shares: &Shares,
    total: u64,
) -> Result<ScheduleConfig, String> {
    if shares.is_empty() {
        return Ok(schedule.clone());
    }
    let mut value = toml::Value::try_from(schedule).map_err(|e| e.to_string())?;
    for (path, fraction) in shares {
        let at = at_path(&mut value, path)
            .ok_or_else(|| format!("{}: not in the schedule", path.join(".")))?;
        *at = toml::Value::Integer(steps(*fraction, total) as i64);
    }
    let schedule = ScheduleConfig::deserialize(value).map_err(|e| e.to_string())?;
    schedule.policy().map_err(|e| e.to_string())?;
    Ok(schedule)
}

/// The value at `path` inside `value`: table keys, and array indices written as numbers (the
/// paths [`take`] returns).
pub fn at_path<'a>(value: &'a mut toml::Value, path: &[String]) -> Option<&'a mut toml::Value> {
    path.iter().try_fold(value, |at, key| match at {
        toml::Value::Table(t) => t.get_mut(key),
        toml::Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
        _ => None,
    })
}

/// A schedule table whose lengths may be shares, as steps of a run of `total`, validated.
pub fn from_toml(mut value: toml::Value, total: u64) -> Result<ScheduleConfig, String> {
    let shares = take(&mut value)?;
    let schedule = ScheduleConfig::deserialize(value).map_err(|e| e.message().to_string())?;
    resolve(&schedule, &shares, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(text: &str) -> (ScheduleConfig, Shares) {
        let mut value: toml::Value = toml::from_str(text).expect("toml");
        let shares = take(&mut value).expect("shares");
        let schedule = ScheduleConfig::deserialize(value).expect("schedule");
        schedule.policy().expect("valid");
        (schedule, shares)
    }

    #[test]
    fn shares_become_steps_of_the_run() {
        let (s, shares) = schedule(
            "kind = \"warmup\"\nwarmup_steps = \"5%\"\nstart_lr = 0.0\n[after]\nkind = \"cosine\"\nmax_lr = 0.1\nmin_lr = 0.0\ntotal_steps = \"95%\"",
        );
        assert_eq!(shares.len(), 2);
        let resolved = resolve(&s, &shares, 1407).expect("resolves");
        let ScheduleConfig::Warmup(w) = resolved else {
            panic!("a warmup")
        };
        let ScheduleConfig::Cosine(c) = *w.after else {
            panic!("cosine after")
        };
        assert_eq!((w.warmup_steps, c.total_steps), (70, 1337));
    }

    #[test]
    fn milestones_resolve_one_by_one_and_numbers_stay() {
        let (s, shares) = schedule(
            "kind = \"multistep\"\ninitial_lr = 0.1\ngamma = 0.1\nmilestones = [\"50%\", \"90%\"]",
        );
        let ScheduleConfig::Multistep(m) = resolve(&s, &shares, 1000).expect("resolves") else {
            panic!("multistep")
        };
        assert_eq!(m.milestones, [500, 900]);
        let mut mixed: toml::Value =
            toml::from_str("kind = \"multistep\"\nmilestones = [\"50%\", 900]").expect("toml");
        let e = take(&mut mixed).expect_err("mixed");
        assert!(
            e.starts_with("milestones: give every entry as a share"),
            "{e}"
        );
        // Without shares the schedule comes back as it was.
        assert_eq!(
            format!("{:?}", resolve(&s, &Vec::new(), 10).expect("same")),
            format!("{s:?}")
        );
    }

    #[test]
    fn a_run_too_short_for_its_shares_is_refused_by_validation() {
        // 7% and 50% of 2 steps are both 1: a sequential schedule's milestones must increase.
        let (s, shares) = schedule(
            "kind = \"sequential\"\nmilestones = [\"7%\", \"50%\"]\n[[schedules]]\nkind = \"constant\"\nlr = 0.1\n[[schedules]]\nkind = \"constant\"\nlr = 0.2\n[[schedules]]\nkind = \"constant\"\nlr = 0.3",
        );
        assert!(resolve(&s, &shares, 100).is_ok());
        let e = resolve(&s, &shares, 2).expect_err("equal milestones");
        assert!(e.contains("strictly increasing"), "{e}");
    }

    #[test]
    fn shares_only_for_lengths_and_only_percentages_in_range() {
        for (text, says) in [
            ("kind = \"constant\"\nlr = \"5%\"", "only a length"),
            (
                "kind = \"cosine\"\nmax_lr = 0.1\nmin_lr = 0.0\ntotal_steps = \"0%\"",
                "over 0",
            ),
            (
                "kind = \"cosine\"\nmax_lr = 0.1\nmin_lr = 0.0\ntotal_steps = \"150%\"",
                "at most 100",
            ),
            (
                "kind = \"cosine\"\nmax_lr = 0.1\nmin_lr = 0.0\ntotal_steps = \"half%\"",
                "not a share",
            ),
        ] {
            let mut value: toml::Value = toml::from_str(text).expect("toml");
            let e = take(&mut value).expect_err(text);
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn steps_round_to_the_nearest_and_never_reach_zero() {
        assert_eq!(steps(1.0, 1407), 1407);
        assert_eq!(steps(0.5, 1407), 704);
        assert_eq!(steps(0.001, 100), 1);
    }
}
