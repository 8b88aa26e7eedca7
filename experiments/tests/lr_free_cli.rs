//! The optimizers that need no schedule (`crates/lr-free`) from the command line: each trains
//! lenet on MNIST at its reference rate when no schedule is given, records its estimate in
//! `metrics.csv`, and resumes after SIGKILL to the metrics of an uninterrupted run; `lr-find`
//! refuses the step-size estimators and runs for schedule-free; `--save-model` saves the weights
//! a schedule-free run was evaluated at, x.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::bin;

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device};
use common::{TempDir, assert_one_line_error, mnist_dir, ok};
use experiments::checkpoint::Checkpoint;
use experiments::model::{ModelKind, Net};
use experiments::train::{DeviceData, evaluate, hold_out};

const OPTIMIZERS: [(&str, f64); 5] = [
    ("schedule-free-sgd", 1.0),
    ("schedule-free-adamw", 0.0025),
    ("prodigy", 1.0),
    ("dadapt-adam", 1.0),
    ("dadapt-sgd", 1.0),
];

/// One epoch of lenet on 1,280 images (40 steps of 32), no --schedule, checkpoints every 5.
fn train(out: &Path, optimizer: &str, name: &str) -> Command {
    let mut c = bin();
    c.arg("--data-dir")
        .arg(mnist_dir())
        .arg("--out")
        .arg(out)
        .args([
            "--backend",
            "flex",
            "--model",
            "lenet",
            "--optimizer",
            optimizer,
        ])
        .args([
            "--epochs",
            "1",
            "--batch-size",
            "32",
            "--train-limit",
            "1280",
        ])
        .args(["--test-limit", "200", "--validation", "300", "--quiet"])
        .args(["--checkpoint-every", "5", "--continue", "--name", name]);
    c
}

/// metrics.csv without the wall-time column.
fn metrics(run: &Path) -> String {
    std::fs::read_to_string(run.join("metrics.csv"))
        .unwrap()
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect()
}

fn wait_for(path: &Path) {
    let start = Instant::now();
    while !path.exists() && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(path.exists(), "{} never appeared", path.display());
}

#[cfg(unix)]
#[test]
fn each_trains_at_its_reference_rate_and_resumes_after_sigkill_to_the_same_metrics() {
    let tmp = TempDir::new("lr-free");
    for (optimizer, lr) in OPTIMIZERS {
        let full = tmp.join(format!("{optimizer}-full"));
        ok(&train(&tmp, optimizer, &format!("{optimizer}-full"))
            .output()
            .unwrap());
        let run = full.join("reference-lr");
        let text = metrics(&run);
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("step,epoch,lr,estimate,train_loss,"),
            "{optimizer}: {text}"
        );
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        assert_eq!(rows.len(), 40, "{optimizer}: 40 steps");
        for row in &rows {
            assert_eq!(
                row[2].parse::<f64>().unwrap(),
                lr,
                "{optimizer}: the reference rate"
            );
            let estimate: f64 = row[3].parse().unwrap();
            assert!(
                estimate > 0.0 && estimate.is_finite(),
                "{optimizer}: {row:?}"
            );
        }
        let first: f64 = rows[0][3].parse().unwrap();
        let last: f64 = rows[39][3].parse().unwrap();
        if optimizer.starts_with("schedule-free") {
            // The averaging weight c of step k is 1/(k+1) at a constant rate (to rounding: its
            // sum of weights is accumulated).
            assert_eq!(first, 1.0, "{optimizer}");
            assert!((last * 40.0 - 1.0).abs() < 1e-12, "{optimizer}: {last}");
        } else {
            assert!(
                last > first,
                "{optimizer}: d grew from d0 ({first} -> {last})"
            );
        }
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).unwrap())
                .unwrap();
        assert_eq!(summary["optimizer"], optimizer);

        // Killed after its first checkpoint, then the same command again: the same metrics.
        let name = format!("{optimizer}-killed");
        let mut child = train(&tmp, optimizer, &name)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_for(&tmp.join(&name).join("reference-lr/checkpoint.bin"));
        let sent = Command::new("kill")
            .args(["-KILL", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = child.wait().unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert!(
            !status.success(),
            "{optimizer}: finished before the kill: {err}"
        );
        ok(&train(&tmp, optimizer, &name).output().unwrap());
        let resumed = tmp.join(&name).join("reference-lr");
        assert_eq!(
            metrics(&resumed),
            text,
            "{optimizer}: resumed metrics differ"
        );
        assert!(!resumed.join("checkpoint.bin").exists());
    }
}

