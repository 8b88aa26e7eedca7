//! The sweep's pictures: loss and learning-rate overlays, small multiples, and the loss over
//! seeds with its band.

use std::path::PathBuf;

use super::runs::RunData;
use super::stats::{group_by, seed_groups};
use crate::error::Result;
use crate::layout::{
    GRID_PICTURE, LOSS_PICTURE, LOSS_SEEDS_PICTURE, LR_PICTURE, PICTURE_FORMATS,
    SENSITIVITY_FAILED_PICTURE, SENSITIVITY_PICTURE, SweepDir,
};
use crate::metrics::StepRow;
use crate::plot::{self, Chart, Series};

/// The moving-average window of the loss curves: one batch is too noisy to tell runs apart.
const WINDOW: usize = 20;

/// Moving average of the training loss over `window` steps.
fn smoothed(steps: &[StepRow], window: usize) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(steps.len());
    let mut sum = 0.0;
    for (i, s) in steps.iter().enumerate() {
        sum += s.train_loss;
        if i >= window {
            sum -= steps[i - window].train_loss;
        }
        let n = (i + 1).min(window) as f64;
        out.push((s.step as f64, sum / n));
    }
    out
}

fn lr_points(steps: &[StepRow]) -> Vec<(f64, f64)> {
    steps.iter().map(|s| (s.step as f64, s.lr)).collect()
}

/// Per schedule repeated over seeds: the mean smoothed training loss at each step, with the
/// band from the lowest to the highest seed.
fn seed_bands(runs: &[RunData]) -> Vec<Series> {
    seed_groups(runs)
        .into_iter()
        .map(|(group, members)| {
            let curves: Vec<Vec<(f64, f64)>> =
                members.iter().map(|r| smoothed(&r.steps, WINDOW)).collect();
            // Diverged runs stop early: the band covers the steps every seed reached.
            let len = curves.iter().map(Vec::len).min().unwrap_or(0);
            let (mut points, mut band) = (Vec::with_capacity(len), Vec::with_capacity(len));
            for i in 0..len {
                let x = curves[0][i].0;
                let ys = curves.iter().map(|c| c[i].1);
                let (lo, hi) = ys
                    .clone()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
                        (a.min(y), b.max(y))
                    });
                points.push((x, ys.sum::<f64>() / curves.len() as f64));
                band.push((x, lo, hi));
            }
            Series {
                name: format!("{group} (mean, band: min–max of {} seeds)", members.len()),
                points,
                band,
            }
        })
        .collect()
}

/// The rate-sensitivity curves: accuracy, and the share of failed runs.
pub type Sensitivity = (Vec<Series>, Vec<Series>);

