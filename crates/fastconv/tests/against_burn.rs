//! `conv2d_relu` and `max_pool2d` against Burn's own `conv2d` + `relu` and `MaxPool2d`: the same
//! values and the same gradients, to the bit, on both CPU backends (flex and ndarray, which run
//! this crate's kernels); and ndarray giving flex's bits where Burn's own ops would not.
//!
//! Exact by construction, not by luck: with arbitrary floats two correct implementations that
//! sum in different orders can put a pre-activation near 0 on different sides of the ReLU, and
//! then a whole patch of the input gradient differs. So the convolution's inputs are multiples
//! of 1/8 in [-1, 1): every product is a multiple of 1/64 with a few significant bits, every sum
//! formed here (at most a few thousand terms) is exact in f32 and does not depend on the order;
//! the bias is offset by 1/128, so no pre-activation is 0. Pooling inputs are distinct integers,
//! so every window has exactly one winner.

#![allow(deprecated)] // Device::ndarray

use burn::nn::pool::MaxPool2dConfig;
use burn::tensor::activation::relu;
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};

fn random<const D: usize>(shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::random(shape, Distribution::Uniform(-1.0, 1.0), device)
}

/// Random multiples of 1/8 in [-1, 1).
fn eighths<const D: usize>(shape: [usize; D], device: &Device) -> TensorData {
    random(shape, device)
        .mul_scalar(8.0)
        .floor()
        .div_scalar(8.0)
        .into_data()
}

/// Random biases that keep every pre-activation an odd multiple of 1/128, never 0.
fn bias(len: usize, device: &Device) -> TensorData {
    Tensor::<1>::from_data(eighths([len], device), device)
        .add_scalar(1.0 / 128.0)
        .into_data()
}

/// `shape` filled with distinct integers around 0 in a scrambled order, so the winners sit at
/// every offset of their windows, and no window has a tie.
fn distinct(shape: [usize; 4]) -> TensorData {
    let n = shape.iter().product::<usize>();
    assert!(n < 1 << 24, "integers stay exact in f32");
    // A prime that does not divide n steps through all of 0..n.
    let step = [7919, 7927, 7933]
        .into_iter()
        .find(|p| n % p != 0)
        .unwrap_or(1);
    let values: Vec<f32> = (0..n)
        .map(|i| ((i * step) % n) as f32 - (n / 2) as f32)
        .collect();
    TensorData::new(values, shape)
}

/// Element-wise equality (so `0.0 == -0.0`), naming how many elements differ and the first.
fn assert_same(got: &TensorData, want: &TensorData, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    let got = got.to_vec::<f32>().expect("f32");
    let want = want.to_vec::<f32>().expect("f32");
    let differ: Vec<usize> = (0..got.len()).filter(|&i| got[i] != want[i]).collect();
    if let Some(&i) = differ.first() {
        panic!(
            "{what}: {} of {} elements differ; first at {i}: {} vs {}",
            differ.len(),
            got.len(),
            got[i],
            want[i]
        );
    }
}

/// (output, dx, dw, db) of `Σ g·relu(conv(x) + b)`, by `conv2d_relu` or by Burn.
fn run(
    fast: bool,
    x: &TensorData,
    w: &TensorData,
    b: &TensorData,
    g: &TensorData,
    device: &Device,
) -> [TensorData; 4] {
    let x = Tensor::<4>::from_data(x.clone(), device).require_grad();
    let w = Tensor::<4>::from_data(w.clone(), device).require_grad();
    let b = Tensor::<1>::from_data(b.clone(), device).require_grad();
    let g = Tensor::<4>::from_data(g.clone(), device);
    let y = if fast {
        fastconv::conv2d_relu(x.clone(), w.clone(), b.clone())
    } else {
        let options = ConvOptions::new([1, 1], [0, 0], [1, 1], 1);
        relu(conv2d(x.clone(), w.clone(), Some(b.clone()), options))
    };
    let grads = (y.clone() * g).sum().backward();
    [
        y.into_data(),
        x.grad(&grads).expect("x grad").into_data(),
        w.grad(&grads).expect("w grad").into_data(),
        b.grad(&grads).expect("b grad").into_data(),
    ]
}

fn check(device: Device) {
    let cases = [
        // (input, weight): the layers of both networks, an odd rectangular one, an empty batch.
        ([4, 1, 28, 28], [24, 1, 5, 5]),
        ([3, 24, 12, 12], [32, 24, 3, 3]),
        ([2, 32, 26, 26], [64, 32, 3, 3]),
        ([5, 3, 7, 9], [4, 3, 2, 3]),
        ([0, 3, 7, 9], [4, 3, 2, 3]),
    ];
    let plain = Device::flex();
    for (x_shape, w_shape) in cases {
        let out = [
            x_shape[0],
            w_shape[0],
            x_shape[2] - w_shape[2] + 1,
            x_shape[3] - w_shape[3] + 1,
        ];
        let x = eighths(x_shape, &plain);
        let w = eighths(w_shape, &plain);
        let b = bias(w_shape[0], &plain);
        let g = eighths(out, &plain);
        let fast = run(true, &x, &w, &b, &g, &device.clone().autodiff());
        let burn = run(false, &x, &w, &b, &g, &device.clone().autodiff());
        let y = burn[0].to_vec::<f32>().expect("f32");
        assert!(
            y.is_empty() || (y.contains(&0.0) && y.iter().any(|v| *v > 0.0)),
            "both sides of the ReLU are exercised"
        );
        for (name, (f, r)) in ["y", "dx", "dw", "db"].iter().zip(fast.iter().zip(&burn)) {
            assert_same(f, r, &format!("{name} for {x_shape:?}"));
        }
        // Without autodiff the same forward values come out.
        let plain_y = fastconv::conv2d_relu(
            Tensor::from_data(x.clone(), &device),
            Tensor::from_data(w.clone(), &device),
            Tensor::from_data(b.clone(), &device),
        );
        assert_same(&plain_y.into_data(), &burn[0], "untracked y");
    }
}

