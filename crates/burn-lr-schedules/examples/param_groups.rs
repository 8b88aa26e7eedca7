//! Discriminative rates: a backbone under warm-up → cosine and a head under one-cycle, each the
//! scheduler of a parameter group of Burn's `ModuleLrScheduler`, in a hand-written loop.
//!
//! Run with `cargo run -p burn-lr-schedules --example param_groups`.

use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::module::{Module, ParamGroup};
use burn::nn::{Linear, LinearConfig, Relu};
use burn::optim::{GradientsParams, SgdConfig};
use burn::tensor::{Device, Tensor, TensorData};
use burn_lr_schedules::ScheduleConfig;

/// Parameters are named by their field path: `backbone.weight`, `head.bias`, …
#[derive(Module, Debug)]
struct Net {
    backbone: Linear,
    relu: Relu,
    head: Linear,
}

impl Net {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.head
            .forward(self.relu.forward(self.backbone.forward(x)))
    }
}

fn main() {
    let device = Device::flex().autodiff();
    let backbone: ScheduleConfig = toml::from_str(
        r#"
        kind = "warmup"
        warmup_steps = 10
        [after]
        kind = "cosine"
        max_lr = 0.01
        total_steps = 90
        "#,
    )
    .expect("valid TOML");
    let head: ScheduleConfig =
        toml::from_str("kind = 'one_cycle'\nmax_lr = 0.1\ntotal_steps = 100").expect("valid TOML");

    // The first scheduler covers every parameter; a later group wins for the parameters it
    // matches, here those whose path contains "head". Every group steps once per `step()`.
    let mut scheduler = ModuleLrScheduler::new(backbone.build().unwrap_or_else(|e| panic!("{e}")))
        .with_group(
            ParamGroup::from_predicate("head"),
            head.build().unwrap_or_else(|e| panic!("{e}")),
        );

    let mut model = Net {
        backbone: LinearConfig::new(4, 16).init(&device),
        relu: Relu::new(),
        head: LinearConfig::new(16, 1).init(&device),
    };
    let mut optim = SgdConfig::new().init();
    let xs: Vec<f32> = (0..256).map(|i| (i as f32 * 0.37).sin()).collect();
    let ys: Vec<f32> = xs
        .chunks(4)
        .map(|x| x[0] - 2.0 * x[1] + x[2] * x[3])
        .collect();
    let x = Tensor::<2>::from_data(TensorData::new(xs, [64, 4]), &device);
    let y = Tensor::<2>::from_data(TensorData::new(ys, [64, 1]), &device);

    for step in 0..100 {
        let rates = scheduler.step();
        let loss = (model.forward(x.clone()) - y.clone()).powi_scalar(2).mean();
        if step % 20 == 0 {
            // What the optimizer will give each parameter, found as it finds them: by id and path.
            let head_lr = rates.lr_from_param(model.head.weight.id, Some("head.weight"));
            println!(
                "step {step:3}: backbone lr {:.5}, head lr {head_lr:.5}, loss {:.5}",
                rates.base(),
                loss.clone().into_scalar::<f32>()
            );
        }
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(rates, model, grads);
    }
}
