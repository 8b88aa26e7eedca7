//! `FusedAdam` against Burn's `Adam`: the same bits on flex and ndarray, step after step, called
//! directly and through a module optimizer, at 1, 2 and 3 threads.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::optim::{Adam, AdamConfig, AdamState, GradientsParams, ModuleOptimizer, Optimizer};
use burn::tensor::{Device, Distribution, Tensor};
use fastconv::FusedAdam;
use std::sync::Mutex;

/// The tests seed the backends' one generator: one test at a time.
static SEEDED: Mutex<()> = Mutex::new(());

fn devices() -> [(&'static str, Device); 2] {
    #[allow(deprecated)]
    let ndarray = Device::ndarray();
    [("flex", Device::flex()), ("ndarray", ndarray)]
}

fn bits<const D: usize>(t: &Tensor<D>) -> Vec<u32> {
    let values = t.clone().into_data().try_into_vec::<f32>().expect("f32");
    values.iter().map(|v| v.to_bits()).collect()
}

fn burn_adam() -> Adam {
    AdamConfig::new().with_epsilon(1e-8).build()
}

/// Six steps of each optimizer from the same parameter and gradients: parameter, moments and
/// step count equal to the bit after every step.
fn same_steps<const D: usize>(name: &str, device: &Device, shape: [usize; D]) {
    device.seed(7);
    let start = Tensor::<D>::random(shape, Distribution::Normal(0.0, 1.0), device);
    let fused = FusedAdam::new(0.9, 0.999, 1e-8);
    let burn = burn_adam();
    let (mut a, mut b) = (start.clone(), start.clone());
    let (mut sa, mut sb): (Option<AdamState<D>>, Option<AdamState<D>>) = (None, None);
    for step in 0..6 {
        let mut grad = Tensor::<D>::random(shape, Distribution::Normal(0.0, 0.1), device);
        if step == 2 {
            // Zero gradients of both signs: the sign of a zero moment must follow Burn's too.
            grad = grad.clone() * 0.0;
        }
        let lr = 1e-3 * (step + 1) as f64;
        (a, sa) = fused.step(lr, a, grad.clone(), sa);
        (b, sb) = burn.step(lr, b, grad, sb);
        let (ma, mb) = (
            &sa.as_ref().unwrap().momentum,
            &sb.as_ref().unwrap().momentum,
        );
        assert_eq!(
            bits(&a),
            bits(&b),
            "{name} {shape:?}: parameter after step {step}"
        );
        assert_eq!(
            bits(&ma.moment_1),
            bits(&mb.moment_1),
            "{name}: first moment"
        );
        assert_eq!(
            bits(&ma.moment_2),
            bits(&mb.moment_2),
            "{name}: second moment"
        );
        assert_eq!(ma.time, mb.time);
    }
    assert_ne!(
        bits(&a),
        bits(&start),
        "{name} {shape:?}: the steps moved the parameter"
    );
}

#[test]
fn fused_adam_gives_burns_bits_step_after_step() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| {
            for (name, device) in devices() {
                same_steps(name, &device, [10]);
                same_steps(name, &device, [37, 29]);
                // Past one parallel task (16,384 elements) with a ragged end.
                same_steps(name, &device, [3, 5, 41, 67]);
            }
        });
    }
}

#[derive(Module, Debug)]
struct Net {
    a: Linear,
    b: Linear,
}

fn train(optim: &mut ModuleOptimizer, device: &Device) -> Vec<u32> {
    let device = device.clone().autodiff();
    device.seed(3);
    let mut net = Net {
        a: LinearConfig::new(20, 30).init(&device),
        b: LinearConfig::new(30, 4).init(&device),
    };
    for step in 0..5 {
        let x = Tensor::<2>::random([8, 20], Distribution::Normal(0.0, 1.0), &device);
        let y = net.b.forward(net.a.forward(x).tanh());
        let grads = GradientsParams::from_grads((y.clone() * y).mean().backward(), &net);
        net = optim.step(1e-2 / (step + 1) as f64, net, grads);
    }
    let mut out = bits(&net.a.weight.val());
    out.extend(bits(&net.b.bias.unwrap().val()));
    out
}

#[test]
fn through_a_module_optimizer_it_trains_to_burns_bits() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    for (name, device) in devices() {
        let fused = train(&mut FusedAdam::new(0.9, 0.999, 1e-8).init(), &device);
        let burn = train(&mut AdamConfig::new().with_epsilon(1e-8).init(), &device);
        assert_eq!(fused, burn, "{name}");
        let other = train(&mut FusedAdam::new(0.8, 0.999, 1e-8).init(), &device);
        assert_ne!(fused, other, "{name}: β1 reaches the fused step");
    }
}
