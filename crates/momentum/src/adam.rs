//! Adam and AdamW with β1 read from a [`MomentumHandle`].

use burn_core as burn;

use burn::config::Config;
use burn::tensor::{Device, Tensor};
use burn_optim::grad_clipping::GradientClippingConfig;
use burn_optim::{LearningRate, ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};

use crate::MomentumHandle;

/// Configuration of [`Adam`], with PyTorch's defaults: `torch.optim.Adam` (β2 0.999, ε 1e-8,
/// no weight decay), or `torch.optim.AdamW` with `decoupled_weight_decay` (PyTorch's AdamW
/// default weight decay is 0.01). The learning rate is given to each `step`, β1 through the
/// handle.
#[derive(Config, Debug)]
pub struct AdamConfig {
    /// The β1 the handle starts with.
    #[config(default = 0.9)]
    beta_1: f64,
    /// Decay of the squared-gradient average.
    #[config(default = 0.999)]
    beta_2: f64,
    /// Added to the denominator (PyTorch's `eps`; Burn's own Adam defaults to 1e-5).
    #[config(default = 1e-8)]
    epsilon: f64,
    /// Weight decay `λ`: added to the gradient (`λ·θ`), or with `decoupled_weight_decay`
    /// applied to the parameter (`θ·(1 − lr·λ)`).
    #[config(default = 0.0)]
    weight_decay: f64,
    /// AdamW's decoupled weight decay.
    #[config(default = false)]
    decoupled_weight_decay: bool,
    /// [Gradient clipping](GradientClippingConfig), applied by [`init`](Self::init).
    grad_clipping: Option<GradientClippingConfig>,
}

impl AdamConfig {
    /// The bare optimizer (for
    /// [`ModuleOptimizer::with_group`](burn_optim::ModuleOptimizer::with_group)).
    pub fn build(&self) -> Adam {
        Adam {
            beta_1: MomentumHandle::new(self.beta_1),
            beta_2: self.beta_2,
            epsilon: self.epsilon,
            weight_decay: self.weight_decay,
            decoupled: self.decoupled_weight_decay,
        }
    }

    /// A whole-module optimizer, with the configured gradient clipping, and its β1 handle.
    pub fn init(&self) -> (ModuleOptimizer, MomentumHandle) {
        let adam = self.build();
        let handle = adam.beta_1();
        let mut optim = ModuleOptimizer::from(adam);
        if let Some(config) = &self.grad_clipping {
            optim = optim.with_grad_clipping(config.init());
        }
        (optim, handle)
    }
}

/// Adam, one parameter at a time, equal to `torch.optim.Adam` / `AdamW` (`amsgrad = False`):
/// with `β1` the value in force and `t` the steps taken including this one,
///
/// ```text
/// θ   = θ·(1 − lr·λ)                  (decoupled weight decay)
/// g   = g + λ·θ                       (weight decay otherwise)
/// m   = β1·m + (1 − β1)·g             (m = v = 0 before the first step)
/// v   = β2·v + (1 − β2)·g²
/// θ   = θ − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
/// ```
#[derive(Clone)]
pub struct Adam {
    beta_1: MomentumHandle,
    beta_2: f64,
    epsilon: f64,
    weight_decay: f64,
    decoupled: bool,
}

impl Adam {
    /// The handle that sets β1 for the next steps.
    pub fn beta_1(&self) -> MomentumHandle {
        self.beta_1.clone()
    }
}

/// State of [`Adam`] for one parameter: PyTorch's `step`, `exp_avg` and `exp_avg_sq`.
#[derive(Clone, Debug)]
pub struct AdamState<const D: usize> {
    /// Steps taken.
    pub step: u64,
    /// First moment `m`.
    pub exp_avg: Tensor<D>,
    /// Second moment `v`.
    pub exp_avg_sq: Tensor<D>,
}

// By hand: `#[derive(RecordState)]` expands to `crate::` paths that exist only in burn-optim.
impl<const D: usize> RecordState for AdamState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_scalar(prefix, "step", self.step.into());
        out.push_tensor(prefix, "exp_avg", self.exp_avg.clone().into_data());
        out.push_tensor(prefix, "exp_avg_sq", self.exp_avg_sq.clone().into_data());
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        Some(Self {
            step: u64::try_from(src.take_scalar(prefix, "step")?).ok()?,
            exp_avg: Tensor::<D>::from_data(src.take_tensor(prefix, "exp_avg")?, device),
            exp_avg_sq: Tensor::<D>::from_data(src.take_tensor(prefix, "exp_avg_sq")?, device),
        })
    }
}

impl Optimizer for Adam {
    type State<const D: usize> = AdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        mut tensor: Tensor<D>,
        mut grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        if self.weight_decay != 0.0 {
            if self.decoupled {
                tensor = tensor.mul_scalar(1.0 - lr * self.weight_decay);
            } else {
                grad = grad.add(tensor.clone().mul_scalar(self.weight_decay));
            }
        }
        let (b1, b2) = (self.beta_1.get(), self.beta_2);
        let (step, exp_avg, exp_avg_sq) = match state {
            Some(s) => (
                s.step + 1,
                s.exp_avg
                    .mul_scalar(b1)
                    .add(grad.clone().mul_scalar(1.0 - b1)),
                (s.exp_avg_sq.mul_scalar(b2)).add(grad.square().mul_scalar(1.0 - b2)),
            ),
            None => (
                1,
                grad.clone().mul_scalar(1.0 - b1),
                grad.square().mul_scalar(1.0 - b2),
            ),
        };
        // The scalars in f64, as PyTorch computes them in Python floats.
        let t = step as f64;
        let step_size = lr / (1.0 - b1.powf(t));
        let bias_correction2_sqrt = (1.0 - b2.powf(t)).sqrt();
        let denom = (exp_avg_sq.clone().sqrt())
            .div_scalar(bias_correction2_sqrt)
            .add_scalar(self.epsilon);
        let update = exp_avg.clone().div(denom).mul_scalar(step_size);
        let state = AdamState {
            step,
            exp_avg,
            exp_avg_sq,
        };
        (tensor - update, Some(state))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        AdamState {
            step: state.step,
            exp_avg: state.exp_avg.to_device(device),
            exp_avg_sq: state.exp_avg_sq.to_device(device),
        }
    }
}
