//! One training run: the data already on the device, batches drawn by index, the schedule
//! stepped once per optimizer step, the test set evaluated after every epoch.

use std::time::Instant;

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Int, Tensor, TensorData};
use burn_optim::lr_scheduler::LrScheduler;
use schedules::{LossDecay, ScheduleConfig};

use crate::model::{ModelKind, Net};
use crate::optim::OptimizerKind;
use crate::progress::Progress;

/// The whole data set as tensors on the training device: batches are gathered by index, so no
/// image is copied on the host or sent to the device again during training.
pub struct DeviceData {
    pub train_x: Tensor<4>,
    pub train_y: Tensor<1, Int>,
    pub test_x: Tensor<4>,
    pub test_y: Tensor<1, Int>,
    pub n_train: usize,
    pub n_test: usize,
}

/// MNIST's usual normalisation (and Fashion-MNIST's own statistics).
pub fn normalisation(fashion: bool) -> (f32, f32) {
    if fashion {
        (0.2860, 0.3530)
    } else {
        (0.1307, 0.3081)
    }
}

impl DeviceData {
    /// Uploads the images, normalised, to `train_device` (training) and `test_device` (evaluation).
    pub fn new(
        data: &mnist::Data,
        fashion: bool,
        train_device: &Device,
        test_device: &Device,
    ) -> Self {
        let (mean, std) = normalisation(fashion);
        let images = |split: &mnist::Split, device: &Device| {
            let pixels: Vec<f32> = split
                .images
                .iter()
                .map(|&p| (p as f32 / 255.0 - mean) / std)
                .collect();
            Tensor::<4>::from_data(
                TensorData::new(pixels, [split.count, 1, split.rows, split.cols]),
                device,
            )
        };
        let labels = |split: &mnist::Split, device: &Device| {
            let l: Vec<i64> = split.labels.iter().map(|&l| l as i64).collect();
            Tensor::<1, Int>::from_data(TensorData::new(l, [split.count]), device)
        };
        Self {
            train_x: images(&data.train, train_device),
            train_y: labels(&data.train, train_device),
            test_x: images(&data.test, test_device),
            test_y: labels(&data.test, test_device),
            n_train: data.train.count,
            n_test: data.test.count,
        }
    }
}

/// What a run needs beyond the data.
pub struct RunSpec<'a> {
    pub name: &'a str,
    pub schedule: &'a ScheduleConfig,
    pub loss_decay: Option<&'a ScheduleConfig>,
    pub model: ModelKind,
    pub optimizer: OptimizerKind,
    pub epochs: u64,
    pub batch_size: usize,
    pub seed: u64,
    /// Stop after this many steps (for tests and quick looks).
    pub max_steps: Option<u64>,
}

/// One optimizer step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRow {
    pub step: u64,
    pub epoch: u64,
    pub lr: f64,
    pub train_loss: f64,
}

/// One evaluation on the test set, after the step `step`.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochRow {
    pub epoch: u64,
    pub step: u64,
    pub test_loss: f64,
    pub test_accuracy: f64,
    pub wall_seconds: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub steps: Vec<StepRow>,
    pub epochs: Vec<EpochRow>,
    /// The step at which the loss became non-finite or exploded, if it did.
    pub diverged_at: Option<u64>,
    /// Seconds spent in training steps, evaluation excluded.
    pub train_seconds: f64,
    /// Seconds spent evaluating on the test set.
    pub eval_seconds: f64,
    /// Images the training steps went through.
    pub images: u64,
}

/// A loss this many times the first one means the run has diverged.
const EXPLODED: f64 = 1e3;

/// A small, seedable generator (SplitMix64) for the shuffle: stable across versions and
/// platforms, so a seed means the same order everywhere.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Fisher–Yates shuffle of `0..n`.
    pub fn permutation(&mut self, n: usize) -> Vec<i64> {
        let mut p: Vec<i64> = (0..n as i64).collect();
        for i in (1..n).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            p.swap(i, j);
        }
        p
    }
}

