//! Across workloads: each arm's rank on each workload (by mean final test accuracy over the
//! final seeds, a failed run counted with the accuracy it ended at) and its mean rank, the
//! performance profile (on what share of workloads an arm is within τ points of the best), the
//! rank agreement (Kendall's W with a bootstrap interval over seeds), and the recommendations
//! those give for a known horizon, an unknown horizon and no tuning budget.

use std::fmt::Write;

use study_stats::{kendall_w, kendall_w_bootstrap, performance_profile};

use super::WorkloadReport;
use super::measure::finals;
use crate::plan::study::{Statistics, StudyFile};
use crate::report::study::{Phase, StudyData};

/// One workload's data and report, under its name.
pub struct Workload<'a> {
    pub name: &'a str,
    pub data: &'a StudyData,
    pub report: &'a WorkloadReport,
}

/// Ranks (1 = best) of `scores`, ties sharing their mean rank.
fn ranks(scores: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut out = vec![0.0; scores.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        for &k in &order[i..=j] {
            out[k] = (i + j) as f64 / 2.0 + 1.0;
        }
        i = j + 1;
    }
    out
}

/// Whether an arm's schedule needs the run's length (a share of the run in its table).
fn needs_horizon(file: &StudyFile, arm: &str) -> bool {
    let Some(a) = file.arms.iter().find(|a| a.name == arm) else {
        return true;
    };
    file.arm_config(a).map_or(true, |t| t.contains('%'))
}

