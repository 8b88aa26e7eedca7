//! The `lr` subcommand as a user runs it: presets, config files, PyTorch agreement, plots and
//! one-line errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use burn_lr_schedules::ScheduleConfig;

mod common;
use common::bin;
#[path = "../../crates/burn-lr-schedules/tests/golden/mod.rs"]
mod golden;

use common::TempDir;

fn temp_dir(name: &str) -> TempDir {
    TempDir::new(&format!("lr-{name}"))
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("binary runs")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Parses `step,lr` CSV (or `step,lr,momentum`, whose momenta it drops), checking the header
/// and the step column.
fn rates(csv: &str) -> Vec<f64> {
    table(csv).0
}

/// Parses `step,lr` or `step,lr,momentum` CSV into the rates and, with the third column, the
/// momenta.
fn table(csv: &str) -> (Vec<f64>, Option<Vec<f64>>) {
    let mut lines = csv.lines();
    let cycled = match lines.next() {
        Some("step,lr") => false,
        Some("step,lr,momentum") => true,
        other => panic!("header {other:?}"),
    };
    let (mut lrs, mut momenta) = (Vec::new(), Vec::new());
    for (i, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), 2 + cycled as usize, "{line}");
        assert_eq!(cells[0].parse::<usize>().unwrap(), i);
        lrs.push(cells[1].parse().unwrap());
        if cycled {
            momenta.push(cells[2].parse().unwrap());
        }
    }
    (lrs, cycled.then_some(momenta))
}

fn assert_one_line_error(out: &Output, needle: &str) {
    assert!(!out.status.success(), "should fail");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(needle), "expected `{needle}` in: {err}");
    assert!(!err.contains("panicked"));
}

fn write_schedule(dir: &Path, name: &str, schedule: &ScheduleConfig) -> PathBuf {
    #[derive(serde::Serialize)]
    struct File<'a> {
        schedule: &'a ScheduleConfig,
    }
    let path = dir.join(name);
    std::fs::write(&path, toml::to_string(&File { schedule }).unwrap()).unwrap();
    path
}

#[test]
fn every_preset_prints_one_finite_row_per_step() {
    let out = run(bin().args(["lr", "--schedule", "all", "--steps", "5"]));
    let text = stdout(&out);
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert_eq!(header[0], "step");
    for kind in [
        "fixed",
        "clr",
        "clr-triangular2",
        "clr-exp-range",
        "clr-welch",
        "clr-hann",
        "step",
        "multistep",
        "exponential",
        "inverse-time",
        "polynomial",
        "cosine",
        "sgdr",
        "one-cycle",
        "warmup-cosine",
        "wsd",
        "plateau",
        "linear",
        "sequential",
        "inverse-sqrt",
        "rex",
        "sgdr-decay",
        "clr-cosine-envelope",
        "warmup-plateau",
    ] {
        assert!(header.contains(&kind), "preset {kind} missing from `all`");
        let rows = rates(&stdout(&run(bin().args([
            "lr",
            "--schedule",
            kind,
            "--steps",
            "1400",
        ]))));
        assert_eq!(rows.len(), 1400);
        assert!(rows.iter().all(|r| r.is_finite() && *r >= 0.0), "{kind}");
        assert!(rows.iter().any(|r| *r > 0.0), "{kind}");
    }
    assert_eq!(text.lines().count(), 6);
}

#[test]
fn reproduces_pytorch_schedulers_from_a_config_file() {
    let golden = golden::rates();
    let dir = temp_dir("golden");
    let mut seen = Vec::new();
    for case in golden.cases.iter().filter(|c| c.metrics.is_empty()) {
        let path = write_schedule(&dir, &format!("{}.toml", case.name), &case.schedule);
        let out = run(bin()
            .arg("lr")
            .arg("--config")
            .arg(&path)
            .args(["--steps", &case.lrs.len().to_string()]));
        let ours = rates(&stdout(&out));
        assert_eq!(ours.len(), case.lrs.len());
        for (t, (a, b)) in ours.iter().zip(&case.lrs).enumerate() {
            assert!(
                golden::close(*a, *b),
                "{}: t = {t}: {a} vs PyTorch {b}",
                case.name
            );
        }
        seen.push(case.name.clone());
    }
    for required in [
        "step_",
        "multistep_",
        "cosine_",
        "cosine_restarts_",
        "cyclical_triangular_",
        "cyclical_triangular2_",
        "cyclical_exp_range_",
        "one_cycle_cos_two",
        "one_cycle_cos_three",
        "one_cycle_linear_two",
        "one_cycle_linear_three",
    ] {
        assert!(seen.iter().any(|n| n.starts_with(required)), "{required}");
    }
}

