//! The public functions: argument checks with messages that name the problem, then the backend
//! extension. Checking here, before dispatch, gives every backend the same rules and messages.

use burn::backend::Dispatch;
use burn::tensor::Tensor;

use crate::backend::CnnOps;

/// `relu(conv2d(x, weight) + bias)` with stride 1 and no padding.
///
/// `x` is `[batch, in_channels, height, width]`, `weight` `[out_channels, in_channels, kh, kw]`,
/// `bias` `[out_channels]`; the result is `[batch, out_channels, height − kh + 1, width − kw + 1]`.
pub fn conv2d_relu(x: Tensor<4>, weight: Tensor<4>, bias: Tensor<1>) -> Tensor<4> {
    check_conv("conv2d_relu", &x, &weight, &bias);
    let y = <Dispatch as CnnOps>::conv2d_relu(
        x.into_dispatch(),
        weight.into_dispatch(),
        bias.into_dispatch(),
    );
    Tensor::from_dispatch(y)
}

/// `max_pool2d(conv2d_relu(x, weight, bias), size)`, the same values and gradients, as one call.
///
/// With autodiff it is exactly those two operations. Without (evaluation, inference), flex and
/// ndarray pool each image's convolution output while it is still in the core's cache, so the
/// full-size output is never written to memory and read back.
pub fn conv2d_relu_pool(
    x: Tensor<4>,
    weight: Tensor<4>,
    bias: Tensor<1>,
    size: usize,
) -> Tensor<4> {
    check_conv("conv2d_relu_pool", &x, &weight, &bias);
    let [_, _, height, width] = x.dims();
    let [_, _, kh, kw] = weight.dims();
    check_pool("conv2d_relu_pool", [height - kh + 1, width - kw + 1], size);
    let y = <Dispatch as CnnOps>::conv2d_relu_pool(
        x.into_dispatch(),
        weight.into_dispatch(),
        bias.into_dispatch(),
        size,
    );
    Tensor::from_dispatch(y)
}

/// A linear layer, `x·weight + bias`, with Burn's layout: `x` is `[rows, d_in]`, `weight`
/// `[d_in, d_out]` (as `burn::nn::Linear` stores it), `bias` `[d_out]`.
///
/// The same values and gradients as Burn's `linear`: on flex the same bits (the same matrix
/// multiplies burn-flex runs), and ndarray runs them too instead of its own, slower multiply.
/// Every other backend runs Burn's `linear`.
pub fn linear(x: Tensor<2>, weight: Tensor<2>, bias: Tensor<1>) -> Tensor<2> {
    let [_, d_in] = x.dims();
    let [w_in, d_out] = weight.dims();
    assert_eq!(
        d_in, w_in,
        "linear: input has {d_in} features, weight expects {w_in}"
    );
    assert_eq!(
        bias.dims(),
        [d_out],
        "linear: bias must have one value per output feature"
    );
    let y = <Dispatch as CnnOps>::linear(
        x.into_dispatch(),
        weight.into_dispatch(),
        bias.into_dispatch(),
    );
    Tensor::from_dispatch(y)
}

fn check_conv(op: &str, x: &Tensor<4>, weight: &Tensor<4>, bias: &Tensor<1>) {
    let [_, in_channels, height, width] = x.dims();
    let [out_channels, w_in, kh, kw] = weight.dims();
    assert_eq!(
        in_channels, w_in,
        "{op}: input has {in_channels} channels, weight expects {w_in}"
    );
    assert_eq!(
        bias.dims(),
        [out_channels],
        "{op}: bias must have one value per output channel"
    );
    assert!(
        height >= kh && width >= kw,
        "{op}: image {height}×{width} smaller than kernel {kh}×{kw}"
    );
}

fn check_pool(op: &str, [height, width]: [usize; 2], size: usize) {
    assert!(
        size >= 1 && size <= height && size <= width,
        "{op}: window {size} must be at least 1 and fit the {height}×{width} image"
    );
}

/// Max pooling over `size × size` windows with stride `size` and no padding (`MaxPool2d` with
/// kernel = stride, PyTorch's `max_pool2d(x, size)`): `[b, c, h, w]` → `[b, c, h / size, w / size]`.
///
/// Any window from 1 up to the whole image (global max pooling) works; on flex and ndarray,
/// windows larger than 16 run Burn's pooling, since the kernel here keeps each winner's offset in
/// a byte.
pub fn max_pool2d(x: Tensor<4>, size: usize) -> Tensor<4> {
    let [_, _, height, width] = x.dims();
    check_pool("max_pool2d", [height, width], size);
    Tensor::from_dispatch(<Dispatch as CnnOps>::max_pool2d(x.into_dispatch(), size))
}

/// Inverted dropout: each element is zeroed with probability `prob` and the rest are scaled by
/// `1 / (1 − prob)`, as Burn's `Dropout` does while training. It always applies; a model skips it
/// outside training (see `Dropout::forward` for Burn's rule). The mask comes from the device's
/// seeded generator, so a seeded run draws the same masks every time.
pub fn dropout<const D: usize>(x: Tensor<D>, prob: f64) -> Tensor<D> {
    assert!(
        (0.0..1.0).contains(&prob),
        "dropout: probability {prob} must be in [0, 1)"
    );
    Tensor::from_dispatch(<Dispatch as CnnOps>::dropout(x.into_dispatch(), prob))
}
