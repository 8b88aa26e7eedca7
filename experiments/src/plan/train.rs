//! The training plan: which runs, with which settings, into which sweep folder.

use std::path::Path;

use burn_lr_schedules::{Schedule, ScheduleConfig};
use serde::{Deserialize, Serialize};

use super::settings::{Planned, Settings, flags};
use crate::backend::BackendKind;
use crate::cli::TrainArgs;
use crate::config::{self, ConfigFile};
use crate::error::{Error, Result};
use crate::fsio;
use crate::layout::{self, SweepDir};
use crate::presets;

/// `sweep.toml`: what a sweep was started with, so `--resume` can finish it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_steps: Option<u64>,
    pub log_y: bool,
    pub settings: ConfigFile,
    pub runs: Vec<Planned>,
}

/// Everything a training command will do, checked before anything is trained or written.
#[derive(Debug)]
pub struct TrainPlan {
    /// The merged config (the settings plus data folder and limits), as `config.toml` repeats it.
    pub file: ConfigFile,
    pub settings: Settings,
    /// The runs, in sweep order; empty for a shard past the end of the sweep.
    pub runs: Vec<Planned>,
    pub sweep: SweepDir,
    /// Continuing a stopped sweep: finished runs are skipped, checkpoints resumed.
    pub resuming: bool,
    pub max_steps: Option<u64>,
    pub stop_after: Option<u64>,
    /// `--checkpoint-every`: steps between checkpoints within an epoch.
    pub checkpoint_every: Option<u64>,
    pub log_y: bool,
    pub quiet: bool,
    /// `--devices`: GPU indices to spread the runs over.
    pub devices: Vec<usize>,
    /// `--jobs`: runs at a time on each device.
    pub jobs: Option<usize>,
}

impl TrainPlan {
    /// The plan of a training command line (a fresh sweep, or `--resume`).
    pub fn from_args(args: TrainArgs) -> Result<Self> {
        if args.checkpoint_every == Some(0) {
            return Err("--checkpoint-every (0) must be at least 1 step".into());
        }
        match &args.resume {
            Some(dir) => resume(dir.clone(), args),
            None if args.continue_ => continued(args),
            None => fresh(args),
        }
    }

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

    /// Writes `sweep.toml`, so `--resume` can finish the sweep.
    pub fn save(&self) -> Result<()> {
        let sweep = SweepFile {
            max_steps: self.max_steps,
            log_y: self.log_y,
            settings: ConfigFile {
                // Absolute, so a resume from another working directory finds the data.
                data_dir: self
                    .file
                    .data_dir
                    .as_ref()
                    .map(|d| std::path::absolute(d).unwrap_or_else(|_| d.clone())),
                loss_decay: None,
                schedule: None,
                ..self.file.clone()
            },
            runs: self.runs.clone(),
        };
        let text = toml::to_string(&sweep)
            .map_err(|e| format!("cannot serialise {}: {e}", layout::SWEEP))?;
        fsio::write_atomic(&self.sweep.file(layout::SWEEP), text.as_bytes())
    }

    /// Steps every run takes (fewer when it diverges), given the training images.
    pub fn steps(&self, train_images: usize) -> u64 {
        self.settings.total_steps(train_images, self.max_steps)
    }
}

