//! `experiments lr-find` end to end on a few hundred real MNIST images with flex.

use std::path::Path;
use std::process::Output;

mod common;

use common::mnist_dir;

fn lr_find(out: &Path, extra: &[&str]) -> Output {
    common::bin()
        .arg("lr-find")
        .arg("--data-dir")
        .arg(mnist_dir())
        .arg("--out")
        .arg(out)
        .args([
            "--backend",
            "flex",
            "--model",
            "lenet",
            "--optimizer",
            "momentum",
        ])
        .args(["--batch-size", "32", "--train-limit", "640", "--quiet"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn the_range_test_writes_its_curve_and_suggests_rates() {
    let out = std::env::temp_dir().join(format!("experiments-lrfind-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let result = lr_find(&out, &["--steps", "80", "--start", "1e-5", "--end", "1e5"]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let csv = std::fs::read_to_string(out.join("lr-find.csv")).unwrap();
    let rows: Vec<Vec<f64>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert!(rows.len() >= 20, "{} rows", rows.len());
    assert_eq!(rows[0][1], 1e-5);
    // Exponential growth: a constant ratio between consecutive rates.
    let ratio = rows[1][1] / rows[0][1];
    assert!((ratio - 1e10f64.powf(1.0 / 79.0)).abs() < 1e-9);
    // With momentum, rates far above 1 blow the loss up: the test stops early.
    assert!(rows.len() < 80, "the loss never exploded");
    let stdout = String::from_utf8_lossy(&result.stdout);
    let max_lr: f64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("one_cycle: max_lr = "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .parse()
        .unwrap();
    // The suggestion sits inside the range tried, below where the loss exploded.
    let last = rows.last().unwrap()[1];
    assert!(max_lr > 1e-5 && max_lr < last, "{max_lr} vs {last}");
    assert!(stdout.contains("cyclical:  max_lr = "), "{stdout}");
    for f in ["lr-find.png", "lr-find.svg"] {
        assert!(std::fs::metadata(out.join(f)).unwrap().len() > 1000, "{f}");
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn an_empty_range_is_refused_with_one_line() {
    let out = std::env::temp_dir().join(format!("experiments-lrfind-bad-{}", std::process::id()));
    let result = lr_find(&out, &["--start", "1", "--end", "0.1"]);
    assert!(!result.status.success());
    let err = String::from_utf8_lossy(&result.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--start (1) and --end (0.1) must be positive with start < end"));
    let _ = std::fs::remove_dir_all(&out);
}

/// A preset may leave `max_lr`/`base_lr` to the range test: training runs it first and the
/// resolved files hold the numbers it chose.
#[test]
fn auto_rates_in_a_preset_come_from_the_range_test() {
    let dir = std::env::temp_dir().join(format!("experiments-auto-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("oc-auto.toml"),
        "[schedule]\nkind = 'one_cycle'\nmax_lr = 'auto'\ntotal_steps = 20\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("clr-auto.toml"),
        "[schedule]\nkind = 'cyclical'\nbase_lr = 'auto'\nmax_lr = 'auto'\nstep_size = 5\n",
    )
    .unwrap();
    let run = common::bin()
        .env("EXPERIMENTS_CONFIGS", &dir)
        .arg("--data-dir")
        .arg(mnist_dir())
        .arg("--out")
        .arg(&dir)
        .args(["--backend", "flex", "--model", "lenet", "--epochs", "1"])
        .args([
            "--batch-size",
            "32",
            "--train-limit",
            "640",
            "--test-limit",
            "100",
            "--validation",
            "300",
        ])
        .args(["--schedule", "oc-auto,clr-auto", "--name", "s", "--quiet"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("LR range test: max_lr = "))
        .unwrap_or_else(|| panic!("{err}"));
    let number = |after: &str| -> f64 {
        line.split(after)
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (max_lr, base_lr) = (number("max_lr = "), number("base_lr = "));
    assert!(
        max_lr > 0.0 && (base_lr / max_lr - 0.25).abs() < 1e-2,
        "{line}"
    );
    let config = |run: &str| -> toml::Table {
        std::fs::read_to_string(dir.join(format!("s/{run}/config.toml")))
            .unwrap()
            .parse()
            .unwrap()
    };
    let close = |v: &toml::Value, want: f64| (v.as_float().unwrap() / want - 1.0).abs() < 1e-3;
    assert!(close(&config("oc-auto")["schedule"]["max_lr"], max_lr));
    assert!(close(&config("clr-auto")["schedule"]["max_lr"], max_lr));
    assert!(close(&config("clr-auto")["schedule"]["base_lr"], base_lr));
    let sweep = std::fs::read_to_string(dir.join("s/sweep.toml")).unwrap();
    assert!(
        !sweep.contains("= \"auto\""),
        "sweep.toml keeps the numbers:\n{sweep}"
    );
    assert!(dir.join("s/lr-find.csv").is_file());

    // Printing rates without training cannot run the test: one line says so.
    let lr = common::bin()
        .env("EXPERIMENTS_CONFIGS", &dir)
        .args(["lr", "--schedule", "oc-auto"])
        .output()
        .unwrap();
    assert!(!lr.status.success());
    assert!(String::from_utf8_lossy(&lr.stderr).contains("is chosen by an LR range test"));
    let _ = std::fs::remove_dir_all(&dir);
}
