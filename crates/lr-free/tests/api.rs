//! Settings out of range, foreign or damaged states, and schedule-free's train/eval switch.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor};
use lr_free::{
    AdamWScheduleFreeConfig, DAdaptAdamConfig, DAdaptSgdConfig, ProdigyConfig,
    SgdScheduleFreeConfig, WholeModuleOptimizer,
};

fn device() -> Device {
    Device::flex().autodiff()
}

fn grads(model: &Linear, device: &Device) -> GradientsParams {
    let x = Tensor::<2>::ones([4, 3], device);
    let loss = (model.forward(x) - 1.0).powi_scalar(2).mean();
    GradientsParams::from_grads(loss.backward(), model)
}

fn values(model: &Linear) -> Vec<f32> {
    let mut v = model.weight.val().into_data().try_to_vec::<f32>().unwrap();
    v.extend(
        model
            .bias
            .as_ref()
            .unwrap()
            .val()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap(),
    );
    v
}

#[test]
fn settings_out_of_range_are_refused_in_one_line() {
    let errors = [
        SgdScheduleFreeConfig::new().with_momentum(1.0).init().err(),
        SgdScheduleFreeConfig::new()
            .with_weight_decay(-1.0)
            .init()
            .err(),
        AdamWScheduleFreeConfig::new().with_beta_1(0.0).init().err(),
        AdamWScheduleFreeConfig::new()
            .with_epsilon(0.0)
            .init()
            .err(),
        ProdigyConfig::new().with_d0(0.0).init().err(),
        ProdigyConfig::new().with_beta_3(Some(1.0)).init().err(),
        ProdigyConfig::new().with_growth_rate(0.0).init().err(),
        DAdaptAdamConfig::new().with_beta_2(1.0).init().err(),
        DAdaptSgdConfig::new().with_d0(-1e-6).init().err(),
    ];
    for e in errors {
        let e = e.expect("refused").to_string();
        assert!(!e.contains('\n') && e.contains("must be"), "{e}");
    }
    let e = ProdigyConfig::new()
        .with_d0(0.0)
        .init()
        .err()
        .unwrap()
        .to_string();
    assert_eq!(
        e,
        "Prodigy: d0 = 0 is invalid; it must be positive and finite"
    );
}

#[test]
fn a_state_of_another_optimizer_or_damaged_is_refused_and_nothing_changes() {
    let device = device();
    let mut model: Linear = LinearConfig::new(3, 1).init(&device);
    let mut prodigy = ProdigyConfig::new().init().unwrap();
    for _ in 0..3 {
        let g = grads(&model, &device);
        model = prodigy.step(1.0, model, g);
    }
    let bytes = prodigy.to_bytes();
    let mut adam = DAdaptAdamConfig::new().init().unwrap();
    let before = adam.to_bytes();
    let e = adam.load_bytes(&bytes, &device).unwrap_err().to_string();
    assert_eq!(e, "the optimizer state is Prodigy's, not D-Adapt Adam's");
    assert_eq!(adam.to_bytes(), before);
    let mut fresh = ProdigyConfig::new().init().unwrap();
    for cut in [0, 8, bytes.len() / 2, bytes.len() - 1] {
        let e = fresh.load_bytes(&bytes[..cut], &device).unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
    }
    fresh.load_bytes(&bytes, &device).unwrap();
    assert_eq!(fresh.to_bytes(), bytes);
    assert_eq!(fresh.estimate(), prodigy.estimate());
}

#[test]
fn schedule_free_switches_between_y_and_x() {
    let device = device();
    let mut model: Linear = LinearConfig::new(3, 1).init(&device);
    let mut sf = AdamWScheduleFreeConfig::new().init().unwrap();
    assert!(sf.is_train_mode());
    for _ in 0..5 {
        let g = grads(&model, &device);
        model = sf.step(0.01, model, g);
    }
    let y = values(&model);
    let x = values(&sf.averaged(model.clone()));
    assert_ne!(x, y, "after steps x and y differ");
    model = sf.eval(model);
    assert!(!sf.is_train_mode());
    assert_eq!(values(&model), x);
    // Twice is once, as the reference.
    model = sf.eval(model);
    assert_eq!(values(&model), x);
    model = sf.train(model);
    let back = values(&model);
    for (a, b) in back.iter().zip(&y) {
        assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{a} vs {b}");
    }
    // The model still trains after the round trip.
    let g = grads(&model, &device);
    let _ = sf.step(0.01, model.clone(), g);
    assert_eq!(sf.steps(), 6);
    let _ = model.into_record();
}

#[test]
#[should_panic(expected = "step() in eval mode")]
fn a_schedule_free_step_in_eval_mode_panics_as_the_reference_raises() {
    let device = device();
    let model: Linear = LinearConfig::new(3, 1).init(&device);
    let mut sf = SgdScheduleFreeConfig::new().init().unwrap();
    let model = sf.eval(model);
    let g = grads(&model, &device);
    let _ = sf.step(1.0, model, g);
}
