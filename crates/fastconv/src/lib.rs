//! The layers of small image CNNs as differentiable Burn operations: `relu(conv2d(x, w) + b)`,
//! non-overlapping max pooling and dropout.
//!
//! On Burn's `flex` CPU backend (f32) they run the kernels of [`conv`], [`pool`] and
//! [`dropout`](mod@dropout): per image one unrolled matrix and one matrix multiply for the
//! output, the weight gradient and the input gradient, with no full-tensor transposes; pooling
//! that remembers each window's winner in a byte; dropout masks hashed from a seed and the
//! position. On every other backend (ndarray, wgpu and the other CubeCL runtimes) and for other
//! float types they are Burn's own `conv2d` + `relu`, `max_pool2d` and dropout, so a model
//! written with them runs everywhere.
//!
//! The convolution is the plain one: stride 1, no padding, dilation 1, one group.
//!
//! ```
//! use burn::tensor::{Device, Tensor};
//! let device = Device::flex().autodiff();
//! let x = Tensor::<4>::ones([2, 1, 6, 6], &device);
//! let w = Tensor::<4>::ones([3, 1, 3, 3], &device).require_grad();
//! let b = Tensor::<1>::zeros([3], &device);
//! let y = fastconv::max_pool2d(fastconv::conv2d_relu(x, w.clone(), b), 2);
//! assert_eq!(y.dims(), [2, 3, 2, 2]);
//! let grads = y.sum().backward();
//! assert_eq!(w.grad(&grads).unwrap().dims(), [3, 1, 3, 3]);
//! ```

// ndarray is deprecated upstream but still one of the backends the experiments offer.
#![allow(deprecated)]

pub mod conv;
pub mod dropout;
pub mod pool;

use std::sync::Arc;

use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::ops::ConvOptions;
use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::backend::{
    Autodiff, Backend, Cube, Dispatch, Flex, NdArray, TensorMetadata, backend_extension,
    get_or_init_device_settings,
};
use burn::tensor::{DType, Distribution, FloatDType, IntDType, Shape, Tensor, TensorData};
use burn_flex::{FlexDevice, FlexTensor};

