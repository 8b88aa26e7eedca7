//! [`CnnKernels`] for flex: f32 tensors go through the kernels of `conv`, `pool` and `dropout`;
//! other float types, and pooling windows too large for the kernel, take Burn's ops.

use std::borrow::Cow;
use std::sync::Arc;

use burn::backend::tensor::IntTensor;
use burn::backend::{Flex, TensorMetadata};
use burn::tensor::{DType, Distribution, IntDType, Shape, TensorData};
use burn_flex::{FlexDevice, FlexTensor};

use crate::backend::{CnnKernels, Grads, Saved};
use crate::conv::{self, ConvShape};
use crate::pool::{self, PoolShape};
use crate::{dropout, fallback};

/// What flex pooling remembers: window offsets from the kernel here, or Burn's indices where
/// the kernel does not apply (other float types, windows over `pool::MAX_SIZE`).
#[derive(Clone, Debug)]
pub(crate) enum FlexPoolIndices {
    Window(Arc<Vec<u8>>),
    Burn(IntTensor<Flex>),
}

/// What flex dropout remembers: the seed of a hashed mask, or Burn's mask for the float types the
/// kernel does not take.
#[derive(Clone, Debug)]
pub(crate) enum FlexDropoutMask {
    Hashed { seed: u64, prob: f64 },
    Burn(FlexTensor),
}

/// The shapes of a flex convolution, when its tensors are f32.
fn conv_shape(x: &FlexTensor, weight: &FlexTensor, other: &FlexTensor) -> Option<ConvShape> {
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

/// The shapes of a flex pooling, when the kernel takes it: f32, and window offsets that fit
/// its byte.
fn pool_shape(x: &FlexTensor, size: usize) -> Option<PoolShape> {
    let xs = x.shape();
    let fits = x.dtype() == DType::F32 && xs.num_dims() == 4 && size <= pool::MAX_SIZE;
    fits.then(|| PoolShape {
        planes: xs[0] * xs[1],
        height: xs[2],
        width: xs[3],
        size,
    })
}

/// The f32 values of a flex tensor in row-major order (copied only when strided).
fn f32_values(t: &FlexTensor) -> Cow<'_, [f32]> {
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

/// One 64-bit seed from flex's seeded generator, so a seeded run draws the same masks.
fn seed() -> u64 {
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

    fn conv_forward(x: FlexTensor, weight: FlexTensor, bias: FlexTensor) -> FlexTensor {
        let Some(s) = conv_shape(&x, &weight, &bias) else {
            return fallback::conv_forward::<Self>(x, weight, bias);
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
        let Some(s) = conv_shape(&saved.x, &saved.weight, &grad) else {
            return fallback::conv_backward::<Self>(saved, grad, want_x);
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
        let Some(s) = pool_shape(&x, size) else {
            let (y, indices) = fallback::pool_forward::<Self>(x, size);
            return (y, FlexPoolIndices::Burn(indices));
        };
        let (y, arg) = pool::forward(&s, &f32_values(&x));
        let xs = x.shape();
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
                fallback::pool_backward::<Self>(x, size, indices, grad)
            }
            FlexPoolIndices::Window(arg) => {
                let s = pool_shape(&x, size).expect("the forward pass took the kernel");
                flex_tensor(
                    pool::backward(&s, &arg, &f32_values(&grad)),
                    x.shape().to_vec(),
                )
            }
        }
    }

    fn dropout_forward(x: FlexTensor, prob: f64) -> (FlexTensor, FlexDropoutMask) {
        if x.dtype() != DType::F32 {
            let (y, mask) = fallback::dropout_forward::<Self>(x, prob);
            return (y, FlexDropoutMask::Burn(mask));
        }
        let seed = seed();
        let y = dropout::apply(&f32_values(&x), prob, seed);
        (
            flex_tensor(y, x.shape().to_vec()),
            FlexDropoutMask::Hashed { seed, prob },
        )
    }

    fn dropout_backward(mask: FlexDropoutMask, grad: FlexTensor) -> FlexTensor {
        match mask {
            FlexDropoutMask::Burn(mask) => fallback::dropout_backward::<Self>(mask, grad),
            // The derivative of `x · m` is `m`: the same mask applied to the gradient.
            FlexDropoutMask::Hashed { seed, prob } => flex_tensor(
                dropout::apply(&f32_values(&grad), prob, seed),
                grad.shape().to_vec(),
            ),
        }
    }
}
