//! A finished run's results, `summary.json`: what the tables and claims are computed from.

use serde::{Deserialize, Deserializer, Serialize};

use crate::backend::BackendKind;
use crate::metrics::{EvalRow, Outcome, StepRow};
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
    #[serde(deserialize_with = "nan_from_null")]
    pub final_test_accuracy: f64,
    #[serde(deserialize_with = "nan_from_null")]
    pub best_test_accuracy: f64,
    /// The validation set's accuracy at the last evaluation and at its best (absent for runs
    /// from before there was one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_val_accuracy: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_val_accuracy: Option<f64>,
    /// Steps (and seconds) until the validation accuracy first reached 98% and 99% (the test
    /// accuracy for runs from before there was a validation set).
    pub steps_to_98: Option<u64>,
    pub seconds_to_98: Option<f64>,
    pub steps_to_99: Option<u64>,
    pub seconds_to_99: Option<f64>,
    /// Mean training loss over the last 50 steps (one batch is too noisy to compare).
    #[serde(deserialize_with = "nan_from_null")]
    pub final_train_loss: f64,
    #[serde(deserialize_with = "nan_from_null")]
    pub final_test_loss: f64,
    pub diverged: bool,
    pub diverged_at_step: Option<u64>,
    /// The run finished but learned nothing: see [`collapsed`]. Absent from summaries written
    /// before it was measured.
    #[serde(default)]
    pub collapsed: bool,
    /// Seconds in training steps, evaluation excluded.
    pub train_seconds: f64,
    /// Seconds evaluating on the test set.
    pub eval_seconds: f64,
    /// Training throughput: images per second of `train_seconds`.
    pub images_per_second: f64,
    /// The schedule this run repeats over seeds (`--seeds`); absent for a single run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// For a run of `--lr-scale`: the schedule it scales and the multiple of its rates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaled_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lr_scale: Option<f64>,
}

/// JSON has no NaN: serde_json writes a non-finite number as `null` (a run that diverged to a
/// NaN loss), and this reads it back as NaN.
fn nan_from_null<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// Classes of the data sets (MNIST, Fashion-MNIST): a network that predicts the uniform
/// distribution has a cross-entropy of ln(10).
const CLASSES: f64 = 10.0;

/// Steps whose training loss must all sit near ln(classes) for a collapse.
const COLLAPSE_STEPS: usize = 100;

/// How near: within this share of ln(classes).
const COLLAPSE_BAND: f64 = 0.02;

/// Below this final accuracy a run has collapsed, whatever its loss (chance is 10%).
const COLLAPSE_ACCURACY: f64 = 0.15;

/// The accuracy an evaluation is judged by: the validation set's (the test set's for runs from
/// before there was one).
pub fn judged(e: &EvalRow) -> Option<f64> {
    e.val_accuracy.or(e.test_accuracy)
}

/// Whether a run that did not diverge collapsed: its training loss stayed within 2% of
/// ln(classes) over the last 100 steps (it predicts the uniform distribution, or one class with
/// a loss that settled there), or its last evaluation's (validation) accuracy is below 15%.
pub fn collapsed(steps: &[StepRow], evaluations: &[EvalRow]) -> bool {
    let chance = CLASSES.ln();
    let flat = steps.len() >= COLLAPSE_STEPS
        && steps[steps.len() - COLLAPSE_STEPS..]
            .iter()
            .all(|s| (s.train_loss - chance).abs() <= COLLAPSE_BAND * chance);
    let blind = evaluations
        .last()
        .and_then(judged)
        .is_some_and(|a| a < COLLAPSE_ACCURACY);
    flat || blind
}

impl RunSummary {
    /// How the run ended, in a table cell: diverged (with the step), collapsed, or `ok`.
    pub fn outcome(&self) -> String {
        match (self.diverged_at_step, self.collapsed) {
            (Some(at), _) => format!("diverged at step {at}"),
            (None, true) => "collapsed".into(),
            (None, false) => "ok".into(),
        }
    }
}

