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
    let mut c = Command::new(env!("CARGO_BIN_EXE_experiments"));
    c.arg("study")
        .arg("--config")
        .arg(config)
        .arg("--out")
        .arg(out)
        .args(["--name", "s", "--backend", "flex", "--quiet", "--data-dir"])
        .arg(mnist_dir())
        .args(extra)
        .env("MNIST_NO_DOWNLOAD", "1");
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
    ok(&Command::new(env!("CARGO_BIN_EXE_experiments"))
        .arg("plot")
        .arg(&s)
        .output()
        .unwrap());
    assert_eq!(std::fs::read_to_string(s.join("study.md")).unwrap(), md);
    assert_eq!(std::fs::read(s.join("study.csv")).unwrap(), table);
    assert_eq!(std::fs::read(s.join("validation.svg")).unwrap(), svg);
    // A damaged curve is named, with the fix.
    let curve = s.join("range-adam/lr-find.csv");
    let good = std::fs::read(&curve).unwrap();
    std::fs::write(&curve, "step,lr\n0,x\n").unwrap();
    assert_one_line_error(&study(&config, &dir, &[]), "is not a range test's curve");
    std::fs::write(&curve, good).unwrap();
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
