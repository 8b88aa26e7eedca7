//! The commands, one module each: a sweep (the default command), `lr`, `lr-find`, `bench` and
//! `study`. Each takes its plan from `plan` and is called by `lib::run`; nothing below imports
//! them.

pub mod bench;
pub mod experiment;
pub mod lr;
pub mod lr_find;
pub mod study;
