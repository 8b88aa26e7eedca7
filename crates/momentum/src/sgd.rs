//! SGD with heavy-ball (or Nesterov) momentum read from a [`MomentumHandle`].

use burn_core as burn;

use burn::config::Config;
use burn::tensor::{Device, Tensor};
use burn_optim::decay::{WeightDecay, WeightDecayConfig};
use burn_optim::grad_clipping::GradientClippingConfig;
use burn_optim::{LearningRate, ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};

use crate::MomentumHandle;

/// Configuration of [`SgdMomentum`]: PyTorch's `SGD(momentum, dampening=0, nesterov,
/// weight_decay)`. The learning rate is given to each `step`, the momentum through the handle.
#[derive(Config, Debug)]
pub struct SgdMomentumConfig {
    /// The momentum the handle starts with.
    #[config(default = 0.9)]
    momentum: f64,
    /// Nesterov momentum: the update is `g + m·buf` instead of `buf`.
    #[config(default = false)]
    nesterov: bool,
    /// L2 penalty added to the gradient, as PyTorch's `weight_decay`.
    weight_decay: Option<WeightDecayConfig>,
    /// [Gradient clipping](GradientClippingConfig), applied by [`init`](Self::init).
    grad_clipping: Option<GradientClippingConfig>,
}

impl SgdMomentumConfig {
    /// The bare optimizer and its handle (for
    /// [`ModuleOptimizer::with_group`](burn_optim::ModuleOptimizer::with_group)).
    pub fn build(&self) -> SgdMomentum {
        SgdMomentum {
            momentum: MomentumHandle::new(self.momentum),
            nesterov: self.nesterov,
            weight_decay: self.weight_decay.as_ref().map(WeightDecay::new),
        }
    }

    /// A whole-module optimizer, with the configured gradient clipping, and its handle.
    pub fn init(&self) -> (ModuleOptimizer, MomentumHandle) {
        let sgd = self.build();
        let handle = sgd.momentum();
        let mut optim = ModuleOptimizer::from(sgd);
        if let Some(config) = &self.grad_clipping {
            optim = optim.with_grad_clipping(config.init());
        }
        (optim, handle)
    }
}

/// SGD with momentum, one parameter at a time, equal to `torch.optim.SGD` with
/// `dampening = 0`: with `m` the momentum in force,
///
/// ```text
/// g   = g + λ·θ                       (only with weight decay)
/// buf = g on the first step, else m·buf + g
/// θ   = θ − lr·buf                    (Nesterov: θ − lr·(g + m·buf))
/// ```
///
/// A step at `m = 0` is plain SGD and leaves `buf` as it was, as PyTorch skips the buffer then.
#[derive(Clone)]
pub struct SgdMomentum {
    momentum: MomentumHandle,
    nesterov: bool,
    weight_decay: Option<WeightDecay>,
}

impl SgdMomentum {
    /// The handle that sets the momentum of the next steps.
    pub fn momentum(&self) -> MomentumHandle {
        self.momentum.clone()
    }
}

/// State of [`SgdMomentum`] for one parameter: PyTorch's `momentum_buffer`.
#[derive(Clone, Debug)]
pub struct SgdMomentumState<const D: usize> {
    /// The velocity `buf`.
    pub buffer: Tensor<D>,
}

// By hand: `#[derive(RecordState)]` expands to `crate::` paths that exist only in burn-optim.
impl<const D: usize> RecordState for SgdMomentumState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_tensor(prefix, "buffer", self.buffer.clone().into_data());
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let buffer = Tensor::<D>::from_data(src.take_tensor(prefix, "buffer")?, device);
        Some(Self { buffer })
    }
}

impl Optimizer for SgdMomentum {
    type State<const D: usize> = SgdMomentumState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        mut grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        if let Some(weight_decay) = &self.weight_decay {
            grad = weight_decay.transform(grad, tensor.clone());
        }
        let m = self.momentum.get();
        if m == 0.0 {
            return (tensor - grad.mul_scalar(lr), state);
        }
        let buffer = match state {
            Some(s) => s.buffer.mul_scalar(m).add(grad.clone()),
            None => grad.clone(),
        };
        let update = if self.nesterov {
            grad.add(buffer.clone().mul_scalar(m))
        } else {
            buffer.clone()
        };
        (
            tensor - update.mul_scalar(lr),
            Some(SgdMomentumState { buffer }),
        )
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        SgdMomentumState {
            buffer: state.buffer.to_device(device),
        }
    }
}
