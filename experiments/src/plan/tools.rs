//! The plans of the two tools beside training: the LR range test and the bench.

use std::path::PathBuf;

use super::settings::{Settings, flags};
use crate::backend::BackendKind;
use crate::cli::{BenchArgs, LrFindArgs};
use crate::config;
use crate::error::{Error, Result};
use crate::model::ModelKind;
use crate::optim::OptimizerKind;

/// What `experiments lr-find` does.
#[derive(Debug)]
pub struct LrFindPlan {
    /// The experiment settings it trains with (defaults, then flags).
    pub settings: Settings,
    pub data_dir: Option<PathBuf>,
    pub train_limit: Option<usize>,
    pub start: f64,
    pub end: f64,
    pub steps: u64,
    pub beta: f64,
    /// Where the curve and its plots go.
    pub out: PathBuf,
    pub quiet: bool,
}

impl LrFindPlan {
    /// Checks the range and merges the flags over the built-in defaults.
    pub fn from_args(args: LrFindArgs) -> Result<Self> {
        let ok_rate = |v: f64| v.is_finite() && v > 0.0;
        if !ok_rate(args.start) || !ok_rate(args.end) || args.end <= args.start {
            return Err(Error::new(format!(
                "--start ({}) and --end ({}) must be positive with start < end",
                args.start, args.end
            )));
        }
        if args.steps < 10 {
            return Err(Error::new(format!(
                "--steps ({}) must be at least 10 for a curve",
                args.steps
            )));
        }
        if !(0.0..1.0).contains(&args.beta) {
            return Err(Error::new(format!(
                "--beta ({}) must be in [0, 1)",
                args.beta
            )));
        }
        let file = config::defaults().merged(flags(&args.setup));
        let settings = Settings::of(&file)?;
        if settings.optimizer.estimates_step_size() {
            return Err(Error::new(format!(
                "lr-find: {} estimates its own step size and its rate only multiplies it (default {}), so a range test has nothing to find; train it without --schedule, or with a schedule of multipliers",
                settings.optimizer.name(),
                settings.optimizer.default_lr().unwrap_or(1.0)
            )));
        }
        let out = args.out.unwrap_or_else(|| {
            settings.out.join(format!(
                "lr-find-{}-{}",
                settings.model.name(),
                settings.optimizer.name()
            ))
        });
        Ok(Self {
            settings,
            data_dir: file.data_dir,
            train_limit: file.train_limit,
            start: args.start,
            end: args.end,
            steps: args.steps,
            beta: args.beta,
            out,
            quiet: args.quiet,
        })
    }
}

/// The PyTorch side of the bench.
#[derive(Debug)]
pub struct Reference {
    /// The reference script.
    pub script: PathBuf,
    /// The Python that has torch.
    pub python: String,
    /// `cpu`, or `cuda` on a GPU machine.
    pub device: String,
}

/// What `experiments bench` measures.
#[derive(Debug)]
pub struct BenchPlan {
    pub models: Vec<ModelKind>,
    pub batch_sizes: Vec<usize>,
    pub backends: Vec<BackendKind>,
    pub optimizer: OptimizerKind,
    pub warmup: u64,
    pub images: u64,
    pub threads: usize,
    /// `None` with `--no-reference`.
    pub reference: Option<Reference>,
    /// Where the table goes as CSV, if anywhere.
    pub csv: Option<PathBuf>,
    /// `--allow-software`: measure wgpu on a software adapter.
    pub allow_software: bool,
    /// `--unfused`: Burn's kernel fusion off.
    pub unfused: bool,
}

impl BenchPlan {
    /// Checks the counts and that the reference script is there.
    pub fn from_args(args: BenchArgs) -> Result<Self> {
        if args.threads == 0 || args.batch_sizes.contains(&0) {
            return Err("--threads and --batch-sizes must be at least 1".into());
        }
        if !args.no_reference && args.optimizer.default_lr().is_some() {
            return Err(Error::new(format!(
                "--optimizer {}: the PyTorch reference of the bench has no such optimizer; pass --no-reference",
                args.optimizer.name()
            )));
        }
        if !args.no_reference && !args.reference.is_file() {
            return Err(Error::new(format!(
                "{} not found; run from the repository root, pass --reference FILE, or --no-reference",
                args.reference.display()
            )));
        }
        if let Some(csv) = &args.csv {
            let folder = csv.parent().filter(|p| !p.as_os_str().is_empty());
            if csv.is_dir() || folder.is_some_and(|f| !f.is_dir()) {
                return Err(Error::new(format!(
                    "--csv {}: not a file in an existing folder",
                    csv.display()
                )));
            }
        }
        Ok(Self {
            csv: args.csv,
            reference: (!args.no_reference).then_some(Reference {
                script: args.reference,
                python: args.python,
                device: args.reference_device,
            }),
            models: args.models,
            batch_sizes: args.batch_sizes,
            backends: args.backends,
            optimizer: args.optimizer,
            warmup: args.warmup,
            images: args.images,
            threads: args.threads,
            allow_software: args.allow_software,
            unfused: args.unfused,
        })
    }
}
