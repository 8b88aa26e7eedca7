//! The checked experiment settings, and one planned run.

use std::path::PathBuf;

use burn_lr_schedules::ScheduleConfig;
use serde::{Deserialize, Serialize};

use crate::backend::BackendKind;
use crate::cli::SetupArgs;
use crate::config::{ConfigFile, Dataset};
use crate::error::{Error, Result};
use crate::model::ModelKind;
use crate::optim::OptimizerKind;

/// Evaluations on the validation set in a run by default, besides each epoch's end.
pub const POINTS_PER_RUN: u64 = 25;

/// The settings with every default applied, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub model: ModelKind,
    pub optimizer: OptimizerKind,
    pub backend: BackendKind,
    pub dataset: Dataset,
    pub epochs: u64,
    pub batch_size: usize,
    pub seed: u64,
    pub out: PathBuf,
    /// Training images held out as the validation set (from the end of the training set).
    pub validation: usize,
    /// Evaluate on the validation set every this many steps (`None`: a 25th of the run; 0: at
    /// epochs' ends only).
    pub eval_every: Option<u64>,
}

impl Settings {
    /// The settings of a config merged over the built-in defaults, checked.
    pub fn of(file: &ConfigFile) -> Result<Self> {
        // configs/experiment.toml (built in, merged first) sets every one of these.
        let missing =
            |key: &str| format!("configs/experiment.toml lacks `{key}`; restore the default");
        let settings = Self {
            model: file.model.ok_or_else(|| missing("model"))?,
            optimizer: file.optimizer.ok_or_else(|| missing("optimizer"))?,
            backend: file.backend.ok_or_else(|| missing("backend"))?,
            dataset: file.dataset.ok_or_else(|| missing("dataset"))?,
            epochs: file.epochs.ok_or_else(|| missing("epochs"))?,
            batch_size: file.batch_size.ok_or_else(|| missing("batch_size"))?,
            seed: file.seed.ok_or_else(|| missing("seed"))?,
            out: file.out.clone().ok_or_else(|| missing("out"))?,
            validation: file.validation.ok_or_else(|| missing("validation"))?,
            eval_every: file.eval_every,
        };
        if settings.epochs == 0 {
            return Err("epochs (0) must be at least 1".into());
        }
        if settings.batch_size == 0 {
            return Err("batch_size (0) must be at least 1".into());
        }
        for (name, limit) in [
            ("train_limit", file.train_limit),
            ("test_limit", file.test_limit),
        ] {
            if limit == Some(0) {
                return Err(Error::new(format!(
                    "{name} (0) must be at least 1 image; leave it out to use all"
                )));
            }
        }
        if settings.validation == 0 {
            return Err(
                "validation (0) must be at least 1 image: the runs are judged on held-out images, never on the test set".into(),
            );
        }
        Ok(settings)
    }

    /// Optimizer steps in one epoch over `train_images` (the last batch may be short).
    pub fn steps_per_epoch(&self, train_images: usize) -> u64 {
        train_images.div_ceil(self.batch_size) as u64
    }

    /// Steps between evaluations on the validation set within epochs: as set, or a 25th of
    /// the planned epochs (so a run has at least 25 points besides its epochs' ends;
    /// `--max-steps` does not change it, so a cut run evaluates where the whole one would);
    /// `None` for none (`eval_every = 0`).
    pub fn eval_every(&self, train_images: usize) -> Option<u64> {
        let run = self.total_steps(train_images, None);
        match self.eval_every {
            Some(0) => None,
            Some(n) => Some(n),
            None => Some((run / POINTS_PER_RUN).max(1)),
        }
    }

    /// Steps a run takes (fewer when it diverges): every epoch, cut at `max_steps`.
    pub fn total_steps(&self, train_images: usize, max_steps: Option<u64>) -> u64 {
        (self.steps_per_epoch(train_images) * self.epochs).min(max_steps.unwrap_or(u64::MAX))
    }
}

/// A run to train: its name, schedule and, for loss decay, the loss multiplier; as `sweep.toml`
/// records it, every length in steps and every rate a number.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Planned {
    pub name: String,
    pub schedule: ScheduleConfig,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss_decay: Option<ScheduleConfig>,
    /// This run's seed when the sweep repeats schedules over seeds (`--seeds`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The schedule a repeated run belongs to (its name without the seed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The multiple of the schedule's rates this run trains at (`--lr-scale`), already in its
    /// schedule once training starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lr_scale: Option<f64>,
    /// The schedule a scaled run is a multiple of (its name before `-xF`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaled_from: Option<String>,
    /// The highest rate the schedule was scaled to (`--peak-lr`), before `lr_scale`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_lr: Option<f64>,
}

impl Planned {
    /// A run of `schedule` under its own name, with the sweep's seed.
    pub fn new(name: String, schedule: ScheduleConfig) -> Self {
        Self {
            name,
            schedule,
            loss_decay: None,
            seed: None,
            group: None,
            lr_scale: None,
            scaled_from: None,
            peak_lr: None,
        }
    }

    /// The seed this run trains with in a sweep of settings `s`.
    pub fn seed_in(&self, s: &Settings) -> u64 {
        self.seed.unwrap_or(s.seed)
    }
}

/// The settings the shared flags give (unset where a flag is absent), to merge over a config.
pub(super) fn flags(a: &SetupArgs) -> ConfigFile {
    ConfigFile {
        model: a.model,
        optimizer: a.optimizer,
        backend: a.backend,
        dataset: a.dataset,
        batch_size: a.batch_size,
        seed: a.seed,
        data_dir: a.data_dir.clone(),
        train_limit: a.train_limit,
        ..ConfigFile::default()
    }
}