/// A fresh sweep: defaults, then `--config`, then flags; presets; loss decay; seeds; shards.
fn fresh(args: TrainArgs) -> Result<TrainPlan> {
    let mut file = config::defaults();
    let mut file_schedule = None;
    let mut file_shares = config::FileShares::default();
    if let Some(path) = &args.config {
        let (name, mut given, found) = config::read_config(path)?;
        file_schedule = given.schedule.take().map(|s| (name, s));
        file = file.merged(given);
        file_shares = found;
    }
    let file = file.merged(ConfigFile {
        epochs: args.epochs,
        out: args.out.clone(),
        test_limit: args.test_limit,
        validation: args.validation,
        eval_every: args.eval_every,
        ..flags(&args.setup)
    });
    let settings = Settings::of(&file)?;
    if args.max_steps == Some(0) {
        return Err("--max-steps (0) must be at least 1".into());
    }
    let mut runs = Vec::new();
    if args.schedule.is_empty()
        && let Some((name, schedule)) = file_schedule
    {
        runs.push(Planned {
            shares: file_shares.schedule,
            ..Planned::new(name, schedule)
        });
    }
    for name in presets::expand_all(&args.schedule) {
        let preset = presets::preset_auto(&name)?;
        runs.push(Planned {
            auto: preset.auto,
            shares: preset.shares,
            ..Planned::new(name, preset.schedule)
        });
    }
    let loss_decay = match &args.loss_decay {
        Some(name) => Some((format!("loss-decay-{name}"), presets::preset(name)?)),
        None => file
            .loss_decay
            .clone()
            .map(|s| ("loss-decay".to_string(), (s, file_shares.loss_decay))),
    };
    if let Some((name, (decay, decay_shares))) = loss_decay {
        if decay.plateau_part().is_some() {
            // The multiplier is the pure schedule: a plateau part would never see a metric.
            return Err(Error::new(format!(
                "{name}: a schedule with a plateau part cannot be a loss multiplier (it follows reported metrics); use plateau as --schedule, or decay the loss with another schedule"
            )));
        }
        let lr = args.lr.unwrap_or_else(|| decay.bounds().1);
        let schedule = config::check("--lr", ScheduleConfig::Constant(burn_lr_schedules::Constant { lr }))?;
        runs.push(Planned {
            loss_decay: Some(decay),
            loss_decay_shares: decay_shares,
            ..Planned::new(name, schedule)
        });
    }
    if runs.is_empty() {
        return Err(Error::new(format!(
            "no schedule to train: pass --schedule NAME (presets: {}, or all) or --config FILE with a [schedule] table",
            presets::preset_names().join(", ")
        )));
    }
    let mut seen = std::collections::HashSet::new();
    runs.retain(|p| seen.insert(p.name.clone()));
    if let Some(peak) = args.peak_lr {
        if !(peak.is_finite() && peak > 0.0) {
            return Err(Error::new(format!(
                "--peak-lr {peak}: the highest rate must be a positive number, like 0.05"
            )));
        }
        for run in &mut runs {
            run.peak_lr = Some(peak);
            run.scale_pending = true;
        }
    }
    if !args.lr_scale.is_empty() {
        runs = over_scales(runs, &args.lr_scale)?;
    }
    match args.seeds {
        Some(0) => return Err("--seeds (0) must be at least 1".into()),
        Some(n) if n > 1 => runs = over_seeds(runs, settings.seed, n),
        _ => {}
    }
    if let Some((i, n)) = args.shard {
        runs = runs
            .into_iter()
            .enumerate()
            .filter(|(k, _)| k % n == i - 1)
            .map(|(_, p)| p)
            .collect();
    }
    let name = args.name.clone().unwrap_or_else(|| {
        format!(
            "{}-{}-{}-{}ep",
            settings.dataset.name(),
            settings.model.name(),
            settings.optimizer.name(),
            settings.epochs
        )
    });
    let name = match args.shard {
        Some((i, n)) => format!("{name}-shard-{i}-of-{n}"),
        None => name,
    };
    Ok(TrainPlan {
        sweep: SweepDir::new(settings.out.join(name)),
        file,
        settings,
        runs,
        resuming: false,
        max_steps: args.max_steps,
        stop_after: args.stop_after,
        checkpoint_every: args.checkpoint_every,
        log_y: args.log_y,
        quiet: args.quiet,
        devices: args.devices,
        jobs: args.jobs,
    })
}

/// `--continue`: the sweep the command names, resumed when its folder holds one (with the same
/// runs; else it is another sweep), started fresh otherwise.
fn continued(args: TrainArgs) -> Result<TrainPlan> {
    let planned = fresh(args.clone())?;
    if !planned.sweep.file(layout::SWEEP).is_file() {
        return Ok(planned);
    }
    let dir = planned.sweep.path().to_path_buf();
    let plan = resume(dir.clone(), args)?;
    let names = |p: &TrainPlan| p.runs.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
    if names(&plan) != names(&planned) {
        return Err(Error::new(format!(
            "--continue: {} holds another sweep (its runs differ from this command's); pass another --name",
            dir.display()
        )));
    }
    Ok(plan)
}