#[test]
fn a_schedule_that_cycles_momentum_prints_pytorchs_momentum_as_a_third_column() {
    let golden = golden::momenta();
    let dir = temp_dir("momentum");
    for case in &golden.cases {
        let path = write_schedule(&dir, &format!("{}.toml", case.name), &case.schedule);
        let out = run(bin()
            .arg("lr")
            .arg("--config")
            .arg(&path)
            .args(["--steps", &case.lrs.len().to_string()]));
        let (lrs, momenta) = table(&stdout(&out));
        let momenta = momenta.unwrap_or_else(|| panic!("{}: no momentum column", case.name));
        for (ours, theirs) in [(&lrs, &case.lrs), (&momenta, &case.momentums)] {
            assert_eq!(ours.len(), theirs.len());
            for (t, (a, b)) in ours.iter().zip(theirs).enumerate() {
                assert!(
                    golden::close(*a, *b),
                    "{}: t = {t}: {a} vs PyTorch {b}",
                    case.name
                );
            }
        }
    }
    // Turned off, or with several schedules, the columns are the rates alone.
    let mut off = golden.cases[0].schedule.clone();
    let ScheduleConfig::OneCycle(c) = &mut off else {
        panic!("the first golden case is a one_cycle");
    };
    c.cycle_momentum = false;
    let path = write_schedule(&dir, "off.toml", &off);
    let out = run(bin()
        .arg("lr")
        .arg("--config")
        .arg(&path)
        .args(["--steps", "3"]));
    assert_eq!(table(&stdout(&out)).1, None);
    let out = run(bin().args(["lr", "--schedule", "clr,one-cycle", "--steps", "10"]));
    assert!(stdout(&out).starts_with("step,clr,one-cycle\n"));
}

#[test]
fn shortest_round_trip_formatting() {
    let dir = temp_dir("format");
    let path = dir.join("c.toml");
    std::fs::write(
        &path,
        "[schedule]\nkind = 'linear'\nstart_lr = 0.1\nend_lr = 0.0000002\ntotal_steps = 1\n",
    )
    .unwrap();
    let text = stdout(&run(bin()
        .arg("lr")
        .arg("--config")
        .arg(&path)
        .args(["--steps", "2"])));
    assert_eq!(text, "step,lr\n0,0.1\n1,0.0000002\n");
}

#[test]
fn works_from_another_folder_and_files_override_presets() {
    let dir = temp_dir("elsewhere");
    let builtin = rates(&stdout(&run(bin().current_dir(&dir).args([
        "lr",
        "--schedule",
        "clr",
        "--steps",
        "3",
    ]))));
    assert_eq!(builtin[0], 0.005);
    std::fs::create_dir_all(dir.join("configs/schedules")).unwrap();
    std::fs::write(
        dir.join("configs/schedules/clr.toml"),
        "[schedule]\nkind = 'constant'\nlr = 0.5\n",
    )
    .unwrap();
    let overridden = rates(&stdout(&run(bin().current_dir(&dir).args([
        "lr",
        "--schedule",
        "clr",
        "--steps",
        "3",
    ]))));
    assert_eq!(overridden, [0.5, 0.5, 0.5]);
}

#[test]
fn epochs_hold_the_rate() {
    let text = stdout(&run(bin().args([
        "lr",
        "--schedule",
        "step",
        "--steps",
        "1000",
        "--steps-per-epoch",
        "2",
    ])));
    let r = rates(&text);
    // step_size 430 now counts epochs of 2 steps: the first drop is at step 860.
    assert_eq!(r[859], 0.05);
    assert_eq!(r[860], 0.025);
}

