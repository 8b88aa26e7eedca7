//! Schedules that begin with a linear warm-up: warm-up in front of any schedule, and
//! warmup-stable-decay.

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use crate::error::{Check, ScheduleError};
use crate::{Schedule, ScheduleConfig};

/// `kind = "warmup"`: a linear ramp from `start_lr` to the first rate of `after`, then `after`
/// with its own clock started at 0.
///
/// `t < W`: `lr = start_lr + (after(0) − start_lr) · t / W`; `t ≥ W`: `lr = after(t − W)`.
///
/// Counterparts: PyTorch `SequentialLR([LinearLR, …])`, Hugging Face
/// `get_*_schedule_with_warmup`, timm `warmup_t`, optax `join_schedules` with a
/// `linear_schedule`. `after` may be any kind; a `plateau` there starts at `initial_lr` after the
/// ramp, and its metric reports count from then on (see [`Scheduler::plateau`](crate::Scheduler::plateau)).
///
/// Momentum passes through from `after`: during the ramp it holds `after`'s first momentum, as
/// PyTorch's `SequentialLR([LinearLR, OneCycleLR])` does (the one-cycle scheduler sets it when
/// built and the linear one leaves it), then follows `after(t − W)`.
///
/// ```
/// use burn_lr_schedules::{Cosine, Schedule, ScheduleConfig, Warmup};
/// let w = Warmup {
///     warmup_steps: 10,
///     start_lr: 0.0,
///     after: Box::new(ScheduleConfig::Cosine(Cosine { max_lr: 0.1, min_lr: 0.0, total_steps: 90 })),
/// };
/// assert_eq!(w.lr(0), 0.0);
/// assert!((w.lr(5) - 0.05).abs() < 1e-15);
/// assert_eq!(w.lr(10), 0.1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warmup {
    /// Steps of the ramp (`W`).
    pub warmup_steps: u64,
    /// The rate at step 0 (default 0).
    #[serde(default)]
    pub start_lr: f64,
    /// The schedule that follows the ramp.
    pub after: Box<ScheduleConfig>,
}

impl Schedule for Warmup {
    fn lr(&self, t: u64) -> f64 {
        if t < self.warmup_steps {
            let target = self.after.lr(0);
            self.start_lr + (target - self.start_lr) * t as f64 / self.warmup_steps as f64
        } else {
            self.after.lr(t - self.warmup_steps)
        }
    }

    fn momentum(&self, t: u64) -> Option<f64> {
        self.after.momentum(t.saturating_sub(self.warmup_steps))
    }

    fn cycles_momentum(&self) -> bool {
        self.after.cycles_momentum()
    }

    fn bounds(&self) -> (f64, f64) {
        let (lo, hi) = self.after.bounds();
        (lo.min(self.start_lr), hi.max(self.start_lr))
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("warmup");
        c.steps("warmup_steps", self.warmup_steps)?;
        c.non_negative("start_lr", self.start_lr)?;
        self.after
            .validate_nested(true)
            .map_err(|e| e.within("after").within("warmup"))
    }
}

/// The decay shape of [`Wsd`], for `p ∈ [0, 1]` through the decay phase.
///
/// ```
/// let c: burn_lr_schedules::ScheduleConfig = toml::from_str(
///     "kind = 'wsd'\npeak_lr = 1.0\nwarmup_steps = 0\nstable_steps = 0\ndecay_steps = 4\ndecay_shape = 'sqrt'",
/// ).unwrap();
/// assert_eq!(c.policy().unwrap().lr(1), 0.5); // 1 − √¼
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecayShape {
    /// `1 − p`.
    #[default]
    Linear,
    /// `½(1 + cos(πp))`.
    Cosine,
    /// `1 − √p`.
    Sqrt,
}

/// `kind = "wsd"` (warmup-stable-decay, the "trapezoidal" schedule of MiniCPM and of recent
/// language-model training): linear warm-up from `min_lr` to `peak_lr` over `W` steps, `S`
/// steps at `peak_lr`, a decay over `D` steps, then `min_lr`.
///
/// In the decay, `p = (t − W − S) / D` and `lr = min_lr + (peak_lr − min_lr) · factor(p)` with
/// the factor of [`DecayShape`].
///
/// Counterparts: Hugging Face `get_wsd_schedule`, optax `warmup_constant_schedule` joined with a
/// decay; none in PyTorch.
///
/// ```
/// use burn_lr_schedules::{DecayShape, Schedule, Wsd};
/// let s = Wsd {
///     peak_lr: 1.0, warmup_steps: 10, stable_steps: 80, decay_steps: 10,
///     min_lr: 0.0, decay_shape: DecayShape::Linear,
/// };
/// assert_eq!(s.lr(5), 0.5);
/// assert_eq!(s.lr(50), 1.0);
/// assert_eq!(s.lr(95), 0.5);
/// assert_eq!(s.lr(200), 0.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wsd {
    /// The rate of the stable phase.
    pub peak_lr: f64,
    /// Steps of the warm-up (`W`, may be 0).
    pub warmup_steps: u64,
    /// Steps at `peak_lr` (`S`, may be 0).
    pub stable_steps: u64,
    /// Steps of the decay (`D`).
    pub decay_steps: u64,
    /// The rate before the warm-up and after the decay (default 0).
    #[serde(default)]
    pub min_lr: f64,
    /// Shape of the decay (default `linear`).
    #[serde(default)]
    pub decay_shape: DecayShape,
}

impl Schedule for Wsd {
    fn lr(&self, t: u64) -> f64 {
        let span = self.peak_lr - self.min_lr;
        let decay_start = self.warmup_steps + self.stable_steps;
        if t < self.warmup_steps {
            self.min_lr + span * t as f64 / self.warmup_steps as f64
        } else if t < decay_start {
            self.peak_lr
        } else if t < decay_start + self.decay_steps {
            let p = (t - decay_start) as f64 / self.decay_steps as f64;
            let factor = match self.decay_shape {
                DecayShape::Linear => 1.0 - p,
                DecayShape::Cosine => 0.5 * (1.0 + (PI * p).cos()),
                DecayShape::Sqrt => 1.0 - p.sqrt(),
            };
            self.min_lr + span * factor
        } else {
            self.min_lr
        }
    }

    fn bounds(&self) -> (f64, f64) {
        (self.min_lr, self.peak_lr)
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("wsd");
        c.positive("peak_lr", self.peak_lr)?;
        c.non_negative("min_lr", self.min_lr)?;
        c.at_least("peak_lr", self.peak_lr, "min_lr", self.min_lr)?;
        c.steps("decay_steps", self.decay_steps)?;
        if self
            .warmup_steps
            .checked_add(self.stable_steps)
            .and_then(|s| s.checked_add(self.decay_steps))
            .is_none()
        {
            return Err(c.err(
                "decay_steps",
                self.decay_steps,
                "makes warmup_steps + stable_steps + decay_steps overflow",
            ));
        }
        Ok(())
    }
}
