//! `experiments lr-find`: Smith's learning-rate range test. The rate grows exponentially from
//! `--start` to `--end` over `--steps` steps of real training; the loss, smoothed, shows where
//! learning starts, where it is fastest and where it breaks down. The suggested rates for
//! `cyclical` and `one_cycle` come from that curve by rules stated in the output.

use burn::tensor::Device;

use crate::backend;
use crate::config::Dataset;
use crate::error::{Error, Result};
use crate::fsio;
use crate::layout::{self, PICTURE_FORMATS};
use crate::model::ModelKind;
use crate::optim::OptimizerKind;
use crate::plan::LrFindPlan;
use crate::plot::{self, Chart, Series};
use crate::train::{self, DeviceData, Learner, Shuffle};

/// One point of the test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lr: f64,
    pub loss: f64,
    pub smoothed: f64,
}

/// What the curve suggests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suggestion {
    /// The rate where the smoothed loss is lowest.
    pub minimum: f64,
    /// The rate where the smoothed loss falls fastest per decade of lr.
    pub steepest: f64,
    /// `minimum / 10`: the peak for one_cycle and cyclical (fastai's rule).
    pub max_lr: f64,
    /// `max_lr / 4`: the floor for cyclical (Smith: a third to a quarter of the peak).
    pub base_lr: f64,
}

/// The range test's settings.
pub struct RangeTest {
    pub start: f64,
    pub end: f64,
    pub steps: u64,
    pub beta: f64,
    pub quiet: bool,
}

impl RangeTest {
    /// The defaults of `experiments lr-find`.
    pub fn standard(quiet: bool) -> Self {
        Self {
            start: 1e-6,
            end: 10.0,
            steps: 200,
            beta: 0.98,
            quiet,
        }
    }

    /// Trains a fresh `model` under the exponentially growing rate, returning the curve.
    pub fn run(
        &self,
        model: ModelKind,
        optimizer: OptimizerKind,
        batch_size: usize,
        seed: u64,
        data: &DeviceData,
        device: &Device,
    ) -> Vec<Point> {
        device.seed(seed);
        let mut learner = Learner::new(model, optimizer, false, device);
        let mut rng = Shuffle::new(seed);
        let mut order = Vec::new();
        let mut points: Vec<Point> = Vec::new();
        let (mut average, mut best) = (0.0, f64::INFINITY);
        for i in 0..self.steps {
            if order.len() < batch_size {
                order.extend(rng.permutation(data.n_train).into_iter().rev());
            }
            let batch: Vec<i64> = order.split_off(order.len().saturating_sub(batch_size));
            let loss = learner.loss(data.batch(&batch, device));
            let value = loss.value();
            let lr = rate(self.start, self.end, i, self.steps);
            // Exponential moving average with the bias correction of its first steps.
            average = self.beta * average + (1.0 - self.beta) * value;
            let smoothed = average / (1.0 - self.beta.powi(i as i32 + 1));
            points.push(Point {
                lr,
                loss: value,
                smoothed,
            });
            if !self.quiet && (i % 20 == 0) {
                eprintln!(
                    "lr-find: step {i}/{} lr {lr:.3e} loss {smoothed:.4}",
                    self.steps
                );
            }
            if !smoothed.is_finite() || smoothed > 4.0 * best {
                eprintln!("lr-find: the loss exploded at lr {lr:.3e} (step {i}); stopping");
                break;
            }
            best = best.min(smoothed);
            learner = learner.update(loss, lr, None);
        }
        points
    }
}

/// The columns of `lr-find.csv`.
const HEADER: [&str; 4] = ["step", "lr", "loss", "smoothed_loss"];

/// The curve as `lr-find.csv`.
pub fn csv(points: &[Point]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let memory = "writing to memory cannot fail";
    w.write_record(HEADER).expect(memory);
    for (i, p) in points.iter().enumerate() {
        let row = [
            i.to_string(),
            p.lr.to_string(),
            p.loss.to_string(),
            p.smoothed.to_string(),
        ];
        w.write_record(row).expect(memory);
    }
    String::from_utf8(w.into_inner().expect(memory)).expect("numbers are ASCII")
}

/// The curve read back from an `lr-find.csv` (as [`csv()`] writes it: floats in Rust's shortest
/// round-trip form, so the points are the ones written); `None` for anything else.
pub fn read_csv(text: &str) -> Option<Vec<Point>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().ok()?;
    if header != HEADER.as_slice() {
        return None;
    }
    let points = r
        .records()
        .map(|row| {
            let row = row.ok()?;
            let value = |i: usize| row.get(i)?.parse::<f64>().ok();
            Some(Point {
                lr: value(1)?,
                loss: value(2)?,
                smoothed: value(3)?,
            })
        })
        .collect::<Option<Vec<Point>>>()?;
    (!points.is_empty()).then_some(points)
}

/// The rate of step `i` of `n`: exponential from `start` to `end`.
pub fn rate(start: f64, end: f64, i: u64, n: u64) -> f64 {
    start * (end / start).powf(i as f64 / (n.max(2) - 1) as f64)
}

