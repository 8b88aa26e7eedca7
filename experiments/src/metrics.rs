//! What a run measures: one row per optimizer step, one per evaluation, the outcome of a whole
//! run, and `metrics.csv`, which holds the rows (written and read with the `csv` crate).
//!
//! Floats are written in Rust's shortest round-trip notation, so a row read back is the row that
//! was written (a resumed run continues from exactly the rows it saved).

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// One optimizer step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRow {
    /// Steps taken before this one.
    pub step: u64,
    /// The epoch, from 0.
    pub epoch: u64,
    /// The learning rate the step used.
    pub lr: f64,
    /// The momentum (Adam's β1) the step used, for runs whose schedule cycles it.
    pub momentum: Option<f64>,
    /// After the step: the step size d that Prodigy and D-Adaptation estimate, or schedule-free's
    /// averaging weight; none for the other optimizers.
    pub estimate: Option<f64>,
    /// The loss of its batch, before the step.
    pub train_loss: f64,
}

/// One evaluation, after the step `step`: on the validation set, which decisions use, and, at
/// the end of each epoch and of the run, on the test set, logged beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalRow {
    /// The epoch, from 0.
    pub epoch: u64,
    /// The last step before the evaluation.
    pub step: u64,
    /// Mean cross-entropy and accuracy on the validation set (absent in files written before
    /// there was one).
    pub val_loss: Option<f64>,
    pub val_accuracy: Option<f64>,
    /// Mean cross-entropy on the test set (absent from the evaluations within an epoch).
    pub test_loss: Option<f64>,
    /// Share of test images classified right.
    pub test_accuracy: Option<f64>,
    /// Seconds since the run started, evaluations and earlier processes included.
    pub wall_seconds: f64,
}

/// Everything a run measured.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// One row per step.
    pub steps: Vec<StepRow>,
    /// One row per evaluation.
    pub evaluations: Vec<EvalRow>,
    /// The step at which the loss became non-finite or exploded, if it did.
    pub diverged_at: Option<u64>,
    /// Seconds spent in training steps, evaluation excluded.
    pub train_seconds: f64,
    /// Seconds spent evaluating on the test set.
    pub eval_seconds: f64,
    /// Images the training steps went through.
    pub images: u64,
}

/// The header of `metrics.csv`.
pub const HEADER: &str =
    "step,epoch,lr,train_loss,val_loss,val_accuracy,test_loss,test_accuracy,wall_seconds";

/// The header with the optional columns after `lr` that a run has: `momentum` (a schedule that
/// cycles it) and `estimate` (an optimizer that estimates its step size, or schedule-free's
/// averaging weight).
fn header(momentum: bool, estimate: bool) -> String {
    let mut columns = vec!["step", "epoch", "lr"];
    columns.extend(momentum.then_some("momentum"));
    columns.extend(estimate.then_some("estimate"));
    columns.extend(HEADER.split(',').skip(3));
    columns.join(",")
}

/// The headers of files written before the validation set existed, still read.
const OLD_HEADERS: [&str; 2] = [
    "step,epoch,lr,train_loss,test_loss,test_accuracy,wall_seconds",
    "step,epoch,lr,momentum,train_loss,test_loss,test_accuracy,wall_seconds",
];

/// A line of `metrics.csv`: the validation columns are filled on the steps after which the run
/// was evaluated (every `--eval-every` steps and at each epoch's end), the test columns only at
/// each epoch's end and the run's; empty elsewhere.
#[derive(Debug, Deserialize)]
struct Record {
    step: u64,
    /// From 1 in the file.
    epoch: u64,
    lr: f64,
    train_loss: f64,
    /// Absent from files written before the validation set existed.
    #[serde(default)]
    val_loss: Option<f64>,
    #[serde(default)]
    val_accuracy: Option<f64>,
    test_loss: Option<f64>,
    test_accuracy: Option<f64>,
    wall_seconds: Option<f64>,
    /// Absent from files without the column.
    #[serde(default)]
    momentum: Option<f64>,
    /// Absent from files without the column.
    #[serde(default)]
    estimate: Option<f64>,
}

