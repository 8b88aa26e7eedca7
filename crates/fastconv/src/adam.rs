//! Adam's update of one parameter as one pass over f32 slices.
//!
//! Burn's `Adam` composes a dozen tensor operations, each a pass over the parameter's memory with
//! an output of its own; for a 1.2-million-weight layer that is more time than the layer's
//! forward pass. This computes the same operations on each element in the same order, so the
//! results are Burn's to the bit: no fused multiply–add, the moments updated before the step,
//! the scalars rounded to f32 where Burn rounds them.

use std::mem::MaybeUninit;

use rayon::prelude::*;

use crate::wide::wide;

/// Elements per parallel task.
const TASK: usize = 16 * 1024;

/// The scalars of one Adam step, computed once for every element as Burn computes them (in f32).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AdamStep {
    pub(crate) beta_1: f32,
    pub(crate) beta_2: f32,
    /// The step's number, from 1.
    pub(crate) time: i32,
    pub(crate) epsilon: f32,
    /// The learning rate, rounded to f32 as Burn's `mul_scalar` rounds it.
    pub(crate) lr: f32,
}

impl AdamStep {
    pub(crate) fn new(beta_1: f32, beta_2: f32, time: i32, epsilon: f32, lr: f32) -> Self {
        Self {
            beta_1,
            beta_2,
            time,
            epsilon,
            lr,
        }
    }

    /// `√(1 − β2ᵗ) / (1 − β1ᵗ)`, and ε scaled by `√(1 − β2ᵗ)`: Burn's bias corrections.
    fn corrections(&self) -> (f32, f32) {
        let bias_correction2_sqrt = (1.0 - self.beta_2.powi(self.time)).sqrt();
        let combined = bias_correction2_sqrt / (1.0 - self.beta_1.powi(self.time));
        (combined, self.epsilon * bias_correction2_sqrt)
    }
}

/// The three outputs of an element, and its parameter with its new moments.
type Element<'a> = (
    (
        (&'a mut MaybeUninit<f32>, &'a mut MaybeUninit<f32>),
        &'a mut MaybeUninit<f32>,
    ),
    (&'a f32, (f32, f32)),
);

/// Burn's step from the new moments: `(m·combined) / (√v + ε·√(1 − β2ᵗ))`, which the caller
/// multiplies by lr and subtracts.
#[inline(always)]
fn update(m: f32, v: f32, combined: f32, epsilon: f32) -> f32 {
    (m * combined) / (v.sqrt() + epsilon)
}

/// The updated parameter, first moment and second moment, each as long as `param`.
pub(crate) struct Updated {
    pub(crate) param: Vec<f32>,
    pub(crate) moment_1: Vec<f32>,
    pub(crate) moment_2: Vec<f32>,
}

