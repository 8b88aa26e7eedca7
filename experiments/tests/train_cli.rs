//! Training end to end on a few hundred real MNIST images with the flex backend: every
//! artifact, the pictures, `plot`, seeds, learning, and one-line errors for bad input.

use std::path::Path;
use std::process::Output;

mod common;

use common::{TempDir, assert_one_line_error, fashion_mnist_dir, mnist_dir, ok};

fn temp_dir(name: &str) -> TempDir {
    TempDir::new(&format!("train-{name}"))
}

/// A quick training command: flex, 1 epoch on `images` training and 200 test images.
fn train(out: &Path, images: usize, extra: &[&str]) -> Output {
    train_from(&mnist_dir(), out, images, extra)
}

fn train_from(data: &Path, out: &Path, images: usize, extra: &[&str]) -> Output {
    common::bin()
        .arg("--data-dir")
        .arg(data)
        .arg("--out")
        .arg(out)
        .args([
            "--backend",
            "flex",
            "--epochs",
            "1",
            "--batch-size",
            "32",
            "--test-limit",
            "200",
            "--validation",
            "300",
            "--quiet",
        ])
        .args(["--train-limit", &images.to_string()])
        .args(extra)
        .output()
        .expect("binary runs")
}

/// A run's summary.json.
fn read_summary(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Column `name` of metrics.csv as floats (empty cells skipped).
fn column(metrics: &str, name: &str) -> Vec<f64> {
    let mut lines = metrics.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == name).unwrap();
    lines
        .filter_map(|l| {
            l.split(',')
                .nth(i)
                .filter(|v| !v.is_empty())
                .map(|v| v.parse().unwrap())
        })
        .collect()
}

#[test]
fn a_three_schedule_sweep_writes_every_artifact_and_plot_redraws_them() {
    let out = temp_dir("sweep");
    ok(&train(
        &out,
        320,
        &["--schedule", "clr,cosine,fixed", "--name", "s"],
    ));
    let sweep = out.join("s");
    for run in ["clr", "cosine", "fixed"] {
        let dir = sweep.join(run);
        let metrics = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
        assert_eq!(
            metrics.lines().count(),
            1 + 10,
            "one row per step (320 / 32)"
        );
        assert_eq!(
            column(&metrics, "test_accuracy").len(),
            1,
            "one evaluation per epoch"
        );
        // The held-out validation set is scored at every evaluation: by default every 25th of
        // the run (here each of the 10 steps), with the test set at the epoch's end.
        assert!(metrics.starts_with("step,epoch,lr,"), "{metrics}");
        assert!(
            metrics
                .lines()
                .next()
                .unwrap()
                .contains(",val_loss,val_accuracy,test_loss,")
        );
        assert_eq!(column(&metrics, "val_accuracy").len(), 10);
        let summary = read_summary(&dir.join("summary.json"));
        assert_eq!(summary["name"], run);
        assert_eq!(summary["steps"], 10);
        let val = summary["best_val_accuracy"]
            .as_f64()
            .expect("best validation accuracy");
        let best = column(&metrics, "val_accuracy")
            .into_iter()
            .fold(0.0, f64::max);
        assert_eq!(val, best);
        assert_eq!(summary["diverged"], false);
        let config = std::fs::read_to_string(dir.join("config.toml")).unwrap();
        assert!(
            config.contains("[schedule]")
                && config.contains("model = \"lenet\"")
                && config.contains("backend = \"flex\"")
        );
    }
    for file in [
        "grid.png",
        "grid.svg",
        "loss.png",
        "loss.svg",
        "lr.png",
        "lr.svg",
        "summary.md",
        "summary.csv",
    ] {
        assert!(sweep.join(file).metadata().unwrap().len() > 300, "{file}");
    }
    // The presets' lengths are shares of the run, recorded as steps: 10 steps here.
    let cosine = std::fs::read_to_string(sweep.join("cosine/config.toml")).unwrap();
    assert!(cosine.contains("total_steps = 10\n"), "{cosine}");
    let clr = std::fs::read_to_string(sweep.join("clr/config.toml")).unwrap();
    assert!(
        clr.contains("step_size = 1\n"),
        "12.5% of 10, rounded: {clr}"
    );
    let saved = std::fs::read_to_string(sweep.join("sweep.toml")).unwrap();
    assert!(
        saved.contains("total_steps = 10\n") && !saved.contains('%'),
        "{saved}"
    );
    let md = std::fs::read_to_string(sweep.join("summary.md")).unwrap();
    for run in ["| clr |", "| cosine |", "| fixed |"] {
        assert!(md.contains(run), "{md}");
    }
    let svg = std::fs::read_to_string(sweep.join("grid.svg")).unwrap();
    assert!(
        svg.contains("clr") && svg.contains("cosine") && svg.contains("fixed"),
        "one panel per schedule"
    );
    assert!(
        !sweep.join("sensitivity.png").exists(),
        "no rate-sensitivity picture without --lr-scale"
    );

    for file in ["grid.png", "loss.svg", "summary.md"] {
        std::fs::remove_file(sweep.join(file)).unwrap();
    }
    let redraw = common::bin().arg("plot").arg(&sweep).output().unwrap();
    ok(&redraw);
    for file in ["grid.png", "loss.svg", "summary.md"] {
        assert!(sweep.join(file).is_file(), "plot redrew {file}");
    }
    // A resolved config.toml trains again as a --config file.
    ok(&train(
        &out,
        64,
        &[
            "--config",
            sweep.join("clr/config.toml").to_str().unwrap(),
            "--name",
            "again",
        ],
    ));
    assert!(out.join("again/config/metrics.csv").is_file());
}