/// The suite's report in Markdown: ranks, profile, agreement, recommendations, and each claim's
/// verdict per workload.
pub fn markdown(workloads: &[Workload], file: &StudyFile, st: &Statistics) -> String {
    let arms: Vec<String> = (file.arms.iter())
        .map(|a| a.name.clone())
        .filter(|a| {
            workloads
                .iter()
                .all(|w| w.report.rows.iter().any(|r| &r.arm == a))
        })
        .collect();
    // scores[workload][arm]: mean final test accuracy (points); per_seed for the bootstrap.
    let per_seed: Vec<Vec<Vec<f64>>> = (workloads.iter())
        .map(|w| {
            (arms.iter())
                .map(|a| {
                    (finals(w.data, a, 1.0).iter())
                        .map(|r| r.final_test_accuracy * 100.0)
                        .collect()
                })
                .collect()
        })
        .collect();
    let scores: Vec<Vec<f64>> = (per_seed.iter())
        .map(|w| {
            w.iter()
                .map(|s: &Vec<f64>| s.iter().sum::<f64>() / s.len().max(1) as f64)
                .collect()
        })
        .collect();
    let zero: Vec<Vec<f64>> = (workloads.iter())
        .map(|w| {
            (arms.iter())
                .map(|a| {
                    let z: Vec<f64> = (w.data.runs.iter())
                        .filter(|r| r.phase == Phase::Zero && &r.arm == a)
                        .map(|r| r.final_test_accuracy * 100.0)
                        .collect();
                    if z.is_empty() {
                        f64::NAN
                    } else {
                        z.iter().sum::<f64>() / z.len() as f64
                    }
                })
                .collect()
        })
        .collect();
    let rank: Vec<Vec<f64>> = scores.iter().map(|s| ranks(s)).collect();
    let mean_rank: Vec<f64> = (0..arms.len())
        .map(|k| rank.iter().map(|r| r[k]).sum::<f64>() / rank.len() as f64)
        .collect();
    let profile = performance_profile(&scores, &st.profile_taus);
    let mut md = String::from("# Suite\n\n");
    let _ = writeln!(
        md,
        "Each arm's score on a workload is its mean final test accuracy over the {} final seeds (a failed run counts with the accuracy it ended at); rank 1 is the best. The profile gives the share of the {} workloads on which an arm is within τ points of that workload's best arm.\n",
        file.final_seeds,
        workloads.len()
    );
    let names: Vec<&str> = workloads.iter().map(|w| w.name).collect();
    let _ = writeln!(
        md,
        "| arm | {} | mean rank | {} |\n|---|{}---|{}",
        names
            .iter()
            .map(|n| format!("{n} (acc. %, rank)"))
            .collect::<Vec<_>>()
            .join(" | "),
        st.profile_taus
            .iter()
            .map(|t| format!("within {t}"))
            .collect::<Vec<_>>()
            .join(" | "),
        "---|".repeat(names.len()),
        "---|".repeat(st.profile_taus.len()),
    );
    let mut order: Vec<usize> = (0..arms.len()).collect();
    order.sort_by(|&a, &b| mean_rank[a].total_cmp(&mean_rank[b]));
    for &k in &order {
        let cells: Vec<String> = (0..workloads.len())
            .map(|w| format!("{:.2} ({})", scores[w][k], rank[w][k]))
            .collect();
        let prof: Vec<String> = profile[k].iter().map(|p| format!("{p:.2}")).collect();
        let _ = writeln!(
            md,
            "| {} | {} | {:.2} | {} |",
            arms[k],
            cells.join(" | "),
            mean_rank[k],
            prof.join(" | ")
        );
    }
    let w = kendall_w(&scores);
    let wb = kendall_w_bootstrap(&per_seed, st.bootstrap_resamples, st.bootstrap_seed, 0.95);
    let _ = writeln!(
        md,
        "\nRank agreement across the workloads: Kendall's W = {} (1: the same ranking everywhere, 0: none shared), 95% bootstrap interval over seeds {}.\n",
        w.map_or("–".into(), |w| format!("{w:.3}")),
        wb.map_or("–".into(), |i| format!("[{:.3}, {:.3}]", i.low, i.high)),
    );
    // "The best schedule depends on the problem" (§2.9.3): each workload's best arm, and whether
    // another workload's best is significantly below it there (its comparison with the cosine
    // arm is not that test, so the claim is judged from the ranks and W).
    let best: Vec<&str> = (0..workloads.len())
        .map(|w| {
            let k = (0..arms.len())
                .max_by(|&a, &b| scores[w][a].total_cmp(&scores[w][b]))
                .unwrap_or(0);
            arms.get(k).map_or("–", String::as_str)
        })
        .collect();
    let same = best.windows(2).all(|p| p[0] == p[1]);
    let verdict = match wb {
        _ if workloads.len() < 2 => "not measurable (one workload)",
        Some(i) if i.high < 1.0 && !same => {
            "supported (the best arm differs and the agreement's interval excludes 1)"
        }
        Some(_) if same => "contradicted for the best arm (the same arm is best on every workload)",
        _ => "inconclusive",
    };
    let _ = writeln!(
        md,
        "- §2.9.3 The best schedule depends on the problem: best arm per workload {}; W {}: **{verdict}**.\n",
        names
            .iter()
            .zip(&best)
            .map(|(n, b)| format!("{n}: `{b}`"))
            .collect::<Vec<_>>()
            .join(", "),
        w.map_or("–".into(), |w| format!("{w:.3}")),
    );
    // Recommendations: the best mean rank among the arms each situation allows.
    let pick = |allowed: &dyn Fn(&str) -> bool, by: &[Vec<f64>]| -> String {
        let r: Vec<Vec<f64>> = by
            .iter()
            .map(|s| {
                ranks(
                    &s.iter()
                        .map(|x| if x.is_nan() { f64::NEG_INFINITY } else { *x })
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        (0..arms.len())
            .filter(|&k| allowed(&arms[k]))
            .min_by(|&a, &b| {
                let m = |k: usize| r.iter().map(|x| x[k]).sum::<f64>();
                m(a).total_cmp(&m(b))
            })
            .map_or("–".into(), |k| format!("`{}`", arms[k]))
    };
    let _ = writeln!(md, "| situation | recommended arm | from |\n|---|---|---|");
    let _ = writeln!(
        md,
        "| the run's length is known | {} | mean rank of the tuned arms |",
        pick(&|_| true, &scores)
    );
    let _ = writeln!(
        md,
        "| the run's length is not known | {} | mean rank of the tuned arms whose schedule needs no length |",
        pick(&|a| !needs_horizon(file, a), &scores)
    );
    let _ = writeln!(
        md,
        "| no tuning budget | {} | mean rank of the untuned runs at the suggestion |",
        pick(&|_| true, &zero)
    );
    let _ = writeln!(md, "\n## The reference text's claims on each workload\n");
    let _ = writeln!(
        md,
        "| § | claim | {} |\n|---|---|{}",
        names.join(" | "),
        "---|".repeat(names.len())
    );
    if let Some(first) = workloads.first() {
        for (i, c) in first.report.claims.iter().enumerate() {
            let cells: Vec<&str> = (workloads.iter())
                .map(|w| {
                    let r = &w.report.claims[i];
                    let compared: Vec<_> =
                        r.compared.iter().map(|&j| &w.report.family[j]).collect();
                    super::claims::verdict(&compared, st.alpha).word()
                })
                .collect();
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                c.claim.section,
                c.claim.text,
                cells.join(" | ")
            );
        }
    }
    md
}
