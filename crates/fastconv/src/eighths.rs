//! Test inputs for the kernels' unit tests.

/// Deterministic multiples of 1/8 in [-1, 1). Every product of two is a multiple of 1/64 with a
/// few significant bits, and every sum the tests form is exact in f32 as in f64, so a kernel and
/// direct loops agree to the bit whatever order they sum in; pooling windows see many ties.
pub(crate) fn eighths(n: usize, seed: u64) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 60) as f32 - 8.0) / 8.0
        })
        .collect()
}
