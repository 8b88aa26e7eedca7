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
        // A merged report may mix optimizers and seeds: list each value once.
        let distinct = |f: &dyn Fn(&RunSummary) -> String| {
            let mut v: Vec<String> = Vec::new();
            for r in runs {
                let x = f(&r.summary);
                if !v.contains(&x) {
                    v.push(x);
                }
            }
            v.join(", ")
        };
        let _ = writeln!(
            md,
            "# Sweep: {} runs\n\nModel `{}`, optimizer {}, backend `{}`, dataset `{}`, {} epoch(s) of batch {}, seed {}.\n",
            runs.len(),
            first.model,
            distinct(&|r| format!("`{}`", r.optimizer)),
            first.backend,
            first.dataset,
            first.epochs,
            first.batch_size,
            distinct(&|r| r.seed.to_string())
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
    let groups = groups(runs);
    if !groups.is_empty() {
        md.push_str("\n## Over seeds (mean ± standard deviation)\n\n");
        md.push_str("| schedule | seeds | final acc. | best acc. | reached 99% | steps to 99% (mean of those) | final train loss | diverged |\n");
        md.push_str("|---|---|---|---|---|---|---|---|\n");
        for (group, members) in &groups {
            let stat =
                |f: &dyn Fn(&RunSummary) -> f64| mean_std(members.iter().map(|r| f(&r.summary)));
            let (fa, fs) = stat(&|r| r.final_test_accuracy * 100.0);
            let (ba, bs) = stat(&|r| r.best_test_accuracy * 100.0);
            let (la, ls) = stat(&|r| r.final_train_loss);
            let reached: Vec<f64> = members
                .iter()
                .filter_map(|r| r.summary.steps_to_99.map(|v| v as f64))
                .collect();
            let diverged = members.iter().filter(|r| r.summary.diverged).count();
            let _ = writeln!(
                md,
                "| {group} | {} | {fa:.2}% ± {fs:.2} | {ba:.2}% ± {bs:.2} | {}/{} | {} | {la:.4} ± {ls:.4} | {diverged} |",
                members.len(),
                reached.len(),
                members.len(),
                if reached.is_empty() {
                    "–".to_string()
                } else {
                    format!("{:.0}", reached.iter().sum::<f64>() / reached.len() as f64)
                }
            );
        }
        md.push_str("\n![Loss over seeds](loss-seeds.png)\n");
    }
    let said = claims(runs);
    if !said.is_empty() {
        md.push_str("\n## What these runs show\n\n");
        md.push_str("Each claim of the reference text, checked against the final test accuracy (mean over seeds where a schedule ran with several) and the steps to 98% (the test set is scored once per epoch, so ties are common); every number below is computed from the runs above.\n\n");
        for line in said {
            let _ = writeln!(md, "- {line}");
        }
    }
    md.push_str(
        "\n![Small multiples](grid.png)\n\n![Loss](loss.png)\n\n![Learning rates](lr.png)\n",
    );
    (csv, md)
}

/// One schedule's result: its runs over seeds folded into means.
struct Aggregate {
    name: String,
    kind: String,
    optimizer: String,
    /// The first step's rate (the rate of a constant schedule).
    lr: f64,
    accuracy: f64,
    /// Mean steps to 98% over the seeds that reached it, and how many did.
    to_98: Option<f64>,
    reached_98: usize,
    diverged: usize,
    seeds: usize,
}

fn outcomes(runs: &[RunData]) -> Vec<Aggregate> {
    let mut out: Vec<(String, Vec<&RunData>)> = Vec::new();
    for r in runs {
        let key = r
            .summary
            .group
            .clone()
            .unwrap_or_else(|| r.summary.name.clone());
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(r),
            None => out.push((key, vec![r])),
        }
    }
    out.into_iter()
        .map(|(name, members)| {
            let n = members.len();
            let reached: Vec<f64> = members
                .iter()
                .filter_map(|r| r.summary.steps_to_98.map(|v| v as f64))
                .collect();
            Aggregate {
                name,
                kind: members[0].summary.kind.clone(),
                optimizer: members[0].summary.optimizer.clone(),
                lr: members[0].steps.first().map_or(f64::NAN, |s| s.lr),
                accuracy: members
                    .iter()
                    .map(|r| r.summary.final_test_accuracy)
                    .sum::<f64>()
                    / n as f64
                    * 100.0,
                to_98: (!reached.is_empty())
                    .then(|| reached.iter().sum::<f64>() / reached.len() as f64),
                reached_98: reached.len(),
                diverged: members.iter().filter(|r| r.summary.diverged).count(),
                seeds: n,
            }
        })
        .collect()
}

