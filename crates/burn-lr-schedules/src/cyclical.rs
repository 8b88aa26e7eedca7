//! Cyclical learning rates (Smith, "Cyclical Learning Rates for Training Neural Networks").

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use crate::Schedule;
use crate::error::{Check, ScheduleError};

/// How the amplitude of each cycle is scaled (`mode` in a config; PyTorch `CyclicLR(mode=…)`).
///
/// ```
/// let c: burn_lr_schedules::ScheduleConfig = toml::from_str(
///     "kind = 'cyclical'\nbase_lr = 0.5\nmax_lr = 1.5\nstep_size = 2\nmode = 'triangular2'",
/// ).unwrap();
/// let p = c.policy().unwrap();
/// assert_eq!((p.lr(2), p.lr(6)), (1.5, 1.0)); // second cycle at half amplitude
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CyclicalMode {
    /// Full amplitude in every cycle: `f = 1`.
    #[default]
    Triangular,
    /// The amplitude halves every cycle: `f = 1 / 2^(c − 1)`.
    Triangular2,
    /// The amplitude decays every step: `f = gamma^t`.
    ExpRange,
}

/// The shape of the rise and fall within one cycle, for `x ∈ [0, 1]` (0 at the peak): the three
/// windows of Smith's paper (`window` in a config).
///
/// ```
/// let c: burn_lr_schedules::ScheduleConfig = toml::from_str(
///     "kind = 'cyclical'\nbase_lr = 1.0\nmax_lr = 2.0\nstep_size = 4\nwindow = 'welch'",
/// ).unwrap();
/// assert_eq!(c.policy().unwrap().lr(2), 1.75); // 1 − x² = ¾ at x = ½
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// Linear: `w = max(0, 1 − x)`.
    #[default]
    Triangular,
    /// Parabolic: `w = 1 − x²`.
    Welch,
    /// Sinusoidal: `w = ½(1 + cos(πx))`.
    Hann,
}

/// `kind = "cyclical"`: the rate moves between `base_lr` and `max_lr`, `step_size` steps up and
/// `step_size` steps down.
///
/// `c = ⌊1 + t / (2·step_size)⌋`, `x = |t / step_size − 2c + 1|`,
/// `lr = base_lr + (max_lr − base_lr) · w(x) · f`, with the window `w` and the scale `f` of
/// [`Window`] and [`CyclicalMode`].
///
/// Momentum (or Adam's β1), with `cycle_momentum` (default true, as PyTorch): the mirror image,
/// `momentum = max_momentum − (max_momentum − base_momentum) · w(x) · f`, scaled by the same `f`
/// as PyTorch scales it. The Welch and Hann windows, which PyTorch lacks, mirror their own `w`.
///
/// Counterparts: PyTorch `CyclicLR(base_lr, max_lr, step_size_up = step_size_down = step_size,
/// mode, gamma, cycle_momentum, base_momentum, max_momentum)` for the triangular window;
/// TensorFlow Addons `CyclicalLearningRate`. The Welch and Hann windows are the other two shapes
/// of Smith's paper.
///
/// ```
/// use burn_lr_schedules::{Cyclical, CyclicalMode, Schedule, Window};
/// let clr = Cyclical {
///     base_lr: 0.001, max_lr: 0.006, step_size: 2000,
///     mode: CyclicalMode::Triangular, gamma: 1.0, window: Window::Triangular,
///     cycle_momentum: true, base_momentum: 0.8, max_momentum: 0.9,
/// };
/// assert_eq!(clr.lr(0), 0.001);
/// assert_eq!(clr.lr(2000), 0.006);
/// assert_eq!(clr.lr(4000), 0.001);
/// assert_eq!((clr.momentum(0), clr.momentum(2000)), (Some(0.9), Some(0.8)));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cyclical {
    /// The bottom of every cycle.
    pub base_lr: f64,
    /// The top of the first cycle.
    pub max_lr: f64,
    /// Steps in half a cycle.
    pub step_size: u64,
    /// Amplitude scaling (default `triangular`).
    #[serde(default)]
    pub mode: CyclicalMode,
    /// Per-step amplitude decay for `exp_range`, in `(0, 1]` (default 1).
    #[serde(default = "crate::defaults::one_f64")]
    pub gamma: f64,
    /// Shape of a cycle (default `triangular`).
    #[serde(default)]
    pub window: Window,
    /// Cycle the optimizer's momentum (or Adam's β1) inversely to the rate (default true).
    #[serde(default = "crate::defaults::yes")]
    pub cycle_momentum: bool,
    /// The momentum at the rate's peak (default 0.8).
    #[serde(default = "default_base_momentum")]
    pub base_momentum: f64,
    /// The momentum at the bottom of every cycle (default 0.9).
    #[serde(default = "default_max_momentum")]
    pub max_momentum: f64,
}

fn default_base_momentum() -> f64 {
    0.8
}
fn default_max_momentum() -> f64 {
    0.9
}

impl Cyclical {
    /// The window `w(x)` and the amplitude scale `f` at step `t`.
    fn shape(&self, t: u64) -> (f64, f64) {
        // c and x in integers first: t/s − 2c + 1 = r/s − 1 with r = t mod 2s, which stays exact
        // for any t where the float form loses x to cancellation.
        let period = 2 * self.step_size;
        let cycle = (t / period + 1) as f64;
        let x = ((t % period) as f64 / self.step_size as f64 - 1.0).abs();
        let w = match self.window {
            Window::Triangular => (1.0 - x).max(0.0),
            Window::Welch => 1.0 - x * x,
            Window::Hann => 0.5 * (1.0 + (PI * x).cos()),
        };
        let f = match self.mode {
            CyclicalMode::Triangular => 1.0,
            CyclicalMode::Triangular2 => 1.0 / 2f64.powf(cycle - 1.0),
            CyclicalMode::ExpRange => self.gamma.powf(t as f64),
        };
        (w, f)
    }
}

impl Schedule for Cyclical {
    fn lr(&self, t: u64) -> f64 {
        let (w, f) = self.shape(t);
        self.base_lr + (self.max_lr - self.base_lr) * w * f
    }

    fn momentum(&self, t: u64) -> Option<f64> {
        self.cycle_momentum.then(|| {
            let (w, f) = self.shape(t);
            self.max_momentum - (self.max_momentum - self.base_momentum) * w * f
        })
    }

    fn cycles_momentum(&self) -> bool {
        self.cycle_momentum
    }

    fn bounds(&self) -> (f64, f64) {
        (self.base_lr, self.max_lr)
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        let c = Check("cyclical");
        c.positive("base_lr", self.base_lr)?;
        c.positive("max_lr", self.max_lr)?;
        c.greater("max_lr", self.max_lr, "base_lr", self.base_lr)?;
        c.steps("step_size", self.step_size)?;
        if !(self.gamma > 0.0 && self.gamma <= 1.0) {
            return Err(c.err("gamma", self.gamma, "must be greater than 0 and at most 1"));
        }
        c.momentum_range(self.base_momentum, self.max_momentum)
    }
}
