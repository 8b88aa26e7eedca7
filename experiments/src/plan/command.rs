//! The training command line as a [`Draft`]: defaults, then `--config`, then flags; presets;
//! loss decay; then the sweep's peak, multiples, seeds and shards as [`Draft::new`] applies
//! them for any sweep.

use burn_lr_schedules::{Schedule, ScheduleConfig};

use super::pending::Pending;
use super::settings::{Settings, flags};
use super::train::{Draft, Options, SweepSpec, check_options};
use crate::cli::TrainArgs;
use crate::config::{self, ConfigFile};
use crate::error::{Error, Result};
use crate::presets;

impl Draft {
    /// The plan of a training command line (a fresh sweep, `--continue` or `--resume`).
    pub fn from_args(args: TrainArgs) -> Result<Self> {
        let options = Options {
            stop_after: args.stop_after,
            checkpoint_every: args.checkpoint_every,
            save_model: args.save_model,
            log_y: args.log_y,
            quiet: args.quiet,
            devices: args.devices.clone(),
            jobs: args.jobs,
            read_every: args.read_every,
        };
        check_options(&options)?;
        let (backend, data_dir) = (args.setup.backend, args.setup.data_dir.clone());
        match &args.resume {
            Some(dir) => Draft::resume(dir.clone(), backend, data_dir, options),
            None if args.continue_ => Draft::continued(spec(args, options)?, backend, data_dir),
            None => Draft::new(spec(args, options)?),
        }
    }
}

/// The run of an optimizer that needs no schedule, given none: its reference rate (or `--lr`)
/// as a constant.
pub const DEFAULT_RUN: &str = "reference-lr";

/// What a fresh sweep of this command line trains.
fn spec(args: TrainArgs, options: Options) -> Result<SweepSpec> {
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
    // Checked before the schedules, so a bad setting is named first.
    Settings::of(&file)?;
    if args.max_steps == Some(0) {
        return Err("--max-steps (0) must be at least 1".into());
    }
    let mut runs = Vec::new();
    if args.schedule.is_empty()
        && let Some((name, schedule)) = file_schedule
    {
        runs.push(Pending::new(name, schedule, file_shares.schedule));
    }
    for name in presets::expand_all(&args.schedule) {
        let preset = presets::preset_auto(&name)?;
        runs.push(Pending {
            auto: preset.auto,
            ..Pending::new(name, preset.schedule, preset.shares)
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
        let constant = ScheduleConfig::Constant(burn_lr_schedules::Constant { lr });
        let mut run = Pending::new(name, config::check("--lr", constant)?, Vec::new());
        run.run.loss_decay = Some(decay);
        run.loss_decay_shares = decay_shares;
        runs.push(run);
    }
    // The optimizers meant to train without a schedule: their reference rate, as a constant.
    let optimizer = file.optimizer;
    if let (true, Some(lr)) = (
        runs.is_empty(),
        optimizer.and_then(|o| args.lr.or(o.default_lr())),
    ) {
        let constant = ScheduleConfig::Constant(burn_lr_schedules::Constant { lr });
        runs.push(Pending::new(
            DEFAULT_RUN.to_string(),
            config::check("--lr", constant)?,
            Vec::new(),
        ));
    }
    if runs.is_empty() {
        return Err(Error::new(format!(
            "no schedule to train: pass --schedule NAME (presets: {}, or all) or --config FILE with a [schedule] table",
            presets::preset_names().join(", ")
        )));
    }
    Ok(SweepSpec {
        file,
        runs,
        name: args.name,
        peak_lr: args.peak_lr,
        lr_scale: args.lr_scale,
        seeds: args.seeds,
        shard: args.shard,
        max_steps: args.max_steps,
        options,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::backend::BackendKind;
    use crate::cli::Cli;
    use clap::Parser;

    fn plan(flags: &[&str]) -> Result<Draft> {
        let cli = Cli::try_parse_from(std::iter::once("experiments").chain(flags.iter().copied()))
            .expect("flags parse");
        Draft::from_args(cli.train)
    }

    fn names(p: &Draft) -> Vec<&str> {
        p.runs.iter().map(|r| r.run.name.as_str()).collect()
    }

    #[test]
    fn seeds_and_shards_slice_the_sweep_in_order() {
        let p = plan(&["--schedule", "fixed,cosine", "--seeds", "3", "--seed", "7"]).unwrap();
        assert_eq!(
            names(&p),
            [
                "fixed-seed7",
                "fixed-seed8",
                "fixed-seed9",
                "cosine-seed7",
                "cosine-seed8",
                "cosine-seed9"
            ]
        );
        assert_eq!(p.sweep.path(), Path::new("runs/mnist-lenet-momentum-3ep"));
        let p = p.finish(1000, |_| unreachable!("no auto rates")).unwrap();
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
        assert_eq!(
            names(&p),
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
        let run = &p.runs[1].run;
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