fn describe(o: &Aggregate) -> String {
    let speed = match o.to_98 {
        Some(s) if o.reached_98 == o.seeds => format!("98% at step {s:.0}"),
        Some(s) => format!("98% in {}/{} seeds (step {s:.0})", o.reached_98, o.seeds),
        None => "98% never".to_string(),
    };
    let diverged = if o.diverged > 0 {
        format!(", diverged in {}/{}", o.diverged, o.seeds)
    } else {
        String::new()
    };
    format!("`{}` {:.2}%, {speed}{diverged}", o.name, o.accuracy)
}

fn mean_accuracy(group: &[&Aggregate]) -> f64 {
    group.iter().map(|o| o.accuracy).sum::<f64>() / group.len().max(1) as f64
}

/// One sentence per claim of the reference text that these runs can test; a claim they cannot
/// test says which runs it needs.
fn claims(runs: &[RunData]) -> Vec<String> {
    let all = outcomes(runs);
    let sgd = |o: &&Aggregate| o.optimizer == "sgd" || o.optimizer == "momentum";
    // A loss-decay run holds its rate fixed but scales the loss: not a fixed-rate run.
    let all: Vec<Aggregate> = all
        .into_iter()
        .filter(|o| !o.name.starts_with("loss-decay"))
        .collect();
    let fixed: Vec<&Aggregate> = all
        .iter()
        .filter(|o| o.kind == "constant")
        .filter(sgd)
        .collect();
    let reference = fixed
        .iter()
        .find(|o| o.name == "fixed")
        .or_else(|| fixed.get(fixed.len() / 2))
        .copied();
    let mut out = Vec::new();
    let Some(base) = reference else {
        out.push("No fixed-rate SGD run (kind `constant`), so no claim can be checked against a fixed rate; add the `fixed` preset.".into());
        return out;
    };
    let higher = fixed
        .iter()
        .filter(|o| o.lr > base.lr)
        .max_by(|a, b| a.lr.total_cmp(&b.lr));
    out.push(match higher {
        Some(h) => {
            let holds = h.diverged > 0 || h.accuracy < base.accuracy;
            format!(
                "A too-high fixed rate oscillates or diverges: {} at lr {} against {} at lr {}: {}.",
                describe(h),
                h.lr,
                describe(base),
                base.lr,
                if holds { "holds here" } else { "does not hold here" }
            )
        }
        None => format!("A too-high fixed rate: not tested, no constant-rate run above `{}`'s lr {}.", base.name, base.lr),
    });
    let lower = fixed
        .iter()
        .filter(|o| o.lr < base.lr)
        .min_by(|a, b| a.lr.total_cmp(&b.lr));
    out.push(match lower {
        Some(l) => {
            let slower = match (l.to_98, base.to_98) {
                (None, Some(_)) => true,
                (Some(a), Some(b)) => a > b,
                _ => l.accuracy < base.accuracy,
            };
            format!(
                "A too-low fixed rate crawls: {} at lr {} against {} at lr {}: {}.",
                describe(l),
                l.lr,
                describe(base),
                base.lr,
                if slower {
                    "holds here"
                } else {
                    "does not hold here"
                }
            )
        }
        None => format!(
            "A too-low fixed rate: not tested, no constant-rate run below `{}`'s lr {}.",
            base.name, base.lr
        ),
    });
    let family = |kinds: &[&str]| -> Vec<&Aggregate> {
        all.iter()
            .filter(|o| kinds.contains(&o.kind.as_str()))
            .filter(sgd)
            .collect()
    };
    let decay = family(&[
        "step",
        "multistep",
        "exponential",
        "inverse_time",
        "polynomial",
        "linear",
        "cosine",
    ]);
    if decay.is_empty() {
        out.push("Decay vs fixed: not tested, no decay schedule ran.".into());
    } else {
        let better = decay.iter().filter(|o| o.accuracy > base.accuracy).count();
        let best = decay
            .iter()
            .max_by(|a, b| a.accuracy.total_cmp(&b.accuracy))
            .unwrap();
        out.push(format!(
            "Decay helps final accuracy: {better} of {} decay schedules end above `{}` ({:.2}%); their mean is {:.2}%, the best {}: {}.",
            decay.len(),
            base.name,
            base.accuracy,
            mean_accuracy(&decay),
            describe(best),
            if mean_accuracy(&decay) > base.accuracy { "holds here" } else { "does not hold here" }
        ));
    }
    let cyclical = family(&["cyclical"]);
    if cyclical.is_empty() {
        out.push("Cyclical vs fixed: not tested, no cyclical schedule ran.".into());
    } else {
        let faster = cyclical
            .iter()
            .filter(|o| match (o.to_98, base.to_98) {
                (Some(a), Some(b)) => a < b,
                (Some(_), None) => true,
                _ => false,
            })
            .count();
        out.push(format!(
            "Cyclical rates converge faster: {faster} of {} cyclical schedules reach 98% sooner than `{}` ({}); mean final accuracy {:.2}% against {:.2}%: {}.",
            cyclical.len(),
            base.name,
            describe(base),
            mean_accuracy(&cyclical),
            base.accuracy,
            if 2 * faster > cyclical.len() { "holds here" } else { "does not hold here" }
        ));
    }
    let adaptive: Vec<&Aggregate> = all.iter().filter(|o| !sgd(o)).collect();
    if adaptive.is_empty() {
        out.push("Adaptive optimizers vs SGD: not tested, every run used SGD; merge in a sweep run with --optimizer adam (or adagrad, rmsprop, adadelta) with `experiments report`.".into());
    } else {
        let plain: Vec<&Aggregate> = all.iter().filter(sgd).collect();
        let best_sgd = plain
            .iter()
            .max_by(|a, b| a.accuracy.total_cmp(&b.accuracy))
            .copied()
            .unwrap_or(base);
        let ahead = mean_accuracy(&adaptive) > base.accuracy;
        out.push(format!(
            "Adaptive optimizers vs SGD: {} adaptive schedule(s) average {:.2}% (best {}) against SGD at a fixed rate, {} (SGD's best schedule: {}): {}.",
            adaptive.len(),
            mean_accuracy(&adaptive),
            describe(adaptive.iter().max_by(|a, b| a.accuracy.total_cmp(&b.accuracy)).unwrap()),
            describe(base),
            describe(best_sgd),
            if ahead { "adaptive ahead of fixed-rate SGD here" } else { "fixed-rate SGD ahead here" }
        ));
    }
    out
}