/// For the schedules a sweep ran at several multiples of their rates (`--lr-scale`): per
/// schedule, a curve of final validation accuracy (%, mean over seeds, band min–max; the test
/// accuracy for runs from before there was a validation set) and one of the
/// share of runs that diverged or collapsed, against the peak rate each multiple reached (the
/// largest rate in its `metrics.csv`). Empty when no schedule ran at two multiples.
pub fn sensitivity(runs: &[RunData]) -> Sensitivity {
    let (mut accuracy, mut failed) = (Vec::new(), Vec::new());
    for (schedule, members) in group_by(runs, |r| r.summary.scaled_from.as_deref()) {
        // One point per multiple: its runs over seeds.
        let multiples = group_by(members, |r| Some(r.group()));
        let mut points: Vec<(f64, f64, f64, f64, f64)> = multiples
            .iter()
            .map(|(_, at)| {
                let peak = at
                    .iter()
                    .flat_map(|r| r.steps.iter().map(|s| s.lr))
                    .fold(0.0, f64::max);
                let acc: Vec<f64> = at
                    .iter()
                    .map(|r| {
                        let s = &r.summary;
                        s.final_val_accuracy.unwrap_or(s.final_test_accuracy) * 100.0
                    })
                    .collect();
                let n = acc.len() as f64;
                let failed = at
                    .iter()
                    .filter(|r| r.summary.diverged || r.summary.collapsed)
                    .count() as f64;
                (
                    peak,
                    acc.iter().sum::<f64>() / n,
                    acc.iter().copied().fold(f64::INFINITY, f64::min),
                    acc.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    failed / n,
                )
            })
            .filter(|p| p.0 > 0.0)
            .collect();
        if points.len() < 2 {
            continue;
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        accuracy.push(Series {
            name: schedule.clone(),
            points: points.iter().map(|p| (p.0, p.1)).collect(),
            band: points.iter().map(|p| (p.0, p.2, p.3)).collect(),
        });
        failed.push(Series {
            name: schedule,
            points: points.iter().map(|p| (p.0, p.4)).collect(),
            band: Vec::new(),
        });
    }
    (accuracy, failed)
}

/// Draws every picture of the sweep; returns the files written.
pub fn draw(
    sweep: &SweepDir,
    runs: &[RunData],
    (accuracy, failed): &Sensitivity,
    log_y: bool,
) -> Result<Vec<PathBuf>> {
    let curves = |points: &dyn Fn(&RunData) -> Vec<(f64, f64)>| -> Vec<Series> {
        runs.iter()
            .map(|r| Series {
                name: r.summary.name.clone(),
                points: points(r),
                band: Vec::new(),
            })
            .collect()
    };
    let losses = curves(&|r| smoothed(&r.steps, WINDOW));
    let lrs = curves(&|r| lr_points(&r.steps));
    let bands = seed_bands(runs);
    let loss_chart = |title, series| Chart {
        title,
        x_label: "step",
        y_label: "cross-entropy loss",
        series,
        log_y: true,
        log_x: false,
    };
    let mut written = Vec::new();
    for ext in PICTURE_FORMATS {
        let path = sweep.picture(LOSS_PICTURE, ext);
        plot::line_chart(
            &path,
            &loss_chart("Training loss (moving average of 20 steps)", &losses),
        )?;
        written.push(path);
        let path = sweep.picture(LR_PICTURE, ext);
        plot::line_chart(
            &path,
            &Chart {
                title: "Learning rate",
                x_label: "step",
                y_label: "learning rate",
                series: &lrs,
                log_y,
                log_x: false,
            },
        )?;
        written.push(path);
        let path = sweep.picture(GRID_PICTURE, ext);
        plot::grid(&path, runs, WINDOW, log_y)?;
        written.push(path);
        if !bands.is_empty() {
            let path = sweep.picture(LOSS_SEEDS_PICTURE, ext);
            plot::line_chart(
                &path,
                &loss_chart(
                    "Training loss over seeds (moving average of 20 steps)",
                    &bands,
                ),
            )?;
            written.push(path);
        }
        if !accuracy.is_empty() {
            let path = sweep.picture(SENSITIVITY_PICTURE, ext);
            plot::line_chart(
                &path,
                &Chart {
                    title: "Final validation accuracy against peak rate (mean, band: min–max over seeds)",
                    x_label: "peak learning rate",
                    y_label: "final validation accuracy (%)",
                    series: accuracy,
                    log_y: false,
                    log_x: true,
                },
            )?;
            written.push(path);
            let path = sweep.picture(SENSITIVITY_FAILED_PICTURE, ext);
            plot::line_chart(
                &path,
                &Chart {
                    title: "Share of runs that diverged or collapsed, against peak rate",
                    x_label: "peak learning rate",
                    y_label: "diverged or collapsed",
                    series: failed,
                    log_y: false,
                    log_x: true,
                },
            )?;
            written.push(path);
        }
    }
    Ok(written)
}

impl plot::Panel for RunData {
    fn title(&self) -> String {
        let s = &self.summary;
        match (s.diverged_at_step, s.collapsed) {
            (Some(at), _) => format!("{}: diverged at {at}", s.name),
            (None, true) => format!(
                "{}: collapsed, {:.2}%",
                s.name,
                s.final_test_accuracy * 100.0
            ),
            (None, false) => format!("{}: {:.2}%", s.name, s.final_test_accuracy * 100.0),
        }
    }

    fn losses(&self, window: usize) -> Vec<Series> {
        vec![
            Series {
                name: "train".into(),
                points: smoothed(&self.steps, window),
                band: Vec::new(),
            },
            // The validation loss at every evaluation (the test loss for runs from before the
            // validation split).
            Series {
                name: if self.evaluations.iter().any(|e| e.val_loss.is_some()) {
                    "validation".into()
                } else {
                    "test".into()
                },
                points: (self.evaluations.iter())
                    .filter_map(|e| Some((e.step as f64, e.val_loss.or(e.test_loss)?)))
                    .collect(),
                band: Vec::new(),
            },
        ]
    }

    fn lr(&self) -> Series {
        Series {
            name: String::new(),
            points: lr_points(&self.steps),
            band: Vec::new(),
        }
    }
}
