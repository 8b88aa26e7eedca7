//! `conv2d_relu` and `max_pool2d` against Burn's own `conv2d` + `relu` and `MaxPool2d`: same
//! values and same gradients, on the backend with the fast kernels (flex) and on one that
//! composes Burn's ops (ndarray).

#![allow(deprecated)] // Device::ndarray

use burn::nn::pool::MaxPool2dConfig;
use burn::tensor::activation::relu;
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{Device, Distribution, Int, Tensor, TensorData, Tolerance};

fn random<const D: usize>(shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::random(shape, Distribution::Uniform(-1.0, 1.0), device)
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
        // (input, weight): the layers of both networks, and an odd rectangular one.
        ([4, 1, 28, 28], [24, 1, 5, 5]),
        ([3, 24, 12, 12], [32, 24, 3, 3]),
        ([2, 32, 26, 26], [64, 32, 3, 3]),
        ([5, 3, 7, 9], [4, 3, 2, 3]),
    ];
    let plain = Device::flex();
    for (x_shape, w_shape) in cases {
        let out = [
            x_shape[0],
            w_shape[0],
            x_shape[2] - w_shape[2] + 1,
            x_shape[3] - w_shape[3] + 1,
        ];
        let x = random(x_shape, &plain).into_data();
        let w = random(w_shape, &plain).into_data();
        let b = random([w_shape[0]], &plain).into_data();
        let g = random(out, &plain).into_data();
        let fast = run(true, &x, &w, &b, &g, &device.clone().autodiff());
        let burn = run(false, &x, &w, &b, &g, &device.clone().autodiff());
        for (name, (f, r)) in ["y", "dx", "dw", "db"].iter().zip(fast.iter().zip(&burn)) {
            assert_eq!(f.shape(), r.shape(), "{name} shape for {x_shape:?}");
            f.assert_approx_eq::<f32>(r, Tolerance::absolute(1e-3).set_relative(1e-4));
        }
        // Without autodiff the same forward values come out.
        let plain_y = fastconv::conv2d_relu(
            Tensor::from_data(x.clone(), &device),
            Tensor::from_data(w.clone(), &device),
            Tensor::from_data(b.clone(), &device),
        );
        plain_y
            .into_data()
            .assert_approx_eq::<f32>(&burn[0], Tolerance::absolute(1e-4));
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
    let g = Tensor::<1, Int>::arange(0..y.shape().num_elements() as i64, device)
        .float()
        .reshape(y.shape());
    let grads = (y.clone() * g).sum().backward();
    [y.into_data(), x.grad(&grads).expect("x grad").into_data()]
}

fn check_pool(device: Device) {
    // The pooled layers of both networks, an odd size (floor mode) and a 3×3 window.
    for (shape, size) in [
        ([4, 24, 24, 24], 2),
        ([3, 64, 24, 24], 2),
        ([2, 3, 7, 9], 2),
        ([2, 3, 9, 7], 3),
    ] {
        // Distinct values, so the winner of every window is unique in both implementations.
        let n = shape.iter().product::<usize>() as i64;
        let x = Tensor::<1, Int>::arange(0..n, &Device::flex())
            .float()
            .mul_scalar(0.37)
            .sin()
            .reshape(shape)
            .into_data();
        let device = device.clone().autodiff();
        let fast = pool(true, &x, size, &device);
        let burn = pool(false, &x, size, &device);
        assert_eq!(fast[0], burn[0], "output for {shape:?} / {size}");
        assert_eq!(fast[1], burn[1], "gradient for {shape:?} / {size}");
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
