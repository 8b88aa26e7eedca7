//! The report of a study (`experiments study`), drawn from two CSV files alone: `runs.csv`
//! (one row per run of every phase: grid, final, zero-tuning) and `curves.csv` (the validation
//! accuracy of the final and zero-tuning runs at every evaluation). The tables, the verdicts on
//! the reference text's claims and the pictures are computed from them, so a committed study
//! redraws identically without its run folders.

mod figures;
pub mod pick;
mod table;
mod text;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::runs::RunData;
use crate::error::{Error, Result};
use crate::fsio;
use crate::layout;

pub use table::{ArmRow, arm_rows};

/// Which part of a study a run belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Tuning: one peak of an arm's grid.
    Grid,
    /// At the arm's tuned peak (or, for the reference, at a probe multiple of it).
    Final,
    /// At the range test's suggestion, untuned.
    Zero,
}

/// One run of a study: a row of `runs.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyRun {
    pub phase: Phase,
    pub arm: String,
    pub optimizer: String,
    /// The schedule's kind.
    pub kind: String,
    /// Grid: the multiple of the range test's suggestion. Final: the multiple of the tuned peak
    /// (1, or a probe of the reference). Zero-tuning: 1.
    pub factor: f64,
    /// The schedule's highest rate.
    pub peak_lr: f64,
    /// The range test's suggestion for the arm's optimizer.
    pub suggestion: f64,
    pub seed: u64,
    pub steps: u64,
    /// Final accuracies (fractions); empty in the file for a run never evaluated.
    pub final_val_accuracy: Option<f64>,
    pub final_test_accuracy: f64,
    pub diverged: bool,
    pub collapsed: bool,
    pub train_seconds: f64,
    pub eval_seconds: f64,
    /// The tuning score (fraction): the mean of the run's last validation evaluations, as the
    /// study file's `tuning_evaluations` counts them; absent in the first studies' files.
    #[serde(default)]
    pub score: Option<f64>,
}

impl StudyRun {
    /// A finished run of the study, from its folder's summary.
    pub fn of(
        r: &RunData,
        phase: Phase,
        arm: &str,
        (factor, peak_lr, suggestion): (f64, f64, f64),
    ) -> Self {
        let s = &r.summary;
        Self {
            phase,
            arm: arm.into(),
            optimizer: s.optimizer.clone(),
            kind: s.kind.clone(),
            factor,
            peak_lr,
            suggestion,
            seed: s.seed,
            steps: s.steps,
            final_val_accuracy: s.final_val_accuracy,
            final_test_accuracy: s.final_test_accuracy,
            diverged: s.diverged,
            collapsed: s.collapsed,
            train_seconds: s.train_seconds,
            eval_seconds: s.eval_seconds,
            score: None,
        }
    }

    /// Whether it failed: diverged or collapsed.
    pub fn failed(&self) -> bool {
        self.diverged || self.collapsed
    }

    /// The final validation accuracy, 0 for a run never evaluated.
    pub fn val(&self) -> f64 {
        self.final_val_accuracy.unwrap_or(0.0)
    }

    /// The tuning score, the final validation accuracy where none was recorded.
    pub fn tuning_score(&self) -> f64 {
        self.score.unwrap_or_else(|| self.val())
    }
}

/// One evaluation of a final or zero-tuning run: a row of `curves.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    pub phase: Phase,
    pub arm: String,
    pub factor: f64,
    pub seed: u64,
    /// Steps done when it was evaluated.
    pub step: u64,
    pub val_accuracy: f64,
}

impl CurvePoint {
    /// The validation points of run `r`.
    pub fn of(r: &RunData, phase: Phase, arm: &str, factor: f64) -> Vec<Self> {
        (r.evaluations.iter())
            .filter_map(|e| {
                Some(Self {
                    phase,
                    arm: arm.into(),
                    factor,
                    seed: r.summary.seed,
                    step: e.step + 1,
                    val_accuracy: e.val_accuracy?,
                })
            })
            .collect()
    }
}

