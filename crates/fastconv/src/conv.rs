//! f32 kernels for `relu(conv2d(x, w) + b)` on contiguous NCHW data, stride 1, no padding,
//! dilation 1, one group: the layers of small image CNNs.
//!
//! Each image is unrolled (im2col) into a `K × P` matrix (`K = Ci·KH·KW`, `P = OH·OW`) that stays
//! in the core's cache, and one matrix multiply per image gives all output channels at once.
//! Burn's generic weight gradient instead runs a forward convolution over transposed tensors,
//! which costs full-size copies; here the weight gradient is `Σ_images g·colᵀ` straight from the
//! unrolled image. The batch is split into chunks whose number depends only on the batch size,
//! and partial weight gradients are summed in chunk order, so a result does not depend on how
//! many threads ran it.

use rayon::prelude::*;

use crate::buffer::{par_zeroed, par_zeroed_map};
use crate::wide::wide;

/// Shapes of one `relu(conv2d(x, w) + b)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ConvShape {
    pub(crate) batch: usize,
    pub(crate) in_channels: usize,
    pub(crate) height: usize,
    pub(crate) width: usize,
    pub(crate) out_channels: usize,
    pub(crate) kernel_h: usize,
    pub(crate) kernel_w: usize,
}

impl ConvShape {
    pub(crate) fn out_h(&self) -> usize {
        self.height - self.kernel_h + 1
    }
    pub(crate) fn out_w(&self) -> usize {
        self.width - self.kernel_w + 1
    }
    /// Rows of the unrolled image: one per (input channel, kernel row, kernel column).
    pub(crate) fn k(&self) -> usize {
        self.in_channels * self.kernel_h * self.kernel_w
    }
    /// Output pixels per channel.
    pub(crate) fn p(&self) -> usize {
        self.out_h() * self.out_w()
    }
    pub(crate) fn image_len(&self) -> usize {
        self.in_channels * self.height * self.width
    }
    pub(crate) fn output_len(&self) -> usize {
        self.out_channels * self.p()
    }
}

/// Gradients of one `relu(conv2d(x, w) + b)`.
pub(crate) struct ConvGrads {
    /// Present when asked for (a network's first layer needs none).
    pub(crate) x: Option<Vec<f32>>,
    pub(crate) weight: Vec<f32>,
    pub(crate) bias: Vec<f32>,
}

/// The `cols × rows` transpose of a row-major `rows × cols` matrix.
fn transpose(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0.0f32; rows * cols];
    for (r, row) in m.chunks_exact(cols).enumerate() {
        for (c, &v) in row.iter().enumerate() {
            t[c * rows + r] = v;
        }
    }
    t
}

/// Chunks of the batch for the backward pass; a function of the batch size only.
const CHUNKS: usize = 16;

/// The most unrolled-image floats one backward multiply takes (64 KiB): a chunk's images are
/// multiplied in groups up to this size, so a small layer (few input channels, small images)
/// gives gemm one deep product instead of one call per image too small to pay for its packing,
/// while a large layer's images still go one at a time through a cache-sized buffer.
const GROUP_FLOATS: usize = 1 << 14;

/// Images per backward multiply: a function of the shapes and the batch size only, so the
/// order of additions, and the bits, do not depend on the thread count.
fn group_size(s: &ConvShape, per_chunk: usize) -> usize {
    (GROUP_FLOATS / (s.k() * s.p()).max(1)).clamp(1, per_chunk)
}

/// `dst (m×n) = lhs (m×k) · rhs (k×n)`, or `+=` when `accumulate`; strides in elements,
/// single-threaded (the callers parallelise over images).
///
/// # Safety
/// Every index reachable through the shapes and strides must be in bounds of its buffer.
#[allow(clippy::too_many_arguments)]
unsafe fn matmul(
    (m, n, k): (usize, usize, usize),
    dst: *mut f32,
    (dst_rs, dst_cs): (isize, isize),
    accumulate: bool,
    lhs: *const f32,
    (lhs_rs, lhs_cs): (isize, isize),
    rhs: *const f32,
    (rhs_rs, rhs_cs): (isize, isize),
) {
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst,
            dst_cs,
            dst_rs,
            accumulate,
            lhs,
            lhs_cs,
            lhs_rs,
            rhs,
            rhs_cs,
            rhs_rs,
            if accumulate { 1.0 } else { 0.0 },
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    }
}

