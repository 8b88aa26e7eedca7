//! Burn's own training loop (`burn-train`): what its `LrScheduler::step()` cannot carry.
//! Enabled by the `burn-train` feature.
//!
//! A [`Scheduler`](crate::Scheduler) goes into `burn_train::Learner::new` as any Burn scheduler
//! does; the loop calls `step()` once per optimizer step. Reduce-on-plateau also needs the
//! validation metric after each epoch, which Burn 0.22 passes to no scheduler: the one hook it
//! calls with the finished epoch's metrics is the early-stopping strategy, so [`PlateauFeed`] is
//! one (that never stops training unless it wraps a strategy that does).

use std::sync::{Arc, Mutex};

use burn_train::EarlyStoppingStrategy;
use burn_train::metric::store::{Aggregate, EventStoreClient, Split};
use burn_train::metric::{Metric, MetricName};

use crate::PlateauHandle;

/// Reports a metric of each finished epoch (by default the mean validation loss) to a
/// reduce-on-plateau schedule, inside `burn_train::SupervisedTraining`.
///
/// Give it to `SupervisedTraining::early_stopping`; Burn calls it after every epoch's validation,
/// once the epoch's metrics are logged, so the epoch that follows trains at the new rate, as
/// after PyTorch's `scheduler.step(val_loss)` at the end of an epoch. The metric must be
/// registered with the training (e.g. `metric_valid_numeric(LossMetric::new())`). An epoch
/// whose metric cannot be found is not reported (Burn logs a warning, as its own early stopping
/// does); [`PlateauState::reports`](crate::PlateauState::reports) counts the reports that arrived.
///
/// ```
/// use burn_train::metric::LossMetric;
/// use burn_lr_schedules::{learner::PlateauFeed, ScheduleConfig};
///
/// let config: ScheduleConfig =
///     toml::from_str("kind = 'plateau'\ninitial_lr = 0.1\npatience = 2").unwrap();
/// let scheduler = config.build().unwrap();
/// let feed = PlateauFeed::valid_loss(scheduler.plateau().expect("a plateau schedule"));
/// assert_eq!(feed.metric(), "Loss");
/// // SupervisedTraining::new(dir, train, valid)
/// //     .metric_valid_numeric(LossMetric::new())
/// //     .early_stopping(feed)
/// //     .launch(Learner::new(model, optimizer, scheduler));
/// # let _ = LossMetric::new();
/// ```
///
/// Clones share their state (the plateau's, and the early-stopping strategy's if any), as
/// clones of a [`Scheduler`](crate::Scheduler) do.
#[derive(Clone)]
pub struct PlateauFeed {
    handle: PlateauHandle,
    metric: MetricName,
    split: Split,
    then: Option<Arc<Mutex<dyn EarlyStoppingStrategy>>>,
}

impl PlateauFeed {
    /// Reports `metric`'s epoch mean on `split` to `handle`.
    pub fn new(handle: PlateauHandle, metric: &impl Metric, split: Split) -> Self {
        Self {
            handle,
            metric: metric.name(),
            split,
            then: None,
        }
    }

    /// Reports the mean validation loss (Burn's `LossMetric`) to `handle`.
    pub fn valid_loss(handle: PlateauHandle) -> Self {
        Self::new(handle, &burn_train::metric::LossMetric::new(), Split::Valid)
    }

    /// Also runs an early-stopping strategy after each report, since the training holds only
    /// one: training stops when `strategy` says so.
    pub fn then_stop_early(mut self, strategy: impl EarlyStoppingStrategy + 'static) -> Self {
        self.then = Some(Arc::new(Mutex::new(strategy)));
        self
    }

    /// The name of the metric reported.
    pub fn metric(&self) -> &str {
        &self.metric
    }
}

impl EarlyStoppingStrategy for PlateauFeed {
    fn should_stop(&mut self, epoch: usize, store: &EventStoreClient) -> bool {
        match store.find_metric(&self.metric, epoch, Aggregate::Mean, &self.split) {
            Some(value) => self.handle.report(value),
            None => log::warn!(
                "reduce-on-plateau: no {} metric \"{}\" for epoch {epoch}; register it with the training",
                self.split,
                self.metric
            ),
        }
        self.then.as_ref().is_some_and(|then| {
            // A strategy that panicked mid-call left no state worth refusing.
            let mut then = then.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            then.should_stop(epoch, store)
        })
    }
}
