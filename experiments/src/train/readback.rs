//! Every device→host read that training, evaluation, the range test and the bench make goes
//! through here, and is counted: a read drains the device's queue, so the loop is held to a
//! budget of them (a test counts them per step). `clippy.toml` forbids the direct reads
//! (`into_scalar`, `into_data`, `to_data`) elsewhere in the crate.

#![allow(clippy::disallowed_methods)] // the one module allowed to read

use std::sync::atomic::{AtomicU64, Ordering};

use burn::tensor::{Tensor, TensorData};

/// Reads since the process started, on every device and thread.
static READS: AtomicU64 = AtomicU64::new(0);

/// How many device→host reads this process has made so far.
pub fn reads() -> u64 {
    READS.load(Ordering::Relaxed)
}

/// The values of `t`, in one read, as f32 (the losses' and logits' own type here).
pub fn floats(t: Tensor<1>) -> Vec<f32> {
    READS.fetch_add(1, Ordering::Relaxed);
    let data: TensorData = t.into_data();
    data.convert::<f32>()
        .try_to_vec::<f32>()
        .unwrap_or_else(|e| unreachable!("an f32 tensor converted to f32 reads as f32: {e:?}"))
}

/// A module's record for a checkpoint or a saved model: a read of every parameter, counted
/// once, as one checkpoint.
pub fn counted<T>(read: impl FnOnce() -> T) -> T {
    READS.fetch_add(1, Ordering::Relaxed);
    read()
}
