//! Output buffers zeroed in parallel by the threads that fill them.
//!
//! `vec![0.0; n]` zeroes a whole output on the calling thread before the kernel's threads start
//! (mimalloc hands back used memory, so the zeroing is a real pass); for the outputs of a layer,
//! megabytes at every step, that pass is serial and leaves the data in another core's cache. Here
//! each chunk is zeroed by the thread that works on it, right before it does.

use std::mem::MaybeUninit;

use rayon::prelude::*;

/// `len` zeros, handed in consecutive chunks of `chunk` elements (the last may be shorter) to
/// `work(scratch, index, chunk)` in parallel, each chunk zeroed first by the thread that gets it;
/// `init` makes each thread's scratch, as in rayon's `for_each_init`.
pub(crate) fn par_zeroed<S, I, F>(len: usize, chunk: usize, init: I, work: F) -> Vec<f32>
where
    I: Fn() -> S + Sync + Send,
    F: Fn(&mut S, usize, &mut [f32]) + Sync + Send,
{
    par_zeroed_map(len, chunk, init, work).0
}

/// [`par_zeroed`] where each chunk's work also returns a value: the buffer, and the values in
/// chunk order.
pub(crate) fn par_zeroed_map<S, R, I, F>(
    len: usize,
    chunk: usize,
    init: I,
    work: F,
) -> (Vec<f32>, Vec<R>)
where
    R: Send,
    I: Fn() -> S + Sync + Send,
    F: Fn(&mut S, usize, &mut [f32]) -> R + Sync + Send,
{
    let mut out = Vec::with_capacity(len);
    if len == 0 {
        return (out, Vec::new());
    }
    let results = out.spare_capacity_mut()[..len]
        .par_chunks_mut(chunk.max(1))
        .enumerate()
        .map_init(init, |scratch, (index, part)| {
            part.fill(MaybeUninit::new(0.0));
            // SAFETY: every element of `part` was written just above.
            let part = unsafe { &mut *(part as *mut [MaybeUninit<f32>] as *mut [f32]) };
            work(scratch, index, part)
        })
        .collect();
    // SAFETY: the chunks cover the first `len` elements, and each was zeroed above.
    unsafe { out.set_len(len) };
    (out, results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chunk_is_zeroed_and_handed_over_once_in_place() {
        for (len, chunk) in [(0, 4), (1, 4), (10, 4), (12, 4), (7, 1), (5, 100)] {
            let out = par_zeroed(
                len,
                chunk,
                || (),
                |_, index, part: &mut [f32]| {
                    assert!(part.iter().all(|v| *v == 0.0), "zeroed before the work");
                    for (k, v) in part.iter_mut().enumerate() {
                        *v = (index * chunk + k) as f32;
                    }
                },
            );
            let want: Vec<f32> = (0..len).map(|i| i as f32).collect();
            assert_eq!(out, want, "len {len}, chunk {chunk}");
        }
    }

    #[test]
    fn the_values_come_back_in_chunk_order() {
        let (out, firsts) = par_zeroed_map(10, 3, || (), |_, index, part| (index, part.len()));
        assert_eq!(out, [0.0; 10]);
        assert_eq!(firsts, [(0, 3), (1, 3), (2, 3), (3, 1)]);
        let (out, none) = par_zeroed_map(0, 3, || (), |_, index, _| index);
        assert!(out.is_empty() && none.is_empty());
    }
}
