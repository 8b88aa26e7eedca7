//! `experiments study` end to end on a few hundred MNIST images: stopped and continued, its
//! report redrawn identically from its CSV files, and its bad inputs refused in one line.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{TempDir, assert_one_line_error, mnist_dir, ok};

/// A study small enough for a test: three arms (two optimizers), 4 steps a run.
const TINY: &str = r#"
grid_points = 2
grid_seeds = 1
grid_extensions = 1
final_seeds = 2
zero_tuning_seeds = 1
reference = "constant"
cosine = "cosine"
[settings]
dataset = "mnist"
epochs = 1
batch_size = 64
train_limit = 256
test_limit = 100
validation = 200
[[arm]]
name = "constant"
schedule = "fixed"
optimizer = "momentum"
[[arm]]
name = "cosine"
schedule = "cosine"
optimizer = "momentum"
[[arm]]
name = "adam-constant"
schedule = "fixed"
optimizer = "adam"
"#;

fn study(config: &Path, out: &Path, extra: &[&str]) -> Output {
    study_command(config, out, extra)
        .output()
        .expect("binary runs")
}

fn study_command(config: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut c = common::bin();
    c.arg("study")
        .arg("--config")
        .arg(config)
        .arg("--out")
        .arg(out)
        .args(["--name", "s", "--backend", "flex", "--quiet", "--data-dir"])
        .arg(mnist_dir())
        .args(extra);
    c
}

#[test]
fn a_study_stops_continues_and_redraws_its_report_identically() {
    let dir = TempDir::new("study");
    let config = dir.join("tiny.toml");
    std::fs::write(&config, TINY).unwrap();
    // Interrupted after 2 steps of its first grid run: a checkpoint, exit 130.
    let cut = study(&config, &dir, &["--stop-after", "2"]);
    assert_eq!(
        cut.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&cut.stderr)
    );
    // The range tests ran once; every later invocation reads their curves back.
    let curves = ["s/range-momentum/lr-find.csv", "s/range-adam/lr-find.csv"];
    let written = |curve: &str| {
        let meta = std::fs::metadata(dir.join(curve)).expect("range test ran");
        meta.modified().unwrap()
    };
    let first: Vec<_> = curves.iter().map(|c| written(c)).collect();
    // Two shards, at the same time, share the arms (1: constant and adam-constant, 2:
    // cosine); the first continues the stopped grid.
    let shards: Vec<_> = ["1/2", "2/2"]
        .map(|shard| {
            let mut c = study_command(&config, &dir, &["--shard", shard]);
            let child = c.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
            (shard, child.expect("binary runs"))
        })
        .into_iter()
        .collect();
    for (shard, child) in shards {
        let out = child.wait_with_output().unwrap();
        ok(&out);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("shard {shard}: its arms are trained")),
            "{err}"
        );
    }
    assert!(
        !dir.join("s/study.md").exists(),
        "no report before every shard is in"
    );
    // Without --shard: nothing left to train, the report is drawn.
    let last = study(&config, &dir, &[]);
    ok(&last);
    let err = String::from_utf8_lossy(&last.stderr);
    assert!(!err.contains(" run(s) of lenet"), "trained again: {err}");
    let s = dir.join("s");
    for file in [
        "study.toml",
        "runs.csv",
        "curves.csv",
        "study.md",
        "study.csv",
        "ranking.svg",
        "validation.svg",
        "sensitivity.svg",
        "sensitivity-failed.png",
        "arms/adam-constant.toml",
        "range-adam/lr-find.csv",
        "grid-constant/sweep.toml",
        "final-constant/sweep.toml",
    ] {
        assert!(s.join(file).is_file(), "{file}");
    }
    let runs = std::fs::read_to_string(s.join("runs.csv")).unwrap();
    let rows = |phase: &str, arm: &str| {
        (runs.lines())
            .filter(|l| l.starts_with(&format!("{phase},{arm},")))
            .count()
    };
    // The reference's final runs hold its probes (×¼, ×1, ×4), each over the 2 seeds.
    assert_eq!(rows("final", "constant"), 6, "{runs}");
    assert_eq!(rows("final", "cosine"), 2, "{runs}");
    assert_eq!(rows("zero", "cosine"), 1, "{runs}");
    // Two grid points, plus one past the edge when an edge won.
    assert!((2..=3).contains(&rows("grid", "adam-constant")), "{runs}");
    let md = std::fs::read_to_string(s.join("study.md")).unwrap();
    assert_eq!(
        md.matches("\n| ").count(),
        1 + 3,
        "a header and three arms: {md}"
    );
    let claims: Vec<&str> = md.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(claims.len(), 5, "{md}");
    for claim in &claims {
        assert!(
            claim.contains("not tested")
                || [": supported.", ": contradicted.", ": inconclusive."]
                    .iter()
                    .any(|v| claim.ends_with(v)),
            "{claim}"
        );
    }
    let last: Vec<_> = curves.iter().map(|c| written(c)).collect();
    assert_eq!(first, last, "a range test ran again");
    // Running it again trains nothing and writes the same report.
    let table = std::fs::read(s.join("study.csv")).unwrap();
    ok(&study(&config, &dir, &[]));
    assert_eq!(std::fs::read(s.join("study.csv")).unwrap(), table);
    // `plot` redraws it from runs.csv and curves.csv alone.
    for run_folder in ["grid-constant", "final-constant", "final-cosine"] {
        std::fs::remove_dir_all(s.join(run_folder)).unwrap();
    }
    let svg = std::fs::read(s.join("validation.svg")).unwrap();
    std::fs::remove_file(s.join("study.md")).unwrap();
    ok(&common::bin().arg("plot").arg(&s).output().unwrap());
    assert_eq!(std::fs::read_to_string(s.join("study.md")).unwrap(), md);
    assert_eq!(std::fs::read(s.join("study.csv")).unwrap(), table);
    assert_eq!(std::fs::read(s.join("validation.svg")).unwrap(), svg);
    // A finished arm needs no range test; an unfinished one (its rows gone) reads its curve
    // back, and a damaged curve is named, with the fix.
    let curve = s.join("range-adam/lr-find.csv");
    let good = std::fs::read(&curve).unwrap();
    std::fs::write(&curve, "step,lr\n0,x\n").unwrap();
    ok(&study(&config, &dir, &[]));
    std::fs::remove_file(s.join("arms/adam-constant-runs.csv")).unwrap();
    assert_one_line_error(&study(&config, &dir, &[]), "is not a range test's curve");
    std::fs::write(&curve, good).unwrap();
    ok(&study(&config, &dir, &[]));
    assert_eq!(
        std::fs::read_to_string(s.join("study.md")).unwrap(),
        md,
        "its rows rewritten from its sweeps"
    );
    // Another study in the same folder is refused.
    std::fs::write(&config, TINY.replace("final_seeds = 2", "final_seeds = 3")).unwrap();
    assert_one_line_error(&study(&config, &dir, &[]), "holds another study");
}

