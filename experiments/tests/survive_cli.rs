//! Runs that survive: a run stopped part-way (by `--stop-after` or SIGTERM) resumes to the very
//! metrics an uninterrupted run writes, and every kind of bad input gives one line and a
//! non-zero exit, never a panic.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod common;
use common::bin;

use common::{TempDir, assert_one_line_error, mnist_dir, ok};

/// Two epochs of the dropout CNN under Adam on a few hundred images, two schedules (one of them
/// reduce-on-plateau, whose state lives in the scheduler record; the other one-cycle, which
/// cycles Adam's β1), at Adam-sized peaks (the presets' SGD rates make Adam diverge).
fn sweep(out: &Path, name: &str, data: &Path, extra: &[&str]) -> Command {
    sweep_of(out, name, data, "320", extra)
}

/// [`sweep`] on the first `images` training images.
fn sweep_of(out: &Path, name: &str, data: &Path, images: &str, extra: &[&str]) -> Command {
    let presets = out.join("adam-presets");
    std::fs::create_dir_all(&presets).unwrap();
    std::fs::write(
        presets.join("plateau.toml"),
        "[schedule]\nkind = 'plateau'\ninitial_lr = 0.001\nmode = 'min'\nfactor = 0.5\npatience = 0\n",
    )
    .unwrap();
    std::fs::write(
        presets.join("one-cycle.toml"),
        "[schedule]\nkind = 'one_cycle'\nmax_lr = 0.003\ntotal_steps = '100%'\n",
    )
    .unwrap();
    let mut c = bin();
    c.env("EXPERIMENTS_CONFIGS", &presets)
        .arg("--data-dir")
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(["--backend", "flex", "--model", "pytorch-example"])
        .args(["--optimizer", "adam", "--epochs", "2", "--batch-size", "32"])
        .args([
            "--train-limit",
            images,
            "--test-limit",
            "100",
            "--validation",
            "300",
            "--quiet",
        ])
        .args(["--schedule", "plateau,one-cycle", "--name", name])
        .args(extra);
    c
}

/// `epochs` of lenet on 320 images for `schedules`, into `out/name`.
fn lenet(out: &Path, name: &str, epochs: &str, schedules: &str) -> Command {
    let mut c = bin();
    c.arg("--data-dir")
        .arg(mnist_dir())
        .arg("--out")
        .arg(out)
        .args(["--backend", "flex", "--model", "lenet", "--epochs", epochs])
        .args([
            "--batch-size",
            "32",
            "--train-limit",
            "320",
            "--test-limit",
            "100",
            "--validation",
            "300",
        ])
        .args(["--schedule", schedules, "--name", name, "--quiet"]);
    c
}

fn stopped(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(130),
        "a stopped run exits 130: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--resume"));
}

/// Waits (up to a minute) for a file a child process writes.
fn wait_for(path: &Path) {
    let start = Instant::now();
    while !path.exists() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(path.exists(), "{} never appeared", path.display());
}

/// metrics.csv without the wall-time column.
fn metrics(run: &Path) -> String {
    std::fs::read_to_string(run.join("metrics.csv"))
        .unwrap()
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect()
}

fn assert_same_runs(a: &Path, b: &Path) {
    for run in ["plateau", "one-cycle"] {
        let (x, y) = (metrics(&a.join(run)), metrics(&b.join(run)));
        assert!(x.lines().count() > 2, "{run}: no steps");
        assert_eq!(x, y, "{run}: resumed metrics differ");
        assert!(b.join(run).join("summary.json").is_file());
        assert!(
            !b.join(run).join("checkpoint.bin").exists(),
            "a finished run drops its checkpoint"
        );
    }
}

