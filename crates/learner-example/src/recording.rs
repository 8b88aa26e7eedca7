//! An optimizer wrapper that writes down the learning rate of every update it makes.

use std::sync::{Arc, Mutex};

use burn::optim::{LearningRate, Optimizer};
use burn::tensor::{Device, Tensor};

/// Applies `O` and records the rate it was given for each parameter update, so a test can read
/// what the training loop actually applied (Burn's `Learner` passes the scheduler's rate on to
/// the optimizer; this sits at the end of that path).
#[derive(Clone)]
pub struct Recording<O> {
    inner: O,
    rates: Arc<Mutex<Vec<LearningRate>>>,
}

impl<O> Recording<O> {
    /// Wraps `inner`.
    pub fn new(inner: O) -> Self {
        Self {
            inner,
            rates: Arc::default(),
        }
    }

    /// The rates of every parameter update so far, in order (one optimizer step updates each
    /// parameter tensor once).
    pub fn rates(&self) -> Vec<LearningRate> {
        self.rates.lock().expect("rates lock").clone()
    }
}

impl<O: Optimizer> Optimizer for Recording<O> {
    type State<const D: usize> = O::State<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        self.rates.lock().expect("rates lock").push(lr);
        self.inner.step(lr, tensor, grad, state)
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        O::to_device(state, device)
    }
}
