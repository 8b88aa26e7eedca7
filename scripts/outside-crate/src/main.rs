//! A user's project: fits a linear regression on synthetic data with Burn's SGD under a schedule
//! read from a TOML file whose lengths are shares of the run, and checks that training worked
//! and that the optimizer applied the schedule's closed-form rate at every step.
//!
//! `cargo run -- [SCHEDULE.toml]` (default: `schedule.toml` beside this manifest).

use std::f64::consts::PI;
use std::process::ExitCode;

use burn::lr_scheduler::LrScheduler;
use burn::nn::{Linear, LinearConfig};
use burn::optim::{GradientsParams, SgdConfig};
use burn::tensor::{Device, Tensor, TensorData};

/// Optimizer steps of the run; the schedule's shares become steps of it.
const RUN_STEPS: u64 = 100;
/// What `schedule.toml` says, as steps of this run: 10% warm-up from 0 to the peak, then cosine
/// to the floor over the other 90%.
const WARMUP: u64 = 10;
const COSINE: u64 = 90;
const PEAK: f64 = 0.3;
const FLOOR: f64 = 0.003;
/// Examples, in mini-batches of `BATCH`, and the target `y = 2·x₀ − 3·x₁ + 0.5·x₂ + 1` plus a
/// little fixed noise, so that a batch's gradient stays away from 0 and the applied rate stays
/// measurable to the end.
const N: usize = 64;
const BATCH: usize = 16;
const COEFFICIENTS: [f32; 3] = [2.0, -3.0, 0.5];
const INTERCEPT: f32 = 1.0;

/// The rate of step `t` by the formulas of warm-up and cosine, written independently of the
/// library.
fn closed_form(t: u64) -> f64 {
    if t < WARMUP {
        PEAK * t as f64 / WARMUP as f64
    } else {
        let p = (t - WARMUP).min(COSINE) as f64 / COSINE as f64;
        FLOOR + 0.5 * (PEAK - FLOOR) * (1.0 + (PI * p).cos())
    }
}

fn data(device: &Device) -> (Tensor<2>, Tensor<2>) {
    // A fixed spread over [-1, 1]³ (no random numbers, so every run is the same).
    let xs: Vec<f32> = (0..N * 3)
        .map(|i| ((i * 37 + 11) % 101) as f32 / 50.0 - 1.0)
        .collect();
    let ys: Vec<f32> = xs
        .chunks(3)
        .enumerate()
        .map(|(i, x)| {
            let noise = ((i * 53 + 7) % 41) as f32 / 200.0 - 0.1;
            (0..3).map(|j| COEFFICIENTS[j] * x[j]).sum::<f32>() + INTERCEPT + noise
        })
        .collect();
    (
        Tensor::from_data(TensorData::new(xs, [N, 3]), device),
        Tensor::from_data(TensorData::new(ys, [N, 1]), device),
    )
}

/// Every parameter value of the model, weight then bias.
fn parameters(model: &Linear) -> Vec<f32> {
    let mut values = model
        .weight
        .val()
        .into_data()
        .try_to_vec::<f32>()
        .expect("f32");
    let bias = model.bias.as_ref().expect("a bias").val();
    values.extend(bias.into_data().try_to_vec::<f32>().expect("f32"));
    values
}

fn gradients(grads: &GradientsParams, model: &Linear) -> Vec<f32> {
    let weight = grads.get::<2>(model.weight.id).expect("weight gradient");
    let bias = grads
        .get::<1>(model.bias.as_ref().expect("a bias").id)
        .expect("bias gradient");
    let mut values = weight.into_data().try_to_vec::<f32>().expect("f32");
    values.extend(bias.into_data().try_to_vec::<f32>().expect("f32"));
    values
}

fn run(path: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let table: toml::Value =
        toml::from_str(&text).map_err(|e| format!("{path}: {}", e.message().trim_end()))?;
    let config = burn_lr_schedules::shares::from_toml(table, RUN_STEPS)
        .map_err(|e| format!("{path}: {e}"))?;
    let mut scheduler = config.build().map_err(|e| format!("{path}: {e}"))?;

    let device = Device::flex().autodiff();
    device.seed(7);
    let (x, y) = data(&device);
    let mut model: Linear = LinearConfig::new(3, 1).init(&device);
    // Plain SGD (no momentum, no weight decay): each update is exactly `−lr · gradient`, so the
    // rate it applied can be read back from the parameters.
    let mut optim = SgdConfig::new().init();

    let mse = |model: &Linear, x: &Tensor<2>, y: &Tensor<2>| {
        (model.forward(x.clone()) - y.clone()).powi_scalar(2).mean()
    };
    let first = mse(&model, &x, &y).into_scalar::<f32>();
    // Steps where a rate one step early or late would have moved a parameter by more than the
    // tolerance: the check below could have caught an off-by-one there.
    let mut sharp = 0;
    for t in 0..RUN_STEPS {
        let lr = scheduler.step();
        let expected = closed_form(t);
        if (lr - expected).abs() > 1e-12 * expected.max(1.0) {
            return Err(format!(
                "step {t}: the scheduler gave {lr}, the closed form {expected}"
            ));
        }
        let batch = (t as usize * BATCH) % N..(t as usize * BATCH) % N + BATCH;
        let loss = mse(
            &model,
            &x.clone().slice(batch.clone()),
            &y.clone().slice(batch),
        );
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let (before, g) = (parameters(&model), gradients(&grads, &model));
        model = optim.step(lr, model, grads);
        let after = parameters(&model);
        let mut off_by_one = false;
        for ((&b, &g), &a) in before.iter().zip(&g).zip(&after) {
            // A few f32 roundings of the parameter's size.
            let tolerance = 1e-6 * f64::from(b.abs()).max(1.0);
            let predicted = |rate: f64| f64::from(b) - rate * f64::from(g);
            if (predicted(expected) - f64::from(a)).abs() > tolerance {
                return Err(format!(
                    "step {t}: a parameter went from {b} to {a} with gradient {g}, not by rate {expected}"
                ));
            }
            let neighbours = [closed_form(t.saturating_sub(1)), closed_form(t + 1)];
            off_by_one |= neighbours
                .iter()
                .any(|&r| (predicted(r) - f64::from(a)).abs() > tolerance);
        }
        sharp += usize::from(off_by_one);
    }
    if sharp < 50 {
        return Err(format!(
            "only {sharp} steps told the rate from its neighbours' rates"
        ));
    }
    let last = mse(&model, &x, &y).into_scalar::<f32>();
    // The noise's own mean square is about 0.0035: a fit near it is well under a hundredth of
    // the first loss.
    if !(last < first / 100.0) {
        return Err(format!(
            "the loss went from {first} to {last}, not below a hundredth"
        ));
    }
    Ok(format!(
        "{RUN_STEPS} SGD steps under warm-up ({WARMUP}) then cosine ({COSINE}): loss {first:.4} -> {last:.2e}; \
         the closed-form rate applied at every step ({sharp} of them sharp to one step)"
    ))
}

fn main() -> ExitCode {
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/schedule.toml");
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| default.to_string());
    match run(&path) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
