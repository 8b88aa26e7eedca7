//! Reduce-on-plateau: the one policy driven by a metric rather than by the step count.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::Schedule;
use crate::error::{Check, ScheduleError};

/// Whether a lower or a higher metric is better (PyTorch's `mode`).
///
/// ```
/// assert_eq!(toml::from_str::<burn_lr_schedules::Plateau>("initial_lr = 1\nmode = 'max'").unwrap().mode,
///            burn_lr_schedules::PlateauMode::Max);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlateauMode {
    /// Lower is better (a loss).
    #[default]
    Min,
    /// Higher is better (an accuracy).
    Max,
}

/// How `threshold` measures a significant improvement (PyTorch's `threshold_mode`).
///
/// ```
/// let p: burn_lr_schedules::Plateau = toml::from_str("initial_lr = 1\nthreshold_mode = 'abs'").unwrap();
/// assert_eq!(p.threshold_mode, burn_lr_schedules::ThresholdMode::Abs);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdMode {
    /// Relative: better than `best · (1 ∓ threshold)`.
    #[default]
    Rel,
    /// Absolute: better than `best ∓ threshold`.
    Abs,
}

/// `kind = "plateau"`: start at `initial_lr`; each time the training loop reports a metric
/// (usually once per epoch) that has not improved on the best by `threshold` for more than
/// `patience` reports, multiply the rate by `factor` (not below `min_lr`), then ignore `cooldown`
/// reports.
///
/// Counterparts: PyTorch `ReduceLROnPlateau` with the same parameter names and semantics,
/// exactly (a reduction smaller than `eps` is skipped, as there); Keras `ReduceLROnPlateau`.
///
/// Burn's `LrScheduler::step()` carries no metric, so the loop reports through a
/// [`PlateauHandle`] taken from the [`Scheduler`](crate::Scheduler):
///
/// ```
/// use burn_optim::lr_scheduler::LrScheduler;
/// use burn_lr_schedules::ScheduleConfig;
///
/// let config: ScheduleConfig = toml::from_str(
///     "kind = 'plateau'\ninitial_lr = 0.1\npatience = 1",
/// ).unwrap();
/// let mut scheduler = config.build().unwrap();
/// let metric = scheduler.plateau().expect("a plateau scheduler has a handle");
/// for val_loss in [1.0, 0.5, 0.6, 0.6] {
///     // ... one epoch of `optim.step(scheduler.step(), ..)` calls ...
///     scheduler.step();
///     metric.report(val_loss);
/// }
/// assert!((scheduler.step() - 0.01).abs() < 1e-15); // two reports without improvement
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plateau {
    /// The rate until the first reduction.
    pub initial_lr: f64,
    /// `min` or `max` (default `min`).
    #[serde(default)]
    pub mode: PlateauMode,
    /// Multiplier on each reduction, in `(0, 1)` (default 0.1).
    #[serde(default = "default_factor")]
    pub factor: f64,
    /// Reports without improvement tolerated before a reduction (default 10).
    #[serde(default = "default_patience")]
    pub patience: u64,
    /// Smallest improvement that counts (default 1e-4).
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// `rel` or `abs` (default `rel`).
    #[serde(default)]
    pub threshold_mode: ThresholdMode,
    /// Reports ignored after a reduction (default 0).
    #[serde(default)]
    pub cooldown: u64,
    /// The rate is never reduced below this (default 0).
    #[serde(default)]
    pub min_lr: f64,
    /// Reductions smaller than this are skipped (default 1e-8, as in PyTorch).
    #[serde(default = "default_eps")]
    pub eps: f64,
}

fn default_factor() -> f64 {
    0.1
}
fn default_patience() -> u64 {
    10
}
fn default_threshold() -> f64 {
    1e-4
}
fn default_eps() -> f64 {
    1e-8
}

impl Schedule for Plateau {
    /// Without reported metrics the rate stays at `initial_lr`.
    fn lr(&self, _t: u64) -> f64 {
        self.initial_lr
    }

    fn bounds(&self) -> (f64, f64) {
        (self.min_lr.min(self.initial_lr), self.initial_lr)
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("plateau");
        c.positive("initial_lr", self.initial_lr)?;
        c.open_interval("factor", self.factor, 0.0, 1.0)?;
        c.non_negative("threshold", self.threshold)?;
        c.non_negative("min_lr", self.min_lr)?;
        c.non_negative("eps", self.eps)
    }
}

