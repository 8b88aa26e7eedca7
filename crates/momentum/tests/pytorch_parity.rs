//! Parity with `torch.optim.SGD`, `Adam` and `AdamW` when the momentum (β1) and the rate change
//! every step: the trajectories `pytorch_momentum.py` computed in float64, through the Burn
//! optimizers on the flex backend (f32), step by step; and a resume from the optimizer record.

use burn::module::{Module, Param};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Bytes, Device, Tensor};
use momentum::{AdamConfig, MomentumHandle, SgdMomentumConfig};
use serde::Deserialize;

#[derive(Deserialize)]
struct Golden {
    torch_version: String,
    param0: Vec<f64>,
    grads: Vec<Vec<f64>>,
    lrs: Vec<f64>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    momenta: Vec<f64>,
    params: Vec<Vec<f64>>,
}

fn golden() -> Golden {
    serde_json::from_str(include_str!("pytorch_momentum.json")).expect("golden file parses")
}

/// The optimizer of each case, as the script builds it.
fn optimizer(name: &str) -> (ModuleOptimizer, MomentumHandle) {
    match name {
        "sgd" | "sgd_zero_step" => SgdMomentumConfig::new().init(),
        "sgd_nesterov_decay" => SgdMomentumConfig::new()
            .with_nesterov(true)
            .with_weight_decay(Some(burn::optim::decay::WeightDecayConfig::new(0.01)))
            .init(),
        "adam" => AdamConfig::new().init(),
        "adam_l2" => AdamConfig::new().with_weight_decay(0.01).init(),
        "adamw" => AdamConfig::new()
            .with_weight_decay(0.01)
            .with_decoupled_weight_decay(true)
            .init(),
        other => panic!("no optimizer for case {other}"),
    }
}

#[derive(Module, Debug)]
struct Vector {
    value: Param<Tensor<1>>,
}

impl Vector {
    fn new(values: &[f64]) -> Self {
        let device = Device::flex().autodiff();
        let value = Tensor::<1>::from_floats(values, &device);
        Self {
            value: Param::from_tensor(value),
        }
    }

    fn values(&self) -> Vec<f64> {
        let v = self.value.val().into_data().try_to_vec::<f32>().unwrap();
        v.into_iter().map(f64::from).collect()
    }
}

/// One step whose gradient is exactly `grad` (the loss is `sum(value · grad)`).
fn step(optim: &mut ModuleOptimizer, lr: f64, model: Vector, grad: &[f64]) -> Vector {
    let value = model.value.val();
    let loss = (value.clone() * Tensor::<1>::from_floats(grad, &value.device())).sum();
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    optim.step(lr, model, grads)
}

// The reference is float64 and the flex backend computes in f32: as in crates/adadelta, the
// parameter agrees to f32 rounding over a few operations per step (1e-5 relative leaves a wide
// margin), and the displacement from PARAM0, the quantity the optimizer computes, to 5e-4 of
// its largest coordinate (f32 resolves a parameter near 3 only to 2.4e-7). A momentum used one
// step late or a bias correction with the wrong β1 moves the displacement by far more.
const PARAM_REL_TOL: f64 = 1e-5;
const DISPLACEMENT_REL_TOL: f64 = 5e-4;

#[test]
fn every_case_follows_pytorch_step_by_step() {
    let g = golden();
    assert!(g.torch_version.starts_with('2'));
    for case in &g.cases {
        let (mut optim, handle) = optimizer(&case.name);
        let mut model = Vector::new(&g.param0);
        for (i, want) in case.params.iter().enumerate() {
            handle.set(case.momenta[i]);
            model = step(&mut optim, g.lrs[i], model, &g.grads[i]);
            let got = model.values();
            let scale =
                (want.iter().zip(&g.param0)).fold(0.0_f64, |s, (w, p)| s.max((w - p).abs()));
            for (j, (&a, &b)) in got.iter().zip(want).enumerate() {
                let (p, disp) = ((a - b).abs() / b.abs(), (a - b).abs() / scale);
                let at = format!(
                    "{} step {}: param[{j}] = {a}, PyTorch {b}",
                    case.name,
                    i + 1
                );
                assert!(p <= PARAM_REL_TOL, "{at}: relative error {p:e}");
                assert!(
                    disp <= DISPLACEMENT_REL_TOL,
                    "{at}: displacement error {disp:e}"
                );
            }
        }
    }
}

#[test]
fn the_momentum_in_force_matters() {
    // Guards the parity test: the cases' momenta must change the trajectory, or a optimizer that
    // ignored its handle would pass too.
    let g = golden();
    for name in ["sgd", "adam"] {
        let case = g.cases.iter().find(|c| c.name == name).unwrap();
        let (mut optim, handle) = optimizer(name);
        let mut model = Vector::new(&g.param0);
        for i in 0..g.lrs.len() {
            handle.set(0.9);
            model = step(&mut optim, g.lrs[i], model, &g.grads[i]);
        }
        let (fixed, cycled) = (model.values(), case.params.last().unwrap());
        let gap = fixed
            .iter()
            .zip(cycled)
            .fold(0.0_f64, |s, (a, b)| s.max((a - b).abs()));
        assert!(
            gap > 1e-3,
            "{name}: fixed momentum ends {gap} from the cycled trajectory"
        );
    }
}

#[test]
fn a_resumed_optimizer_continues_exactly() {
    let g = golden();
    for case in &g.cases {
        let (mut optim, handle) = optimizer(&case.name);
        let mut model = Vector::new(&g.param0);
        for i in 0..3 {
            handle.set(case.momenta[i]);
            model = step(&mut optim, g.lrs[i], model, &g.grads[i]);
        }
        let bytes = optim.into_bytes().unwrap();
        let (fresh, resumed_handle) = optimizer(&case.name);
        let mut resumed = fresh
            .from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
            .unwrap();
        // A clone keeps the parameter id the optimizer state is keyed by.
        let mut copy = model.clone();
        for i in 3..5 {
            handle.set(case.momenta[i]);
            resumed_handle.set(case.momenta[i]);
            model = step(&mut optim, g.lrs[i], model, &g.grads[i]);
            copy = step(&mut resumed, g.lrs[i], copy, &g.grads[i]);
        }
        assert_eq!(model.values(), copy.values(), "{}", case.name);
    }
}
