//! An optimizer wrapper that writes down the learning rate of every update it makes, alone or
//! one per parameter.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use burn::module::{Module, ModuleVisitor, Param, ParamGroup, ParamId};
use burn::optim::{LearningRate, ModuleOptimizer, Optimizer};
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

/// A [`Recording`] for each parameter tensor of a model, each in an optimizer group of that
/// parameter's id alone, so the rates are known per parameter: Burn's `Optimizer::step` is handed
/// a rate, a tensor and its gradient, not which parameter it is. Groups by id, unlike a
/// scheduler's by path, cannot match the wrong parameter.
pub struct PerParameter<O> {
    params: Vec<(String, Recording<O>)>,
}

impl<O: Optimizer> PerParameter<O> {
    /// The optimizer for `model`, `inner` for every parameter, and the recordings it writes.
    pub fn new(model: &impl Module, inner: O) -> (ModuleOptimizer, Self) {
        let mut paths = Paths::default();
        model.visit(&mut paths);
        let mut optimizer = ModuleOptimizer::from(inner.clone());
        let mut params = Vec::new();
        for (path, id) in paths.params {
            let recording = Recording::new(inner.clone());
            let group = ParamGroup::from_ids(vec![id]);
            optimizer = optimizer.with_group(group, recording.clone(), None);
            params.push((path, recording));
        }
        (optimizer, Self { params })
    }

    /// The rates each parameter received, one per update, by its path in the model
    /// (`output.weight`).
    pub fn rates(&self) -> BTreeMap<String, Vec<LearningRate>> {
        let rates = |(path, r): &(String, Recording<O>)| (path.clone(), r.rates());
        self.params.iter().map(rates).collect()
    }
}

/// Every float parameter's path and id, named as Burn's optimizer names them when it matches a
/// parameter group.
#[derive(Default)]
struct Paths {
    path: Vec<String>,
    params: Vec<(String, ParamId)>,
}

impl ModuleVisitor for Paths {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.params.push((self.path.join("."), param.id));
    }
}
