//! `sweep.toml`: what a sweep folder was started with; reading it back for `--resume` and
//! `--continue`, and refusing a new sweep into a folder trained with other settings.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::pending::Pending;
use super::settings::{Planned, Settings};
use super::train::{Draft, Options, SweepSpec, TrainPlan, check_options};
use crate::backend::BackendKind;
use crate::config::{self, ConfigFile};
use crate::error::{Error, Result};
use crate::fsio;
use crate::layout::{self, SweepDir};

/// `sweep.toml`: what a sweep was started with, so `--resume` can finish it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_steps: Option<u64>,
    pub log_y: bool,
    pub settings: ConfigFile,
    pub runs: Vec<Planned>,
}

impl SweepFile {
    /// Reads `sweep.toml` at `path`.
    pub fn read(path: &Path) -> Result<Self> {
        config::parse_toml(&path.display().to_string(), &fsio::read_to_string(path)?)
    }

    /// The sweep file of a finished plan: its settings (the data folder absolute, so a resume
    /// from another working directory finds the data) and runs.
    fn of(plan: &TrainPlan) -> Self {
        SweepFile {
            max_steps: plan.max_steps,
            log_y: plan.options.log_y,
            settings: ConfigFile {
                data_dir: (plan.file.data_dir.as_ref())
                    .map(|d| std::path::absolute(d).unwrap_or_else(|_| d.clone())),
                loss_decay: None,
                schedule: None,
                ..plan.file.clone()
            },
            runs: plan.runs.clone(),
        }
    }
}

impl TrainPlan {
    /// Writes `sweep.toml`, so `--resume` can finish the sweep. Runs of the same settings
    /// trained into this folder before keep their entries; this plan's replace those of the
    /// same name.
    pub fn save(&self) -> Result<()> {
        let path = self.sweep.file(layout::SWEEP);
        let mut sweep = SweepFile::of(self);
        if path.is_file() {
            let mut runs = SweepFile::read(&path)?.runs;
            for run in sweep.runs {
                match runs.iter_mut().find(|r| r.name == run.name) {
                    Some(old) => *old = run,
                    None => runs.push(run),
                }
            }
            sweep.runs = runs;
        }
        let text = toml::to_string(&sweep)
            .map_err(|e| format!("cannot serialise {}: {e}", layout::SWEEP))?;
        fsio::write_atomic(&path, text.as_bytes())
    }
}

impl Draft {
    /// The plan of a new sweep; refused when its folder holds a sweep trained with other
    /// settings.
    pub fn new(spec: SweepSpec) -> Result<Self> {
        let draft = Self::build(spec)?;
        check_joins(&draft)?;
        Ok(draft)
    }

    /// The plan of a sweep folder's `sweep.toml`, to finish its runs (`--resume`).
    pub fn resume(
        dir: PathBuf,
        backend: Option<BackendKind>,
        data_dir: Option<PathBuf>,
        options: Options,
    ) -> Result<Self> {
        check_options(&options)?;
        from_sweep_file(dir, backend, data_dir, options)
    }

    /// [`Draft::new`], or the sweep its folder already holds with the same runs (`--continue`;
    /// `backend` and `data_dir` as for [`Draft::resume`]).
    pub fn continued(
        spec: SweepSpec,
        backend: Option<BackendKind>,
        data_dir: Option<PathBuf>,
    ) -> Result<Self> {
        continue_or(Self::build(spec)?, backend, data_dir)
    }
}

/// The settings that decide what a sweep's runs are, as `key = value` (not where the data are,
/// where results go, nor the backend, which `--resume` may change).
fn what_is_trained(settings: &ConfigFile, max_steps: Option<u64>) -> Vec<(String, String)> {
    let kept = ConfigFile {
        backend: None,
        data_dir: None,
        out: None,
        loss_decay: None,
        schedule: None,
        ..settings.clone()
    };
    let mut pairs: Vec<(String, String)> = toml::Value::try_from(&kept)
        .ok()
        .and_then(|v| v.as_table().cloned())
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    pairs.push((
        "max_steps".into(),
        max_steps.map_or("none".into(), |n| n.to_string()),
    ));
    pairs
}

