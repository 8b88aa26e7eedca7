//! The one-cycle policy (Smith & Topin, "Super-Convergence"), exactly as PyTorch computes it.

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use crate::Schedule;
use crate::error::{Check, ScheduleError};

/// How each phase of [`OneCycle`] moves between its two end values (PyTorch's
/// `anneal_strategy`).
///
/// ```
/// let c: schedules::ScheduleConfig = toml::from_str(
///     "kind = 'one_cycle'\nmax_lr = 1.0\ntotal_steps = 21\npct_start = 0.5\ndiv_factor = 2\nanneal_strategy = 'linear'",
/// ).unwrap();
/// let p = c.policy().unwrap();
/// // The first phase ends at step 0.5·21 − 1 = 9.5, a straight line from 0.5 to 1.
/// assert!((p.lr(5) - (0.5 + 0.5 * 5.0 / 9.5)).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnealStrategy {
    /// Half a cosine: `end + (start − end)/2 · (cos(π·pct) + 1)`.
    #[default]
    Cos,
    /// A straight line: `(end − start)·pct + start`.
    Linear,
}

/// `kind = "one_cycle"`: up from `max_lr / div_factor` to `max_lr`, then down to
/// `max_lr / (div_factor · final_div_factor)`.
///
/// Phases end at steps `pct_start·T − 1` and `T − 1` (`T = total_steps`); with `three_phase`,
/// at `pct_start·T − 1`, `2·pct_start·T − 2` and `T − 1`, the second phase going back down to
/// `max_lr / div_factor` and the third annealing to the minimum. Within a phase from step `a` to
/// step `b`, `pct = (t − a) / (b − a)`. Every phase must span more than zero steps, which
/// PyTorch does not check (it divides by zero).
///
/// Counterparts: PyTorch `OneCycleLR` with the same parameter names, exactly, including its
/// fractional phase boundaries; fastai `fit_one_cycle`; optax `cosine_onecycle_schedule`.
/// PyTorch refuses steps past `total_steps`; this holds the final rate instead.
///
/// ```
/// use schedules::{AnnealStrategy, OneCycle, Schedule};
/// let s = OneCycle {
///     max_lr: 0.1, total_steps: 100, pct_start: 0.3, div_factor: 25.0,
///     final_div_factor: 1e4, anneal_strategy: AnnealStrategy::Cos, three_phase: false,
/// };
/// assert!((s.lr(0) - 0.004).abs() < 1e-15);
/// assert_eq!(s.lr(29), 0.1);
/// assert!((s.lr(99) - 4e-7).abs() < 1e-18);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneCycle {
    /// The peak learning rate.
    pub max_lr: f64,
    /// Steps in the whole cycle.
    pub total_steps: u64,
    /// Fraction of the cycle spent going up (default 0.3).
    #[serde(default = "default_pct_start")]
    pub pct_start: f64,
    /// `initial_lr = max_lr / div_factor` (default 25).
    #[serde(default = "default_div_factor")]
    pub div_factor: f64,
    /// `min_lr = initial_lr / final_div_factor` (default 1e4).
    #[serde(default = "default_final_div_factor")]
    pub final_div_factor: f64,
    /// Shape of each phase (default `cos`).
    #[serde(default)]
    pub anneal_strategy: AnnealStrategy,
    /// Go back down to `initial_lr` before annealing to the minimum (default false).
    #[serde(default)]
    pub three_phase: bool,
}

fn default_pct_start() -> f64 {
    0.3
}
fn default_div_factor() -> f64 {
    25.0
}
fn default_final_div_factor() -> f64 {
    1e4
}

impl OneCycle {
    fn initial_lr(&self) -> f64 {
        self.max_lr / self.div_factor
    }

    fn min_lr(&self) -> f64 {
        self.initial_lr() / self.final_div_factor
    }

    /// `(end_step, start_lr, end_lr)` of each phase, as PyTorch builds them.
    fn phases(&self) -> ([(f64, f64, f64); 3], usize) {
        let (t, p) = (self.total_steps as f64, self.pct_start);
        let (init, max, min) = (self.initial_lr(), self.max_lr, self.min_lr());
        let last = t - 1.0;
        if self.three_phase {
            (
                [
                    (p * t - 1.0, init, max),
                    (2.0 * p * t - 2.0, max, init),
                    (last, init, min),
                ],
                3,
            )
        } else {
            (
                [(p * t - 1.0, init, max), (last, max, min), (0.0, 0.0, 0.0)],
                2,
            )
        }
    }

    fn anneal(&self, start: f64, end: f64, pct: f64) -> f64 {
        match self.anneal_strategy {
            AnnealStrategy::Cos => end + (start - end) / 2.0 * ((PI * pct).cos() + 1.0),
            AnnealStrategy::Linear => (end - start) * pct + start,
        }
    }
}

impl Schedule for OneCycle {
    fn lr(&self, t: u64) -> f64 {
        if t >= self.total_steps {
            return self.min_lr();
        }
        let step = t as f64;
        let (phases, n) = self.phases();
        let mut start_step = 0.0;
        for (i, &(end_step, start_lr, end_lr)) in phases[..n].iter().enumerate() {
            if step <= end_step || i == n - 1 {
                let pct = (step - start_step) / (end_step - start_step);
                return self.anneal(start_lr, end_lr, pct);
            }
            start_step = end_step;
        }
        unreachable!("the last phase always answers")
    }

    fn bounds(&self) -> (f64, f64) {
        let (a, b, c) = (self.initial_lr(), self.max_lr, self.min_lr());
        (a.min(b).min(c), a.max(b).max(c))
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("one_cycle");
        c.positive("max_lr", self.max_lr)?;
        c.steps("total_steps", self.total_steps)?;
        c.open_interval("pct_start", self.pct_start, 0.0, 1.0)?;
        c.positive("div_factor", self.div_factor)?;
        c.positive("final_div_factor", self.final_div_factor)?;
        let (phases, n) = self.phases();
        let mut start = 0.0;
        for &(end, _, _) in &phases[..n] {
            if end <= start {
                let ends: Vec<String> = phases[..n]
                    .iter()
                    .map(|p| ((p.0 * 1e6).round() / 1e6).to_string())
                    .collect();
                return Err(c.err(
                    "pct_start",
                    self.pct_start,
                    format!(
                        "leaves a phase without steps for total_steps = {} (phases end at steps {}); raise total_steps or move pct_start towards 0.5",
                        self.total_steps,
                        ends.join(", ")
                    ),
                ));
            }
            start = end;
        }
        Ok(())
    }
}
