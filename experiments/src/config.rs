//! Schedule presets (built in, overridable by files) and config files.

use std::path::{Path, PathBuf};

use schedules::ScheduleConfig;
use serde::Deserialize;

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
pub fn preset(name: &str) -> Result<ScheduleConfig, String> {
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
    let parsed: PresetFile = parse_toml(&source, &text)?;
    check(&source, parsed.schedule)
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

/// A config file: a `[schedule]` table plus, for training, the experiment settings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub schedule: Option<ScheduleConfig>,
}
