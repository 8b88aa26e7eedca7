//! The command line: every flag of every command, parsed by clap. What the flags mean once
//! combined with config files and defaults is `plan`'s job.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::backend::BackendKind;
use crate::config::Dataset;
use crate::model::ModelKind;
use crate::optim::OptimizerKind;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Train a CNN on MNIST under learning-rate schedules and show the runs side by side.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub train: TrainArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a schedule's learning rate per step as CSV, and optionally plot it.
    Lr(LrArgs),
    /// Redraw a sweep's pictures and tables from its CSV files, without training.
    Plot(PlotArgs),
    /// Merge sweep folders (the shards of a sweep, say) into one folder and draw its report.
    Report(ReportArgs),
    /// Smith's learning-rate range test: loss against an exponentially growing lr, with the
    /// suggested max_lr/base_lr for cyclical and one_cycle.
    LrFind(LrFindArgs),
    /// Training images/s per model, batch size and CPU backend, side by side with PyTorch.
    Bench(BenchArgs),
    /// A fair schedule study: every arm's peak rate tuned on a grid around the LR range test's
    /// suggestion (on the validation set), then paired final seeds at the tuned peak, with the
    /// table, the claims' verdicts and the pictures (run again to continue a stopped study).
    Study(StudyArgs),
}

#[derive(Debug, Args, Clone)]
pub struct StudyArgs {
    /// The study file (default: the built-in configs/study.toml).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Results root (default runs, which git ignores; `results` for the committed studies); the
    /// study lands in OUT/NAME/.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Study folder name (default: study-DATASET-MODEL-Nep).
    #[arg(long)]
    pub name: Option<String>,
    /// Passes over the training set, instead of the study file's (the budget).
    #[arg(long)]
    pub epochs: Option<u64>,
    /// Data set, instead of the study file's.
    #[arg(long, value_enum)]
    pub dataset: Option<Dataset>,
    /// Backend for every run.
    #[arg(long, value_enum)]
    pub backend: Option<BackendKind>,
    /// Where the data set's files are.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Train only this workload of the study file (its folder under the study's); the report
    /// is drawn by a run without --workload and --shard.
    #[arg(long, value_name = "NAME")]
    pub workload: Option<String>,
    /// Train only arms I, I+N, I+2N, … (counting from 1) of each workload trained; run once
    /// more without it, after every shard has finished, to draw the report.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Runs trained at the same time (as for a sweep).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Stop each run after N steps as if interrupted (tests of continuing a study).
    #[arg(long, value_name = "N", hide = true)]
    pub stop_after: Option<u64>,
    /// No progress output.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Sweep folders to merge.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// The merged folder (created if missing; may be one of the sources).
    #[arg(long)]
    pub out: PathBuf,
    /// Logarithmic learning-rate axes.
    #[arg(long)]
    pub log_y: bool,
}

#[derive(Debug, Args)]
pub struct PlotArgs {
    /// The sweep folder (holding one folder per run).
    pub dir: PathBuf,
    /// Logarithmic learning-rate axes.
    #[arg(long)]
    pub log_y: bool,
}

