//! The trait every policy implements: its rate, bounds, checks and momentum.

use crate::error::ScheduleError;

/// A learning-rate policy: `lr(t)` for the step that follows `t` earlier steps.
///
/// Implemented by every policy struct and by [`ScheduleConfig`](crate::ScheduleConfig). `lr` is
/// defined for parameters that pass [`validate`](Schedule::validate); [`Policy`](crate::Policy)
/// guarantees that.
///
/// ```
/// use burn_lr_schedules::{Linear, Schedule};
/// let l = Linear { start_lr: 0.0, end_lr: 1.0, total_steps: 10 };
/// assert!(l.validate().is_ok());
/// assert_eq!(l.bounds(), (0.0, 1.0));
/// assert_eq!(l.lr(3), 0.3);
/// ```
pub trait Schedule {
    /// The learning rate at step `t`.
    fn lr(&self, t: u64) -> f64;
    /// An interval `(low, high)` that holds `lr(t)` for every `t`.
    fn bounds(&self) -> (f64, f64);
    /// Checks every parameter, naming the first one at fault.
    fn validate(&self) -> Result<(), ScheduleError>;
    /// The optimizer's momentum (SGD's `momentum`, Adam's β1) at step `t`, for the policies that
    /// cycle it (`one_cycle`, `cyclical`, as PyTorch's `cycle_momentum`); `None` where the
    /// policy leaves the optimizer's own momentum in force.
    fn momentum(&self, _t: u64) -> Option<f64> {
        None
    }
    /// Whether [`momentum`](Schedule::momentum) is `Some` at any step.
    fn cycles_momentum(&self) -> bool {
        false
    }
}
