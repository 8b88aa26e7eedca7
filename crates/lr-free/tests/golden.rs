//! Every case of `golden.json` (made by `golden.py` with the reference packages, in float64):
//! the Rust optimizers, in f64 on the flex backend, give every parameter at every step, and the
//! estimate (d or the averaging weight), to within `TOLERANCE`; a state saved mid-run and
//! loaded into a fresh optimizer continues to the same bits; and a deliberately wrong setting
//! (a bias correction dropped, the coupling of weight decay flipped, another warm-up) fails.

use burn::module::{Module, Param};
use burn::optim::GradientsParams;
use burn::tensor::activation::log_softmax;
use burn::tensor::{DType, Device, Int, Tensor, TensorCreationOptions, TensorData};
use lr_free::{
    AdamWScheduleFreeConfig, DAdaptAdamConfig, DAdaptSgdConfig, ProdigyConfig, ScheduleFree,
    SgdScheduleFreeConfig, WholeModuleOptimizer,
};
use serde_json::Value;

/// Relative error allowed, against `max(|reference|, FLOOR)`.
const TOLERANCE: f64 = 1e-6;
/// Values nearer 0 than this are compared absolutely at `TOLERANCE · FLOOR`.
const FLOOR: f64 = 1e-3;

fn golden() -> Value {
    let text = include_str!("golden.json");
    serde_json::from_str(text).unwrap()
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn rows(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(f64s).collect()
}

fn device() -> Device {
    Device::flex().autodiff()
}

fn tensor<const D: usize>(values: Vec<f64>, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(
        TensorData::new(values, shape),
        TensorCreationOptions::new(device.clone()).with_dtype(DType::F64),
    )
}

fn param<const D: usize>(values: &[f64], shape: [usize; D], device: &Device) -> Param<Tensor<D>> {
    Param::from_tensor(tensor(values.to_vec(), shape, device))
}

/// A Linear layer in PyTorch's layout (weight `[out, in]`), so the golden values need no
/// transposing; the field order is PyTorch's parameter order.
#[derive(Module, Debug)]
struct Dense {
    weight: Param<Tensor<2>>,
    bias: Param<Tensor<1>>,
}

impl Dense {
    fn new(weight: &[f64], bias: &[f64], shape: [usize; 2], device: &Device) -> Self {
        Self {
            weight: param(weight, shape, device),
            bias: param(bias, [shape[0]], device),
        }
    }
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        x.matmul(self.weight.val().transpose()) + self.bias.val().unsqueeze()
    }
}

#[derive(Module, Debug)]
struct Mlp {
    hidden: Dense,
    out: Dense,
}

/// A problem's model (either shape) and its loss at step t.
enum Problem {
    Linear {
        x: Tensor<2>,
        y: Tensor<2>,
    },
    Mlp {
        x: Tensor<2>,
        labels: Tensor<1, Int>,
    },
}

#[derive(Module, Debug)]
enum Model {
    Linear(Dense),
    Mlp(Mlp),
}

impl Problem {
    fn new(name: &str, data: &Value, device: &Device) -> Self {
        let x = rows(&data["x"]);
        let (n, k) = (x.len(), x[0].len());
        let x = tensor(x.concat(), [n, k], device);
        match name {
            "linear" => Problem::Linear {
                x,
                y: tensor(rows(&data["y"]).concat(), [n, 1], device),
            },
            _ => {
                let labels: Vec<i64> = (data["labels"].as_array().unwrap().iter())
                    .map(|l| l.as_i64().unwrap())
                    .collect();
                Problem::Mlp {
                    x,
                    labels: Tensor::from_data(TensorData::new(labels, [n]), device),
                }
            }
        }
    }

    fn model(&self, initial: &[Vec<f64>], device: &Device) -> Model {
        match self {
            Problem::Linear { .. } => {
                Model::Linear(Dense::new(&initial[0], &initial[1], [1, 5], device))
            }
            Problem::Mlp { .. } => Model::Mlp(Mlp {
                hidden: Dense::new(&initial[0], &initial[1], [8, 4], device),
                out: Dense::new(&initial[2], &initial[3], [3, 8], device),
            }),
        }
    }

    fn loss(&self, model: &Model, t: usize) -> Tensor<1> {
        match (self, model) {
            (Problem::Linear { x, y }, Model::Linear(m)) => {
                (m.forward(x.clone()) - y.clone()).powi_scalar(2).mean()
            }
            (Problem::Mlp { x, labels }, Model::Mlp(m)) => {
                let rows = (t % 3) * 16..(t % 3) * 16 + 16;
                let h = m.hidden.forward(x.clone().slice(rows.clone())).tanh();
                let logp = log_softmax(m.out.forward(h), 1);
                let y = labels.clone().slice(rows);
                let picked = logp.gather(1, y.unsqueeze_dim(1));
                picked.mean().neg()
            }
            _ => unreachable!("model and problem built together"),
        }
    }
}

