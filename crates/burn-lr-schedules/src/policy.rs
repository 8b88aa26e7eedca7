//! A validated policy: the rate and momentum of each step, optionally counted in epochs.

use crate::Schedule;
use crate::config::ScheduleConfig;
use crate::error::{Check, ScheduleError};

/// A validated policy: a value answering `lr(t)` for `t = 0, 1, 2, …`, where `t` counts the
/// optimizer steps taken before.
///
/// Built by [`ScheduleConfig::policy`]; optionally counting epochs with [`Policy::per_epoch`].
///
/// ```
/// use burn_lr_schedules::ScheduleConfig;
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
    /// A policy of a validated `config`, counting steps.
    pub(crate) fn new(config: ScheduleConfig) -> Self {
        Self {
            config,
            steps_per_epoch: 1,
        }
    }

    /// The learning rate for the step that follows `step` earlier steps.
    #[inline]
    pub fn lr(&self, step: u64) -> f64 {
        self.config.lr(step / self.steps_per_epoch)
    }

    /// The momentum (or Adam's β1) for the step that follows `step` earlier steps, where the
    /// policy cycles it; `None` where the optimizer's own momentum stays in force. See
    /// [`Schedule::momentum`].
    ///
    /// ```
    /// let c: burn_lr_schedules::ScheduleConfig =
    ///     toml::from_str("kind = 'one_cycle'\nmax_lr = 0.1\ntotal_steps = 100").unwrap();
    /// let p = c.policy().unwrap();
    /// assert_eq!((p.momentum(0), p.momentum(29)), (Some(0.95), Some(0.85)));
    /// assert!(p.cycles_momentum());
    /// ```
    #[inline]
    pub fn momentum(&self, step: u64) -> Option<f64> {
        self.config.momentum(step / self.steps_per_epoch)
    }

    /// Whether [`momentum`](Self::momentum) is `Some` at any step.
    pub fn cycles_momentum(&self) -> bool {
        self.config.cycles_momentum()
    }

    /// An interval that holds every rate this policy gives.
    pub fn bounds(&self) -> (f64, f64) {
        self.config.bounds()
    }

    /// The configuration this policy was built from.
    pub fn config(&self) -> &ScheduleConfig {
        &self.config
    }

    /// A 64-bit fingerprint of the config and the step unit: equal policies give equal
    /// fingerprints, and a changed parameter gives another one (FNV-1a over the `Debug` form,
    /// whose floats print exactly). [`Scheduler`](crate::Scheduler) records carry it, so that
    /// [`Scheduler::load_record_checked`](crate::Scheduler::load_record_checked) can refuse a record saved under another policy.
    ///
    /// ```
    /// use burn_lr_schedules::ScheduleConfig;
    /// let a: ScheduleConfig = toml::from_str("kind = 'constant'\nlr = 0.1").unwrap();
    /// let b: ScheduleConfig = toml::from_str("kind = 'constant'\nlr = 0.10000000000000002").unwrap();
    /// let (pa, pb) = (a.policy().unwrap(), b.policy().unwrap());
    /// assert_eq!(pa.fingerprint(), a.policy().unwrap().fingerprint());
    /// assert_ne!(pa.fingerprint(), pb.fingerprint());
    /// assert_ne!(pa.fingerprint(), pa.clone().per_epoch(10).unwrap().fingerprint());
    /// ```
    pub fn fingerprint(&self) -> u64 {
        let text = format!("{:?}/{}", self.config, self.steps_per_epoch);
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
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
