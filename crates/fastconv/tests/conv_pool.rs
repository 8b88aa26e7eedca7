//! `conv2d_relu_pool` against `max_pool2d(conv2d_relu(..))` and Burn's own ops: the same bits
//! without autodiff (where flex and ndarray run the fused kernel) at 1, 2 and 3 threads, and the
//! same values and gradients with autodiff.

#![allow(deprecated)] // Device::ndarray

use burn::nn::pool::MaxPool2dConfig;
use burn::tensor::activation::relu;
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{Device, Distribution, Tensor, TensorData};

fn devices() -> [(&'static str, Device); 2] {
    [("flex", Device::flex()), ("ndarray", Device::ndarray())]
}

fn bits(t: TensorData) -> Vec<u32> {
    let values = t.to_vec::<f32>().expect("f32");
    values.iter().map(|v| v.to_bits()).collect()
}

/// (input, weight, window): both networks' pooled layers, floor mode with a 3×3 window on a
/// rectangular kernel, a window wider than the pooling kernel takes (Burn pools it), a window
/// as large as the output, and an empty batch.
const CASES: [([usize; 4], [usize; 4], usize); 7] = [
    ([9, 1, 28, 28], [24, 1, 5, 5], 2),
    ([5, 24, 12, 12], [32, 24, 3, 3], 2),
    ([3, 32, 26, 26], [64, 32, 3, 3], 2),
    ([4, 3, 10, 9], [5, 3, 2, 3], 3),
    ([2, 2, 22, 22], [3, 2, 3, 3], 17),
    ([2, 2, 6, 7], [3, 2, 3, 3], 4),
    ([0, 2, 6, 6], [3, 2, 3, 3], 2),
];

struct Inputs {
    x: Tensor<4>,
    w: Tensor<4>,
    b: Tensor<1>,
}

impl Inputs {
    fn new(x_shape: [usize; 4], w_shape: [usize; 4], device: &Device) -> Self {
        let random = Distribution::Uniform(-1.0, 1.0);
        Self {
            x: Tensor::random(x_shape, random, device),
            w: Tensor::random(w_shape, random, device),
            b: Tensor::random([w_shape[0]], random, device),
        }
    }

    /// The same values on `device`, tracked when it is an autodiff device.
    fn on(&self, device: &Device) -> Self {
        let track = device.is_autodiff();
        let x = Tensor::<4>::from_data(self.x.to_data(), device);
        let w = Tensor::<4>::from_data(self.w.to_data(), device);
        let b = Tensor::<1>::from_data(self.b.to_data(), device);
        if track {
            Self {
                x: x.require_grad(),
                w: w.require_grad(),
                b: b.require_grad(),
            }
        } else {
            Self { x, w, b }
        }
    }

    fn fused(&self, size: usize) -> Tensor<4> {
        fastconv::conv2d_relu_pool(self.x.clone(), self.w.clone(), self.b.clone(), size)
    }

    fn composed(&self, size: usize) -> Tensor<4> {
        let y = fastconv::conv2d_relu(self.x.clone(), self.w.clone(), self.b.clone());
        fastconv::max_pool2d(y, size)
    }

    fn burn(&self, size: usize) -> Tensor<4> {
        let options = ConvOptions::new([1, 1], [0, 0], [1, 1], 1);
        let y = relu(conv2d(
            self.x.clone(),
            self.w.clone(),
            Some(self.b.clone()),
            options,
        ));
        MaxPool2dConfig::new([size, size]).init().forward(y)
    }

    /// The pooled output and the gradients of x, w and b for `Σ y · ramp`.
    fn with_grads(&self, y: Tensor<4>) -> [Vec<u32>; 4] {
        let n = y.shape().num_elements();
        let ramp = Tensor::<1>::from_data(
            TensorData::new((0..n).map(|i| (i % 7) as f32 - 3.0).collect(), [n]),
            &y.device(),
        )
        .reshape(y.shape());
        let grads = (y.clone() * ramp).sum().backward();
        let grad = |g: Option<TensorData>| bits(g.expect("a gradient"));
        [
            bits(y.into_data()),
            grad(self.x.grad(&grads).map(|t| t.into_data())),
            grad(self.w.grad(&grads).map(|t| t.into_data())),
            grad(self.b.grad(&grads).map(|t| t.into_data())),
        ]
    }
}

#[test]
fn without_autodiff_it_gives_the_bits_of_the_two_operations_at_any_thread_count() {
    for (name, device) in devices() {
        device.seed(5);
        for (x_shape, w_shape, size) in CASES {
            let inputs = Inputs::new(x_shape, w_shape, &device);
            let want = bits(inputs.composed(size).into_data());
            let case = format!("{name}, {x_shape:?} * {w_shape:?} / {size}");
            if x_shape[0] > 0 {
                assert!(
                    want.iter().any(|&v| f32::from_bits(v) > 0.0),
                    "{case}: all zero"
                );
            }
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("thread pool");
                let got = pool.install(|| inputs.fused(size));
                let [batch, _, h, w] = x_shape;
                let pooled = [(h - w_shape[2] + 1) / size, (w - w_shape[3] + 1) / size];
                assert_eq!(
                    got.dims(),
                    [batch, w_shape[0], pooled[0], pooled[1]],
                    "{case}"
                );
                assert!(bits(got.into_data()) == want, "{case}, {threads} threads");
            }
        }
    }
}

