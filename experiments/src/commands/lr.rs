//! `experiments lr`: a schedule's learning rates as CSV (with its momentum when it cycles one),
//! and optionally as a chart.

use std::io::ErrorKind;

use burn_lr_schedules::Policy;

use crate::cli::LrArgs;
use crate::config;
use crate::error::{Error, Result};
use crate::plot::{self, Chart, Series};
use crate::presets;

/// Resolves `--config` and `--schedule` into named policies.
fn policies(args: &LrArgs) -> Result<Vec<(String, Policy)>> {
    // Shares of the run count the schedule's own steps: epochs when it steps once per epoch.
    let total = args.steps.div_ceil(args.steps_per_epoch.max(1)).max(1);
    let mut out = Vec::new();
    if let Some(path) = &args.config {
        let (name, file, found) = config::read_config(path)?;
        let schedule = file.schedule.ok_or_else(|| {
            format!(
                "{}: no [schedule] table; add one with a `kind` (see configs/schedules/)",
                path.display()
            )
        })?;
        let schedule = config::sized(&name, &schedule, &found.schedule, total)?;
        out.push((name, schedule));
    }
    for name in presets::expand_all(&args.schedule) {
        let (schedule, found) = presets::preset(&name)?;
        let schedule = config::sized(&name, &schedule, &found, total)?;
        out.push((name, schedule));
    }
    if out.is_empty() {
        return Err(Error::new(format!(
            "nothing to print: pass --config FILE or --schedule NAME (presets: {})",
            presets::preset_names().join(", ")
        )));
    }
    out.into_iter()
        .map(|(name, schedule)| {
            let policy = schedule.policy().map_err(|e| Error::new(e.to_string()))?;
            let policy = policy
                .per_epoch(args.steps_per_epoch)
                .map_err(|e| Error::new(e.to_string()))?;
            Ok((name, policy))
        })
        .collect()
}

/// `experiments lr`.
pub fn run(args: LrArgs) -> Result<()> {
    let named = policies(&args)?;
    let mut header = vec!["step".to_string()];
    // A single schedule that cycles momentum gets a third column; an empty cell where a part of
    // it (in `sequential`) leaves the optimizer's own momentum.
    let mut cycled = None;
    match named.as_slice() {
        [(_, p)] => {
            header.push("lr".into());
            if p.cycles_momentum() {
                header.push("momentum".into());
                cycled = Some(p);
            }
        }
        _ => header.extend(named.iter().map(|(n, _)| n.clone())),
    }
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    let mut write = || -> csv::Result<()> {
        out.write_record(&header)?;
        for t in 0..args.steps {
            let rates = named.iter().map(|(_, p)| p.lr(t).to_string());
            let momentum = cycled.map(|p| p.momentum(t).map_or(String::new(), |m| m.to_string()));
            out.write_record(std::iter::once(t.to_string()).chain(rates).chain(momentum))?;
        }
        Ok(out.flush()?)
    };
    match write() {
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if matches!(e.kind(), csv::ErrorKind::Io(e) if e.kind() == ErrorKind::BrokenPipe) => {
        }
        Err(e) => return Err(Error::new(format!("cannot write to standard output: {e}"))),
        Ok(()) => {}
    }
    if let Some(path) = &args.plot {
        let series: Vec<Series> = named
            .iter()
            .map(|(name, p)| Series {
                name: name.clone(),
                points: (0..args.steps).map(|t| (t as f64, p.lr(t))).collect(),
                band: Vec::new(),
            })
            .collect();
        let x_label = if args.steps_per_epoch > 1 {
            "step (rate held per epoch)"
        } else {
            "step"
        };
        if series.len() == 1 {
            plot::line_chart(
                path,
                &Chart {
                    title: "Learning-rate schedule",
                    x_label,
                    y_label: "learning rate",
                    series: &series,
                    log_y: args.log_y,
                    log_x: false,
                },
            )?;
        } else {
            // One panel per schedule: twenty curves in one chart hide each other.
            plot::small_multiples(path, &series, (x_label, "learning rate"), args.log_y)?;
        }
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
