//! Smooth decays in `t`: exponential and inverse-time.

use serde::{Deserialize, Serialize};

use crate::Schedule;
use crate::error::{Check, ScheduleError};

/// `kind = "exponential"`: `lr(t) = initial_lr · e^(−decay_rate · t)`.
///
/// Counterparts: PyTorch `ExponentialLR(gamma)` with `gamma = e^(−decay_rate)`, Keras
/// `ExponentialDecay`, optax `exponential_decay`.
///
/// ```
/// use burn_lr_schedules::{Exponential, Schedule};
/// let s = Exponential { initial_lr: 2.0, decay_rate: 0.1 };
/// assert_eq!(s.lr(0), 2.0);
/// assert!((s.lr(10) - 2.0 * (-1.0f64).exp()).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exponential {
    /// The learning rate at step 0.
    pub initial_lr: f64,
    /// `k` in `e^(−k·t)`; 0 keeps the rate constant.
    pub decay_rate: f64,
}

impl Schedule for Exponential {
    fn lr(&self, t: u64) -> f64 {
        self.initial_lr * (-self.decay_rate * t as f64).exp()
    }

    fn bounds(&self) -> (f64, f64) {
        (0.0, self.initial_lr)
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("exponential");
        c.positive("initial_lr", self.initial_lr)?;
        c.non_negative("decay_rate", self.decay_rate)
    }
}

/// `kind = "inverse_time"`: `lr(t) = initial_lr / (1 + decay_rate · t / decay_steps)`, with
/// `⌊t / decay_steps⌋` in place of `t / decay_steps` when `staircase` is set.
///
/// Counterparts: Keras `InverseTimeDecay`; the reference text's `η₀/(1+α·t)` is the default
/// `decay_steps = 1`.
///
/// ```
/// use burn_lr_schedules::{InverseTime, Schedule};
/// let s = InverseTime { initial_lr: 1.0, decay_rate: 0.5, decay_steps: 1, staircase: false };
/// assert_eq!(s.lr(2), 0.5);
/// let stairs = InverseTime { decay_steps: 10, staircase: true, ..s };
/// assert_eq!(stairs.lr(19), 1.0 / 1.5);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InverseTime {
    /// The learning rate at step 0.
    pub initial_lr: f64,
    /// `α` in `1/(1+α·t)`.
    pub decay_rate: f64,
    /// The unit `t` is counted in (default 1).
    #[serde(default = "crate::defaults::one_u64")]
    pub decay_steps: u64,
    /// Decay in whole units of `decay_steps` (default false).
    #[serde(default)]
    pub staircase: bool,
}

impl Schedule for InverseTime {
    fn lr(&self, t: u64) -> f64 {
        let units = if self.staircase {
            (t / self.decay_steps) as f64
        } else {
            t as f64 / self.decay_steps as f64
        };
        self.initial_lr / (1.0 + self.decay_rate * units)
    }

    fn bounds(&self) -> (f64, f64) {
        (0.0, self.initial_lr)
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("inverse_time");
        c.positive("initial_lr", self.initial_lr)?;
        c.non_negative("decay_rate", self.decay_rate)?;
        c.steps("decay_steps", self.decay_steps)
    }
}
