//! Where things live: the one place that names the files of a sweep folder and of each run's
//! folder inside it.

use std::path::{Path, PathBuf};

/// A run's resolved settings; `--config` trains it again.
pub const CONFIG: &str = "config.toml";
/// One row per step (see `metrics`).
pub const METRICS: &str = "metrics.csv";
/// The run's results; its presence marks a finished run.
pub const SUMMARY: &str = "summary.json";
/// The state of an unfinished run.
pub const CHECKPOINT: &str = "checkpoint.bin";
/// The trained weights of a finished run, with `--save-model` (Burn's module record).
pub const MODEL: &str = "model.bin";
/// What a sweep was started with, for `--resume`.
pub const SWEEP: &str = "sweep.toml";
/// The curve of an LR range test.
pub const LR_FIND: &str = "lr-find.csv";
/// Its pictures, `lr-find.png` and `lr-find.svg`.
pub const LR_FIND_PICTURE: &str = "lr-find";
/// The sweep's tables.
pub const SUMMARY_CSV: &str = "summary.csv";
/// The sweep's report.
pub const SUMMARY_MD: &str = "summary.md";
/// The files that make a finished run: what merging sweeps copies (with [`MODEL`] where saved).
pub const RUN_FILES: [&str; 3] = [CONFIG, METRICS, SUMMARY];
/// The sweep's pictures (each as `.png` and `.svg`): training losses overlaid,
pub const LOSS_PICTURE: &str = "loss";
/// learning rates overlaid,
pub const LR_PICTURE: &str = "lr";
/// one panel per run,
pub const GRID_PICTURE: &str = "grid";
/// the loss over seeds with its band,
pub const LOSS_SEEDS_PICTURE: &str = "loss-seeds";
/// and, for a sweep over `--lr-scale`, final accuracy against the peak rate
pub const SENSITIVITY_PICTURE: &str = "sensitivity";
/// with the share of runs that diverged or collapsed.
pub const SENSITIVITY_FAILED_PICTURE: &str = "sensitivity-failed";
/// The formats every picture is drawn in.
pub const PICTURE_FORMATS: [&str; 2] = ["png", "svg"];
/// The advisory lock of a sweep or study folder being written, naming its holder.
pub const LOCK: &str = "running.lock";
/// A study folder's own file: the study as it was started (`experiments study`).
pub const STUDY: &str = "study.toml";
/// Every run of a study, one row each.
pub const STUDY_RUNS: &str = "runs.csv";
/// The validation accuracy of a study's final and zero-tuning runs at every evaluation.
pub const STUDY_CURVES: &str = "curves.csv";
/// A study's table and claims.
pub const STUDY_MD: &str = "study.md";
/// A study's table, unrounded.
pub const STUDY_CSV: &str = "study.csv";
/// A suite's report across its workloads.
pub const SUITE_MD: &str = "suite.md";
/// The folder of a study's arm configs (`arms/ARM.toml`).
pub const STUDY_ARMS: &str = "arms";
/// A study's ranking of the arms.
pub const RANKING_PICTURE: &str = "ranking";
/// A study's validation accuracy against step.
pub const VALIDATION_PICTURE: &str = "validation";
/// The same, one panel per arm (small multiples).
pub const VALIDATION_GRID_PICTURE: &str = "validation-grid";

/// A sweep's folder: one folder per run, `sweep.toml`, the tables and pictures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepDir(PathBuf);

impl SweepDir {
    /// The sweep folder at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self(path.into())
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A file directly in the sweep folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// A picture of the sweep, `NAME.EXT`.
    pub fn picture(&self, name: &str, ext: &str) -> PathBuf {
        self.0.join(format!("{name}.{ext}"))
    }

    /// The folder of the run `name`.
    pub fn run(&self, name: &str) -> RunDir {
        RunDir(self.0.join(name))
    }
}

/// One run's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunDir(PathBuf);

impl RunDir {
    /// The run folder at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self(path.into())
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A file of the run.
    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Whether the run finished (it has its summary).
    pub fn is_finished(&self) -> bool {
        self.file(SUMMARY).is_file()
    }
}
