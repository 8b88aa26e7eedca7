#![warn(missing_docs)]

//! Optimizers that spare the tuning of a schedule, for Burn, each equal to its reference
//! implementation:
//!
//! | optimizer | reference | default `lr` | estimate |
//! |---|---|---|---|
//! | [`ScheduleFree`] from [`SgdScheduleFreeConfig`] | `schedulefree` 1.4.1 `SGDScheduleFree` | 1.0 | averaging weight c |
//! | [`ScheduleFree`] from [`AdamWScheduleFreeConfig`] | `schedulefree` 1.4.1 `AdamWScheduleFree` | 0.0025 | averaging weight c |
//! | [`Prodigy`] | `prodigyopt` 1.1.2 `Prodigy` | 1.0 (× d) | step size d |
//! | [`DAdaptAdam`] | `dadaptation` 3.2 `DAdaptAdam` | 1.0 (× d) | step size d |
//! | [`DAdaptSgd`] | `dadaptation` 3.2 `DAdaptSGD` | 1.0 (× d) | step size d |
//!
//! Settings and defaults are the references'; a setting out of range is refused by `init` with
//! a one-line [`ConfigError`].
//!
//! # Whole-module optimizers
//!
//! Burn's `Optimizer` trait updates one tensor at a time. These cannot: Prodigy and
//! D-Adaptation estimate d from sums over every parameter before updating any, and schedule-free
//! moves every parameter between y and x for evaluation. So each is a [`WholeModuleOptimizer`]:
//! `step` visits the module's float parameters that have a gradient, in the module's order
//! (Burn's `ModuleVisitor`), flattens each with its gradient, computes the sums, then writes the
//! updated values back through a `ModuleMapper`, keeping what autodiff knew of each parameter.
//! Their state is keyed by `ParamId`, and saved with [`to_bytes`](WholeModuleOptimizer::to_bytes)
//! (loaded with [`load_bytes`](WholeModuleOptimizer::load_bytes)) so a run resumes exactly.
//!
//! # Schedules
//!
//! The rate given to each `step` is the reference's `lr` for that step, what a PyTorch scheduler
//! writes into `param_groups[…]["lr"]`: for schedule-free the rate itself (its warm-up applies on
//! top), for Prodigy and D-Adaptation the multiplier of d. Any schedule of `burn-lr-schedules`
//! gives it; a constant at the default `lr` is the references' own use.
//!
//! ```
//! use burn::nn::{Linear, LinearConfig};
//! use burn::optim::GradientsParams;
//! use burn::tensor::{Device, Tensor};
//! use lr_free::{ProdigyConfig, WholeModuleOptimizer};
//!
//! let device = Device::flex().autodiff();
//! let mut model: Linear = LinearConfig::new(3, 1).init(&device);
//! let mut optim = ProdigyConfig::new().init().unwrap();
//! let (x, y) = (Tensor::<2>::ones([4, 3], &device), Tensor::<2>::zeros([4, 1], &device));
//! for t in 0..20 {
//!     let cosine = 0.5 * (1.0 + (std::f64::consts::PI * t as f64 / 20.0).cos());
//!     let loss = (model.forward(x.clone()) - y.clone()).powi_scalar(2).mean();
//!     let grads = GradientsParams::from_grads(loss.backward(), &model);
//!     model = optim.step(ProdigyConfig::DEFAULT_LR * cosine, model, grads);
//! }
//! assert!(optim.estimate() > 1e-6, "d grew from d0");
//! ```

mod dadapt;
mod error;
mod params;
mod prodigy;
mod record;
mod schedule_free;

use burn_core::module::Module;
use burn_core::tensor::Device;
use burn_optim::GradientsParams;

pub use dadapt::{DAdaptAdam, DAdaptAdamConfig, DAdaptSgd, DAdaptSgdConfig};
pub use error::ConfigError;
pub use prodigy::{Prodigy, ProdigyConfig};
pub use record::RecordError;
pub use schedule_free::{AdamWScheduleFreeConfig, ScheduleFree, SgdScheduleFreeConfig};

/// An optimizer that steps a whole module at once (see the [crate docs](crate)).
pub trait WholeModuleOptimizer {
    /// One step at rate `lr` (the reference's `lr`): `module` with its parameters updated from
    /// `grads`. Parameters without a gradient are left as they are.
    fn step<M: Module>(&mut self, lr: f64, module: M, grads: GradientsParams) -> M;

    /// The whole state, to resume exactly with [`load_bytes`](Self::load_bytes).
    fn to_bytes(&self) -> Vec<u8>;

    /// Puts a state from [`to_bytes`](Self::to_bytes) in place, its tensors on `device`; a state
    /// of another optimizer, or damaged bytes, is refused and nothing changes.
    fn load_bytes(&mut self, bytes: &[u8], device: &Device) -> Result<(), RecordError>;

    /// What to log: the step size d (Prodigy, D-Adaptation) or the averaging weight c of the
    /// last step (schedule-free).
    fn estimate(&self) -> f64;
}