/// Runs that repeat one schedule over seeds, by schedule, in run order.
fn groups(runs: &[RunData]) -> Vec<(String, Vec<&RunData>)> {
    let mut out: Vec<(String, Vec<&RunData>)> = Vec::new();
    for r in runs {
        let Some(group) = &r.summary.group else {
            continue;
        };
        match out.iter_mut().find(|(g, _)| g == group) {
            Some((_, members)) => members.push(r),
            None => out.push((group.clone(), vec![r])),
        }
    }
    out
}

/// Mean and sample standard deviation (0 for one value).
fn mean_std(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = values.collect();
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 {
        v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// Per schedule repeated over seeds: the mean smoothed training loss at each step, with the
/// band from the lowest to the highest seed.
fn seed_bands(runs: &[RunData], window: usize) -> Vec<Series> {
    groups(runs)
        .into_iter()
        .map(|(group, members)| {
            let curves: Vec<Vec<(f64, f64)>> =
                members.iter().map(|r| smoothed(&r.steps, window)).collect();
            // Diverged runs stop early: the band covers the steps every seed reached.
            let len = curves.iter().map(Vec::len).min().unwrap_or(0);
            let (mut points, mut band) = (Vec::with_capacity(len), Vec::with_capacity(len));
            for i in 0..len {
                let x = curves[0][i].0;
                let ys = curves.iter().map(|c| c[i].1);
                let (lo, hi) = ys
                    .clone()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
                        (a.min(y), b.max(y))
                    });
                points.push((x, ys.sum::<f64>() / curves.len() as f64));
                band.push((x, lo, hi));
            }
            Series {
                name: format!("{group} (mean, band: min–max of {} seeds)", members.len()),
                points,
                band,
            }
        })
        .collect()
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
            band: Vec::new(),
        })
        .collect();
    let lrs: Vec<Series> = runs
        .iter()
        .map(|r| Series {
            name: r.summary.name.clone(),
            points: r.steps.iter().map(|s| (s.step as f64, s.lr)).collect(),
            band: Vec::new(),
        })
        .collect();
    let bands = seed_bands(runs, window);
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
        if !bands.is_empty() {
            let path = dir.join(format!("loss-seeds.{ext}"));
            plot::line_chart(
                &path,
                &Chart {
                    title: "Training loss over seeds (moving average of 20 steps)",
                    x_label: "step",
                    y_label: "cross-entropy loss",
                    series: &bands,
                    log_y: true,
                    log_x: false,
                },
            )?;
            written.push(path);
        }
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
                band: Vec::new(),
            },
            Series {
                name: "test".into(),
                points: self
                    .epochs
                    .iter()
                    .map(|e| (e.step as f64, e.test_loss))
                    .collect(),
                band: Vec::new(),
            },
        ]
    }

    fn lr(&self) -> Series {
        Series {
            name: String::new(),
            points: self.steps.iter().map(|s| (s.step as f64, s.lr)).collect(),
            band: Vec::new(),
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
        results::create_out_dir(to)?;
        for file in ["config.toml", "metrics.csv", "summary.json"] {
            let bytes = std::fs::read(from.join(file))
                .map_err(|e| format!("cannot read {}: {e}", from.join(file).display()))?;
            results::write_atomic(&to.join(file), &bytes)?;
        }
    }
    let runs = read_sweep(out, None)?;
    report(out, &runs, log_y)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run with the given schedule kind, first-step lr, final accuracy and steps to 98%.
    fn run(
        name: &str,
        kind: &str,
        optimizer: &str,
        lr: f64,
        acc: f64,
        to_98: Option<u64>,
    ) -> RunData {
        let summary = RunSummary {
            name: name.into(),
            kind: kind.into(),
            model: "lenet".into(),
            optimizer: optimizer.into(),
            backend: "flex".into(),
            dataset: "mnist".into(),
            epochs: 1,
            batch_size: 32,
            seed: 1,
            steps: 10,
            final_test_accuracy: acc,
            best_test_accuracy: acc,
            steps_to_98: to_98,
            seconds_to_98: None,
            steps_to_99: None,
            seconds_to_99: None,
            final_train_loss: 0.1,
            final_test_loss: 0.1,
            diverged: acc < 0.2,
            diverged_at_step: (acc < 0.2).then_some(3),
            train_seconds: 1.0,
            eval_seconds: 0.1,
            images_per_second: 100.0,
            group: None,
        };
        let steps = vec![StepRow {
            step: 0,
            epoch: 0,
            lr,
            train_loss: 2.3,
        }];
        RunData {
            summary,
            steps,
            epochs: Vec::new(),
        }
    }

    #[test]
    fn claims_are_computed_from_the_runs() {
        let runs = vec![
            run("fixed", "constant", "momentum", 0.05, 0.980, Some(300)),
            run("fixed-high", "constant", "momentum", 0.5, 0.10, None),
            run("fixed-low", "constant", "momentum", 0.005, 0.950, None),
            run("cosine", "cosine", "momentum", 0.05, 0.990, Some(250)),
            run("step", "step", "momentum", 0.05, 0.970, Some(300)),
            run("clr", "cyclical", "momentum", 0.001, 0.985, Some(200)),
        ];
        let said = claims(&runs);
        assert_eq!(said.len(), 5, "{said:#?}");
        assert!(
            said[0].contains("`fixed-high` 10.00%, 98% never, diverged in 1/1")
                && said[0].ends_with("holds here."),
            "{}",
            said[0]
        );
        assert!(
            said[1].contains("`fixed-low` 95.00%") && said[1].ends_with("holds here."),
            "{}",
            said[1]
        );
        // Mean of the decay runs: (99.0 + 97.0) / 2 = 98.0, not above fixed's 98.0.
        assert!(
            said[2].starts_with("Decay helps final accuracy: 1 of 2")
                && said[2].ends_with("does not hold here."),
            "{}",
            said[2]
        );
        assert!(
            said[3].starts_with("Cyclical rates converge faster: 1 of 1")
                && said[3].ends_with("holds here."),
            "{}",
            said[3]
        );
        assert!(said[4].contains("not tested"), "{}", said[4]);
        let mut with_adam = runs;
        with_adam.push(run(
            "adam-fixed",
            "constant",
            "adam",
            0.001,
            0.99,
            Some(100),
        ));
        let said = claims(&with_adam);
        assert!(
            said[4].contains("1 adaptive schedule(s) average 99.00%")
                && said[4].contains("SGD's best schedule: `cosine` 99.00%")
                && said[4].ends_with("adaptive ahead of fixed-rate SGD here."),
            "{}",
            said[4]
        );
    }
}
