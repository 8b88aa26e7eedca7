//! The study file (`configs/study.toml`): the settings every run shares, the arms (a schedule
//! preset under an optimizer), the grid and the seeds; parsed and checked before anything trains.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::{self, ConfigFile};
use crate::error::{Error, Result};
use crate::fsio;
use crate::optim::OptimizerKind;
use crate::presets;

/// One arm of the study: a schedule preset trained under an optimizer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arm {
    /// The arm's name in tables and folders (letters, digits, `-`, `_`).
    pub name: String,
    /// A schedule preset (`configs/schedules/NAME.toml`).
    pub schedule: String,
    pub optimizer: OptimizerKind,
}

/// What `experiments study` does, as written in its file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyFile {
    /// Peak rates tried per arm: factor-2 steps centred on the range test's suggestion.
    pub grid_points: usize,
    /// Seeds per grid point; the point with the best median validation accuracy wins.
    pub grid_seeds: u64,
    /// Points added, one at a time, beyond a grid edge that won.
    pub grid_extensions: usize,
    /// Seeds of the final runs at each arm's tuned peak (paired across arms).
    pub final_seeds: u64,
    /// Seeds of the zero-tuning runs at the range test's suggestion (the final runs' first).
    pub zero_tuning_seeds: u64,
    /// The arm every other is compared with: a constant rate.
    pub reference: String,
    /// The second comparison: a tuned cosine.
    pub cosine: String,
    /// Experiment settings every run shares (the keys of a `--config` file, no schedule).
    pub settings: ConfigFile,
    #[serde(rename = "arm")]
    pub arms: Vec<Arm>,
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
        if self.settings.schedule.is_some() || self.settings.loss_decay.is_some() {
            return Err(
                "[settings] takes experiment settings only; schedules are the arms' presets".into(),
            );
        }
        if self.settings.optimizer.is_some() {
            return Err("[settings] sets no optimizer: each [[arm]] names its own".into());
        }
        if self.arms.is_empty() {
            return Err("no [[arm]]: add at least the reference and the cosine arms".into());
        }
        let mut seen = Vec::new();
        for arm in &self.arms {
            let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
            if arm.name.is_empty() || !arm.name.chars().all(ok) {
                return Err(Error::new(format!(
                    "arm name `{}` must be letters, digits, `-` and `_` only (it names folders)",
                    arm.name
                )));
            }
            if seen.contains(&&arm.name) {
                return Err(Error::new(format!("arm `{}` is given twice", arm.name)));
            }
            seen.push(&arm.name);
            presets::preset(&arm.schedule)
                .map_err(|e| format!("arm `{}`: {}", arm.name, e.message()))?;
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
        Ok(())
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
        let settings = ConfigFile {
            optimizer: Some(arm.optimizer),
            ..self.settings.clone()
        };
        let head = toml::to_string(&settings)
            .map_err(|e| format!("cannot write the settings of arm `{}`: {e}", arm.name))?;
        Ok(format!(
            "# Arm `{}` of the study: written by `experiments study`.\n{head}\n{}",
            arm.name,
            presets::preset_text(&arm.schedule)?
        ))
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
                |s| s.arms[0].schedule = "nope".into(),
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
}
