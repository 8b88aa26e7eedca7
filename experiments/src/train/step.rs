//! The training step, written once for training, the LR range test and the bench: the network,
//! its optimizer and loss; forward, then backward and update, the loss left on the device
//! (`Losses` reads it back in batches); and the seeded shuffle that orders the batches.

use burn::module::Module;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor};
use momentum::MomentumHandle;

use super::data::Batch;
use crate::model::{ModelKind, Net};
use crate::optim::{Optim, OptimizerKind};

/// A network being trained, with its optimizer and loss.
pub struct Learner {
    pub model: Net,
    pub optim: Optim,
    /// Sets the optimizer's momentum (β1) when the schedule cycles it.
    pub momentum: Option<MomentumHandle>,
    loss_fn: CrossEntropyLoss,
}

/// A batch's loss before the update: the tensor to differentiate, still on the device.
pub struct Loss {
    pub tensor: Tensor<1>,
}

impl Loss {
    /// Its value, read back now (one device read: the range test, which stops on it at once).
    pub fn value(&self) -> f64 {
        super::readback::floats(self.tensor.clone())[0] as f64
    }
}

impl Learner {
    /// A fresh network of `model` on `device` with its weights drawn now (Burn initialises
    /// parameters lazily; drawing them here makes them come from the generator as seeded now).
    /// `cycled`: the schedule cycles momentum (see [`OptimizerKind::build_for`]).
    pub fn new(model: ModelKind, optimizer: OptimizerKind, cycled: bool, device: &Device) -> Self {
        let model = Net::new(model, device);
        let _ = model.clone().into_record();
        let (optim, momentum) = optimizer.build_for(cycled);
        Self {
            model,
            optim,
            momentum,
            loss_fn: CrossEntropyLossConfig::new().init(device),
        }
    }

    /// Puts `policy`'s momentum for step `t` in force (the optimizer's own,
    /// [`MOMENTUM`](crate::optim::MOMENTUM), where it gives none) and returns it; `None`, with
    /// nothing computed, for an optimizer without a handle (every run whose schedule does not
    /// cycle momentum).
    pub fn set_momentum(&self, policy: &burn_lr_schedules::Policy, t: u64) -> Option<f64> {
        let handle = self.momentum.as_ref()?;
        let value = policy.momentum(t).unwrap_or(crate::optim::MOMENTUM);
        handle.set(value);
        Some(value)
    }

    /// Forward pass and cross-entropy of `batch`, left on the device.
    pub fn loss(&self, batch: Batch) -> Loss {
        Loss {
            tensor: self.loss_fn.forward(self.model.forward(batch.x), batch.y),
        }
    }

    /// Backward pass of `loss` (times `scale`, for loss decay) and one optimizer step at `lr`.
    /// Consumes the learner as Burn's `optim.step` consumes the model, so the parameters are
    /// updated in place when nothing else holds them.
    pub fn update(mut self, loss: Loss, lr: f64, scale: Option<f64>) -> Self {
        let tensor = match scale {
            Some(factor) => loss.tensor * factor,
            None => loss.tensor,
        };
        let grads = GradientsParams::from_grads(tensor.backward(), &self.model);
        self.model = self.optim.step(lr, self.model, grads);
        self
    }

    /// The network to evaluate: schedule-free's averaged weights x, else the one trained.
    pub fn evaluated(&self) -> Net {
        self.optim.evaluated(&self.model)
    }
}

/// The seeded shuffle of the training set: a SplitMix64 generator, stable across versions and
/// platforms, so a seed means the same batch order everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shuffle(pub u64);

/// Mixed into the seed so the shuffle's stream differs from other uses of the same seed.
const SALT: u64 = 0x005E_ED0F_5A1E;

impl Shuffle {
    /// The shuffle of a run seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed ^ SALT)
    }

    /// The next permutation of `0..n` (Fisher–Yates).
    pub fn permutation(&mut self, n: usize) -> Vec<i64> {
        let mut p: Vec<i64> = (0..n as i64).collect();
        for i in (1..n).rev() {
            let j = (splitmix64(&mut self.0) % (i as u64 + 1)) as usize;
            p.swap(i, j);
        }
        p
    }
}

/// One draw of SplitMix64, advancing `state`.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_fixes_the_order_and_every_index_appears_once() {
        let (mut a, mut b) = (Shuffle::new(7), Shuffle::new(7));
        let first = a.permutation(100);
        assert_eq!(first, b.permutation(100));
        assert_ne!(first, a.permutation(100), "each epoch draws a new order");
        let mut sorted = first.clone();
        sorted.sort();
        assert_eq!(sorted, (0..100).collect::<Vec<i64>>());
        assert_ne!(first, Shuffle::new(8).permutation(100));
    }

    #[test]
    fn splitmix64_matches_its_reference_values() {
        // The first outputs of SplitMix64 seeded with 0 (Vigna's reference implementation).
        let mut s = 0;
        assert_eq!(splitmix64(&mut s), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(&mut s), 0x6E78_9E6A_A1B9_65F4);
    }
}
