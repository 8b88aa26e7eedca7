//! One step of a study (a grid, its extension, the final or zero-tuning seeds) as the plan of an
//! ordinary sweep folder: built from the arm's settings and preset, or resumed from its
//! `sweep.toml`.

use super::{Study, arm_config};
use crate::commands::experiment;
use crate::config::{self, ConfigFile};
use crate::error::{Ending, Result};
use crate::layout::{self, SweepDir};
use crate::plan::study::Arm;
use crate::plan::{Draft, Options, Pending, SweepFile, SweepSpec};

/// One sweep of the study: its folder's name and what it trains.
pub(super) struct Step<'a> {
    pub(super) name: String,
    pub(super) arm: &'a Arm,
    pub(super) peak: f64,
    pub(super) factors: Vec<f64>,
    pub(super) seeds: u64,
    pub(super) seed: u64,
    /// `Some(0)`: evaluate at epochs' ends only (the grid needs final accuracies alone).
    pub(super) eval_every: Option<u64>,
}

/// Trains a step's sweep, or continues it, or skips it when every run has finished.
pub(super) fn train(study: &Study, step: Step) -> Result<Ending> {
    let dir = study.dir.join(&step.name);
    let args = &study.args;
    let options = Options {
        quiet: args.quiet,
        jobs: args.jobs,
        stop_after: args.stop_after,
        ..Options::default()
    };
    let path = dir.join(layout::SWEEP);
    let draft = if path.is_file() {
        let sweep = SweepDir::new(&dir);
        if SweepFile::read(&path)?
            .runs
            .iter()
            .all(|r| sweep.run(&r.name).is_finished())
        {
            return Ok(Ending::Finished);
        }
        Draft::resume(dir, args.backend, args.data_dir.clone(), options)?
    } else {
        let source = arm_config(&study.dir, step.arm);
        let text = study.file.arm_config_in(step.arm, &study.settings)?;
        let (mut given, shares) = config::parse_config(&source.display().to_string(), &text)?;
        let schedule = (given.schedule.take())
            .ok_or_else(|| format!("{}: no [schedule] table", source.display()))?;
        let loss_decay = given.loss_decay.take();
        let file = config::defaults().merged(given).merged(ConfigFile {
            out: Some(study.dir.clone()),
            eval_every: step.eval_every,
            seed: Some(step.seed),
            backend: args.backend,
            data_dir: args.data_dir.clone(),
            ..ConfigFile::default()
        });
        let mut run = Pending::new(step.arm.name.clone(), schedule, shares.schedule);
        run.run.loss_decay = loss_decay;
        run.loss_decay_shares = shares.loss_decay;
        Draft::new(SweepSpec {
            file,
            runs: vec![run],
            name: Some(step.name),
            peak_lr: Some(step.peak),
            lr_scale: step.factors,
            seeds: Some(step.seeds),
            options,
            ..SweepSpec::default()
        })?
    };
    experiment::run_plan(draft)
}
