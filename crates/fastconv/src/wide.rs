//! The kernels' element loops (bias and ReLU, masks, sums, pooling, dropout's hash) compiled for
//! the widest vector instructions the CPU has, chosen at run time.
//!
//! The crate is built for baseline x86-64, so without this the compiler vectorises those loops
//! for 4-lane SSE only, while gemm already picks AVX-512 or AVX2 at run time; this uses gemm's
//! own dispatcher, `pulp`.

/// Runs `f` inside a function compiled for AVX-512 or AVX2 + FMA where the CPU has them (other
/// architectures: as it is). `f` must be an `#[inline(always)]` closure, so that its body is
/// compiled in that function; what it computes does not change, only how fast.
#[inline(always)]
pub(crate) fn wide<R>(f: impl FnOnce() -> R) -> R {
    pulp::Arch::new().dispatch(f)
}
