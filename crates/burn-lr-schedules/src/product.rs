//! Schedules multiplied together.

use serde::{Deserialize, Serialize};

use crate::error::{Check, ScheduleError};
use crate::{MAX_RATE, Schedule, ScheduleConfig};

/// `kind = "product"`: `lr(t) = schedules[0](t) · schedules[1](t) · …`, every part on the same
/// clock. A part is usually a factor around 1 (a `constant`, a `linear` from 0 to 1) shaping
/// another schedule, e.g. a cosine multiplied by a warm-up ramp.
///
/// Counterpart: Burn's `ComposedLrScheduler` with its default reduction `Prod`, which steps every
/// part once per step and folds the rates from 1.0 in order; this does the same, so the rates are
/// bit-identical. Burn accepts an empty list (a constant 1.0); here at least one part is needed.
/// No part may be (or end in) a `plateau`: its rate follows metrics, not the shared clock.
///
/// ```
/// use burn_lr_schedules::{Constant, Linear, Product, Schedule, ScheduleConfig};
/// let p = Product {
///     schedules: vec![
///         ScheduleConfig::Constant(Constant { lr: 0.1 }),
///         ScheduleConfig::Linear(Linear { start_lr: 1.0, end_lr: 0.0, total_steps: 10 }),
///     ],
/// };
/// assert_eq!(p.lr(0), 0.1);
/// assert!((p.lr(5) - 0.05).abs() < 1e-15);
/// assert_eq!(p.lr(10), 0.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// The factors, multiplied in order.
    pub schedules: Vec<ScheduleConfig>,
}

impl Schedule for Product {
    fn lr(&self, t: u64) -> f64 {
        self.schedules.iter().fold(1.0, |acc, s| acc * s.lr(t))
    }

    /// Every rate is at least 0, so the product of the parts' intervals is the product of their
    /// ends.
    fn bounds(&self) -> (f64, f64) {
        self.schedules
            .iter()
            .map(Schedule::bounds)
            .fold((1.0, 1.0), |(lo, hi), (a, b)| (lo * a, hi * b))
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        if self.schedules.is_empty() {
            return Err(Check("product").err("schedules", "[]", "must hold at least one schedule"));
        }
        let mut hi = 1.0;
        for (i, s) in self.schedules.iter().enumerate() {
            s.validate_nested(false)
                .map_err(|e| e.within(&format!("schedules[{i}]")).within("product"))?;
            // Every partial product must stay finite, not only the last: 1e300 · 1e300 · 1e-300
            // would overflow on the way.
            hi *= s.bounds().1;
            if hi.is_nan() || hi > MAX_RATE {
                return Err(Check("product").err(
                    "largest rate",
                    format!("{hi:e}"),
                    format!(
                        "of schedules[0..={i}] must be at most 1e300; lower the rates of the parts"
                    ),
                ));
            }
        }
        Ok(())
    }
}
