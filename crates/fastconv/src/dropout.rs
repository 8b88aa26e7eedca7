//! Inverted dropout on f32 with a counter-based mask.
//!
//! Burn's dropout draws one Bernoulli sample per element from a ChaCha generator on one thread,
//! which costs more than a convolution layer here. Instead, one 64-bit seed is drawn per call
//! (from the backend's seeded generator, so runs stay reproducible) and element `i` is kept when
//! a SplitMix64 hash of `(seed, i)` is at least `prob · 2⁶⁴`: the same mask at any thread
//! count, computed in parallel, and recomputed in the backward pass instead of stored.

use crate::buffer::par_zeroed;
use crate::wide::wide;

/// Elements per parallel task.
const TASK: usize = 16 * 1024;

/// The SplitMix64 output for counter `i` of stream `seed`.
#[inline(always)]
fn mix(seed: u64, i: u64) -> u64 {
    let mut z = seed.wrapping_add((i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `values · mask / (1 − prob)`, where the mask keeps each element with probability `1 − prob`.
/// A dropped element is multiplied by 0, so a NaN or an infinity still shows, as in Burn.
pub(crate) fn apply(values: &[f32], prob: f64, seed: u64) -> Vec<f32> {
    assert!(
        (0.0..1.0).contains(&prob),
        "dropout: probability {prob} must be in [0, 1)"
    );
    // `as` saturates, and prob < 1 keeps the threshold below 2⁶⁴.
    let threshold = (prob * 18_446_744_073_709_551_616.0) as u64;
    let scale = (1.0 / (1.0 - prob)) as f32;
    let task = |_: &mut (), task: usize, out: &mut [f32]| {
        let first = task * TASK;
        wide(
            #[inline(always)]
            || {
                for (k, (o, &v)) in out.iter_mut().zip(&values[first..]).enumerate() {
                    let keep = mix(seed, (first + k) as u64) >= threshold;
                    *o = v * if keep { scale } else { 0.0 };
                }
            },
        )
    };
    par_zeroed(values.len(), TASK, || (), task)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_expected_share_and_scales_what_it_keeps() {
        for prob in [0.0, 0.25, 0.5, 0.9] {
            let n = 200_000;
            let out = apply(&vec![1.0; n], prob, 42);
            let kept = out.iter().filter(|v| **v != 0.0).count() as f64 / n as f64;
            assert!(
                (kept - (1.0 - prob)).abs() < 0.005,
                "prob {prob}: kept {kept}"
            );
            let scale = (1.0 / (1.0 - prob)) as f32;
            assert!(out.iter().all(|v| *v == 0.0 || *v == scale));
        }
    }

    #[test]
    fn the_mask_is_a_function_of_seed_and_position_only() {
        let values: Vec<f32> = (0..50_000).map(|i| i as f32 + 1.0).collect();
        let a = apply(&values, 0.5, 7);
        assert_eq!(a, apply(&values, 0.5, 7));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        assert_eq!(a, pool.install(|| apply(&values, 0.5, 7)));
        assert_ne!(a, apply(&values, 0.5, 8));
        // The mask applied to ones, times the values, is the same as applying it to the values.
        let mask = apply(&vec![1.0; values.len()], 0.5, 7);
        let product: Vec<f32> = mask.iter().zip(&values).map(|(m, v)| m * v).collect();
        assert_eq!(a, product);
    }

    #[test]
    fn masks_of_neighbouring_seeds_are_unrelated() {
        let ones = vec![1.0; 100_000];
        let (a, b) = (apply(&ones, 0.5, 1), apply(&ones, 0.5, 2));
        let same = a.iter().zip(&b).filter(|(x, y)| x == y).count() as f64 / ones.len() as f64;
        assert!((same - 0.5).abs() < 0.01, "{same}");
    }

    #[test]
    fn nothing_in_nothing_out() {
        assert!(apply(&[], 0.5, 1).is_empty());
    }

    #[test]
    fn dropped_nans_stay_visible() {
        let out = apply(&[f32::NAN; 64], 0.5, 3);
        assert!(out.iter().all(|v| v.is_nan()));
    }
}