/// Unrolls one image into `col` (`K × P`, row `(ci·KH + kh)·KW + kw`), whose rows start
/// `stride` elements apart (`P` for one image alone; more where the rows of several images lie
/// side by side).
fn im2col(s: &ConvShape, image: &[f32], col: &mut [f32], stride: usize) {
    wide(
        #[inline(always)]
        || {
            let (oh, ow) = (s.out_h(), s.out_w());
            let mut rows = col.chunks_mut(stride);
            for ci in 0..s.in_channels {
                let plane = &image[ci * s.height * s.width..][..s.height * s.width];
                for kh in 0..s.kernel_h {
                    for kw in 0..s.kernel_w {
                        let row = rows.next().expect("col holds K rows");
                        for (y, out) in row[..s.p()].chunks_exact_mut(ow).enumerate().take(oh) {
                            copy_short(out, &plane[(y + kh) * s.width + kw..][..ow]);
                        }
                    }
                }
            }
        },
    );
}

/// `dst.copy_from_slice(src)` for the short rows of small images (10 or 24 floats here), as
/// fixed-width vector moves, the last one overlapping the one before: `copy_from_slice` of a
/// length known only at run time is a call to `memmove`, which for rows this short costs more
/// than the copy (the calls were 12% of a `lenet` evaluation in `perf record`).
#[inline(always)]
fn copy_short(dst: &mut [f32], src: &[f32]) {
    #[inline(always)]
    fn fixed<const W: usize>(dst: &mut [f32], src: &[f32]) {
        let n = dst.len();
        let mut i = 0;
        while i + W <= n {
            dst[i..i + W].copy_from_slice(&src[i..i + W]);
            i += W;
        }
        if i < n {
            dst[n - W..].copy_from_slice(&src[n - W..n]);
        }
    }
    assert_eq!(dst.len(), src.len());
    match dst.len() {
        n if n >= 16 => fixed::<16>(dst, src),
        n if n >= 8 => fixed::<8>(dst, src),
        n if n >= 4 => fixed::<4>(dst, src),
        _ => dst.iter_mut().zip(src).for_each(|(d, v)| *d = *v),
    }
}

