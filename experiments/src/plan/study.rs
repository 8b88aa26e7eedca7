//! The study file (`configs/study.toml`, `configs/suite.toml`): the settings every run shares,
//! the workloads (each its own settings on top), the arms (a schedule under an optimizer), the
//! grid, the seeds and the statistics; parsed and checked before anything trains.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::{self, ConfigFile};
use crate::error::{Error, Result};
use crate::fsio;
use crate::optim::OptimizerKind;
use crate::presets;

/// An arm's schedule: a preset's name, or a `[schedule]` table written in the study file (so
/// the shape that defines the arm stands beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ArmSchedule {
    Preset(String),
    Table(toml::Table),
}

/// One arm of the study: a schedule trained under an optimizer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arm {
    /// The arm's name in tables and folders (letters, digits, `-`, `_`).
    pub name: String,
    /// A schedule preset (`configs/schedules/NAME.toml`) or a schedule table.
    pub schedule: ArmSchedule,
    pub optimizer: OptimizerKind,
    /// A preset that scales the loss instead (loss decay): the arm then trains `schedule` as
    /// its rate (a constant, for the reference text's claim) with the loss multiplied by this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss_decay: Option<String>,
    /// The rule its shape follows, printed beside it in the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One workload of a suite: a network, data and budget, in its own folder.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// Its folder and its name in the tables (letters, digits, `-`, `_`).
    pub name: String,
    /// Settings on top of the study's `[settings]`.
    pub settings: ConfigFile,
}

/// Which paired test makes a comparison's p-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrimaryTest {
    /// The exact Wilcoxon signed-rank test (a failed run ranks below every other).
    Wilcoxon,
    /// The exact sign-flip permutation test of the mean difference.
    SignFlip,
}

/// How the report judges, fixed in the study file before anything trains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statistics {
    pub primary: PrimaryTest,
    /// Significance after Holm's correction, one family per workload.
    pub alpha: f64,
    /// Resamples and seed of the bootstrap intervals.
    pub bootstrap_resamples: usize,
    pub bootstrap_seed: u64,
    /// The arm whose tuning sets the time-to-target target: the median final validation
    /// accuracy of its winning grid point (runs no final comparison uses), less `target_margin`
    /// points.
    pub target_arm: String,
    pub target_margin: f64,
    /// Validation evaluations in the trailing mean that must stay at or above the target.
    pub smoothing: usize,
    /// The last share of a run whose validation accuracies measure late oscillation and
    /// progress.
    pub late_share: f64,
    /// Gaps to the best arm (points) at which the performance profile counts an arm.
    pub profile_taus: Vec<f64>,
}

/// What `experiments study` does, as written in its file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyFile {
    /// Peak rates tried per arm: factor-2 steps centred on the range test's suggestion.
    pub grid_points: usize,
    /// Seeds per grid point; the point with the best mean tuning score wins.
    pub grid_seeds: u64,
    /// Points added, one at a time, beyond a grid edge that won.
    pub grid_extensions: usize,
    /// The tuning score of a grid run: the mean of its last this many validation evaluations
    /// (1: its final one).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub tuning_evaluations: usize,
    /// Seeds of the final runs at each arm's tuned peak (paired across arms).
    pub final_seeds: u64,
    /// Seeds of the zero-tuning runs at the range test's suggestion (the final runs' first).
    pub zero_tuning_seeds: u64,
    /// The arm every other is compared with: a constant rate.
    pub reference: String,
    /// The second comparison: a tuned cosine.
    pub cosine: String,
    /// The tests; without them, the paired t-test of the first studies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<Statistics>,
    /// Experiment settings every run shares (the keys of a `--config` file, no schedule).
    pub settings: ConfigFile,
    /// The workloads; none: one, `[settings]` itself, in the study folder.
    #[serde(default, rename = "workload", skip_serializing_if = "Vec::is_empty")]
    pub workloads: Vec<Workload>,
    #[serde(rename = "arm")]
    pub arms: Vec<Arm>,
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

/// Whether `name` may name a folder: letters, digits, `-` and `_`.
fn folder_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The `kind`s' names (workloads, arms), each checked to name a folder and given once.
fn folder_names<'a>(
    kind: &str,
    names: impl Iterator<Item = &'a String>,
) -> Result<Vec<&'a String>> {
    let mut seen = Vec::new();
    for name in names {
        if !folder_name(name) {
            return Err(Error::new(format!(
                "{kind} name `{name}` must be letters, digits, `-` and `_` only (it names a folder)"
            )));
        }
        if seen.contains(&name) {
            return Err(Error::new(format!("{kind} `{name}` is given twice")));
        }
        seen.push(name);
    }
    Ok(seen)
}