use conv::ConvShape;
use pool::PoolShape;

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
pub fn max_pool2d(x: Tensor<4>, size: usize) -> Tensor<4> {
    let [_, _, height, width] = x.dims();
    assert!(
        (1..=pool::MAX_SIZE).contains(&size) && size <= height && size <= width,
        "max_pool2d: window {size} must be in 1..={} and fit the {height}×{width} image",
        pool::MAX_SIZE
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

/// The backend extension behind [`conv2d_relu`], [`max_pool2d`] and [`dropout`].
#[backend_extension(Flex, NdArray, Cube, Autodiff)]
pub trait CnnOps: Backend {
    fn conv2d_relu(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self>;

    fn max_pool2d(x: FloatTensor<Self>, size: usize) -> FloatTensor<Self>;

    fn dropout(x: FloatTensor<Self>, prob: f64) -> FloatTensor<Self>;
}

/// What a backend computes for [`CnnOps`], forward and backward.
pub trait CnnKernels: Backend {
    /// What pooling remembers for its backward pass.
    type PoolIndices: Clone + Send + Sync + std::fmt::Debug + 'static;

    fn conv_forward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self>;

    /// Gradients of (x when `want_x`, weight, bias).
    fn conv_backward(saved: Saved<Self>, grad: FloatTensor<Self>, want_x: bool) -> Grads<Self>;

    fn pool_forward(x: FloatTensor<Self>, size: usize) -> (FloatTensor<Self>, Self::PoolIndices);

    fn pool_backward(
        x: FloatTensor<Self>,
        size: usize,
        indices: Self::PoolIndices,
        grad: FloatTensor<Self>,
    ) -> FloatTensor<Self>;

    /// What dropout remembers for its backward pass.
    type DropoutMask: Clone + Send + Sync + std::fmt::Debug + 'static;

    fn dropout_forward(x: FloatTensor<Self>, prob: f64) -> (FloatTensor<Self>, Self::DropoutMask);

    fn dropout_backward(mask: Self::DropoutMask, grad: FloatTensor<Self>) -> FloatTensor<Self>;
}

/// The tensors the convolution's backward pass reads.
#[derive(Debug, Clone)]
pub struct Saved<B: Backend> {
    pub x: FloatTensor<B>,
    pub weight: FloatTensor<B>,
    pub bias: FloatTensor<B>,
    pub output: FloatTensor<B>,
}

/// Gradients of the input (when asked for), weight and bias.
pub type Grads<B> = (Option<FloatTensor<B>>, FloatTensor<B>, FloatTensor<B>);

fn conv_options() -> ConvOptions<2> {
    ConvOptions::new([1, 1], [0, 0], [1, 1], 1)
}

/// Burn's own operations, for every backend without a kernel here.
mod composed {
    use super::*;

    pub fn conv_forward<B: Backend>(
        x: FloatTensor<B>,
        weight: FloatTensor<B>,
        bias: FloatTensor<B>,
    ) -> FloatTensor<B> {
        B::relu(B::conv2d(x, weight, Some(bias), conv_options()))
    }

    pub fn conv_backward<B: Backend>(
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

    pub fn pool_forward<B: Backend>(
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

    pub fn pool_backward<B: Backend>(
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
    pub fn dropout_forward<B: Backend>(
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

    pub fn dropout_backward<B: Backend>(
        mask: FloatTensor<B>,
        grad: FloatTensor<B>,
    ) -> FloatTensor<B> {
        B::float_mul(grad, mask)
    }
}

/// Backends that run Burn's own operations.
macro_rules! composed_backend {
    ($($backend:ty),*) => {$(
        impl CnnKernels for $backend {
            type PoolIndices = IntTensor<Self>;

            fn conv_forward(
                x: FloatTensor<Self>,
                weight: FloatTensor<Self>,
                bias: FloatTensor<Self>,
            ) -> FloatTensor<Self> {
                composed::conv_forward::<Self>(x, weight, bias)
            }

            fn conv_backward(saved: Saved<Self>, grad: FloatTensor<Self>, want_x: bool) -> Grads<Self> {
                composed::conv_backward::<Self>(saved, grad, want_x)
            }

            fn pool_forward(x: FloatTensor<Self>, size: usize) -> (FloatTensor<Self>, IntTensor<Self>) {
                composed::pool_forward::<Self>(x, size)
            }

            fn pool_backward(
                x: FloatTensor<Self>,
                size: usize,
                indices: IntTensor<Self>,
                grad: FloatTensor<Self>,
            ) -> FloatTensor<Self> {
                composed::pool_backward::<Self>(x, size, indices, grad)
            }

            type DropoutMask = FloatTensor<Self>;

            fn dropout_forward(x: FloatTensor<Self>, prob: f64) -> (FloatTensor<Self>, FloatTensor<Self>) {
                composed::dropout_forward::<Self>(x, prob)
            }

            fn dropout_backward(mask: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self> {
                composed::dropout_backward::<Self>(mask, grad)
            }
        }
    )*};
}

composed_backend!(NdArray, Cube);

/// Concrete backends run their kernels' forward passes; autodiff adds the backward below.
macro_rules! forward_ops {
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

            fn dropout(x: FloatTensor<Self>, prob: f64) -> FloatTensor<Self> {
                Self::dropout_forward(x, prob).0
            }
        }
    )*};
}

forward_ops!(NdArray, Cube, Flex);

/// The shapes of a flex convolution, when its tensors are f32.
fn flex_conv_shape(x: &FlexTensor, weight: &FlexTensor, other: &FlexTensor) -> Option<ConvShape> {
    let all_f32 = [x, weight, other].iter().all(|t| t.dtype() == DType::F32);
    let (xs, ws) = (x.shape(), weight.shape());
    (all_f32 && xs.num_dims() == 4 && ws.num_dims() == 4).then(|| ConvShape {
        batch: xs[0],
        in_channels: xs[1],
        height: xs[2],
        width: xs[3],
        out_channels: ws[0],
        kernel_h: ws[2],
        kernel_w: ws[3],
    })
}

/// The f32 values of a flex tensor in row-major order (copied only when strided).
fn f32_values(t: &FlexTensor) -> std::borrow::Cow<'_, [f32]> {
    match t.as_slice::<f32>() {
        Some(values) => values.into(),
        None => t
            .to_contiguous()
            .as_slice::<f32>()
            .expect("contiguous f32")
            .to_vec()
            .into(),
    }
}

fn flex_tensor(values: Vec<f32>, shape: Vec<usize>) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape))
}

/// What flex pooling remembers: window offsets from the kernel here, or Burn's indices for the
/// float types the kernel does not take.
#[derive(Clone, Debug)]
pub enum FlexPoolIndices {
    Window(Arc<Vec<u8>>),
    Burn(IntTensor<Flex>),
}

/// What flex dropout remembers: the seed of a hashed mask, or Burn's mask for the float types the
/// kernel does not take.
#[derive(Clone, Debug)]
pub enum FlexDropoutMask {
    Hashed { seed: u64, prob: f64 },
    Burn(FlexTensor),
}

/// One 64-bit seed from flex's seeded generator.
fn flex_seed() -> u64 {
    use burn::backend::ops::IntTensorOps;
    let draws = Flex::int_random(
        Shape::new([2]),
        Distribution::Uniform(0.0, 4_294_967_296.0),
        &FlexDevice,
        IntDType::I64,
    );
    let draws = draws.as_slice::<i64>().expect("contiguous i64");
    ((draws[0] as u64) << 32) ^ draws[1] as u64
}

impl CnnKernels for Flex {
    type PoolIndices = FlexPoolIndices;
    type DropoutMask = FlexDropoutMask;

    fn dropout_forward(x: FlexTensor, prob: f64) -> (FlexTensor, FlexDropoutMask) {
        if x.dtype() != DType::F32 {
            let (y, mask) = composed::dropout_forward::<Self>(x, prob);
            return (y, FlexDropoutMask::Burn(mask));
        }
        let seed = flex_seed();
        let y = dropout::apply(&f32_values(&x), prob, seed);
        (
            flex_tensor(y, x.shape().to_vec()),
            FlexDropoutMask::Hashed { seed, prob },
        )
    }

    fn dropout_backward(mask: FlexDropoutMask, grad: FlexTensor) -> FlexTensor {
        match mask {
            FlexDropoutMask::Burn(mask) => composed::dropout_backward::<Self>(mask, grad),
            // The derivative of `x · m` is `m`: the same mask applied to the gradient.
            FlexDropoutMask::Hashed { seed, prob } => flex_tensor(
                dropout::apply(&f32_values(&grad), prob, seed),
                grad.shape().to_vec(),
            ),
        }
    }

    fn conv_forward(x: FlexTensor, weight: FlexTensor, bias: FlexTensor) -> FlexTensor {
        let Some(s) = flex_conv_shape(&x, &weight, &bias) else {
            return composed::conv_forward::<Self>(x, weight, bias);
        };
        let y = conv::forward(
            &s,
            &f32_values(&x),
            &f32_values(&weight),
            &f32_values(&bias),
        );
        flex_tensor(y, vec![s.batch, s.out_channels, s.out_h(), s.out_w()])
    }

    fn conv_backward(saved: Saved<Self>, grad: FlexTensor, want_x: bool) -> Grads<Self> {
        let Some(s) = flex_conv_shape(&saved.x, &saved.weight, &grad) else {
            return composed::conv_backward::<Self>(saved, grad, want_x);
        };
        let g = conv::backward(
            &s,
            &f32_values(&saved.x),
            &f32_values(&saved.weight),
            &f32_values(&saved.output),
            &f32_values(&grad),
            want_x,
        );
        (
            g.x.map(|dx| flex_tensor(dx, saved.x.shape().to_vec())),
            flex_tensor(g.weight, saved.weight.shape().to_vec()),
            flex_tensor(g.bias, vec![s.out_channels]),
        )
    }

    fn pool_forward(x: FlexTensor, size: usize) -> (FlexTensor, FlexPoolIndices) {
        let xs = x.shape();
        if x.dtype() != DType::F32 || xs.num_dims() != 4 {
            let (y, indices) = composed::pool_forward::<Self>(x, size);
            return (y, FlexPoolIndices::Burn(indices));
        }
        let s = PoolShape {
            planes: xs[0] * xs[1],
            height: xs[2],
            width: xs[3],
            size,
        };
        let (y, arg) = pool::forward(&s, &f32_values(&x));
        (
            flex_tensor(y, vec![xs[0], xs[1], s.out_h(), s.out_w()]),
            FlexPoolIndices::Window(Arc::new(arg)),
        )
    }

    fn pool_backward(
        x: FlexTensor,
        size: usize,
        indices: FlexPoolIndices,
        grad: FlexTensor,
    ) -> FlexTensor {
        match indices {
            FlexPoolIndices::Burn(indices) => {
                composed::pool_backward::<Self>(x, size, indices, grad)
            }
            FlexPoolIndices::Window(arg) => {
                let xs = x.shape();
                let s = PoolShape {
                    planes: xs[0] * xs[1],
                    height: xs[2],
                    width: xs[3],
                    size,
                };
                flex_tensor(pool::backward(&s, &arg, &f32_values(&grad)), xs.to_vec())
            }
        }
    }
}

#[derive(Debug)]
struct ConvReluBackward;

impl<B: CnnKernels> Backward<B, 3> for ConvReluBackward {
    /// Input, weight and bias as checkpointed nodes; the output itself.
    type State = (NodeId, NodeId, NodeId, FloatTensor<B>);

    fn backward(
        self,
        ops: Ops<Self::State, 3>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node_x, node_weight, node_bias] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (x, weight, bias, output) = ops.state;
        let saved = Saved {
            x: checkpointer.retrieve_node_output::<FloatTensor<B>>(x),
            weight: checkpointer.retrieve_node_output::<FloatTensor<B>>(weight),
            bias: checkpointer.retrieve_node_output::<FloatTensor<B>>(bias),
            output,
        };
        let (x_grad, weight_grad, bias_grad) = B::conv_backward(saved, grad, node_x.is_some());
        if let (Some(node), Some(g)) = (node_x, x_grad) {
            grads.register::<B>(node.id, g);
        }
        if let Some(node) = node_weight {
            grads.register::<B>(node.id, weight_grad);
        }
        if let Some(node) = node_bias {
            grads.register::<B>(node.id, bias_grad);
        }
    }
}

