//! f32 kernels for non-overlapping max pooling (window = stride = `size`, no padding, rows and
//! columns that do not fill a window dropped, as PyTorch's default floor mode does).
//!
//! Burn's generic pooling keeps an i64 index per output and scatters gradients through it one
//! element at a time; here each window's winner is a byte (its offset inside the window) and
//! every plane is handled by one thread, so the backward pass writes each input plane once.

use rayon::prelude::*;

use crate::buffer::par_zeroed;
use crate::wide::wide;

/// Shapes of one pooling: `planes` = batch × channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PoolShape {
    pub(crate) planes: usize,
    pub(crate) height: usize,
    pub(crate) width: usize,
    pub(crate) size: usize,
}

impl PoolShape {
    pub(crate) fn out_h(&self) -> usize {
        self.height / self.size
    }
    pub(crate) fn out_w(&self) -> usize {
        self.width / self.size
    }
    fn plane_len(&self) -> usize {
        self.height * self.width
    }
    pub(crate) fn out_plane_len(&self) -> usize {
        self.out_h() * self.out_w()
    }
}

/// Largest window whose offsets fit in a byte.
pub(crate) const MAX_SIZE: usize = 16;

/// Planes per parallel task, so small planes are not one task each.
fn planes_per_task(s: &PoolShape) -> usize {
    (4096 / s.plane_len().max(1)).max(1)
}

/// The pooled values and, per output, the offset `u·size + v` of the winner in its window
/// (the first maximum; a NaN wins, so a diverging run stays visible).
pub(crate) fn forward(s: &PoolShape, x: &[f32]) -> (Vec<f32>, Vec<u8>) {
    assert!(
        (1..=MAX_SIZE).contains(&s.size),
        "max_pool: window {} outside 1..={MAX_SIZE}",
        s.size
    );
    assert_eq!(x.len(), s.planes * s.plane_len(), "max_pool: input length");
    let mut y = vec![0.0f32; s.planes * s.out_plane_len()];
    let mut arg = vec![0u8; y.len()];
    if y.is_empty() {
        return (y, arg);
    }
    let per = planes_per_task(s);
    y.par_chunks_mut(per * s.out_plane_len())
        .zip(arg.par_chunks_mut(per * s.out_plane_len()))
        .zip(x.par_chunks(per * s.plane_len()))
        .for_each(|((y, arg), x)| {
            wide(
                #[inline(always)]
                || forward_planes(s, x, y, arg),
            )
        });
    (y, arg)
}

/// The pooled values and winners of whole planes.
#[inline(always)]
pub(crate) fn forward_planes(s: &PoolShape, x: &[f32], y: &mut [f32], arg: &mut [u8]) {
    let (oh, ow, size, w) = (s.out_h(), s.out_w(), s.size, s.width);
    for ((y, arg), x) in y
        .chunks_exact_mut(s.out_plane_len())
        .zip(arg.chunks_exact_mut(s.out_plane_len()))
        .zip(x.chunks_exact(s.plane_len()))
    {
        if size == 2 {
            forward_plane_2x2(x, w, y, arg, ow);
            continue;
        }
        for i in 0..oh {
            for j in 0..ow {
                let mut best = x[i * size * w + j * size];
                let mut at = 0u8;
                for u in 0..size {
                    let row = &x[(i * size + u) * w + j * size..][..size];
                    for (v, &value) in row.iter().enumerate() {
                        if value > best || (value.is_nan() && !best.is_nan()) {
                            best = value;
                            at = (u * size + v) as u8;
                        }
                    }
                }
                y[i * ow + j] = best;
                arg[i * ow + j] = at;
            }
        }
    }
}

/// The common 2×2 case, written as selects so the compiler vectorises it: the same winners as the
/// general loop (the first maximum, or the first NaN).
#[inline(always)]
fn forward_plane_2x2(x: &[f32], w: usize, y: &mut [f32], arg: &mut [u8], ow: usize) {
    for ((y, arg), rows) in y
        .chunks_exact_mut(ow)
        .zip(arg.chunks_exact_mut(ow))
        .zip(x.chunks_exact(2 * w))
    {
        let (top, bottom) = rows.split_at(w);
        // Pairs from iterators, not indices: bounds checks would keep the loop scalar.
        let pairs = top.chunks_exact(2).zip(bottom.chunks_exact(2));
        for ((y, arg), (t, b)) in y.iter_mut().zip(arg.iter_mut()).zip(pairs) {
            let window = [t[0], t[1], b[0], b[1]];
            let (mut best, mut at) = (window[0], 0u8);
            for (k, &value) in window.iter().enumerate().skip(1) {
                let wins = value > best;
                best = if wins { value } else { best };
                at = if wins { k as u8 } else { at };
            }
            // Last to first, so the first NaN is the one that stays.
            for (k, &value) in window.iter().enumerate().rev() {
                let nan = value.is_nan();
                best = if nan { value } else { best };
                at = if nan { k as u8 } else { at };
            }
            *y = best;
            *arg = at;
        }
    }
}

