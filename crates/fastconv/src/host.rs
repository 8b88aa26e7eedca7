//! [`CnnKernels`] for the CPU backends whose tensors live in host memory (flex and ndarray): f32
//! tensors go through the kernels of `conv`, `pool` and `dropout`; other float types, and pooling
//! windows too large for the kernel, take Burn's ops.
//!
//! All the kernels need of a backend is [`Host`]: its f32 values as a slice, a tensor made from a
//! `Vec`, and a seed from its generator. The rest is written once for both.

use std::borrow::Cow;
use std::sync::Arc;

use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::backend::{Backend, Flex, NdArray, TensorMetadata};
use burn::tensor::{DType, Distribution, IntDType, Shape, TensorData};
use burn_flex::{FlexDevice, FlexTensor};
use burn_ndarray::NdArrayTensor;

use crate::adam::{self, AdamStep};
use crate::backend::{AdamOps, CnnKernels, Grads, Saved};
use crate::conv::{self, ConvShape};
use crate::conv_pool;
use crate::linear::{self, LinearShape};
use crate::pool::{self, PoolShape};
use crate::{dropout, fallback};

/// A backend whose float tensors are host memory the kernels can read and write.
pub(crate) trait Host: Backend {
    /// The values of an f32 tensor in row-major order (copied only when strided); `None` for
    /// other float types.
    fn f32_values(t: &FloatTensor<Self>) -> Option<Cow<'_, [f32]>>;

    /// An f32 tensor of `shape` holding `values` (row-major), without a copy.
    fn tensor(values: Vec<f32>, shape: Vec<usize>) -> FloatTensor<Self>;

    /// One 64-bit seed from the backend's seeded generator, so a seeded run draws the same
    /// dropout masks.
    fn mask_seed() -> u64;
}

/// Two draws of 32 bits from a backend's integer generator, as one 64-bit seed.
fn two_draws<B: Backend>(device: &B::Device) -> IntTensor<B> {
    B::int_random(
        Shape::new([2]),
        Distribution::Uniform(0.0, 4_294_967_296.0),
        device,
        IntDType::I64,
    )
}

fn join(draws: &[i64]) -> u64 {
    ((draws[0] as u64) << 32) ^ draws[1] as u64
}

impl Host for Flex {
    fn f32_values(t: &FlexTensor) -> Option<Cow<'_, [f32]>> {
        if t.dtype() != DType::F32 {
            return None;
        }
        Some(match t.as_slice::<f32>() {
            Some(values) => values.into(),
            None => t
                .to_contiguous()
                .as_slice::<f32>()
                .expect("contiguous f32")
                .to_vec()
                .into(),
        })
    }

    fn tensor(values: Vec<f32>, shape: Vec<usize>) -> FlexTensor {
        FlexTensor::from_data(TensorData::new(values, shape))
    }

    fn mask_seed() -> u64 {
        let draws = two_draws::<Self>(&FlexDevice);
        join(draws.as_slice::<i64>().expect("contiguous i64"))
    }
}

impl Host for NdArray {
    fn f32_values(t: &NdArrayTensor) -> Option<Cow<'_, [f32]>> {
        let NdArrayTensor::F32(storage) = t else {
            return None;
        };
        let view = storage.view();
        Some(match view.to_slice() {
            Some(values) => values.into(),
            None => view.iter().copied().collect::<Vec<f32>>().into(),
        })
    }

    fn tensor(values: Vec<f32>, shape: Vec<usize>) -> NdArrayTensor {
        NdArrayTensor::from_data(TensorData::new(values, shape))
    }

    fn mask_seed() -> u64 {
        let NdArrayTensor::I64(storage) = two_draws::<Self>(&Default::default()) else {
            unreachable!("int_random with IntDType::I64 gives i64")
        };
        let draws: Vec<i64> = storage.view().iter().copied().collect();
        join(&draws)
    }
}

/// What pooling remembers: window offsets from the kernel here, or Burn's indices where the
/// kernel does not apply (other float types, windows over `pool::MAX_SIZE`).
#[derive(Clone, Debug)]
pub(crate) enum HostPoolIndices<B: Backend> {
    Window(Arc<Vec<u8>>),
    Burn(IntTensor<B>),
}

/// What dropout remembers: the seed of a hashed mask, or Burn's mask for the float types the
/// kernel does not take.
#[derive(Clone, Debug)]
pub(crate) enum HostDropoutMask<B: Backend> {
    Hashed { seed: u64, prob: f64 },
    Burn(FloatTensor<B>),
}

/// The values of every tensor in `tensors`, when all of them are f32 (else the caller takes
/// Burn's ops).
fn all_f32<'a, B: Host, const N: usize>(
    tensors: [&'a FloatTensor<B>; N],
) -> Option<[Cow<'a, [f32]>; N]> {
    let values: Vec<Cow<'a, [f32]>> = tensors
        .into_iter()
        .map(B::f32_values)
        .collect::<Option<_>>()?;
    values.try_into().ok()
}

