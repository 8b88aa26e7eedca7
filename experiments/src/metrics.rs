//! What a run measures: one row per optimizer step, one per evaluation, the outcome of a whole
//! run, and `metrics.csv`, which holds the rows (written and read with the `csv` crate).
//!
//! Floats are written in Rust's shortest round-trip notation, so a row read back is the row that
//! was written (a resumed run continues from exactly the rows it saved).

use std::path::Path;

use serde::{Deserialize, Serialize, Serializer};

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

/// The header of the files of runs whose schedule cycles the momentum: a `momentum` column after
/// `lr`. `wall_seconds` stays last in both.
pub const HEADER_MOMENTUM: &str =
    "step,epoch,lr,momentum,train_loss,val_loss,val_accuracy,test_loss,test_accuracy,wall_seconds";

/// The headers of files written before the validation set existed, still read.
const OLD_HEADERS: [&str; 2] = [
    "step,epoch,lr,train_loss,test_loss,test_accuracy,wall_seconds",
    "step,epoch,lr,momentum,train_loss,test_loss,test_accuracy,wall_seconds",
];

/// A line of `metrics.csv`: the validation columns are filled on the steps after which the run
/// was evaluated (every `--eval-every` steps and at each epoch's end), the test columns only at
/// each epoch's end and the run's; empty elsewhere.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    step: u64,
    /// From 1 in the file.
    epoch: u64,
    #[serde(serialize_with = "shortest")]
    lr: f64,
    #[serde(serialize_with = "shortest")]
    train_loss: f64,
    /// Absent from files written before the validation set existed.
    #[serde(default, serialize_with = "shortest_or_empty")]
    val_loss: Option<f64>,
    #[serde(default, serialize_with = "shortest_or_empty")]
    val_accuracy: Option<f64>,
    #[serde(serialize_with = "shortest_or_empty")]
    test_loss: Option<f64>,
    #[serde(serialize_with = "shortest_or_empty")]
    test_accuracy: Option<f64>,
    #[serde(serialize_with = "millis_or_empty")]
    wall_seconds: Option<f64>,
    /// Absent from files without the column; written by the tuple in `to_csv`.
    #[serde(default, skip_serializing)]
    momentum: Option<f64>,
}

fn shortest<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

fn shortest_or_empty<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

fn millis_or_empty<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(&format_args!("{v:.3}")),
        None => s.serialize_none(),
    }
}

/// `metrics.csv` of these rows, with the momentum column when any row has a momentum.
pub fn to_csv(steps: &[StepRow], evaluations: &[EvalRow]) -> String {
    let with_momentum = steps.iter().any(|s| s.momentum.is_some());
    // The header is written by hand, so a run with no step still gets one.
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::with_capacity(steps.len() * 56));
    let header = if with_momentum {
        HEADER_MOMENTUM
    } else {
        HEADER
    };
    w.write_record(header.split(','))
        .expect("writing to memory cannot fail");
    let mut evals = evaluations.iter().peekable();
    for row in steps {
        let eval = evals.next_if(|e| e.step == row.step);
        let record = Record {
            step: row.step,
            epoch: row.epoch + 1,
            lr: row.lr,
            train_loss: row.train_loss,
            val_loss: eval.and_then(|e| e.val_loss),
            val_accuracy: eval.and_then(|e| e.val_accuracy),
            test_loss: eval.and_then(|e| e.test_loss),
            test_accuracy: eval.and_then(|e| e.test_accuracy),
            wall_seconds: eval.map(|e| e.wall_seconds),
            momentum: None,
        };
        if with_momentum {
            // The csv crate cannot insert a field into a serialized struct: the row as a tuple.
            w.serialize((
                record.step,
                record.epoch,
                Shortest(record.lr),
                row.momentum.map(Shortest),
                Shortest(record.train_loss),
                record.val_loss.map(Shortest),
                record.val_accuracy.map(Shortest),
                record.test_loss.map(Shortest),
                record.test_accuracy.map(Shortest),
                record.wall_seconds.map(|v| format!("{v:.3}")),
            ))
        } else {
            w.serialize(record)
        }
        .expect("writing to memory cannot fail");
    }
    let bytes = w.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("numbers are ASCII")
}

/// A float written as `Display` writes it (shortest round trip), as `shortest` does.
struct Shortest(f64);

impl Serialize for Shortest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// Reads `metrics.csv` back into rows.
pub fn read(path: &Path) -> Result<(Vec<StepRow>, Vec<EvalRow>)> {
    let text = crate::fsio::read_to_string(path)?;
    parse(&text).map_err(|e| Error::new(format!("{}: {e}", path.display())))
}

/// Parses the text of a `metrics.csv`.
pub fn parse(text: &str) -> Result<(Vec<StepRow>, Vec<EvalRow>)> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header_ok = (r.headers()).is_ok_and(|h| {
        [HEADER, HEADER_MOMENTUM]
            .iter()
            .chain(&OLD_HEADERS)
            .any(|known| h.iter().eq(known.split(',')))
    });
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
                train_loss: std::f64::consts::LN_10,
            },
            StepRow {
                step: 1,
                epoch: 0,
                lr: 0.05,
                momentum: None,
                train_loss: f64::NAN,
            },
            StepRow {
                step: 2,
                epoch: 1,
                lr: 1.0,
                momentum: None,
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
                "{HEADER_MOMENTUM}\n0,1,0.0000001,0.95,2.302585092994046,,,,,\n1,1,0.05,0.85,NaN,0.25,0.99,0.5,0.9875,1.235\n2,2,1,0.9,inf,,,,,\n"
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