/// The input gradient: each output's gradient goes to its window's winner, zeros elsewhere.
pub(crate) fn backward(s: &PoolShape, arg: &[u8], grad: &[f32]) -> Vec<f32> {
    assert_eq!(
        grad.len(),
        s.planes * s.out_plane_len(),
        "max_pool: gradient length"
    );
    assert_eq!(arg.len(), grad.len(), "max_pool: index length");
    let (oh, ow, size, w) = (s.out_h(), s.out_w(), s.size, s.width);
    // Where each window offset lands in the plane, so the loop below needs no division.
    let offsets: Vec<usize> = (0..size * size)
        .map(|k| (k / size) * w + k % size)
        .collect();
    let per = planes_per_task(s);
    let task = |_: &mut (), t: usize, dx: &mut [f32]| {
        let arg = &arg[t * per * s.out_plane_len()..];
        let grad = &grad[t * per * s.out_plane_len()..];
        wide(
            #[inline(always)]
            || {
                for ((dx, arg), grad) in dx
                    .chunks_exact_mut(s.plane_len())
                    .zip(arg.chunks_exact(s.out_plane_len()))
                    .zip(grad.chunks_exact(s.out_plane_len()))
                {
                    for i in 0..oh {
                        let arg = &arg[i * ow..][..ow];
                        let grad = &grad[i * ow..][..ow];
                        for (j, (&at, &g)) in arg.iter().zip(grad).enumerate() {
                            dx[i * size * w + j * size + offsets[at as usize]] = g;
                        }
                    }
                }
            },
        )
    };
    par_zeroed(s.planes * s.plane_len(), per * s.plane_len(), || (), task)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_first_maximum_and_routes_the_gradient_to_it() {
        // One 4×5 plane, 2×2 windows: the last column is dropped (floor mode).
        #[rustfmt::skip]
        let x = [
            1.0, 2.0,   5.0, 5.0,   9.0,
            3.0, 0.0,   1.0, 4.0,   9.0,
            -1.0, -2.0, 7.0, 6.0,   9.0,
            -3.0, -4.0, 8.0, 8.0,   9.0,
        ];
        let s = PoolShape {
            planes: 1,
            height: 4,
            width: 5,
            size: 2,
        };
        let (y, arg) = forward(&s, &x);
        assert_eq!(y, [3.0, 5.0, -1.0, 8.0]);
        assert_eq!(arg, [2, 0, 0, 2]);
        let dx = backward(&s, &arg, &[10.0, 20.0, 30.0, 40.0]);
        #[rustfmt::skip]
        let want = [
            0.0, 0.0,   20.0, 0.0,  0.0,
            10.0, 0.0,  0.0, 0.0,   0.0,
            30.0, 0.0,  0.0, 0.0,   0.0,
            0.0, 0.0,   40.0, 0.0,  0.0,
        ];
        assert_eq!(dx, want);
    }

    #[test]
    fn a_nan_wins_its_window() {
        let s = PoolShape {
            planes: 2,
            height: 2,
            width: 2,
            size: 2,
        };
        let (y, arg) = forward(&s, &[1.0, f32::NAN, 5.0, 0.0, 1.0, 2.0, 3.0, 4.0]);
        assert!(y[0].is_nan());
        assert_eq!(arg[0], 1);
        assert_eq!((y[1], arg[1]), (4.0, 3));
    }

    #[test]
    fn no_planes_no_work() {
        let s = PoolShape {
            planes: 0,
            height: 4,
            width: 4,
            size: 2,
        };
        let (y, arg) = forward(&s, &[]);
        assert!(y.is_empty() && arg.is_empty());
        assert!(backward(&s, &arg, &y).is_empty());
    }

    #[test]
    fn many_planes_match_a_direct_loop() {
        // 2 takes the unrolled path, the others the general one; with 2 and 3 the 7×7 planes
        // leave a row and a column out, 1 keeps everything, 7 is the whole plane.
        for size in [1, 2, 3, 7] {
            let s = PoolShape {
                planes: 300,
                height: 7,
                width: 7,
                size,
            };
            let x: Vec<f32> = (0..s.planes * 49)
                .map(|i| ((i * 7919) % 1000) as f32)
                .collect();
            let (y, arg) = forward(&s, &x);
            let (oh, ow) = (s.out_h(), s.out_w());
            let grad: Vec<f32> = (0..y.len()).map(|i| i as f32 + 1.0).collect();
            let dx = backward(&s, &arg, &grad);
            let mut want_dx = vec![0.0; x.len()];
            for p in 0..s.planes {
                for i in 0..oh {
                    for j in 0..ow {
                        let at =
                            |k: usize| p * 49 + (i * size + k / size) * 7 + j * size + k % size;
                        let window = (0..size * size).map(|k| x[at(k)]);
                        let best = window.clone().fold(f32::MIN, f32::max);
                        let first = window.clone().position(|v| v == best).unwrap();
                        let o = (p * oh + i) * ow + j;
                        assert_eq!(y[o], best);
                        assert_eq!(arg[o] as usize, first);
                        want_dx[at(first)] = grad[o];
                    }
                }
            }
            assert_eq!(dx, want_dx, "size {size}");
        }
    }
}
