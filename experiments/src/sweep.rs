//! Sweeps: every requested schedule trained in turn, each run's files, and the side-by-side
//! pictures and tables of the whole sweep.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::plot::{self, Chart, Series};
use crate::results::{self, RunSummary};
use crate::train::{EpochRow, StepRow};

/// A finished run as the report needs it.
pub struct RunData {
    pub summary: RunSummary,
    pub steps: Vec<StepRow>,
    pub epochs: Vec<EpochRow>,
}

/// Reads every run folder (one with a `summary.json`) under `dir`, in the order of `order` when
/// given, else presets first in sweep order, then the rest alphabetically.
pub fn read_sweep(dir: &Path, order: Option<&[String]>) -> Result<Vec<RunData>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut runs = Vec::new();
    for entry in entries.flatten() {
        let run_dir = entry.path();
        let summary_path = run_dir.join("summary.json");
        if !summary_path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&summary_path)
            .map_err(|e| format!("cannot read {}: {e}", summary_path.display()))?;
        let summary: RunSummary =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", summary_path.display()))?;
        let (steps, epochs) = results::read_metrics(&run_dir.join("metrics.csv"))?;
        runs.push(RunData {
            summary,
            steps,
            epochs,
        });
    }
    if runs.is_empty() {
        return Err(format!(
            "{}: no runs found (a run folder holds summary.json and metrics.csv)",
            dir.display()
        ));
    }
    // Without an explicit order (`plot DIR`), presets come in sweep order, other runs after them.
    let presets: Vec<String> = crate::config::preset_names()
        .into_iter()
        .map(String::from)
        .collect();
    let order = order.unwrap_or(&presets);
    let rank = |name: &str| order.iter().position(|n| n == name).unwrap_or(usize::MAX);
    runs.sort_by(|a, b| {
        (rank(&a.summary.name), &a.summary.name).cmp(&(rank(&b.summary.name), &b.summary.name))
    });
    Ok(runs)
}

/// Moving average of the training loss, so curves of different runs can be told apart.
fn smoothed(steps: &[StepRow], window: usize) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(steps.len());
    let mut sum = 0.0;
    for (i, s) in steps.iter().enumerate() {
        sum += s.train_loss;
        if i >= window {
            sum -= steps[i - window].train_loss;
        }
        let n = (i + 1).min(window) as f64;
        out.push((s.step as f64, sum / n));
    }
    out
}

fn fmt_opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or("–".into(), |v| v.to_string())
}

/// `summary.csv` and `summary.md`.
pub fn tables(runs: &[RunData]) -> (String, String) {
    let mut csv = String::from(
        "name,kind,model,optimizer,backend,epochs,batch_size,seed,steps,final_test_accuracy,best_test_accuracy,steps_to_98,seconds_to_98,steps_to_99,seconds_to_99,final_train_loss,final_test_loss,diverged,diverged_at_step,train_seconds,eval_seconds,images_per_second\n",
    );
    for r in runs.iter().map(|r| &r.summary) {
        let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.2}"));
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{:.4},{:.4},{},{},{},{},{:.5},{:.5},{},{},{:.2},{:.2},{:.1}",
            r.name,
            r.kind,
            r.model,
            r.optimizer,
            r.backend,
            r.epochs,
            r.batch_size,
            r.seed,
            r.steps,
            r.final_test_accuracy,
            r.best_test_accuracy,
            r.steps_to_98.map_or(String::new(), |v| v.to_string()),
            opt(r.seconds_to_98),
            r.steps_to_99.map_or(String::new(), |v| v.to_string()),
            opt(r.seconds_to_99),
            r.final_train_loss,
            r.final_test_loss,
            r.diverged,
            r.diverged_at_step.map_or(String::new(), |v| v.to_string()),
            r.train_seconds,
            r.eval_seconds,
            r.images_per_second
        );
    }
    let mut md = String::new();
    if let Some(first) = runs.first().map(|r| &r.summary) {
        let _ = writeln!(
            md,
            "# Sweep: {} runs\n\nModel `{}`, optimizer `{}`, backend `{}`, dataset `{}`, {} epoch(s) of batch {}, seed {}.\n",
            runs.len(),
            first.model,
            first.optimizer,
            first.backend,
            first.dataset,
            first.epochs,
            first.batch_size,
            first.seed
        );
    }
    md.push_str("| schedule | kind | final acc. | best acc. | steps to 98% | s to 98% | steps to 99% | s to 99% | final train loss | final test loss | diverged | images/s |\n");
    md.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for r in runs.iter().map(|r| &r.summary) {
        let _ = writeln!(
            md,
            "| {} | {} | {:.2}% | {:.2}% | {} | {} | {} | {} | {:.4} | {:.4} | {} | {:.0} |",
            r.name,
            r.kind,
            r.final_test_accuracy * 100.0,
            r.best_test_accuracy * 100.0,
            fmt_opt(r.steps_to_98),
            fmt_opt(r.seconds_to_98.map(|s| format!("{s:.1}"))),
            fmt_opt(r.steps_to_99),
            fmt_opt(r.seconds_to_99.map(|s| format!("{s:.1}"))),
            r.final_train_loss,
            r.final_test_loss,
            r.diverged_at_step
                .map_or("no".into(), |s| format!("at step {s}")),
            r.images_per_second
        );
    }
    md.push_str(
        "\n![Small multiples](grid.png)\n\n![Loss](loss.png)\n\n![Learning rates](lr.png)\n",
    );
    (csv, md)
}

