//! One training run under Burn's own loop: `SupervisedTraining` launching a `Learner` whose
//! scheduler is a `burn_lr_schedules::Scheduler`, or Burn's `ModuleLrScheduler` with one per
//! parameter group.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use burn::data::dataloader::DataLoaderBuilder;
use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::{ModuleOptimizer, SgdConfig};
use burn::tensor::{Device, Tensor};
use burn_lr_schedules::learner::PlateauFeed;
use burn_lr_schedules::{PlateauHandle, Scheduler};
use burn_train::metric::store::{Aggregate, Direction, Split};
use burn_train::metric::{AccuracyMetric, LossMetric};
use burn_train::{Learner, MetricEarlyStoppingStrategy, StoppingCondition, SupervisedTraining};

use crate::data::Images;
use crate::model::Mlp;
use crate::recording::{PerParameter, Recording};
use crate::renderer::EpochLines;

/// What to train, and on which images of MNIST's training split.
#[derive(Debug, Clone)]
pub struct Run {
    /// The images trained on.
    pub train: Range<usize>,
    /// The images validated on after each epoch (held out from `train`).
    pub valid: Range<usize>,
    /// Images per optimizer step.
    pub batch_size: usize,
    /// Epochs.
    pub epochs: usize,
    /// Width of the hidden layer.
    pub hidden: usize,
    /// Seed of the training order.
    pub seed: u64,
    /// Stop when the validation loss has not improved for this many epochs (Burn's
    /// `MetricEarlyStoppingStrategy`); with a plateau schedule, both run after each epoch.
    pub stop_after_flat_epochs: Option<usize>,
}

impl Run {
    /// Optimizer steps per epoch (the last batch may be smaller).
    pub fn steps_per_epoch(&self) -> usize {
        self.train.len().div_ceil(self.batch_size)
    }
}

/// What the loop did.
#[derive(Debug)]
pub struct Trained {
    /// The rate of each optimizer step, as the optimizer received it.
    pub rates: Vec<f64>,
    /// Why training ended early, if it did.
    pub interrupted: Option<String>,
}

/// What a run under per-group schedules did.
#[derive(Debug)]
pub struct GroupsTrained {
    /// The rates each parameter received, one per step, by its path in the model
    /// (`hidden.weight`, `output.bias`, …).
    pub rates: BTreeMap<String, Vec<f64>>,
    /// Why training ended early, if it did.
    pub interrupted: Option<String>,
}

/// Trains `run` under `scheduler` with SGD in Burn's `SupervisedTraining`, writing Burn's logs
/// into `dir`. A plateau schedule (`scheduler.plateau()`) is fed the mean validation loss after
/// every epoch. Returns the rates the optimizer was given, one per step, or a one-line error if
/// the optimizer's updates did not come in whole steps of one rate.
pub fn train(
    images: &Images,
    run: &Run,
    scheduler: Scheduler,
    dir: &Path,
) -> Result<Trained, String> {
    let model = Mlp::new(run.hidden, &Device::flex().autodiff());
    let mut params = CountParams(0);
    model.visit(&mut params);
    let optimizer = Recording::new(SgdConfig::new().build());
    let plateau = scheduler.plateau();
    let interrupted = launch(
        images,
        run,
        model,
        optimizer.clone().into(),
        scheduler.into(),
        plateau,
        dir,
    )?;
    let updates = optimizer.rates();
    let rates = per_step(&updates, params.0).ok_or_else(|| {
        format!(
            "{} updates of {} parameter tensors do not make whole steps of one rate",
            updates.len(),
            params.0
        )
    })?;
    Ok(Trained { rates, interrupted })
}

/// Trains `run` as [`train`] does, under Burn's per-parameter-group scheduler (the MLP's
/// parameters are `hidden.*` and `output.*`), recording the rate each parameter received.
pub fn train_groups(
    images: &Images,
    run: &Run,
    scheduler: ModuleLrScheduler,
    dir: &Path,
) -> Result<GroupsTrained, String> {
    let model = Mlp::new(run.hidden, &Device::flex().autodiff());
    let (optimizer, recorded) = PerParameter::new(&model, SgdConfig::new().build());
    let interrupted = launch(images, run, model, optimizer, scheduler, None, dir)?;
    Ok(GroupsTrained {
        rates: recorded.rates(),
        interrupted,
    })
}

/// Runs `SupervisedTraining`, feeding `plateau` the validation loss if given; returns why it
/// stopped early, if it did.
fn launch(
    images: &Images,
    run: &Run,
    model: Mlp,
    optimizer: ModuleOptimizer,
    scheduler: ModuleLrScheduler,
    plateau: Option<PlateauHandle>,
    dir: &Path,
) -> Result<Option<String>, String> {
    let train = DataLoaderBuilder::new(images.clone())
        .batch_size(run.batch_size)
        .shuffle(run.seed)
        .build(images.indices(run.train.clone()));
    let valid = DataLoaderBuilder::new(images.clone())
        .batch_size(run.batch_size)
        .build(images.indices(run.valid.clone()));

    let mut training = SupervisedTraining::new(dir, train, valid)
        .metric_train_numeric(LossMetric::new())
        .metric_valid_numeric(LossMetric::new())
        .metric_valid_numeric(AccuracyMetric::new())
        .with_application_logger(None)
        .renderer(Box::new(EpochLines::default()))
        .num_epochs(run.epochs)
        .summary();
    let stop = run.stop_after_flat_epochs.map(|n_epochs| {
        MetricEarlyStoppingStrategy::new(
            &LossMetric::new(),
            Aggregate::Mean,
            Direction::Lowest,
            Split::Valid,
            StoppingCondition::NoImprovementSince { n_epochs },
        )
    });
    match (plateau, stop) {
        (Some(handle), Some(stop)) => {
            let feed = PlateauFeed::valid_loss(handle).then_stop_early(stop);
            training = training.early_stopping(feed);
        }
        (Some(handle), None) => training = training.early_stopping(PlateauFeed::valid_loss(handle)),
        (None, Some(stop)) => training = training.early_stopping(stop),
        (None, None) => {}
    }

    let result = training.launch(Learner::new(model, optimizer, scheduler));
    if let Some(error) = result.error {
        return Err(format!("training failed: {error}"));
    }
    Ok(result.interrupted.map(|i| format!("{i:?}")))
}

/// Counts a model's parameter tensors: each optimizer step updates each of them once.
struct CountParams(usize);

impl ModuleVisitor for CountParams {
    fn visit_float<const D: usize>(&mut self, _param: &Param<Tensor<D>>) {
        self.0 += 1;
    }
}

/// Folds per-parameter updates into one rate per step: blocks of `params` updates, each of one
/// rate.
fn per_step(updates: &[f64], params: usize) -> Option<Vec<f64>> {
    if params == 0 || !updates.len().is_multiple_of(params) {
        return None;
    }
    updates
        .chunks(params)
        .map(|block| block.iter().all(|&r| r == block[0]).then_some(block[0]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::per_step;

    #[test]
    fn per_step_needs_whole_blocks_of_one_rate() {
        assert_eq!(per_step(&[1.0, 1.0, 0.5, 0.5], 2), Some(vec![1.0, 0.5]));
        assert_eq!(per_step(&[1.0, 1.0, 0.5], 2), None);
        assert_eq!(per_step(&[1.0, 0.5, 0.5, 0.5], 2), None);
        assert_eq!(per_step(&[], 2), Some(vec![]));
        assert_eq!(per_step(&[1.0], 0), None);
    }
}
