//! The one config type for every policy, and the validated [`Policy`] it builds.

use serde::{Deserialize, Serialize};

use crate::error::{Check, ScheduleError};
use crate::{
    Constant, Cosine, CosineRestarts, Cyclical, Exponential, InverseTime, Linear, Multistep,
    OneCycle, Plateau, Polynomial, Schedule, Scheduler, Sequential, Step, Warmup, Wsd,
};

/// Any learning-rate policy, tagged by `kind` as in a TOML `[schedule]` table. Unknown fields
/// are rejected; omitted optional fields take the defaults documented on each policy.
///
/// ```
/// use schedules::ScheduleConfig;
/// let config: ScheduleConfig = toml::from_str(r#"
///     kind = "cyclical"
///     base_lr = 0.001
///     max_lr = 0.006
///     step_size = 2000
/// "#).unwrap();
/// let policy = config.policy().unwrap();
/// assert_eq!(policy.lr(2000), 0.006);
///
/// let bad: ScheduleConfig = toml::from_str(
///     "kind = 'cyclical'\nbase_lr = 0.01\nmax_lr = 0.001\nstep_size = 10",
/// ).unwrap();
/// assert_eq!(
///     bad.policy().unwrap_err().to_string(),
///     "cyclical: max_lr (0.001) must be greater than base_lr (0.01)",
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScheduleConfig {
    /// See [`Constant`].
    Constant(Constant),
    /// See [`Step`].
    Step(Step),
    /// See [`Multistep`].
    Multistep(Multistep),
    /// See [`Exponential`].
    Exponential(Exponential),
    /// See [`InverseTime`].
    InverseTime(InverseTime),
    /// See [`Polynomial`].
    Polynomial(Polynomial),
    /// See [`Cosine`].
    Cosine(Cosine),
    /// See [`CosineRestarts`].
    CosineRestarts(CosineRestarts),
    /// See [`Cyclical`].
    Cyclical(Cyclical),
    /// See [`OneCycle`].
    OneCycle(OneCycle),
    /// See [`Linear`].
    Linear(Linear),
    /// See [`Warmup`].
    Warmup(Warmup),
    /// See [`Wsd`].
    Wsd(Wsd),
    /// See [`Sequential`].
    Sequential(Sequential),
    /// See [`Plateau`].
    Plateau(Plateau),
}

/// Every `kind` name, in the order of the documentation table.
///
/// ```
/// assert_eq!(schedules::KINDS.len(), 15);
/// assert!(schedules::KINDS.contains(&"one_cycle"));
/// ```
pub const KINDS: [&str; 15] = [
    "constant",
    "step",
    "multistep",
    "exponential",
    "inverse_time",
    "polynomial",
    "cosine",
    "cosine_restarts",
    "cyclical",
    "one_cycle",
    "linear",
    "warmup",
    "wsd",
    "sequential",
    "plateau",
];

macro_rules! dispatch {
    ($self:expr, $s:ident => $e:expr) => {
        match $self {
            ScheduleConfig::Constant($s) => $e,
            ScheduleConfig::Step($s) => $e,
            ScheduleConfig::Multistep($s) => $e,
            ScheduleConfig::Exponential($s) => $e,
            ScheduleConfig::InverseTime($s) => $e,
            ScheduleConfig::Polynomial($s) => $e,
            ScheduleConfig::Cosine($s) => $e,
            ScheduleConfig::CosineRestarts($s) => $e,
            ScheduleConfig::Cyclical($s) => $e,
            ScheduleConfig::OneCycle($s) => $e,
            ScheduleConfig::Linear($s) => $e,
            ScheduleConfig::Warmup($s) => $e,
            ScheduleConfig::Wsd($s) => $e,
            ScheduleConfig::Sequential($s) => $e,
            ScheduleConfig::Plateau($s) => $e,
        }
    };
}

impl Schedule for ScheduleConfig {
    fn lr(&self, t: u64) -> f64 {
        dispatch!(self, s => s.lr(t))
    }

    fn bounds(&self) -> (f64, f64) {
        dispatch!(self, s => s.bounds())
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        dispatch!(self, s => s.validate())
    }
}

/// The largest learning rate a schedule may reach: far above any real rate, and far enough
/// below `f64::MAX` that interpolating between two rates cannot overflow.
pub const MAX_RATE: f64 = 1e300;

