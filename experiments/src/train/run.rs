//! One training run: batches in a seeded order, the schedule stepped once per optimizer step,
//! the validation set evaluated every `eval_every` steps and after every epoch, the test set
//! after every epoch, a checkpoint at every epoch's end, every `--checkpoint-every` steps (or
//! minute) and on a stop request, divergence detected from the losses as they are read back
//! (every `read_every` steps and before every evaluation and checkpoint).

use std::path::Path;
use std::time::Instant;

use burn::module::Module;
use burn::tensor::Device;
use burn_lr_schedules::LossDecay;
use burn_optim::lr_scheduler::LrScheduler;

use super::data::DeviceData;
use super::eval::{evaluate, validate};
use super::live::Live;
use super::losses::Losses;
use super::readback;
use super::step::{Learner, Shuffle, splitmix64};
use crate::checkpoint::Checkpoint;
use crate::error::{Ending, Error, Result};
use crate::fsio;
use crate::metrics::{EvalRow, Outcome, StepRow};
use crate::plan::{Planned, Settings};
use crate::progress::Progress;
use crate::signals;

/// Where a run keeps its checkpoint and partial metrics, and when it should stop early.
pub struct RunFiles<'a> {
    /// `checkpoint.bin`, written at the end of every epoch, every `checkpoint_every` steps (or
    /// minute) and when a run is stopped.
    pub checkpoint: &'a Path,
    /// `metrics.csv`, rewritten with every checkpoint so a stopped run still shows its curves.
    pub metrics: &'a Path,
    /// Continue from this checkpoint instead of starting afresh.
    pub resume: Option<Checkpoint>,
    /// Behave as if interrupted once this many steps are done (tests, and quick resumes).
    pub stop_after: Option<u64>,
    /// Stop every run after this many steps (for tests and quick looks).
    pub max_steps: Option<u64>,
    /// Save a checkpoint every this many steps besides the epochs' ends (`None`: once a
    /// minute of training has passed since the last).
    pub checkpoint_every: Option<u64>,
    /// Write the finished run's weights here (those it was evaluated at: x for schedule-free).
    pub model: Option<&'a Path>,
    /// Steps between reads of the training losses ([`Traffic`](crate::traffic::Traffic)).
    pub read_every: u64,
}

/// Training time between checkpoints when no step count is given: what a killed run loses.
const CHECKPOINT_SECONDS: f64 = 60.0;

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

/// Which sets an evaluation scores.
#[derive(Clone, Copy, PartialEq)]
enum Sets {
    /// The validation set alone: the points within an epoch.
    Validation,
    /// The validation and the test set: each epoch's end and the run's.
    Both,
}

/// Evaluates after `steps` steps, records the row in `out` (time included) and returns it.
fn evaluate_into(
    out: &mut Outcome,
    learner: &Learner,
    data: &DeviceData,
    (epoch, steps): (u64, u64),
    sets: Sets,
    clock: &Clock,
) -> EvalRow {
    let eval_start = Instant::now();
    let model = learner.evaluated();
    let (val_loss, val_accuracy) = validate(&model, data);
    let test = (sets == Sets::Both).then(|| evaluate(&model, data));
    out.eval_seconds += eval_start.elapsed().as_secs_f64();
    let row = EvalRow {
        epoch,
        step: steps.saturating_sub(1),
        val_loss: Some(val_loss),
        val_accuracy: Some(val_accuracy),
        test_loss: test.map(|t| t.0),
        test_accuracy: test.map(|t| t.1),
        wall_seconds: clock.seconds(),
    };
    out.evaluations.push(row.clone());
    row
}

/// The dropout seed of step `step`: reseeding the device before every step makes the masks a
/// function of (seed, step) alone, so a resumed run draws the masks an uninterrupted one would.
fn step_seed(seed: u64, step: u64) -> u64 {
    splitmix64(&mut (seed ^ step.wrapping_mul(0xA24B_AED4_963E_E407)))
}

