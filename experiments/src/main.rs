//! `experiments`: train a CNN on MNIST under any learning-rate schedule, sweep schedules and
//! plot them side by side; `lr` prints a schedule without training; `plot` redraws a sweep.

mod backend;
mod bench;
mod checkpoint;
mod config;
mod experiment;
mod lr;
mod lr_find;
mod model;
mod optim;
mod plot;
mod progress;
mod results;
mod sweep;
mod train;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Training allocates and frees tensors of the same few sizes at every step; mimalloc keeps
/// them in thread-local free lists instead of returning memory to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Train a CNN on MNIST under learning-rate schedules and show the runs side by side.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    train: experiment::TrainArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print a schedule's learning rate per step as CSV, and optionally plot it.
    Lr(lr::LrArgs),
    /// Redraw a sweep's pictures and tables from its CSV files, without training.
    Plot(PlotArgs),
    /// Merge sweep folders (the shards of a sweep, say) into one folder and draw its report.
    Report(ReportArgs),
    /// Smith's learning-rate range test: loss against an exponentially growing lr, with the
    /// suggested max_lr/base_lr for cyclical and one_cycle.
    LrFind(lr_find::LrFindArgs),
    /// Training images/s per model, batch size and CPU backend, side by side with PyTorch.
    Bench(bench::BenchArgs),
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// Sweep folders to merge.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// The merged folder (created if missing; may be one of the sources).
    #[arg(long)]
    out: PathBuf,
    /// Logarithmic learning-rate axes.
    #[arg(long)]
    log_y: bool,
}

#[derive(Debug, Args)]
struct PlotArgs {
    /// The sweep folder (holding one folder per run).
    dir: PathBuf,
    /// Logarithmic learning-rate axes.
    #[arg(long)]
    log_y: bool,
}

/// Mesa's Vulkan drivers print `error: XDG_RUNTIME_DIR is invalid` when probing for a display
/// that training never uses; give them a private folder so the only `error:` lines are ours.
/// Returns the folder to remove at exit.
fn quiet_vulkan_probe() -> Option<PathBuf> {
    #[cfg(unix)]
    if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        use std::os::unix::fs::DirBuilderExt;
        let dir = std::env::temp_dir().join(format!("experiments-runtime-{}", std::process::id()));
        if std::fs::DirBuilder::new().mode(0o700).create(&dir).is_ok() {
            // SAFETY: called first thing in main, before any other thread exists.
            unsafe { std::env::set_var("XDG_RUNTIME_DIR", &dir) };
            return Some(dir);
        }
    }
    None
}

fn main() -> ExitCode {
    let runtime_dir = quiet_vulkan_probe();
    let cli = Cli::try_parse().unwrap_or_else(|e| {
        if let Some(dir) = &runtime_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        e.exit()
    });
    let result = match cli.command {
        Some(Command::Lr(args)) => lr::run(args).map(|()| true),
        Some(Command::Plot(args)) => sweep::read_sweep(&args.dir, None)
            .and_then(|runs| sweep::report(&args.dir, &runs, args.log_y))
            .map(|files| {
                eprintln!("redrew {} files in {}", files.len(), args.dir.display());
                true
            }),
        Some(Command::Report(args)) => {
            sweep::merge(&args.out, &args.dirs, args.log_y).map(|files| {
                eprintln!(
                    "merged {} folder(s) into {} ({} pictures and tables)",
                    args.dirs.len(),
                    args.out.display(),
                    files.len()
                );
                true
            })
        }
        Some(Command::LrFind(args)) => lr_find::run(args).map(|()| true),
        Some(Command::Bench(args)) => bench::run(args).map(|()| true),
        None => experiment::run(cli.train),
    };
    if let Some(dir) = runtime_dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    match result {
        Ok(true) => ExitCode::SUCCESS,
        // Stopped by a signal or --stop-after, checkpoints saved: the shell's code for SIGINT.
        Ok(false) => ExitCode::from(130),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
