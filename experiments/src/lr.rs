//! `experiments lr`: a schedule's learning rates as CSV, and optionally as a chart.

use std::io::{BufWriter, ErrorKind, Write};
use std::path::PathBuf;

use clap::Args;
use schedules::Policy;

use crate::config;
use crate::plot::{self, Chart, Series};

/// Print learning rates per step as CSV (`step,lr`), without training.
#[derive(Debug, Args)]
pub struct LrArgs {
    /// A TOML file holding a `[schedule]` table.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Presets by name, comma-separated or repeated (from configs/schedules/; `all` for every one).
    #[arg(long, value_delimiter = ',')]
    pub schedule: Vec<String>,
    /// Steps to print: t = 0 .. N−1 (default: 3 epochs of 469 steps, the default experiment).
    #[arg(long, default_value_t = 1407)]
    pub steps: u64,
    /// Count the schedule's t in epochs of this many steps (the rate is held within an epoch).
    #[arg(long, default_value_t = 1)]
    pub steps_per_epoch: u64,
    /// Also draw the curves to this .png or .svg file, all schedules in one chart.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Logarithmic learning-rate axis in the plot.
    #[arg(long)]
    pub log_y: bool,
}

/// Resolves `--config` and `--schedule` into named policies.
fn policies(args: &LrArgs) -> Result<Vec<(String, Policy)>, String> {
    let mut out = Vec::new();
    if let Some(path) = &args.config {
        let (name, file) = config::read_config(path)?;
        let schedule = file.schedule.ok_or_else(|| {
            format!(
                "{}: no [schedule] table; add one with a `kind` (see configs/schedules/)",
                path.display()
            )
        })?;
        out.push((name, schedule));
    }
    for name in config::expand_all(&args.schedule) {
        out.push((name.clone(), config::preset(&name)?));
    }
    if out.is_empty() {
        return Err(format!(
            "nothing to print: pass --config FILE or --schedule NAME (presets: {})",
            config::preset_names().join(", ")
        ));
    }
    out.into_iter()
        .map(|(name, schedule)| {
            let policy = schedule.policy().map_err(|e| e.to_string())?;
            let policy = policy
                .per_epoch(args.steps_per_epoch)
                .map_err(|e| e.to_string())?;
            Ok((name, policy))
        })
        .collect()
}

pub fn run(args: LrArgs) -> Result<(), String> {
    let named = policies(&args)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let header = if named.len() == 1 {
        "step,lr".to_string()
    } else {
        let names: Vec<&str> = named.iter().map(|(n, _)| n.as_str()).collect();
        format!("step,{}", names.join(","))
    };
    let write = |out: &mut BufWriter<_>| -> std::io::Result<()> {
        writeln!(out, "{header}")?;
        for t in 0..args.steps {
            write!(out, "{t}")?;
            for (_, p) in &named {
                write!(out, ",{}", p.lr(t))?;
            }
            writeln!(out)?;
        }
        out.flush()
    };
    match write(&mut out) {
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {}
        Err(e) => return Err(format!("cannot write to standard output: {e}")),
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
        plot::line_chart(
            path,
            &Chart {
                title: "Learning-rate schedules",
                x_label,
                y_label: "learning rate",
                series: &series,
                log_y: args.log_y,
                log_x: false,
            },
        )?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
