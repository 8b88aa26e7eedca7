//! Cosine annealing, once or with warm restarts (SGDR).

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use crate::Schedule;
use crate::error::{Check, ScheduleError};

/// `kind = "cosine"`: `lr(t) = min_lr + ½(max_lr − min_lr)(1 + cos(π · min(t, T) / T))` with
/// `T = total_steps`; it stays at `min_lr` after `T`.
///
/// Counterparts: PyTorch `CosineAnnealingLR(T_max, eta_min)` for `t ≤ T_max` (PyTorch rises
/// again after `T_max`; this one holds `min_lr`), Keras `CosineDecay`, optax
/// `cosine_decay_schedule`.
///
/// ```
/// use schedules::{Cosine, Schedule};
/// let c = Cosine { max_lr: 0.1, min_lr: 0.001, total_steps: 100 };
/// assert_eq!(c.lr(0), 0.1);
/// assert!((c.lr(50) - 0.0505).abs() < 1e-12);
/// assert_eq!(c.lr(100), 0.001);
/// assert_eq!(c.lr(500), 0.001);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cosine {
    /// The learning rate at step 0.
    pub max_lr: f64,
    /// The learning rate from `total_steps` on (default 0).
    #[serde(default)]
    pub min_lr: f64,
    /// Steps from `max_lr` down to `min_lr`.
    pub total_steps: u64,
}

/// The half cosine from `hi` at `pos = 0` to `lo` at `pos = len`, written as PyTorch writes it.
pub(crate) fn half_cosine(lo: f64, hi: f64, pos: f64, len: f64) -> f64 {
    lo + (hi - lo) * (1.0 + (PI * pos / len).cos()) / 2.0
}

impl Schedule for Cosine {
    fn lr(&self, t: u64) -> f64 {
        half_cosine(
            self.min_lr,
            self.max_lr,
            t.min(self.total_steps) as f64,
            self.total_steps as f64,
        )
    }

    fn bounds(&self) -> (f64, f64) {
        (self.min_lr, self.max_lr)
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("cosine");
        c.positive("max_lr", self.max_lr)?;
        c.non_negative("min_lr", self.min_lr)?;
        c.at_least("max_lr", self.max_lr, "min_lr", self.min_lr)?;
        c.steps("total_steps", self.total_steps)
    }
}

/// `kind = "cosine_restarts"` (SGDR, Loshchilov & Hutter): cosine annealing from `max_lr` to
/// `min_lr` over a cycle, then a jump back to `max_lr`. Cycle `i` lasts
/// `first_cycle_steps · cycle_mult^i` steps; within it, at position `t_cur` of `t_i`,
/// `lr = min_lr + (max_lr − min_lr)(1 + cos(π · t_cur / t_i)) / 2`.
///
/// Counterparts: PyTorch `CosineAnnealingWarmRestarts(T_0 = first_cycle_steps,
/// T_mult = cycle_mult, eta_min = min_lr)`, Keras `CosineDecayRestarts` (with `m_mul = 1`).
///
/// ```
/// use schedules::{CosineRestarts, Schedule};
/// let s = CosineRestarts { max_lr: 1.0, min_lr: 0.0, first_cycle_steps: 10, cycle_mult: 2 };
/// assert_eq!(s.lr(0), 1.0);
/// assert_eq!(s.lr(10), 1.0); // restart; the next cycle lasts 20 steps
/// assert!((s.lr(20) - 0.5).abs() < 1e-12);
/// assert_eq!(s.lr(30), 1.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CosineRestarts {
    /// The learning rate at the start of every cycle.
    pub max_lr: f64,
    /// The floor each cycle anneals towards (default 0).
    #[serde(default)]
    pub min_lr: f64,
    /// Length of the first cycle (`T_0`).
    pub first_cycle_steps: u64,
    /// Each cycle is this many times longer than the one before (`T_mult`, default 1).
    #[serde(default = "crate::defaults::one_u64")]
    pub cycle_mult: u64,
}

impl CosineRestarts {
    /// Position within the current cycle and that cycle's length, in integers so that cycle
    /// boundaries are exact.
    fn cycle_position(&self, t: u64) -> (u64, u64) {
        if self.cycle_mult == 1 {
            return (t % self.first_cycle_steps, self.first_cycle_steps);
        }
        let (mut pos, mut len) = (t, self.first_cycle_steps);
        while pos >= len {
            pos -= len;
            len = len.saturating_mul(self.cycle_mult);
        }
        (pos, len)
    }
}

impl Schedule for CosineRestarts {
    fn lr(&self, t: u64) -> f64 {
        let (pos, len) = self.cycle_position(t);
        half_cosine(self.min_lr, self.max_lr, pos as f64, len as f64)
    }

    fn bounds(&self) -> (f64, f64) {
        (self.min_lr, self.max_lr)
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("cosine_restarts");
        c.positive("max_lr", self.max_lr)?;
        c.non_negative("min_lr", self.min_lr)?;
        c.at_least("max_lr", self.max_lr, "min_lr", self.min_lr)?;
        c.steps("first_cycle_steps", self.first_cycle_steps)?;
        c.steps("cycle_mult", self.cycle_mult)
    }
}
