//! `cargo bench -p fastconv`: each convolution of the two example networks at batch 64 on flex,
//! `conv2d_relu` against Burn's own `conv2d` + `relu` in the same invocation: the forward pass
//! alone (no autodiff, as evaluation runs it) and forward + backward (as training runs it), in
//! milliseconds (best of `REPS`), their ratio, and the GFLOP/s of `conv2d_relu`; then one Adam
//! step of `pytorch-example`'s largest layer (9216×128 weights), `FusedAdam` against Burn's
//! `Adam`; then the pooled layers as evaluation runs them (1,000 images, no autodiff),
//! `conv2d_relu_pool` against `max_pool2d(conv2d_relu(..))`; then `pytorch-example`'s 9216→128
//! linear layer at batch 64, forward + backward, `fastconv::linear` on flex and on ndarray
//! against Burn's `linear` on ndarray.

use std::time::Instant;

use burn::optim::{AdamConfig, Optimizer};
use burn::tensor::activation::relu;
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{Device, Distribution, Tensor};

/// The allocator of the experiment binary: large tensors are allocated and freed at every step,
/// and the system allocator would return each to the OS and fault it in again.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BATCH: usize = 64;
const REPS: usize = 20;

/// (name, input channels, image side, output channels, kernel side).
const LAYERS: [(&str, usize, usize, usize, usize); 4] = [
    ("lenet conv1", 1, 28, 24, 5),
    ("lenet conv2", 24, 12, 32, 3),
    ("pytorch-example conv1", 1, 28, 32, 3),
    ("pytorch-example conv2", 32, 26, 64, 3),
];