#[test]
fn without_autodiff_it_pools_what_burns_ops_give() {
    // Burn sums in another order, so values closer than rounding are not compared: multiples of
    // 1/8 (every sum exact), biases off that grid (no pre-activation is 0).
    let eighths = |t: Tensor<4>| t.mul_scalar(8.0).floor().div_scalar(8.0);
    for (name, device) in devices() {
        device.seed(6);
        for (x_shape, w_shape, size) in CASES {
            let raw = Inputs::new(x_shape, w_shape, &device);
            let inputs = Inputs {
                x: eighths(raw.x),
                w: eighths(raw.w),
                b: raw
                    .b
                    .mul_scalar(8.0)
                    .floor()
                    .div_scalar(8.0)
                    .add_scalar(1.0 / 128.0),
            };
            let case = format!("{name}, {x_shape:?} * {w_shape:?} / {size}");
            let got = inputs.fused(size).into_data();
            let want = inputs.burn(size).into_data();
            assert_eq!(got.shape(), want.shape(), "{case}");
            assert!(
                got.to_vec::<f32>().expect("f32") == want.to_vec::<f32>().expect("f32"),
                "{case}"
            );
        }
    }
}

#[test]
fn with_autodiff_it_is_the_two_operations() {
    for (name, device) in devices() {
        device.seed(7);
        let autodiff = device.clone().autodiff();
        for (x_shape, w_shape, size) in CASES {
            let inputs = Inputs::new(x_shape, w_shape, &device).on(&autodiff);
            let case = format!("{name}, {x_shape:?} * {w_shape:?} / {size}");
            let fused = inputs.with_grads(inputs.fused(size));
            let composed = inputs.with_grads(inputs.composed(size));
            for (what, (f, c)) in ["y", "dx", "dw", "db"]
                .iter()
                .zip(fused.iter().zip(&composed))
            {
                assert!(f == c, "{case}: {what}");
            }
        }
    }
}

#[test]
#[should_panic(expected = "conv2d_relu_pool: window 25 must be at least 1 and fit the 24×24 image")]
fn a_window_larger_than_the_convolution_output_is_named() {
    let device = Device::flex();
    fastconv::conv2d_relu_pool(
        Tensor::zeros([1, 1, 28, 28], &device),
        Tensor::zeros([3, 1, 5, 5], &device),
        Tensor::zeros([3], &device),
        25,
    );
}