/// The shapes of a convolution of 4-d tensors.
fn conv_shape<B: Backend>(x: &FloatTensor<B>, weight: &FloatTensor<B>) -> Option<ConvShape> {
    let (xs, ws) = (x.shape(), weight.shape());
    (xs.num_dims() == 4 && ws.num_dims() == 4).then(|| ConvShape {
        batch: xs[0],
        in_channels: xs[1],
        height: xs[2],
        width: xs[3],
        out_channels: ws[0],
        kernel_h: ws[2],
        kernel_w: ws[3],
    })
}

/// The shapes of a pooling, when the kernel takes it: 4-d, and window offsets that fit its
/// byte.
fn pool_shape<B: Backend>(x: &FloatTensor<B>, size: usize) -> Option<PoolShape> {
    let xs = x.shape();
    let fits = xs.num_dims() == 4 && size <= pool::MAX_SIZE;
    fits.then(|| PoolShape {
        planes: xs[0] * xs[1],
        height: xs[2],
        width: xs[3],
        size,
    })
}

impl<B: Host> CnnKernels for B {
    type PoolIndices = HostPoolIndices<B>;
    type DropoutMask = HostDropoutMask<B>;

    fn conv_forward(
        x: FloatTensor<B>,
        weight: FloatTensor<B>,
        bias: FloatTensor<B>,
    ) -> FloatTensor<B> {
        let values = all_f32::<B, 3>([&x, &weight, &bias]);
        let (Some(s), Some([xv, wv, bv])) = (conv_shape::<B>(&x, &weight), values) else {
            return fallback::conv_forward::<B>(x, weight, bias);
        };
        let y = conv::forward(&s, &xv, &wv, &bv);
        B::tensor(y, vec![s.batch, s.out_channels, s.out_h(), s.out_w()])
    }

    fn conv_pool_forward(
        x: FloatTensor<B>,
        weight: FloatTensor<B>,
        bias: FloatTensor<B>,
        size: usize,
    ) -> FloatTensor<B> {
        // Where a kernel does not take it (other float types, windows over the pooling kernel's
        // largest): the two passes, as `max_pool2d(conv2d_relu(..))` runs them.
        let unfused = |x, weight, bias| B::pool_forward(B::conv_forward(x, weight, bias), size).0;
        if size > pool::MAX_SIZE {
            return unfused(x, weight, bias);
        }
        let values = all_f32::<B, 3>([&x, &weight, &bias]);
        let (Some(s), Some([xv, wv, bv])) = (conv_shape::<B>(&x, &weight), values) else {
            return unfused(x, weight, bias);
        };
        let y = conv_pool::forward(&s, &xv, &wv, &bv, size);
        let p = conv_pool::pool_shape(&s, size);
        B::tensor(y, vec![s.batch, s.out_channels, p.out_h(), p.out_w()])
    }

    fn conv_backward(saved: Saved<B>, grad: FloatTensor<B>, want_x: bool) -> Grads<B> {
        let values = all_f32::<B, 4>([&saved.x, &saved.weight, &saved.output, &grad]);
        let (Some(s), Some([x, weight, output, g])) =
            (conv_shape::<B>(&saved.x, &saved.weight), values)
        else {
            return fallback::conv_backward::<B>(saved, grad, want_x);
        };
        let g = conv::backward(&s, &x, &weight, &output, &g, want_x);
        (
            g.x.map(|dx| B::tensor(dx, saved.x.shape().to_vec())),
            B::tensor(g.weight, saved.weight.shape().to_vec()),
            B::tensor(g.bias, vec![s.out_channels]),
        )
    }

    fn pool_forward(x: FloatTensor<B>, size: usize) -> (FloatTensor<B>, HostPoolIndices<B>) {
        let (Some(s), Some(values)) = (pool_shape::<B>(&x, size), B::f32_values(&x)) else {
            let (y, indices) = fallback::pool_forward::<B>(x, size);
            return (y, HostPoolIndices::Burn(indices));
        };
        let (y, arg) = pool::forward(&s, &values);
        let xs = x.shape();
        (
            B::tensor(y, vec![xs[0], xs[1], s.out_h(), s.out_w()]),
            HostPoolIndices::Window(Arc::new(arg)),
        )
    }

    fn pool_backward(
        x: FloatTensor<B>,
        size: usize,
        indices: HostPoolIndices<B>,
        grad: FloatTensor<B>,
    ) -> FloatTensor<B> {
        match indices {
            HostPoolIndices::Burn(indices) => fallback::pool_backward::<B>(x, size, indices, grad),
            HostPoolIndices::Window(arg) => {
                let s = pool_shape::<B>(&x, size).expect("the forward pass took the kernel");
                let grad = B::f32_values(&grad).expect("the forward pass was f32");
                B::tensor(pool::backward(&s, &arg, &grad), x.shape().to_vec())
            }
        }
    }

