//! Config files: the experiment settings and `[schedule]` tables they hold, the built-in
//! defaults, and TOML errors as one line with the place.

use std::path::{Path, PathBuf};

use burn_lr_schedules::ScheduleConfig;
use serde::{Deserialize, Serialize};

use crate::backend::BackendKind;
use crate::error::{Error, Result};
use crate::fsio;
use crate::model::ModelKind;
use crate::optim::OptimizerKind;
use burn_lr_schedules::shares::{self, Shares};

/// Validates a schedule, prefixing any error with where it came from.
pub fn check(source: &str, schedule: ScheduleConfig) -> Result<ScheduleConfig> {
    schedule
        .policy()
        .map_err(|e| format!("{source}: [schedule] {e}"))?;
    Ok(schedule)
}

/// `schedule` with its shares of the run (`total_steps = "100%"`) made steps of a run of
/// `total`, validated; an error names `source` and the run length.
pub fn sized(
    source: &str,
    schedule: &ScheduleConfig,
    found: &Shares,
    total: u64,
) -> Result<ScheduleConfig> {
    shares::resolve(schedule, found, total).map_err(|e| {
        Error::new(format!(
            "{source} (shares of a {total}-step run): [schedule] {e}"
        ))
    })
}

/// Parses TOML into `T`, turning the parser's multi-line report into one line with the place.
pub fn parse_toml<T: serde::de::DeserializeOwned>(source: &str, text: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| {
        let place = e
            .span()
            .map(|span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                format!(" line {line}, column {column}:")
            })
            .unwrap_or_default();
        Error::new(format!(
            "{source}:{place} {}",
            e.message().trim().replace('\n', " ")
        ))
    })
}

/// Where a config file's schedules gave lengths as shares of the run.
#[derive(Debug, Default, Clone)]
pub struct FileShares {
    pub schedule: Shares,
    pub loss_decay: Shares,
}

/// Reads a `--config` file: its settings with the schedules validated (a share of the run
/// standing in as a placeholder, see `burn_lr_schedules::shares`), the run name its `[schedule]` takes (the
/// file's stem), and where its shares were.
pub fn read_config(path: &Path) -> Result<(String, ConfigFile, FileShares)> {
    let name = path
        .file_stem()
        .map_or("config".into(), |s| s.to_string_lossy().into_owned());
    let (file, found) = parse_config(&path.display().to_string(), &fsio::read_to_string(path)?)?;
    Ok((name, file, found))
}

/// A config file's text, read as [`read_config`] reads a file (`source` names it in errors).
pub fn parse_config(source: &str, text: &str) -> Result<(ConfigFile, FileShares)> {
    let source = source.to_string();
    let mut found = FileShares::default();
    let file: ConfigFile = if text.contains('%') {
        let mut table: toml::Table = parse_toml(&source, text)?;
        if let Some(s) = table.get_mut("schedule") {
            found.schedule = shares::take(s).map_err(|e| format!("{source}: {e}"))?;
        }
        if let Some(s) = table.get_mut("loss_decay") {
            found.loss_decay =
                shares::take(s).map_err(|e| format!("{source} [loss_decay]: {e}"))?;
        }
        ConfigFile::deserialize(table)
            .map_err(|e| format!("{source}: {}", e.message().trim().replace('\n', " ")))?
    } else {
        parse_toml(&source, text)?
    };
    if let Some(s) = &file.schedule {
        check(&source, s.clone())?;
    }
    if let Some(s) = &file.loss_decay {
        check(&format!("{source} [loss_decay]"), s.clone())?;
    }
    Ok((file, found))
}

/// A config file: a `[schedule]` table plus, for training, the experiment settings. Every
/// field is optional so files can override the defaults piece by piece.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optimizer: Option<OptimizerKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<BackendKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset: Option<Dataset>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epochs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub train_limit: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_limit: Option<usize>,
    /// Training images held out, from the end of the training set, as the validation set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<usize>,
    /// Evaluate on the validation set every N steps (default: 25 points per run; 0: at epochs'
    /// ends only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eval_every: Option<u64>,
    /// The schedule used as a loss multiplier at a fixed learning rate (loss decay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss_decay: Option<ScheduleConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleConfig>,
}

impl ConfigFile {
    /// `self` with every field that `over` sets replaced.
    pub fn merged(self, over: ConfigFile) -> ConfigFile {
        ConfigFile {
            model: over.model.or(self.model),
            optimizer: over.optimizer.or(self.optimizer),
            backend: over.backend.or(self.backend),
            dataset: over.dataset.or(self.dataset),
            epochs: over.epochs.or(self.epochs),
            batch_size: over.batch_size.or(self.batch_size),
            seed: over.seed.or(self.seed),
            data_dir: over.data_dir.or(self.data_dir),
            out: over.out.or(self.out),
            train_limit: over.train_limit.or(self.train_limit),
            test_limit: over.test_limit.or(self.test_limit),
            validation: over.validation.or(self.validation),
            eval_every: over.eval_every.or(self.eval_every),
            loss_decay: over.loss_decay.or(self.loss_decay),
            schedule: over.schedule.or(self.schedule),
        }
    }
}

/// The built-in defaults, `configs/experiment.toml`.
pub fn defaults() -> ConfigFile {
    parse_toml(
        "configs/experiment.toml",
        include_str!("../../configs/experiment.toml"),
    )
    .expect("the built-in experiment defaults parse")
}

/// Which data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dataset {
    Mnist,
    FashionMnist,
}

impl Dataset {
    pub fn kind(self) -> mnist::DatasetKind {
        match self {
            Self::Mnist => mnist::DatasetKind::Mnist,
            Self::FashionMnist => mnist::DatasetKind::FashionMnist,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Mnist => "mnist",
            Self::FashionMnist => "fashion-mnist",
        }
    }
}
