#![warn(missing_docs)]

//! The Adadelta optimizer ([Zeiler 2012](https://arxiv.org/abs/1212.5701)) for Burn.
//!
//! A per-parameter [`Optimizer`] built the same way as Burn's own (`AdaGrad`, `RmsProp`): configure
//! it with [`AdadeltaConfig`], call [`AdadeltaConfig::init`] to get a [`ModuleOptimizer`], and step a
//! whole module with it. Its per-parameter state, [`AdadeltaState`], goes through the optimizer
//! record ([`ModuleOptimizer::to_record`] / [`ModuleOptimizer::load_record`], or `save` / `load`),
//! so a resumed optimizer continues exactly where it stopped.
//!
//! # Update rule
//!
//! For every parameter `θ` with gradient `g`, learning rate `lr` (given to each `step`), decay `ρ`,
//! `ε` and L2 penalty `λ`, starting from `square_avg = acc_delta = 0`:
//!
//! ```text
//! g          = g + λ·θ                                  (only with weight decay)
//! square_avg = ρ·square_avg + (1 − ρ)·g²
//! delta      = sqrt(acc_delta + ε) / sqrt(square_avg + ε) · g
//! acc_delta  = ρ·acc_delta + (1 − ρ)·delta²
//! θ          = θ − lr·delta
//! ```
//!
//! This is exactly `torch.optim.Adadelta` (`_single_tensor_adadelta`, with `maximize=False`), and
//! the defaults are PyTorch's: `ρ = 0.9`, `ε = 1e-6`, no weight decay, and `lr = 1.0` is the rate
//! to pass to `step` for PyTorch's default.
//!
//! # Example
//!
//! ```
//! use adadelta::AdadeltaConfig;
//! use burn::nn::{Linear, LinearConfig};
//! use burn::optim::GradientsParams;
//! use burn::tensor::{Device, Tensor};
//!
//! let device = Device::flex().autodiff();
//! let mut model: Linear = LinearConfig::new(3, 1).init(&device);
//! // PyTorch's `torch.optim.Adadelta(params)`: rho 0.9, eps 1e-6, lr 1.0.
//! let mut optim = AdadeltaConfig::new().init();
//! let (x, y) = (Tensor::<2>::ones([4, 3], &device), Tensor::<2>::zeros([4, 1], &device));
//! let loss_of = |model: &Linear| (model.forward(x.clone()) - y.clone()).powi_scalar(2).mean();
//!
//! let first = loss_of(&model).into_scalar::<f32>();
//! for _ in 0..20 {
//!     let loss = loss_of(&model);
//!     let grads = GradientsParams::from_grads(loss.backward(), &model);
//!     model = optim.step(1.0, model, grads);
//! }
//! assert!(loss_of(&model).into_scalar::<f32>() < first);
//!
//! // The state survives a round trip through the optimizer record.
//! let record = optim.to_record();
//! assert!(!record.is_empty());
//! let resumed = AdadeltaConfig::new().init().load_record(record);
//! # let _ = resumed;
//! ```

use burn_core as burn;

use burn::config::Config;
use burn::tensor::{Device, Tensor};
use burn_optim::decay::{WeightDecay, WeightDecayConfig};
use burn_optim::grad_clipping::GradientClippingConfig;
use burn_optim::{LearningRate, ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};

/// Configuration to create the [`Adadelta`] optimizer.
///
/// The defaults are those of `torch.optim.Adadelta`. The learning rate is not part of the config:
/// like every Burn optimizer, it is given to each `step` (PyTorch's default is `1.0`).
#[derive(Config, Debug)]
pub struct AdadeltaConfig {
    /// Decay rate `ρ` of both running averages (PyTorch's `rho`).
    #[config(default = 0.9)]
    rho: f64,
    /// Term `ε` added inside both square roots for numerical stability (PyTorch's `eps`).
    #[config(default = 1e-6)]
    epsilon: f64,
    /// [Weight decay](WeightDecayConfig) config: L2 penalty added to the gradient, as PyTorch's
    /// `weight_decay`.
    weight_decay: Option<WeightDecayConfig>,
    /// [Gradient Clipping](GradientClippingConfig) config.
    grad_clipping: Option<GradientClippingConfig>,
}

