//! The momentum shared between a training loop and an optimizer.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A momentum (or Adam's β1) that the training loop sets and the optimizer reads at each step.
/// Clones share the value.
///
/// ```
/// let handle = momentum::MomentumHandle::new(0.9);
/// let shared = handle.clone();
/// handle.set(0.85);
/// assert_eq!(shared.get(), 0.85);
/// ```
#[derive(Clone, Debug)]
pub struct MomentumHandle(Arc<AtomicU64>);

impl MomentumHandle {
    /// A handle holding `value`.
    ///
    /// # Panics
    ///
    /// If `value` is not in `[0, 1)`, see [`set`](Self::set).
    pub fn new(value: f64) -> Self {
        let handle = Self(Arc::new(AtomicU64::new(0)));
        handle.set(value);
        handle
    }

    /// Puts `value` in force for the next steps.
    ///
    /// # Panics
    ///
    /// If `value` is not in `[0, 1)`: at 1 or more the momentum never forgets a gradient and
    /// the update grows without bound, and PyTorch's Adam refuses such a β1.
    pub fn set(&self, value: f64) {
        assert!(
            (0.0..1.0).contains(&value),
            "momentum ({value}) must be at least 0 and less than 1"
        );
        // Relaxed suffices: the loop sets the value before the `step` call that reads it, on
        // the same thread or across the synchronisation that hands the optimizer over.
        self.0.store(value.to_bits(), Ordering::Relaxed);
    }

    /// The value in force.
    pub fn get(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::Relaxed))
    }
}
