#![warn(missing_docs)]

//! The statistics a study of training runs needs: each arm (a learning-rate schedule under an
//! optimizer) is trained over the same seeds, so arms are compared seed by seed, and the study
//! then asks how far its ranking of arms holds across workloads, how soon an arm reaches a
//! target accuracy, and whether a tuning grid's pick beats its runner-up by more than noise.
//!
//! Every function is pure: no I/O, and randomised procedures take their seed explicitly, so a
//! committed study reproduces bit for bit.

mod agreement;
mod interval;
mod multiple;
mod paired;
mod rng;
mod time;
mod tuning;

pub use agreement::{kendall_tau_b, kendall_w, kendall_w_bootstrap, performance_profile};
pub use interval::{Interval, bootstrap_mean, t_interval};
pub use multiple::holm;
pub use paired::{
    SIGN_FLIP_EXACT_MAX, SIGN_FLIP_RESAMPLES, Score, Wilcoxon, sign_flip, signed_differences,
    wilcoxon,
};
pub use time::reach_and_stay;
pub use tuning::{Resolution, median, resolve};
