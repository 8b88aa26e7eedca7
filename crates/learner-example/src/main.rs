//! `cargo run --release -p learner-example -- [--schedule FILE] [--epochs N] ...`: trains an
//! MLP on MNIST in Burn's `SupervisedTraining` under a schedule, then checks the rate of every
//! step against the schedule's `lr(t)`.

use std::path::PathBuf;
use std::process::ExitCode;

use burn_lr_schedules::ScheduleConfig;
use clap::Parser;
use learner_example::{Images, Run, train};

/// Trains MNIST under a schedule in Burn's own training loop.
#[derive(Parser)]
struct Args {
    /// A TOML file with a `[schedule]` table (e.g. configs/schedules/one-cycle.toml); default:
    /// 10% linear warm-up, then cosine to zero, over the whole run.
    #[arg(long)]
    schedule: Option<PathBuf>,
    /// Hold the rate for an epoch: `t` counts epochs (step sizes and lengths read as epochs).
    #[arg(long)]
    per_epoch: bool,
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    #[arg(long, default_value_t = 128)]
    batch_size: usize,
    /// Training images (the first of MNIST's training split).
    #[arg(long, default_value_t = 55_000)]
    train_images: usize,
    /// Validation images, held out after the training images.
    #[arg(long, default_value_t = 5_000)]
    valid_images: usize,
    /// Stop when the validation loss has not improved for this many epochs.
    #[arg(long)]
    stop_after_flat_epochs: Option<usize>,
    /// Folder with the MNIST files (else $MNIST_DIR, ./data/mnist, Burn's cache).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Where Burn's training loop writes its logs (default: a temporary folder).
    #[arg(long)]
    artifacts: Option<PathBuf>,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let n = args.train_images + args.valid_images;
    if args.epochs == 0 || args.batch_size == 0 || args.train_images == 0 || args.valid_images == 0
    {
        return Err(
            "--epochs, --batch-size, --train-images and --valid-images must be positive".into(),
        );
    }
    let data = mnist::load(
        mnist::DatasetKind::Mnist,
        args.data_dir.as_deref(),
        Some(n),
        Some(1),
    )
    .map_err(|e| e.to_string())?;
    if data.train.count < n {
        return Err(format!(
            "--train-images + --valid-images ({n}) exceeds MNIST's {} training images",
            data.train.count
        ));
    }
    let run = Run {
        train: 0..args.train_images,
        valid: args.train_images..n,
        batch_size: args.batch_size,
        epochs: args.epochs,
        hidden: 128,
        seed: 0,
        stop_after_flat_epochs: args.stop_after_flat_epochs,
    };
    let steps_per_epoch = run.steps_per_epoch() as u64;
    let total = if args.per_epoch {
        args.epochs as u64
    } else {
        steps_per_epoch * args.epochs as u64
    };
    let config = match &args.schedule {
        Some(path) => read_schedule(path, total)?,
        None => toml::from_str(&format!(
            "kind = 'warmup'\nwarmup_steps = {}\n[after]\nkind = 'cosine'\nmax_lr = 0.1\ntotal_steps = {}",
            total / 10,
            total - total / 10
        ))
        .map_err(|e| e.to_string())?,
    };
    let mut policy = config.policy().map_err(|e| e.to_string())?;
    if args.per_epoch {
        policy = policy
            .per_epoch(steps_per_epoch)
            .map_err(|e| e.to_string())?;
    }
    let scheduler = burn_lr_schedules::Scheduler::new(policy.clone());

    let temp;
    let dir = match &args.artifacts {
        Some(dir) => dir.as_path(),
        None => {
            temp = tempfile::tempdir()
                .map_err(|e| format!("cannot create a temporary folder: {e}"))?;
            temp.path()
        }
    };
    let trained = train(&Images::new(data.train), &run, scheduler.clone(), dir)?;
    if let Some(why) = trained.interrupted {
        return Err(format!("training was interrupted: {why}"));
    }
    if trained.rates.is_empty() {
        return Err("training took no step".into());
    }

    let (first, last) = (trained.rates[0], trained.rates[trained.rates.len() - 1]);
    println!(
        "{} steps; rate first {first:.6}, last {last:.6}",
        trained.rates.len()
    );
    if let Some(handle) = scheduler.plateau() {
        // The rates depend on the validation losses; the tests check them against a replay.
        let state = handle.state();
        println!(
            "reduce-on-plateau: {} reports, rate now {}",
            state.reports, state.lr
        );
        return Ok(());
    }
    let worst = (trained.rates.iter().enumerate())
        .map(|(t, &rate)| (rate - policy.lr(t as u64)).abs())
        .fold(0.0, f64::max);
    println!("applied rates against lr(t): largest difference {worst:e}");
    if worst > 1e-12 {
        return Err(format!(
            "the loop applied rates up to {worst:e} away from lr(t)"
        ));
    }
    Ok(())
}

/// The `[schedule]` table of a TOML file, as the experiment's presets hold it, its lengths given
/// as shares of the run (`total_steps = "100%"`) made steps of a run of `total`.
fn read_schedule(path: &std::path::Path, total: u64) -> Result<ScheduleConfig, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut file: toml::Table =
        toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))?;
    let table = file
        .remove("schedule")
        .ok_or_else(|| format!("{}: no [schedule] table", path.display()))?;
    burn_lr_schedules::shares::from_toml(table, total)
        .map_err(|e| format!("{}: {e}", path.display()))
}
