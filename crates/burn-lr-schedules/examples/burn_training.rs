//! Reusing the schedules in a Burn project: fit `y = 3x − 1` with SGD, first under a schedule
//! read from TOML (warm-up then cosine), then under reduce-on-plateau fed by a validation metric,
//! resuming the scheduler halfway from its record.
//!
//! Run with `cargo run -p burn-lr-schedules --example burn_training`.

use burn::nn::{Linear, LinearConfig};
use burn::optim::{GradientsParams, SgdConfig};
use burn::tensor::{Device, Tensor, TensorData};
use burn_lr_schedules::ScheduleConfig;
use burn_optim::lr_scheduler::LrScheduler;

fn data(device: &Device) -> (Tensor<2>, Tensor<2>) {
    let xs: Vec<f32> = (0..64).map(|i| i as f32 / 32.0 - 1.0).collect();
    let ys: Vec<f32> = xs.iter().map(|x| 3.0 * x - 1.0).collect();
    (
        Tensor::from_data(TensorData::new(xs, [64, 1]), device),
        Tensor::from_data(TensorData::new(ys, [64, 1]), device),
    )
}

fn mse(model: &Linear, x: &Tensor<2>, y: &Tensor<2>) -> Tensor<1> {
    (model.forward(x.clone()) - y.clone()).powi_scalar(2).mean()
}

fn main() {
    let device = Device::flex().autodiff();
    let (x, y) = data(&device);

    // 1. Any schedule from a config file, stepped once per optimizer step.
    let config: ScheduleConfig = toml::from_str(
        r#"
        kind = "warmup"
        warmup_steps = 10
        [after]
        kind = "cosine"
        max_lr = 0.5
        min_lr = 0.005
        total_steps = 90
        "#,
    )
    .expect("valid TOML");
    let mut scheduler = config.build().unwrap_or_else(|e| panic!("{e}"));
    let mut model: Linear = LinearConfig::new(1, 1).init(&device);
    let mut optim = SgdConfig::new().init();
    for step in 0..100 {
        if step == 50 {
            // Resume from the record, as after a restart: the rate continues exactly.
            let record = scheduler.to_record();
            scheduler = config.build().expect("valid");
            scheduler.load_record(record);
        }
        let lr = scheduler.step();
        let loss = mse(&model, &x, &y);
        if step % 20 == 0 {
            println!(
                "warmup-cosine step {step:3}: lr {lr:.4} loss {:.5}",
                loss.clone().into_scalar::<f32>()
            );
        }
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(lr, model, grads);
    }

    // 2. Reduce-on-plateau: the loop reports a metric each "epoch" through the handle.
    let plateau: ScheduleConfig =
        toml::from_str("kind = 'plateau'\ninitial_lr = 0.5\nfactor = 0.5\npatience = 1")
            .expect("valid TOML");
    let mut scheduler = plateau.build().expect("valid");
    let metric = scheduler
        .plateau()
        .expect("plateau schedules have a handle");
    let mut model: Linear = LinearConfig::new(1, 1).init(&device);
    for epoch in 0..10 {
        for _ in 0..5 {
            let loss = mse(&model, &x, &y);
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(scheduler.step(), model, grads);
        }
        let val = mse(&model.clone(), &x, &y).into_scalar::<f32>() as f64;
        metric.report(val);
        println!(
            "plateau epoch {epoch}: val loss {val:.6}, next lr {}",
            scheduler.peek()
        );
    }
}