#[test]
fn stopped_runs_resume_to_the_uninterrupted_metrics() {
    let tmp = TempDir::new("survive-resume");
    let out = &tmp.0;
    ok(&sweep(out, "full", &mnist_dir(), &[]).output().unwrap());

    // Stopped mid-epoch 1, then again exactly at the end of epoch 1 (10 steps an epoch), then
    // finished: three processes, one run's metrics.
    stopped(
        &sweep(out, "cut", &mnist_dir(), &["--stop-after", "7"])
            .output()
            .unwrap(),
    );
    let cut = out.join("cut");
    assert!(cut.join("plateau/checkpoint.bin").is_file());
    assert_eq!(
        metrics(&cut.join("plateau")).lines().count(),
        8,
        "metrics so far"
    );
    assert!(!cut.join("one-cycle").exists(), "later runs not started");
    let resume = |dir: &Path, extra: &[&str]| {
        bin()
            .arg("--resume")
            .arg(dir)
            .arg("--quiet")
            .args(extra)
            .output()
            .unwrap()
    };
    stopped(&resume(&cut, &["--stop-after", "10"]));
    ok(&resume(&cut, &[]));
    assert_same_runs(&out.join("full"), &cut);
    assert_eq!(
        metrics(&cut.join("plateau")).lines().count(),
        21,
        "20 steps and a header"
    );

    // A finished sweep resumes to nothing new.
    let before = std::fs::read(cut.join("plateau/metrics.csv")).unwrap();
    let again = resume(&cut, &[]);
    ok(&again);
    assert!(String::from_utf8_lossy(&again.stderr).contains("plateau: finished before, skipped"));
    assert_eq!(
        std::fs::read(cut.join("plateau/metrics.csv")).unwrap(),
        before
    );

    // One run's folder resumes that run alone.
    stopped(
        &sweep(out, "one", &mnist_dir(), &["--stop-after", "3"])
            .output()
            .unwrap(),
    );
    ok(&resume(&out.join("one/plateau"), &[]));
    assert_eq!(
        metrics(&out.join("one/plateau")),
        metrics(&out.join("full/plateau"))
    );
    assert!(!out.join("one/one-cycle").exists());
}

/// Starts `command`, waits for `file` and then `delay`, sends it `signal` (`kill`'s spelling),
/// and returns how it ended and its standard error.
#[cfg(unix)]
fn signalled(
    mut command: Command,
    file: &Path,
    delay: Duration,
    signal: &str,
) -> (std::process::ExitStatus, String) {
    let mut child = command
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(file);
    std::thread::sleep(delay);
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill {signal}");
    let status = child.wait().unwrap();
    let mut err = String::new();
    (child.stderr.take().unwrap())
        .read_to_string(&mut err)
        .unwrap();
    (status, err)
}

#[cfg(unix)]
#[test]
fn signals_and_kills_resume_to_the_uninterrupted_metrics() {
    let tmp = TempDir::new("survive-sigterm");
    let out = &tmp.0;
    // 2 epochs of 40 steps: long enough (seconds) to be caught mid-run; every step is the same
    // work, only the signal's arrival varies.
    ok(&sweep_of(out, "full", &mnist_dir(), "1280", &[])
        .output()
        .unwrap());
    // sweep.toml is written just before training starts; let a few steps run.
    let (status, err) = signalled(
        sweep_of(out, "killed", &mnist_dir(), "1280", &[]),
        &out.join("killed/sweep.toml"),
        Duration::from_millis(700),
        "-TERM",
    );
    assert_eq!(
        status.code(),
        Some(130),
        "SIGTERM arrived after the sweep finished or was not handled: {err}"
    );
    assert!(err.contains("stopped after step"), "{err}");
    let resumed = bin()
        .arg("--resume")
        .arg(out.join("killed"))
        .arg("--quiet")
        .output()
        .unwrap();
    ok(&resumed);
    assert_same_runs(&out.join("full"), &out.join("killed"));

    // Checkpoints every 5 steps: SIGUSR1 (a cluster's warning) stops the run like SIGTERM, and
    // SIGKILL loses at most the steps since the last checkpoint. Running the same command again
    // with --continue (a requeued task) finishes either to the uninterrupted metrics.
    for (name, signal) in [("usr1", "-USR1"), ("killed9", "-KILL")] {
        let args = ["--checkpoint-every", "5", "--continue"];
        let (status, err) = signalled(
            sweep_of(out, name, &mnist_dir(), "1280", &args),
            &out.join(name).join("plateau/checkpoint.bin"),
            Duration::ZERO,
            signal,
        );
        if signal == "-USR1" {
            assert_eq!(status.code(), Some(130), "{err}");
            assert!(err.contains("SIGUSR1: stopping after this step"), "{err}");
        } else {
            assert!(!status.success());
        }
        ok(&sweep_of(out, name, &mnist_dir(), "1280", &args)
            .output()
            .unwrap());
        assert_same_runs(&out.join("full"), &out.join(name));
    }
    // --continue on a folder that holds another sweep is refused.
    let mut other = sweep_of(
        out,
        "usr1",
        &mnist_dir(),
        "640",
        &["--continue", "--seeds", "2"],
    );
    assert_one_line_error(&other.output().unwrap(), "holds another sweep");
}