#[test]
fn shares_of_the_run_fit_the_printed_length() {
    for steps in [100usize, 1000] {
        let r = rates(&stdout(&run(bin().args([
            "lr",
            "--schedule",
            "multistep",
            "--steps",
            &steps.to_string(),
        ]))));
        // milestones = ["50%", "75%"]: the drops land at half and three quarters of any length.
        let (half, three_quarters) = (steps / 2, steps * 3 / 4);
        assert_eq!(r[half - 1], 0.05, "{steps}");
        assert!((r[half] - 0.005).abs() < 1e-12, "{steps}: {}", r[half]);
        assert!((r[three_quarters - 1] - 0.005).abs() < 1e-12, "{steps}");
        assert!((r[three_quarters] - 0.0005).abs() < 1e-12, "{steps}");
    }
    // In a config file too, and counting epochs when the schedule steps per epoch.
    let dir = temp_dir("shares");
    let write = |name: &str, length: &str| {
        let p = dir.join(name);
        let text = format!(
            "[schedule]\nkind = 'cosine'\nmax_lr = 0.1\nmin_lr = 0.0\ntotal_steps = {length}\n"
        );
        std::fs::write(&p, text).unwrap();
        p
    };
    let (share, steps) = (write("share.toml", "'50%'"), write("steps.toml", "5"));
    let lr = |path: &Path, per_epoch: &str| {
        rates(&stdout(&run(bin()
            .args([
                "lr",
                "--steps",
                "20",
                "--steps-per-epoch",
                per_epoch,
                "--config",
            ])
            .arg(path))))
    };
    // 50% of 20 steps in epochs of 2 steps: 5 epochs.
    assert_eq!(lr(&share, "2"), lr(&steps, "2"));
    assert_ne!(lr(&share, "1"), lr(&steps, "1"));
}

#[test]
fn plots_png_and_svg() {
    let dir = temp_dir("plot");
    for name in ["curves.png", "curves.svg"] {
        let path = dir.join(name);
        let out = run(bin()
            .args([
                "lr",
                "--schedule",
                "clr,cosine,one-cycle",
                "--steps",
                "300",
                "--log-y",
                "--plot",
            ])
            .arg(&path));
        stdout(&out);
        let bytes = std::fs::read(&path).unwrap();
        if name.ends_with("png") {
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
            assert!(bytes.len() > 20_000, "a real picture, not a blank one");
        } else {
            let svg = String::from_utf8(bytes).unwrap();
            for label in ["clr", "cosine", "one-cycle", "learning rate"] {
                assert!(svg.contains(label), "svg lacks {label}");
            }
        }
    }
    // Several schedules: one panel each, three side by side; one schedule: one chart.
    let size = |png: &Path| {
        let b = std::fs::read(png).unwrap();
        let be = |i: usize| u32::from_be_bytes(b[i..i + 4].try_into().unwrap());
        (be(16), be(20))
    };
    assert_eq!(size(&dir.join("curves.png")), (3 * 430, 300));
    let one = dir.join("one.png");
    stdout(&run(bin()
        .args(["lr", "--schedule", "cosine", "--plot"])
        .arg(&one)));
    assert_eq!(size(&one), (1100, 650));
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn bad_input_gives_one_line_and_a_non_zero_exit() {
    let dir = temp_dir("bad");
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let cases = [
        (
            write("malformed.toml", "[schedule\nkind = 'cosine'\n"),
            "malformed.toml: line 1",
        ),
        (
            write("kind.toml", "[schedule]\nkind = 'cosinus'\n"),
            "unknown variant `cosinus`",
        ),
        (
            write(
                "field.toml",
                "[schedule]\nkind = 'cosine'\nmax_lr = 0.1\ntotal_steps = 5\nwarmup = 3\n",
            ),
            "unknown field `warmup`",
        ),
        (
            write(
                "rule.toml",
                "[schedule]\nkind = 'cyclical'\nbase_lr = 0.01\nmax_lr = 0.001\nstep_size = 3\n",
            ),
            "cyclical: max_lr (0.001) must be greater than base_lr (0.01)",
        ),
        (write("empty.toml", ""), "no [schedule] table"),
        (
            write("share.toml", "[schedule]\nkind = 'constant'\nlr = '5%'\n"),
            "share.toml: lr = \"5%\": only a length may be a share of the run",
        ),
        (
            write(
                "percent.toml",
                "[schedule]\nkind = 'cosine'\nmax_lr = 0.1\ntotal_steps = '120%'\n",
            ),
            "percent.toml: total_steps: \"120%\" is not a share of the run",
        ),
        (dir.join("missing.toml"), "cannot read"),
    ];
    for (path, needle) in cases {
        assert_one_line_error(&run(bin().arg("lr").arg("--config").arg(&path)), needle);
    }
    assert_one_line_error(
        &run(bin().args(["lr", "--schedule", "nope"])),
        "unknown schedule preset `nope`",
    );
    assert_one_line_error(
        &run(bin().args(["lr"])),
        "pass --config FILE or --schedule NAME",
    );
    assert_one_line_error(
        &run(bin()
            .args(["lr", "--schedule", "clr", "--plot"])
            .arg(dir.join("x.jpg"))),
        "use a .png or .svg",
    );
    assert_one_line_error(
        &run(bin()
            .args(["lr", "--schedule", "clr", "--plot"])
            .arg(dir.join("no/such/dir/x.png"))),
        "cannot write",
    );
}
