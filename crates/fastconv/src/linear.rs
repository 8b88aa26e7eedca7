//! f32 kernels for a linear layer `y = x·W + b` (Burn's layout: `W` is `d_in × d_out`) and its
//! gradients, on row-major slices.
//!
//! They make the `gemm` calls burn-flex makes for Burn's own `linear` and its three backward
//! passes (the same shapes, strides, parallelism rule and order of the bias gradient's sums), so
//! flex gives its old bits, and ndarray, whose own matrix multiply is `matrixmultiply`'s AVX2
//! kernel, gets flex's speed and flex's bits.

/// burn-flex multiplies on all threads from this many multiply–adds on, on one below.
const PARALLEL_FROM: usize = 192 * 192 * 192;

/// Shapes of one linear layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LinearShape {
    pub(crate) rows: usize,
    pub(crate) d_in: usize,
    pub(crate) d_out: usize,
}

/// Gradients of a linear layer.
pub(crate) struct LinearGrads {
    /// Present when asked for.
    pub(crate) x: Option<Vec<f32>>,
    pub(crate) weight: Vec<f32>,
    pub(crate) bias: Vec<f32>,
}

/// A row-major `m × n` operand read through its strides: `(row stride, column stride)`.
type Strided<'a> = (&'a [f32], (isize, isize));

/// `lhs (m×k) · rhs (k×n)` into a new row-major `m × n` buffer, as burn-flex's 2-d matmul does.
fn matmul(
    (m, n, k): (usize, usize, usize),
    (lhs, lhs_s): Strided,
    (rhs, rhs_s): Strided,
) -> Vec<f32> {
    let mut out = vec![0.0f32; m * n];
    if m == 0 || n == 0 {
        return out;
    }
    let parallelism = if m.saturating_mul(n).saturating_mul(k) >= PARALLEL_FROM {
        gemm::Parallelism::Rayon(0)
    } else {
        gemm::Parallelism::None
    };
    // SAFETY: the strides address an m×k `lhs` and a k×n `rhs` inside their slices (checked by
    // the callers' length checks), and `out` is m×n.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr(),
            1,
            n as isize,
            false,
            lhs.as_ptr(),
            lhs_s.1,
            lhs_s.0,
            rhs.as_ptr(),
            rhs_s.1,
            rhs_s.0,
            0.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
    out
}

fn check(s: &LinearShape, x: &[f32], weight: &[f32]) {
    assert_eq!(x.len(), s.rows * s.d_in, "linear: input length");
    assert_eq!(weight.len(), s.d_in * s.d_out, "linear: weight length");
}

/// `x·W + b`: `rows × d_out`.
pub(crate) fn forward(s: &LinearShape, x: &[f32], weight: &[f32], bias: &[f32]) -> Vec<f32> {
    check(s, x, weight);
    assert_eq!(bias.len(), s.d_out, "linear: bias length");
    let (d_in, d_out) = (s.d_in as isize, s.d_out as isize);
    let mut y = matmul(
        (s.rows, s.d_out, s.d_in),
        (x, (d_in, 1)),
        (weight, (d_out, 1)),
    );
    for row in y.chunks_exact_mut(s.d_out) {
        row.iter_mut().zip(bias).for_each(|(v, b)| *v += b);
    }
    y
}

/// The gradients of `x·W + b` given `dL/dy` (`rows × d_out`).
pub(crate) fn backward(
    s: &LinearShape,
    x: &[f32],
    weight: &[f32],
    grad: &[f32],
    want_x: bool,
) -> LinearGrads {
    check(s, x, weight);
    assert_eq!(grad.len(), s.rows * s.d_out, "linear: gradient length");
    let (d_in, d_out) = (s.d_in as isize, s.d_out as isize);
    // dx = g·Wᵀ, reading W transposed through its strides.
    let dx = want_x.then(|| {
        matmul(
            (s.rows, s.d_in, s.d_out),
            (grad, (d_out, 1)),
            (weight, (1, d_out)),
        )
    });
    // dW = xᵀ·g, reading x transposed.
    let dw = matmul(
        (s.d_in, s.d_out, s.rows),
        (x, (1, d_in)),
        (grad, (d_out, 1)),
    );
    // db: the rows added in order, each column from 0, as burn-flex's sum over the first axis.
    let mut db = vec![0.0f32; s.d_out];
    for row in grad.chunks_exact(s.d_out.max(1)) {
        db.iter_mut().zip(row).for_each(|(a, v)| *a += v);
    }
    LinearGrads {
        x: dx,
        weight: dw,
        bias: db,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eighths::eighths as values;

    fn check_against_loops(s: LinearShape) {
        let x = values(s.rows * s.d_in, 1);
        let w = values(s.d_in * s.d_out, 2);
        let b = values(s.d_out, 3);
        let g = values(s.rows * s.d_out, 4);
        let (n, i, o) = (s.rows, s.d_in, s.d_out);
        let y = forward(&s, &x, &w, &b);
        for r in 0..n {
            for c in 0..o {
                let want: f32 = b[c] + (0..i).map(|k| x[r * i + k] * w[k * o + c]).sum::<f32>();
                assert_eq!(y[r * o + c], want, "{s:?} y[{r}][{c}]");
            }
        }
        let grads = backward(&s, &x, &w, &g, true);
        let dx = grads.x.expect("asked for");
        for r in 0..n {
            for k in 0..i {
                let want: f32 = (0..o).map(|c| g[r * o + c] * w[k * o + c]).sum();
                assert_eq!(dx[r * i + k], want, "{s:?} dx[{r}][{k}]");
            }
        }
        for k in 0..i {
            for c in 0..o {
                let want: f32 = (0..n).map(|r| x[r * i + k] * g[r * o + c]).sum();
                assert_eq!(grads.weight[k * o + c], want, "{s:?} dw[{k}][{c}]");
            }
        }
        for c in 0..o {
            let want: f32 = (0..n).map(|r| g[r * o + c]).sum();
            assert_eq!(grads.bias[c], want, "{s:?} db[{c}]");
        }
        assert!(backward(&s, &x, &w, &g, false).x.is_none());
    }

    #[test]
    fn matches_direct_loops() {
        let shape = |rows, d_in, d_out| LinearShape { rows, d_in, d_out };
        check_against_loops(shape(5, 7, 3));
        check_against_loops(shape(64, 800, 10)); // past the parallel threshold
        check_against_loops(shape(1, 1, 1));
        check_against_loops(shape(0, 4, 3)); // an empty batch: zero weight and bias gradients
    }

    #[test]
    fn the_thread_count_does_not_change_a_bit() {
        let s = LinearShape {
            rows: 64,
            d_in: 1000,
            d_out: 130,
        };
        let random = |n, seed: u32| -> Vec<f32> {
            (0..n)
                .map(|k: usize| {
                    ((k as u32).wrapping_mul(2_654_435_761) ^ seed) as f32 / u32::MAX as f32 - 0.5
                })
                .collect()
        };
        let (x, w, b, g) = (
            random(s.rows * s.d_in, 1),
            random(s.d_in * s.d_out, 2),
            random(s.d_out, 3),
            random(s.rows * s.d_out, 4),
        );
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool")
                .install(|| {
                    let grads = backward(&s, &x, &w, &g, true);
                    (forward(&s, &x, &w, &b), grads.x, grads.weight, grads.bias)
                })
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(3));
    }
}