/// Reads the curve: where the loss is lowest, and where it falls fastest before that.
pub fn suggest(points: &[Point]) -> Option<Suggestion> {
    let (at_min, min) = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.smoothed.is_finite())
        .min_by(|a, b| a.1.smoothed.total_cmp(&b.1.smoothed))?;
    // The slope per decade of lr, by central differences, up to the minimum; the first points
    // carry the smoothing's start-up and are skipped.
    let skip = (points.len() / 20).max(1);
    let steepest = (skip..at_min.min(points.len().saturating_sub(1)))
        .map(|i| {
            let (a, b) = (&points[i - 1], &points[i + 1]);
            let slope = (b.smoothed - a.smoothed) / (b.lr.log10() - a.lr.log10());
            (points[i].lr, slope)
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(min.lr, |(lr, _)| lr);
    let max_lr = min.lr / 10.0;
    Some(Suggestion {
        minimum: min.lr,
        steepest,
        max_lr,
        base_lr: max_lr / 4.0,
    })
}

/// `experiments lr-find`: the test, its curve as CSV and pictures, and the suggested rates
/// (returned for `experiments study`, which centres its grids on them).
pub fn run(plan: LrFindPlan) -> Result<Suggestion> {
    let s = &plan.settings;
    fsio::create_out_dir(&plan.out)?;
    let data = mnist::load(s.dataset.kind(), plan.data_dir.as_deref(), None, Some(1))
        .map_err(|e| Error::new(e.to_string()))?;
    // The range test trains on the training images only, as the runs it sizes will.
    let (data, validation) = train::hold_out(data, s.validation, plan.train_limit)?;
    let (device, used) = backend::device(s.backend)?;
    let device = device.autodiff();
    let fashion = s.dataset == Dataset::FashionMnist;
    let data = DeviceData::new(&data, &validation, fashion, &device, &device);
    let test = RangeTest {
        start: plan.start,
        end: plan.end,
        steps: plan.steps,
        beta: plan.beta,
        quiet: plan.quiet,
    };
    let (model, optimizer, batch_size) = (s.model, s.optimizer, s.batch_size);
    let points = test.run(model, optimizer, batch_size, s.seed, &data, &device);

    let out = &plan.out;
    fsio::write_atomic(&out.join(layout::LR_FIND), csv(&points).as_bytes())?;
    let s = suggest(&points).ok_or("lr-find: no finite loss at all; lower --start")?;
    let (lo, hi) = points
        .iter()
        .map(|p| p.smoothed)
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let marker = |name: String, lr: f64| Series {
        name,
        points: vec![(lr, lo), (lr, hi)],
        band: Vec::new(),
    };
    let series = [
        Series {
            name: "loss (smoothed)".into(),
            points: points.iter().map(|p| (p.lr, p.smoothed)).collect(),
            band: Vec::new(),
        },
        marker(format!("minimum {:.2e}", s.minimum), s.minimum),
        marker(format!("steepest descent {:.2e}", s.steepest), s.steepest),
        marker(format!("max_lr = minimum / 10: {:.2e}", s.max_lr), s.max_lr),
    ];
    let title = format!(
        "LR range test: {}, {}, batch {batch_size}, {}",
        model.name(),
        optimizer.name(),
        used.name()
    );
    for ext in PICTURE_FORMATS {
        plot::line_chart(
            &out.join(format!("{}.{ext}", layout::LR_FIND_PICTURE)),
            &Chart {
                title: &title,
                x_label: "learning rate",
                y_label: "training loss (moving average)",
                series: &series,
                log_y: false,
                log_x: true,
            },
        )?;
    }
    println!(
        "lowest smoothed loss at lr {:.3e}; steepest descent at lr {:.3e}",
        s.minimum, s.steepest
    );
    println!(
        "one_cycle: max_lr = {:.3e} (the minimum divided by 10)",
        s.max_lr
    );
    println!(
        "cyclical:  max_lr = {:.3e}, base_lr = {:.3e} (max_lr / 4, Smith's third to quarter)",
        s.max_lr, s.base_lr
    );
    eprintln!("wrote {}", out.display());
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_reads_back_to_the_same_points() {
        let points: Vec<Point> = (0..50)
            .map(|i| Point {
                lr: rate(1e-6, 10.0, i, 50),
                loss: 2.3 / (1.0 + i as f64 / 7.0),
                smoothed: if i == 49 {
                    f64::INFINITY
                } else {
                    1.0 / 3.0 + i as f64
                },
            })
            .collect();
        assert_eq!(read_csv(&csv(&points)), Some(points));
        assert_eq!(read_csv("step,lr,loss,smoothed_loss\n"), None, "no points");
        assert_eq!(read_csv("step,lr,loss\n0,1,2\n"), None, "another header");
        assert_eq!(read_csv("step,lr,loss,smoothed_loss\n0,1,x,2\n"), None);
    }

    #[test]
    fn rates_grow_exponentially_from_start_to_end() {
        assert_eq!(rate(1e-6, 10.0, 0, 200), 1e-6);
        assert!((rate(1e-6, 10.0, 199, 200) - 10.0).abs() < 1e-12);
        let ratio = rate(1e-6, 10.0, 51, 200) / rate(1e-6, 10.0, 50, 200);
        assert!((ratio - 1e7f64.powf(1.0 / 199.0)).abs() < 1e-12);
    }

    #[test]
    fn suggestions_read_the_curve() {
        // A loss flat at 2.3 up to 1e-3, falling linearly in log10(lr) to 0.3 at 1e-1, then
        // rising again: the minimum is at 0.1, the steepest fall inside the falling part.
        let points: Vec<Point> = (0..=60)
            .map(|i| {
                let lr = 10f64.powf(-6.0 + i as f64 / 10.0);
                let d = lr.log10();
                let loss = if d < -3.0 {
                    2.3
                } else if d <= -1.0 {
                    2.3 - (d + 3.0)
                } else {
                    0.3 + 5.0 * (d + 1.0)
                };
                Point {
                    lr,
                    loss,
                    smoothed: loss,
                }
            })
            .collect();
        let s = suggest(&points).unwrap();
        assert!((s.minimum - 0.1).abs() < 1e-9, "{s:?}");
        assert!(s.steepest > 1e-3 && s.steepest < 0.1, "{s:?}");
        assert!((s.max_lr - 0.01).abs() < 1e-9);
        assert!((s.base_lr - 0.0025).abs() < 1e-9);
    }
}
