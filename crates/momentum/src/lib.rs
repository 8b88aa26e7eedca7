#![warn(missing_docs)]

//! SGD with momentum and Adam for Burn, with the momentum (Adam's β1) set anew before every step,
//! as PyTorch's `OneCycleLR` and `CyclicLR` set `param_groups[…]["momentum"]` or `["betas"][0]`.
//!
//! Burn's own `Sgd` and `Adam` fix their momentum when built, and a
//! [`ModuleOptimizer`](burn_optim::ModuleOptimizer) hides the optimizer behind a trait object,
//! so nothing can reach it between steps. These optimizers read their momentum from a
//! [`MomentumHandle`] instead: the training loop keeps a clone and sets it before each
//! `step`, the way it passes that step's learning rate.
//!
//! - [`SgdMomentum`]: `torch.optim.SGD(momentum=m, dampening=0, nesterov=…, weight_decay=…)`.
//! - [`Adam`]: `torch.optim.Adam` (`decoupled_weight_decay = false`) and `torch.optim.AdamW`
//!   (`true`), with PyTorch's defaults (ε = 1e-8, where Burn's own Adam has 1e-5).
//!
//! The momentum in force when `step` runs is the one that step uses, also in Adam's bias
//! correction `1 − β1^t`, exactly as PyTorch (which takes the group's current β1 there too).
//!
//! ```
//! use burn::nn::{Linear, LinearConfig};
//! use burn::optim::GradientsParams;
//! use burn::tensor::{Device, Tensor};
//! use momentum::SgdMomentumConfig;
//!
//! let device = Device::flex().autodiff();
//! let mut model: Linear = LinearConfig::new(3, 1).init(&device);
//! let (mut optim, handle) = SgdMomentumConfig::new().init();
//! let (x, y) = (Tensor::<2>::ones([4, 3], &device), Tensor::<2>::zeros([4, 1], &device));
//! for t in 0..10 {
//!     handle.set(0.95 - 0.01 * t as f64); // what a schedule's `momentum(t)` would give
//!     let loss = (model.forward(x.clone()) - y.clone()).powi_scalar(2).mean();
//!     let grads = GradientsParams::from_grads(loss.backward(), &model);
//!     model = optim.step(0.01, model, grads);
//! }
//! ```

mod adam;
mod handle;
mod sgd;

pub use adam::{Adam, AdamConfig, AdamState};
pub use handle::MomentumHandle;
pub use sgd::{SgdMomentum, SgdMomentumConfig, SgdMomentumState};