impl ScheduleConfig {
    /// The `kind` tag of this policy.
    pub fn kind(&self) -> &'static str {
        let i = match self {
            Self::Constant(_) => 0,
            Self::Step(_) => 1,
            Self::Multistep(_) => 2,
            Self::Exponential(_) => 3,
            Self::InverseTime(_) => 4,
            Self::Polynomial(_) => 5,
            Self::Cosine(_) => 6,
            Self::CosineRestarts(_) => 7,
            Self::Cyclical(_) => 8,
            Self::OneCycle(_) => 9,
            Self::Linear(_) => 10,
            Self::Warmup(_) => 11,
            Self::Wsd(_) => 12,
            Self::Sequential(_) => 13,
            Self::Plateau(_) => 14,
        };
        KINDS[i]
    }

    /// Validates a schedule nested in `warmup` or `sequential`, where `plateau` has no meaning:
    /// its rate depends on reported metrics, not on a step count a parent could shift.
    pub(crate) fn validate_nested(&self) -> Result<(), ScheduleError> {
        if let Self::Plateau(_) = self {
            return Err(Check("plateau").err(
                "kind",
                "plateau",
                "cannot be nested in warmup or sequential; use it as the top-level schedule",
            ));
        }
        self.validate()
    }

    /// Validates the parameters and returns the pure policy `t ↦ lr(t)`.
    ///
    /// Besides each parameter's own rule, the largest rate the schedule can reach (after
    /// factors such as `div_factor` are applied) must be at most [`MAX_RATE`], so that no
    /// formula can overflow to infinity.
    pub fn policy(&self) -> Result<Policy, ScheduleError> {
        self.validate()?;
        let (_, hi) = self.bounds();
        if hi.is_nan() || hi > MAX_RATE {
            return Err(ScheduleError::new(
                self.kind(),
                "largest rate",
                format!("{hi:e}"),
                "must be at most 1e300; lower the rates or the factors that multiply them",
            ));
        }
        Ok(Policy {
            config: self.clone(),
            steps_per_epoch: 1,
        })
    }

    /// Validates the parameters and returns a Burn [`LrScheduler`](burn_optim::lr_scheduler::LrScheduler).
    pub fn build(&self) -> Result<Scheduler, ScheduleError> {
        self.policy().map(Scheduler::new)
    }
}

/// A validated policy: a value answering `lr(t)` for `t = 0, 1, 2, …`, where `t` counts the
/// optimizer steps taken before.
///
/// Built by [`ScheduleConfig::policy`]; optionally counting epochs with [`Policy::per_epoch`].
///
/// ```
/// use schedules::ScheduleConfig;
/// let config: ScheduleConfig = toml::from_str(
///     "kind = 'exponential'\ninitial_lr = 1.0\ndecay_rate = 0.05",
/// ).unwrap();
/// // The reference text counts epochs: hold each epoch's rate for its 469 steps.
/// let policy = config.policy().unwrap().per_epoch(469).unwrap();
/// assert_eq!(policy.lr(468), 1.0);
/// assert_eq!(policy.lr(469), (-0.05f64).exp());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    config: ScheduleConfig,
    steps_per_epoch: u64,
}

impl Policy {
    /// The learning rate for the step that follows `step` earlier steps.
    #[inline]
    pub fn lr(&self, step: u64) -> f64 {
        self.config.lr(step / self.steps_per_epoch)
    }

    /// An interval that holds every rate this policy gives.
    pub fn bounds(&self) -> (f64, f64) {
        self.config.bounds()
    }

    /// The configuration this policy was built from.
    pub fn config(&self) -> &ScheduleConfig {
        &self.config
    }

    /// Steps per unit of the policy's `t` (1 unless [`per_epoch`](Self::per_epoch) was used).
    pub fn steps_per_epoch(&self) -> u64 {
        self.steps_per_epoch
    }

    /// Counts the policy's `t` in epochs: the rate is held for `steps_per_epoch` steps and
    /// `t = ⌊step / steps_per_epoch⌋`, so every step, `total_steps` or `step_size` of the config is
    /// read as a number of epochs.
    pub fn per_epoch(mut self, steps_per_epoch: u64) -> Result<Self, ScheduleError> {
        Check("per_epoch").steps("steps_per_epoch", steps_per_epoch)?;
        self.steps_per_epoch = steps_per_epoch;
        Ok(self)
    }
}