fn params(model: &Model) -> Vec<Vec<f64>> {
    let flat = |t: Tensor<2>| t.into_data().convert::<f64>().try_to_vec::<f64>().unwrap();
    let flat1 = |t: Tensor<1>| t.into_data().convert::<f64>().try_to_vec::<f64>().unwrap();
    let dense = |d: &Dense| vec![flat(d.weight.val()), flat1(d.bias.val())];
    match model {
        Model::Linear(d) => dense(d),
        Model::Mlp(m) => [dense(&m.hidden), dense(&m.out)].concat(),
    }
}

/// The optimizers behind one trait object-free enum, built from a case's settings.
enum Optim {
    Sf(ScheduleFree),
    Prodigy(lr_free::Prodigy),
    DAdaptAdam(lr_free::DAdaptAdam),
    DAdaptSgd(lr_free::DAdaptSgd),
}

macro_rules! each {
    ($o:expr, $x:ident => $e:expr) => {
        match $o {
            Optim::Sf($x) => $e,
            Optim::Prodigy($x) => $e,
            Optim::DAdaptAdam($x) => $e,
            Optim::DAdaptSgd($x) => $e,
        }
    };
}

fn get(s: &Value, key: &str) -> Option<f64> {
    s.get(key).map(|v| v.as_f64().unwrap())
}

fn flag(s: &Value, key: &str) -> Option<bool> {
    s.get(key).map(|v| v.as_bool().unwrap())
}

fn build(kind: &str, s: &Value) -> Optim {
    match kind {
        "sf-sgd" => {
            let mut c = SgdScheduleFreeConfig::new();
            c.momentum = get(s, "momentum").unwrap_or(c.momentum);
            c.weight_decay = get(s, "weight_decay").unwrap_or(0.0);
            c.warmup_steps = get(s, "warmup_steps").unwrap_or(0.0) as u64;
            c.r = get(s, "r").unwrap_or(0.0);
            c.weight_lr_power = get(s, "weight_lr_power").unwrap_or(2.0);
            Optim::Sf(c.init().unwrap())
        }
        "sf-adamw" => {
            let mut c = AdamWScheduleFreeConfig::new();
            c.weight_decay = get(s, "weight_decay").unwrap_or(0.0);
            c.warmup_steps = get(s, "warmup_steps").unwrap_or(0.0) as u64;
            c.r = get(s, "r").unwrap_or(0.0);
            c.weight_lr_power = get(s, "weight_lr_power").unwrap_or(2.0);
            Optim::Sf(c.init().unwrap())
        }
        "prodigy" => {
            let mut c = ProdigyConfig::new();
            if let Some(b) = s.get("betas") {
                let b = f64s(b);
                (c.beta_1, c.beta_2) = (b[0], b[1]);
            }
            c.beta_3 = get(s, "beta3");
            c.weight_decay = get(s, "weight_decay").unwrap_or(0.0);
            c.decouple = flag(s, "decouple").unwrap_or(true);
            c.use_bias_correction = flag(s, "use_bias_correction").unwrap_or(false);
            c.safeguard_warmup = flag(s, "safeguard_warmup").unwrap_or(false);
            c.d_coef = get(s, "d_coef").unwrap_or(1.0);
            c.growth_rate = get(s, "growth_rate").unwrap_or(f64::INFINITY);
            Optim::Prodigy(c.init().unwrap())
        }
        "dadapt-adam" => {
            let mut c = DAdaptAdamConfig::new();
            c.weight_decay = get(s, "weight_decay").unwrap_or(0.0);
            c.decouple = flag(s, "decouple").unwrap_or(false);
            c.use_bias_correction = flag(s, "use_bias_correction").unwrap_or(false);
            Optim::DAdaptAdam(c.init().unwrap())
        }
        "dadapt-sgd" => {
            let mut c = DAdaptSgdConfig::new();
            c.momentum = get(s, "momentum").unwrap_or(0.0);
            c.weight_decay = get(s, "weight_decay").unwrap_or(0.0);
            c.growth_rate = get(s, "growth_rate").unwrap_or(f64::INFINITY);
            Optim::DAdaptSgd(c.init().unwrap())
        }
        other => panic!("unknown optimizer {other}"),
    }
}

/// The largest relative error, and where.
#[derive(Default, Debug)]
struct Worst {
    error: f64,
    at: String,
    /// Where the error first passed 1e-9 (how it grew, when a case fails).
    first: Option<String>,
}

