//! The state of a run between steps, and how it is saved into a checkpoint, restored from one,
//! and given the losses as they are read back.

use std::path::Path;

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use burn_optim::lr_scheduler::{LrScheduler, LrSchedulerRecord};

use super::losses::Losses;
use super::readback;
use super::step::Learner;
use crate::checkpoint::{self, Checkpoint};
use crate::error::{Error, Result};
use crate::metrics::{self, Outcome};
use crate::plan::Settings;
use crate::progress::Progress;

/// The mutable state of a run between steps.
pub struct Live {
    pub learner: Learner,
    pub scheduler: burn_lr_schedules::Scheduler,
    pub out: Outcome,
    pub first_loss: Option<f64>,
    pub step: u64,
}

impl Live {
    pub fn checkpoint(
        &self,
        epoch: u64,
        epoch_rng: u64,
        epoch_done: bool,
        wall: f64,
    ) -> Result<Checkpoint> {
        let bad = |what: &str, e: String| {
            Error::new(format!(
                "cannot save the {what} state for the checkpoint: {e}"
            ))
        };
        let model = readback::counted(|| self.learner.model.clone().into_record().into_bytes())
            .map_err(|e| bad("model", format!("{e:?}")))?;
        let optimizer = (self.learner.optim)
            .to_bytes()
            .map_err(|e| bad("optimizer", e))?;
        let scheduler = (self.scheduler.to_record())
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
            metrics: metrics::to_csv(&self.out.steps, &self.out.evaluations),
            model: model.to_vec(),
            optimizer,
            scheduler: scheduler.to_vec(),
        })
    }

    /// Reads the pending losses into their step rows; true, with a note, when one of them
    /// diverged (the run then stops).
    pub fn read_losses(
        &mut self,
        losses: &mut Losses,
        progress: &mut Progress,
        name: &str,
    ) -> bool {
        let read = losses.read();
        let rows = self.out.steps.len() - read.values.len();
        for (row, &(step, value)) in self.out.steps[rows..].iter_mut().zip(&read.values) {
            debug_assert_eq!(row.step, step, "the pending losses are the last rows'");
            row.train_loss = value;
        }
        self.first_loss = losses.first();
        let Some((step, value)) = read.diverged_at else {
            return false;
        };
        self.out.diverged_at = Some(step);
        progress.note(&format!("{name}: diverged at step {step} (loss {value})"));
        true
    }

    /// Puts the state of checkpoint `c` in place.
    pub fn restore(&mut self, c: &Checkpoint, s: &Settings, path: &Path) -> Result<()> {
        let damaged = |what: &str| {
            Error::new(format!(
                "{}: the checkpoint's {what} does not fit this run; delete the checkpoint to restart the run",
                path.display()
            ))
        };
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(c.model.clone()))
            .map_err(|_| damaged("model"))?;
        let model = self.learner.model.clone();
        self.learner.model = model
            .try_load_record(record)
            .map_err(|_| damaged("model"))?;
        // A fresh optimizer of the same build (and its own momentum handle) takes the state.
        let cycled = self.learner.momentum.is_some();
        let (optim, handle) = s.optimizer.build_for(cycled);
        self.learner.optim = optim
            .load(&c.optimizer, &self.learner.model.devices()[0])
            .map_err(|_| damaged("optimizer state"))?;
        self.learner.momentum = handle;
        let record = LrSchedulerRecord::from_bytes(Bytes::from_bytes_vec(c.scheduler.clone()))
            .map_err(|_| damaged("scheduler record"))?;
        (self.scheduler.load_record_checked(record)).map_err(|_| damaged("scheduler record"))?;
        let (steps, epochs) = metrics::parse(&c.metrics).map_err(|_| damaged("metrics"))?;
        self.out.steps = steps;
        self.out.evaluations = epochs;
        self.out.eval_seconds = c.state.eval_seconds;
        self.out.images = c.state.images;
        self.first_loss = c.state.first_loss;
        self.step = c.state.step;
        Ok(())
    }
}
