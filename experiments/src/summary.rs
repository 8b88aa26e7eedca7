//! A finished run's results, `summary.json`: what the tables and claims are computed from.

use serde::{Deserialize, Serialize};

use crate::backend::BackendKind;
use crate::metrics::Outcome;
use crate::plan::{Planned, Settings};

/// The per-run summary, as `summary.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunSummary {
    pub name: String,
    /// The schedule's `kind`.
    pub kind: String,
    pub model: String,
    pub optimizer: String,
    /// The backend the run trained on (never `auto`).
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

/// The summary of run `run` of a sweep with settings `s`, trained on `backend`.
pub fn summarize(run: &Planned, s: &Settings, backend: BackendKind, out: &Outcome) -> RunSummary {
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
    RunSummary {
        name: run.name.clone(),
        kind: run.schedule.kind().into(),
        model: s.model.name().into(),
        optimizer: s.optimizer.name().into(),
        backend: backend.name().into(),
        dataset: s.dataset.name().into(),
        epochs: s.epochs,
        batch_size: s.batch_size,
        seed: run.seed_in(s),
        steps: out.steps.len() as u64,
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
        group: run.group.clone(),
    }
}
