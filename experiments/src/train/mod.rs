//! Training: the data on the device, the one training step, evaluation, and a whole run with
//! its checkpoints.

mod data;
mod eval;
mod run;
mod step;

pub use data::{Batch, DeviceData, hold_out, normalisation};
pub use eval::{evaluate, validate};
pub use run::{RunFiles, train};
pub use step::{Learner, Loss, Shuffle, splitmix64};