/// The state of a reduce-on-plateau scheduler, as PyTorch keeps it (`best`, `num_bad_epochs`,
/// `cooldown_counter`), carried by the scheduler record.
///
/// ```
/// let s = toml::from_str::<burn_lr_schedules::ScheduleConfig>("kind = 'plateau'\ninitial_lr = 0.1")
///     .unwrap().build().unwrap();
/// let handle = s.plateau().unwrap();
/// handle.report(0.5);
/// let state = handle.state();
/// assert_eq!((state.best, state.num_bad_epochs, state.reports), (0.5, 0, 1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlateauState {
    /// The current learning rate.
    pub lr: f64,
    /// The best metric reported so far (±∞ before the first).
    pub best: f64,
    /// Reports since the last improvement.
    pub num_bad_epochs: u64,
    /// Reports still to ignore after a reduction.
    pub cooldown_counter: u64,
    /// Number of reports so far.
    pub reports: u64,
}

impl PlateauState {
    fn new(config: &Plateau) -> Self {
        Self {
            lr: config.initial_lr,
            best: match config.mode {
                PlateauMode::Min => f64::INFINITY,
                PlateauMode::Max => f64::NEG_INFINITY,
            },
            num_bad_epochs: 0,
            cooldown_counter: 0,
            reports: 0,
        }
    }

    fn is_better(config: &Plateau, current: f64, best: f64) -> bool {
        let th = config.threshold;
        match (config.mode, config.threshold_mode) {
            (PlateauMode::Min, ThresholdMode::Rel) => current < best * (1.0 - th),
            (PlateauMode::Min, ThresholdMode::Abs) => current < best - th,
            (PlateauMode::Max, ThresholdMode::Rel) => current > best * (th + 1.0),
            (PlateauMode::Max, ThresholdMode::Abs) => current > best + th,
        }
    }

    /// PyTorch's `ReduceLROnPlateau.step(metric)`, line for line.
    fn report(&mut self, config: &Plateau, current: f64) {
        self.reports += 1;
        if Self::is_better(config, current, self.best) {
            self.best = current;
            self.num_bad_epochs = 0;
        } else {
            self.num_bad_epochs += 1;
        }
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.num_bad_epochs = 0;
        }
        if self.num_bad_epochs > config.patience {
            let new_lr = (self.lr * config.factor).max(config.min_lr);
            if self.lr - new_lr > config.eps {
                self.lr = new_lr;
            }
            self.cooldown_counter = config.cooldown;
            self.num_bad_epochs = 0;
        }
    }
}

/// The training loop's side of a reduce-on-plateau [`Scheduler`](crate::Scheduler): report a
/// metric with [`report`](Self::report); the scheduler's next `step()` returns the new rate.
///
/// Cloning the handle (or the scheduler) shares the same state, so the loop and the scheduler
/// held by Burn's `Learner` see one another.
///
/// For a plateau nested after a warm-up or as the last part of a `sequential`, reports made
/// before the plateau part has given a rate are ignored ([`is_active`](Self::is_active) is
/// false until then): the part's clock, like every nested part's, starts when it takes over.
///
/// ```
/// let s = toml::from_str::<burn_lr_schedules::ScheduleConfig>(
///     "kind = 'plateau'\ninitial_lr = 0.1\npatience = 0\nfactor = 0.5",
/// ).unwrap().build().unwrap();
/// let handle = s.plateau().unwrap();
/// handle.report(1.0);
/// handle.report(2.0); // worse: patience 0 reduces at once
/// assert_eq!(s.peek(), 0.05);
/// ```
#[derive(Debug, Clone)]
pub struct PlateauHandle {
    config: Arc<Plateau>,
    state: Arc<Mutex<PlateauState>>,
    active: Arc<AtomicBool>,
}

impl PlateauHandle {
    pub(crate) fn new(config: Plateau, active: bool) -> Self {
        let state = PlateauState::new(&config);
        Self {
            config: Arc::new(config),
            state: Arc::new(Mutex::new(state)),
            active: Arc::new(AtomicBool::new(active)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, PlateauState> {
        // The state is plain data, valid even if another thread panicked while holding it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reports a metric (e.g. the validation loss of the epoch just finished); ignored while
    /// the plateau part is not yet [active](Self::is_active).
    pub fn report(&self, metric: f64) {
        if self.is_active() {
            self.lock().report(&self.config, metric);
        }
    }

    /// Whether reports count: always for a top-level plateau; for a nested one, once the
    /// scheduler has returned a rate of the plateau part.
    pub fn is_active(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    pub(crate) fn set_active(&self, active: bool) {
        self.active.store(active, Ordering::Relaxed);
    }

    /// The current state.
    pub fn state(&self) -> PlateauState {
        *self.lock()
    }

    /// Replaces the state (used when a scheduler record is loaded).
    pub fn set_state(&self, state: PlateauState) {
        *self.lock() = state;
    }

    /// The current learning rate.
    pub fn lr(&self) -> f64 {
        self.lock().lr
    }

    /// The configuration.
    pub fn config(&self) -> &Plateau {
        &self.config
    }
}