/// Everything a study's report is drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyData {
    pub runs: Vec<StudyRun>,
    pub curves: Vec<CurvePoint>,
    /// The arm every other is compared with, and the cosine arm.
    pub reference: String,
    pub cosine: String,
}

/// Writes rows of a study's tables (`StudyRun`, `CurvePoint`) as CSV to `path`.
pub fn write_rows<T: Serialize>(path: &Path, rows: &[T]) -> Result<()> {
    fsio::write_atomic(path, to_csv(rows)?.as_bytes())
}

/// Reads rows that [`write_rows`] wrote.
pub fn read_rows<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    from_csv(path)
}

fn to_csv<T: Serialize>(rows: &[T]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(row)
            .map_err(|e| format!("cannot write a study row: {e}"))?;
    }
    let bytes = (w.into_inner()).map_err(|e| format!("cannot write a study table: {e}"))?;
    Ok(String::from_utf8(bytes).expect("CSV of numbers and names is UTF-8"))
}

fn from_csv<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let text = fsio::read_to_string(path)?;
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .map(|row| {
            row.map_err(|e: csv::Error| {
                let line = e.position().map_or(0, |p| p.line());
                Error::new(format!(
                    "{}: line {line}: malformed row ({e}); rerun `experiments study` to write it again",
                    path.display()
                ))
            })
        })
        .collect()
}

/// Writes `runs.csv` and `curves.csv`, then draws the report from what they hold (so a redraw
/// from the files gives the same report).
pub fn write_and_draw(dir: &Path, data: &StudyData) -> Result<Vec<PathBuf>> {
    fsio::write_atomic(
        &dir.join(layout::STUDY_RUNS),
        to_csv(&data.runs)?.as_bytes(),
    )?;
    fsio::write_atomic(
        &dir.join(layout::STUDY_CURVES),
        to_csv(&data.curves)?.as_bytes(),
    )?;
    let (reference, cosine) = (data.reference.clone(), data.cosine.clone());
    draw(dir, &read(dir, reference, cosine)?)
}

/// Writes `runs.csv` and `curves.csv` alone (a report with `[statistics]` draws its own text).
pub fn write_data(dir: &Path, data: &StudyData) -> Result<()> {
    write_rows(&dir.join(layout::STUDY_RUNS), &data.runs)?;
    write_rows(&dir.join(layout::STUDY_CURVES), &data.curves)
}

/// The study's pictures alone.
pub fn draw_figures(dir: &Path, data: &StudyData) -> Result<Vec<PathBuf>> {
    figures::draw(dir, data, &arm_rows(data))
}

/// Reads a study's CSV files back.
pub fn read(dir: &Path, reference: String, cosine: String) -> Result<StudyData> {
    Ok(StudyData {
        runs: from_csv(&dir.join(layout::STUDY_RUNS))?,
        curves: from_csv(&dir.join(layout::STUDY_CURVES))?,
        reference,
        cosine,
    })
}

/// `study.md`, `study.csv` and the pictures of a study.
pub fn draw(dir: &Path, data: &StudyData) -> Result<Vec<PathBuf>> {
    if !data
        .runs
        .iter()
        .any(|r| r.phase == Phase::Final && r.arm == data.reference)
    {
        return Err(Error::new(format!(
            "{}: no final run of the reference arm `{}`; finish the study first",
            dir.display(),
            data.reference
        )));
    }
    let rows = arm_rows(data);
    let claims = table::claims(data);
    let mut files = Vec::new();
    let csv = text::csv(&rows)?;
    let md = text::markdown(data, &rows, &claims);
    for (name, text) in [(layout::STUDY_CSV, &csv), (layout::STUDY_MD, &md)] {
        let path = dir.join(name);
        fsio::write_atomic(&path, text.as_bytes())?;
        files.push(path);
    }
    files.extend(figures::draw(dir, data, &rows)?);
    Ok(files)
}
