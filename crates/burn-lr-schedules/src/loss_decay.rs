//! Loss decay (Jiakai Wei, "Forget the learning rate, decay loss"): keep the learning rate
//! fixed and scale the loss instead.

use crate::Policy;

/// A policy used as a multiplier on the loss: `loss · m(t)` with
/// `m(t) = lr(t) / peak`, where `peak` is the upper end of the policy's
/// [`bounds`](Policy::bounds) (its first or highest rate), so `m` starts at or rises to 1 and the
/// fixed learning rate keeps its meaning.
///
/// With plain SGD, gradients scale with the loss, so loss decay at a fixed rate `η` is exactly
/// the schedule `η · m(t)`. With Adam (and RMSprop, Adagrad, Adadelta) it is not: their updates
/// divide the gradient by a running estimate of its own magnitude, which cancels most of the
/// scale, so loss decay mainly changes the weight of the (decoupled) epsilon and of weight decay.
///
/// The multiplier is the pure policy: no metric reaches it, so a `plateau` part stays at its
/// `initial_lr` (the experiments refuse such a schedule as a loss multiplier).
///
/// ```
/// use burn_lr_schedules::{LossDecay, ScheduleConfig};
/// let policy = toml::from_str::<ScheduleConfig>(
///     "kind = 'cosine'\nmax_lr = 0.1\ntotal_steps = 100",
/// ).unwrap().policy().unwrap();
/// let decay = LossDecay::new(policy);
/// assert_eq!(decay.factor(0), 1.0);
/// assert!((decay.factor(50) - 0.5).abs() < 1e-12);
/// // In a training loop: `let loss = loss * decay.factor(step);`
/// ```
#[derive(Debug, Clone)]
pub struct LossDecay {
    policy: Policy,
    peak: f64,
}

impl LossDecay {
    /// Uses `policy`, normalised by its peak, as the loss multiplier.
    pub fn new(policy: Policy) -> Self {
        let peak = policy.bounds().1;
        Self { policy, peak }
    }

    /// The multiplier for the step that follows `step` earlier steps.
    pub fn factor(&self, step: u64) -> f64 {
        self.policy.lr(step) / self.peak
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}