/// The sum of `row` in 16 interleaved partial sums, so the additions are not one serial chain;
/// the order depends only on the length.
#[inline(always)]
fn sum(row: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 16];
    let mut chunks = row.chunks_exact(16);
    for chunk in &mut chunks {
        for (lane, v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    lanes.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>()
}

/// Adds the unrolled gradient `dcol` (`K × P`, rows `stride` apart) back onto one image's
/// gradient.
#[inline(always)]
fn col2im_add(s: &ConvShape, dcol: &[f32], image: &mut [f32], stride: usize) {
    let (oh, ow) = (s.out_h(), s.out_w());
    let mut rows = dcol.chunks(stride);
    for ci in 0..s.in_channels {
        let plane = &mut image[ci * s.height * s.width..][..s.height * s.width];
        for kh in 0..s.kernel_h {
            for kw in 0..s.kernel_w {
                let row = rows.next().expect("dcol holds K rows");
                for (y, src) in row[..s.p()].chunks_exact(ow).enumerate().take(oh) {
                    let out = &mut plane[(y + kh) * s.width + kw..][..ow];
                    for (o, v) in out.iter_mut().zip(src) {
                        *o += v;
                    }
                }
            }
        }
    }
}

fn check_lengths(s: &ConvShape, x: &[f32], weight: &[f32]) {
    assert!(
        s.height >= s.kernel_h && s.width >= s.kernel_w,
        "conv2d_relu: image {}×{} smaller than kernel {}×{}",
        s.height,
        s.width,
        s.kernel_h,
        s.kernel_w
    );
    assert_eq!(
        x.len(),
        s.batch * s.image_len(),
        "conv2d_relu: input length"
    );
    assert_eq!(
        weight.len(),
        s.out_channels * s.k(),
        "conv2d_relu: weight length"
    );
}

/// `relu(conv2d(x, weight) + bias)`, NCHW in and out.
pub(crate) fn forward(s: &ConvShape, x: &[f32], weight: &[f32], bias: &[f32]) -> Vec<f32> {
    check_forward(s, x, weight, bias);
    let (k, p) = (s.k(), s.p());
    par_zeroed(
        s.batch * s.output_len(),
        s.output_len(),
        || vec![0.0f32; k * p],
        |col, b, out| {
            forward_image(
                s,
                &x[b * s.image_len()..][..s.image_len()],
                weight,
                bias,
                col,
                out,
            )
        },
    )
}

/// The length checks of a forward pass.
pub(crate) fn check_forward(s: &ConvShape, x: &[f32], weight: &[f32], bias: &[f32]) {
    check_lengths(s, x, weight);
    assert_eq!(bias.len(), s.out_channels, "conv2d_relu: bias length");
}

/// One image's `relu(conv2d + bias)` into `out` (`Co × P`), unrolled through `col` (`K × P`
/// scratch). Every output element is written, whatever `out` held.
#[inline]
pub(crate) fn forward_image(
    s: &ConvShape,
    image: &[f32],
    weight: &[f32],
    bias: &[f32],
    col: &mut [f32],
    out: &mut [f32],
) {
    let (k, p, co) = (s.k(), s.p(), s.out_channels);
    im2col(s, image, col, p);
    // SAFETY: out is co×p, weight co×k, col k×p, all row-major.
    unsafe {
        matmul(
            (co, p, k),
            out.as_mut_ptr(),
            (p as isize, 1),
            false,
            weight.as_ptr(),
            (k as isize, 1),
            col.as_ptr(),
            (p as isize, 1),
        );
    }
    wide(
        #[inline(always)]
        || {
            for (row, b) in out.chunks_exact_mut(p).zip(bias) {
                for v in row {
                    let t = *v + b;
                    // `t < 0` keeps a NaN a NaN, as Burn's relu does, so divergence shows.
                    *v = if t < 0.0 { 0.0 } else { t };
                }
            }
        },
    );
}

/// Gradients of `y = relu(conv2d(x, weight) + bias)` given `y` and `dL/dy`.
pub(crate) fn backward(
    s: &ConvShape,
    x: &[f32],
    weight: &[f32],
    y: &[f32],
    grad: &[f32],
    want_x: bool,
) -> ConvGrads {
    check_lengths(s, x, weight);
    assert_eq!(
        y.len(),
        s.batch * s.output_len(),
        "conv2d_relu: output length"
    );
    assert_eq!(grad.len(), y.len(), "conv2d_relu: gradient length");
    let (k, p, co) = (s.k(), s.p(), s.out_channels);
    let per_chunk = s.batch.div_ceil(CHUNKS).max(1);
    let chunks = s.batch.div_ceil(per_chunk);

    // The weight as k×co, so the input gradient's multiply reads both operands in the order
    // gemm packs them and copies neither per image; only when that gradient is wanted.
    let weight_t = want_x.then(|| transpose(weight, co, k));

    let group = group_size(s, per_chunk);

    // Scratch for a group of images, side by side (row stride `group · p`): unrolled images,
    // masked gradients, and the unrolled input gradients (only when the input gradient is
    // wanted).
    let scratch = || {
        let dcol_len = if want_x { k * p * group } else { 0 };
        (
            vec![0.0f32; k * p * group],
            vec![0.0f32; co * p * group],
            vec![0.0f32; dcol_len],
        )
    };
    // One chunk of images: (weight gradient, stored transposed, and bias gradient), summed
    // below in chunk order; `dx` is the chunk's input gradient, when wanted.
    let chunk = |(col, gm, dcol): &mut (Vec<f32>, Vec<f32>, Vec<f32>),
                 c: usize,
                 mut dx: Option<&mut [f32]>| {
        let mut dw = vec![0.0f32; co * k];
        let mut db = vec![0.0f32; co];
        let first = c * per_chunk;
        let last = (first + per_chunk).min(s.batch);
        for start in (first..last).step_by(group) {
            let images = group.min(last - start);
            let n = images * p;
            for (i, b) in (start..start + images).enumerate() {
                let out = &y[b * s.output_len()..][..s.output_len()];
                let g = &grad[b * s.output_len()..][..s.output_len()];
                wide(
                    #[inline(always)]
                    || {
                        let rows = gm.chunks_mut(n).zip(out.chunks_exact(p));
                        for (((m, out), g), d) in rows.zip(g.chunks_exact(p)).zip(db.iter_mut()) {
                            let m = &mut m[i * p..][..p];
                            // The ReLU passes gradient where its output is positive (or NaN).
                            for ((m, &yv), &gv) in m.iter_mut().zip(out).zip(g) {
                                *m = if yv <= 0.0 { 0.0 } else { gv };
                            }
                            *d += sum(m);
                        }
                    },
                );
                let image = &x[b * s.image_len()..][..s.image_len()];
                im2col(s, image, &mut col[i * p..], n);
            }
            // SAFETY: dw is co×k, stored column by column; gm co×n; col k×n, read as its
            // transpose n×k.
            unsafe {
                matmul(
                    (co, k, n),
                    dw.as_mut_ptr(),
                    (1, co as isize),
                    true,
                    gm.as_ptr(),
                    (n as isize, 1),
                    col.as_ptr(),
                    (1, n as isize),
                );
            }
            if let (Some(dx), Some(weight_t)) = (dx.as_deref_mut(), &weight_t) {
                // SAFETY: dcol is k×n; weight_t k×co; gm co×n.
                unsafe {
                    matmul(
                        (k, n, co),
                        dcol.as_mut_ptr(),
                        (n as isize, 1),
                        false,
                        weight_t.as_ptr(),
                        (co as isize, 1),
                        gm.as_ptr(),
                        (n as isize, 1),
                    );
                }
                for i in 0..images {
                    let image = &mut dx[(start - first + i) * s.image_len()..][..s.image_len()];
                    let dcol = &dcol[i * p..];
                    wide(
                        #[inline(always)]
                        || col2im_add(s, dcol, image, n),
                    );
                }
            }
        }
        (dw, db)
    };
    // The input gradient is zeroed chunk by chunk by the threads that fill it.
    let (dx, partials) = if want_x && s.image_len() > 0 {
        let (dx, partials) = par_zeroed_map(
            s.batch * s.image_len(),
            per_chunk * s.image_len(),
            scratch,
            |scratch, c, dx| chunk(scratch, c, Some(dx)),
        );
        (Some(dx), partials)
    } else {
        let partials: Vec<(Vec<f32>, Vec<f32>)> = (0..chunks)
            .into_par_iter()
            .map_init(scratch, |scratch, c| chunk(scratch, c, None))
            .collect();
        (
            want_x.then(|| vec![0.0f32; s.batch * s.image_len()]),
            partials,
        )
    };

    // The partial weight gradients are stored transposed (k×co); back to co×k here.
    let mut dw_t = vec![0.0f32; co * k];
    let mut db = vec![0.0f32; co];
    for (pw, pb) in &partials {
        dw_t.iter_mut().zip(pw).for_each(|(a, v)| *a += v);
        db.iter_mut().zip(pb).for_each(|(a, v)| *a += v);
    }
    let dw = transpose(&dw_t, k, co);
    ConvGrads {
        x: dx,
        weight: dw,
        bias: db,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eighths::eighths as values;

    /// Direct loops, in f64, as the reference.
    #[allow(clippy::needless_range_loop)]
    fn naive_forward(s: &ConvShape, x: &[f32], w: &[f32], b: &[f32]) -> Vec<f64> {
        let (oh, ow) = (s.out_h(), s.out_w());
        let mut y = vec![0.0f64; s.batch * s.output_len()];
        for n in 0..s.batch {
            for o in 0..s.out_channels {
                for i in 0..oh {
                    for j in 0..ow {
                        let mut acc = b[o] as f64;
                        for c in 0..s.in_channels {
                            for u in 0..s.kernel_h {
                                for v in 0..s.kernel_w {
                                    let xv = x[((n * s.in_channels + c) * s.height + i + u)
                                        * s.width
                                        + j
                                        + v];
                                    let wv = w[((o * s.in_channels + c) * s.kernel_h + u)
                                        * s.kernel_w
                                        + v];
                                    acc += xv as f64 * wv as f64;
                                }
                            }
                        }
                        y[((n * s.out_channels + o) * oh + i) * ow + j] = acc.max(0.0);
                    }
                }
            }
        }
        y
    }

    /// Gradients by direct loops: dL/dx, dL/dw, dL/db for L = Σ g·y.
    #[allow(clippy::needless_range_loop)]
    fn naive_backward(
        s: &ConvShape,
        x: &[f32],
        w: &[f32],
        y: &[f64],
        g: &[f32],
    ) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let (oh, ow) = (s.out_h(), s.out_w());
        let mut dx = vec![0.0; x.len()];
        let mut dw = vec![0.0; w.len()];
        let mut db = vec![0.0; s.out_channels];
        for n in 0..s.batch {
            for o in 0..s.out_channels {
                for i in 0..oh {
                    for j in 0..ow {
                        let idx = ((n * s.out_channels + o) * oh + i) * ow + j;
                        if y[idx] <= 0.0 {
                            continue;
                        }
                        let gv = g[idx] as f64;
                        db[o] += gv;
                        for c in 0..s.in_channels {
                            for u in 0..s.kernel_h {
                                for v in 0..s.kernel_w {
                                    let xi = ((n * s.in_channels + c) * s.height + i + u) * s.width
                                        + j
                                        + v;
                                    let wi =
                                        ((o * s.in_channels + c) * s.kernel_h + u) * s.kernel_w + v;
                                    dx[xi] += gv * w[wi] as f64;
                                    dw[wi] += gv * x[xi] as f64;
                                }
                            }
                        }
                    }
                }
            }
        }
        (dx, dw, db)
    }

    /// Biases off the 1/64 grid by 1/128, so no pre-activation is 0 and the ReLU's decision
    /// cannot depend on rounding.
    fn biases(n: usize, seed: u64) -> Vec<f32> {
        values(n, seed).iter().map(|b| b + 1.0 / 128.0).collect()
    }

    fn assert_exact(got: &[f32], want: &[f64], what: &str) {
        assert_eq!(got.len(), want.len(), "{what}: length");
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(*g as f64 == *w, "{what}[{i}]: got {g}, want {w}");
        }
    }

    fn check(s: ConvShape) {
        let x = values(s.batch * s.image_len(), 1);
        let w = values(s.out_channels * s.k(), 2);
        let b = biases(s.out_channels, 3);
        let g = values(s.batch * s.output_len(), 4);
        let y = forward(&s, &x, &w, &b);
        let y_ref = naive_forward(&s, &x, &w, &b);
        assert_exact(&y, &y_ref, "y");
        if y.len() >= 16 {
            // Both sides of the ReLU are exercised.
            assert!(y.contains(&0.0) && y.iter().any(|v| *v > 0.0));
        }

        let grads = backward(&s, &x, &w, &y, &g, true);
        let (dx, dw, db) = naive_backward(&s, &x, &w, &y_ref, &g);
        assert_exact(grads.x.as_deref().expect("asked for dx"), &dx, "dx");
        assert_exact(&grads.weight, &dw, "dw");
        assert_exact(&grads.bias, &db, "db");

        let without_x = backward(&s, &x, &w, &y, &g, false);
        assert!(without_x.x.is_none());
        assert_eq!(without_x.weight, grads.weight);
    }

    #[test]
    fn matches_direct_loops_on_the_layers_of_the_networks() {
        let shape = |batch, in_channels, size, out_channels, kernel| ConvShape {
            batch,
            in_channels,
            height: size,
            width: size,
            out_channels,
            kernel_h: kernel,
            kernel_w: kernel,
        };
        check(shape(3, 1, 28, 24, 5)); // lenet conv1
        check(shape(2, 24, 12, 32, 3)); // lenet conv2
        check(shape(2, 1, 28, 32, 3)); // pytorch-example conv1
        check(shape(37, 3, 9, 5, 3)); // a batch that does not split evenly into chunks
        // Chunks of 3 images multiplied as one group (the last chunk one image alone).
        check(shape(40, 1, 28, 24, 5));
        check(shape(0, 3, 9, 5, 3)); // an empty batch: zero gradients for the parameters
    }

    #[test]
    fn rectangular_kernels_and_images() {
        check(ConvShape {
            batch: 2,
            in_channels: 2,
            height: 7,
            width: 5,
            out_channels: 3,
            kernel_h: 3,
            kernel_w: 2,
        });
        check(ConvShape {
            batch: 1,
            in_channels: 1,
            height: 4,
            width: 4,
            out_channels: 2,
            kernel_h: 4,
            kernel_w: 4,
        });
    }

    #[test]
    fn the_thread_count_does_not_change_a_bit() {
        let s = ConvShape {
            batch: 50,
            in_channels: 4,
            height: 10,
            width: 10,
            out_channels: 6,
            kernel_h: 3,
            kernel_w: 3,
        };
        let x = values(s.batch * s.image_len(), 5);
        let w = values(s.out_channels * s.k(), 6);
        let b = values(s.out_channels, 7);
        let g = values(s.batch * s.output_len(), 8);
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool");
            pool.install(|| {
                let y = forward(&s, &x, &w, &b);
                let grads = backward(&s, &x, &w, &y, &g, true);
                (y, grads.x, grads.weight, grads.bias)
            })
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(3));
    }

    #[test]
    fn nan_inputs_stay_visible() {
        let s = ConvShape {
            batch: 1,
            in_channels: 1,
            height: 3,
            width: 3,
            out_channels: 1,
            kernel_h: 2,
            kernel_w: 2,
        };
        let mut x = vec![1.0f32; 9];
        x[0] = f32::NAN;
        let y = forward(&s, &x, &[1.0; 4], &[0.0]);
        assert!(y[0].is_nan(), "{y:?}");
        assert_eq!(&y[1..], &[4.0, 4.0, 4.0]);
    }
}
