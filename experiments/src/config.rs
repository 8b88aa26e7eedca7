//! Schedule presets (built in, overridable by files) and config files.

use std::path::{Path, PathBuf};

use schedules::ScheduleConfig;
use serde::{Deserialize, Serialize};

use crate::backend::BackendKind;
use crate::model::ModelKind;
use crate::optim::OptimizerKind;

macro_rules! presets {
    ($($name:literal),* $(,)?) => {
        /// Every preset, in sweep order, with the text of its file at build time.
        pub const PRESETS: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../configs/schedules/", $name, ".toml")))),*
        ];
    };
}

presets!(
    "fixed",
    "step",
    "multistep",
    "exponential",
    "inverse-time",
    "polynomial",
    "linear",
    "cosine",
    "sgdr",
    "clr",
    "clr-triangular2",
    "clr-exp-range",
    "clr-welch",
    "clr-hann",
    "one-cycle",
    "warmup-cosine",
    "wsd",
    "sequential",
    "plateau",
);

/// The folder whose `NAME.toml` files override the built-in presets: `$EXPERIMENTS_CONFIGS`
/// if set, else `configs/schedules` under the working directory.
fn override_dir() -> PathBuf {
    std::env::var_os("EXPERIMENTS_CONFIGS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("configs/schedules"))
}

/// A `[schedule]` table and nothing else: the shape of a preset file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetFile {
    schedule: ScheduleConfig,
}

/// Resolves a preset name to its validated schedule, preferring a file over the built-in copy.
/// A preset whose rates say `"auto"` is refused here: only training can run the range test.
pub fn preset(name: &str) -> Result<ScheduleConfig, String> {
    let (schedule, auto) = preset_auto(name)?;
    if !auto.is_empty() {
        return Err(format!(
            "preset {name}: `{} = \"auto\"` is chosen by an LR range test before training; train with --schedule {name}, or write a number",
            auto[0].last().map_or("max_lr", String::as_str)
        ));
    }
    Ok(schedule)
}

/// The keys whose value may be `"auto"` in a preset: filled from an LR range test.
const AUTO_KEYS: [&str; 2] = ["max_lr", "base_lr"];

/// Where a preset said `"auto"`: key paths inside its `[schedule]` table (an array index is
/// written as its number).
pub type AutoPaths = Vec<Vec<String>>;

/// Like [`preset`], but a rate may be `"auto"`: it gets a placeholder (`max_lr` 1, `base_lr`
/// 0.25) for validation, and its path is returned for [`fill_auto`].
pub fn preset_auto(name: &str) -> Result<(ScheduleConfig, AutoPaths), String> {
    let file = override_dir().join(format!("{name}.toml"));
    let (source, text) = if file.is_file() {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        (file.display().to_string(), text)
    } else if let Some((_, text)) = PRESETS.iter().find(|(n, _)| *n == name) {
        (format!("preset {name}"), text.to_string())
    } else {
        return Err(format!(
            "unknown schedule preset `{name}`; choose one of: {} (or pass --config FILE)",
            preset_names().join(", ")
        ));
    };
    if !text.contains("auto") {
        let parsed: PresetFile = parse_toml(&source, &text)?;
        return Ok((check(&source, parsed.schedule)?, Vec::new()));
    }
    let mut table: toml::Table = parse_toml(&source, &text)?;
    let mut auto = Vec::new();
    if let Some(schedule) = table.get_mut("schedule") {
        take_auto(schedule, &mut Vec::new(), &mut auto);
    }
    let parsed = PresetFile::deserialize(table)
        .map_err(|e| format!("{source}: {}", e.message().trim().replace('\n', " ")))?;
    Ok((check(&source, parsed.schedule)?, auto))
}

/// Replaces `"auto"` under [`AUTO_KEYS`] with placeholders, collecting their paths.
fn take_auto(value: &mut toml::Value, path: &mut Vec<String>, found: &mut AutoPaths) {
    match value {
        toml::Value::Table(t) => {
            for (key, v) in t.iter_mut() {
                path.push(key.clone());
                if v.as_str() == Some("auto") && AUTO_KEYS.contains(&key.as_str()) {
                    *v = toml::Value::Float(if key == "base_lr" { 0.25 } else { 1.0 });
                    found.push(path.clone());
                } else {
                    take_auto(v, path, found);
                }
                path.pop();
            }
        }
        toml::Value::Array(a) => {
            for (i, v) in a.iter_mut().enumerate() {
                path.push(i.to_string());
                take_auto(v, path, found);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Writes the range test's rates into the `"auto"` places of `schedule`, and validates it.
pub fn fill_auto(
    name: &str,
    schedule: &ScheduleConfig,
    auto: &AutoPaths,
    max_lr: f64,
    base_lr: f64,
) -> Result<ScheduleConfig, String> {
    let mut value = toml::Value::try_from(schedule).map_err(|e| e.to_string())?;
    for path in auto {
        let mut at = &mut value;
        for key in path {
            at = match at {
                toml::Value::Table(t) => t.get_mut(key),
                toml::Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
                _ => None,
            }
            .ok_or_else(|| format!("{name}: lost the place of an \"auto\" rate"))?;
        }
        let last = path.last().map(String::as_str);
        *at = toml::Value::Float(if last == Some("base_lr") {
            base_lr
        } else {
            max_lr
        });
    }
    let schedule = ScheduleConfig::deserialize(value).map_err(|e| e.to_string())?;
    check(&format!("{name} (rates from the LR range test)"), schedule)
}

/// Every preset name, in sweep order.
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|(n, _)| *n).collect()
}

/// Validates a schedule, prefixing any error with where it came from.
pub fn check(source: &str, schedule: ScheduleConfig) -> Result<ScheduleConfig, String> {
    schedule
        .policy()
        .map_err(|e| format!("{source}: [schedule] {e}"))?;
    Ok(schedule)
}

/// Parses TOML into `T`, turning the parser's multi-line report into one line with the place.
pub fn parse_toml<T: serde::de::DeserializeOwned>(source: &str, text: &str) -> Result<T, String> {
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
        format!("{source}:{place} {}", e.message().trim().replace('\n', " "))
    })
}

/// Reads a `--config` file: its settings with the schedules validated, and the run name its
/// `[schedule]` takes (the file's stem).
pub fn read_config(path: &Path) -> Result<(String, ConfigFile), String> {
    let source = path.display().to_string();
    let file: ConfigFile = parse_toml(&source, &read(path)?)?;
    if let Some(s) = &file.schedule {
        check(&source, s.clone())?;
    }
    if let Some(s) = &file.loss_decay {
        check(&format!("{source} [loss_decay]"), s.clone())?;
    }
    let name = path
        .file_stem()
        .map_or("config".into(), |s| s.to_string_lossy().into_owned());
    Ok((name, file))
}

/// Reads a file to a string with an error that names it.
pub fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Expands `all` into every preset name, keeping the order given.
pub fn expand_all(names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if name == "all" {
            out.extend(preset_names().into_iter().map(String::from));
        } else {
            out.push(name.to_string());
        }
    }
    out
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
