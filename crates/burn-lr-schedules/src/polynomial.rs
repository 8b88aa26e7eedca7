//! Decays that reach their end value after a fixed number of steps: polynomial and linear.

use serde::{Deserialize, Serialize};

use crate::Schedule;
use crate::error::{Check, ScheduleError};

/// `kind = "polynomial"`: `lr(t) = (initial_lr − end_lr) · (1 − s/D)^power + end_lr`.
///
/// Without `cycle`, `s = min(t, total_steps)` and `D = total_steps`, so the rate stays at
/// `end_lr` after `total_steps`. With `cycle`, `s = t` and
/// `D = total_steps · max(1, ⌈t / total_steps⌉)`: each period restarts lower, as in Keras.
///
/// Counterparts: Keras `PolynomialDecay` (same parameters), PyTorch `PolynomialLR(total_iters,
/// power)` (the case `end_lr = 0`), optax `polynomial_schedule`.
///
/// ```
/// use burn_lr_schedules::{Polynomial, Schedule};
/// let p = Polynomial { initial_lr: 1.0, end_lr: 0.0, power: 2.0, total_steps: 10, cycle: false };
/// assert_eq!(p.lr(5), 0.25);
/// assert_eq!(p.lr(10), 0.0);
/// assert_eq!(p.lr(50), 0.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Polynomial {
    /// The learning rate at step 0.
    pub initial_lr: f64,
    /// The learning rate reached at `total_steps` (default 0).
    #[serde(default)]
    pub end_lr: f64,
    /// The exponent; 1 is a straight line (default 1).
    #[serde(default = "crate::defaults::one_f64")]
    pub power: f64,
    /// Steps from `initial_lr` to `end_lr`.
    pub total_steps: u64,
    /// Restart from a lower peak every `total_steps` (default false).
    #[serde(default)]
    pub cycle: bool,
}

impl Schedule for Polynomial {
    fn lr(&self, t: u64) -> f64 {
        // 1 − s/D as (D − s)/D with D − s in integers, so it never dips below 0 for huge t.
        let (s, d) = if self.cycle {
            let periods = t.div_ceil(self.total_steps).max(1);
            (t as u128, self.total_steps as u128 * periods as u128)
        } else {
            (t.min(self.total_steps) as u128, self.total_steps as u128)
        };
        let remaining = (d - s) as f64 / d as f64;
        (self.initial_lr - self.end_lr) * remaining.powf(self.power) + self.end_lr
    }

    fn bounds(&self) -> (f64, f64) {
        (
            self.initial_lr.min(self.end_lr),
            self.initial_lr.max(self.end_lr),
        )
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("polynomial");
        c.positive("initial_lr", self.initial_lr)?;
        c.non_negative("end_lr", self.end_lr)?;
        c.positive("power", self.power)?;
        c.steps("total_steps", self.total_steps)
    }
}

/// `kind = "linear"`: a straight line from `start_lr` at step 0 to `end_lr` at `total_steps`,
/// then `end_lr`: `lr(t) = start_lr + (end_lr − start_lr) · min(t, T) / T`.
///
/// Counterparts: PyTorch `LinearLR(start_factor, end_factor, total_iters)` with
/// `start_lr = base · start_factor`, optax `linear_schedule`. It also warms up when
/// `end_lr > start_lr`.
///
/// ```
/// use burn_lr_schedules::{Linear, Schedule};
/// let l = Linear { start_lr: 0.1, end_lr: 0.0, total_steps: 4 };
/// assert_eq!(l.lr(2), 0.05);
/// assert_eq!(l.lr(9), 0.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Linear {
    /// The learning rate at step 0.
    pub start_lr: f64,
    /// The learning rate from `total_steps` on.
    pub end_lr: f64,
    /// Steps from `start_lr` to `end_lr`.
    pub total_steps: u64,
}

impl Schedule for Linear {
    fn lr(&self, t: u64) -> f64 {
        if t >= self.total_steps {
            // Exactly end_lr, without the rounding of start + (end − start).
            return self.end_lr;
        }
        let frac = t as f64 / self.total_steps as f64;
        self.start_lr + (self.end_lr - self.start_lr) * frac
    }

    fn bounds(&self) -> (f64, f64) {
        (
            self.start_lr.min(self.end_lr),
            self.start_lr.max(self.end_lr),
        )
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("linear");
        c.non_negative("start_lr", self.start_lr)?;
        c.non_negative("end_lr", self.end_lr)?;
        if self.start_lr == 0.0 && self.end_lr == 0.0 {
            return Err(c.err(
                "end_lr",
                self.end_lr,
                "must be greater than 0 when start_lr is 0",
            ));
        }
        c.steps("total_steps", self.total_steps)
    }
}
