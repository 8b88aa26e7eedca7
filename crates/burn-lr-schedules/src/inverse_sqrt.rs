//! Inverse square-root decay after a linear warm-up (the Transformer / big_vision schedule).

use serde::{Deserialize, Serialize};

use crate::Schedule;
use crate::error::{Check, ScheduleError};

/// The `timescale` Hugging Face uses when neither it nor a warm-up is given.
const NO_WARMUP_TIMESCALE: u64 = 10_000;

/// `kind = "inverse_sqrt"`: `peak_lr` times Hugging Face's `get_inverse_sqrt_schedule` factor.
///
/// With `W = warmup_steps` and `τ = timescale`: `t < W`: `lr = peak_lr · t / W` (from 0);
/// `t ≥ W`: `lr = peak_lr / √((t + τ − W) / τ)`, which is `peak_lr` at `t = W` and halves
/// every time `t − W + τ` quadruples. `τ` defaults to `W`, or to 10 000 when `W = 0`, as in
/// Hugging Face.
///
/// Counterparts: Hugging Face `get_inverse_sqrt_schedule(num_warmup_steps, timescale)`
/// (a `LambdaLR` over the optimizer's rate), big_vision's `rsqrt` schedule; the Noam schedule
/// of "Attention is all you need" up to its constant.
///
/// ```
/// use burn_lr_schedules::{InverseSqrt, Schedule};
/// let s = InverseSqrt { peak_lr: 1.0, warmup_steps: 100, timescale: None };
/// assert_eq!(s.lr(0), 0.0);
/// assert_eq!(s.lr(50), 0.5);
/// assert_eq!(s.lr(100), 1.0);
/// assert_eq!(s.lr(400), 0.5); // (400 + 100 − 100) / 100 = 4
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InverseSqrt {
    /// The rate at the end of the warm-up.
    pub peak_lr: f64,
    /// Steps of the linear warm-up from 0 (`W`, may be 0).
    pub warmup_steps: u64,
    /// `τ` (default `warmup_steps`, or 10 000 when that is 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timescale: Option<u64>,
}

impl InverseSqrt {
    /// `τ`, with Hugging Face's default (`num_warmup_steps or 10_000`).
    pub fn timescale(&self) -> u64 {
        match (self.timescale, self.warmup_steps) {
            (Some(tau), _) => tau,
            (None, 0) => NO_WARMUP_TIMESCALE,
            (None, w) => w,
        }
    }
}

impl Schedule for InverseSqrt {
    fn lr(&self, t: u64) -> f64 {
        let w = self.warmup_steps;
        let factor = if t < w {
            // Hugging Face divides by max(1, W); here W ≥ 1 whenever this branch runs.
            t as f64 / w as f64
        } else {
            let tau = self.timescale();
            // Hugging Face adds in integers, then divides: (t + (τ − W)) / τ.
            1.0 / ((t - w).saturating_add(tau) as f64 / tau as f64).sqrt()
        };
        self.peak_lr * factor
    }

    fn bounds(&self) -> (f64, f64) {
        (0.0, self.peak_lr)
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("inverse_sqrt");
        c.positive("peak_lr", self.peak_lr)?;
        if let Some(tau) = self.timescale {
            c.steps("timescale", tau)?;
        }
        Ok(())
    }
}
