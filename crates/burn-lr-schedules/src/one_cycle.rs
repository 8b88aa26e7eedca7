//! The one-cycle policy (Smith & Topin, "Super-Convergence"), exactly as PyTorch computes it.

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use crate::Schedule;
use crate::error::{Check, ScheduleError};

/// How each phase of [`OneCycle`] moves between its two end values (PyTorch's
/// `anneal_strategy`).
///
/// ```
/// let c: burn_lr_schedules::ScheduleConfig = toml::from_str(
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
/// Momentum (or Adam's β1), with `cycle_momentum` (default true, as PyTorch): annealed inversely
/// to the rate by the same strategy and phases, `max_momentum → base_momentum → max_momentum`
/// (three phases: `max → base → max`, then held at `max_momentum`), and `max_momentum` past the
/// end. See [`Schedule::momentum`].
///
/// ```
/// use burn_lr_schedules::{AnnealStrategy, OneCycle, Schedule};
/// let s = OneCycle {
///     max_lr: 0.1, total_steps: 100, pct_start: 0.3, div_factor: 25.0,
///     final_div_factor: 1e4, anneal_strategy: AnnealStrategy::Cos, three_phase: false,
///     cycle_momentum: true, base_momentum: 0.85, max_momentum: 0.95,
/// };
/// assert!((s.lr(0) - 0.004).abs() < 1e-15);
/// assert_eq!(s.lr(29), 0.1);
/// assert!((s.lr(99) - 4e-7).abs() < 1e-18);
/// assert_eq!((s.momentum(0), s.momentum(29), s.momentum(99)), (Some(0.95), Some(0.85), Some(0.95)));
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
    /// Cycle the optimizer's momentum (or Adam's β1) inversely to the rate (default true).
    #[serde(default = "crate::defaults::yes")]
    pub cycle_momentum: bool,
    /// The momentum at the rate's peak (default 0.85).
    #[serde(default = "default_base_momentum")]
    pub base_momentum: f64,
    /// The momentum at the rate's ends (default 0.95).
    #[serde(default = "default_max_momentum")]
    pub max_momentum: f64,
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
fn default_base_momentum() -> f64 {
    0.85
}
fn default_max_momentum() -> f64 {
    0.95
}

/// One phase: where it ends, and the rate and momentum at its two ends.
#[derive(Clone, Copy)]
struct Phase {
    end_step: f64,
    lr: (f64, f64),
    momentum: (f64, f64),
}

impl OneCycle {
    fn initial_lr(&self) -> f64 {
        self.max_lr / self.div_factor
    }

    fn min_lr(&self) -> f64 {
        self.initial_lr() / self.final_div_factor
    }

    /// The phases, as PyTorch builds them (an array, not a `Vec`: `lr` runs every step).
    fn phases(&self) -> ([Phase; 3], usize) {
        let (t, p) = (self.total_steps as f64, self.pct_start);
        let (init, max, min) = (self.initial_lr(), self.max_lr, self.min_lr());
        let (lo, hi) = (self.base_momentum, self.max_momentum);
        let phase = |end_step, lr, momentum| Phase {
            end_step,
            lr,
            momentum,
        };
        let first = phase(p * t - 1.0, (init, max), (hi, lo));
        if self.three_phase {
            let second = phase(2.0 * p * t - 2.0, (max, init), (lo, hi));
            ([first, second, phase(t - 1.0, (init, min), (hi, hi))], 3)
        } else {
            ([first, phase(t - 1.0, (max, min), (lo, hi)), first], 2)
        }
    }

    /// The phase step `t < total_steps` falls in, and how far through it (`pct`).
    fn locate(&self, t: u64) -> (Phase, f64) {
        let step = t as f64;
        let (phases, n) = self.phases();
        let mut start_step = 0.0;
        for (i, &phase) in phases[..n].iter().enumerate() {
            if step <= phase.end_step || i == n - 1 {
                let pct = (step - start_step) / (phase.end_step - start_step);
                return (phase, pct);
            }
            start_step = phase.end_step;
        }
        unreachable!("the last phase always answers")
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
        let (phase, pct) = self.locate(t);
        self.anneal(phase.lr.0, phase.lr.1, pct)
    }

    fn momentum(&self, t: u64) -> Option<f64> {
        if !self.cycle_momentum {
            return None;
        }
        if t >= self.total_steps {
            return Some(self.max_momentum);
        }
        let (phase, pct) = self.locate(t);
        Some(self.anneal(phase.momentum.0, phase.momentum.1, pct))
    }

    fn cycles_momentum(&self) -> bool {
        self.cycle_momentum
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
        c.momentum_range(self.base_momentum, self.max_momentum)?;
        let (phases, n) = self.phases();
        let phases = &phases[..n];
        let mut start = 0.0;
        for phase in phases {
            if phase.end_step <= start {
                let ends: Vec<String> = phases
                    .iter()
                    .map(|p| ((p.end_step * 1e6).round() / 1e6).to_string())
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
            start = phase.end_step;
        }
        Ok(())
    }
}