#[test]
fn a_second_writer_is_refused_and_a_dead_holder_never_blocks() {
    let tmp = TempDir::new("survive-lock");
    let out = &tmp.0;
    let mut first = sweep_of(out, "s", &mnist_dir(), "1280", &[])
        .spawn()
        .unwrap();
    let marker = out.join("s/sweep.toml");
    wait_for(&marker);
    let saved = std::fs::read(&marker).unwrap();
    // The same command, and --resume, while the first trains: one line naming the holder.
    let holder = format!("pid {}", first.id());
    let again = sweep_of(out, "s", &mnist_dir(), "1280", &[])
        .output()
        .unwrap();
    let resumed = bin().arg("--resume").arg(out.join("s")).output().unwrap();
    for refused in [&again, &resumed] {
        assert_one_line_error(refused, "is being written by another experiments process");
        assert!(String::from_utf8_lossy(&refused.stderr).contains(&holder));
    }
    assert_eq!(
        std::fs::read(&marker).unwrap(),
        saved,
        "the refused ones wrote nothing"
    );
    // Killed outright, the first leaves its lock file, which no longer holds anything.
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(out.join("s/running.lock").exists());
    ok(&bin()
        .arg("--resume")
        .arg(out.join("s"))
        .arg("--quiet")
        .output()
        .unwrap());
    assert!(out.join("s/plateau/summary.json").is_file());
}