#[test]
fn bad_study_files_are_named_in_one_line() {
    let dir = TempDir::new("study-bad");
    let config = dir.join("bad.toml");
    for (text, says) in [
        (
            TINY.replace("zero_tuning_seeds = 1", "zero_tuning_seeds = 5"),
            "zero_tuning_seeds (5) must not exceed final_seeds (2)",
        ),
        (
            TINY.replace("reference = \"constant\"", "reference = \"none\""),
            "reference = `none` is not one of the arms",
        ),
        (
            TINY.replace("schedule = \"cosine\"", "schedule = \"cosin\""),
            "arm `cosine`: unknown schedule preset `cosin`",
        ),
        (
            TINY.replace("[settings]", "[settings]\noptimizer = \"adam\""),
            "[settings] sets no optimizer",
        ),
        (
            TINY.replace("grid_points = 2", "grid_point = 2"),
            "unknown field `grid_point`",
        ),
    ] {
        std::fs::write(&config, text).unwrap();
        assert_one_line_error(&study(&config, &dir, &[]), says);
    }
    assert_one_line_error(&study(&dir.join("missing.toml"), &dir, &[]), "missing.toml");
}

/// A suite small enough for a test: two MLP workloads on a few hundred MNIST images, three
/// arms, the statistics fixed in the file.
const SUITE: &str = r#"
grid_points = 2
grid_seeds = 2
grid_extensions = 0
tuning_evaluations = 2
final_seeds = 3
zero_tuning_seeds = 1
reference = "constant"
cosine = "cosine"
[statistics]
primary = "wilcoxon"
alpha = 0.05
bootstrap_resamples = 200
bootstrap_seed = 3
target_arm = "cosine"
target_margin = 1.0
smoothing = 2
late_share = 0.5
profile_taus = [0.0, 1.0]
[settings]
dataset = "mnist"
model = "mlp"
epochs = 1
batch_size = 32
train_limit = 256
test_limit = 100
validation = 200
[[workload]]
name = "small"
settings = {}
[[workload]]
name = "wide"
settings = { batch_size = 16 }
[[arm]]
name = "constant"
schedule = "fixed"
optimizer = "momentum"
[[arm]]
name = "cosine"
schedule = { kind = "cosine", max_lr = 0.1, min_lr = 0.0, total_steps = "100%" }
optimizer = "momentum"
note = "to zero"
[[arm]]
name = "clr"
schedule = "clr"
optimizer = "momentum"
"#;