/// Seconds of the fastest of `REPS` calls of `f`, after one untimed.
fn best(mut f: impl FnMut()) -> f64 {
    f();
    (0..REPS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn layer(fast: bool, x: Tensor<4>, w: Tensor<4>, b: Tensor<1>) -> Tensor<4> {
    if fast {
        fastconv::conv2d_relu(x, w, b)
    } else {
        relu(conv2d(
            x,
            w,
            Some(b),
            ConvOptions::new([1, 1], [0, 0], [1, 1], 1),
        ))
    }
}

/// (forward seconds, forward + backward seconds) of one implementation.
fn time(fast: bool, ci: usize, side: usize, co: usize, k: usize, first: bool) -> (f64, f64) {
    let device = Device::flex();
    device.seed(0);
    let normal = Distribution::Normal(0.0, 1.0);
    let x = Tensor::<4>::random([BATCH, ci, side, side], normal, &device);
    let w = Tensor::<4>::random([co, ci, k, k], normal, &device);
    let b = Tensor::<1>::random([co], normal, &device);
    let forward = best(|| {
        layer(fast, x.clone(), w.clone(), b.clone()).into_data();
    });
    let grad = device.clone().autodiff();
    let (x, w, b) = (
        Tensor::<4>::from_data(x.into_data(), &grad),
        Tensor::<4>::from_data(w.into_data(), &grad),
        Tensor::<1>::from_data(b.into_data(), &grad),
    );
    // A network's first layer needs no input gradient.
    let x = if first { x } else { x.require_grad() };
    let (w, b) = (w.require_grad(), b.require_grad());
    let both = best(|| {
        let grads = layer(fast, x.clone(), w.clone(), b.clone())
            .sum()
            .backward();
        w.grad(&grads).expect("weight gradient").into_data();
    });
    (forward, both)
}

/// Seconds of one Adam step of a 9216×128 weight (the fifth step on, so with moments),
/// `FusedAdam` or Burn's `Adam`.
fn adam_step(fused: bool) -> f64 {
    let device = Device::flex();
    device.seed(0);
    let normal = Distribution::Normal(0.0, 0.1);
    let grad = Tensor::<2>::random([9216, 128], normal, &device);
    let mut weight = Tensor::<2>::random([9216, 128], normal, &device);
    let mut state = None;
    let (fast, burn) = (
        fastconv::FusedAdam::new(0.9, 0.999, 1e-8),
        AdamConfig::new().with_epsilon(1e-8).build(),
    );
    let mut step = || {
        let w = weight.clone();
        (weight, state) = if fused {
            fast.step(1e-3, w, grad.clone(), state.take())
        } else {
            burn.step(1e-3, w, grad.clone(), state.take())
        };
    };
    for _ in 0..4 {
        step();
    }
    best(step)
}

/// Seconds of one evaluation-sized forward pass of a pooled layer (2×2 windows), fused or as
/// the two operations.
fn pooled(fused: bool, ci: usize, side: usize, co: usize, k: usize) -> f64 {
    let device = Device::flex();
    device.seed(0);
    let normal = Distribution::Normal(0.0, 1.0);
    let x = Tensor::<4>::random([EVAL_BATCH, ci, side, side], normal, &device);
    let w = Tensor::<4>::random([co, ci, k, k], normal, &device);
    let b = Tensor::<1>::random([co], normal, &device);
    best(|| {
        let (x, w, b) = (x.clone(), w.clone(), b.clone());
        let y = if fused {
            fastconv::conv2d_relu_pool(x, w, b, 2)
        } else {
            fastconv::max_pool2d(fastconv::conv2d_relu(x, w, b), 2)
        };
        y.into_data();
    })
}

/// Seconds of forward + backward of a 9216→128 linear layer at batch `BATCH` with every
/// gradient, on `device`, by `fastconv::linear` or by Burn's `linear`.
fn linear_layer(fast: bool, device: Device) -> f64 {
    let device = device.autodiff();
    device.seed(0);
    let normal = Distribution::Normal(0.0, 1.0);
    let x = Tensor::<2>::random([BATCH, 9216], normal, &device).require_grad();
    let w = Tensor::<2>::random([9216, 128], normal, &device).require_grad();
    let b = Tensor::<1>::random([128], normal, &device).require_grad();
    // An upstream gradient held in memory, as a loss would give.
    let g = Tensor::<2>::random([BATCH, 128], normal, &device);
    best(|| {
        let (xc, wc, bc) = (x.clone(), w.clone(), b.clone());
        let y = if fast {
            fastconv::linear(xc, wc, bc)
        } else {
            burn::tensor::module::linear(xc, wc, Some(bc))
        };
        let grads = (y * g.clone()).sum().backward();
        w.grad(&grads).expect("weight gradient");
    })
}

/// Images per evaluation chunk, as `experiments` evaluates.
const EVAL_BATCH: usize = 1000;

fn main() {
    println!("Batch {BATCH}, flex, best of {REPS}; ms, and Burn's time over conv2d_relu's.\n");
    println!(
        "| layer | forward | Burn forward | × | GFLOP/s | forward + backward | Burn | × | GFLOP/s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (name, ci, side, co, k) in LAYERS {
        let first = ci == 1;
        let out = side - k + 1;
        let flop = 2.0 * (BATCH * co * ci * k * k * out * out) as f64;
        // Backward: the weight gradient, and the input gradient where there is one.
        let train_flop = flop * if first { 2.0 } else { 3.0 };
        let (fast_fwd, fast_both) = time(true, ci, side, co, k, first);
        let (burn_fwd, burn_both) = time(false, ci, side, co, k, first);
        println!(
            "| {name} | {:.2} | {:.2} | {:.2}× | {:.0} | {:.2} | {:.2} | {:.2}× | {:.0} |",
            fast_fwd * 1e3,
            burn_fwd * 1e3,
            burn_fwd / fast_fwd,
            flop / fast_fwd / 1e9,
            fast_both * 1e3,
            burn_both * 1e3,
            burn_both / fast_both,
            train_flop / fast_both / 1e9,
        );
    }
    let (fused, burn) = (adam_step(true), adam_step(false));
    println!(
        "\nAdam, 9216×128 weights: FusedAdam {:.2} ms, Burn's Adam {:.2} ms, {:.2}×.",
        fused * 1e3,
        burn * 1e3,
        burn / fused
    );
    println!("\nForward + 2×2 pooling, {EVAL_BATCH} images, no autodiff; ms.\n");
    println!("| layer | conv2d_relu_pool | max_pool2d(conv2d_relu) | × |");
    println!("|---|---|---|---|");
    for (name, ci, side, co, k) in LAYERS {
        // `pytorch-example`'s first convolution is not followed by pooling.
        if name == "pytorch-example conv1" {
            continue;
        }
        let (fused, pair) = (
            pooled(true, ci, side, co, k),
            pooled(false, ci, side, co, k),
        );
        println!(
            "| {name} | {:.2} | {:.2} | {:.2}× |",
            fused * 1e3,
            pair * 1e3,
            pair / fused
        );
    }
    #[allow(deprecated)] // Device::ndarray
    let ndarray = Device::ndarray();
    let flex = linear_layer(true, Device::flex());
    let (fast, burn) = (
        linear_layer(true, ndarray.clone()),
        linear_layer(false, ndarray),
    );
    println!(
        "\nLinear 9216→128, batch {BATCH}, forward + backward: fastconv::linear {:.2} ms on flex, \
         {:.2} ms on ndarray; Burn's linear on ndarray {:.2} ms, {:.2}×.",
        flex * 1e3,
        fast * 1e3,
        burn * 1e3,
        burn / fast
    );
}
