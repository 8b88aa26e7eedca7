//! The two traits every backend implements: [`CnnOps`], the Burn backend extension the public
//! functions dispatch to, and [`CnnKernels`], the forward and backward passes it is built from.
//!
//! Concrete backends run `CnnKernels`' forward passes directly (below); `Autodiff` wraps the same
//! forward passes in backward nodes (`autodiff`), so each backend writes its kernels once.

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Cube, Flex, NdArray, backend_extension};

/// The backend extension behind `conv2d_relu`, `max_pool2d`, `dropout` and `linear`: the macro routes a
/// `Dispatch` tensor to the implementation of the backend it holds.
#[backend_extension(Flex, NdArray, Cube, Autodiff)]
pub(crate) trait CnnOps: Backend {
    fn conv2d_relu(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self>;

    fn max_pool2d(x: FloatTensor<Self>, size: usize) -> FloatTensor<Self>;

    /// `max_pool2d(conv2d_relu(x, weight, bias), size)`: one operation, so that a backend
    /// without autodiff can pool each image's output while it is still in cache.
    fn conv2d_relu_pool(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        size: usize,
    ) -> FloatTensor<Self>;

    fn dropout(x: FloatTensor<Self>, prob: f64) -> FloatTensor<Self>;

    fn linear(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self>;
}

/// The backend extension behind [`FusedAdam`](crate::FusedAdam)'s fused step: only the backends
/// whose tensors are host memory; every other backend keeps Burn's `Adam`.
#[backend_extension(Flex, NdArray)]
pub(crate) trait AdamOps: Backend {
    /// The first step: the moments start from the gradient. Returns the parameter, first and
    /// second moments.
    fn adam_first(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        beta_1: f32,
        beta_2: f32,
        epsilon: f32,
        lr: f32,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);

    /// Step `time` (from 2) with the previous moments.
    #[allow(clippy::too_many_arguments)]
    fn adam_next(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        moment_1: FloatTensor<Self>,
        moment_2: FloatTensor<Self>,
        beta_1: f32,
        beta_2: f32,
        time: i32,
        epsilon: f32,
        lr: f32,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
}

/// What a backend computes for [`CnnOps`], forward and backward.
pub(crate) trait CnnKernels: Backend {
    /// What pooling remembers for its backward pass.
    type PoolIndices: Clone + Send + Sync + std::fmt::Debug + 'static;

    /// What dropout remembers for its backward pass.
    type DropoutMask: Clone + Send + Sync + std::fmt::Debug + 'static;

    /// `relu(conv2d(x, weight) + bias)`, stride 1, no padding.
    fn conv_forward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self>;

    /// `max_pool(relu(conv2d(x, weight) + bias), size)` without a backward pass: by default
    /// the two forward passes one after the other.
    fn conv_pool_forward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        size: usize,
    ) -> FloatTensor<Self> {
        Self::pool_forward(Self::conv_forward(x, weight, bias), size).0
    }

    /// Gradients of (x when `want_x`, weight, bias).
    fn conv_backward(saved: Saved<Self>, grad: FloatTensor<Self>, want_x: bool) -> Grads<Self>;

    /// Non-overlapping `size × size` max pooling, and what its backward pass needs.
    fn pool_forward(x: FloatTensor<Self>, size: usize) -> (FloatTensor<Self>, Self::PoolIndices);

    /// Each output's gradient routed to its window's winner.
    fn pool_backward(
        x: FloatTensor<Self>,
        size: usize,
        indices: Self::PoolIndices,
        grad: FloatTensor<Self>,
    ) -> FloatTensor<Self>;

    /// Inverted dropout, and the mask its backward pass applies again.
    fn dropout_forward(x: FloatTensor<Self>, prob: f64) -> (FloatTensor<Self>, Self::DropoutMask);

    /// The gradient through the forward pass's mask.
    fn dropout_backward(mask: Self::DropoutMask, grad: FloatTensor<Self>) -> FloatTensor<Self>;

    /// `x·weight + bias`, `x` being `[rows, d_in]` and `weight` `[d_in, d_out]` (Burn's layout).
    fn linear_forward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self>;

    /// Gradients of (x when `want_x`, weight, bias).
    fn linear_backward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        want_x: bool,
    ) -> Grads<Self>;
}

/// The tensors the convolution's backward pass reads.
#[derive(Debug, Clone)]
pub(crate) struct Saved<B: Backend> {
    pub(crate) x: FloatTensor<B>,
    pub(crate) weight: FloatTensor<B>,
    pub(crate) bias: FloatTensor<B>,
    /// The ReLU's output: where it is positive is where the gradient passes.
    pub(crate) output: FloatTensor<B>,
}

/// Gradients of the input (when asked for), weight and bias.
pub(crate) type Grads<B> = (Option<FloatTensor<B>>, FloatTensor<B>, FloatTensor<B>);

/// Without autodiff there is nothing to remember: run the forward pass, drop its saved state.
macro_rules! forward_only {
    ($($backend:ty),*) => {$(
        impl CnnOps for $backend {
            fn conv2d_relu(
                x: FloatTensor<Self>,
                weight: FloatTensor<Self>,
                bias: FloatTensor<Self>,
            ) -> FloatTensor<Self> {
                Self::conv_forward(x, weight, bias)
            }

            fn max_pool2d(x: FloatTensor<Self>, size: usize) -> FloatTensor<Self> {
                Self::pool_forward(x, size).0
            }

            fn conv2d_relu_pool(
                x: FloatTensor<Self>,
                weight: FloatTensor<Self>,
                bias: FloatTensor<Self>,
                size: usize,
            ) -> FloatTensor<Self> {
                Self::conv_pool_forward(x, weight, bias, size)
            }

            fn dropout(x: FloatTensor<Self>, prob: f64) -> FloatTensor<Self> {
                Self::dropout_forward(x, prob).0
            }

            fn linear(
                x: FloatTensor<Self>,
                weight: FloatTensor<Self>,
                bias: FloatTensor<Self>,
            ) -> FloatTensor<Self> {
                Self::linear_forward(x, weight, bias)
            }
        }
    )*};
}

forward_only!(NdArray, Cube, Flex);
