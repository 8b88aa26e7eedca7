//! Shared fixtures: a one-parameter module and a step that feeds it a given gradient.

use burn::module::{Module, Param};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor};

/// Initial parameter, as `PARAM0` in `pytorch_adadelta.py`.
pub const PARAM0: [f64; 6] = [0.5, -1.25, 2.0, -0.75, 0.125, 3.0];

/// One gradient per step, as `GRADS` in `pytorch_adadelta.py`.
pub const GRADS: [[f64; 6]; 5] = [
    [0.1, -0.2, 0.3, -0.4, 0.5, 0.0],
    [-0.05, 0.6, 0.25, 1.5, -0.3, 0.01],
    [0.7, -0.1, -0.35, 0.2, 0.05, -2.0],
    [0.02, 0.03, 0.4, -0.9, 1.2, 0.5],
    [-0.6, 0.45, -0.15, 0.0, -0.8, 0.25],
];

/// A module holding a single parameter vector.
#[derive(Module, Debug)]
pub struct Vector {
    pub value: Param<Tensor<1>>,
}

impl Vector {
    pub fn new(values: [f64; 6]) -> Self {
        let device = Device::flex().autodiff();
        Self {
            value: Param::from_tensor(Tensor::from_floats(values, &device)),
        }
    }

    pub fn values(&self) -> Vec<f32> {
        self.value.val().into_data().try_to_vec::<f32>().unwrap()
    }
}

/// One optimizer step in which the parameter's gradient is exactly `grad`: the loss is
/// `sum(value * grad)`, whose derivative with respect to `value` is `grad`.
pub fn step(optim: &mut ModuleOptimizer, lr: f64, model: Vector, grad: [f64; 6]) -> Vector {
    let value = model.value.val();
    let grad = Tensor::<1>::from_floats(grad, &value.device());
    let loss = (value * grad).sum();
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    optim.step(lr, model, grads)
}
