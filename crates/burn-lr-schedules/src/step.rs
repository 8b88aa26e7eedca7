//! Piecewise-constant decay: every `step_size` steps, or at listed milestones.

use serde::{Deserialize, Serialize};

use crate::Schedule;
use crate::error::{Check, ScheduleError};

/// `kind = "step"`: `lr(t) = initial_lr · gamma^⌊t / step_size⌋`.
///
/// Counterparts: PyTorch `StepLR(step_size, gamma)`, Keras `ExponentialDecay(staircase=True)`.
/// `gamma` must lie in `(0, 1]`, so the rate never grows without bound.
///
/// ```
/// use burn_lr_schedules::{Schedule, Step};
/// let s = Step { initial_lr: 1.0, gamma: 0.5, step_size: 10 };
/// assert_eq!(s.lr(9), 1.0);
/// assert_eq!(s.lr(10), 0.5);
/// assert_eq!(s.lr(25), 0.25);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The learning rate before the first decay.
    pub initial_lr: f64,
    /// The factor applied every `step_size` steps.
    pub gamma: f64,
    /// Steps between two decays.
    pub step_size: u64,
}

impl Schedule for Step {
    fn lr(&self, t: u64) -> f64 {
        self.initial_lr * self.gamma.powf((t / self.step_size) as f64)
    }

    fn bounds(&self) -> (f64, f64) {
        (0.0, self.initial_lr)
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("step");
        c.positive("initial_lr", self.initial_lr)?;
        if !(self.gamma > 0.0 && self.gamma <= 1.0) {
            return Err(c.err("gamma", self.gamma, "must be greater than 0 and at most 1"));
        }
        c.steps("step_size", self.step_size)
    }
}

/// `kind = "multistep"`: `lr(t) = initial_lr · gamma^(number of milestones ≤ t)`.
///
/// Counterparts: PyTorch `MultiStepLR(milestones, gamma)` (a milestone listed twice applies
/// `gamma` twice, as there), Keras `PiecewiseConstantDecay`, optax
/// `piecewise_constant_schedule`.
///
/// ```
/// use burn_lr_schedules::{Multistep, Schedule};
/// let s = Multistep { initial_lr: 0.1, gamma: 0.1, milestones: vec![30, 80] };
/// assert_eq!(s.lr(29), 0.1);
/// assert!((s.lr(30) - 0.01).abs() < 1e-15);
/// assert!((s.lr(80) - 0.001).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Multistep {
    /// The learning rate before the first milestone.
    pub initial_lr: f64,
    /// The factor applied at each milestone.
    pub gamma: f64,
    /// Steps at which `gamma` is applied, sorted.
    pub milestones: Vec<u64>,
}

impl Schedule for Multistep {
    fn lr(&self, t: u64) -> f64 {
        let passed = self.milestones.partition_point(|&m| m <= t);
        self.initial_lr * self.gamma.powf(passed as f64)
    }

    fn bounds(&self) -> (f64, f64) {
        let last = self.lr(u64::MAX);
        (self.initial_lr.min(last), self.initial_lr.max(last))
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("multistep");
        c.positive("initial_lr", self.initial_lr)?;
        c.positive("gamma", self.gamma)?;
        c.sorted("milestones", &self.milestones, false)
    }
}
