//! The optimizer state survives the optimizer record: a resumed optimizer continues exactly.

mod common;

use adadelta::AdadeltaConfig;
use burn::optim::ModuleOptimizer;
use burn::optim::decay::WeightDecayConfig;
use common::{GRADS, PARAM0, Vector, step};

fn config() -> AdadeltaConfig {
    AdadeltaConfig::new()
        .with_rho(0.95)
        .with_weight_decay(Some(WeightDecayConfig::new(0.01)))
}

/// Step 3 times and return the model and the optimizer at that point.
fn three_steps() -> (Vector, ModuleOptimizer) {
    let mut optim = config().init();
    let mut model = Vector::new(PARAM0);
    for grad in &GRADS[..3] {
        model = step(&mut optim, 1.0, model, *grad);
    }
    (model, optim)
}

/// Step `original` and `resumed` twice more from the same (cloned, same-id) model with the same
/// gradients and assert bit-identical parameters after each step.
fn assert_same_continuation(
    model: Vector,
    mut original: ModuleOptimizer,
    mut resumed: ModuleOptimizer,
) {
    let (mut a, mut b) = (model.clone(), model);
    for grad in &GRADS[3..] {
        a = step(&mut original, 1.0, a, *grad);
        b = step(&mut resumed, 1.0, b, *grad);
        assert_eq!(a.values(), b.values());
    }
}

#[test]
fn record_round_trip_continues_exactly() {
    let (model, optim) = three_steps();
    let record = optim.to_record();
    // One parameter with two state tensors (square_avg and acc_delta).
    assert_eq!(record.len(), 2);
    let resumed = config().init().load_record(record);
    assert_same_continuation(model, optim, resumed);
}

#[test]
fn bytes_round_trip_continues_exactly() {
    let (model, optim) = three_steps();
    let bytes = optim.into_bytes().unwrap();
    let resumed = config().init().from_bytes(bytes).unwrap();
    assert_same_continuation(model, optim, resumed);
}

#[test]
fn file_round_trip_continues_exactly() {
    let (model, optim) = three_steps();
    let path = std::env::temp_dir().join(format!("adadelta-state-{}.bpk", std::process::id()));
    optim.save(&path).unwrap();
    let resumed = config().init().load(&path).unwrap();
    // Keep the file until the resumed optimizer has stepped: the burnpack reader may read tensor
    // bytes lazily, on first use, and deleting the file earlier makes that read fail.
    assert_same_continuation(model, optim, resumed);
    std::fs::remove_file(&path).unwrap();
}

/// Control: without the saved state the continuation differs, so the tests above do test the state.
#[test]
fn fresh_optimizer_does_not_continue() {
    let (model, mut original) = three_steps();
    let mut fresh = config().init();
    let a = step(&mut original, 1.0, model.clone(), GRADS[3]);
    let b = step(&mut fresh, 1.0, model, GRADS[3]);
    assert_ne!(a.values(), b.values());
}

/// Several parameters of different ranks (a linear layer's 2-d weight and 1-d bias), each with its
/// own state, resume exactly too.
#[test]
fn linear_layer_resumes_exactly() {
    use burn::nn::{Linear, LinearConfig};
    use burn::optim::GradientsParams;
    use burn::tensor::{Device, Tensor};

    let device = Device::flex().autodiff();
    let input = Tensor::<2>::from_floats([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], &device);
    let step = |optim: &mut ModuleOptimizer, model: Linear, scale: f64| {
        let loss = model
            .forward(input.clone())
            .mul_scalar(scale)
            .powi_scalar(2)
            .sum();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        optim.step(1.0, model, grads)
    };
    let values = |model: &Linear| {
        let weight = model.weight.val().into_data().try_to_vec::<f32>().unwrap();
        let bias = model.bias.as_ref().unwrap().val().into_data();
        (weight, bias.try_to_vec::<f32>().unwrap())
    };

    let mut model: Linear = LinearConfig::new(3, 2).init(&device);
    let mut original = config().init();
    for scale in [1.0, -0.5, 0.1] {
        model = step(&mut original, model, scale);
    }
    let record = original.to_record();
    assert_eq!(record.len(), 4);
    let mut resumed = config().init().load_record(record);

    let (mut a, mut b) = (model.clone(), model);
    for scale in [0.3, -2.0] {
        a = step(&mut original, a, scale);
        b = step(&mut resumed, b, scale);
        assert_eq!(values(&a), values(&b));
    }
}