impl AdadeltaConfig {
    /// Build an [`Adadelta`] from the config.
    ///
    /// The bare optimizer, which
    /// [`ModuleOptimizer::with_group`](burn_optim::ModuleOptimizer::with_group) takes to optimize
    /// one parameter group. [`init`](Self::init) is the whole-module counterpart, and the only one
    /// that applies the configured gradient clipping.
    pub fn build(&self) -> Adadelta {
        Adadelta {
            rho: self.rho,
            epsilon: self.epsilon,
            weight_decay: self.weight_decay.as_ref().map(WeightDecay::new),
        }
    }

    /// Initialize the Adadelta optimizer.
    ///
    /// # Returns
    ///
    /// Returns an optimizer that can be used to optimize a module.
    pub fn init(&self) -> ModuleOptimizer {
        let mut optim = ModuleOptimizer::from(self.build());
        if let Some(config) = &self.grad_clipping {
            optim = optim.with_grad_clipping(config.init());
        }
        optim
    }
}

/// The Adadelta optimizer, applied to one parameter at a time.
///
/// See the [crate documentation](crate) for the update rule. Create it with
/// [`AdadeltaConfig::build`], or [`AdadeltaConfig::init`] for a whole-module optimizer.
#[derive(Clone)]
pub struct Adadelta {
    rho: f64,
    epsilon: f64,
    weight_decay: Option<WeightDecay>,
}

/// State of [`Adadelta`] for one parameter: PyTorch's `square_avg` and `acc_delta`.
#[derive(Clone, Debug)]
pub struct AdadeltaState<const D: usize> {
    /// Running average of the squared gradients, `E[g²]`.
    pub square_avg: Tensor<D>,
    /// Running average of the squared updates, `E[Δθ²]`.
    pub acc_delta: Tensor<D>,
}

impl<const D: usize> AdadeltaState<D> {
    /// Create a state from its two running averages.
    pub fn new(square_avg: Tensor<D>, acc_delta: Tensor<D>) -> Self {
        Self {
            square_avg,
            acc_delta,
        }
    }

    /// Move the state to a device.
    ///
    /// # Arguments
    ///
    /// * `device` - Device to move the state to.
    ///
    /// # Returns
    ///
    /// Returns the state moved to the device.
    pub fn to_device(mut self, device: &Device) -> Self {
        self.square_avg = self.square_avg.to_device(device);
        self.acc_delta = self.acc_delta.to_device(device);
        self
    }
}

// Written by hand: `#[derive(RecordState)]` expands to `crate::` paths and so only works inside
// burn-optim. This is what the derive generates for two `Tensor<D>` fields.
impl<const D: usize> RecordState for AdadeltaState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_tensor(prefix, "square_avg", self.square_avg.clone().into_data());
        out.push_tensor(prefix, "acc_delta", self.acc_delta.clone().into_data());
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let square_avg = Tensor::<D>::from_data(src.take_tensor(prefix, "square_avg")?, device);
        let acc_delta = Tensor::<D>::from_data(src.take_tensor(prefix, "acc_delta")?, device);
        Some(Self::new(square_avg, acc_delta))
    }
}

impl Optimizer for Adadelta {
    type State<const D: usize> = AdadeltaState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        mut grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        // weight decay transform: g + λ·θ
        if let Some(weight_decay) = &self.weight_decay {
            grad = weight_decay.transform(grad, tensor.clone());
        }

        let rho = self.rho;
        let eps = self.epsilon;
        let (delta, state) = match state {
            Some(AdadeltaState {
                square_avg,
                acc_delta,
            }) => {
                let square_avg = square_avg
                    .mul_scalar(rho)
                    .add(grad.clone().square().mul_scalar(1.0 - rho));
                let std = square_avg.clone().add_scalar(eps).sqrt();
                let delta = acc_delta.clone().add_scalar(eps).sqrt().div(std).mul(grad);
                let acc_delta = acc_delta
                    .mul_scalar(rho)
                    .add(delta.clone().square().mul_scalar(1.0 - rho));
                (delta, AdadeltaState::new(square_avg, acc_delta))
            }
            // First step: both averages start at zero, so `square_avg = (1 − ρ)·g²` and
            // `sqrt(acc_delta + ε) = sqrt(ε)`.
            None => {
                let square_avg = grad.clone().square().mul_scalar(1.0 - rho);
                let std = square_avg.clone().add_scalar(eps).sqrt();
                let delta = grad.div(std).mul_scalar(eps.sqrt());
                let acc_delta = delta.clone().square().mul_scalar(1.0 - rho);
                (delta, AdadeltaState::new(square_avg, acc_delta))
            }
        };

        (tensor - delta.mul_scalar(lr), Some(state))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        state.to_device(device)
    }
}