/// A size-limited tmpfs, unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    /// Mounts one at `dir`, or `None` where this process may not mount.
    fn mount(dir: &Path, size: &str) -> Option<Self> {
        std::fs::create_dir_all(dir).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .ok()?;
        mounted.status.success().then(|| Self(dir.to_path_buf()))
    }

    /// Bytes still free.
    fn free(&self) -> u64 {
        let out = Command::new("df")
            .args(["-B1", "--output=avail"])
            .arg(&self.0)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines().nth(1).unwrap().trim().parse().unwrap()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// How a test makes the next checkpoint write fail.
enum Refusal<'a> {
    /// A small tmpfs, filled up to just under one more checkpoint.
    FullDisk(&'a SmallDisk),
    /// A file-size limit (`RLIMIT_FSIZE`) under the checkpoint's size in the resumed process,
    /// which any user may set: the write fails with `EFBIG` once past it.
    FileSizeLimit,
}

/// A run stopped with a checkpoint in `dir`, resumed while the next checkpoint cannot be
/// written: one line naming the file, the last checkpoint intact, no temporary file left; then
/// resumed with room again, to the uninterrupted run's metrics (trained into `tmp/full`).
fn a_refused_checkpoint_keeps_the_last_one(tmp: &Path, dir: &Path, refusal: Refusal) {
    ok(&lenet(tmp, "full", "2", "fixed").output().unwrap());
    // 5 steps of 20, then stopped: a checkpoint in `dir`.
    stopped(
        &lenet(dir, "s", "2", "fixed")
            .args(["--stop-after", "5"])
            .output()
            .unwrap(),
    );
    let checkpoint = dir.join("s/fixed/checkpoint.bin");
    let before = std::fs::read(&checkpoint).unwrap();
    let resume = || {
        let mut c = bin();
        c.arg("--resume")
            .arg(dir.join("s"))
            .args(["--checkpoint-every", "3", "--quiet"]);
        c
    };
    let filler = dir.join("filler");
    let (refused, os_error) = match refusal {
        Refusal::FullDisk(disk) => {
            // Leave room for metrics.csv but not for another checkpoint.
            let room = disk.free().saturating_sub(before.len() as u64 / 2);
            std::fs::write(&filler, vec![0u8; room as usize]).unwrap();
            (resume().output().unwrap(), "No space left on device")
        }
        Refusal::FileSizeLimit => {
            let limit = before.len() as libc::rlim_t / 2;
            let mut c = resume();
            // SAFETY: only async-signal-safe calls between fork and exec.
            unsafe {
                c.pre_exec(move || {
                    // Ignored, the signal the kernel sends at the limit no longer kills the
                    // process: the write fails instead, as on a full disk.
                    libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                    let l = libc::rlimit {
                        rlim_cur: limit,
                        rlim_max: limit,
                    };
                    if libc::setrlimit(libc::RLIMIT_FSIZE, &l) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            (c.output().unwrap(), "File too large")
        }
    };
    assert_one_line_error(&refused, "checkpoint.bin");
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains(os_error), "{err}");
    assert_eq!(
        std::fs::read(&checkpoint).unwrap(),
        before,
        "the last checkpoint is kept"
    );
    let debris = std::fs::read_dir(dir.join("s/fixed")).unwrap().flatten();
    assert!(
        debris
            .into_iter()
            .all(|e| !e.file_name().to_string_lossy().starts_with(".tmp")),
        "a failed write leaves no temporary file"
    );
    // A process killed between a write and its rename leaves a whole temporary file beside
    // the old target, which nothing reads.
    std::fs::write(dir.join("s/fixed/.tmpKILLED"), b"half a checkpoint").unwrap();
    // Room again: the run continues from that checkpoint to the uninterrupted metrics.
    let _ = std::fs::remove_file(&filler);
    ok(&resume().output().unwrap());
    let (a, b) = (tmp.join("full/fixed"), dir.join("s/fixed"));
    assert_eq!(metrics(&a), metrics(&b), "resumed metrics differ");
    assert!(b.join("summary.json").is_file() && !checkpoint.exists());
}

#[test]
fn a_full_disk_during_a_checkpoint_keeps_the_last_one_and_the_run_resumes() {
    let tmp = TempDir::new("survive-full");
    let small = tmp.join("small");
    match SmallDisk::mount(&small, "16M") {
        Some(disk) => {
            a_refused_checkpoint_keeps_the_last_one(&tmp.0, &small, Refusal::FullDisk(&disk))
        }
        // Mounting needs root: elsewhere the write fails at a file-size limit instead.
        None => a_refused_checkpoint_keeps_the_last_one(&tmp.0, &small, Refusal::FileSizeLimit),
    }
}

#[test]
fn a_file_size_limit_during_a_checkpoint_keeps_the_last_one_and_the_run_resumes() {
    // The same failure without a mount, so the writer is checked the same way on any machine.
    let tmp = TempDir::new("survive-fsize");
    let dir = tmp.join("limited");
    a_refused_checkpoint_keeps_the_last_one(&tmp.0, &dir, Refusal::FileSizeLimit);
}

/// A quick training command on `data` with a schedule config file holding `schedule`.
fn with_schedule(dir: &Path, data: &Path, schedule: &str) -> Output {
    let file = dir.join("schedule.toml");
    std::fs::write(&file, format!("[schedule]\n{schedule}\n")).unwrap();
    quick(dir, data, &["--config", file.to_str().unwrap()])
}

/// The data of the quick runs: 64 training, 300 validation and 50 test images, no progress.
const TINY: [&str; 7] = [
    "--train-limit",
    "64",
    "--test-limit",
    "50",
    "--validation",
    "300",
    "--quiet",
];

fn quick(dir: &Path, data: &Path, extra: &[&str]) -> Output {
    bin()
        .arg("--data-dir")
        .arg(data)
        .arg("--out")
        .arg(dir.join("results"))
        .args(["--backend", "flex", "--epochs", "1", "--batch-size", "32"])
        .args(TINY)
        .args(extra)
        .output()
        .unwrap()
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut bytes)
        .unwrap();
    bytes
}

/// A copy of the MNIST folder with the test labels (raw IDX) replaced by `labels`.
fn with_test_labels(dir: &Path, labels: &[u8]) -> PathBuf {
    let data = dir.join("data");
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    for f in [
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
    ] {
        let name = format!("{f}.gz");
        std::fs::copy(mnist_dir().join(&name), data.join(&name)).unwrap();
    }
    std::fs::write(data.join("t10k-labels-idx1-ubyte"), labels).unwrap();
    data
}

#[test]
fn bad_schedules_and_data_are_refused_with_one_line() {
    let tmp = TempDir::new("survive-bad");
    let dir = &tmp.0;
    let data = mnist_dir();
    // (schedule table, what the one error line must say)
    let refused = [
        ("kind = 'constant'\nlr = [0.1", "schedule.toml: line 3"),
        ("kind = 'warp'\nlr = 0.1", "unknown variant `warp`"),
        ("kind = 'constant'\nrate = 0.1", "unknown field `rate`"),
        ("kind = 'constant'\nlr = -0.1", "lr (-0.1) must be"),
        ("kind = 'constant'\nlr = 0.0", "lr (0) must be"),
        (
            "kind = 'cosine'\nmax_lr = 0.1\ntotal_steps = 0",
            "total_steps (0) must be at least 1",
        ),
        (
            "kind = 'cyclical'\nbase_lr = 0.1\nmax_lr = 0.01\nstep_size = 10",
            "max_lr (0.01) must be greater than base_lr (0.1)",
        ),
        (
            "kind = 'multistep'\ninitial_lr = 0.1\ngamma = 0.1\nmilestones = [30, 10]",
            "milestones",
        ),
    ];
    for (schedule, needle) in refused {
        assert_one_line_error(&with_schedule(dir, &data, schedule), needle);
    }

    // A schedule that ends long before training does is allowed, with a warning.
    let short = with_schedule(dir, &data, "kind = 'cosine'\nmax_lr = 0.1\ntotal_steps = 1");
    ok(&short);
    let err = String::from_utf8_lossy(&short.stderr);
    assert!(
        err.contains("warning: schedule: the schedule ends at step 1, before the 2 steps"),
        "{err}"
    );

    // Data: a labels file of the right size whose bytes are not the original's. (A count that
    // disagrees with the images trips this checksum first here; the mnist crate's own tests
    // check that message on unchecksummed files.)
    let labels = gunzip(&mnist_dir().join("t10k-labels-idx1-ubyte.gz"));
    let mut altered = labels.clone();
    altered[100] = (altered[100] + 1) % 10;
    assert_one_line_error(
        &quick(
            dir,
            &with_test_labels(dir, &altered),
            &["--schedule", "fixed"],
        ),
        "SHA-256",
    );
}

#[test]
fn bad_places_and_devices_are_refused_with_one_line() {
    let tmp = TempDir::new("survive-places");
    let dir = &tmp.0;
    // An output folder that cannot be created (a file stands in its path).
    let file = dir.join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = bin()
        .arg("--data-dir")
        .arg(mnist_dir())
        .arg("--out")
        .arg(file.join("results"))
        .args(["--schedule", "fixed", "--backend", "flex", "--quiet"])
        .output()
        .unwrap();
    assert_one_line_error(&out, "choose a writable folder with --out DIR");

    // wgpu with no Vulkan driver to be found.
    let out = bin()
        .env("VK_ICD_FILENAMES", dir.join("none.json"))
        .env("VK_DRIVER_FILES", dir.join("none.json"))
        .arg("--data-dir")
        .arg(mnist_dir())
        .arg("--out")
        .arg(dir.join("results"))
        .args(["--schedule", "fixed", "--backend", "wgpu", "--quiet"])
        .output()
        .unwrap();
    assert_one_line_error(&out, "--backend wgpu: no GPU adapter found");

    // --devices names GPUs: refused on a CPU backend, and past the GPUs wgpu finds (none
    // here: lavapipe is a CPU adapter).
    let devices = |backend: &str| {
        bin()
            .arg("--data-dir")
            .arg(mnist_dir())
            .arg("--out")
            .arg(dir.join("results"))
            .args([
                "--schedule",
                "fixed",
                "--backend",
                backend,
                "--devices",
                "0,5",
            ])
            .args(TINY)
            .output()
            .unwrap()
    };
    assert_one_line_error(
        &devices("flex"),
        "--devices spreads runs over GPUs, but the backend is flex",
    );
    let wgpu = devices("wgpu");
    let err = String::from_utf8_lossy(&wgpu.stderr);
    if !err.contains("no GPU adapter found") {
        assert_one_line_error(&wgpu, "discrete GPU(s), numbered from 0");
    }

    // --resume of a folder this program did not write, and of a damaged checkpoint.
    let out = bin().arg("--resume").arg(dir).output().unwrap();
    assert_one_line_error(&out, "no sweep.toml there or in its parent");
    let stop = quick(
        dir,
        &mnist_dir(),
        &["--schedule", "fixed", "--name", "s", "--stop-after", "1"],
    );
    stopped(&stop);
    let checkpoint = dir.join("results/s/fixed/checkpoint.bin");
    let bytes = std::fs::read(&checkpoint).unwrap();
    std::fs::write(&checkpoint, &bytes[..bytes.len() / 2]).unwrap();
    let out = bin()
        .arg("--resume")
        .arg(dir.join("results/s"))
        .output()
        .unwrap();
    assert_one_line_error(&out, "damaged checkpoint (truncated); delete it");

    // A checkpoint resumed under an edited schedule: refused, not continued with other rates.
    let stop = quick(
        dir,
        &mnist_dir(),
        &[
            "--schedule",
            "fixed",
            "--name",
            "edited",
            "--stop-after",
            "1",
        ],
    );
    stopped(&stop);
    let sweep_file = dir.join("results/edited/sweep.toml");
    let text = std::fs::read_to_string(&sweep_file).unwrap();
    assert!(text.contains("lr = 0.05"), "{text}");
    std::fs::write(&sweep_file, text.replace("lr = 0.05", "lr = 0.06")).unwrap();
    let out = bin()
        .arg("--resume")
        .arg(dir.join("results/edited"))
        .output()
        .unwrap();
    assert_one_line_error(
        &out,
        "the checkpoint's scheduler record does not fit this run",
    );
}

/// What README § Determinism promises: on a CPU backend, a seed fixes the run bit for bit,
/// whatever the thread count.
#[test]
fn a_seed_fixes_a_cpu_run_at_any_thread_count() {
    let tmp = TempDir::new("survive-threads");
    let out = &tmp.0;
    for threads in ["1", "2", "3"] {
        ok(&sweep(out, &format!("t{threads}"), &mnist_dir(), &[])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap());
    }
    assert_same_runs(&out.join("t1"), &out.join("t2"));
    assert_same_runs(&out.join("t1"), &out.join("t3"));
}

/// `--jobs` trains runs side by side and writes what a sequential sweep writes. lenet has no
/// dropout, and initial weights are drawn under a lock, so the files match bit for bit.
#[test]
fn runs_trained_side_by_side_write_what_sequential_runs_write() {
    let tmp = TempDir::new("survive-jobs");
    let out = &tmp.0;
    for jobs in ["1", "3"] {
        let mut c = lenet(out, &format!("jobs{jobs}"), "2", "plateau,one-cycle,clr");
        c.args(["--jobs", jobs]);
        ok(&c.output().unwrap());
    }
    assert_same_runs(&out.join("jobs1"), &out.join("jobs3"));
    assert_eq!(
        metrics(&out.join("jobs1/clr")),
        metrics(&out.join("jobs3/clr"))
    );
    for f in ["summary.md", "grid.png", "loss.svg", "lr.png"] {
        assert!(out.join("jobs3").join(f).is_file(), "{f}");
    }
}

/// `--shard I/N` trains a deterministic slice of the sweep into its own folder, and `report`
/// merges the slices into what one sweep would have written, saved weights included.
#[test]
fn shards_merge_into_the_whole_sweep() {
    let tmp = TempDir::new("survive-shards");
    let out = &tmp.0;
    let sweep = |extra: &[&str]| {
        let mut c = lenet(out, "s", "2", "plateau,one-cycle,clr");
        c.args(extra);
        c.output().unwrap()
    };
    ok(&sweep(&[]));
    ok(&sweep(&["--shard", "1/2", "--save-model"]));
    ok(&sweep(&["--shard", "2/2"]));
    let empty = sweep(&["--shard", "4/4"]);
    ok(&empty);
    assert!(String::from_utf8_lossy(&empty.stderr).contains("nothing to do"));
    // Runs 1 and 3 in the first slice, run 2 in the second.
    assert!(out.join("s-shard-1-of-2/plateau/summary.json").is_file());
    assert!(out.join("s-shard-1-of-2/clr/summary.json").is_file());
    assert!(out.join("s-shard-2-of-2/one-cycle/summary.json").is_file());
    assert!(!out.join("s-shard-2-of-2/plateau").exists());

    let merged = out.join("merged");
    let report = bin()
        .arg("report")
        .arg(out.join("s-shard-1-of-2"))
        .arg(out.join("s-shard-2-of-2"))
        .arg("--out")
        .arg(&merged)
        .output()
        .unwrap();
    ok(&report);
    assert_same_runs(&out.join("s"), &merged);
    assert_eq!(metrics(&out.join("s/clr")), metrics(&merged.join("clr")));
    // The weights come along where a slice saved them (`--save-model`), and only there.
    let saved = std::fs::read(out.join("s-shard-1-of-2/clr/model.bin")).unwrap();
    assert_eq!(std::fs::read(merged.join("clr/model.bin")).unwrap(), saved);
    assert!(!out.join("s/clr/model.bin").exists());
    assert!(!merged.join("one-cycle/model.bin").exists());
    let table = |dir: &Path| -> Vec<String> {
        // The table rows without the time columns (s to 98%/99%, images/s); a merged report
        // lists runs in preset order, a sweep in the order asked for.
        std::fs::read_to_string(dir.join("summary.md"))
            .unwrap()
            .lines()
            .filter(|l| {
                l.starts_with("| plateau") || l.starts_with("| one-cycle") || l.starts_with("| clr")
            })
            .map(|l| {
                let cells: Vec<&str> = l.split('|').collect();
                [1, 2, 3, 4, 5, 7, 9, 10, 11].map(|i| cells[i]).join("|")
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    assert_eq!(table(&out.join("s")), table(&merged));
    assert!(merged.join("grid.png").is_file());

    // The same run in two sources is refused.
    let twice = bin()
        .arg("report")
        .arg(out.join("s"))
        .arg(out.join("s-shard-2-of-2"))
        .arg("--out")
        .arg(out.join("twice"))
        .output()
        .unwrap();
    assert_one_line_error(&twice, "is in both");
    let bad = bin()
        .args(["--shard", "3/2", "--schedule", "fixed"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not I/N"));
}

/// `--seeds N` repeats every schedule over N seeds and reports mean ± std and a banded plot.
#[test]
fn seeds_repeat_each_schedule_and_the_report_aggregates_them() {
    let tmp = TempDir::new("survive-seeds");
    let out = &tmp.0;
    let run = lenet(out, "s", "1", "one-cycle,clr")
        .args(["--seeds", "3", "--seed", "7"])
        .output()
        .unwrap();
    ok(&run);
    let sweep = out.join("s");
    let mut finals = Vec::new();
    for seed in [7, 8, 9] {
        let summary: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(sweep.join(format!("clr-seed{seed}/summary.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(summary["seed"], seed);
        assert_eq!(summary["group"], "clr");
        finals.push(summary["final_test_accuracy"].as_f64().unwrap() * 100.0);
    }
    assert_ne!(
        metrics(&sweep.join("clr-seed7")),
        metrics(&sweep.join("clr-seed8")),
        "different seeds, different runs"
    );
    let mean = finals.iter().sum::<f64>() / 3.0;
    let std = (finals.iter().map(|f| (f - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
    let md = std::fs::read_to_string(sweep.join("summary.md")).unwrap();
    let row = md
        .lines()
        .find(|l| l.starts_with("| clr | 3 |"))
        .unwrap_or_else(|| panic!("no over-seeds row for clr in:\n{md}"));
    assert!(
        row.contains(&format!("| {mean:.2}% ± {std:.2} |")),
        "{row} vs mean {mean} std {std}"
    );
    assert!(md.lines().any(|l| l.starts_with("| one-cycle | 3 |")));
    for f in ["loss-seeds.png", "loss-seeds.svg"] {
        assert!(
            std::fs::metadata(sweep.join(f)).unwrap().len() > 1000,
            "{f}"
        );
    }
}

#[test]
fn a_sweep_from_before_the_validation_split_is_not_resumed() {
    let tmp = TempDir::new("survive-old");
    let out = &tmp.0;
    let mut first = lenet(out, "old", "1", "fixed");
    stopped(&first.args(["--stop-after", "2"]).output().unwrap());
    // What a sweep.toml written before the split looked like: no `validation` setting.
    let sweep = out.join("old/sweep.toml");
    let text = std::fs::read_to_string(&sweep).unwrap();
    assert!(text.contains("validation = "), "{text}");
    let old: String = text
        .lines()
        .filter(|l| !l.starts_with("validation = "))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&sweep, old).unwrap();
    let resumed = bin().arg("--resume").arg(out.join("old")).output().unwrap();
    assert_one_line_error(&resumed, "started before runs held out a validation set");
}