/// One Adam step of `param` with gradient `grad`. `moments` are the previous first and second
/// moments, `None` at the first step (where Burn starts them from the gradient alone, not from
/// zeros, so a zero gradient's sign is kept).
pub(crate) fn step(
    param: &[f32],
    grad: &[f32],
    moments: Option<(&[f32], &[f32])>,
    s: AdamStep,
) -> Updated {
    let n = param.len();
    assert_eq!(
        grad.len(),
        n,
        "adam: gradient and parameter differ in length"
    );
    if let Some((m, v)) = moments {
        assert!(
            m.len() == n && v.len() == n,
            "adam: moments and parameter differ in length"
        );
    }
    let (combined, epsilon) = s.corrections();
    let (factor_1, factor_2) = (1.0 - s.beta_1, 1.0 - s.beta_2);
    let mut out = Updated {
        param: Vec::with_capacity(n),
        moment_1: Vec::with_capacity(n),
        moment_2: Vec::with_capacity(n),
    };
    let outputs = (
        &mut out.param.spare_capacity_mut()[..n],
        &mut out.moment_1.spare_capacity_mut()[..n],
        &mut out.moment_2.spare_capacity_mut()[..n],
    );
    (
        outputs.0.par_chunks_mut(TASK),
        outputs.1.par_chunks_mut(TASK),
        outputs.2.par_chunks_mut(TASK),
    )
        .into_par_iter()
        .enumerate()
        .for_each(|(task, (p_out, m_out, v_out))| {
            let range = task * TASK..task * TASK + p_out.len();
            let (p, g) = (&param[range.clone()], &grad[range.clone()]);
            // Both cases in loops over zipped slices, so that they have no bounds checks and
            // vectorise.
            let write = |(((p_out, m_out), v_out), (p, (m, v))): Element| {
                p_out.write(p - update(m, v, combined, epsilon) * s.lr);
                m_out.write(m);
                v_out.write(v);
            };
            let outs = p_out.iter_mut().zip(m_out.iter_mut()).zip(v_out.iter_mut());
            match moments {
                // Burn: `m·β1 + g·(1 − β1)` and `v·β2 + g²·(1 − β2)`.
                Some((m, v)) => {
                    let (m, v) = (&m[range.clone()], &v[range]);
                    wide(
                        #[inline(always)]
                        || {
                            let new = g.iter().zip(m.iter().zip(v)).map(|(&g, (&m, &v))| {
                                (
                                    m * s.beta_1 + g * factor_1,
                                    v * s.beta_2 + (g * g) * factor_2,
                                )
                            });
                            outs.zip(p.iter().zip(new)).for_each(write)
                        },
                    )
                }
                // Burn's first step: `g·(1 − β1)` and `g²·(1 − β2)`.
                None => wide(
                    #[inline(always)]
                    || {
                        let new = g.iter().map(|&g| (g * factor_1, (g * g) * factor_2));
                        outs.zip(p.iter().zip(new)).for_each(write)
                    },
                ),
            }
        });
    // SAFETY: the chunks cover the first `n` elements of each buffer, and every element of every
    // chunk was written above.
    unsafe {
        out.param.set_len(n);
        out.moment_1.set_len(n);
        out.moment_2.set_len(n);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(time: i32) -> AdamStep {
        AdamStep::new(0.9, 0.999, time, 1e-8, 1e-3)
    }

    #[test]
    fn the_first_step_moves_each_weight_by_about_lr_against_its_gradient() {
        // At t = 1 the bias corrections cancel: m̂/√v̂ = g/|g|.
        let out = step(&[1.0, 1.0, 0.0], &[0.5, -2.0, 0.0], None, at(1));
        assert!(
            (out.param[0] - (1.0 - 1e-3)).abs() < 1e-6,
            "{:?}",
            out.param
        );
        assert!(
            (out.param[1] - (1.0 + 1e-3)).abs() < 1e-6,
            "{:?}",
            out.param
        );
        assert_eq!(out.param[2], 0.0, "a zero gradient leaves the weight");
        assert_eq!(
            out.moment_1,
            [0.5 * (1.0 - 0.9f32), -2.0 * (1.0 - 0.9f32), 0.0]
        );
    }

    #[test]
    fn every_task_of_a_long_parameter_is_written_and_threads_change_no_bit() {
        let n = 3 * TASK + 17;
        let param: Vec<f32> = (0..n).map(|i| (i % 13) as f32 * 0.25 - 1.0).collect();
        let grad: Vec<f32> = (0..n).map(|i| (i % 7) as f32 * 0.125 - 0.4).collect();
        let m: Vec<f32> = grad.iter().map(|g| g * 0.5).collect();
        let v: Vec<f32> = grad.iter().map(|g| g * g + 0.01).collect();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        let a = step(&param, &grad, Some((&m, &v)), at(3));
        let b = one.install(|| step(&param, &grad, Some((&m, &v)), at(3)));
        assert_eq!(a.param, b.param);
        for k in [0, TASK - 1, TASK, 2 * TASK + 5, n - 1] {
            let mk = m[k] * 0.9 + grad[k] * (1.0 - 0.9f32);
            assert_eq!(a.moment_1[k], mk, "element {k}");
            assert_ne!(a.param[k], param[k], "element {k} was updated");
        }
    }

    #[test]
    fn an_empty_parameter_gives_empty_outputs() {
        let out = step(&[], &[], None, at(1));
        assert!(out.param.is_empty() && out.moment_1.is_empty() && out.moment_2.is_empty());
    }
}