/// `metrics.csv` of these rows, with the momentum and estimate columns when any row has one.
pub fn to_csv(steps: &[StepRow], evaluations: &[EvalRow]) -> String {
    let with_momentum = steps.iter().any(|s| s.momentum.is_some());
    let with_estimate = steps.iter().any(|s| s.estimate.is_some());
    // The header is written by hand, so a run with no step still gets one.
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::with_capacity(steps.len() * 56));
    let header = header(with_momentum, with_estimate);
    w.write_record(header.split(','))
        .expect("writing to memory cannot fail");
    // Floats as `Display` writes them: the shortest text that reads back to the same value.
    let float = |v: f64| v.to_string();
    let optional = |v: Option<f64>| v.map_or(String::new(), float);
    let mut evals = evaluations.iter().peekable();
    for row in steps {
        let eval = evals.next_if(|e| e.step == row.step);
        let mut fields = vec![
            row.step.to_string(),
            (row.epoch + 1).to_string(),
            float(row.lr),
        ];
        if with_momentum {
            fields.push(optional(row.momentum));
        }
        if with_estimate {
            fields.push(optional(row.estimate));
        }
        fields.extend([
            float(row.train_loss),
            optional(eval.and_then(|e| e.val_loss)),
            optional(eval.and_then(|e| e.val_accuracy)),
            optional(eval.and_then(|e| e.test_loss)),
            optional(eval.and_then(|e| e.test_accuracy)),
            eval.map_or(String::new(), |e| format!("{:.3}", e.wall_seconds)),
        ]);
        w.write_record(&fields)
            .expect("writing to memory cannot fail");
    }
    let bytes = w.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("numbers are ASCII")
}

/// Reads `metrics.csv` back into rows.
pub fn read(path: &Path) -> Result<(Vec<StepRow>, Vec<EvalRow>)> {
    let text = crate::fsio::read_to_string(path)?;
    parse(&text).map_err(|e| Error::new(format!("{}: {e}", path.display())))
}

