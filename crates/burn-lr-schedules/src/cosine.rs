//! Cosine annealing, once or with warm restarts (SGDR).

use std::f64::consts::PI;
use std::fmt;

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
/// use burn_lr_schedules::{Cosine, Schedule};
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

/// `kind = "cosine_restarts"` (SGDR, Loshchilov & Hutter): cosine annealing from a peak to
/// `min_lr` over a cycle, then a jump back to the next peak. Cycle `i` lasts
/// `first_cycle_steps · cycle_mult^i` steps and peaks at `max_lr · cycle_decay^i`; within it, at
/// position `t_cur` of `t_i`, `lr = min_lr + (peak_i − min_lr)(1 + cos(π · t_cur / t_i)) / 2`.
/// After `cycle_limit` cycles (if set) the rate stays at `min_lr`.
///
/// `cycle_decay` lowers the peaks only, never `min_lr`, as timm does; a peak that falls below
/// `min_lr` makes that cycle rise from the peak to `min_lr`, as in timm.
///
/// Counterparts: PyTorch `CosineAnnealingWarmRestarts(T_0 = first_cycle_steps,
/// T_mult = cycle_mult, eta_min = min_lr)` (no `cycle_decay`, no `cycle_limit`); timm
/// `CosineLRScheduler(t_initial = first_cycle_steps, cycle_mul = cycle_mult, cycle_decay,
/// cycle_limit, lr_min = min_lr)`, whose `cycle_limit` defaults to 1 where this one is unlimited,
/// and which finds the cycle of a step with a floating-point logarithm when `cycle_mul ≠ 1`, so
/// at some cycle starts (e.g. `t_initial = 1, cycle_mul = 3, t = 121`) timm still gives the last
/// step of the cycle before (`min_lr`) where this one, like PyTorch, restarts; Keras
/// `CosineDecayRestarts` (`m_mul` is `cycle_decay`).
///
/// ```
/// use burn_lr_schedules::{CosineRestarts, Schedule};
/// let s = CosineRestarts {
///     max_lr: 1.0, min_lr: 0.0, first_cycle_steps: 10, cycle_mult: 2,
///     cycle_decay: 1.0, cycle_limit: None,
/// };
/// assert_eq!(s.lr(0), 1.0);
/// assert_eq!(s.lr(10), 1.0); // restart; the next cycle lasts 20 steps
/// assert!((s.lr(20) - 0.5).abs() < 1e-12);
/// assert_eq!(s.lr(30), 1.0);
/// let decayed = CosineRestarts { cycle_decay: 0.5, cycle_limit: Some(2), ..s };
/// assert_eq!(decayed.lr(10), 0.5); // the second peak
/// assert_eq!(decayed.lr(30), 0.0); // two cycles done: min_lr from here on
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CosineRestarts {
    /// The learning rate at the start of the first cycle.
    pub max_lr: f64,
    /// The floor each cycle anneals towards (default 0).
    #[serde(default)]
    pub min_lr: f64,
    /// Length of the first cycle (`T_0`).
    pub first_cycle_steps: u64,
    /// Each cycle is this many times longer than the one before (`T_mult`, default 1).
    #[serde(default = "crate::defaults::one_u64")]
    pub cycle_mult: u64,
    /// Each cycle's peak is this many times the one before, in `(0, 1]` (default 1).
    #[serde(default = "crate::defaults::one_f64")]
    pub cycle_decay: f64,
    /// Cycles run before the rate stays at `min_lr` (default: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle_limit: Option<u64>,
}

/// Leaves out `cycle_decay` and `cycle_limit` at their defaults: the `Debug` form is the policy's
/// fingerprint, so a config written before they existed keeps its fingerprint and its records.
impl fmt::Debug for CosineRestarts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("CosineRestarts");
        d.field("max_lr", &self.max_lr)
            .field("min_lr", &self.min_lr)
            .field("first_cycle_steps", &self.first_cycle_steps)
            .field("cycle_mult", &self.cycle_mult);
        if self.cycle_decay != 1.0 {
            d.field("cycle_decay", &self.cycle_decay);
        }
        if let Some(limit) = self.cycle_limit {
            d.field("cycle_limit", &limit);
        }
        d.finish()
    }
}

impl CosineRestarts {
    /// The index of the cycle `t` falls in, the position within it and its length, in integers
    /// so that cycle boundaries are exact.
    fn cycle_position(&self, t: u64) -> (u64, u64, u64) {
        if self.cycle_mult == 1 {
            let len = self.first_cycle_steps;
            return (t / len, t % len, len);
        }
        let (mut i, mut pos, mut len) = (0, t, self.first_cycle_steps);
        while pos >= len {
            pos -= len;
            len = len.saturating_mul(self.cycle_mult);
            i += 1;
        }
        (i, pos, len)
    }

    /// The peak of cycle `i`: `max_lr · cycle_decay^i` (`powf`, the `pow` Python's `**` calls).
    fn peak(&self, i: u64) -> f64 {
        self.max_lr * self.cycle_decay.powf(i as f64)
    }
}

impl Schedule for CosineRestarts {
    fn lr(&self, t: u64) -> f64 {
        let (i, pos, len) = self.cycle_position(t);
        if self.cycle_limit.is_some_and(|limit| i >= limit) {
            return self.min_lr;
        }
        half_cosine(self.min_lr, self.peak(i), pos as f64, len as f64)
    }

    fn bounds(&self) -> (f64, f64) {
        let lowest_peak = match self.cycle_limit {
            _ if self.cycle_decay == 1.0 => self.max_lr,
            Some(limit) => self.peak(limit - 1),
            None => 0.0,
        };
        (self.min_lr.min(lowest_peak), self.max_lr)
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("cosine_restarts");
        c.positive("max_lr", self.max_lr)?;
        c.non_negative("min_lr", self.min_lr)?;
        c.at_least("max_lr", self.max_lr, "min_lr", self.min_lr)?;
        c.steps("first_cycle_steps", self.first_cycle_steps)?;
        c.steps("cycle_mult", self.cycle_mult)?;
        if !(self.cycle_decay > 0.0 && self.cycle_decay <= 1.0) {
            return Err(c.err(
                "cycle_decay",
                self.cycle_decay,
                "must be greater than 0 and at most 1",
            ));
        }
        match self.cycle_limit {
            Some(limit) => c.steps("cycle_limit", limit),
            None => Ok(()),
        }
    }
}
