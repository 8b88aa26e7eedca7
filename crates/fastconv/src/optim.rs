//! [`FusedAdam`]: Burn's `Adam`, with the update of each f32 parameter on flex and ndarray fused
//! into one pass over its memory.

use burn::backend::Dispatch;
use burn::optim::{
    Adam, AdamConfig, AdamState, AdaptiveMomentumState, LearningRate, ModuleOptimizer, Optimizer,
};
use burn::tensor::{DType, Device, Tensor};

use crate::backend::AdamOps;

/// Adam (without weight decay or AMSGrad) whose step gives Burn's `Adam` bits on every backend:
/// on flex and ndarray, for f32 parameters, the dozen tensor operations of Burn's step run as one
/// pass per parameter (`adam.rs`); everywhere else, and for other float types, it is Burn's
/// `Adam` itself. Its state is Burn's [`AdamState`], so records saved by either load in the other.
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// use burn::optim::Optimizer;
/// let adam = fastconv::FusedAdam::new(0.9, 0.999, 1e-8);
/// let device = Device::flex();
/// let weight = Tensor::<1>::from_floats([1.0, 2.0], &device);
/// let grad = Tensor::<1>::from_floats([0.5, -0.5], &device);
/// let (weight, state) = adam.step(0.1, weight, grad, None);
/// // At the first step Adam moves each weight by about the rate, against its gradient.
/// let weight = weight.into_data().try_into_vec::<f32>().unwrap();
/// assert!((weight[0] - 0.9).abs() < 1e-5 && (weight[1] - 2.1).abs() < 1e-5);
/// assert_eq!(state.unwrap().momentum.time, 1);
/// ```
#[derive(Clone)]
pub struct FusedAdam {
    burn: Adam,
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    /// flex and ndarray, the devices whose tensors take the fused step: made once here, not for
    /// every parameter at every step.
    host: [Device; 2],
}

impl FusedAdam {
    /// Adam with decay rates `beta_1` and `beta_2` and `epsilon` (Burn's `AdamConfig` names;
    /// PyTorch's defaults are 0.9, 0.999 and 1e-8, Burn's epsilon 1e-5).
    pub fn new(beta_1: f32, beta_2: f32, epsilon: f32) -> Self {
        let burn = AdamConfig::new()
            .with_beta_1(beta_1)
            .with_beta_2(beta_2)
            .with_epsilon(epsilon)
            .build();
        let host = [Device::flex(), Device::ndarray()];
        Self {
            burn,
            beta_1,
            beta_2,
            epsilon,
            host,
        }
    }

    /// Whether the fused step takes `t`: an f32 tensor of flex or ndarray (the optimizer sees
    /// the parameters without autodiff).
    fn fused<const D: usize>(&self, t: &Tensor<D>) -> bool {
        t.dtype() == DType::F32 && self.host.contains(&t.device())
    }

    /// As a module optimizer, for `optim.step(lr, model, grads)`.
    pub fn init(self) -> ModuleOptimizer {
        ModuleOptimizer::from(self)
    }
}

impl Optimizer for FusedAdam {
    type State<const D: usize> = AdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let amsgrad = state
            .as_ref()
            .is_some_and(|s| s.momentum.max_moment_2.is_some());
        if amsgrad || !self.fused(&tensor) || !self.fused(&grad) {
            return self.burn.step(lr, tensor, grad, state);
        }
        let (b1, b2, eps) = (self.beta_1, self.beta_2, self.epsilon);
        // Burn multiplies by the rate as an f32 scalar.
        let lr = lr as f32;
        let (param, moment_1, moment_2, time) = match state {
            None => {
                let (p, m, v) = <Dispatch as AdamOps>::adam_first(
                    tensor.into_dispatch(),
                    grad.into_dispatch(),
                    b1,
                    b2,
                    eps,
                    lr,
                );
                (p, m, v, 1)
            }
            Some(state) => {
                let s = state.momentum;
                let time = s.time + 1;
                let (p, m, v) = <Dispatch as AdamOps>::adam_next(
                    tensor.into_dispatch(),
                    grad.into_dispatch(),
                    s.moment_1.into_dispatch(),
                    s.moment_2.into_dispatch(),
                    b1,
                    b2,
                    time as i32,
                    eps,
                    lr,
                );
                (p, m, v, time)
            }
        };
        let momentum = AdaptiveMomentumState::new(
            time,
            Tensor::from_dispatch(moment_1),
            Tensor::from_dispatch(moment_2),
        );
        (Tensor::from_dispatch(param), Some(AdamState::new(momentum)))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        Adam::to_device(state, device)
    }
}
