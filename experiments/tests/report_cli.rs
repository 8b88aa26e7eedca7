//! The committed report (`results/mnist-lenet-3seeds`): every number in its tables comes from
//! the committed per-step CSVs. Each run's summary.json is recomputed from its metrics.csv, and
//! `experiments plot` on a copy of the folder rewrites summary.md and summary.csv identically.
//! The committed study (`results/study-fashion-mnist-lenet-3ep`) redraws its table, claims and
//! pictures identically from its `runs.csv` and `curves.csv`.

use std::path::{Path, PathBuf};
use std::process::Command;

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
    let out = Command::new(env!("CARGO_BIN_EXE_experiments"))
        .arg("plot")
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in ["summary.md", "summary.csv"] {
        let committed = std::fs::read_to_string(report_dir().join(f)).unwrap();
        let redrawn = std::fs::read_to_string(copy.join(f)).unwrap();
        assert_eq!(committed, redrawn, "{f} differs from what its runs give");
    }
    let md = std::fs::read_to_string(copy.join("summary.md")).unwrap();
    assert!(md.contains("## What these runs show"));
    let _ = std::fs::remove_dir_all(&copy);
}

/// The committed study: its table, claims and pictures follow from its two CSV files.
const STUDY: &str = "results/study-fashion-mnist-lenet-3ep";

#[test]
fn the_committed_study_redraws_identically_from_its_csv_files() {
    let study = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(STUDY);
    let copy = std::env::temp_dir().join(format!("experiments-study-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(&copy).unwrap();
    for f in ["study.toml", "runs.csv", "curves.csv"] {
        std::fs::copy(study.join(f), copy.join(f)).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_experiments"))
        .arg("plot")
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in [
        "study.md",
        "study.csv",
        "ranking.svg",
        "validation.svg",
        "validation-grid.svg",
        "sensitivity.svg",
        "sensitivity-failed.svg",
    ] {
        let committed = std::fs::read_to_string(study.join(f)).unwrap();
        let redrawn = std::fs::read_to_string(copy.join(f)).unwrap();
        assert!(
            committed == redrawn,
            "{f} differs from what runs.csv and curves.csv give"
        );
    }
    // Every arm of the study file has its row, with 10 final seeds.
    let table = std::fs::read_to_string(copy.join("study.csv")).unwrap();
    let arms = std::fs::read_to_string(copy.join("study.toml")).unwrap();
    assert_eq!(table.lines().count() - 1, arms.matches("[[arm]]").count());
    assert!(
        table
            .lines()
            .skip(1)
            .all(|l| l.split(',').nth(8) == Some("10")),
        "{table}"
    );
    let _ = std::fs::remove_dir_all(&copy);
}