/// Each run at every factor of `--lr-scale`, named `NAME-xF`; the scaling itself waits for the
/// `"auto"` rates ([`Planned::apply_scale`]).
fn over_scales(runs: Vec<Planned>, factors: &[f64]) -> Result<Vec<Planned>> {
    if let Some(bad) = factors.iter().find(|f| !(f.is_finite() && **f > 0.0)) {
        return Err(Error::new(format!(
            "--lr-scale {bad}: a multiple of the rates must be a positive number, like 0.5 or 2"
        )));
    }
    let mut seen = Vec::new();
    for f in factors {
        if seen.contains(f) {
            return Err(Error::new(format!("--lr-scale {f} is given twice")));
        }
        seen.push(*f);
    }
    Ok(runs
        .into_iter()
        .flat_map(|p| {
            factors.iter().map(move |&f| Planned {
                name: format!("{}-x{}", p.name, short(f)),
                lr_scale: Some(f),
                scaled_from: Some(p.name.clone()),
                scale_pending: true,
                ..p.clone()
            })
        })
        .collect())
}

/// A factor as a name needs it: `2`, `0.5`, `1e-5`, never hundreds of digits.
fn short(f: f64) -> String {
    if f.fract() == 0.0 && f < 1e6 {
        format!("{f}")
    } else {
        format!("{f:?}")
    }
}

/// Each run `n` times, with the seeds S, S+1, …, named `NAME-seedS` and grouped by `NAME`.
fn over_seeds(runs: Vec<Planned>, first: u64, n: u64) -> Vec<Planned> {
    runs.into_iter()
        .flat_map(|p| {
            (0..n).map(move |k| {
                let seed = first.wrapping_add(k);
                Planned {
                    name: format!("{}-seed{seed}", p.name),
                    seed: Some(seed),
                    group: Some(p.name.clone()),
                    ..p.clone()
                }
            })
        })
        .collect()
}

