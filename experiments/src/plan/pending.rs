//! A run as a command asks for it, before the run's length and the range test are known, and
//! the ways a sweep multiplies its runs (peak rate, rate multiples, seeds).

use burn_lr_schedules::Schedule;
use burn_lr_schedules::ScheduleConfig;
use burn_lr_schedules::shares::Shares;

use super::settings::Planned;
use crate::config;
use crate::error::{Error, Result};
use crate::presets::{self, AutoPaths, AutoRates};

/// A run whose schedule may still hold lengths as shares of the run, `"auto"` rates and a
/// peak rate or multiple to scale to: [`super::Draft::finish`] resolves them, in that order.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The run, with placeholders where its schedule defers a number.
    pub run: Planned,
    /// Rates the preset left to the LR range test (`max_lr = "auto"`).
    pub auto: AutoPaths,
    /// Lengths given as shares of the run (`total_steps = "100%"`).
    pub shares: Shares,
    /// The same for the loss multiplier.
    pub loss_decay_shares: Shares,
    /// Whether `peak_lr` and `lr_scale` are still to be applied; never for a run read back
    /// from `sweep.toml`, whose schedule is already scaled.
    pub scale_pending: bool,
}

impl Pending {
    /// A run of `schedule` under its own name, with lengths given as `shares` of the run.
    pub fn new(name: String, schedule: ScheduleConfig, shares: Shares) -> Self {
        Self {
            shares,
            ..Self::resolved(Planned::new(name, schedule))
        }
    }

    /// A run with nothing left to resolve (as `sweep.toml` records it).
    pub fn resolved(run: Planned) -> Self {
        Self {
            run,
            auto: Vec::new(),
            shares: Vec::new(),
            loss_decay_shares: Vec::new(),
            scale_pending: false,
        }
    }

    /// Writes the shares of the run into this run's schedules as steps of a run of `total`
    /// steps, and validates them.
    pub(super) fn size(&mut self, total: u64) -> Result<()> {
        let run = &mut self.run;
        run.schedule = config::sized(&run.name, &run.schedule, &self.shares, total)?;
        self.shares.clear();
        if let Some(decay) = &run.loss_decay {
            let what = format!("{} [loss_decay]", run.name);
            run.loss_decay = Some(config::sized(&what, decay, &self.loss_decay_shares, total)?);
            self.loss_decay_shares.clear();
        }
        Ok(())
    }

    /// Writes the range test's rates into the `"auto"` places.
    pub(super) fn fill_auto(&mut self, rates: AutoRates) -> Result<()> {
        let run = &mut self.run;
        run.schedule = presets::fill_auto(&run.name, &run.schedule, &self.auto, rates)?;
        self.auto.clear();
        Ok(())
    }

    /// Scales the schedule's rates to `peak_lr` and then by `lr_scale`, if that is still to
    /// be done.
    pub(super) fn apply_scale(&mut self) -> Result<()> {
        if !self.scale_pending {
            return Ok(());
        }
        let run = &mut self.run;
        let mut factor = run.lr_scale.unwrap_or(1.0);
        if let Some(peak) = run.peak_lr {
            let highest = run.schedule.bounds().1;
            if highest.is_nan() || highest <= 0.0 {
                return Err(Error::new(format!(
                    "{}: --peak-lr needs a schedule whose highest rate is positive (it is {highest})",
                    run.name
                )));
            }
            factor *= peak / highest;
        }
        run.schedule = (run.schedule.scaled(factor))
            .map_err(|e| format!("{} (rates × {factor:?}): [schedule] {e}", run.name))?;
        self.scale_pending = false;
        Ok(())
    }
}

/// Every run scaled to the highest rate `peak` (`--peak-lr`), once its `"auto"` rates are in.
pub(super) fn at_peak(runs: &mut [Pending], peak: f64) -> Result<()> {
    if !(peak.is_finite() && peak > 0.0) {
        return Err(Error::new(format!(
            "--peak-lr {peak}: the highest rate must be a positive number, like 0.05"
        )));
    }
    for p in runs {
        p.run.peak_lr = Some(peak);
        p.scale_pending = true;
    }
    Ok(())
}

/// Each run at every factor of `--lr-scale`, named `NAME-xF`; the scaling itself waits for the
/// `"auto"` rates ([`Pending::apply_scale`]).
pub(super) fn over_scales(runs: Vec<Pending>, factors: &[f64]) -> Result<Vec<Pending>> {
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
            factors.iter().map(move |&f| {
                let mut scaled = p.clone();
                scaled.run = Planned {
                    name: format!("{}-x{}", p.run.name, short(f)),
                    lr_scale: Some(f),
                    scaled_from: Some(p.run.name.clone()),
                    ..p.run.clone()
                };
                scaled.scale_pending = true;
                scaled
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
pub(super) fn over_seeds(runs: Vec<Pending>, first: u64, n: u64) -> Vec<Pending> {
    runs.into_iter()
        .flat_map(|p| {
            (0..n).map(move |k| {
                let seed = first.wrapping_add(k);
                let mut repeated = p.clone();
                repeated.run = Planned {
                    name: format!("{}-seed{seed}", p.run.name),
                    seed: Some(seed),
                    group: Some(p.run.name.clone()),
                    ..p.run.clone()
                };
                repeated
            })
        })
        .collect()
}
