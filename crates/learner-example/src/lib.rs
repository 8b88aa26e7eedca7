//! Training MNIST under a `burn-lr-schedules` schedule inside Burn 0.22's own training loop
//! (`burn-train`'s `SupervisedTraining` and `Learner`), rather than a hand-written loop.
//!
//! The scheduler goes into `Learner::new` as any Burn `LrScheduler`; reduce-on-plateau is fed
//! the validation loss after every epoch by `burn_lr_schedules::learner::PlateauFeed` (the `burn-train`
//! feature of `burn-lr-schedules`). The optimizer is wrapped in [`Recording`], so the rate of every step
//! that reached the optimizer can be compared with the schedule's `lr(t)`: the tests do, and so
//! does `cargo run --release -p learner-example`. [`train_groups`] takes Burn's per-group
//! `ModuleLrScheduler` instead, and records the rate of every parameter ([`PerParameter`]).

#![warn(missing_docs)]

mod data;
mod model;
mod recording;
mod renderer;
mod train;

pub use data::{Batch, Images};
pub use model::Mlp;
pub use recording::{PerParameter, Recording};
pub use renderer::EpochLines;
pub use train::{GroupsTrained, Run, Trained, train, train_groups};