impl Worst {
    fn compare(&mut self, ours: &[f64], theirs: &[f64], at: impl Fn(usize) -> String) {
        assert_eq!(ours.len(), theirs.len());
        for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
            let e = (a - b).abs() / b.abs().max(FLOOR);
            if e > 1e-9 && self.first.is_none() {
                self.first = Some(format!("{e:.1e} at {}", at(i)));
            }
            // A NaN is the worst error of all.
            let e = if e.is_nan() { f64::INFINITY } else { e };
            if e > self.error {
                self.error = e;
                self.at = at(i);
            }
        }
    }
}

/// Runs a case (with `settings` in place of its own), reloading the optimizer state into a
/// fresh optimizer at `reload_at`; the worst error against the golden values, and the final
/// parameters.
fn run(
    case: &Value,
    settings: &Value,
    problems: &Value,
    reload_at: Option<usize>,
) -> (Worst, Vec<Vec<f64>>) {
    let device = device();
    let kind = case["optimizer"].as_str().unwrap();
    let problem_name = case["problem"].as_str().unwrap();
    let problem = Problem::new(problem_name, &problems[problem_name], &device);
    let mut model = problem.model(&rows(&case["initial"]), &device);
    let mut optim = build(kind, settings);
    let rates = f64s(&case["rates"]);
    let golden_params = case["params"].as_array().unwrap();
    let estimates = f64s(&case["estimates"]);
    let mut worst = Worst::default();
    for (t, rate) in rates.iter().enumerate() {
        if reload_at == Some(t) {
            let bytes = each!(&optim, o => o.to_bytes());
            optim = build(kind, settings);
            each!(&mut optim, o => o.load_bytes(&bytes, &device).unwrap());
        }
        let loss = problem.loss(&model, t);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = each!(&mut optim, o => o.step(*rate, model, grads));
        let ours = params(&model);
        for (j, (a, b)) in ours.iter().zip(rows(&golden_params[t])).enumerate() {
            worst.compare(a, &b, |i| format!("step {t}, parameter {j}[{i}]"));
        }
        let d = each!(&optim, o => o.estimate());
        worst.compare(&[d], &[estimates[t]], |_| format!("step {t}, estimate"));
    }
    if let (Optim::Sf(sf), Some(x)) = (&mut optim, case.get("x")) {
        let averaged = params(&sf.averaged(model.clone()));
        model = sf.eval(model);
        let evaluated = params(&model);
        assert_eq!(averaged, evaluated, "averaged() is eval()'s x");
        for (j, (a, b)) in evaluated.iter().zip(rows(x)).enumerate() {
            worst.compare(a, &b, |i| format!("x, parameter {j}[{i}]"));
        }
    }
    (worst, params(&model))
}

#[test]
fn every_case_follows_its_reference_and_resumes_to_the_bit() {
    let golden = golden();
    let problems = &golden["problems"];
    let mut report = Vec::new();
    for case in golden["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (worst, straight) = run(case, &case["settings"], problems, None);
        assert!(
            worst.error <= TOLERANCE,
            "{name}: relative error {:.3e} at {} (tolerance {TOLERANCE:e}; first over 1e-9: {:?})",
            worst.error,
            worst.at,
            worst.first
        );
        let (_, resumed) = run(case, &case["settings"], problems, Some(50));
        assert_eq!(
            straight, resumed,
            "{name}: reloaded at step 50, the run changed"
        );
        report.push(format!("{name}: {:.1e}", worst.error));
    }
    println!("worst relative error per case: {}", report.join(", "));
}

#[test]
fn a_wrong_update_fails_the_golden_values() {
    let golden = golden();
    let problems = &golden["problems"];
    let case = |name: &str| {
        (golden["cases"].as_array().unwrap().iter())
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    let wrong: [(&str, &str, Value); 4] = [
        (
            "prodigy-mlp-coupled",
            "use_bias_correction",
            Value::Bool(false),
        ),
        ("dadapt-adam-mlp", "use_bias_correction", Value::Bool(false)),
        ("dadapt-adam-mlp", "decouple", Value::Bool(false)),
        ("sf-adamw-mlp", "warmup_steps", Value::from(9)),
    ];
    for (name, key, value) in wrong {
        let c = case(name);
        let mut settings = c["settings"].clone();
        settings[key] = value.clone();
        let (worst, _) = run(&c, &settings, problems, None);
        assert!(
            worst.error > 1e3 * TOLERANCE,
            "{name} with {key} = {value}: still within {:.1e} of the reference",
            worst.error
        );
    }
}
