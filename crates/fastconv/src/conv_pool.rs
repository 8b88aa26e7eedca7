//! `max_pool(relu(conv2d(x, w) + b))` without autodiff, image by image: each image's convolution
//! output goes to a per-thread buffer that stays in cache, and only the pooled values are
//! written out. The unfused pair writes the whole convolution output to memory (55 MB for a
//! thousand images of `lenet`'s first layer) and reads it back to pool it.
//!
//! It runs the same per-image multiply and the same pooling loop as `conv::forward` followed by
//! `pool::forward`, so it gives their bits.

use crate::buffer::par_zeroed;
use crate::conv::{self, ConvShape};
use crate::pool::{self, PoolShape};
use crate::wide::wide;

/// The pooling that follows the convolution `s`: `size × size` windows over its output.
pub(crate) fn pool_shape(s: &ConvShape, size: usize) -> PoolShape {
    PoolShape {
        planes: s.out_channels,
        height: s.out_h(),
        width: s.out_w(),
        size,
    }
}

/// `max_pool(relu(conv2d(x, weight) + bias), size)`, NCHW in and out; `size` within
/// `1..=pool::MAX_SIZE` and no larger than the convolution's output.
pub(crate) fn forward(
    s: &ConvShape,
    x: &[f32],
    weight: &[f32],
    bias: &[f32],
    size: usize,
) -> Vec<f32> {
    conv::check_forward(s, x, weight, bias);
    assert!(
        (1..=pool::MAX_SIZE).contains(&size) && size <= s.out_h() && size <= s.out_w(),
        "conv2d_relu_pool: window {size} must be in 1..={} and fit the {}×{} output",
        pool::MAX_SIZE,
        s.out_h(),
        s.out_w()
    );
    let ps = pool_shape(s, size);
    let pooled = s.out_channels * ps.out_plane_len();
    // Per thread: the unrolled image, the convolution's output, and the winners pooling
    // records (unused here: the forward-only pass needs none).
    let scratch = || {
        (
            vec![0.0f32; s.k() * s.p()],
            vec![0.0f32; s.output_len()],
            vec![0u8; pooled],
        )
    };
    par_zeroed(
        s.batch * pooled,
        pooled,
        scratch,
        |(col, out, winners), b, y| {
            let image = &x[b * s.image_len()..][..s.image_len()];
            conv::forward_image(s, image, weight, bias, col, out);
            wide(
                #[inline(always)]
                || pool::forward_planes(&ps, out, y, winners),
            );
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eighths::eighths as values;

    fn check(s: ConvShape, size: usize) {
        let x = values(s.batch * s.image_len(), 1);
        let w = values(s.out_channels * s.k(), 2);
        let b = values(s.out_channels, 3);
        let all_planes = PoolShape {
            planes: s.batch * s.out_channels,
            ..pool_shape(&s, size)
        };
        let unfused = pool::forward(&all_planes, &conv::forward(&s, &x, &w, &b)).0;
        let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        for threads in [1, 2, 3] {
            let fused = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool")
                .install(|| forward(&s, &x, &w, &b, size));
            assert_eq!(
                bits(&fused),
                bits(&unfused),
                "{s:?} / {size}, {threads} threads"
            );
        }
    }

    fn shape(
        batch: usize,
        in_channels: usize,
        (h, w): (usize, usize),
        out_channels: usize,
        (kh, kw): (usize, usize),
    ) -> ConvShape {
        ConvShape {
            batch,
            in_channels,
            height: h,
            width: w,
            out_channels,
            kernel_h: kh,
            kernel_w: kw,
        }
    }

    #[test]
    fn gives_the_bits_of_convolution_then_pooling() {
        check(shape(7, 1, (28, 28), 24, (5, 5)), 2); // lenet conv1
        check(shape(5, 24, (12, 12), 32, (3, 3)), 2); // lenet conv2, odd output (floor mode)
        check(shape(3, 32, (26, 26), 64, (3, 3)), 2); // pytorch-example conv2
        check(shape(4, 3, (9, 8), 5, (2, 3)), 3); // rectangular, 3×3 windows
        check(shape(2, 2, (6, 6), 3, (3, 3)), 4); // one window per plane, the whole output
        check(shape(2, 2, (6, 6), 3, (3, 3)), 1);
        check(shape(0, 2, (6, 6), 3, (3, 3)), 2); // an empty batch
    }

    #[test]
    fn a_nan_stays_visible() {
        let s = shape(1, 1, (3, 3), 1, (2, 2));
        let mut x = vec![1.0f32; 9];
        x[8] = f32::NAN;
        let y = forward(&s, &x, &[1.0; 4], &[0.0], 2);
        assert!(y[0].is_nan(), "{y:?}");
    }

    #[test]
    #[should_panic(expected = "window 5 must be in 1..=16 and fit the 4×4 output")]
    fn a_window_larger_than_the_output_is_named() {
        let s = shape(1, 1, (6, 6), 1, (3, 3));
        forward(&s, &[0.0; 36], &[0.0; 9], &[0.0], 5);
    }
}