impl StudyFile {
    /// Reads and checks a study file.
    pub fn read(path: &Path) -> Result<Self> {
        let source = path.display().to_string();
        let file: StudyFile = config::parse_toml(&source, &fsio::read_to_string(path)?)?;
        file.check()
            .map_err(|e| Error::new(format!("{source}: {e}")))?;
        Ok(file)
    }

    /// Every rule a study must keep, the first broken one named.
    pub fn check(&self) -> Result<()> {
        if self.tuning_evaluations == 0 {
            return Err("tuning_evaluations must be at least 1 (the final evaluation)".into());
        }
        if self.grid_points < 2 {
            return Err("grid_points must be at least 2 (a grid needs two rates)".into());
        }
        for (key, n) in [
            ("grid_seeds", self.grid_seeds),
            ("final_seeds", self.final_seeds),
            ("zero_tuning_seeds", self.zero_tuning_seeds),
        ] {
            if n == 0 {
                return Err(Error::new(format!("{key} must be at least 1")));
            }
        }
        if self.zero_tuning_seeds > self.final_seeds {
            return Err(Error::new(format!(
                "zero_tuning_seeds ({}) must not exceed final_seeds ({}): they pair with the final runs' first seeds",
                self.zero_tuning_seeds, self.final_seeds
            )));
        }
        folder_names("workload", self.workloads.iter().map(|w| &w.name))?;
        let mut places = vec![("[settings]".to_string(), &self.settings)];
        for w in &self.workloads {
            places.push((format!("workload `{}`", w.name), &w.settings));
        }
        for (place, settings) in places {
            if settings.schedule.is_some() || settings.loss_decay.is_some() {
                return Err(Error::new(format!(
                    "{place} takes experiment settings only; schedules are the arms'"
                )));
            }
            if settings.optimizer.is_some() {
                return Err(Error::new(format!(
                    "{place} sets no optimizer: each [[arm]] names its own"
                )));
            }
        }
        if self.arms.is_empty() {
            return Err("no [[arm]]: add at least the reference and the cosine arms".into());
        }
        let seen = folder_names("arm", self.arms.iter().map(|a| &a.name))?;
        for arm in &self.arms {
            let text = self.arm_config(arm)?;
            config::parse_config(&format!("arm `{}`", arm.name), &text)?;
        }
        for (key, name) in [("reference", &self.reference), ("cosine", &self.cosine)] {
            if !seen.contains(&name) {
                return Err(Error::new(format!(
                    "{key} = `{name}` is not one of the arms ({})",
                    self.arms
                        .iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        if let Some(st) = &self.statistics {
            st.check(&seen)?;
        }
        Ok(())
    }

    /// The workloads: each with its folder under the study folder (`None`: the study folder
    /// itself) and its settings, `[settings]` merged with its own.
    pub fn workload_settings(&self) -> Vec<(Option<&str>, ConfigFile)> {
        if self.workloads.is_empty() {
            return vec![(None, self.settings.clone())];
        }
        (self.workloads.iter())
            .map(|w| {
                let merged = self.settings.clone().merged(w.settings.clone());
                (Some(w.name.as_str()), merged)
            })
            .collect()
    }

    /// The arm named `name`.
    pub fn arm(&self, name: &str) -> &Arm {
        (self.arms.iter().find(|a| a.name == name)).expect("checked: the arm exists")
    }

    /// The optimizers of the arms, each once, in the order they first appear.
    pub fn optimizers(&self) -> Vec<OptimizerKind> {
        let mut out = Vec::new();
        for arm in &self.arms {
            if !out.contains(&arm.optimizer) {
                out.push(arm.optimizer);
            }
        }
        out
    }

    /// The grid's factors around the range test's suggestion: 2^k for `grid_points` values of k
    /// centred on 0 (the lower side one longer for an even count).
    pub fn grid_factors(&self) -> Vec<f64> {
        let n = self.grid_points as i32;
        let low = -(n / 2);
        (low..low + n).map(|k| 2f64.powi(k)).collect()
    }

    /// The first seed of the final runs: past the grid's, so no run picks and judges on one seed.
    pub fn final_seed(&self, base: u64) -> u64 {
        base.wrapping_add(self.grid_seeds).wrapping_add(1000)
    }

    /// The `--config` file of one arm: the shared settings, the arm's optimizer and its preset's
    /// `[schedule]` table as the preset writes it (shares of the run included).
    pub fn arm_config(&self, arm: &Arm) -> Result<String> {
        self.arm_config_in(arm, &self.settings)
    }

    /// The `--config` file of one arm under a workload's `settings`.
    pub fn arm_config_in(&self, arm: &Arm, settings: &ConfigFile) -> Result<String> {
        let bad = |e: String| Error::new(format!("arm `{}`: {e}", arm.name));
        let settings = ConfigFile {
            optimizer: Some(arm.optimizer),
            ..settings.clone()
        };
        let head = toml::to_string(&settings)
            .map_err(|e| bad(format!("cannot write its settings: {e}")))?;
        let schedule = match &arm.schedule {
            ArmSchedule::Preset(name) => {
                presets::preset_text(name).map_err(|e| bad(e.message().to_string()))?
            }
            ArmSchedule::Table(table) => toml::to_string(&toml::Table::from_iter([(
                "schedule".to_string(),
                toml::Value::Table(table.clone()),
            )]))
            .map_err(|e| bad(format!("cannot write its schedule: {e}")))?,
        };
        let loss_decay = match &arm.loss_decay {
            Some(name) => {
                let text = presets::preset_text(name).map_err(|e| bad(e.message().to_string()))?;
                // The preset's `[schedule…]` tables become `[loss_decay…]`.
                let tables: Vec<String> = (text.lines())
                    .map(|l| match l.strip_prefix("[schedule") {
                        Some(rest) => format!("[loss_decay{rest}"),
                        None => l.to_string(),
                    })
                    .collect();
                format!("\n{}\n", tables.join("\n"))
            }
            None => String::new(),
        };
        Ok(format!(
            "# Arm `{}` of the study: written by `experiments study`.\n{head}\n{schedule}{loss_decay}",
            arm.name
        ))
    }
}

impl Statistics {
    /// Every rule the statistics keep; `arms` are the study's arm names.
    fn check(&self, arms: &[&String]) -> Result<()> {
        let bad = |e: String| Err(Error::new(format!("[statistics] {e}")));
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return bad(format!("alpha = {} must lie between 0 and 1", self.alpha));
        }
        if self.bootstrap_resamples < 100 {
            return bad("bootstrap_resamples must be at least 100".into());
        }
        if !arms.contains(&&self.target_arm) {
            return bad(format!(
                "target_arm = `{}` is not one of the arms",
                self.target_arm
            ));
        }
        if !(self.target_margin >= 0.0 && self.target_margin.is_finite()) {
            return bad("target_margin must be a non-negative number of points".into());
        }
        if self.smoothing == 0 {
            return bad("smoothing must be at least 1 (no smoothing)".into());
        }
        if !(self.late_share > 0.0 && self.late_share <= 1.0) {
            return bad(format!(
                "late_share = {} must lie in (0, 1]",
                self.late_share
            ));
        }
        if self.profile_taus.is_empty() || self.profile_taus.iter().any(|t| t.is_nan() || *t < 0.0)
        {
            return bad("profile_taus must list gaps of 0 points or more".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn study() -> StudyFile {
        config::parse_toml(
            "study",
            r#"
grid_points = 5
grid_seeds = 1
grid_extensions = 2
final_seeds = 4
zero_tuning_seeds = 2
reference = "constant"
cosine = "cos"
[settings]
epochs = 1
[[arm]]
name = "constant"
schedule = "fixed"
optimizer = "momentum"
[[arm]]
name = "cos"
schedule = "cosine"
optimizer = "adam"
"#,
        )
        .unwrap()
    }

    #[test]
    fn the_grid_is_factor_two_steps_around_the_suggestion() {
        let mut s = study();
        assert_eq!(s.grid_factors(), [0.25, 0.5, 1.0, 2.0, 4.0]);
        s.grid_points = 6;
        assert_eq!(s.grid_factors(), [0.125, 0.25, 0.5, 1.0, 2.0, 4.0]);
        assert_eq!(s.optimizers().len(), 2);
        assert!(s.final_seed(42) > 42 + s.grid_seeds);
    }

    #[test]
    fn each_rule_is_named() {
        assert!(study().check().is_ok());
        type Breaks = fn(&mut StudyFile);
        let broken: [(Breaks, &str); 6] = [
            (|s| s.grid_points = 1, "grid_points must be at least 2"),
            (|s| s.final_seeds = 0, "final_seeds must be at least 1"),
            (|s| s.zero_tuning_seeds = 9, "must not exceed final_seeds"),
            (
                |s| s.reference = "x".into(),
                "reference = `x` is not one of the arms",
            ),
            (|s| s.arms[1].name = "constant".into(), "is given twice"),
            (
                |s| s.arms[0].schedule = ArmSchedule::Preset("nope".into()),
                "arm `constant`: unknown schedule preset",
            ),
        ];
        for (breaks, says) in broken {
            let mut s = study();
            breaks(&mut s);
            let e = s.check().unwrap_err();
            assert!(e.message().contains(says), "{e}");
        }
    }

    #[test]
    fn an_arm_config_trains_as_a_config_file() {
        let s = study();
        let text = s.arm_config(&s.arms[1]).unwrap();
        let dir = std::env::temp_dir().join(format!("study-arm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cos.toml");
        std::fs::write(&path, &text).unwrap();
        let (name, file, shares) = config::read_config(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(name, "cos");
        assert_eq!(file.optimizer, Some(OptimizerKind::Adam));
        assert_eq!(file.epochs, Some(1));
        assert!(
            !shares.schedule.is_empty(),
            "the preset's 100% is kept as a share"
        );
    }

    fn suite() -> StudyFile {
        config::parse_toml(
            "suite",
            r#"
grid_points = 3
grid_seeds = 3
grid_extensions = 1
tuning_evaluations = 3
final_seeds = 4
zero_tuning_seeds = 2
reference = "constant"
cosine = "cos"
[statistics]
primary = "wilcoxon"
alpha = 0.05
bootstrap_resamples = 1000
bootstrap_seed = 7
target_arm = "cos"
target_margin = 0.5
smoothing = 3
late_share = 0.25
profile_taus = [0.0, 1.0]
[settings]
epochs = 1
[[workload]]
name = "a"
settings = { model = "mlp", epochs = 2 }
[[workload]]
name = "b"
settings = { dataset = "mnist" }
[[arm]]
name = "constant"
schedule = "fixed"
optimizer = "momentum"
[[arm]]
name = "cos"
schedule = { kind = "cosine", max_lr = 0.1, min_lr = 0.01, total_steps = "100%" }
optimizer = "momentum"
note = "to 10%"
[[arm]]
name = "decayed-loss"
schedule = "fixed"
loss_decay = "cosine"
optimizer = "momentum"
"#,
        )
        .unwrap()
    }

    #[test]
    fn a_suite_has_workloads_inline_schedules_and_a_loss_decay_arm() {
        let s = suite();
        s.check().unwrap();
        let w = s.workload_settings();
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].0, Some("a"));
        assert_eq!(
            (w[0].1.model, w[0].1.epochs),
            (Some(crate::model::ModelKind::Mlp), Some(2))
        );
        assert_eq!(w[1].1.epochs, Some(1), "the shared settings underneath");
        assert_eq!(
            study().workload_settings()[0].0,
            None,
            "no workloads: one, in place"
        );
        // The inline table trains as written, its share kept.
        let text = s.arm_config_in(&s.arms[1], &w[0].1).unwrap();
        let (file, shares) = config::parse_config("cos", &text).unwrap();
        assert_eq!(file.model, Some(crate::model::ModelKind::Mlp));
        assert!(matches!(
            file.schedule,
            Some(burn_lr_schedules::ScheduleConfig::Cosine(_))
        ));
        assert!(!shares.schedule.is_empty());
        // The loss-decay arm: a constant rate, the cosine preset as the loss multiplier.
        let text = s.arm_config(&s.arms[2]).unwrap();
        let (file, shares) = config::parse_config("decayed-loss", &text).unwrap();
        assert!(matches!(
            file.schedule,
            Some(burn_lr_schedules::ScheduleConfig::Constant(_))
        ));
        assert!(matches!(
            file.loss_decay,
            Some(burn_lr_schedules::ScheduleConfig::Cosine(_))
        ));
        assert!(!shares.loss_decay.is_empty());
    }

    #[test]
    fn each_suite_rule_is_named() {
        type Breaks = fn(&mut StudyFile);
        let broken: [(Breaks, &str); 8] = [
            (
                |s| s.workloads[1].name = "a".into(),
                "workload `a` is given twice",
            ),
            (|s| s.workloads[0].name = "a/b".into(), "must be letters"),
            (
                |s| s.workloads[0].settings.optimizer = Some(OptimizerKind::Adam),
                "workload `a` sets no optimizer",
            ),
            (
                |s| s.tuning_evaluations = 0,
                "tuning_evaluations must be at least 1",
            ),
            (
                |s| s.statistics.as_mut().unwrap().target_arm = "x".into(),
                "target_arm = `x` is not one of the arms",
            ),
            (
                |s| s.statistics.as_mut().unwrap().alpha = 1.5,
                "alpha = 1.5",
            ),
            (
                |s| s.statistics.as_mut().unwrap().smoothing = 0,
                "smoothing must be",
            ),
            (
                |s| s.arms[1].schedule = ArmSchedule::Table(toml::Table::new()),
                "arm `cos`",
            ),
        ];
        for (breaks, says) in broken {
            let mut s = suite();
            breaks(&mut s);
            let e = s.check().unwrap_err();
            assert!(e.message().contains(says), "{says}: {e}");
        }
    }
}
