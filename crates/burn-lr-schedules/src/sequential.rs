//! Schedules run one after another.

use serde::{Deserialize, Serialize};

use crate::error::{Check, ScheduleError};
use crate::{Schedule, ScheduleConfig};

/// `kind = "sequential"`: schedule `i` runs from `milestones[i − 1]` (0 for the first) to
/// `milestones[i]`, its own clock restarted at 0: `lr(t) = schedules[i](t − milestones[i − 1])`.
///
/// Counterparts: optax `join_schedules`, PyTorch `SequentialLR`, Keras has none. There must be
/// one milestone fewer than schedules, strictly increasing and above 0; only the last schedule
/// may be (or end in) a `plateau` (see [`Scheduler::plateau`](crate::Scheduler::plateau)).
///
/// Momentum is that of the schedule in force, on its own clock: a `one_cycle` part cycles it,
/// a part that does not cycle it leaves the optimizer's own momentum (`None`).
///
/// ```
/// use burn_lr_schedules::{Constant, Linear, Schedule, ScheduleConfig, Sequential};
/// let s = Sequential {
///     milestones: vec![5],
///     schedules: vec![
///         ScheduleConfig::Constant(Constant { lr: 0.1 }),
///         ScheduleConfig::Linear(Linear { start_lr: 0.1, end_lr: 0.0, total_steps: 10 }),
///     ],
/// };
/// assert_eq!(s.lr(4), 0.1);
/// assert_eq!(s.lr(5), 0.1);
/// assert!((s.lr(10) - 0.05).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sequential {
    /// Steps at which the next schedule takes over.
    pub milestones: Vec<u64>,
    /// The schedules, in order.
    pub schedules: Vec<ScheduleConfig>,
}

impl Sequential {
    fn segment(&self, t: u64) -> (usize, u64) {
        let i = self.milestones.partition_point(|&m| m <= t);
        let start = if i == 0 { 0 } else { self.milestones[i - 1] };
        (i, t - start)
    }
}

impl Schedule for Sequential {
    fn lr(&self, t: u64) -> f64 {
        let (i, local) = self.segment(t);
        self.schedules[i].lr(local)
    }

    fn momentum(&self, t: u64) -> Option<f64> {
        let (i, local) = self.segment(t);
        self.schedules[i].momentum(local)
    }

    fn cycles_momentum(&self) -> bool {
        self.schedules.iter().any(Schedule::cycles_momentum)
    }

    fn bounds(&self) -> (f64, f64) {
        self.schedules
            .iter()
            .map(Schedule::bounds)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (a, b)| {
                (lo.min(a), hi.max(b))
            })
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("sequential");
        if self.schedules.is_empty() {
            return Err(c.err("schedules", "[]", "must hold at least one schedule"));
        }
        if self.milestones.len() + 1 != self.schedules.len() {
            return Err(c.err(
                "milestones",
                format!("{:?}", self.milestones),
                format!(
                    "must hold one step fewer than schedules ({} schedules need {} milestones)",
                    self.schedules.len(),
                    self.schedules.len() - 1
                ),
            ));
        }
        if self.milestones.first() == Some(&0) {
            return Err(c.err(
                "milestones",
                format!("{:?}", self.milestones),
                "must be greater than 0",
            ));
        }
        c.sorted("milestones", &self.milestones, true)?;
        for (i, s) in self.schedules.iter().enumerate() {
            s.validate_nested(i + 1 == self.schedules.len())
                .map_err(|e| e.within(&format!("schedules[{i}]")).within("sequential"))?;
        }
        Ok(())
    }
}
