//! `relu(conv2d(x, w) + b)` as one differentiable Burn operation.
//!
//! On Burn's `flex` CPU backend (f32) it runs the kernels of [`kernel`]: per image one unrolled
//! matrix and one matrix multiply for the output, the weight gradient and the input gradient,
//! with no full-tensor transposes. On every other backend (ndarray, wgpu and the other CubeCL
//! runtimes) and for other float types it is Burn's own `conv2d` followed by `relu`, so a model
//! written with it runs everywhere.
//!
//! The convolution is the plain one: stride 1, no padding, dilation 1, one group.
//!
//! ```
//! use burn::tensor::{Device, Tensor};
//! let device = Device::flex().autodiff();
//! let x = Tensor::<4>::ones([2, 1, 6, 6], &device);
//! let w = Tensor::<4>::ones([3, 1, 3, 3], &device).require_grad();
//! let b = Tensor::<1>::zeros([3], &device);
//! let y = fastconv::conv2d_relu(x, w.clone(), b);
//! assert_eq!(y.dims(), [2, 3, 4, 4]);
//! let grads = y.sum().backward();
//! assert_eq!(w.grad(&grads).unwrap().dims(), [3, 1, 3, 3]);
//! ```

// ndarray is deprecated upstream but still one of the backends the experiments offer.
#![allow(deprecated)]

pub mod kernel;

use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::ops::{ActivationOps, ConvOptions, ModuleOps};
use burn::backend::tensor::FloatTensor;
use burn::backend::{
    Autodiff, Backend, Cube, Dispatch, Flex, NdArray, TensorMetadata, backend_extension,
};
use burn::tensor::{DType, Tensor, TensorData};
use burn_flex::FlexTensor;

use kernel::ConvShape;

/// `relu(conv2d(x, weight) + bias)` with stride 1 and no padding.
///
/// `x` is `[batch, in_channels, height, width]`, `weight` `[out_channels, in_channels, kh, kw]`,
/// `bias` `[out_channels]`; the result is `[batch, out_channels, height − kh + 1, width − kw + 1]`.
pub fn conv2d_relu(x: Tensor<4>, weight: Tensor<4>, bias: Tensor<1>) -> Tensor<4> {
    let [_, in_channels, height, width] = x.dims();
    let [_, w_in, kh, kw] = weight.dims();
    assert_eq!(
        in_channels, w_in,
        "conv2d_relu: input has {in_channels} channels, weight expects {w_in}"
    );
    assert!(
        height >= kh && width >= kw,
        "conv2d_relu: image {height}×{width} smaller than kernel {kh}×{kw}"
    );
    let y = <Dispatch as ConvRelu>::conv2d_relu(
        x.into_dispatch(),
        weight.into_dispatch(),
        bias.into_dispatch(),
    );
    Tensor::from_dispatch(y)
}

/// The backend extension behind [`conv2d_relu`].
#[backend_extension(Flex, NdArray, Cube, Autodiff)]
pub trait ConvRelu: Backend {
    fn conv2d_relu(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self>;
}

/// What a backend computes for [`ConvRelu`]: the forward pass, and the gradients given the
/// saved input, weight, bias and output.
pub trait ConvReluKernels: Backend {
    fn forward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        Self::relu(Self::conv2d(x, weight, Some(bias), options()))
    }

    /// Gradients of (x when `want_x`, weight, bias).
    fn backward(
        saved: Saved<Self>,
        grad: FloatTensor<Self>,
        want_x: bool,
    ) -> (
        Option<FloatTensor<Self>>,
        FloatTensor<Self>,
        FloatTensor<Self>,
    ) {
        default_backward::<Self>(saved, grad, want_x)
    }
}

/// The tensors the backward pass reads.
#[derive(Debug, Clone)]
pub struct Saved<B: Backend> {
    pub x: FloatTensor<B>,
    pub weight: FloatTensor<B>,
    pub bias: FloatTensor<B>,
    pub output: FloatTensor<B>,
}

fn options() -> ConvOptions<2> {
    ConvOptions::new([1, 1], [0, 0], [1, 1], 1)
}

impl ConvReluKernels for NdArray {}
impl ConvReluKernels for Cube {}

impl ConvRelu for NdArray {
    fn conv2d_relu(
        x: FloatTensor<Self>,
        w: FloatTensor<Self>,
        b: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        <Self as ConvReluKernels>::forward(x, w, b)
    }
}

impl ConvRelu for Cube {
    fn conv2d_relu(
        x: FloatTensor<Self>,
        w: FloatTensor<Self>,
        b: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        <Self as ConvReluKernels>::forward(x, w, b)
    }
}

impl ConvRelu for Flex {
    fn conv2d_relu(
        x: FloatTensor<Self>,
        w: FloatTensor<Self>,
        b: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        <Self as ConvReluKernels>::forward(x, w, b)
    }
}

/// The shapes of a flex call, when all three tensors are f32.
fn flex_shape(x: &FlexTensor, weight: &FlexTensor) -> Option<ConvShape> {
    let all_f32 = x.dtype() == DType::F32 && weight.dtype() == DType::F32;
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

impl ConvReluKernels for Flex {
    fn forward(x: FlexTensor, weight: FlexTensor, bias: FlexTensor) -> FlexTensor {
        let Some(s) = flex_shape(&x, &weight).filter(|_| bias.dtype() == DType::F32) else {
            return Self::relu(Self::conv2d(x, weight, Some(bias), options()));
        };
        let y = kernel::forward(
            &s,
            &f32_values(&x),
            &f32_values(&weight),
            &f32_values(&bias),
        );
        flex_tensor(y, vec![s.batch, s.out_channels, s.out_h(), s.out_w()])
    }

    fn backward(
        saved: Saved<Self>,
        grad: FlexTensor,
        want_x: bool,
    ) -> (Option<FlexTensor>, FlexTensor, FlexTensor) {
        let Some(s) = flex_shape(&saved.x, &saved.weight).filter(|_| grad.dtype() == DType::F32)
        else {
            return default_backward::<Self>(saved, grad, want_x);
        };
        let g = kernel::backward(
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
}

/// Burn's composed gradients, for the cases the flex kernel does not take.
fn default_backward<B: Backend>(
    saved: Saved<B>,
    grad: FloatTensor<B>,
    want_x: bool,
) -> (Option<FloatTensor<B>>, FloatTensor<B>, FloatTensor<B>) {
    let grad = B::relu_backward(saved.output, grad);
    let x_grad = want_x.then(|| {
        B::conv2d_x_backward(
            saved.x.clone(),
            saved.weight.clone(),
            grad.clone(),
            options(),
        )
    });
    let weight_grad =
        B::conv2d_weight_backward(saved.x.clone(), saved.weight, grad.clone(), options());
    let bias_grad = B::conv2d_bias_backward(saved.x, saved.bias, grad);
    (x_grad, weight_grad, bias_grad)
}

#[derive(Debug)]
struct ConvReluBackward;

impl<B: ConvReluKernels> Backward<B, 3> for ConvReluBackward {
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
        let (x_grad, weight_grad, bias_grad) = B::backward(saved, grad, node_x.is_some());
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

impl<B: ConvReluKernels, C: CheckpointStrategy> ConvRelu for Autodiff<B, C> {
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
                let output = B::forward(
                    x.into_primitive(),
                    weight.into_primitive(),
                    bias.into_primitive(),
                );
                prep.finish((state_x, state_w, state_b, output.clone()), output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::forward(
                x.into_primitive(),
                weight.into_primitive(),
                bias.into_primitive(),
            )),
        }
    }
}
