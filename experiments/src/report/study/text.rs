//! The study's table as text: `study.md` (what was run, the table, the claims) and
//! `study.csv` (the table's numbers, unrounded).

use super::StudyData;
use super::table::{ArmRow, target};
use crate::error::Result;
use crate::report::paired::Paired;

fn interval(c: &Paired) -> String {
    if c.n < 2 {
        format!("{:.2} (1 seed)", c.mean)
    } else {
        format!("{:.2} ± {:.2}", c.mean, (c.high - c.low) / 2.0)
    }
}

fn delta(c: &Option<(Paired, f64)>) -> String {
    match c {
        Some((c, holm_p)) => format!(
            "{:+.2} [{:+.2}, {:+.2}], p {:.3}",
            c.mean, c.low, c.high, holm_p
        ),
        None => "–".into(),
    }
}

/// `study.md`: what was run, the table, the claims.
pub fn markdown(data: &StudyData, rows: &[ArmRow], claims: &[String]) -> String {
    let target = target(data);
    let seeds = rows.iter().map(|r| r.seeds).max().unwrap_or(0);
    let mut md = String::from("# Schedule study\n\n");
    md += &format!(
        "Every arm's peak rate was tuned on a factor-2 grid centred on the LR range test's suggestion for its optimizer, picked by the median final validation accuracy of the grid's runs (validation set only), then trained with {seeds} final seeds, paired across arms (the same seed gives the same initial weights and batch order). Accuracies are means over those seeds with 95% Student t intervals (± half-width); Δ is the paired difference of final test accuracy in points, [95% CI], with the paired t-test's p after Holm's correction across the {} comparisons of the table. Steps to target: the median number of steps to reach {:.2}% validation accuracy (the reference `{}`'s median final validation accuracy), over seeds that never did counting as never; `>` when half or more never did. An arm whose tuned peak is still on an edge of its grid after the extensions is marked `edge`: its best rate may lie beyond what was tried.\n\n",
        rows.iter()
            .flat_map(|r| [&r.vs_reference, &r.vs_cosine])
            .filter(|c| c.is_some())
            .count(),
        target * 100.0,
        data.reference,
    );
    md += &format!(
        "| arm | optimizer | schedule | range test | tuned peak | final val. acc. % | final test acc. % | Δ test vs `{}` | Δ test vs `{}` | steps to target | failed | zero-tuning test acc. % | Δ tuned − zero |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
        data.reference, data.cosine
    );
    for r in rows {
        md += &format!(
            "| {} | {} | {} | {:.3e} | {:.3e} (×{}{}, {} points) | {} | {} | {} | {} | {} ({}/{}) | {}/{} | {} | {} |\n",
            r.arm,
            r.optimizer,
            r.kind,
            r.suggestion,
            r.tuned_peak,
            r.tuned_factor,
            if r.on_edge { ", edge" } else { "" },
            r.grid_points,
            interval(&r.val),
            interval(&r.test),
            delta(&r.vs_reference),
            delta(&r.vs_cosine),
            r.to_target.map_or(">".into(), |s| format!("{s:.0}")),
            r.reached,
            r.seeds,
            r.failed,
            r.seeds,
            r.zero_test.as_ref().map_or("–".into(), interval),
            match &r.tuned_minus_zero {
                // Tuning kept the suggestion: the zero-tuning runs are the final runs.
                Some(_) if r.tuned_factor == 1.0 => "0 (tuned = suggestion)".into(),
                Some(c) => format!(
                    "{:+.2} [{:+.2}, {:+.2}] ({} seeds)",
                    c.mean, c.low, c.high, c.n
                ),
                None => "–".into(),
            },
        );
    }
    md += "\n## The reference text's claims\n\n";
    for claim in claims {
        md += &format!("- {claim}\n");
    }
    md += "\n![Ranking](ranking.png)\n\n![Validation accuracy against step](validation.png)\n\n![One panel per arm](validation-grid.png)\n\n![Rate sensitivity](sensitivity.png)\n\n![Failures against rate](sensitivity-failed.png)\n";
    md
}

/// `study.csv`: the table's numbers, unrounded.
pub fn csv(rows: &[ArmRow]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let memory = "writing to memory cannot fail";
    w.write_record([
        "arm",
        "optimizer",
        "kind",
        "suggestion",
        "tuned_peak",
        "tuned_factor",
        "on_edge",
        "grid_points",
        "seeds",
        "val_accuracy",
        "val_ci_low",
        "val_ci_high",
        "test_accuracy",
        "test_ci_low",
        "test_ci_high",
        "delta_vs_reference",
        "delta_vs_reference_low",
        "delta_vs_reference_high",
        "holm_p_vs_reference",
        "delta_vs_cosine",
        "delta_vs_cosine_low",
        "delta_vs_cosine_high",
        "holm_p_vs_cosine",
        "steps_to_target",
        "reached_target",
        "failed",
        "zero_tuning_test_accuracy",
        "tuned_minus_zero",
        "seconds_per_run",
    ])
    .expect(memory);
    let num = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for r in rows {
        let d = |c: &Option<(Paired, f64)>| {
            [
                num(c.as_ref().map(|c| c.0.mean)),
                num(c.as_ref().map(|c| c.0.low)),
                num(c.as_ref().map(|c| c.0.high)),
                num(c.as_ref().map(|c| c.1)),
            ]
        };
        let mut record = vec![
            r.arm.clone(),
            r.optimizer.clone(),
            r.kind.clone(),
            r.suggestion.to_string(),
            r.tuned_peak.to_string(),
            r.tuned_factor.to_string(),
            r.on_edge.to_string(),
            r.grid_points.to_string(),
            r.seeds.to_string(),
            r.val.mean.to_string(),
            r.val.low.to_string(),
            r.val.high.to_string(),
            r.test.mean.to_string(),
            r.test.low.to_string(),
            r.test.high.to_string(),
        ];
        record.extend(d(&r.vs_reference));
        record.extend(d(&r.vs_cosine));
        record.extend([
            num(r.to_target),
            r.reached.to_string(),
            r.failed.to_string(),
            num(r.zero_test.as_ref().map(|c| c.mean)),
            num(r.tuned_minus_zero.as_ref().map(|c| c.mean)),
            r.seconds.to_string(),
        ]);
        w.write_record(record).expect(memory);
    }
    Ok(String::from_utf8(w.into_inner().expect(memory)).expect("numbers are ASCII"))
}