/// Every picture and table of a sweep, from its runs; returns the files written.
pub fn report(dir: &Path, runs: &[RunData], log_y: bool) -> Result<Vec<PathBuf>, String> {
    let (csv, md) = tables(runs);
    let mut written = Vec::new();
    for (name, text) in [("summary.csv", csv), ("summary.md", md)] {
        let path = dir.join(name);
        results::write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    let window = 20;
    let losses: Vec<Series> = runs
        .iter()
        .map(|r| Series {
            name: r.summary.name.clone(),
            points: smoothed(&r.steps, window),
        })
        .collect();
    let lrs: Vec<Series> = runs
        .iter()
        .map(|r| Series {
            name: r.summary.name.clone(),
            points: r.steps.iter().map(|s| (s.step as f64, s.lr)).collect(),
        })
        .collect();
    for ext in ["png", "svg"] {
        let path = dir.join(format!("loss.{ext}"));
        plot::line_chart(
            &path,
            &Chart {
                title: "Training loss (moving average of 20 steps)",
                x_label: "step",
                y_label: "cross-entropy loss",
                series: &losses,
                log_y: true,
                log_x: false,
            },
        )?;
        written.push(path);
        let path = dir.join(format!("lr.{ext}"));
        plot::line_chart(
            &path,
            &Chart {
                title: "Learning rate",
                x_label: "step",
                y_label: "learning rate",
                series: &lrs,
                log_y,
                log_x: false,
            },
        )?;
        written.push(path);
        let path = dir.join(format!("grid.{ext}"));
        plot::grid(&path, runs, window, log_y)?;
        written.push(path);
    }
    Ok(written)
}

impl plot::Panel for RunData {
    fn title(&self) -> String {
        let s = &self.summary;
        match s.diverged_at_step {
            Some(at) => format!("{}: diverged at {at}", s.name),
            None => format!("{}: {:.2}%", s.name, s.final_test_accuracy * 100.0),
        }
    }

    fn losses(&self, window: usize) -> Vec<Series> {
        vec![
            Series {
                name: "train".into(),
                points: smoothed(&self.steps, window),
            },
            Series {
                name: "test".into(),
                points: self
                    .epochs
                    .iter()
                    .map(|e| (e.step as f64, e.test_loss))
                    .collect(),
            },
        ]
    }

    fn lr(&self) -> Series {
        Series {
            name: String::new(),
            points: self.steps.iter().map(|s| (s.step as f64, s.lr)).collect(),
        }
    }
}

/// Merges the runs of several sweep folders (the shards of one sweep, say) into `out`: each
/// run's files are copied into `out/RUN/`, then the report is drawn there as for one sweep.
pub fn merge(out: &Path, sources: &[PathBuf], log_y: bool) -> Result<Vec<PathBuf>, String> {
    let mut seen: std::collections::HashMap<String, PathBuf> = std::collections::HashMap::new();
    let mut copies = Vec::new();
    for source in sources {
        let entries = std::fs::read_dir(source)
            .map_err(|e| format!("cannot read {}: {e}", source.display()))?;
        let mut found = 0;
        for entry in entries.flatten() {
            let run = entry.path();
            if !run.join("summary.json").is_file() {
                continue;
            }
            found += 1;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(first) = seen.insert(name.clone(), source.clone()) {
                return Err(format!(
                    "run `{name}` is in both {} and {}; merge folders of different runs",
                    first.display(),
                    source.display()
                ));
            }
            copies.push((run, out.join(&name)));
        }
        if found == 0 {
            return Err(format!(
                "{}: no finished runs (a run folder holds summary.json and metrics.csv)",
                source.display()
            ));
        }
    }
    for (from, to) in &copies {
        if from == to {
            continue;
        }
        std::fs::create_dir_all(to).map_err(|e| {
            format!(
                "cannot create {}: {e}; choose a writable folder with --out DIR",
                to.display()
            )
        })?;
        for file in ["config.toml", "metrics.csv", "summary.json"] {
            let bytes = std::fs::read(from.join(file))
                .map_err(|e| format!("cannot read {}: {e}", from.join(file).display()))?;
            results::write_atomic(&to.join(file), &bytes)?;
        }
    }
    let runs = read_sweep(out, None)?;
    report(out, &runs, log_y)
}