/// Test loss and accuracy of `model` on the whole test set, in chunks.
pub fn evaluate(model: &Net, data: &DeviceData) -> (f64, f64) {
    let model = model.valid();
    let device = data.test_x.device();
    let loss_fn = CrossEntropyLossConfig::new().init(&device);
    let (mut loss_sum, mut correct) = (0.0f64, 0i64);
    let chunk = 1000;
    let mut start = 0;
    while start < data.n_test {
        let end = (start + chunk).min(data.n_test);
        let x = data.test_x.clone().slice(start..end);
        let y = data.test_y.clone().slice(start..end);
        let logits = model.forward(x);
        let loss: f32 = loss_fn.forward(logits.clone(), y.clone()).into_scalar();
        loss_sum += loss as f64 * (end - start) as f64;
        let predicted = logits.argmax(1).squeeze_dim::<1>(1);
        correct += predicted.equal(y).int().sum().into_scalar::<i64>();
        start = end;
    }
    (
        loss_sum / data.n_test as f64,
        correct as f64 / data.n_test as f64,
    )
}

/// Evaluates after `steps` steps, records the row in `out` (time included) and returns it.
fn evaluate_into(
    out: &mut Outcome,
    model: &Net,
    data: &DeviceData,
    epoch: u64,
    steps: u64,
    started: Instant,
) -> EpochRow {
    let eval_start = Instant::now();
    let (test_loss, test_accuracy) = evaluate(model, data);
    out.eval_seconds += eval_start.elapsed().as_secs_f64();
    let row = EpochRow {
        epoch,
        step: steps.saturating_sub(1),
        test_loss,
        test_accuracy,
        wall_seconds: started.elapsed().as_secs_f64(),
    };
    out.epochs.push(row.clone());
    row
}

/// Trains one network under one schedule. `device` is the autodiff device the training data
/// lives on. Divergence ends the run early and is reported in the outcome, not as an error.
pub fn train(
    spec: &RunSpec,
    data: &DeviceData,
    device: &Device,
    progress: &mut Progress,
) -> Outcome {
    device.seed(spec.seed);
    let mut model = Net::new(spec.model, device);
    let mut optim = spec.optimizer.build();
    let steps_per_epoch = data.n_train.div_ceil(spec.batch_size) as u64;
    let total_steps = (steps_per_epoch * spec.epochs).min(spec.max_steps.unwrap_or(u64::MAX));
    let policy = spec.schedule.policy().expect("validated before training");
    let mut scheduler = schedules::Scheduler::new(policy);
    let plateau = scheduler.plateau();
    let loss_decay = spec
        .loss_decay
        .map(|s| LossDecay::new(s.policy().expect("validated before training")));
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    let mut rng = SplitMix64(spec.seed ^ 0x005E_ED0F_5A1E);
    let mut out = Outcome::default();
    let started = Instant::now();
    let mut first_loss = None;
    progress.start(spec.name, total_steps);
    let mut step = 0u64;
    'epochs: for epoch in 0..spec.epochs {
        let order = rng.permutation(data.n_train);
        for batch in order.chunks(spec.batch_size) {
            if step >= total_steps {
                break 'epochs;
            }
            let index =
                Tensor::<1, Int>::from_data(TensorData::new(batch.to_vec(), [batch.len()]), device);
            let x = data.train_x.clone().select(0, index.clone());
            let y = data.train_y.clone().select(0, index);
            let loss = loss_fn.forward(model.forward(x), y);
            let loss_value = loss.clone().into_scalar::<f32>() as f64;
            let lr = scheduler.step();
            out.steps.push(StepRow {
                step,
                epoch,
                lr,
                train_loss: loss_value,
            });
            let first = *first_loss.get_or_insert(loss_value);
            if !loss_value.is_finite() || loss_value > EXPLODED * first.max(1e-3) {
                out.diverged_at = Some(step);
                progress.note(&format!(
                    "{}: diverged at step {step} (loss {loss_value})",
                    spec.name
                ));
                break 'epochs;
            }
            let loss = match &loss_decay {
                Some(decay) => loss * decay.factor(step),
                None => loss,
            };
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(lr, model, grads);
            out.images += batch.len() as u64;
            step += 1;
            progress.step(step, epoch, lr, loss_value);
        }
        let row = evaluate_into(&mut out, &model, data, epoch, step, started);
        if let Some(handle) = &plateau {
            handle.report(row.test_loss);
        }
        progress.epoch(epoch, row.test_loss, row.test_accuracy);
    }
    if out.epochs.last().is_none_or(|e| e.step + 1 != step) {
        // Stopped mid-epoch (divergence or --max-steps): evaluate the model as it was when the
        // run stopped, so every run has a final accuracy.
        let epoch = out.steps.last().map_or(0, |s| s.epoch);
        evaluate_into(&mut out, &model, data, epoch, step, started);
    }
    out.train_seconds = started.elapsed().as_secs_f64() - out.eval_seconds;
    progress.finish();
    out
}
