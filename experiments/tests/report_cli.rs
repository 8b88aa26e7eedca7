//! The committed report (`results/mnist-lenet-3seeds`): every number in its tables comes from
//! the committed per-step CSVs. Each run's summary.json is recomputed from its metrics.csv, and
//! `experiments plot` on a copy of the folder rewrites summary.md and summary.csv identically.
//! The committed studies (`results/study-fashion-mnist-lenet-3ep` and `-1ep`) redraw their
//! tables, claims and pictures identically from their `runs.csv` and `curves.csv`.

use std::path::{Path, PathBuf};

mod common;

const REPORT: &str = "results/mnist-lenet-3seeds";

fn report_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(REPORT)
}

#[test]
fn every_summary_follows_from_its_metrics() {
    let mut runs = 0;
    for entry in std::fs::read_dir(report_dir()).unwrap().flatten() {
        let dir = entry.path();
        let Ok(summary) = std::fs::read_to_string(dir.join("summary.json")) else {
            continue;
        };
        runs += 1;
        let s: serde_json::Value = serde_json::from_str(&summary).unwrap();
        // The project's own reader (with or without the momentum column).
        let (rows, epochs) = experiments::metrics::read(&dir.join("metrics.csv")).unwrap();
        let evals: Vec<(u64, f64)> = (epochs.iter())
            .filter_map(|e| Some((e.step, e.test_accuracy?)))
            .collect();
        // Time to a target is judged on the validation set (the test set before there was one).
        let judged: Vec<(u64, f64)> = (epochs.iter())
            .filter_map(|e| Some((e.step, e.val_accuracy.or(e.test_accuracy)?)))
            .collect();
        let name = dir.display();
        assert_eq!(s["steps"].as_u64().unwrap(), rows.len() as u64, "{name}");
        assert_eq!(
            s["final_test_accuracy"].as_f64().unwrap(),
            evals.last().unwrap().1,
            "{name}"
        );
        let best = evals.iter().map(|e| e.1).fold(0.0, f64::max);
        assert_eq!(s["best_test_accuracy"].as_f64().unwrap(), best, "{name}");
        for (key, threshold) in [("steps_to_98", 0.98), ("steps_to_99", 0.99)] {
            let first = judged.iter().find(|e| e.1 >= threshold).map(|e| e.0 + 1);
            assert_eq!(s[key].as_u64(), first, "{name} {key}");
        }
        let tail = &rows[rows.len().saturating_sub(50)..];
        let loss = tail.iter().map(|r| r.train_loss).sum::<f64>() / tail.len() as f64;
        assert!(
            (s["final_train_loss"].as_f64().unwrap() - loss).abs() < 1e-12,
            "{name}"
        );
    }
    assert_eq!(runs, 27, "9 schedules × 3 seeds");
}

/// Runs `experiments plot` on `copy` and requires each of `files` there to equal, byte for
/// byte, the committed file in `committed`.
fn redraw_equals(committed: &Path, copy: &Path, files: &[&str]) {
    let out = common::bin().arg("plot").arg(copy).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in files {
        let want = std::fs::read_to_string(committed.join(f)).unwrap();
        let redrawn = std::fs::read_to_string(copy.join(f)).unwrap();
        assert!(
            want == redrawn,
            "{f} in {} differs from what its runs give",
            committed.display()
        );
    }
}

