//! Reading finished runs back from their folders, and merging sweep folders into one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::config::{self, ConfigFile};
use crate::error::{Error, Result};
use crate::layout::{self, RunDir, SweepDir};
use crate::metrics::{self, EvalRow, StepRow};
use crate::summary::{self, RunSummary};
use crate::{fsio, presets};

/// A finished run as the report needs it.
pub struct RunData {
    pub summary: RunSummary,
    pub steps: Vec<StepRow>,
    /// Every evaluation, on the validation set and (at epochs' ends) the test set.
    pub evaluations: Vec<EvalRow>,
    /// How it was trained (`config.toml`); `None` for a folder without one.
    pub config: Option<ConfigFile>,
}

impl RunData {
    /// Reads a finished run's folder.
    fn read(dir: &RunDir) -> Result<Self> {
        let path = dir.file(layout::SUMMARY);
        let text = fsio::read_to_string(&path)?;
        let mut summary: RunSummary = serde_json::from_str(&text)
            .map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
        let (steps, evaluations) = metrics::read(&dir.file(layout::METRICS))?;
        // Judged from the metrics, so runs summarised before collapses were named are judged too.
        summary.collapsed = !summary.diverged && summary::collapsed(&steps, &evaluations);
        let path = dir.file(layout::CONFIG);
        let config = if path.is_file() {
            let text = fsio::read_to_string(&path)?;
            Some(config::parse_toml(&path.display().to_string(), &text)?)
        } else {
            None
        };
        Ok(Self {
            summary,
            steps,
            evaluations,
            config,
        })
    }

    /// The run's name, or the schedule it repeats over seeds: what its results are pooled by.
    pub fn group(&self) -> &str {
        self.summary.group.as_deref().unwrap_or(&self.summary.name)
    }
}

/// The finished runs (folders with a `summary.json`) directly under `dir`.
fn finished_runs(dir: &Path) -> Result<Vec<(String, RunDir)>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::read(dir, e))?;
    Ok(entries
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                RunDir::new(e.path()),
            )
        })
        .filter(|(_, run)| run.is_finished())
        .collect())
}

/// Reads every finished run of a sweep, in the order of `order` when given, else presets first
/// in sweep order, then the rest alphabetically.
pub fn read_runs(sweep: &SweepDir, order: Option<&[String]>) -> Result<Vec<RunData>> {
    let mut runs = finished_runs(sweep.path())?
        .iter()
        .map(|(_, dir)| RunData::read(dir))
        .collect::<Result<Vec<_>>>()?;
    if runs.is_empty() {
        return Err(Error::new(format!(
            "{}: no runs found (a run folder holds summary.json and metrics.csv)",
            sweep.path().display()
        )));
    }
    // Without an explicit order (`plot DIR`), presets come in sweep order, other runs after them.
    let presets: Vec<String> = presets::preset_names()
        .into_iter()
        .map(String::from)
        .collect();
    let order = order.unwrap_or(&presets);
    let rank = |name: &str| order.iter().position(|n| n == name).unwrap_or(usize::MAX);
    runs.sort_by(|a, b| {
        (rank(&a.summary.name), &a.summary.name).cmp(&(rank(&b.summary.name), &b.summary.name))
    });
    Ok(runs)
}

/// Copies the finished runs of several sweep folders (the shards of one sweep, say) into `out`,
/// refusing a run name found twice.
pub fn merge_into(out: &SweepDir, sources: &[PathBuf]) -> Result<()> {
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut copies = Vec::new();
    for source in sources {
        let found = finished_runs(source)?;
        if found.is_empty() {
            return Err(Error::new(format!(
                "{}: no finished runs (a run folder holds summary.json and metrics.csv)",
                source.display()
            )));
        }
        for (name, run) in found {
            if let Some(first) = seen.insert(name.clone(), source.clone()) {
                return Err(Error::new(format!(
                    "run `{name}` is in both {} and {}; merge folders of different runs",
                    first.display(),
                    source.display()
                )));
            }
            copies.push((run, out.run(&name)));
        }
    }
    for (from, to) in &copies {
        if from.path() == to.path() {
            continue;
        }
        fsio::create_out_dir(to.path())?;
        for file in layout::RUN_FILES {
            let bytes =
                std::fs::read(from.file(file)).map_err(|e| Error::read(&from.file(file), e))?;
            fsio::write_atomic(&to.file(file), &bytes)?;
        }
        let model = from.file(layout::MODEL);
        if model.is_file() {
            let bytes = std::fs::read(&model).map_err(|e| Error::read(&model, e))?;
            fsio::write_atomic(&to.file(layout::MODEL), &bytes)?;
        }
    }
    Ok(())
}
