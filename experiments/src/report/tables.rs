//! The sweep's tables: `summary.csv` (one row per run) and `summary.md` (runs, seeds, claims).

use std::fmt::Write as _;

use super::claims::claims;
use super::runs::RunData;
use super::stats::{mean_std, seed_groups};
use crate::layout::{
    GRID_PICTURE, LOSS_PICTURE, LOSS_SEEDS_PICTURE, LR_PICTURE, SENSITIVITY_FAILED_PICTURE,
    SENSITIVITY_PICTURE,
};
use crate::summary::RunSummary;

const CSV_HEADER: [&str; 25] = [
    "name",
    "kind",
    "model",
    "optimizer",
    "backend",
    "epochs",
    "batch_size",
    "seed",
    "steps",
    "final_test_accuracy",
    "best_test_accuracy",
    "final_val_accuracy",
    "best_val_accuracy",
    "steps_to_98",
    "seconds_to_98",
    "steps_to_99",
    "seconds_to_99",
    "final_train_loss",
    "final_test_loss",
    "diverged",
    "diverged_at_step",
    "collapsed",
    "train_seconds",
    "eval_seconds",
    "images_per_second",
];

/// One `summary.csv` row: numbers rounded to what the comparison needs.
fn csv_row(r: &RunSummary) -> [String; 25] {
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.2}"));
    let count = |v: Option<u64>| v.map_or(String::new(), |v| v.to_string());
    [
        r.name.clone(),
        r.kind.clone(),
        r.model.clone(),
        r.optimizer.clone(),
        r.backend.clone(),
        r.epochs.to_string(),
        r.batch_size.to_string(),
        r.seed.to_string(),
        r.steps.to_string(),
        format!("{:.4}", r.final_test_accuracy),
        format!("{:.4}", r.best_test_accuracy),
        r.final_val_accuracy
            .map_or(String::new(), |v| format!("{v:.4}")),
        r.best_val_accuracy
            .map_or(String::new(), |v| format!("{v:.4}")),
        count(r.steps_to_98),
        opt(r.seconds_to_98),
        count(r.steps_to_99),
        opt(r.seconds_to_99),
        format!("{:.5}", r.final_train_loss),
        format!("{:.5}", r.final_test_loss),
        r.diverged.to_string(),
        count(r.diverged_at_step),
        r.collapsed.to_string(),
        format!("{:.2}", r.train_seconds),
        format!("{:.2}", r.eval_seconds),
        format!("{:.1}", r.images_per_second),
    ]
}

/// `summary.csv`.
fn summary_csv(runs: &[RunData]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER)
        .expect("writing to memory cannot fail");
    for r in runs {
        w.write_record(csv_row(&r.summary))
            .expect("writing to memory cannot fail");
    }
    String::from_utf8(w.into_inner().expect("writing to memory cannot fail"))
        .expect("names and numbers are UTF-8")
}

fn fmt_opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or("–".into(), |v| v.to_string())
}

/// `summary.csv` and `summary.md`.
/// `sensitivity`: whether the rate-sensitivity pictures are drawn, to link them.
pub fn tables(runs: &[RunData], sensitivity: bool) -> (String, String) {
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
    md.push_str("| schedule | kind | final test acc. | best val. acc. | steps to 98% | s to 98% | steps to 99% | s to 99% | final train loss | final test loss | outcome | images/s |\n");
    md.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for r in runs.iter().map(|r| &r.summary) {
        let _ = writeln!(
            md,
            "| {} | {} | {:.2}% | {} | {} | {} | {} | {} | {:.4} | {:.4} | {} | {:.0} |",
            r.name,
            r.kind,
            r.final_test_accuracy * 100.0,
            fmt_opt(r.best_val_accuracy.map(|v| format!("{:.2}%", v * 100.0))),
            fmt_opt(r.steps_to_98),
            fmt_opt(r.seconds_to_98.map(|s| format!("{s:.1}"))),
            fmt_opt(r.steps_to_99),
            fmt_opt(r.seconds_to_99.map(|s| format!("{s:.1}"))),
            r.final_train_loss,
            r.final_test_loss,
            r.outcome(),
            r.images_per_second
        );
    }
    seeds_table(&mut md, runs);
    let said = claims(runs);
    if !said.is_empty() {
        md.push_str("\n## What these runs show\n\n");
        md.push_str("Each claim of the reference text, checked seed by seed against the reference fixed rate (the same seed gives the same initial weights and batches): the mean paired difference with its 95% t interval and the paired t-test's p-value, Holm-corrected across the claims, make it supported or contradicted (below 0.05, in the claim's direction or against it) or leave it inconclusive. Accuracies are final test accuracies (means over seeds); steps to 98% come from validation-set evaluations once per epoch (the test set's for runs from before there was a validation set), so ties are common. Every number below is computed from the runs above.\n\n");
        for line in said {
            let _ = writeln!(md, "- {line}");
        }
    }
    let _ = write!(
        md,
        "\n![Small multiples]({GRID_PICTURE}.png)\n\n![Loss]({LOSS_PICTURE}.png)\n\n![Learning rates]({LR_PICTURE}.png)\n"
    );
    if sensitivity {
        let _ = write!(
            md,
            "\n![Final accuracy against peak rate]({SENSITIVITY_PICTURE}.png)\n\n![Diverged or collapsed against peak rate]({SENSITIVITY_FAILED_PICTURE}.png)\n"
        );
    }
    (summary_csv(runs), md)
}

/// The table over seeds, for schedules repeated with `--seeds`.
fn seeds_table(md: &mut String, runs: &[RunData]) {
    let groups = seed_groups(runs);
    if groups.is_empty() {
        return;
    }
    md.push_str("\n## Over seeds (mean ± standard deviation)\n\n");
    md.push_str("| schedule | seeds | final test acc. | best val. acc. | reached 99% | steps to 99% (mean of those) | final train loss | diverged | collapsed |\n");
    md.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for (group, members) in &groups {
        let stat = |f: &dyn Fn(&RunSummary) -> f64| mean_std(members.iter().map(|r| f(&r.summary)));
        let (fa, fs) = stat(&|r| r.final_test_accuracy * 100.0);
        let best_val: Vec<f64> = members
            .iter()
            .filter_map(|r| r.summary.best_val_accuracy.map(|v| v * 100.0))
            .collect();
        let best_val = if best_val.len() == members.len() {
            let (m, s) = mean_std(best_val.into_iter());
            format!("{m:.2}% ± {s:.2}")
        } else {
            "–".to_string()
        };
        let (la, ls) = stat(&|r| r.final_train_loss);
        let reached: Vec<f64> = members
            .iter()
            .filter_map(|r| r.summary.steps_to_99.map(|v| v as f64))
            .collect();
        let diverged = members.iter().filter(|r| r.summary.diverged).count();
        let collapsed = members.iter().filter(|r| r.summary.collapsed).count();
        let _ = writeln!(
            md,
            "| {group} | {} | {fa:.2}% ± {fs:.2} | {best_val} | {}/{} | {} | {la:.4} ± {ls:.4} | {diverged} | {collapsed} |",
            members.len(),
            reached.len(),
            members.len(),
            super::stats::mean(&reached).map_or("–".to_string(), |m| format!("{m:.0}"))
        );
    }
    let _ = writeln!(md, "\n![Loss over seeds]({LOSS_SEEDS_PICTURE}.png)");
}