/// What the network trains on and with: the flags training and the LR range test share (flags
/// override `--config`, which overrides configs/experiment.toml).
#[derive(Debug, Args, Default, Clone)]
pub struct SetupArgs {
    /// Network.
    #[arg(long, value_enum)]
    pub model: Option<ModelKind>,
    /// Optimizer (PyTorch's defaults for each; the schedule-free, Prodigy and D-Adaptation ones
    /// their reference implementations').
    #[arg(long, value_enum)]
    pub optimizer: Option<OptimizerKind>,
    /// Device: auto takes wgpu on a hardware GPU, flex otherwise.
    #[arg(long, value_enum)]
    pub backend: Option<BackendKind>,
    /// Images per optimizer step.
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Fixes initialisation, shuffle order and dropout.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Folder with the four IDX files (else $MNIST_DIR, ./data/mnist, Burn's cache, a download).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Data set.
    #[arg(long, value_enum)]
    pub dataset: Option<Dataset>,
    /// Train on the first N training images only (quick checks).
    #[arg(long)]
    pub train_limit: Option<usize>,
}

/// Training options (flags override `--config`, which overrides configs/experiment.toml).
#[derive(Debug, Args, Default, Clone)]
pub struct TrainArgs {
    /// Schedule presets to train, comma-separated or repeated; `all` for every preset.
    #[arg(long, value_delimiter = ',')]
    pub schedule: Vec<String>,
    /// A TOML file with experiment settings and/or a `[schedule]` table.
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub setup: SetupArgs,
    /// Passes over the training set.
    #[arg(long)]
    pub epochs: Option<u64>,
    /// Results root (default runs, which git ignores; `results` for the committed sweeps); runs
    /// land in OUT/NAME/RUN/.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Sweep folder name under --out (default: dataset-model-optimizer-Nep).
    #[arg(long)]
    pub name: Option<String>,
    /// Evaluate on the first N test images only.
    #[arg(long)]
    pub test_limit: Option<usize>,
    /// Hold out the last N training images as the validation set (default 5,000): the same
    /// images for every seed and schedule; reduce-on-plateau and the time-to-target and best
    /// accuracies look at it, never at the test set.
    #[arg(long, value_name = "N")]
    pub validation: Option<usize>,
    /// Evaluate on the validation set every N optimizer steps (default: a 25th of the run, so
    /// time-to-target is measured at 25 points or more; 0: at epochs' ends only); the test set
    /// is scored at each epoch's end only.
    #[arg(long, value_name = "N")]
    pub eval_every: Option<u64>,
    /// Also run loss decay: this preset multiplies the loss while the lr stays fixed.
    #[arg(long)]
    pub loss_decay: Option<String>,
    /// The fixed lr of the loss-decay run (default: the loss-decay preset's peak); with an
    /// optimizer that needs no schedule (schedule-free, Prodigy, D-Adaptation) and no
    /// --schedule, the constant rate of its one run (default: its reference's).
    #[arg(long)]
    pub lr: Option<f64>,
    /// Stop every run after N optimizer steps.
    #[arg(long)]
    pub max_steps: Option<u64>,
    /// Logarithmic learning-rate axes in the pictures (loss axes are always logarithmic).
    #[arg(long)]
    pub log_y: bool,
    /// No progress output.
    #[arg(long)]
    pub quiet: bool,
    /// Continue a stopped sweep (a sweep folder: finished runs are skipped) or one run (its
    /// folder), with the settings it started with.
    #[arg(long, value_name = "DIR", conflicts_with_all = [
        "schedule", "config", "model", "optimizer", "epochs", "batch_size", "seed", "dataset",
        "out", "name", "train_limit", "test_limit", "validation", "eval_every", "loss_decay", "lr", "max_steps", "shard",
        "seeds", "lr_scale", "peak_lr",
    ])]
    pub resume: Option<PathBuf>,
    /// Train every schedule with N seeds (the seed, seed+1, …); the report adds mean ± std
    /// over seeds and loss curves with min–max bands.
    #[arg(long, value_name = "N")]
    pub seeds: Option<u64>,
    /// Train every schedule at each of these multiples of its rates (e.g. 0.25,0.5,1,2,4: the
    /// same shape at other peaks), as runs NAME-xF; with --seeds, each over the seeds.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "F,G,…",
        allow_negative_numbers = true
    )]
    pub lr_scale: Vec<f64>,
    /// Scale every schedule so that its highest rate is X (every rate times the same factor,
    /// so the shape stays), before --lr-scale: schedules compared at one peak, or a grid
    /// centred on X.
    #[arg(long, value_name = "X")]
    pub peak_lr: Option<f64>,
    /// Train only slice I of N of the sweep (runs I, I+N, I+2N, … in sweep order, counting
    /// from 1), into its own folder NAME-shard-I-of-N; `experiments report` merges the slices.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Spread the runs over these GPUs (indices among the discrete GPUs wgpu finds, e.g. 0,1),
    /// each holding its own copy of the data and training --jobs runs at a time.
    #[arg(long, value_delimiter = ',', value_name = "I,J,…")]
    pub devices: Vec<usize>,
    /// Runs trained at the same time, sharing the data on the device (default: 8 on a GPU, 1
    /// on the CPU; there N runs split the cores, each with its own thread pool).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Read the training losses back from the device every K steps, in one read (default: 1
    /// on the CPU, 16 on a GPU, whose queue each read drains); a diverging run stops within K
    /// steps.
    #[arg(long, value_name = "K")]
    pub read_every: Option<u64>,
    /// Stop each run after N steps as if interrupted, leaving a checkpoint to --resume from.
    #[arg(long, value_name = "N")]
    pub stop_after: Option<u64>,
    /// Save each run's checkpoint every N steps as well as at every epoch's end (default: once
    /// a minute of training has passed since the last one).
    #[arg(long, value_name = "N")]
    pub checkpoint_every: Option<u64>,
    /// Also write each finished run's trained weights to model.bin in its folder (Burn's module
    /// record, read back with `ModuleRecord::from_bytes`); for schedule-free, the averaged
    /// weights x the run was evaluated at.
    #[arg(long)]
    pub save_model: bool,
    /// Continue the sweep this command names if its folder has one (as --resume would), else
    /// start it: what a requeued cluster task needs to run the same command again.
    #[arg(long = "continue", conflicts_with = "resume")]
    pub continue_: bool,
}

