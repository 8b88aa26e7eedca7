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
    let [_, in_channels, height, width] = x.dims();
    let [out_channels, w_in, kh, kw] = weight.dims();
    assert_eq!(
        in_channels, w_in,
        "conv2d_relu: input has {in_channels} channels, weight expects {w_in}"
    );
    assert_eq!(
        bias.dims(),
        [out_channels],
        "conv2d_relu: bias must have one value per output channel"
    );
    assert!(
        height >= kh && width >= kw,
        "conv2d_relu: image {height}×{width} smaller than kernel {kh}×{kw}"
    );
    let y = <Dispatch as CnnOps>::conv2d_relu(
        x.into_dispatch(),
        weight.into_dispatch(),
        bias.into_dispatch(),
    );
    Tensor::from_dispatch(y)
}

/// Max pooling over `size × size` windows with stride `size` and no padding (`MaxPool2d` with
/// kernel = stride, PyTorch's `max_pool2d(x, size)`): `[b, c, h, w]` → `[b, c, h / size, w / size]`.
///
/// Any window from 1 up to the whole image (global max pooling) works; on flex and ndarray,
/// windows larger than 16 run Burn's pooling, since the kernel here keeps each winner's offset in
/// a byte.
pub fn max_pool2d(x: Tensor<4>, size: usize) -> Tensor<4> {
    let [_, _, height, width] = x.dims();
    assert!(
        size >= 1 && size <= height && size <= width,
        "max_pool2d: window {size} must be at least 1 and fit the {height}×{width} image"
    );
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
