//! The layers of small image CNNs as differentiable Burn operations: `relu(conv2d(x, w) + b)`,
//! non-overlapping max pooling, dropout and linear layers.
//!
//! On Burn's CPU backends, `flex` and `ndarray` (f32), they run this crate's kernels: per image
//! one unrolled matrix and one matrix multiply for the output, the weight gradient and the input
//! gradient, with no full-tensor transposes; pooling that remembers each window's winner in a
//! byte; dropout masks hashed from a seed and the position. On every other backend (wgpu and the
//! other CubeCL runtimes) and for other float types they are Burn's own `conv2d` + `relu`,
//! `max_pool2d` and dropout, so a model written with them runs everywhere.
//!
//! [`linear`] is Burn's `linear` (`x·W + b`) computed by the matrix multiplies burn-flex runs
//! for it, forward and backward: flex's bits on flex, and on ndarray too, whose own multiply is
//! slower.
//!
//! [`conv2d_relu_pool`] is the convolution followed by pooling as one call: the same two
//! operations under autodiff, and without it (evaluation) one pass per image that pools the
//! convolution's output while it is still in cache.
//!
//! [`FusedAdam`] is Burn's `Adam` with each parameter's update on those two backends run as one
//! pass over its memory instead of a dozen tensor operations, giving the same bits.
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

// Modules, top to bottom (each uses only those below it):
//   api       the public functions: argument checks, then dispatch to `CnnOps`
//   optim     `FusedAdam`: Burn's `Adam`, dispatching to `AdamOps` on flex and ndarray
//   autodiff  `CnnOps` for `Autodiff<B>`: backward nodes over any backend's `CnnKernels`
//   host      `CnnKernels` and `AdamOps` for flex and ndarray: the kernels below on f32,
//             `fallback` otherwise
//   fallback  `CnnKernels` from Burn's own ops (CubeCL)
//   backend   the traits `CnnOps`, `CnnKernels` and `AdamOps`, and `CnnOps` for the concrete
//             backends
//   conv_pool the forward-only convolution + pooling, from `conv` and `pool` below
//   conv, pool, dropout, linear, adam   the f32 kernels on plain slices; they know nothing
//             of Burn
//   buffer    output buffers zeroed in parallel by the kernels' threads
//   wide      the kernels' element loops compiled for AVX-512 / AVX2, chosen at run time
//   eighths   (tests only) inputs on which every sum is exact, for the kernels' unit tests
#![warn(missing_docs)]
// ndarray is deprecated upstream but still one of the backends the experiments offer.
#![allow(deprecated)]

mod api;
mod autodiff;
mod backend;
mod fallback;
mod host;
mod optim;

mod adam;
mod buffer;
mod conv;
mod conv_pool;
mod dropout;
mod linear;
mod pool;
mod wide;

#[cfg(test)]
mod eighths;

pub use api::{conv2d_relu, conv2d_relu_pool, dropout, linear, max_pool2d};
pub use optim::FusedAdam;