/// `I/N` with 1 ≤ I ≤ N.
fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("`{text}` is not I/N with 1 ≤ I ≤ N (e.g. 2/8)");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if i == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

/// Print learning rates per step as CSV (`step,lr`), without training.
#[derive(Debug, Args)]
pub struct LrArgs {
    /// A TOML file holding a `[schedule]` table.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Presets by name, comma-separated or repeated (from configs/schedules/; `all` for every one).
    #[arg(long, value_delimiter = ',')]
    pub schedule: Vec<String>,
    /// Steps to print: t = 0 .. N−1 (default: the default experiment's 3 epochs of 430 steps,
    /// batch 128 over the 55,000 training images the validation set leaves).
    #[arg(long, default_value_t = 1290)]
    pub steps: u64,
    /// Count the schedule's t in epochs of this many steps (the rate is held within an epoch).
    #[arg(long, default_value_t = 1)]
    pub steps_per_epoch: u64,
    /// Also draw the curves to this .png or .svg file, one panel per schedule.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Logarithmic learning-rate axis in the plot.
    #[arg(long)]
    pub log_y: bool,
}

#[derive(Debug, Args)]
pub struct LrFindArgs {
    /// First learning rate.
    #[arg(long, default_value_t = 1e-6)]
    pub start: f64,
    /// Last learning rate (the test stops earlier when the loss explodes).
    #[arg(long, default_value_t = 10.0)]
    pub end: f64,
    /// Steps from --start to --end.
    #[arg(long, default_value_t = 200)]
    pub steps: u64,
    /// Weight of the past in the loss's exponential moving average (fastai's 0.98).
    #[arg(long, default_value_t = 0.98)]
    pub beta: f64,
    #[command(flatten)]
    pub setup: SetupArgs,
    /// Folder for lr-find.csv and the plots (default: runs/lr-find-MODEL-OPTIMIZER).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No per-step output.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Models to time.
    #[arg(long, value_enum, value_delimiter = ',', default_values = ["lenet", "pytorch-example"])]
    pub models: Vec<ModelKind>,
    /// Batch sizes to time.
    #[arg(long, value_delimiter = ',', default_values = ["64", "256"])]
    pub batch_sizes: Vec<usize>,
    /// Backends to time.
    #[arg(long, value_enum, value_delimiter = ',', default_values = ["flex", "ndarray"])]
    pub backends: Vec<BackendKind>,
    /// Optimizer (lr 1e-3), for both sides.
    #[arg(long, value_enum, default_value = "adam")]
    pub optimizer: OptimizerKind,
    /// Untimed steps first (kernel selection, allocator warm-up); on wgpu at least 32, two
    /// reads of the losses, after which no kernel compiles.
    #[arg(long, default_value_t = 5)]
    pub warmup: u64,
    /// Images to time per measurement; the step count is this divided by the batch size.
    #[arg(long, default_value_t = 8192)]
    pub images: u64,
    /// Compute threads for both sides (RAYON_NUM_THREADS, torch.set_num_threads).
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// The PyTorch reference script.
    #[arg(long, default_value = "benches/reference/pytorch_mnist.py")]
    pub reference: PathBuf,
    /// The Python that has torch.
    #[arg(long, default_value = "python3")]
    pub python: String,
    /// The PyTorch device: cpu, or cuda on a GPU machine.
    #[arg(long, default_value = "cpu")]
    pub reference_device: String,
    /// Time Burn alone.
    #[arg(long)]
    pub no_reference: bool,
    /// Measure wgpu on a software adapter (lavapipe, llvmpipe) too, which is otherwise
    /// refused: its figures say nothing of a GPU.
    #[arg(long)]
    pub allow_software: bool,
    /// Turn Burn's kernel fusion off (every GPU operation its own kernel), to measure what
    /// fusion saves.
    #[arg(long)]
    pub unfused: bool,
    /// Also write the table as CSV to FILE.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}