#[test]
fn a_sensible_lr_lowers_the_loss_and_a_seed_repeats_the_run() {
    let out = temp_dir("learn");
    ok(&train(&out, 960, &["--schedule", "fixed", "--name", "a"]));
    ok(&train(&out, 960, &["--schedule", "fixed", "--name", "b"]));
    let a = std::fs::read_to_string(out.join("a/fixed/metrics.csv")).unwrap();
    let b = std::fs::read_to_string(out.join("b/fixed/metrics.csv")).unwrap();
    let loss = column(&a, "train_loss");
    assert_eq!(loss.len(), 30);
    let (first, last) = (
        loss[..5].iter().sum::<f64>() / 5.0,
        loss[25..].iter().sum::<f64>() / 5.0,
    );
    assert!(last < first * 0.7, "loss {first} -> {last}");
    let without_time = |s: &str| {
        s.lines()
            .map(|l| l.rsplit_once(',').unwrap().0.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        without_time(&a),
        without_time(&b),
        "same seed, same metrics"
    );
    ok(&train(
        &out,
        960,
        &["--schedule", "fixed", "--name", "c", "--seed", "7"],
    ));
    let c = std::fs::read_to_string(out.join("c/fixed/metrics.csv")).unwrap();
    assert_ne!(
        without_time(&a),
        without_time(&c),
        "another seed, another run"
    );
}

#[test]
fn max_steps_stops_mid_epoch_and_still_evaluates() {
    let out = temp_dir("max-steps");
    ok(&train(
        &out,
        640,
        &["--schedule", "fixed", "--max-steps", "3", "--name", "m"],
    ));
    let metrics = std::fs::read_to_string(out.join("m/fixed/metrics.csv")).unwrap();
    assert_eq!(column(&metrics, "train_loss").len(), 3);
    assert_eq!(
        column(&metrics, "test_accuracy").len(),
        1,
        "evaluated where it stopped"
    );
    let summary = read_summary(&out.join("m/fixed/summary.json"));
    assert!(summary["final_test_loss"].as_f64().unwrap().is_finite());
    assert_one_line_error(
        &train(&out, 0, &["--schedule", "fixed"]),
        "train_limit (0) must be at least 1",
    );
}

#[test]
fn eval_every_scores_the_validation_set_within_epochs_and_the_test_set_at_their_ends() {
    let out = temp_dir("eval-every");
    ok(&common::bin()
        .arg("--data-dir")
        .arg(mnist_dir())
        .arg("--out")
        .arg(&out.0)
        .args([
            "--backend",
            "flex",
            "--epochs",
            "2",
            "--batch-size",
            "32",
            "--quiet",
        ])
        .args([
            "--train-limit",
            "320",
            "--test-limit",
            "200",
            "--validation",
            "300",
        ])
        .args(["--schedule", "fixed", "--eval-every", "4", "--name", "e"])
        .output()
        .unwrap());
    let metrics = std::fs::read_to_string(out.join("e/fixed/metrics.csv")).unwrap();
    // 10 steps an epoch: points after steps 4, 8, 12 and 16, and at the ends (10 and 20).
    let evaluated: Vec<u64> = (metrics.lines().skip(1))
        .filter(|l| l.split(',').nth(5).is_some_and(|v| !v.is_empty()))
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(evaluated, [3, 7, 9, 11, 15, 19], "{metrics}");
    assert_eq!(column(&metrics, "test_accuracy").len(), 2);
    let config = std::fs::read_to_string(out.join("e/fixed/config.toml")).unwrap();
    assert!(config.contains("eval_every = 4\n"), "{config}");
    // 0: at the epoch's end only.
    ok(&train(
        &out,
        320,
        &["--schedule", "fixed", "--eval-every", "0", "--name", "z"],
    ));
    let metrics = std::fs::read_to_string(out.join("z/fixed/metrics.csv")).unwrap();
    assert_eq!(column(&metrics, "val_accuracy").len(), 1, "{metrics}");
}

#[test]
fn the_pytorch_example_model_adadelta_and_loss_decay_train() {
    let out = temp_dir("models");
    ok(&train(
        &out,
        128,
        &[
            "--model",
            "pytorch-example",
            "--optimizer",
            "adadelta",
            "--schedule",
            "step",
            "--name",
            "m",
        ],
    ));
    let m = std::fs::read_to_string(out.join("m/step/metrics.csv")).unwrap();
    assert_eq!(column(&m, "lr")[0], 0.05);
    ok(&train(
        &out,
        128,
        &[
            "--optimizer",
            "sgd",
            "--loss-decay",
            "cosine",
            "--name",
            "d",
        ],
    ));
    let d = std::fs::read_to_string(out.join("d/loss-decay-cosine/metrics.csv")).unwrap();
    assert!(
        column(&d, "lr").iter().all(|&lr| lr == 0.05),
        "loss decay keeps the lr fixed at the preset's peak"
    );
}

#[test]
fn a_huge_learning_rate_is_marked_diverged_and_the_sweep_goes_on() {
    let out = temp_dir("diverge");
    let configs = out.join("configs/schedules");
    std::fs::create_dir_all(&configs).unwrap();
    std::fs::write(
        configs.join("huge.toml"),
        "[schedule]\nkind = 'constant'\nlr = 1e6\n",
    )
    .unwrap();
    let result = common::bin()
        .current_dir(&out)
        .arg("--data-dir")
        .arg(mnist_dir())
        .args([
            "--backend",
            "flex",
            "--epochs",
            "1",
            "--batch-size",
            "32",
            "--train-limit",
            "320",
            "--test-limit",
            "100",
            "--validation",
            "300",
        ])
        .args(["--schedule", "huge,fixed", "--name", "s", "--quiet"])
        .output()
        .unwrap();
    ok(&result);
    let summary = read_summary(&out.join("runs/s/huge/summary.json"));
    assert_eq!(summary["diverged"], true);
    assert!(summary["diverged_at_step"].as_u64().unwrap() < 10);
    assert!(
        std::fs::read_to_string(out.join("runs/s/summary.md"))
            .unwrap()
            .contains("at step")
    );
    assert!(
        out.join("runs/s/fixed/summary.json").is_file(),
        "the next run still trained"
    );
}

#[test]
fn bad_input_exits_non_zero_with_one_line() {
    let out = temp_dir("bad");
    assert_one_line_error(
        &train(&out, 64, &["--schedule", "nope"]),
        "unknown schedule preset `nope`",
    );
    let bad = out.join("bad.toml");
    std::fs::write(&bad, "epochs = [\n").unwrap();
    assert_one_line_error(
        &train(&out, 64, &["--config", bad.to_str().unwrap()]),
        "bad.toml: line 1",
    );
    std::fs::write(&bad, "epoch = 3\n[schedule]\nkind = 'constant'\nlr = 0.1\n").unwrap();
    assert_one_line_error(
        &train(&out, 64, &["--config", bad.to_str().unwrap()]),
        "unknown field `epoch`",
    );
    assert_one_line_error(&train(&out, 64, &[]), "no schedule to train");
    for (validation, says) in [
        ("0", "validation (0) must be at least 1 image"),
        (
            "60000",
            "--validation 60000 holds out every one of the 60000 training images",
        ),
    ] {
        let bad = common::bin()
            .arg("--data-dir")
            .arg(mnist_dir())
            .arg("--out")
            .arg(&out.0)
            .args(["--backend", "flex", "--schedule", "fixed", "--quiet"])
            .args(["--validation", validation])
            .output()
            .unwrap();
        assert_one_line_error(&bad, says);
    }
    assert_one_line_error(
        &train_from(
            Path::new("/nonexistent/mnist"),
            &out,
            64,
            &["--schedule", "fixed"],
        ),
        "/nonexistent/mnist does not exist",
    );

    // Damaged copies of the real files.
    let damaged = out.join("damaged");
    std::fs::create_dir_all(&damaged).unwrap();
    for f in [
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ] {
        std::fs::copy(
            mnist_dir().join(format!("{f}.gz")),
            damaged.join(format!("{f}.gz")),
        )
        .unwrap();
    }
    let labels = damaged.join("t10k-labels-idx1-ubyte.gz");
    let bytes = std::fs::read(&labels).unwrap();
    std::fs::write(&labels, &bytes[..bytes.len() / 2]).unwrap();
    let with = |dir: &Path| train_from(dir, &out, 64, &["--schedule", "fixed"]);
    assert_one_line_error(&with(&damaged), "truncated gzip");
    std::fs::remove_file(&labels).unwrap();
    // A labels file where the images should be: IDX magic 2049 instead of 2051.
    std::fs::copy(mnist_dir().join("t10k-labels-idx1-ubyte.gz"), &labels).unwrap();
    std::fs::copy(&labels, damaged.join("t10k-images-idx3-ubyte.gz")).unwrap();
    assert_one_line_error(&with(&damaged), "wrong IDX magic 2049");

    let file = out.join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    assert_one_line_error(
        &train(&file, 64, &["--schedule", "fixed"]),
        "choose a writable folder with --out DIR",
    );
}

#[test]
fn a_momentum_cycling_schedule_sets_and_records_the_momentum_of_every_step() {
    let out = temp_dir("momentum");
    // A peak Adam survives: at SGD's 0.05 its loss passes 10× the first and the run diverges.
    let one_cycle = "[schedule]\nkind = 'one_cycle'\nmax_lr = 0.003\ntotal_steps = 10\n";
    std::fs::write(out.join("oc.toml"), one_cycle).unwrap();
    let off = format!("{one_cycle}cycle_momentum = false\n");
    std::fs::write(out.join("off.toml"), off).unwrap();
    let schedule: burn_lr_schedules::ScheduleConfig =
        toml::from_str(&one_cycle.replace("[schedule]\n", "")).unwrap();
    let policy = schedule.policy().unwrap();
    let metrics = |name: &str, config: &str, optimizer: &str| {
        let config = out.join(config).display().to_string();
        let args = [
            "--config",
            &config,
            "--optimizer",
            optimizer,
            "--name",
            name,
        ];
        ok(&train(&out, 320, &args));
        let stem = Path::new(&config).file_stem().unwrap().to_owned();
        std::fs::read_to_string(out.join(name).join(stem).join("metrics.csv")).unwrap()
    };
    // 320 images in batches of 32: the 10 steps of the cycle.
    let expected: Vec<f64> = (0..10).map(|t| policy.momentum(t).unwrap()).collect();
    for optimizer in ["momentum", "adam", "adamw"] {
        let text = metrics(optimizer, "oc.toml", optimizer);
        assert!(
            text.starts_with("step,epoch,lr,momentum,train_loss,"),
            "{text}"
        );
        assert_eq!(column(&text, "momentum"), expected, "{optimizer}");
        // The momentum is applied, not only recorded: without it the same run trains otherwise.
        let fixed = metrics(&format!("{optimizer}-off"), "off.toml", optimizer);
        assert!(fixed.starts_with("step,epoch,lr,train_loss,"), "{fixed}");
        assert_eq!(column(&fixed, "lr"), column(&text, "lr"));
        let (a, b) = (column(&text, "train_loss"), column(&fixed, "train_loss"));
        assert_eq!(
            a[0], b[0],
            "{optimizer}: the same network before the first update"
        );
        assert_ne!(a, b, "{optimizer}");
    }
    // An optimizer without momentum keeps its files as they were.
    let text = metrics("sgd", "oc.toml", "sgd");
    assert!(text.starts_with("step,epoch,lr,train_loss,"), "{text}");
}

#[test]
fn fashion_mnist_trains_with_its_own_files_and_name() {
    let Some(data) = fashion_mnist_dir() else {
        eprintln!("skipped: no Fashion-MNIST (apt-get install dataset-fashion-mnist)");
        return;
    };
    let out = temp_dir("fashion");
    ok(&train_from(
        &data,
        &out,
        640,
        &[
            "--dataset",
            "fashion-mnist",
            "--schedule",
            "cosine",
            "--name",
            "f",
        ],
    ));
    let run = out.join("f/cosine");
    let summary = read_summary(&run.join("summary.json"));
    assert_eq!(summary["dataset"], "fashion-mnist");
    assert_eq!(summary["steps"], 20);
    // 20 steps on clothing pictures: far from done, but learning (chance is 10%).
    assert!(
        summary["final_test_accuracy"].as_f64().unwrap() > 0.2,
        "{summary}"
    );
    let metrics = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    let loss = column(&metrics, "train_loss");
    assert!(
        loss[15..].iter().sum::<f64>() < loss[..5].iter().sum::<f64>(),
        "{loss:?}"
    );
    // The MNIST files are refused as Fashion-MNIST: the checksums tell them apart.
    let wrong = train_from(
        &mnist_dir(),
        &out,
        64,
        &[
            "--dataset",
            "fashion-mnist",
            "--schedule",
            "fixed",
            "--name",
            "w",
        ],
    );
    assert_one_line_error(&wrong, "Fashion-MNIST");
}

#[test]
fn lr_scale_trains_each_schedule_at_each_multiple_of_its_rates() {
    let out = temp_dir("scale");
    ok(&train(
        &out,
        320,
        &["--schedule", "cosine", "--lr-scale", "0.5,2", "--name", "s"],
    ));
    let first_lr = |run: &str| {
        let metrics = std::fs::read_to_string(out.join("s").join(run).join("metrics.csv")).unwrap();
        column(&metrics, "lr")[0]
    };
    // The preset peaks at 0.05.
    assert_eq!(first_lr("cosine-x0.5"), 0.025);
    assert_eq!(first_lr("cosine-x2"), 0.1);
    let config = std::fs::read_to_string(out.join("s/cosine-x2/config.toml")).unwrap();
    assert!(config.contains("max_lr = 0.1\n"), "{config}");
    let saved = std::fs::read_to_string(out.join("s/sweep.toml")).unwrap();
    assert!(saved.contains("lr_scale = 2.0"), "{saved}");
    let summary = read_summary(&out.join("s/cosine-x0.5/summary.json"));
    assert_eq!(summary["name"], "cosine-x0.5");
    assert_eq!(summary["scaled_from"], "cosine");
    assert_eq!(summary["lr_scale"], 0.5);
    // --peak-lr scales each schedule to that peak first, keeping its shape: the cyclical
    // preset (0.005 to 0.05) becomes 0.02 to 0.2, then 0.01 to 0.1 at half.
    ok(&train(
        &out,
        64,
        &[
            "--schedule",
            "clr",
            "--peak-lr",
            "0.2",
            "--lr-scale",
            "0.5",
            "--name",
            "p",
        ],
    ));
    let config = std::fs::read_to_string(out.join("p/clr-x0.5/config.toml")).unwrap();
    assert!(
        config.contains("base_lr = 0.01\n") && config.contains("max_lr = 0.1\n"),
        "{config}"
    );
    for peak in ["0", "inf"] {
        let bad = train(&out, 64, &["--schedule", "fixed", "--peak-lr", peak]);
        assert_one_line_error(&bad, &format!("--peak-lr {peak}: the highest rate must be"));
    }
    // Final accuracy and failures against the peak rate, one curve per scaled schedule.
    for picture in [
        "sensitivity.png",
        "sensitivity.svg",
        "sensitivity-failed.png",
    ] {
        assert!(
            out.join("s").join(picture).metadata().unwrap().len() > 300,
            "{picture}"
        );
    }
    let svg = std::fs::read_to_string(out.join("s/sensitivity.svg")).unwrap();
    assert!(
        svg.contains("cosine") && svg.contains("peak learning rate"),
        "{svg}"
    );
    let md = std::fs::read_to_string(out.join("s/summary.md")).unwrap();
    assert!(md.contains("(sensitivity.png)"), "{md}");
    // Stopped and resumed, a scaled run is not scaled twice.
    let cut = train(
        &out,
        320,
        &[
            "--schedule",
            "fixed",
            "--lr-scale",
            "2",
            "--name",
            "cut",
            "--stop-after",
            "3",
        ],
    );
    assert_eq!(cut.status.code(), Some(130), "stopped");
    let resumed = common::bin()
        .arg("--resume")
        .arg(out.join("cut"))
        .arg("--quiet")
        .output()
        .unwrap();
    ok(&resumed);
    let metrics = std::fs::read_to_string(out.join("cut/fixed-x2/metrics.csv")).unwrap();
    assert!(
        column(&metrics, "lr").iter().all(|lr| *lr == 0.1),
        "{metrics}"
    );
    for (scale, says) in [
        ("0", "--lr-scale 0"),
        ("-1", "--lr-scale -1"),
        ("2,2", "given twice"),
    ] {
        let bad = train(&out, 64, &["--schedule", "fixed", "--lr-scale", scale]);
        assert_one_line_error(&bad, says);
    }
    // A multiple that breaks a rule of the schedule is refused by it, naming the run.
    let bad = train(&out, 64, &["--schedule", "fixed", "--lr-scale", "1e302"]);
    assert_one_line_error(&bad, "fixed-x1e302 (rates × 1e302)");
    // One inside the rules but absurd diverges to a NaN loss at once, and the sweep still ends
    // with its report (a NaN is `null` in summary.json).
    ok(&train(
        &out,
        64,
        &[
            "--schedule",
            "fixed",
            "--lr-scale",
            "1e298",
            "--name",
            "nan",
        ],
    ));
    let summary = read_summary(&out.join("nan/fixed-x1e298/summary.json"));
    assert_eq!(summary["diverged"], true);
    assert!(summary["final_train_loss"].is_null(), "{summary}");
    let md = std::fs::read_to_string(out.join("nan/summary.md")).unwrap();
    assert!(
        md.contains("| fixed-x1e298 | constant |") && md.contains("diverged at step"),
        "{md}"
    );
}

/// metrics.csv without its last column (wall time).
fn without_wall_time(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|l| l.rsplit_once(',').map_or(l, |(rest, _)| rest))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn reading_the_losses_every_k_steps_changes_no_result_and_a_divergence_is_found_within_k() {
    let out = temp_dir("read-every");
    let configs = out.join("configs/schedules");
    std::fs::create_dir_all(&configs).unwrap();
    std::fs::write(
        configs.join("huge.toml"),
        "[schedule]\nkind = 'constant'\nlr = 1e6\n",
    )
    .unwrap();
    let sweep = |k: &str| {
        let result = common::bin()
            .current_dir(&out)
            .arg("--data-dir")
            .arg(mnist_dir())
            .args(["--backend", "flex", "--epochs", "2", "--batch-size", "32"])
            .args([
                "--train-limit",
                "320",
                "--test-limit",
                "100",
                "--validation",
                "300",
            ])
            .args([
                "--eval-every",
                "4",
                "--schedule",
                "fixed,cosine,huge",
                "--quiet",
            ])
            .args(["--read-every", k, "--name", &format!("k{k}")])
            .output()
            .unwrap();
        ok(&result);
        out.join("runs").join(format!("k{k}"))
    };
    let (one, seven) = (sweep("1"), sweep("7"));
    for run in ["fixed", "cosine"] {
        assert_eq!(
            without_wall_time(&one.join(run).join("metrics.csv")),
            without_wall_time(&seven.join(run).join("metrics.csv")),
            "{run}: the same rows whether the losses are read every step or every 7"
        );
    }
    let (a, b) = (
        read_summary(&one.join("huge/summary.json")),
        read_summary(&seven.join("huge/summary.json")),
    );
    let at = a["diverged_at_step"]
        .as_u64()
        .expect("the huge rate diverges");
    assert_eq!(
        b["diverged_at_step"].as_u64(),
        Some(at),
        "the same step found"
    );
    let losses = |dir: &Path| {
        column(
            &std::fs::read_to_string(dir.join("huge/metrics.csv")).unwrap(),
            "train_loss",
        )
    };
    let (every, batched) = (losses(&one), losses(&seven));
    assert_eq!(
        every.len() as u64,
        at + 1,
        "every step: the diverging one is the last"
    );
    assert!(
        batched.len() as u64 <= at + 7,
        "stopped within 7 steps: {} rows",
        batched.len()
    );
    let same = |x: &[f64], y: &[f64]| {
        x.iter()
            .zip(y)
            .all(|(p, q)| p == q || (p.is_nan() && q.is_nan()))
    };
    assert!(
        same(&every, &batched[..every.len()]),
        "{every:?} vs {batched:?}"
    );
}