/// What `--resume DIR` continues: the sweep folder, its settings and the runs to finish (all of
/// the sweep's, or the one whose folder DIR is). `--backend`, `--data-dir` and `--log-y` may
/// still be given.
fn resume(dir: std::path::PathBuf, args: TrainArgs) -> Result<TrainPlan> {
    let is_sweep = |d: &Path| d.join(layout::SWEEP).is_file();
    let (sweep_dir, only) = if is_sweep(&dir) {
        (dir.clone(), None)
    } else if let Some(parent) = dir.parent().filter(|p| is_sweep(p)) {
        let run = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        (parent.to_path_buf(), run)
    } else {
        return Err(Error::new(format!(
            "--resume {}: no {} there or in its parent; pass a sweep folder (or a run folder inside one) written by this program",
            dir.display(),
            layout::SWEEP
        )));
    };
    let sweep = SweepDir::new(sweep_dir);
    let path = sweep.file(layout::SWEEP);
    let saved: SweepFile =
        config::parse_toml(&path.display().to_string(), &fsio::read_to_string(&path)?)?;
    if saved.settings.validation.is_none() {
        return Err(Error::new(format!(
            "{}: this sweep was started before runs held out a validation set, so it cannot continue the same way; start it again without --resume",
            path.display()
        )));
    }
    let file = saved.settings.merged(ConfigFile {
        backend: args.setup.backend,
        data_dir: args.setup.data_dir.clone(),
        ..ConfigFile::default()
    });
    let settings = Settings::of(&file)?;
    for p in &saved.runs {
        config::check(
            &format!("{} run {}", path.display(), p.name),
            p.schedule.clone(),
        )?;
    }
    let mut runs = saved.runs;
    if let Some(run) = only {
        runs.retain(|p| p.name == run);
        if runs.is_empty() {
            return Err(Error::new(format!(
                "--resume {}: {} has no run `{run}`; pass the sweep folder instead",
                dir.display(),
                path.display()
            )));
        }
    }
    Ok(TrainPlan {
        file,
        settings,
        runs,
        sweep,
        resuming: true,
        max_steps: saved.max_steps,
        stop_after: args.stop_after,
        checkpoint_every: args.checkpoint_every,
        log_y: args.log_y || saved.log_y,
        quiet: args.quiet,
        devices: args.devices,
        jobs: args.jobs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    fn plan(flags: &[&str]) -> Result<TrainPlan> {
        let cli = Cli::try_parse_from(std::iter::once("experiments").chain(flags.iter().copied()))
            .expect("flags parse");
        TrainPlan::from_args(cli.train)
    }

    #[test]
    fn seeds_and_shards_slice_the_sweep_in_order() {
        let p = plan(&["--schedule", "fixed,cosine", "--seeds", "3", "--seed", "7"]).unwrap();
        let names: Vec<&str> = p.runs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "fixed-seed7",
                "fixed-seed8",
                "fixed-seed9",
                "cosine-seed7",
                "cosine-seed8",
                "cosine-seed9"
            ]
        );
        assert_eq!(
            p.sweep.path(),
            Path::new("results/mnist-lenet-momentum-3ep")
        );
        let config = p.run_config(&p.runs[4], BackendKind::Flex);
        assert_eq!(
            (config.seed, config.backend),
            (Some(8), Some(BackendKind::Flex))
        );

        let p = plan(&[
            "--schedule",
            "fixed,cosine",
            "--seeds",
            "3",
            "--shard",
            "2/4",
        ])
        .unwrap();
        let names: Vec<&str> = p.runs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["fixed-seed43", "cosine-seed44"],
            "runs 2 and 6 of 6"
        );
        assert!(
            p.sweep
                .path()
                .ends_with("mnist-lenet-momentum-3ep-shard-2-of-4")
        );
        let empty = plan(&["--schedule", "fixed", "--shard", "3/4"]).unwrap();
        assert!(
            empty.runs.is_empty(),
            "a shard past the sweep has nothing to train"
        );
    }

    #[test]
    fn flags_override_the_defaults_and_bad_values_are_one_line() {
        let p = plan(&[
            "--schedule",
            "clr",
            "--epochs",
            "2",
            "--optimizer",
            "adam",
            "--out",
            "o",
        ])
        .unwrap();
        assert_eq!((p.settings.epochs, p.settings.batch_size), (2, 128));
        assert_eq!(p.sweep.path(), Path::new("o/mnist-lenet-adam-2ep"));
        for (flags, message) in [
            (
                &["--schedule", "fixed", "--epochs", "0"][..],
                "epochs (0) must be at least 1",
            ),
            (
                &["--schedule", "fixed", "--seeds", "0"],
                "--seeds (0) must be at least 1",
            ),
            (&["--schedule", "nope"], "unknown schedule preset `nope`"),
            (&[], "no schedule to train"),
        ] {
            let err = plan(flags).unwrap_err();
            assert!(err.message().starts_with(message), "{err}");
            assert!(!err.message().contains('\n'), "{err}");
        }
        let err = plan(&["--resume", "/nonexistent"]).unwrap_err();
        assert!(
            err.message()
                .contains("no sweep.toml there or in its parent"),
            "{err}"
        );
    }

    #[test]
    fn loss_decay_adds_a_fixed_rate_run_at_the_presets_peak() {
        let p = plan(&["--schedule", "fixed", "--loss-decay", "cosine"]).unwrap();
        let run = &p.runs[1];
        assert_eq!(run.name, "loss-decay-cosine");
        assert_eq!(
            run.schedule.bounds().1,
            run.loss_decay.as_ref().unwrap().bounds().1
        );
        assert_eq!(run.schedule.kind(), "constant");
    }

    #[test]
    fn loss_decay_refuses_a_plateau_part() {
        for preset in ["plateau", "warmup-plateau"] {
            let err = plan(&["--schedule", "fixed", "--loss-decay", preset]).unwrap_err();
            assert!(
                err.message().contains("cannot be a loss multiplier"),
                "{err}"
            );
        }
    }
}