/// A schedule-free run stopped after its last step keeps y in its checkpoint; continued with
/// `--save-model`, it finishes and saves x: the weights whose test loss `summary.json` reports,
/// not y's.
#[test]
fn a_schedule_free_run_saves_the_averaged_weights_it_was_evaluated_at() {
    let tmp = TempDir::new("lr-free-model");
    let stopped = train(&tmp, "schedule-free-sgd", "m")
        .args(["--stop-after", "40"])
        .output()
        .unwrap();
    assert!(!stopped.status.success(), "a stopped sweep exits non-zero");
    let run = tmp.join("m/reference-lr");
    let y = Checkpoint::load(&run.join("checkpoint.bin")).unwrap().model;
    let finished = train(&tmp, "schedule-free-sgd", "m")
        .arg("--save-model")
        .output()
        .unwrap();
    ok(&finished);
    let x = std::fs::read(run.join("model.bin")).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).unwrap()).unwrap();
    let reported = summary["final_test_loss"].as_f64().unwrap();

    // The run's data: the last 300 of the training images for validation, 1,280 for training,
    // the first 200 test images.
    let data = mnist::load(
        mnist::DatasetKind::Mnist,
        Some(&mnist_dir()),
        None,
        Some(200),
    )
    .unwrap();
    let (data, validation) = hold_out(data, 300, Some(1280)).unwrap();
    let device = Device::flex();
    let data = DeviceData::new(&data, &validation, false, &device, &device);
    let test_loss = |bytes: Vec<u8>| {
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes)).unwrap();
        let net = Net::new(ModelKind::Lenet, &device)
            .try_load_record(record)
            .unwrap();
        evaluate(&net, &data).0
    };
    let (x_loss, y_loss) = (test_loss(x), test_loss(y));
    assert!(
        (x_loss - reported).abs() <= 1e-5 * reported,
        "model.bin's test loss {x_loss}, the run's {reported}"
    );
    assert!(
        (y_loss - reported).abs() > 1e-3 * reported,
        "y's test loss {y_loss} is the run's {reported}: x and y are not told apart"
    );
}

#[test]
fn lr_find_refuses_the_step_size_estimators_and_runs_for_schedule_free() {
    let tmp = TempDir::new("lr-free-find");
    let find = |optimizer: &str| {
        bin()
            .arg("lr-find")
            .arg("--data-dir")
            .arg(mnist_dir())
            .arg("--out")
            .arg(tmp.join(optimizer))
            .args(["--backend", "flex", "--optimizer", optimizer])
            .args(["--train-limit", "640", "--steps", "12", "--quiet"])
            .output()
            .unwrap()
    };
    for optimizer in ["prodigy", "dadapt-adam", "dadapt-sgd"] {
        assert_one_line_error(&find(optimizer), "estimates its own step size");
    }
    ok(&find("schedule-free-adamw"));
    assert!(
        tmp.join("schedule-free-adamw")
            .read_dir()
            .unwrap()
            .next()
            .is_some()
    );
}

#[test]
fn a_schedule_multiplies_the_rate_and_the_bench_refuses_a_reference_it_lacks() {
    let tmp = TempDir::new("lr-free-schedule");
    let out = bin()
        .arg("--data-dir")
        .arg(mnist_dir())
        .arg("--out")
        .arg(&*tmp)
        .args([
            "--backend",
            "flex",
            "--optimizer",
            "prodigy",
            "--schedule",
            "cosine",
        ])
        .args(["--peak-lr", "1", "--epochs", "1", "--batch-size", "32"])
        .args([
            "--train-limit",
            "320",
            "--test-limit",
            "100",
            "--validation",
            "300",
        ])
        .args(["--name", "s", "--quiet"])
        .output()
        .unwrap();
    ok(&out);
    let text = metrics(&tmp.join("s/cosine"));
    let rates: Vec<f64> = (text.lines().skip(1))
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    assert_eq!(rates[0], 1.0, "the cosine starts at the multiplier 1");
    assert!(
        rates.windows(2).all(|w| w[1] <= w[0]) && rates[9] < 0.1,
        "{rates:?}"
    );
    let bench = bin()
        .args(["bench", "--optimizer", "prodigy"])
        .output()
        .unwrap();
    assert_one_line_error(&bench, "pass --no-reference");
}

/// Without a schedule, at their defaults, for 94 steps of batch 128 (seed 1, the last 5,000
/// training images for validation), each learns about as its reference does under PyTorch
/// (`crates/lr-free/tests/mnist_reference.py`, seeds 1-3: schedule-free SGD 95.4-97.7%,
/// schedule-free AdamW 97.3-97.6%, Prodigy 97.1-97.6%, D-Adapt Adam 95.4-98.0% validation
/// accuracy; D-Adapt SGD unstable, 10-45%). The four stable ones must reach 93% here; D-Adapt
/// SGD must only finish without a non-finite loss.
#[test]
fn at_their_defaults_they_learn_as_their_references_do() {
    let tmp = TempDir::new("lr-free-94");
    for (optimizer, _) in OPTIMIZERS {
        let out = bin()
            .arg("--data-dir")
            .arg(mnist_dir())
            .arg("--out")
            .arg(&*tmp)
            .args([
                "--backend",
                "flex",
                "--model",
                "lenet",
                "--optimizer",
                optimizer,
            ])
            .args(["--epochs", "1", "--max-steps", "94", "--seed", "1"])
            .args([
                "--validation",
                "5000",
                "--test-limit",
                "1000",
                "--eval-every",
                "0",
            ])
            .args(["--name", optimizer, "--quiet"])
            .output()
            .unwrap();
        ok(&out);
        let summary: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(tmp.join(optimizer).join("reference-lr/summary.json"))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(summary["diverged"], false, "{optimizer}: {summary}");
        let accuracy = summary["best_val_accuracy"].as_f64().unwrap();
        if optimizer != "dadapt-sgd" {
            assert!(accuracy >= 0.93, "{optimizer}: {accuracy}");
        }
    }
}