/// The summary of run `run` of a sweep with settings `s`, trained on `backend`.
pub fn summarize(run: &Planned, s: &Settings, backend: BackendKind, out: &Outcome) -> RunSummary {
    let reach = |threshold: f64| {
        out.evaluations
            .iter()
            .find(|e| judged(e).is_some_and(|a| a >= threshold))
            .map(|e| (e.step + 1, e.wall_seconds))
    };
    let val: Vec<f64> = out
        .evaluations
        .iter()
        .filter_map(|e| e.val_accuracy)
        .collect();
    let tail = &out.steps[out.steps.len().saturating_sub(50)..];
    let final_train_loss =
        tail.iter().map(|s| s.train_loss).sum::<f64>() / tail.len().max(1) as f64;
    // The last evaluation on the test set: the run's end (an evaluation within an epoch has none).
    let last = out
        .evaluations
        .iter()
        .rev()
        .find(|e| e.test_accuracy.is_some());
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
        final_test_accuracy: last.and_then(|e| e.test_accuracy).unwrap_or(0.0),
        best_test_accuracy: (out.evaluations.iter())
            .filter_map(|e| e.test_accuracy)
            .fold(0.0, f64::max),
        final_val_accuracy: val.last().copied(),
        best_val_accuracy: (!val.is_empty()).then(|| val.iter().copied().fold(0.0, f64::max)),
        steps_to_98: reach(0.98).map(|r| r.0),
        seconds_to_98: reach(0.98).map(|r| r.1),
        steps_to_99: reach(0.99).map(|r| r.0),
        seconds_to_99: reach(0.99).map(|r| r.1),
        final_train_loss,
        final_test_loss: last.and_then(|e| e.test_loss).unwrap_or(f64::NAN),
        diverged: out.diverged_at.is_some(),
        diverged_at_step: out.diverged_at,
        collapsed: out.diverged_at.is_none() && collapsed(&out.steps, &out.evaluations),
        train_seconds: out.train_seconds,
        eval_seconds: out.eval_seconds,
        images_per_second: out.images as f64 / out.train_seconds.max(1e-9),
        group: run.group.clone(),
        scaled_from: run.scaled_from.clone(),
        lr_scale: run.lr_scale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(losses: impl Iterator<Item = f64>) -> Vec<StepRow> {
        losses
            .enumerate()
            .map(|(i, train_loss)| StepRow {
                step: i as u64,
                epoch: 0,
                lr: 0.1,
                momentum: None,
                estimate: None,
                train_loss,
            })
            .collect()
    }

    fn evaluation(test_accuracy: f64) -> Vec<EvalRow> {
        vec![EvalRow {
            epoch: 0,
            step: 0,
            val_loss: None,
            val_accuracy: None,
            test_loss: Some(2.3),
            test_accuracy: Some(test_accuracy),
            wall_seconds: 1.0,
        }]
    }

    #[test]
    fn a_loss_stuck_at_chance_or_an_accuracy_below_15_percent_is_a_collapse() {
        let chance = 10f64.ln();
        // 100 steps within 2% of ln 10, after a spike: collapsed, even at 50% accuracy.
        let stuck = steps((0..300).map(|i| if i < 200 { 30.0 } else { chance * 1.019 }));
        assert!(collapsed(&stuck, &evaluation(0.5)));
        // One step of the last 100 outside the band: not from the loss.
        let mut left = stuck.clone();
        left[250].train_loss = chance * 0.97;
        assert!(!collapsed(&left, &evaluation(0.5)));
        // Fewer than 100 steps cannot show it from the loss.
        assert!(!collapsed(&stuck[220..], &evaluation(0.5)));
        // A learning run: the loss falls, accuracy is high.
        let learning = steps((0..300).map(|i| 2.3 / (1.0 + i as f64)));
        assert!(!collapsed(&learning, &evaluation(0.97)));
        // Below 15% accuracy at the last evaluation, whatever the loss.
        assert!(collapsed(&learning, &evaluation(0.1135)));
        assert!(!collapsed(&learning, &evaluation(0.15)));
        assert!(!collapsed(&learning, &[]));
    }

    #[test]
    fn a_nan_loss_survives_the_json_round_trip() {
        let json = r#"{"name":"x","kind":"constant","model":"lenet","optimizer":"sgd","backend":"flex","dataset":"mnist","epochs":1,"batch_size":32,"seed":1,"steps":2,"final_test_accuracy":0.1,"best_test_accuracy":0.1,"steps_to_98":null,"seconds_to_98":null,"steps_to_99":null,"seconds_to_99":null,"final_train_loss":null,"final_test_loss":null,"diverged":true,"diverged_at_step":1,"train_seconds":0.1,"eval_seconds":0.1,"images_per_second":100.0}"#;
        let s: RunSummary = serde_json::from_str(json).expect("null losses read back");
        assert!(s.final_train_loss.is_nan() && s.final_test_loss.is_nan());
        let again: RunSummary =
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).expect("round trip");
        assert!(again.final_train_loss.is_nan() && again.diverged);
    }
}