/// The lock on the device's random generator, which every run on the device shares: taken to
/// reseed it or to draw initial weights, so that runs trained side by side (`--jobs`) do not
/// reseed it in the middle of another run's initialisation.
fn generator() -> std::sync::MutexGuard<'static, ()> {
    static GENERATOR: std::sync::Mutex<()> = std::sync::Mutex::new(());
    GENERATOR.lock().unwrap_or_else(|e| e.into_inner())
}

/// Writes `live`'s checkpoint and metrics to `files`.
fn save(
    live: &Live,
    files: &RunFiles,
    epoch: u64,
    epoch_rng: u64,
    epoch_done: bool,
    wall: f64,
) -> Result<()> {
    let c = live.checkpoint(epoch, epoch_rng, epoch_done, wall)?;
    // Metrics first: a checkpoint never claims rows that metrics.csv lacks.
    fsio::write_atomic(files.metrics, c.metrics.as_bytes())?;
    c.save(files.checkpoint)
}

/// Trains one network under one schedule. `device` is the autodiff device the training data
/// lives on. Divergence ends the run early and is reported in the outcome, not as an error; a
/// stop request (signal or `stop_after`) saves a checkpoint and returns [`Ending::Stopped`].
pub fn train(
    run: &Planned,
    s: &Settings,
    data: &DeviceData,
    device: &Device,
    progress: &mut Progress,
    files: RunFiles,
) -> Result<(Outcome, Ending)> {
    let seed = run.seed_in(s);
    // Runs trained side by side share the device's generator: hold it while drawing the
    // initial weights, so they come from this run's seed alone.
    let init = generator();
    device.seed(seed);
    let steps_per_epoch = s.steps_per_epoch(data.n_train);
    let total_steps = s.total_steps(data.n_train, files.max_steps);
    let eval_every = s.eval_every(data.n_train);
    let policy = run.schedule.policy().expect("validated before training");
    let loss_decay = (run.loss_decay.as_ref())
        .map(|d| LossDecay::new(d.policy().expect("validated before training")));
    let cycled = policy.cycles_momentum() && s.optimizer.takes_momentum();
    let learner = Learner::new(s.model, s.optimizer, cycled, device);
    // A GPU queues the drawing: wait for it while the generator is still this run's.
    device.sync().map_err(|e| {
        Error::new(format!(
            "the device failed while drawing the initial weights: {e:?}"
        ))
    })?;
    drop(init);
    let mut live = Live {
        learner,
        scheduler: burn_lr_schedules::Scheduler::new(policy),
        out: Outcome::default(),
        first_loss: None,
        step: 0,
    };
    let mut rng = Shuffle::new(seed);
    let mut first_epoch = 0;
    let mut skip = 0;
    let mut elapsed_before = 0.0;
    if let Some(c) = &files.resume {
        live.restore(c, s, files.checkpoint)?;
        rng = Shuffle(c.state.epoch_rng);
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
    let mut losses = Losses::new(files.read_every, live.first_loss);
    // Only dropout draws from the generator during training; reseeding drains a GPU's queue.
    let reseed = s.model.has_dropout();
    let plateau = live.scheduler.plateau();
    let mut saved_at = clock.seconds();
    progress.start(&run.name, total_steps);
    let mut ending = Ending::Finished;
    'epochs: for epoch in first_epoch..s.epochs {
        let epoch_rng = rng.0;
        let order = rng.permutation(data.n_train);
        for batch in order.chunks(s.batch_size).skip(std::mem::take(&mut skip)) {
            if live.step >= total_steps {
                break 'epochs;
            }
            let step = live.step;
            if reseed {
                let _generator = generator();
                device.seed(step_seed(seed, step));
            }
            let loss = live.learner.loss(data.batch(batch, device));
            let momentum = (live.learner).set_momentum(live.scheduler.policy(), step);
            let lr = live.scheduler.step();
            live.out.steps.push(StepRow {
                step,
                epoch,
                lr,
                momentum,
                estimate: None,
                train_loss: f64::NAN,
            });
            // Read before this step's update: a diverging step found here is never applied.
            if losses.push(step, &loss.tensor) && live.read_losses(&mut losses, progress, &run.name)
            {
                break 'epochs;
            }
            let scale = loss_decay.as_ref().map(|d| d.factor(step));
            live.learner = live.learner.update(loss, lr, scale);
            if let Some(row) = live.out.steps.last_mut() {
                row.estimate = live.learner.optim.estimate();
            }
            live.out.images += batch.len() as u64;
            live.step += 1;
            progress.step(live.step, epoch, lr, losses.last());
            // A point within the epoch; the epoch's end and the run's are evaluated below.
            let ends_epoch = live.step.is_multiple_of(steps_per_epoch) || live.step >= total_steps;
            let evaluates = eval_every.is_some_and(|n| live.step.is_multiple_of(n)) && !ends_epoch;
            let stops = signals::stop_requested() || files.stop_after == Some(live.step);
            let now = clock.seconds();
            let due = !ends_epoch
                && match files.checkpoint_every {
                    Some(n) => live.step.is_multiple_of(n),
                    None => now - saved_at >= CHECKPOINT_SECONDS,
                };
            if (evaluates || stops || due) && live.read_losses(&mut losses, progress, &run.name) {
                break 'epochs;
            }
            if evaluates {
                let at = (epoch, live.step);
                evaluate_into(
                    &mut live.out,
                    &live.learner,
                    data,
                    at,
                    Sets::Validation,
                    &clock,
                );
            }
            if stops {
                save(&live, &files, epoch, epoch_rng, false, clock.seconds())?;
                progress.note(&format!(
                    "{}: stopped after step {}; checkpoint saved",
                    run.name, live.step
                ));
                ending = Ending::Stopped;
                break 'epochs;
            }
            if due {
                // Mid-epoch, as a stop saves it; the epoch's end saves its own below.
                save(&live, &files, epoch, epoch_rng, false, now)?;
                saved_at = now;
            }
        }
        if live.read_losses(&mut losses, progress, &run.name) {
            break 'epochs;
        }
        let at = (epoch, live.step);
        let row = evaluate_into(&mut live.out, &live.learner, data, at, Sets::Both, &clock);
        // Reduce-on-plateau follows the validation loss, never the test set's.
        if let (Some(handle), Some(val_loss)) = (&plateau, row.val_loss) {
            handle.report(val_loss);
        }
        progress.epoch(
            epoch,
            row.val_loss.unwrap_or(f64::NAN),
            row.val_accuracy.unwrap_or(f64::NAN),
        );
        if epoch + 1 < s.epochs && live.step < total_steps {
            save(&live, &files, epoch, epoch_rng, true, clock.seconds())?;
            saved_at = clock.seconds();
        }
    }
    // The losses of steps trained after the last read (a run cut short by --max-steps).
    live.read_losses(&mut losses, progress, &run.name);
    let mut out = live.out;
    let scored_last = (out.evaluations.last())
        .is_some_and(|e| e.step + 1 == live.step && e.test_accuracy.is_some());
    if ending == Ending::Finished && !scored_last {
        // Stopped mid-epoch (divergence or --max-steps): evaluate the model as it was when the
        // run stopped, so every run has a final accuracy.
        let at = (out.steps.last().map_or(0, |s| s.epoch), live.step);
        evaluate_into(&mut out, &live.learner, data, at, Sets::Both, &clock);
    }
    out.train_seconds = clock.seconds() - out.eval_seconds;
    if let (Ending::Finished, Some(path)) = (ending, files.model) {
        let bytes = readback::counted(|| live.learner.evaluated().into_record().into_bytes())
            .map_err(|e| Error::new(format!("cannot save the trained model: {e:?}")))?;
        fsio::write_atomic(path, &bytes)?;
    }
    progress.finish();
    Ok((out, ending))
}
