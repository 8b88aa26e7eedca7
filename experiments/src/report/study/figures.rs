//! The study's pictures: the ranking, validation accuracy against step with confidence bands
//! (all arms on one chart, and one panel per arm), and the rate sensitivity of every arm's grid
//! (accuracy and failures against the peak rate).

use std::path::{Path, PathBuf};

use super::pick::median;
use super::table::ArmRow;
use super::{Phase, StudyData};
use crate::error::Result;
use crate::layout::{self, PICTURE_FORMATS};
use crate::plot::{self, Chart, Series};
use crate::report::paired::paired;

/// Every picture, in PNG and SVG.
pub fn draw(dir: &Path, data: &StudyData, rows: &[ArmRow]) -> Result<Vec<PathBuf>> {
    let charts = [
        (
            layout::RANKING_PICTURE,
            "Final test accuracy at the tuned peak, best first (mean, 95% CI over seeds)",
            "rank",
            "final test accuracy (%)",
            ranking(rows),
            false,
        ),
        (
            layout::VALIDATION_PICTURE,
            "Validation accuracy during training at the tuned peak (mean, 95% CI band)",
            "step",
            "validation accuracy (%)",
            validation(data),
            false,
        ),
        (
            layout::SENSITIVITY_PICTURE,
            "Tuning grid: final validation accuracy against peak rate (median, band min–max)",
            "peak learning rate",
            "final validation accuracy (%)",
            sensitivity(data, false),
            true,
        ),
        (
            layout::SENSITIVITY_FAILED_PICTURE,
            "Tuning grid: share of runs that diverged or collapsed, against peak rate",
            "peak learning rate",
            "diverged or collapsed",
            sensitivity(data, true),
            true,
        ),
    ];
    let mut written = Vec::new();
    for ext in PICTURE_FORMATS {
        let path = dir.join(format!("{}.{ext}", layout::VALIDATION_GRID_PICTURE));
        let labels = ("step", "validation accuracy (%)");
        plot::small_multiples(&path, &charts[1].4, labels, false)?;
        written.push(path);
    }
    for (name, title, x_label, y_label, series, log_x) in &charts {
        for ext in PICTURE_FORMATS {
            let path = dir.join(format!("{name}.{ext}"));
            plot::line_chart(
                &path,
                &Chart {
                    title,
                    x_label,
                    y_label,
                    series,
                    log_y: false,
                    log_x: *log_x,
                },
            )?;
            written.push(path);
        }
    }
    Ok(written)
}

/// One vertical interval per arm at its rank, named with its numbers (the legend reads as the
/// ranking).
fn ranking(rows: &[ArmRow]) -> Vec<Series> {
    let mut sorted: Vec<&ArmRow> = rows.iter().collect();
    sorted.sort_by(|a, b| b.test.mean.total_cmp(&a.test.mean));
    sorted
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let x = (i + 1) as f64;
            Series {
                name: format!(
                    "{}. {} {:.2}% [{:.2}, {:.2}]",
                    i + 1,
                    r.arm,
                    r.test.mean,
                    r.test.low,
                    r.test.high
                ),
                points: vec![(x, r.test.low), (x, r.test.mean), (x, r.test.high)],
                band: Vec::new(),
            }
        })
        .collect()
}

/// Per arm: the mean validation accuracy of its final runs at every evaluation step, with the
/// 95% t interval over seeds as a band.
fn validation(data: &StudyData) -> Vec<Series> {
    let mut arms: Vec<&str> = Vec::new();
    for c in data
        .curves
        .iter()
        .filter(|c| c.phase == Phase::Final && c.factor == 1.0)
    {
        if !arms.contains(&c.arm.as_str()) {
            arms.push(&c.arm);
        }
    }
    arms.into_iter()
        .map(|arm| {
            let mut steps: Vec<u64> = (data.curves.iter())
                .filter(|c| c.phase == Phase::Final && c.factor == 1.0 && c.arm == arm)
                .map(|c| c.step)
                .collect();
            steps.sort_unstable();
            steps.dedup();
            let (mut points, mut band) = (Vec::new(), Vec::new());
            for step in steps {
                let at: Vec<f64> = (data.curves.iter())
                    .filter(|c| {
                        c.phase == Phase::Final && c.factor == 1.0 && c.arm == arm && c.step == step
                    })
                    .map(|c| c.val_accuracy * 100.0)
                    .collect();
                let x = step as f64;
                match paired(&at) {
                    Some(c) => {
                        points.push((x, c.mean));
                        band.push((x, c.low, c.high));
                    }
                    None => points.push((x, at[0])),
                }
            }
            Series {
                name: arm.to_string(),
                points,
                band,
            }
        })
        .collect()
}

/// Per arm, over its grid: the median final validation accuracy (%) with a min–max band, or the
/// share of runs that failed, against the peak rate.
fn sensitivity(data: &StudyData, failures: bool) -> Vec<Series> {
    let mut arms: Vec<&str> = Vec::new();
    for r in data.runs.iter().filter(|r| r.phase == Phase::Grid) {
        if !arms.contains(&r.arm.as_str()) {
            arms.push(&r.arm);
        }
    }
    arms.into_iter()
        .map(|arm| {
            let grid: Vec<_> = (data.runs.iter())
                .filter(|r| r.phase == Phase::Grid && r.arm == arm)
                .collect();
            let mut peaks: Vec<f64> = grid.iter().map(|r| r.peak_lr).collect();
            peaks.sort_by(f64::total_cmp);
            peaks.dedup();
            let (mut points, mut band) = (Vec::new(), Vec::new());
            for peak in peaks {
                let at: Vec<_> = grid.iter().filter(|r| r.peak_lr == peak).collect();
                if failures {
                    let failed = at.iter().filter(|r| r.failed()).count();
                    points.push((peak, failed as f64 / at.len() as f64));
                } else {
                    let acc: Vec<f64> = at.iter().map(|r| r.tuning_score() * 100.0).collect();
                    let lo = acc.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = acc.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    points.push((peak, median(&acc)));
                    if acc.len() > 1 {
                        band.push((peak, lo, hi));
                    }
                }
            }
            Series {
                name: arm.to_string(),
                points,
                band,
            }
        })
        .collect()
}
