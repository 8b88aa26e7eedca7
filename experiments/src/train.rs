//! One training run: the data already on the device, batches drawn by index, the schedule
//! stepped once per optimizer step, the test set evaluated after every epoch.

use std::path::Path;
use std::time::Instant;

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device, Int, Tensor, TensorData};
use burn_optim::lr_scheduler::{LrScheduler, LrSchedulerRecord};
use schedules::{LossDecay, ScheduleConfig};

use crate::checkpoint::{self, Checkpoint};
use crate::model::{ModelKind, Net};
use crate::optim::OptimizerKind;
use crate::progress::Progress;
use crate::results;

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

/// Wall time of a run, resumed runs included: the seconds before the checkpoint plus those since.
struct Clock {
    started: Instant,
    before: f64,
}

impl Clock {
    fn seconds(&self) -> f64 {
        self.before + self.started.elapsed().as_secs_f64()
    }
}

/// Evaluates after `steps` steps, records the row in `out` (time included) and returns it.
fn evaluate_into(
    out: &mut Outcome,
    model: &Net,
    data: &DeviceData,
    epoch: u64,
    steps: u64,
    clock: &Clock,
) -> EpochRow {
    let eval_start = Instant::now();
    let (test_loss, test_accuracy) = evaluate(model, data);
    out.eval_seconds += eval_start.elapsed().as_secs_f64();
    let row = EpochRow {
        epoch,
        step: steps.saturating_sub(1),
        test_loss,
        test_accuracy,
        wall_seconds: clock.seconds(),
    };
    out.epochs.push(row.clone());
    row
}

/// Where a run keeps its checkpoint and partial metrics, and when it should stop early.
pub struct RunFiles<'a> {
    /// `checkpoint.bin`, written at the end of every epoch and when a run is stopped.
    pub checkpoint: &'a Path,
    /// `metrics.csv`, rewritten with every checkpoint so a stopped run still shows its curves.
    pub metrics: &'a Path,
    /// Continue from this checkpoint instead of starting afresh.
    pub resume: Option<Checkpoint>,
    /// Behave as if interrupted once this many steps are done (tests, and quick resumes).
    pub stop_after: Option<u64>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Every step trained (or the run diverged): the outcome is final.
    Finished,
    /// Stopped by a signal or `stop_after`; the checkpoint holds the state to resume from.
    Stopped,
}

/// The dropout seed of step `step`: reseeding the device before every step makes the masks a
/// function of (seed, step) alone, so a resumed run draws the masks an uninterrupted one would.
fn step_seed(seed: u64, step: u64) -> u64 {
    SplitMix64(seed ^ step.wrapping_mul(0xA24B_AED4_963E_E407)).next_u64()
}

/// The lock on the device's random generator, which every run on the device shares: taken to
/// reseed it or to draw initial weights, so that runs trained side by side (`--jobs`) do not
/// reseed it in the middle of another run's initialisation.
fn generator() -> std::sync::MutexGuard<'static, ()> {
    static GENERATOR: std::sync::Mutex<()> = std::sync::Mutex::new(());
    GENERATOR.lock().unwrap_or_else(|e| e.into_inner())
}

/// The mutable state of a run between steps.
struct Live {
    model: Net,
    optim: ModuleOptimizer,
    scheduler: schedules::Scheduler,
    out: Outcome,
    first_loss: Option<f64>,
    step: u64,
}

impl Live {
    fn checkpoint(
        &self,
        epoch: u64,
        epoch_rng: u64,
        epoch_done: bool,
        wall: f64,
    ) -> Result<Checkpoint, String> {
        let bad =
            |what: &str, e: String| format!("cannot save the {what} state for the checkpoint: {e}");
        let model = self
            .model
            .clone()
            .into_record()
            .into_bytes()
            .map_err(|e| bad("model", format!("{e:?}")))?;
        let optimizer = self
            .optim
            .into_bytes()
            .map_err(|e| bad("optimizer", format!("{e:?}")))?;
        let scheduler = self
            .scheduler
            .to_record()
            .into_bytes()
            .map_err(|e| bad("scheduler", format!("{e:?}")))?;
        Ok(Checkpoint {
            state: checkpoint::State {
                step: self.step,
                epoch,
                epoch_rng,
                epoch_done,
                first_loss: self.first_loss,
                eval_seconds: self.out.eval_seconds,
                wall_seconds: wall,
                images: self.out.images,
            },
            metrics: results::metrics_csv(&self.out),
            model: model.to_vec(),
            optimizer: optimizer.to_vec(),
            scheduler: scheduler.to_vec(),
        })
    }

    fn save(
        &self,
        files: &RunFiles,
        epoch: u64,
        epoch_rng: u64,
        epoch_done: bool,
        wall: f64,
    ) -> Result<(), String> {
        let c = self.checkpoint(epoch, epoch_rng, epoch_done, wall)?;
        // Metrics first: a checkpoint never claims rows that metrics.csv lacks.
        results::write_atomic(files.metrics, c.metrics.as_bytes())?;
        c.save(files.checkpoint)
    }
}

