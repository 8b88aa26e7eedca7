//! Flags → a validated plan, in one place: the command line, a config file, the built-in
//! defaults and, for `--resume`, what a sweep was started with. Training, `lr-find` and `bench`
//! take their settings from here, so a default or a check is written once.

mod settings;
mod tools;
mod train;

pub use settings::{Planned, Settings};
pub use tools::{BenchPlan, LrFindPlan, Reference};
pub use train::{SweepFile, TrainPlan};