/// Parses the text of a `metrics.csv`.
pub fn parse(text: &str) -> Result<(Vec<StepRow>, Vec<EvalRow>)> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let known: Vec<String> = [(false, false), (true, false), (false, true), (true, true)]
        .into_iter()
        .map(|(m, e)| header(m, e))
        .chain(OLD_HEADERS.iter().map(|h| h.to_string()))
        .collect();
    let header_ok = (r.headers()).is_ok_and(|h| known.iter().any(|k| h.iter().eq(k.split(','))));
    if !header_ok {
        return Err(Error::new(format!(
            "not a metrics file (its header should be `{HEADER}`)"
        )));
    }
    let (mut steps, mut evaluations) = (Vec::new(), Vec::new());
    for record in r.deserialize::<Record>() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            Error::new(format!("line {line}: malformed row ({e})"))
        })?;
        let epoch = record.epoch.saturating_sub(1);
        steps.push(StepRow {
            step: record.step,
            epoch,
            lr: record.lr,
            momentum: record.momentum,
            estimate: record.estimate,
            train_loss: record.train_loss,
        });
        // A row is an evaluation when it has a time and a score on either set.
        let scored = record.val_accuracy.is_some() || record.test_accuracy.is_some();
        if let (Some(wall_seconds), true) = (record.wall_seconds, scored) {
            evaluations.push(EvalRow {
                epoch,
                step: record.step,
                val_loss: record.val_loss,
                val_accuracy: record.val_accuracy,
                test_loss: record.test_loss,
                test_accuracy: record.test_accuracy,
                wall_seconds,
            });
        }
    }
    Ok((steps, evaluations))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> (Vec<StepRow>, Vec<EvalRow>) {
        let steps = vec![
            StepRow {
                step: 0,
                epoch: 0,
                lr: 1e-7,
                momentum: None,
                estimate: None,
                train_loss: std::f64::consts::LN_10,
            },
            StepRow {
                step: 1,
                epoch: 0,
                lr: 0.05,
                momentum: None,
                estimate: None,
                train_loss: f64::NAN,
            },
            StepRow {
                step: 2,
                epoch: 1,
                lr: 1.0,
                momentum: None,
                estimate: None,
                train_loss: f64::INFINITY,
            },
        ];
        let epochs = vec![EvalRow {
            epoch: 0,
            step: 1,
            val_loss: Some(0.25),
            val_accuracy: Some(0.99),
            test_loss: Some(0.5),
            test_accuracy: Some(0.9875),
            wall_seconds: 1.23456,
        }];
        (steps, epochs)
    }

    #[test]
    fn the_file_is_the_one_rust_formatting_gives() {
        let (steps, epochs) = rows();
        assert_eq!(
            to_csv(&steps, &epochs),
            format!(
                "{HEADER}\n0,1,0.0000001,2.302585092994046,,,,,\n1,1,0.05,NaN,0.25,0.99,0.5,0.9875,1.235\n2,2,1,inf,,,,,\n"
            )
        );
        assert_eq!(to_csv(&[], &[]), format!("{HEADER}\n"));
    }

    #[test]
    fn runs_that_cycle_momentum_get_its_column_and_read_it_back() {
        let (mut steps, epochs) = rows();
        for (row, m) in steps.iter_mut().zip([0.95, 0.85, 0.9]) {
            row.momentum = Some(m);
        }
        let text = to_csv(&steps, &epochs);
        assert_eq!(
            text,
            format!(
                "{}\n0,1,0.0000001,0.95,2.302585092994046,,,,,\n1,1,0.05,0.85,NaN,0.25,0.99,0.5,0.9875,1.235\n2,2,1,0.9,inf,,,,,\n",
                header(true, false)
            )
        );
        let (s, e) = parse(&text).unwrap();
        let momenta: Vec<_> = s.iter().map(|r| r.momentum).collect();
        assert_eq!(momenta, [Some(0.95), Some(0.85), Some(0.9)]);
        assert_eq!((e.len(), s[1].lr), (1, 0.05));
        // A file without the column (every file written before it existed) reads as no momentum.
        let (s, _) = parse(&to_csv(&rows().0, &epochs)).unwrap();
        assert!(s.iter().all(|r| r.momentum.is_none()));
    }

    #[test]
    fn an_estimated_step_size_gets_its_column_after_the_momentum() {
        let (mut steps, epochs) = rows();
        for (row, d) in steps.iter_mut().zip([1e-6, 2.5e-3, 0.125]) {
            row.estimate = Some(d);
        }
        steps[1].momentum = Some(0.85);
        // NaN is never equal to itself: a finite loss, so the rows compare whole.
        steps[1].train_loss = 0.5;
        let text = to_csv(&steps, &epochs);
        assert!(text.starts_with(
            "step,epoch,lr,momentum,estimate,train_loss,val_loss,val_accuracy,test_loss,test_accuracy,wall_seconds\n0,1,0.0000001,,0.000001,2.3"
        ), "{text}");
        let (s, _) = parse(&text).unwrap();
        assert_eq!(s, steps);
        steps.iter_mut().for_each(|r| r.momentum = None);
        let text = to_csv(&steps, &epochs);
        assert!(
            text.starts_with("step,epoch,lr,estimate,train_loss,"),
            "{text}"
        );
        assert_eq!(parse(&text).unwrap().0, steps);
    }

    #[test]
    fn rows_read_back_as_written() {
        let (steps, mut epochs) = rows();
        let (s, e) = parse(&to_csv(&steps, &epochs)).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].lr, s[2].train_loss), (1e-7, f64::INFINITY));
        assert!(s[1].train_loss.is_nan());
        epochs[0].wall_seconds = 1.235;
        assert_eq!(e, epochs);
    }

    #[test]
    fn files_from_before_the_validation_set_still_read() {
        for (header, row) in OLD_HEADERS
            .iter()
            .zip(["1,1,0.05,2.3,0.5,0.98,1.5", "1,1,0.05,0.9,2.3,0.5,0.98,1.5"])
        {
            let (s, e) = parse(&format!("{header}\n{row}\n")).unwrap();
            assert_eq!((s.len(), e.len()), (1, 1));
            assert_eq!((e[0].val_loss, e[0].test_accuracy), (None, Some(0.98)));
        }
    }

    #[test]
    fn damage_is_named() {
        let err = parse("step,epoch\n1,2\n").unwrap_err();
        assert!(err.message().starts_with("not a metrics file"), "{err}");
        let err = parse(&format!("{HEADER}\n0,1,0.1,2.3,,,,,\n1,1,zero,2.3,,,,,\n")).unwrap_err();
        assert!(err.message().starts_with("line 3: malformed row"), "{err}");
        let err = parse(&format!("{HEADER}\n0,1,0.1\n")).unwrap_err();
        assert!(err.message().starts_with("line 2: malformed row"), "{err}");
    }
}