    fn dropout_forward(x: FloatTensor<B>, prob: f64) -> (FloatTensor<B>, HostDropoutMask<B>) {
        let Some(values) = B::f32_values(&x) else {
            let (y, mask) = fallback::dropout_forward::<B>(x, prob);
            return (y, HostDropoutMask::Burn(mask));
        };
        let seed = B::mask_seed();
        let y = dropout::apply(&values, prob, seed);
        (
            B::tensor(y, x.shape().to_vec()),
            HostDropoutMask::Hashed { seed, prob },
        )
    }

    fn linear_forward(
        x: FloatTensor<B>,
        weight: FloatTensor<B>,
        bias: FloatTensor<B>,
    ) -> FloatTensor<B> {
        let values = all_f32::<B, 3>([&x, &weight, &bias]);
        let (Some(s), Some([xv, wv, bv])) = (linear_shape::<B>(&x, &weight), values) else {
            return fallback::linear_forward::<B>(x, weight, bias);
        };
        B::tensor(linear::forward(&s, &xv, &wv, &bv), vec![s.rows, s.d_out])
    }

    fn linear_backward(
        x: FloatTensor<B>,
        weight: FloatTensor<B>,
        grad: FloatTensor<B>,
        want_x: bool,
    ) -> Grads<B> {
        let values = all_f32::<B, 3>([&x, &weight, &grad]);
        let (Some(s), Some([xv, wv, g])) = (linear_shape::<B>(&x, &weight), values) else {
            return fallback::linear_backward::<B>(x, weight, grad, want_x);
        };
        let g = linear::backward(&s, &xv, &wv, &g, want_x);
        (
            g.x.map(|dx| B::tensor(dx, vec![s.rows, s.d_in])),
            B::tensor(g.weight, vec![s.d_in, s.d_out]),
            B::tensor(g.bias, vec![s.d_out]),
        )
    }

    fn dropout_backward(mask: HostDropoutMask<B>, grad: FloatTensor<B>) -> FloatTensor<B> {
        match mask {
            HostDropoutMask::Burn(mask) => fallback::dropout_backward::<B>(mask, grad),
            // The derivative of `x · m` is `m`: the same mask applied to the gradient.
            HostDropoutMask::Hashed { seed, prob } => {
                let values = B::f32_values(&grad).expect("the forward pass was f32");
                B::tensor(dropout::apply(&values, prob, seed), grad.shape().to_vec())
            }
        }
    }
}

/// The shapes of a linear layer of 2-d tensors.
fn linear_shape<B: Backend>(x: &FloatTensor<B>, weight: &FloatTensor<B>) -> Option<LinearShape> {
    let (xs, ws) = (x.shape(), weight.shape());
    (xs.num_dims() == 2 && ws.num_dims() == 2).then(|| LinearShape {
        rows: xs[0],
        d_in: xs[1],
        d_out: ws[1],
    })
}

/// One fused Adam step of an f32 parameter (the caller, [`FusedAdam`](crate::FusedAdam), sends
/// nothing else here).
fn adam_host<B: Host>(
    param: FloatTensor<B>,
    grad: FloatTensor<B>,
    moments: Option<(FloatTensor<B>, FloatTensor<B>)>,
    step: AdamStep,
) -> (FloatTensor<B>, FloatTensor<B>, FloatTensor<B>) {
    let f32_values = |t| B::f32_values(t).expect("FusedAdam sends f32 tensors only");
    let (p, g) = (f32_values(&param), f32_values(&grad));
    let previous = moments
        .as_ref()
        .map(|(m, v)| (f32_values(m), f32_values(v)));
    let out = adam::step(
        &p,
        &g,
        previous.as_ref().map(|(m, v)| (&m[..], &v[..])),
        step,
    );
    let shape = param.shape().to_vec();
    (
        B::tensor(out.param, shape.clone()),
        B::tensor(out.moment_1, shape.clone()),
        B::tensor(out.moment_2, shape),
    )
}

impl<B: Host> AdamOps for B {
    fn adam_first(
        param: FloatTensor<B>,
        grad: FloatTensor<B>,
        beta_1: f32,
        beta_2: f32,
        epsilon: f32,
        lr: f32,
    ) -> (FloatTensor<B>, FloatTensor<B>, FloatTensor<B>) {
        let step = AdamStep::new(beta_1, beta_2, 1, epsilon, lr);
        adam_host::<B>(param, grad, None, step)
    }

    fn adam_next(
        param: FloatTensor<B>,
        grad: FloatTensor<B>,
        moment_1: FloatTensor<B>,
        moment_2: FloatTensor<B>,
        beta_1: f32,
        beta_2: f32,
        time: i32,
        epsilon: f32,
        lr: f32,
    ) -> (FloatTensor<B>, FloatTensor<B>, FloatTensor<B>) {
        let step = AdamStep::new(beta_1, beta_2, time, epsilon, lr);
        adam_host::<B>(param, grad, Some((moment_1, moment_2)), step)
    }
}
