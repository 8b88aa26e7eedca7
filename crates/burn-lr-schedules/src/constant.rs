//! A fixed learning rate.

use serde::{Deserialize, Serialize};

use crate::Schedule;
use crate::error::{Check, ScheduleError};

/// `kind = "constant"`: `lr(t) = lr`.
///
/// Counterparts: a plain float in PyTorch, Keras and optax (`optax.constant_schedule`).
///
/// ```
/// use burn_lr_schedules::{Constant, Schedule};
/// let c = Constant { lr: 0.01 };
/// assert_eq!(c.lr(0), 0.01);
/// assert_eq!(c.lr(1_000_000), 0.01);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constant {
    /// The learning rate, at every step.
    pub lr: f64,
}

impl Schedule for Constant {
    fn lr(&self, _t: u64) -> f64 {
        self.lr
    }

    fn bounds(&self) -> (f64, f64) {
        (self.lr, self.lr)
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        Check("constant").positive("lr", self.lr)
    }
}
