//! REX, the budgeted-training decay of Chen et al.

use serde::{Deserialize, Serialize};

use crate::Schedule;
use crate::error::{Check, ScheduleError};

/// `kind = "rex"` (Chen, Wolfe & Kyrillidis, "REX: Revisiting Budgeted Training with an Improved
/// Schedule", MLSys 2022): with `p = min(t, T) / T`,
/// `lr = min_lr + (max_lr − min_lr) · (1 − p) / (1 − p/2)`; it stays at `min_lr` after `T`.
///
/// The profile falls slowly at first and fast at the end: at `p = ½` it is still at ⅔ of the
/// way from `min_lr` to `max_lr`, where linear decay is at ½.
///
/// Counterparts: none in PyTorch, Keras or optax; the paper's reference code.
///
/// ```
/// use burn_lr_schedules::{Rex, Schedule};
/// let s = Rex { max_lr: 1.0, min_lr: 0.0, total_steps: 100 };
/// assert_eq!(s.lr(0), 1.0);
/// assert!((s.lr(50) - 2.0 / 3.0).abs() < 1e-15);
/// assert_eq!(s.lr(100), 0.0);
/// assert_eq!(s.lr(500), 0.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rex {
    /// The rate at step 0.
    pub max_lr: f64,
    /// The rate from `total_steps` on (default 0).
    #[serde(default)]
    pub min_lr: f64,
    /// Steps of the decay (`T`).
    pub total_steps: u64,
}

impl Schedule for Rex {
    fn lr(&self, t: u64) -> f64 {
        let p = t.min(self.total_steps) as f64 / self.total_steps as f64;
        self.min_lr + (self.max_lr - self.min_lr) * (1.0 - p) / (1.0 - p / 2.0)
    }

    fn bounds(&self) -> (f64, f64) {
        (self.min_lr, self.max_lr)
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("rex");
        c.positive("max_lr", self.max_lr)?;
        c.non_negative("min_lr", self.min_lr)?;
        c.at_least("max_lr", self.max_lr, "min_lr", self.min_lr)?;
        c.steps("total_steps", self.total_steps)
    }
}
