//! `experiments`: train a CNN on MNIST under any learning-rate schedule, sweep schedules and
//! plot them side by side; `lr` prints a schedule without training; `plot` and `report` redraw
//! and merge sweeps; `lr-find` runs the LR range test; `bench` times training against PyTorch.
//!
//! The binary is a thin shell around [`run`]; `ARCHITECTURE.md` at the repository root says
//! what each module owns and in which direction they depend on each other.

pub mod backend;
pub mod checkpoint;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod fsio;
pub mod kernels;
pub mod layout;
pub mod metrics;
pub mod model;
pub mod optim;
pub mod plan;
pub mod plot;
pub mod presets;
pub mod progress;
pub mod report;
pub mod signals;
pub mod summary;
pub mod traffic;
pub mod train;
pub mod worker;

pub use error::{Ending, Error, Result};

use cli::{Cli, Command};
use commands::{bench, experiment, lr, lr_find, study};
use plan::{BenchPlan, LrFindPlan};

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<Ending> {
    match cli.command {
        None => experiment::run(cli.train),
        Some(Command::Lr(args)) => lr::run(args).map(|()| Ending::Finished),
        Some(Command::Plot(args)) if args.dir.join(layout::STUDY).is_file() => {
            let files = study::redraw(&args.dir)?;
            eprintln!("redrew {} files in {}", files.len(), args.dir.display());
            Ok(Ending::Finished)
        }
        Some(Command::Plot(args)) => {
            let drawn = report::redraw(&args.dir, args.log_y)?;
            eprintln!(
                "redrew {} files in {}",
                drawn.files.len(),
                args.dir.display()
            );
            Ok(Ending::Finished)
        }
        Some(Command::Report(args)) => {
            let drawn = report::merge(&args.out, &args.dirs, args.log_y)?;
            eprintln!(
                "merged {} folder(s) into {} ({} pictures and tables)",
                args.dirs.len(),
                args.out.display(),
                drawn.files.len()
            );
            Ok(Ending::Finished)
        }
        Some(Command::LrFind(args)) => {
            lr_find::run(LrFindPlan::from_args(args)?).map(|_| Ending::Finished)
        }
        Some(Command::Study(args)) => study::run(args),
        Some(Command::Bench(args)) => {
            bench::run(BenchPlan::from_args(args)?).map(|()| Ending::Finished)
        }
    }
}
