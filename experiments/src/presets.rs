//! Schedule presets: the files of `configs/schedules/`, built into the binary, each overridable
//! by a file of the same name; `"auto"` rates left to an LR range test.

use std::path::PathBuf;

use burn_lr_schedules::ScheduleConfig;
use serde::Deserialize;

use crate::config::{check, parse_toml};
use crate::error::{Error, Result};
use crate::fsio;
use burn_lr_schedules::shares::{self, Shares};

macro_rules! presets {
    ($(#[$doc:meta])* $list:ident, $($name:literal),* $(,)?) => {
        $(#[$doc])*
        pub const $list: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../configs/schedules/", $name, ".toml")))),*
        ];
    };
}

presets!(
    /// Every preset of `--schedule all`, in sweep order, with the text of its file at build time.
    PRESETS,
    "fixed",
    "step",
    "multistep",
    "exponential",
    "inverse-time",
    "inverse-sqrt",
    "polynomial",
    "linear",
    "rex",
    "cosine",
    "sgdr",
    "sgdr-decay",
    "clr",
    "clr-triangular2",
    "clr-exp-range",
    "clr-welch",
    "clr-hann",
    "one-cycle",
    "warmup-cosine",
    "wsd",
    "sequential",
    "clr-cosine-envelope",
    "plateau",
    "warmup-plateau",
);

presets!(
    /// The presets for the optimizers of `crates/lr-free`, whose rates suit them only: named,
    /// never in `all`.
    OPTIMIZER_PRESETS,
    "schedule-free",
    "prodigy-cosine",
);

/// The folder whose `NAME.toml` files override the built-in presets: `$EXPERIMENTS_CONFIGS`
/// if set, else `configs/schedules` under the working directory.
fn override_dir() -> PathBuf {
    std::env::var_os("EXPERIMENTS_CONFIGS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("configs/schedules"))
}

/// Where preset `name` comes from (its override file, else the built-in copy) and its text.
fn source_and_text(name: &str) -> Result<(String, String)> {
    let file = override_dir().join(format!("{name}.toml"));
    if file.is_file() {
        let text = fsio::read_to_string(&file)?;
        Ok((file.display().to_string(), text))
    } else if let Some((_, text)) = PRESETS
        .iter()
        .chain(OPTIMIZER_PRESETS)
        .find(|(n, _)| *n == name)
    {
        Ok((format!("preset {name}"), text.to_string()))
    } else {
        Err(Error::new(format!(
            "unknown schedule preset `{name}`; choose one of: {}, {} (or pass --config FILE)",
            preset_names().join(", "),
            OPTIMIZER_PRESETS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// The text of preset `name`'s file, as `preset_auto` reads it.
pub fn preset_text(name: &str) -> Result<String> {
    Ok(source_and_text(name)?.1)
}

/// A `[schedule]` table and nothing else: the shape of a preset file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetFile {
    schedule: ScheduleConfig,
}

/// Resolves a preset name to its validated schedule, preferring a file over the built-in copy,
/// with where it gave lengths as shares of the run ([`shares::resolve`] makes them steps). A
/// preset whose rates say `"auto"` is refused here: only training can run the range test.
pub fn preset(name: &str) -> Result<(ScheduleConfig, Shares)> {
    let preset = preset_auto(name)?;
    if !preset.auto.is_empty() {
        return Err(Error::new(format!(
            "preset {name}: `{} = \"auto\"` is chosen by an LR range test before training; train with --schedule {name}, or write a number",
            preset.auto[0].last().map_or("max_lr", String::as_str)
        )));
    }
    Ok((preset.schedule, preset.shares))
}

/// The keys whose value may be `"auto"` in a preset: filled from an LR range test.
const AUTO_KEYS: [&str; 2] = ["max_lr", "base_lr"];

/// Where a preset said `"auto"`: key paths inside its `[schedule]` table (an array index is
/// written as its number).
pub type AutoPaths = Vec<Vec<String>>;

/// A preset as read: its schedule, validated with placeholders where it defers a number to the
/// run (`max_lr` 1 and `base_lr` 0.25 for `"auto"`, a share of a long run for a percentage).
pub struct Preset {
    pub schedule: ScheduleConfig,
    /// Rates for [`fill_auto`].
    pub auto: AutoPaths,
    /// Lengths for [`shares::resolve`].
    pub shares: Shares,
}

/// Like [`preset`], but a rate may be `"auto"`.
pub fn preset_auto(name: &str) -> Result<Preset> {
    let (source, text) = source_and_text(name)?;
    if !text.contains("auto") && !text.contains('%') {
        let parsed: PresetFile = parse_toml(&source, &text)?;
        return Ok(Preset {
            schedule: check(&source, parsed.schedule)?,
            auto: Vec::new(),
            shares: Vec::new(),
        });
    }
    let mut table: toml::Table = parse_toml(&source, &text)?;
    let (mut auto, mut found) = (Vec::new(), Vec::new());
    if let Some(schedule) = table.get_mut("schedule") {
        take_auto(schedule, &mut Vec::new(), &mut auto);
        found = shares::take(schedule).map_err(|e| format!("{source}: {e}"))?;
    }
    let parsed = PresetFile::deserialize(table)
        .map_err(|e| format!("{source}: {}", e.message().trim().replace('\n', " ")))?;
    Ok(Preset {
        schedule: check(&source, parsed.schedule)?,
        auto,
        shares: found,
    })
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

/// The rates an LR range test suggests for the `"auto"` places.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutoRates {
    /// For `max_lr`.
    pub max_lr: f64,
    /// For `base_lr`.
    pub base_lr: f64,
}

/// Writes the range test's rates into the `"auto"` places of `schedule`, and validates it.
pub fn fill_auto(
    name: &str,
    schedule: &ScheduleConfig,
    auto: &AutoPaths,
    rates: AutoRates,
) -> Result<ScheduleConfig> {
    let mut value = toml::Value::try_from(schedule).map_err(|e| e.to_string())?;
    for path in auto {
        let at = shares::at_path(&mut value, path)
            .ok_or_else(|| format!("{name}: lost the place of an \"auto\" rate"))?;
        let last = path.last().map(String::as_str);
        *at = toml::Value::Float(if last == Some("base_lr") {
            rates.base_lr
        } else {
            rates.max_lr
        });
    }
    let schedule = ScheduleConfig::deserialize(value).map_err(|e| e.to_string())?;
    check(&format!("{name} (rates from the LR range test)"), schedule)
}

/// Every preset name, in sweep order.
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|(n, _)| *n).collect()
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
