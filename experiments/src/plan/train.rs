//! The training plan: which runs, with which settings, into which sweep folder. A command
//! makes a [`Draft`] (from the command line, a study's step or `sweep.toml`); [`Draft::finish`]
//! makes it the finished [`TrainPlan`] that training takes, once the data say how long a run is.

use super::pending::{self, Pending};
use super::settings::{Planned, Settings};
use crate::backend::BackendKind;
use crate::config::ConfigFile;
use crate::error::{Error, Result};
use crate::layout::SweepDir;
use crate::presets::AutoRates;

/// How a sweep is driven, beside what it trains: none of these change a run's results.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Stop each run after N steps as if interrupted (tests of resuming).
    pub stop_after: Option<u64>,
    /// `--checkpoint-every`: steps between checkpoints within an epoch.
    pub checkpoint_every: Option<u64>,
    /// `--save-model`: write each finished run's weights to `model.bin`.
    pub save_model: bool,
    pub log_y: bool,
    pub quiet: bool,
    /// `--devices`: GPU indices to spread the runs over.
    pub devices: Vec<usize>,
    /// `--jobs`: runs at a time on each device.
    pub jobs: Option<usize>,
    /// `--read-every`: steps between reads of the training losses (default: the backend's
    /// [`Traffic`](crate::traffic::Traffic)). Changes only where a diverged run stops.
    pub read_every: Option<u64>,
}

/// Everything a training command will do, checked before anything is trained or written. `R`
/// is [`Planned`] once finished, [`Pending`] in a [`Draft`].
#[derive(Debug)]
pub struct TrainPlan<R = Planned> {
    /// The merged config (the settings plus data folder and limits), as `config.toml` repeats it.
    pub file: ConfigFile,
    pub settings: Settings,
    /// The runs, in sweep order; empty for a shard past the end of the sweep.
    pub runs: Vec<R>,
    pub sweep: SweepDir,
    /// Continuing a stopped sweep: finished runs are skipped, checkpoints resumed.
    pub resuming: bool,
    pub max_steps: Option<u64>,
    pub options: Options,
}

/// A plan whose runs may still hold shares of the run, `"auto"` rates and a peak to scale to.
pub type Draft = TrainPlan<Pending>;

/// A new sweep, however it was asked for: the command line or a study's step.
#[derive(Debug, Default)]
pub struct SweepSpec {
    /// The settings: the defaults, a config file and flags merged.
    pub file: ConfigFile,
    /// Its runs, before peak, multiples, seeds and shards.
    pub runs: Vec<Pending>,
    /// The folder's name under `out` (default `DATASET-MODEL-OPTIMIZER-Nep`).
    pub name: Option<String>,
    /// Every run scaled to this highest rate (`--peak-lr`).
    pub peak_lr: Option<f64>,
    /// Every run at each of these multiples of its rates (`--lr-scale`).
    pub lr_scale: Vec<f64>,
    /// Every run over this many seeds (`--seeds`).
    pub seeds: Option<u64>,
    /// Only runs I, I+N, … (`--shard I/N`).
    pub shard: Option<(usize, usize)>,
    pub max_steps: Option<u64>,
    pub options: Options,
}

impl<R> TrainPlan<R> {
    /// Steps every run takes (fewer when it diverges), given the training images.
    pub fn steps(&self, train_images: usize) -> u64 {
        self.settings.total_steps(train_images, self.max_steps)
    }
}

impl Draft {
    /// A new sweep's plan, before [`Draft::new`] looks at its folder.
    pub(super) fn build(spec: SweepSpec) -> Result<Self> {
        check_options(&spec.options)?;
        let settings = Settings::of(&spec.file)?;
        if spec.max_steps == Some(0) {
            return Err("--max-steps (0) must be at least 1".into());
        }
        let mut runs = spec.runs;
        let mut seen = std::collections::HashSet::new();
        runs.retain(|p| seen.insert(p.run.name.clone()));
        if let Some(peak) = spec.peak_lr {
            pending::at_peak(&mut runs, peak)?;
        }
        if !spec.lr_scale.is_empty() {
            runs = pending::over_scales(runs, &spec.lr_scale)?;
        }
        match spec.seeds {
            Some(0) => return Err("--seeds (0) must be at least 1".into()),
            Some(n) if n > 1 => runs = pending::over_seeds(runs, settings.seed, n),
            _ => {}
        }
        if let Some((i, n)) = spec.shard {
            runs = (runs.into_iter().enumerate())
                .filter(|(k, _)| k % n == i - 1)
                .map(|(_, p)| p)
                .collect();
        }
        let name = spec.name.unwrap_or_else(|| {
            format!(
                "{}-{}-{}-{}ep",
                settings.dataset.name(),
                settings.model.name(),
                settings.optimizer.name(),
                settings.epochs
            )
        });
        let name = match spec.shard {
            Some((i, n)) => format!("{name}-shard-{i}-of-{n}"),
            None => name,
        };
        Ok(TrainPlan {
            sweep: SweepDir::new(settings.out.join(name)),
            file: spec.file,
            settings,
            runs,
            resuming: false,
            max_steps: spec.max_steps,
            options: spec.options,
        })
    }

    /// Whether finishing needs the LR range test (a run has an `"auto"` rate).
    pub fn needs_range_test(&self) -> bool {
        self.runs.iter().any(|p| !p.auto.is_empty())
    }

    /// The finished plan, for `train_images` training images: the runs' lengths given as
    /// shares made steps, their `"auto"` rates filled from `range_test` (called only when a run
    /// has one), then their rates scaled to `--peak-lr` and `--lr-scale`.
    pub fn finish(
        self,
        train_images: usize,
        range_test: impl FnOnce(&Settings) -> Result<AutoRates>,
    ) -> Result<TrainPlan> {
        let total = self.steps(train_images);
        let needs_range_test = self.needs_range_test();
        let TrainPlan {
            file,
            settings,
            mut runs,
            sweep,
            resuming,
            max_steps,
            options,
        } = self;
        for p in &mut runs {
            p.size(total)?;
        }
        if needs_range_test {
            let rates = range_test(&settings)?;
            for p in runs.iter_mut().filter(|p| !p.auto.is_empty()) {
                p.fill_auto(rates)?;
            }
        }
        for p in &mut runs {
            p.apply_scale()?;
        }
        Ok(TrainPlan {
            file,
            settings,
            runs: runs.into_iter().map(|p| p.run).collect(),
            sweep,
            resuming,
            max_steps,
            options,
        })
    }
}

impl TrainPlan {
    /// The fully resolved settings of one run, as its `config.toml` (it trains again with
    /// `--config`).
    pub fn run_config(&self, run: &Planned, used: BackendKind) -> ConfigFile {
        let s = &self.settings;
        ConfigFile {
            model: Some(s.model),
            optimizer: Some(s.optimizer),
            backend: Some(used),
            dataset: Some(s.dataset),
            epochs: Some(s.epochs),
            batch_size: Some(s.batch_size),
            seed: Some(run.seed_in(s)),
            schedule: Some(run.schedule.clone()),
            loss_decay: run.loss_decay.clone(),
            ..self.file.clone()
        }
    }
}

/// The checks of [`Options`] alone.
pub(super) fn check_options(options: &Options) -> Result<()> {
    if options.read_every == Some(0) {
        return Err(Error::new(
            "--read-every (0) must be at least 1 step".to_string(),
        ));
    }
    if options.checkpoint_every == Some(0) {
        return Err(Error::new(
            "--checkpoint-every (0) must be at least 1 step".to_string(),
        ));
    }
    Ok(())
}