/// (output, dx) of `Σ g·maxpool(x)` by `max_pool2d` or by Burn's `MaxPool2d`.
fn pool(fast: bool, x: &TensorData, size: usize, device: &Device) -> [TensorData; 2] {
    let x = Tensor::<4>::from_data(x.clone(), device).require_grad();
    let y = if fast {
        fastconv::max_pool2d(x.clone(), size)
    } else {
        MaxPool2dConfig::new([size, size]).init().forward(x.clone())
    };
    // Distinct gradients, so one routed to the wrong input shows.
    let g = Tensor::<1, Int>::arange(1..y.shape().num_elements() as i64 + 1, device)
        .float()
        .reshape(y.shape());
    let grads = (y.clone() * g).sum().backward();
    [y.into_data(), x.grad(&grads).expect("x grad").into_data()]
}

fn check_pool(device: Device) {
    for (shape, size) in [
        // The pooled layers of both networks, an odd size (floor mode) and a 3×3 window.
        ([4, 24, 24, 24], 2),
        ([3, 64, 24, 24], 2),
        ([2, 3, 7, 9], 2),
        ([2, 3, 9, 7], 3),
        // Windows of 1, the largest the byte-offset kernel takes (16), the next, and the whole
        // image (global max pooling), also where a column is left over.
        ([2, 3, 28, 28], 1),
        ([2, 3, 28, 28], 16),
        ([2, 3, 28, 28], 17),
        ([2, 3, 28, 28], 28),
        ([2, 3, 28, 31], 28),
        // An empty batch.
        ([0, 3, 8, 8], 2),
    ] {
        let x = distinct(shape);
        let device = device.clone().autodiff();
        let fast = pool(true, &x, size, &device);
        let burn = pool(false, &x, size, &device);
        let case = format!("{shape:?} / {size}");
        assert_same(&fast[0], &burn[0], &format!("output for {case}"));
        assert_same(&fast[1], &burn[1], &format!("gradient for {case}"));
    }
}

#[test]
fn flex_matches_burn() {
    check(Device::flex());
    check_pool(Device::flex());
}

#[test]
fn ndarray_matches_burn() {
    check(Device::ndarray());
    check_pool(Device::ndarray());
}

/// On arbitrary floats two summation orders give different bits, so equal bits on flex and
/// ndarray say both ran the same kernel; Burn's own convolution on ndarray differs from it.
#[test]
fn ndarray_runs_the_kernels_of_flex() {
    let plain = Device::flex();
    plain.seed(11);
    let x = random([3, 24, 12, 12], &plain).into_data();
    let w = random([32, 24, 3, 3], &plain).into_data();
    let b = random([32], &plain).into_data();
    let g = random([3, 32, 10, 10], &plain).into_data();
    let flex = run(true, &x, &w, &b, &g, &Device::flex().autodiff());
    let ndarray = run(true, &x, &w, &b, &g, &Device::ndarray().autodiff());
    for (name, (f, n)) in ["y", "dx", "dw", "db"]
        .iter()
        .zip(flex.iter().zip(&ndarray))
    {
        assert_same(n, f, &format!("ndarray's {name}"));
    }
    let burn = run(false, &x, &w, &b, &g, &Device::ndarray().autodiff());
    assert_ne!(
        burn[2].to_vec::<f32>().expect("f32"),
        flex[2].to_vec::<f32>().expect("f32"),
        "Burn's weight gradient sums in another order, so the check above can tell them apart"
    );
}

#[test]
fn an_untracked_input_gets_no_gradient_and_the_weights_still_do() {
    let device = Device::flex().autodiff();
    let x = random([2, 1, 6, 6], &device);
    let w = random([3, 1, 3, 3], &device).require_grad();
    let b = random([3], &device).require_grad();
    let grads = fastconv::conv2d_relu(x.clone(), w.clone(), b.clone())
        .sum()
        .backward();
    assert!(x.grad(&grads).is_none());
    let dw = w.grad(&grads).expect("w grad");
    assert!(dw.abs().sum().into_scalar::<f32>() > 0.0);
}

#[test]
#[should_panic(expected = "input has 2 channels, weight expects 1")]
fn mismatched_channels_are_named() {
    let device = Device::flex();
    fastconv::conv2d_relu(
        Tensor::zeros([1, 2, 5, 5], &device),
        Tensor::zeros([3, 1, 3, 3], &device),
        Tensor::zeros([3], &device),
    );
}

#[test]
#[should_panic(expected = "bias must have one value per output channel")]
fn a_bias_of_the_wrong_length_is_named() {
    let device = Device::flex();
    fastconv::conv2d_relu(
        Tensor::zeros([1, 1, 5, 5], &device),
        Tensor::zeros([3, 1, 3, 3], &device),
        Tensor::zeros([2], &device),
    );
}

#[test]
#[should_panic(expected = "window 29 must be at least 1 and fit the 28×28 image")]
fn a_window_larger_than_the_image_is_named() {
    fastconv::max_pool2d(Tensor::zeros([1, 1, 28, 28], &Device::flex()), 29);
}
