//! A user's first run on a fresh clone: the README's run command writes into the git-ignored
//! `runs/`, never into the committed `results/`, and a run named into a committed sweep of other
//! settings is refused without touching it.

use std::path::Path;
use std::process::Command;

mod common;

use common::{TempDir, assert_one_line_error, mnist_dir, ok};

/// The arguments of the README's run command (`cargo run --release -p experiments -- ARGS`).
fn readme_run_args(root: &Path) -> Vec<String> {
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let prefix = "cargo run --release -p experiments -- ";
    let line = readme
        .lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .unwrap_or_else(|| panic!("README.md shows no `{prefix}…` command"));
    line.split_whitespace().map(String::from).collect()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    ok(&out);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The README's command in `clone`, on a few hundred images for a few steps (the sweep's name
/// and folder are the full run's: they depend on the epochs, which stay).
fn run(clone: &Path, args: &[String], extra: &[&str]) -> std::process::Output {
    common::bin()
        .current_dir(clone)
        .args(args)
        .arg("--data-dir")
        .arg(mnist_dir())
        .args([
            "--backend",
            "flex",
            "--train-limit",
            "256",
            "--test-limit",
            "100",
        ])
        .args(["--validation", "300", "--max-steps", "4", "--quiet"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn the_readme_run_command_leaves_every_committed_file_unchanged() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let tmp = TempDir::new("fresh-clone");
    let clone = tmp.join("clone");
    let out = Command::new("git")
        .args(["clone", "--quiet", "--no-hardlinks"])
        .arg(&root)
        .arg(&clone)
        .output()
        .expect("git runs");
    ok(&out);
    let args = readme_run_args(&clone);
    ok(&run(&clone, &args, &[]));
    let sweep = clone.join("runs/mnist-lenet-momentum-3ep");
    assert!(
        sweep.join("clr/summary.json").is_file(),
        "the run lands in runs/"
    );
    assert_eq!(
        git(&clone, &["status", "--porcelain"]),
        "",
        "committed files changed, or runs/ is not ignored"
    );

    // Named into the committed example sweep, the same command is refused: that sweep was
    // trained with other settings, and its files stay as committed.
    let committed = clone.join("results/mnist-lenet-momentum-3ep");
    assert!(committed.join("sweep.toml").is_file());
    let refused = run(&clone, &args, &["--out", "results"]);
    assert_one_line_error(&refused, "holds a sweep trained with other settings");
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("train_limit unset there, 256 here"), "{err}");
    assert_eq!(git(&clone, &["status", "--porcelain"]), "");
}