/// The report files of a suite folder.
fn reports(root: &Path) -> Vec<(String, String)> {
    let mut out = vec![("suite.md".to_string(), read(&root.join("suite.md")))];
    for w in ["small", "wide"] {
        for f in ["study.md", "study.csv", "curves.csv"] {
            out.push((format!("{w}/{f}"), read(&root.join(w).join(f))));
        }
        // runs.csv but its timing columns (train_seconds, eval_seconds), which differ by run.
        let runs: String = (read(&root.join(w).join("runs.csv")).lines())
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                [&cells[..13], &cells[15..]].concat().join(",") + "\n"
            })
            .collect();
        out.push((format!("{w}/runs.csv"), runs));
    }
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_suite_trained_in_shards_and_merged_from_its_rows_reports_as_one_trained_in_one_go() {
    let dir = TempDir::new("suite");
    let config = dir.join("tiny-suite.toml");
    std::fs::write(&config, SUITE).unwrap();
    let (one, sharded, copied) = (dir.join("one"), dir.join("sharded"), dir.join("copied"));
    ok(&study(&config, &one, &[]));
    for shard in [
        &["--workload", "small", "--shard", "1/2"][..],
        &["--workload", "small", "--shard", "2/2"],
        &["--workload", "wide"],
    ] {
        let out = study(&config, &sharded, shard);
        ok(&out);
        assert!(
            !sharded.join("s/suite.md").exists(),
            "no report from a share"
        );
    }
    // Only the study file and each workload's arm rows travel to a third place.
    std::fs::create_dir_all(copied.join("s")).unwrap();
    std::fs::copy(sharded.join("s/study.toml"), copied.join("s/study.toml")).unwrap();
    for w in ["small", "wide"] {
        let from = sharded.join("s").join(w).join("arms");
        let to = copied.join("s").join(w).join("arms");
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(&from).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "csv") {
                std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    ok(&study(&config, &sharded, &[]));
    ok(&study(&config, &copied, &[]));
    assert!(
        !copied.join("s/small/grid-constant").exists(),
        "the copied rows were not trained again"
    );
    let expected = reports(&one.join("s"));
    assert!(expected[0].1.contains("Kendall's W"), "{}", expected[0].1);
    assert!(
        expected[1].1.contains("§2.1 A too-high fixed rate fails"),
        "{}",
        expected[1].1
    );
    for root in [&sharded, &copied] {
        for ((name, want), (_, got)) in expected.iter().zip(reports(&root.join("s"))) {
            assert_eq!(&got, want, "{name} differs in {}", root.display());
        }
    }
    // The report redraws from the workloads' CSV files alone, to the same text.
    let plot = common::bin()
        .arg("plot")
        .arg(copied.join("s"))
        .output()
        .unwrap();
    ok(&plot);
    for ((name, want), (_, got)) in expected.iter().zip(reports(&copied.join("s"))) {
        assert_eq!(&got, want, "{name} differs after the redraw");
    }
}

/// Killed with SIGKILL twelve times (at moments from a fixed generator, each a fraction of an
/// uninterrupted run's time, so the test does not depend on the machine's speed) and continued
/// each time with the same command, the small suite ends with the rows and reports of an
/// uninterrupted one.
#[cfg(unix)]
#[test]
fn a_suite_killed_again_and_again_ends_as_one_never_killed() {
    let dir = TempDir::new("suite-chaos");
    let config = dir.join("tiny-suite.toml");
    std::fs::write(&config, SUITE).unwrap();
    let calm = dir.join("calm");
    let start = std::time::Instant::now();
    ok(&study(&config, &calm, &[]));
    let calm_time = start.elapsed();
    let mut state = 0x5EED_u64;
    let mut next = || experiments::train::splitmix64(&mut state);
    // Each continuation runs 5–15 % of the uninterrupted time before its kill (loading the data, a
    // range test, a grid, a final sweep, writing rows or the report). Where the suite finishes
    // before the twelfth kill (a continuation's start and the run in flight cost less than
    // expected, or the machine is less busy than during the uninterrupted run), it starts again
    // in a new directory with moments half as long, so the twelve kills spread over as much of the
    // suite as they can.
    let mut scale = 1.0;
    let killed = loop {
        assert!(
            scale > 1e-3,
            "the suite never ran long enough for twelve kills"
        );
        let killed = dir.join(format!("killed-{scale}"));
        let mut kills = 0;
        while kills < 12 {
            let mut child = study_command(&config, &killed, &[])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let share = scale * (0.05 + 0.10 * (next() % 1000) as f64 / 1000.0);
            let wait = calm_time.mul_f64(share);
            let start = std::time::Instant::now();
            while start.elapsed() < wait && child.try_wait().unwrap().is_none() {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "a continuation failed: {status}");
                break;
            }
            child.kill().unwrap();
            child.wait().unwrap();
            kills += 1;
        }
        eprintln!("uninterrupted {calm_time:?}; moments x{scale}: {kills} kills");
        if kills == 12 {
            break killed;
        }
        scale /= 2.0;
    };
    ok(&study(&config, &killed, &[]));
    for ((name, want), (_, got)) in reports(&calm.join("s"))
        .iter()
        .zip(reports(&killed.join("s")))
    {
        assert_eq!(&got, want, "{name} differs after twelve kills");
    }
}
