//! A module's parameters as flat tensors: gathered with their gradients before a step, put back
//! after it. These optimizers reduce over every parameter at once (Prodigy and D-Adaptation sum
//! over the whole model before any update; schedule-free moves every parameter between y and x),
//! so they walk the module themselves instead of being handed one tensor at a time as Burn's
//! per-parameter `Optimizer` is.

use std::collections::HashMap;

use burn_core as burn;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::tensor::Tensor;
use burn_optim::GradientsParams;

/// One parameter at a step: its value and gradient, both flattened, without autodiff.
pub(crate) struct Slot {
    pub id: ParamId,
    pub value: Tensor<1>,
    pub grad: Tensor<1>,
}

struct Gather<'a> {
    grads: &'a mut GradientsParams,
    slots: Vec<Slot>,
}

impl ModuleVisitor for Gather<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let Some(grad) = self.grads.remove::<D>(param.id) else {
            return;
        };
        let value = param.val().inner();
        let n = value.shape().num_elements();
        self.slots.push(Slot {
            id: param.id,
            value: value.reshape([n]),
            grad: grad.reshape([n]),
        });
    }
}

/// [`gather`] with coupled (L2) weight decay folded into the gradients: `g + λ·p`, the
/// reference's order of operations. `weight_decay` 0 adds nothing.
pub(crate) fn gather_decayed<M: Module>(
    module: &M,
    grads: &mut GradientsParams,
    weight_decay: f64,
) -> Vec<Slot> {
    let mut slots = gather(module, grads);
    if weight_decay != 0.0 {
        for slot in slots.iter_mut() {
            slot.grad = slot.grad.clone() + slot.value.clone().mul_scalar(weight_decay);
        }
    }
    slots
}

/// Decoupled weight decay of a step of size `dlr`: `p − λ·dlr·p` (written `p + p·(−λ·dlr)`, as
/// the references compute it).
pub(crate) fn decayed(p: Tensor<1>, weight_decay: f64, dlr: f64) -> Tensor<1> {
    if weight_decay == 0.0 {
        return p;
    }
    p.clone() + p.mul_scalar(-weight_decay * dlr)
}

/// Adam's bias correction `√(1 − β2^(k+1)) / (1 − β1^(k+1))` at step `k` (from 0), or 1 when
/// off, as Prodigy and D-Adapt Adam fold it into the step size.
pub(crate) fn adam_bias_correction(on: bool, beta_1: f64, beta_2: f64, k: u64) -> f64 {
    if on {
        (1.0 - beta_2.powf((k + 1) as f64)).sqrt() / (1.0 - beta_1.powf((k + 1) as f64))
    } else {
        1.0
    }
}

/// The parameters of `module` that have a gradient in `grads`, in the module's own order (the
/// order PyTorch's `model.parameters()` gives for the same layers). Their gradients are taken
/// out of `grads`.
pub(crate) fn gather<M: Module>(module: &M, grads: &mut GradientsParams) -> Vec<Slot> {
    let mut gather = Gather {
        grads,
        slots: Vec::new(),
    };
    module.visit(&mut gather);
    gather.slots
}

struct Replace<'a> {
    values: &'a mut HashMap<ParamId, Tensor<1>>,
}

impl ModuleMapper for Replace<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let Some(flat) = self.values.remove(&param.id) else {
            return param;
        };
        let (id, tensor, mapper) = param.consume();
        let shape = tensor.shape();
        // What autodiff knew of the parameter, put back on its new value (as Burn's own
        // `ModuleOptimizer` does).
        let require_grad = tensor.is_require_grad();
        let strategy = tensor.gradient_checkpointing_strategy();
        let distributed = tensor.is_distributed();
        let autodiff = tensor.is_autodiff();
        drop(tensor);
        let mut value: Tensor<D> = flat.reshape(shape);
        if autodiff {
            value = Tensor::from_inner(value);
            if let Some(strategy) = strategy {
                value = value.with_gradient_checkpointing_strategy(strategy);
            }
            if require_grad {
                value = value.require_grad();
            }
            if distributed {
                value = value.set_distributed(id);
            }
        }
        Param::from_mapped_value(id, value, mapper)
    }
}

/// `module` with the parameters named in `values` replaced by them (reshaped back).
pub(crate) fn replace<M: Module>(module: M, mut values: HashMap<ParamId, Tensor<1>>) -> M {
    module.map(&mut Replace {
        values: &mut values,
    })
}

/// The parameters of `module`, flattened, in its order (for moving between y and x).
pub(crate) fn values<M: Module>(module: &M) -> Vec<(ParamId, Tensor<1>)> {
    struct Values(Vec<(ParamId, Tensor<1>)>);
    impl ModuleVisitor for Values {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let value = param.val().inner();
            let n = value.shape().num_elements();
            self.0.push((param.id, value.reshape([n])));
        }
    }
    let mut v = Values(Vec::new());
    module.visit(&mut v);
    v.0
}

/// A scalar read back as f64, whatever the tensor's float type (the reference sums its
/// per-parameter reductions as Python floats).
pub(crate) fn scalar(t: Tensor<1>) -> f64 {
    t.into_scalar::<f64>()
}

/// `a + w·(b − a)`, computed as `torch.lerp` does (from the nearer end), so results agree to the
/// last bits with the reference.
pub(crate) fn lerp(a: Tensor<1>, b: Tensor<1>, w: f64) -> Tensor<1> {
    if w.abs() < 0.5 {
        a.clone() + (b - a).mul_scalar(w)
    } else {
        b.clone() - (b - a).mul_scalar(1.0 - w)
    }
}
