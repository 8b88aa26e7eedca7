//! What a run leaves on disk (`config.toml`, `metrics.csv`, `summary.json`), and reading it back.
//! Every file is written to a temporary name and renamed, so a reader sees the old file or the
//! new one, never half of one.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::train::{EpochRow, Outcome, StepRow};

/// Creates an output folder (and its parents), or says which one and how to choose another.
pub fn create_out_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create {}: {e}; choose a writable folder with --out DIR",
            dir.display()
        )
    })
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!(
                "cannot write {}: {e}; check that the folder is writable or pass --out DIR",
                path.display()
            )
        })
}

/// The per-run summary, as `summary.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunSummary {
    pub name: String,
    pub kind: String,
    pub model: String,
    pub optimizer: String,
    pub backend: String,
    pub dataset: String,
    pub epochs: u64,
    pub batch_size: usize,
    pub seed: u64,
    pub steps: u64,
    pub final_test_accuracy: f64,
    pub best_test_accuracy: f64,
    pub steps_to_98: Option<u64>,
    pub seconds_to_98: Option<f64>,
    pub steps_to_99: Option<u64>,
    pub seconds_to_99: Option<f64>,
    /// Mean training loss over the last 50 steps (one batch is too noisy to compare).
    pub final_train_loss: f64,
    pub final_test_loss: f64,
    pub diverged: bool,
    pub diverged_at_step: Option<u64>,
    /// Seconds in training steps, evaluation excluded.
    pub train_seconds: f64,
    /// Seconds evaluating on the test set.
    pub eval_seconds: f64,
    /// Training throughput: images per second of `train_seconds`.
    pub images_per_second: f64,
    /// The schedule this run repeats over seeds (`--seeds`); absent for a single run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// The identity of a run, filled in by the caller.
pub struct RunInfo<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub model: &'a str,
    pub optimizer: &'a str,
    pub backend: &'a str,
    pub dataset: &'a str,
    pub epochs: u64,
    pub batch_size: usize,
    pub seed: u64,
    pub group: Option<&'a str>,
}

pub fn summarize(info: &RunInfo, out: &Outcome) -> RunSummary {
    let reach = |threshold: f64| {
        out.epochs
            .iter()
            .find(|e| e.test_accuracy >= threshold)
            .map(|e| (e.step + 1, e.wall_seconds))
    };
    let tail = &out.steps[out.steps.len().saturating_sub(50)..];
    let final_train_loss =
        tail.iter().map(|s| s.train_loss).sum::<f64>() / tail.len().max(1) as f64;
    let last = out.epochs.last();
    let steps = out.steps.len() as u64;
    RunSummary {
        name: info.name.into(),
        kind: info.kind.into(),
        model: info.model.into(),
        optimizer: info.optimizer.into(),
        backend: info.backend.into(),
        dataset: info.dataset.into(),
        epochs: info.epochs,
        batch_size: info.batch_size,
        seed: info.seed,
        steps,
        final_test_accuracy: last.map_or(0.0, |e| e.test_accuracy),
        best_test_accuracy: out
            .epochs
            .iter()
            .map(|e| e.test_accuracy)
            .fold(0.0, f64::max),
        steps_to_98: reach(0.98).map(|r| r.0),
        seconds_to_98: reach(0.98).map(|r| r.1),
        steps_to_99: reach(0.99).map(|r| r.0),
        seconds_to_99: reach(0.99).map(|r| r.1),
        final_train_loss,
        final_test_loss: last.map_or(f64::NAN, |e| e.test_loss),
        diverged: out.diverged_at.is_some(),
        diverged_at_step: out.diverged_at,
        train_seconds: out.train_seconds,
        eval_seconds: out.eval_seconds,
        images_per_second: out.images as f64 / out.train_seconds.max(1e-9),
        group: info.group.map(String::from),
    }
}

pub const METRICS_HEADER: &str = "step,epoch,lr,train_loss,test_loss,test_accuracy,wall_seconds";

/// One row per step; the test columns are filled on the last step of each epoch.
pub fn metrics_csv(out: &Outcome) -> String {
    let mut s = String::with_capacity(out.steps.len() * 48);
    s.push_str(METRICS_HEADER);
    s.push('\n');
    let mut evals = out.epochs.iter().peekable();
    for row in &out.steps {
        let _ = write!(
            s,
            "{},{},{},{}",
            row.step,
            row.epoch + 1,
            row.lr,
            row.train_loss
        );
        match evals.peek() {
            Some(e) if e.step == row.step => {
                let _ = writeln!(
                    s,
                    ",{},{},{:.3}",
                    e.test_loss, e.test_accuracy, e.wall_seconds
                );
                evals.next();
            }
            _ => s.push_str(",,,\n"),
        }
    }
    s
}

/// Reads `metrics.csv` back into rows.
pub fn read_metrics(path: &Path) -> Result<(Vec<StepRow>, Vec<EpochRow>), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_metrics(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses the text of a `metrics.csv`.
pub fn parse_metrics(text: &str) -> Result<(Vec<StepRow>, Vec<EpochRow>), String> {
    let mut lines = text.lines();
    if lines.next() != Some(METRICS_HEADER) {
        return Err(format!(
            "not a metrics file (its header should be `{METRICS_HEADER}`)"
        ));
    }
    let (mut steps, mut epochs) = (Vec::new(), Vec::new());
    for (i, line) in lines.enumerate() {
        let bad = || format!("line {}: malformed row `{line}`", i + 2);
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 7 {
            return Err(bad());
        }
        let num = |s: &str| s.parse::<f64>().map_err(|_| bad());
        let step = f[0].parse::<u64>().map_err(|_| bad())?;
        let epoch = f[1].parse::<u64>().map_err(|_| bad())?.saturating_sub(1);
        steps.push(StepRow {
            step,
            epoch,
            lr: num(f[2])?,
            train_loss: num(f[3])?,
        });
        if !f[4].is_empty() {
            epochs.push(EpochRow {
                epoch,
                step,
                test_loss: num(f[4])?,
                test_accuracy: num(f[5])?,
                wall_seconds: num(f[6])?,
            });
        }
    }
    Ok((steps, epochs))
}