/// Refuses a new sweep into a folder whose `sweep.toml` was trained with other settings, naming
/// each difference.
fn check_joins(draft: &Draft) -> Result<()> {
    let path = draft.sweep.file(layout::SWEEP);
    if !path.is_file() {
        return Ok(());
    }
    let saved = SweepFile::read(&path)?;
    let (theirs, ours) = (
        what_is_trained(&saved.settings, saved.max_steps),
        what_is_trained(&draft.file, draft.max_steps),
    );
    let value = |pairs: &[(String, String)], key: &str| {
        (pairs.iter().find(|(k, _)| k == key)).map_or("unset".to_string(), |(_, v)| v.clone())
    };
    let mut keys: Vec<&String> = theirs.iter().chain(&ours).map(|(k, _)| k).collect();
    keys.sort();
    keys.dedup();
    let differences: Vec<String> = keys
        .into_iter()
        .filter(|k| value(&theirs, k) != value(&ours, k))
        .map(|k| format!("{k} {} there, {} here", value(&theirs, k), value(&ours, k)))
        .collect();
    if differences.is_empty() {
        return Ok(());
    }
    Err(Error::new(format!(
        "{} holds a sweep trained with other settings ({}); pass another --name or --out, --resume {} to finish that sweep, or delete the folder to start it again",
        draft.sweep.path().display(),
        differences.join("; "),
        draft.sweep.path().display()
    )))
}

/// What `--resume DIR` continues: the sweep folder, its settings and the runs to finish (all of
/// the sweep's, or the one whose folder DIR is). `backend` and `data_dir` may still be given.
fn from_sweep_file(
    dir: PathBuf,
    backend: Option<BackendKind>,
    data_dir: Option<PathBuf>,
    options: Options,
) -> Result<Draft> {
    let is_sweep = |d: &Path| d.join(layout::SWEEP).is_file();
    let (sweep_dir, only) = if is_sweep(&dir) {
        (dir.clone(), None)
    } else if let Some(parent) = dir.parent().filter(|p| is_sweep(p)) {
        let run = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        (parent.to_path_buf(), run)
    } else {
        return Err(Error::new(format!(
            "--resume {}: no {} there or in its parent; pass a sweep folder (or a run folder inside one) written by this program",
            dir.display(),
            layout::SWEEP
        )));
    };
    let sweep = SweepDir::new(sweep_dir);
    let path = sweep.file(layout::SWEEP);
    let saved = SweepFile::read(&path)?;
    if saved.settings.validation.is_none() {
        return Err(Error::new(format!(
            "{}: this sweep was started before runs held out a validation set, so it cannot continue the same way; start it again without --resume",
            path.display()
        )));
    }
    let file = saved.settings.merged(ConfigFile {
        backend,
        data_dir,
        ..ConfigFile::default()
    });
    let settings = Settings::of(&file)?;
    for p in &saved.runs {
        config::check(
            &format!("{} run {}", path.display(), p.name),
            p.schedule.clone(),
        )?;
    }
    let mut runs = saved.runs;
    if let Some(run) = only {
        runs.retain(|p| p.name == run);
        if runs.is_empty() {
            return Err(Error::new(format!(
                "--resume {}: {} has no run `{run}`; pass the sweep folder instead",
                dir.display(),
                path.display()
            )));
        }
    }
    Ok(Draft {
        file,
        settings,
        runs: runs.into_iter().map(Pending::resolved).collect(),
        sweep,
        resuming: true,
        max_steps: saved.max_steps,
        options: Options {
            log_y: options.log_y || saved.log_y,
            ..options
        },
    })
}

/// `--continue`: the sweep `planned` names, resumed when its folder holds one (with the same
/// runs; else it is another sweep), `planned` itself otherwise.
fn continue_or(
    planned: Draft,
    backend: Option<BackendKind>,
    data_dir: Option<PathBuf>,
) -> Result<Draft> {
    if !planned.sweep.file(layout::SWEEP).is_file() {
        return Ok(planned);
    }
    let dir = planned.sweep.path().to_path_buf();
    let plan = from_sweep_file(dir.clone(), backend, data_dir, planned.options.clone())?;
    let names = |p: &Draft| {
        p.runs
            .iter()
            .map(|r| r.run.name.clone())
            .collect::<Vec<_>>()
    };
    if names(&plan) != names(&planned) {
        return Err(Error::new(format!(
            "--continue: {} holds another sweep (its runs differ from this command's); pass another --name",
            dir.display()
        )));
    }
    Ok(plan)
}