/// Trains one network under one schedule. `device` is the autodiff device the training data
/// lives on. Divergence ends the run early and is reported in the outcome, not as an error; a
/// stop request (signal or `stop_after`) saves a checkpoint and returns [`Ending::Stopped`].
pub fn train(
    spec: &RunSpec,
    data: &DeviceData,
    device: &Device,
    progress: &mut Progress,
    files: RunFiles,
) -> Result<(Outcome, Ending), String> {
    // Runs trained side by side share the device's generator: hold it while drawing the
    // initial weights, so they come from this run's seed alone.
    let init = generator();
    device.seed(spec.seed);
    let steps_per_epoch = data.n_train.div_ceil(spec.batch_size) as u64;
    let total_steps = (steps_per_epoch * spec.epochs).min(spec.max_steps.unwrap_or(u64::MAX));
    let policy = spec.schedule.policy().expect("validated before training");
    let loss_decay = spec
        .loss_decay
        .map(|s| LossDecay::new(s.policy().expect("validated before training")));
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    // Parameters initialise lazily: draw them now, from `spec.seed`, before the per-step
    // reseeding below takes over the generator.
    let model = Net::new(spec.model, device);
    let _ = model.clone().into_record();
    drop(init);
    let mut live = Live {
        model,
        optim: spec.optimizer.build(),
        scheduler: schedules::Scheduler::new(policy),
        out: Outcome::default(),
        first_loss: None,
        step: 0,
    };
    let mut rng = SplitMix64(spec.seed ^ 0x005E_ED0F_5A1E);
    let mut first_epoch = 0;
    let mut skip = 0;
    let mut elapsed_before = 0.0;
    if let Some(c) = &files.resume {
        let damaged = |what: &str| {
            format!(
                "{}: the checkpoint's {what} does not fit this run; delete the checkpoint to restart the run",
                files.checkpoint.display()
            )
        };
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(c.model.clone()))
            .map_err(|_| damaged("model"))?;
        live.model = live
            .model
            .try_load_record(record)
            .map_err(|_| damaged("model"))?;
        live.optim = spec
            .optimizer
            .build()
            .from_bytes(Bytes::from_bytes_vec(c.optimizer.clone()))
            .map_err(|_| damaged("optimizer state"))?;
        let record = LrSchedulerRecord::from_bytes(Bytes::from_bytes_vec(c.scheduler.clone()))
            .map_err(|_| damaged("scheduler record"))?;
        live.scheduler.load_record(record);
        let (steps, epochs) = results::parse_metrics(&c.metrics).map_err(|_| damaged("metrics"))?;
        live.out.steps = steps;
        live.out.epochs = epochs;
        live.out.eval_seconds = c.state.eval_seconds;
        live.out.images = c.state.images;
        live.first_loss = c.state.first_loss;
        live.step = c.state.step;
        rng = SplitMix64(c.state.epoch_rng);
        first_epoch = c.state.epoch;
        if c.state.epoch_done {
            rng.permutation(data.n_train);
            first_epoch += 1;
        } else {
            skip = (c.state.step - c.state.epoch * steps_per_epoch) as usize;
        }
        elapsed_before = c.state.wall_seconds;
    }
    let clock = Clock {
        started: Instant::now(),
        before: elapsed_before,
    };
    let plateau = live.scheduler.plateau();
    progress.start(spec.name, total_steps);
    let mut ending = Ending::Finished;
    'epochs: for epoch in first_epoch..spec.epochs {
        let epoch_rng = rng.0;
        let order = rng.permutation(data.n_train);
        for batch in order
            .chunks(spec.batch_size)
            .skip(std::mem::take(&mut skip))
        {
            if live.step >= total_steps {
                break 'epochs;
            }
            let step = live.step;
            {
                let _generator = generator();
                device.seed(step_seed(spec.seed, step));
            }
            let index =
                Tensor::<1, Int>::from_data(TensorData::new(batch.to_vec(), [batch.len()]), device);
            let x = data.train_x.clone().select(0, index.clone());
            let y = data.train_y.clone().select(0, index);
            let loss = loss_fn.forward(live.model.forward(x), y);
            let loss_value = loss.clone().into_scalar::<f32>() as f64;
            let lr = live.scheduler.step();
            live.out.steps.push(StepRow {
                step,
                epoch,
                lr,
                train_loss: loss_value,
            });
            let first = *live.first_loss.get_or_insert(loss_value);
            if !loss_value.is_finite() || loss_value > EXPLODED * first.max(1e-3) {
                live.out.diverged_at = Some(step);
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
            let grads = GradientsParams::from_grads(loss.backward(), &live.model);
            live.model = live.optim.step(lr, live.model, grads);
            live.out.images += batch.len() as u64;
            live.step += 1;
            progress.step(live.step, epoch, lr, loss_value);
            if checkpoint::stop_requested() || files.stop_after == Some(live.step) {
                live.save(&files, epoch, epoch_rng, false, clock.seconds())?;
                progress.note(&format!(
                    "{}: stopped after step {}; checkpoint saved",
                    spec.name, live.step
                ));
                ending = Ending::Stopped;
                break 'epochs;
            }
        }
        let row = evaluate_into(&mut live.out, &live.model, data, epoch, live.step, &clock);
        if let Some(handle) = &plateau {
            handle.report(row.test_loss);
        }
        progress.epoch(epoch, row.test_loss, row.test_accuracy);
        if epoch + 1 < spec.epochs && live.step < total_steps {
            live.save(&files, epoch, epoch_rng, true, clock.seconds())?;
        }
    }
    let mut out = live.out;
    if ending == Ending::Finished && out.epochs.last().is_none_or(|e| e.step + 1 != live.step) {
        // Stopped mid-epoch (divergence or --max-steps): evaluate the model as it was when the
        // run stopped, so every run has a final accuracy.
        let epoch = out.steps.last().map_or(0, |s| s.epoch);
        evaluate_into(&mut out, &live.model, data, epoch, live.step, &clock);
    }
    out.train_seconds = clock.seconds() - out.eval_seconds;
    progress.finish();
    Ok((out, ending))
}
