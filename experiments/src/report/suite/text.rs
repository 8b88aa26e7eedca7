//! A workload's `study.md` and `study.csv`: every sentence built from the numbers beside it.

use std::fmt::Write;

use super::claims::{NOT_MEASURABLE, verdict};
use super::compare::{describe, p_text};
use super::{Row, WorkloadReport};
use crate::error::Result;
use crate::plan::study::{PrimaryTest, Statistics, StudyFile};

fn interval(i: &Option<study_stats::Interval>) -> String {
    i.map_or("–".into(), |i| {
        format!("{:.2} ± {:.2}", i.mean, (i.high - i.low) / 2.0)
    })
}

fn tuned(r: &Row) -> String {
    let resolved = match &r.resolution {
        Some(res) => match res.se {
            Some(se) if res.resolved => format!("resolved: +{:.2} ± {se:.2}", res.margin),
            Some(se) => format!("unresolved: {:+.2} ± {se:.2}", res.margin),
            None => "unresolved: one seed".into(),
        },
        None => "no runner-up".into(),
    };
    format!(
        "{:.3e} (×{}, {} points{}; {resolved})",
        r.tuned_peak,
        r.tuned_factor,
        r.grid_points,
        if r.on_edge { ", edge" } else { "" }
    )
}

/// The workload's report in Markdown.
pub fn markdown(w: &WorkloadReport, file: &StudyFile, st: &Statistics) -> String {
    let test = match st.primary {
        PrimaryTest::Wilcoxon => {
            "the exact Wilcoxon signed-rank test (a failed or censored run ranked below every other, zero differences dropped)"
        }
        PrimaryTest::SignFlip => "the exact sign-flip permutation test of the mean difference",
    };
    let target = w
        .target
        .map_or("none (no grid for the target arm)".into(), |t| {
            format!("{t:.2}%")
        });
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Study\n\nEach arm's peak was tuned on a factor-2 grid of {} points around its suggestion (the range test's, or the reference rate of an optimizer that needs no schedule), {} seeds a point, by the mean tuning score (the mean validation accuracy of a run's last {} evaluations); a pick is resolved when its margin over the runner-up, paired by seed, exceeds two standard errors. Then {} final seeds at the tuned peak, paired across arms. Accuracies are means over those seeds ± the 95% t half-width. Every comparison is paired by seed and tested with {test}; Holm's correction covers all {} comparisons of this report (the claims and the column against `{}`), significance at {}. Beside each mean difference: its 95% t interval and its percentile bootstrap interval ({} resamples), over the seeds where both sides have a value. Time to target: the first evaluation after which the mean of the last {} validation accuracies stays at or above {target} (the median final validation accuracy of `{}`'s winning grid point, grid seeds only, less {} points); never reached is censored.\n",
        file.grid_points,
        file.grid_seeds,
        file.tuning_evaluations,
        file.final_seeds,
        w.family.len(),
        file.cosine,
        st.alpha,
        st.bootstrap_resamples,
        st.smoothing,
        st.target_arm,
        st.target_margin,
    );
    let _ = writeln!(
        md,
        "| arm | optimizer | suggestion | tuned peak | final val. acc. % | final test acc. % | Δ test vs `{}` | steps to target | failed | zero-tuning test % | shape |\n|---|---|---|---|---|---|---|---|---|---|---|",
        file.cosine
    );
    for r in &w.rows {
        let vs = r.vs_cosine.map_or("–".into(), |i| {
            let c = &w.family[i];
            format!(
                "{} {}, Holm p {}",
                c.t.map_or("–".into(), |t| format!("{:+.2}", t.mean)),
                c.t.map_or(String::new(), |t| format!(
                    "[{:+.2}, {:+.2}]",
                    t.low, t.high
                )),
                p_text(c.holm_p)
            )
        });
        let time = match r.to_target {
            Some(t) => format!("{t:.0} ({}/{})", r.reached, r.seeds),
            None => format!("> budget ({}/{})", r.reached, r.seeds),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {:.3e} | {} | {} | {} | {vs} | {time} | {}/{} | {} | {} |",
            r.arm,
            r.optimizer,
            r.suggestion,
            tuned(r),
            interval(&r.val),
            interval(&r.test),
            r.failed,
            r.seeds,
            r.zero_test.map_or("–".into(), |z| format!("{z:.2}")),
            r.note.as_deref().unwrap_or("–"),
        );
    }
    let _ = writeln!(md, "\n## The reference text's claims\n");
    for c in &w.claims {
        let compared: Vec<_> = c.compared.iter().map(|&i| &w.family[i]).collect();
        let v = verdict(&compared, st.alpha);
        let evidence = if compared.is_empty() {
            let missing: Vec<String> = (c.claim.asks.iter())
                .flat_map(|a| [a.a.name(), a.b.name()])
                .collect();
            format!("needs {}, not all in this study", missing.join(", "))
        } else {
            (compared.iter())
                .map(|x| {
                    format!(
                        "{} against {} on {}: {}",
                        x.ask.a.name(),
                        x.ask.b.name(),
                        x.ask.metric.label(),
                        describe(x, st)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        let _ = writeln!(
            md,
            "- §{} {}: {evidence}: **{}**.",
            c.claim.section,
            c.claim.text,
            v.word()
        );
    }
    let _ = writeln!(md, "\nNot measurable with these workloads:\n");
    for (section, text, why) in NOT_MEASURABLE {
        let _ = writeln!(md, "- §{section} {text}: {why}.");
    }
    md
}

/// The table as CSV (points; empty cells where a value does not exist).
pub fn csv(w: &WorkloadReport) -> Result<String> {
    let mut out = String::from(
        "arm,optimizer,suggestion,tuned_peak,tuned_factor,on_edge,grid_points,resolved,margin,margin_se,seeds,val_mean,val_low,val_high,test_mean,test_low,test_high,vs_cosine_mean,vs_cosine_p,vs_cosine_holm_p,steps_to_target,reached,failed,zero_test\n",
    );
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for r in &w.rows {
        let vs = r.vs_cosine.map(|i| &w.family[i]);
        let res = r.resolution.as_ref();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.arm,
            r.optimizer,
            r.suggestion,
            r.tuned_peak,
            r.tuned_factor,
            r.on_edge,
            r.grid_points,
            res.is_some_and(|x| x.resolved),
            opt(res.map(|x| x.margin)),
            opt(res.and_then(|x| x.se)),
            r.seeds,
            opt(r.val.map(|i| i.mean)),
            opt(r.val.map(|i| i.low)),
            opt(r.val.map(|i| i.high)),
            opt(r.test.map(|i| i.mean)),
            opt(r.test.map(|i| i.low)),
            opt(r.test.map(|i| i.high)),
            opt(vs.and_then(|c| c.t.map(|t| t.mean))),
            opt(vs.map(|c| c.p)),
            opt(vs.map(|c| c.holm_p)),
            opt(r.to_target),
            r.reached,
            r.failed,
            opt(r.zero_test),
        );
    }
    Ok(out)
}
