//! Training: the data on the device, the one training step, the losses read back in batches,
//! evaluation, and a whole run with its checkpoints; every device read in `readback`.

mod data;
mod eval;
mod live;
mod losses;
pub mod readback;
mod run;
mod step;

pub use data::{Batch, DeviceData, hold_out, normalisation};
pub use eval::{evaluate, validate};
pub use losses::{EXPLODED, Losses};
pub use run::{RunFiles, train};
pub use step::{Learner, Loss, Shuffle, splitmix64};