#[test]
fn the_report_regenerates_from_the_committed_files() {
    let copy = std::env::temp_dir().join(format!("experiments-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    for entry in std::fs::read_dir(report_dir()).unwrap().flatten() {
        let from = entry.path();
        if !from.join("summary.json").is_file() {
            continue;
        }
        let to = copy.join(entry.file_name());
        std::fs::create_dir_all(&to).unwrap();
        for f in ["config.toml", "metrics.csv", "summary.json"] {
            std::fs::copy(from.join(f), to.join(f)).unwrap();
        }
    }
    redraw_equals(&report_dir(), &copy, &["summary.md", "summary.csv"]);
    let md = std::fs::read_to_string(copy.join("summary.md")).unwrap();
    assert!(md.contains("## What these runs show"));
    let _ = std::fs::remove_dir_all(&copy);
}

/// The committed studies: their tables, claims and pictures follow from their two CSV files.
const STUDIES: [&str; 2] = [
    "results/study-fashion-mnist-lenet-3ep",
    "results/study-fashion-mnist-lenet-1ep",
];

#[test]
fn the_committed_studies_redraw_identically_from_their_csv_files() {
    for (k, name) in STUDIES.iter().enumerate() {
        let study = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name);
        let id = std::process::id();
        let copy = std::env::temp_dir().join(format!("experiments-study-{id}-{k}"));
        let _ = std::fs::remove_dir_all(&copy);
        std::fs::create_dir_all(&copy).unwrap();
        for f in ["study.toml", "runs.csv", "curves.csv"] {
            std::fs::copy(study.join(f), copy.join(f)).unwrap();
        }
        let files = [
            "study.md",
            "study.csv",
            "ranking.svg",
            "validation.svg",
            "validation-grid.svg",
            "sensitivity.svg",
            "sensitivity-failed.svg",
        ];
        redraw_equals(&study, &copy, &files);
        // Every arm of the study file has its row, with 10 final seeds.
        let table = std::fs::read_to_string(copy.join("study.csv")).unwrap();
        let arms = std::fs::read_to_string(copy.join("study.toml")).unwrap();
        assert_eq!(table.lines().count() - 1, arms.matches("[[arm]]").count());
        assert!(
            table
                .lines()
                .skip(1)
                .all(|l| l.split(',').nth(8) == Some("10")),
            "{name}: {table}"
        );
        let _ = std::fs::remove_dir_all(&copy);
    }
}

/// The committed suite: every workload reported so far redraws its tables, word for word, from
/// its `runs.csv` and `curves.csv`, and those hold exactly its arms' rows, in the suite's order;
/// with all of them reported, `suite.md` redraws from them too.
#[test]
fn the_committed_suite_redraws_from_its_csv_files() {
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../results/suite");
    let copy = std::env::temp_dir().join(format!("experiments-suite-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::copy(suite.join("study.toml"), copy.join("study.toml")).unwrap();
    let config = std::fs::read_to_string(suite.join("study.toml")).unwrap();
    let arms: Vec<&str> = (config.split("[[arm]]").skip(1))
        .map(|a| a.split('"').nth(1).unwrap())
        .collect();
    let mut reported = Vec::new();
    for entry in std::fs::read_dir(&suite).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("runs.csv").is_file() {
            continue;
        }
        let name = dir.file_name().unwrap().to_owned();
        std::fs::create_dir_all(copy.join(&name)).unwrap();
        for f in ["runs.csv", "curves.csv"] {
            std::fs::copy(dir.join(f), copy.join(&name).join(f)).unwrap();
            // The workload's table is its arms' rows, in order, under one header.
            let mut joined = String::new();
            for (k, arm) in arms.iter().enumerate() {
                let rows =
                    std::fs::read_to_string(dir.join("arms").join(format!("{arm}-{f}"))).unwrap();
                let skip = usize::from(k > 0);
                for line in rows.lines().skip(skip) {
                    joined += line;
                    joined += "\n";
                }
            }
            assert_eq!(
                std::fs::read_to_string(dir.join(f)).unwrap(),
                joined,
                "{}: {f}",
                dir.display()
            );
        }
        reported.push(name);
    }
    assert!(
        !reported.is_empty(),
        "no workload of the suite has been reported"
    );
    let out = common::bin().arg("plot").arg(&copy).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in &reported {
        for f in ["study.md", "study.csv", "ranking.svg", "validation.svg"] {
            let want = std::fs::read_to_string(suite.join(name).join(f)).unwrap();
            let got = std::fs::read_to_string(copy.join(name).join(f)).unwrap();
            assert!(
                want == got,
                "{f} of {name:?} differs from what its rows give"
            );
        }
    }
    // Once every workload is reported, the report across them redraws too.
    if suite.join("suite.md").is_file() {
        let want = std::fs::read_to_string(suite.join("suite.md")).unwrap();
        let got = std::fs::read_to_string(copy.join("suite.md")).unwrap();
        assert!(
            want == got,
            "suite.md differs from what the workloads' rows give"
        );
    }
    let _ = std::fs::remove_dir_all(&copy);
}
