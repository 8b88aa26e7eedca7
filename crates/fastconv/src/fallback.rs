//! [`CnnKernels`] from Burn's own operations: every backend without a kernel here (ndarray, wgpu
//! and the other CubeCL runtimes), and flex for the float types its kernels do not take.

use burn::backend::ops::ConvOptions;
use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::backend::{Backend, Cube, TensorMetadata, get_or_init_device_settings};
use burn::tensor::{Distribution, FloatDType};

use crate::backend::{CnnKernels, Grads, Saved};

/// Stride 1, no padding, dilation 1, one group: the only convolution this crate offers.
fn conv_options() -> ConvOptions<2> {
    ConvOptions::new([1, 1], [0, 0], [1, 1], 1)
}

pub(crate) fn conv_forward<B: Backend>(
    x: FloatTensor<B>,
    weight: FloatTensor<B>,
    bias: FloatTensor<B>,
) -> FloatTensor<B> {
    B::relu(B::conv2d(x, weight, Some(bias), conv_options()))
}

pub(crate) fn conv_backward<B: Backend>(
    saved: Saved<B>,
    grad: FloatTensor<B>,
    want_x: bool,
) -> Grads<B> {
    let grad = B::relu_backward(saved.output, grad);
    let x_grad = want_x.then(|| {
        B::conv2d_x_backward(
            saved.x.clone(),
            saved.weight.clone(),
            grad.clone(),
            conv_options(),
        )
    });
    let weight_grad =
        B::conv2d_weight_backward(saved.x.clone(), saved.weight, grad.clone(), conv_options());
    let bias_grad = B::conv2d_bias_backward(saved.x, saved.bias, grad);
    (x_grad, weight_grad, bias_grad)
}

pub(crate) fn pool_forward<B: Backend>(
    x: FloatTensor<B>,
    size: usize,
) -> (FloatTensor<B>, IntTensor<B>) {
    let int_dtype = get_or_init_device_settings::<B>(&x.device()).int_dtype;
    let out = B::max_pool2d_with_indices(
        x,
        [size, size],
        [size, size],
        [0, 0],
        [1, 1],
        false,
        int_dtype,
    );
    (out.output, out.indices)
}

pub(crate) fn pool_backward<B: Backend>(
    x: FloatTensor<B>,
    size: usize,
    indices: IntTensor<B>,
    grad: FloatTensor<B>,
) -> FloatTensor<B> {
    B::max_pool2d_with_indices_backward(
        x,
        [size, size],
        [size, size],
        [0, 0],
        [1, 1],
        false,
        grad,
        indices,
    )
    .x_grad
}

/// Burn's dropout; the mask, already scaled, is what the backward pass multiplies by.
pub(crate) fn dropout_forward<B: Backend>(
    x: FloatTensor<B>,
    prob: f64,
) -> (FloatTensor<B>, FloatTensor<B>) {
    let mask = B::float_random(
        x.shape(),
        Distribution::Bernoulli(1.0 - prob),
        &x.device(),
        FloatDType::from(x.dtype()),
    );
    let mask = B::float_mul_scalar(mask, (1.0 / (1.0 - prob)).into());
    (B::float_mul(x, mask.clone()), mask)
}

pub(crate) fn dropout_backward<B: Backend>(
    mask: FloatTensor<B>,
    grad: FloatTensor<B>,
) -> FloatTensor<B> {
    B::float_mul(grad, mask)
}

pub(crate) fn linear_forward<B: Backend>(
    x: FloatTensor<B>,
    weight: FloatTensor<B>,
    bias: FloatTensor<B>,
) -> FloatTensor<B> {
    B::linear(x, weight, Some(bias))
}

pub(crate) fn linear_backward<B: Backend>(
    x: FloatTensor<B>,
    weight: FloatTensor<B>,
    grad: FloatTensor<B>,
    want_x: bool,
) -> Grads<B> {
    let x_grad = want_x.then(|| B::linear_x_backward(weight, grad.clone()));
    let weight_grad = B::linear_weight_backward(x, grad.clone());
    (x_grad, weight_grad, B::linear_bias_backward(grad))
}

/// Backends that run Burn's own operations for everything.
macro_rules! burn_ops_backend {
    ($($backend:ty),*) => {$(
        impl CnnKernels for $backend {
            type PoolIndices = IntTensor<Self>;
            type DropoutMask = FloatTensor<Self>;

            fn conv_forward(
                x: FloatTensor<Self>,
                weight: FloatTensor<Self>,
                bias: FloatTensor<Self>,
            ) -> FloatTensor<Self> {
                conv_forward::<Self>(x, weight, bias)
            }

            fn conv_backward(saved: Saved<Self>, grad: FloatTensor<Self>, want_x: bool) -> Grads<Self> {
                conv_backward::<Self>(saved, grad, want_x)
            }

            fn pool_forward(x: FloatTensor<Self>, size: usize) -> (FloatTensor<Self>, IntTensor<Self>) {
                pool_forward::<Self>(x, size)
            }

            fn pool_backward(
                x: FloatTensor<Self>,
                size: usize,
                indices: IntTensor<Self>,
                grad: FloatTensor<Self>,
            ) -> FloatTensor<Self> {
                pool_backward::<Self>(x, size, indices, grad)
            }

            fn dropout_forward(x: FloatTensor<Self>, prob: f64) -> (FloatTensor<Self>, FloatTensor<Self>) {
                dropout_forward::<Self>(x, prob)
            }

            fn dropout_backward(mask: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self> {
                dropout_backward::<Self>(mask, grad)
            }

            fn linear_forward(
                x: FloatTensor<Self>,
                weight: FloatTensor<Self>,
                bias: FloatTensor<Self>,
            ) -> FloatTensor<Self> {
                linear_forward::<Self>(x, weight, bias)
            }

            fn linear_backward(
                x: FloatTensor<Self>,
                weight: FloatTensor<Self>,
                grad: FloatTensor<Self>,
                want_x: bool,
            ) -> Grads<Self> {
                linear_backward::<Self>(x, weight, grad, want_x)
            }
        }
    )*};
}

burn_ops_backend!(Cube);