#[derive(Debug)]
struct MaxPoolBackward;

impl<B: CnnKernels> Backward<B, 1> for MaxPoolBackward {
    /// The input as a checkpointed node, the window size and what the forward pass remembered.
    type State = (NodeId, usize, B::PoolIndices);

    fn backward(
        self,
        ops: Ops<Self::State, 1>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node_x] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (x, size, indices) = ops.state;
        let x = checkpointer.retrieve_node_output::<FloatTensor<B>>(x);
        if let Some(node) = node_x {
            grads.register::<B>(node.id, B::pool_backward(x, size, indices, grad));
        }
    }
}

#[derive(Debug)]
struct DropoutBackward;

impl<B: CnnKernels> Backward<B, 1> for DropoutBackward {
    type State = B::DropoutMask;

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        if let Some(node) = node_x {
            grads.register::<B>(node.id, B::dropout_backward(ops.state, grad));
        }
    }
}

impl<B: CnnKernels, C: CheckpointStrategy> CnnOps for Autodiff<B, C> {
    fn dropout(x: FloatTensor<Self>, prob: f64) -> FloatTensor<Self> {
        match DropoutBackward
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let (output, mask) = B::dropout_forward(x.into_primitive(), prob);
                prep.finish(mask, output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::dropout_forward(x.into_primitive(), prob).0),
        }
    }

    fn conv2d_relu(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        match ConvReluBackward
            .prepare::<C>([x.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let state_x = prep.checkpoint(&x);
                let state_w = prep.checkpoint(&weight);
                let state_b = prep.checkpoint(&bias);
                let output = B::conv_forward(
                    x.into_primitive(),
                    weight.into_primitive(),
                    bias.into_primitive(),
                );
                prep.finish((state_x, state_w, state_b, output.clone()), output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::conv_forward(
                x.into_primitive(),
                weight.into_primitive(),
                bias.into_primitive(),
            )),
        }
    }

    fn max_pool2d(x: FloatTensor<Self>, size: usize) -> FloatTensor<Self> {
        match MaxPoolBackward
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let state_x = prep.checkpoint(&x);
                let (output, indices) = B::pool_forward(x.into_primitive(), size);
                prep.finish((state_x, size, indices), output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::pool_forward(x.into_primitive(), size).0),
        }
    }
}
