//! Flags → a validated plan, in one place: the command line, a config file, the built-in
//! defaults and, for `--resume`, what a sweep was started with. Training, `lr-find` and `bench`
//! take their settings from here, so a default or a check is written once; a sweep's plan is
//! finished here too (lengths, `"auto"` rates, scaling), once the data are loaded.

mod command;
mod pending;
mod settings;
pub mod study;
mod sweep;
mod tools;
mod train;

pub use pending::Pending;
pub use settings::{Planned, Settings};
pub use sweep::SweepFile;
pub use tools::{BenchPlan, LrFindPlan, Reference};
pub use train::{Draft, Options, SweepSpec, TrainPlan};
