//! Every command shown in a ```sh block of the README, `docs/*.md`, `results/README.md` and the
//! library's README works.
//!
//! Each `cargo run … -p experiments -- ARGS` runs the debug binary with ARGS in a fresh working
//! folder, on a few hundred MNIST images: the flags that set the data's size (`--train-limit`,
//! `--epochs 1`, …), the backend (flex), the data folder and `--out` are set or replaced, every
//! other flag is the document's. Absolute paths (`--out /tmp/r`) are moved under the working
//! folder, so nothing is written outside it; `configs/` is copied there, as are the files a
//! document shows in a ```toml block starting `# NAME.toml`. A `study` runs with a tiny study
//! file in place of the built-in one (the same as `tests/study_cli.rs`), and a `plot` of a
//! folder no earlier command made redraws a copy of the committed folder of that name. Two
//! commands that differ in `--out` alone run once.
//!
//! Every other command is checked for what it names: a `cargo test` must be what CI runs
//! (`.ci/run`); `cargo add`, `cargo bench`, `cargo run --example` and `-p learner-example` name
//! a package, feature, bench, example or file that exists (the learner example's loop is
//! tested in `crates/learner-example/tests`); the Slurm lines name scripts that exist and that
//! CI runs for real (`scripts/slurm-ci.sh`); `pip install` is the PyTorch side of `bench`, which
//! the test runs with `--no-reference`. A command of any other form fails the test, so a new
//! one must be given a check here.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use common::{TempDir, mnist_dir};

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The documents whose ```sh blocks are checked, in the order their commands run.
fn documents() -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    let mut all = vec![root().join("README.md")];
    all.extend(docs);
    all.push(root().join("results/README.md"));
    all.push(root().join("crates/burn-lr-schedules/README.md"));
    all
}

/// A shell command of a document: its file, and its words (quotes removed, comments dropped).
#[derive(Debug, Clone)]
struct Shown {
    file: String,
    line: String,
    words: Vec<String>,
}

/// The lines of every block fenced ```LANG, continuations joined.
fn blocks(markdown: &str, lang: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let (mut inside, mut lines) = (false, Vec::new());
    for line in markdown.lines() {
        let fence = line.trim_start();
        if !inside {
            inside = fence.strip_prefix("```") == Some(lang);
        } else if fence.starts_with("```") {
            out.push(std::mem::take(&mut lines));
            inside = false;
        } else {
            lines.push(line.to_string());
        }
    }
    out.into_iter()
        .map(|lines| {
            let mut joined: Vec<String> = Vec::new();
            let mut pending = String::new();
            for line in lines {
                match line.trim_end().strip_suffix('\\') {
                    Some(head) => pending.push_str(head),
                    None => {
                        pending.push_str(&line);
                        joined.push(std::mem::take(&mut pending));
                    }
                }
            }
            joined
        })
        .collect()
}

/// A command line's words as a POSIX shell splits them (quotes, backslashes, `#` comments).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_default().push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_default();
            }
            (None, '\\') => word.get_or_insert_default().extend(chars.next()),
            (None, '#') if word.is_none() => break,
            (None, c) if c.is_whitespace() => out.extend(word.take()),
            (None, c) => word.get_or_insert_default().push(c),
        }
    }
    out.extend(word);
    out
}

fn shown_commands(file: &Path) -> Vec<Shown> {
    let text = std::fs::read_to_string(file).unwrap();
    let name = file.strip_prefix(root()).unwrap().display().to_string();
    blocks(&text, "sh")
        .into_iter()
        .flatten()
        .map(|line| Shown {
            file: name.clone(),
            words: words(&line),
            line: line.trim().to_string(),
        })
        .filter(|c| !c.words.is_empty())
        .collect()
}

/// Files a document shows as ```toml blocks whose first line is `# NAME.toml`.
fn shown_files(file: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(file).unwrap();
    blocks(&text, "toml")
        .into_iter()
        .filter_map(|lines| {
            let name = lines.first()?.trim().strip_prefix("# ")?.to_string();
            (name.ends_with(".toml") && !name.contains(' ')).then(|| (name, lines.join("\n")))
        })
        .collect()
}

/// What a documented command is, and so how it is checked.
#[derive(Debug, PartialEq)]
enum Kind {
    /// `cargo run … -p experiments -- ARGS`, with `VAR=value` words before it.
    Experiments {
        env: Vec<(String, String)>,
        args: Vec<String>,
    },
    /// Anything else, checked by what it names: `Ok(why it is enough)` or `Err(what is wrong)`.
    Other(Result<String, String>),
}

fn classify(c: &Shown) -> Kind {
    let w: Vec<&str> = c.words.iter().map(String::as_str).collect();
    let env_len = w
        .iter()
        .take_while(|x| x.split_once('=').is_some_and(|(k, _)| is_name(k)))
        .count();
    if c.line.starts_with("export ") || c.line.contains("sbatch ") {
        return Kind::Other(slurm(&w));
    }
    let (env, w) = w.split_at(env_len);
    let env = env
        .iter()
        .map(|x| {
            let (k, v) = x.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    let package = flag_value(w, "-p");
    let after_dashes = w.iter().position(|x| *x == "--").map(|i| &w[i + 1..]);
    Kind::Other(match (w.first(), w.get(1), package) {
        (Some(&"cargo"), Some(&"run"), Some("experiments")) => {
            return match after_dashes {
                Some(args) => Kind::Experiments {
                    env,
                    args: args.iter().map(|s| s.to_string()).collect(),
                },
                None => Kind::Other(Err("no `--` before the binary's arguments".into())),
            };
        }
        (Some(&"cargo"), Some(&"run"), Some(p)) if flag_value(w, "--example").is_some() => {
            example(p, flag_value(w, "--example").unwrap())
        }
        (Some(&"cargo"), Some(&"run"), Some("learner-example")) => {
            learner_example(after_dashes.unwrap_or(&[]))
        }
        (Some(&"cargo"), Some(&"test"), _) => ci_runs(&c.line),
        (Some(&"cargo"), Some(&"bench"), Some(p)) => bench_target(p),
        (Some(&"cargo"), Some(&"add"), _) => cargo_add(&w[2..]),
        (Some(&"pip"), Some(&"install"), _) if w.contains(&"torch") => Ok(
            "PyTorch, the reference side of `bench`; the test runs `bench --no-reference`".into(),
        ),
        _ => Err("a command of a form this test does not check; give it a check".into()),
    })
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

/// The value after `flag`, before any `--`.
fn flag_value<'a>(w: &[&'a str], flag: &str) -> Option<&'a str> {
    let end = w.iter().position(|x| *x == "--").unwrap_or(w.len());
    let i = w[..end].iter().position(|x| *x == flag)?;
    w.get(i + 1).copied()
}

/// The folder and manifest of the workspace package named `name`.
fn package(name: &str) -> Result<(PathBuf, String), String> {
    let mut dirs = vec![root().join("experiments")];
    for e in std::fs::read_dir(root().join("crates")).unwrap() {
        dirs.push(e.unwrap().path());
    }
    dirs.into_iter()
        .filter_map(|d| {
            Some((
                d.clone(),
                std::fs::read_to_string(d.join("Cargo.toml")).ok()?,
            ))
        })
        .find(|(_, manifest)| manifest.contains(&format!("name = \"{name}\"")))
        .ok_or_else(|| format!("no workspace package `{name}`"))
}

fn example(package_name: &str, name: &str) -> Result<String, String> {
    let (dir, _) = package(package_name)?;
    let file = dir.join("examples").join(format!("{name}.rs"));
    match file.is_file() {
        true => Ok(format!(
            "example `{name}` of `{package_name}` exists (clippy --all-targets builds it)"
        )),
        false => Err(format!("no example {}", file.display())),
    }
}

fn learner_example(args: &[&str]) -> Result<String, String> {
    let (dir, _) = package("learner-example")?;
    let main = std::fs::read_to_string(dir.join("src/main.rs")).unwrap();
    for a in args {
        if let Some(flag) = a.strip_prefix("--") {
            let field = flag.replace('-', "_");
            if !main.contains(&format!("{field}:")) {
                return Err(format!("learner-example has no flag --{flag}"));
            }
        } else if a.contains('/') && !root().join(a).exists() {
            return Err(format!("{a} does not exist"));
        }
    }
    Ok("its flags and files exist; its training loop is crates/learner-example/tests".into())
}

fn ci_runs(line: &str) -> Result<String, String> {
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    match ci.lines().any(|l| l.trim() == line) {
        true => Ok("CI runs it (.ci/run)".into()),
        false => Err("not the command .ci/run runs".into()),
    }
}

fn bench_target(package_name: &str) -> Result<String, String> {
    let (dir, manifest) = package(package_name)?;
    let has_bench = std::fs::read_dir(dir.join("benches"))
        .map(|mut d| d.any(|e| e.unwrap().path().extension().is_some_and(|x| x == "rs")))
        .unwrap_or(false);
    match has_bench && manifest.contains("[[bench]]") {
        true => Ok(format!(
            "`{package_name}` has a bench (clippy --all-targets builds it)"
        )),
        false => Err(format!("`{package_name}` has no bench")),
    }
}

fn cargo_add(w: &[&str]) -> Result<String, String> {
    let name = w.first().ok_or("cargo add of nothing")?;
    let (_, manifest) = package(name)?;
    if manifest.contains("publish = false") {
        return Err(format!("`{name}` is not published"));
    }
    if let Some(features) = flag_value(w, "--features") {
        let section = manifest
            .split("[features]")
            .nth(1)
            .ok_or(format!("`{name}` has no features"))?;
        let section = section.split("\n[").next().unwrap();
        for f in features.split(',') {
            if !section.lines().any(|l| l.starts_with(&format!("{f} ="))) {
                return Err(format!("`{name}` has no feature `{f}`"));
            }
        }
    }
    Ok(format!(
        "`{name}` and its features exist (cargo package -p checks the package)"
    ))
}

fn slurm(w: &[&str]) -> Result<String, String> {
    for script in w.iter().filter(|x| x.starts_with("scripts/")) {
        // The last word of a `$(…)` carries its closing parenthesis.
        let script = script.trim_end_matches(')');
        if !root().join(script).is_file() {
            return Err(format!("{script} does not exist"));
        }
    }
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    match ci.contains("scripts/slurm-ci.sh") && root().join("scripts/slurm-ci.sh").is_file() {
        true => Ok("CI runs this job array for real (scripts/slurm-ci.sh)".into()),
        false => Err("CI no longer runs scripts/slurm-ci.sh".into()),
    }
}

/// A study small enough for a test (as in `tests/study_cli.rs`): two arms, 4 steps a run.
const TINY_STUDY: &str = r#"
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
"#;

const SUBCOMMANDS: [&str; 6] = ["lr", "plot", "report", "lr-find", "bench", "study"];

/// Sets `flag` to `value` (replacing the document's value), or adds a switch.
fn set(args: &mut Vec<String>, flag: &str, value: Option<&str>) {
    match (args.iter().position(|a| a == flag), value) {
        (Some(i), Some(v)) if i + 1 < args.len() => args[i + 1] = v.to_string(),
        (Some(_), None) => {}
        (_, Some(v)) => args.extend([flag.to_string(), v.to_string()]),
        (None, None) => args.push(flag.to_string()),
    }
}

/// A documented argument list made small and kept inside `work`.
fn small(args: &[String], work: &Path) -> Vec<String> {
    let inside = |a: &String| match a.strip_prefix('/') {
        Some(rest) => work.join(rest).display().to_string(),
        None => a.clone(),
    };
    let mut args: Vec<String> = args.iter().map(inside).collect();
    let data = mnist_dir().display().to_string();
    let first = args.first().map(String::as_str);
    let sub = SUBCOMMANDS.into_iter().find(|s| first == Some(*s));
    let flags: &[(&str, Option<&str>)] = match sub {
        None => &[
            ("--backend", Some("flex")),
            ("--epochs", Some("1")),
            ("--batch-size", Some("32")),
            ("--train-limit", Some("320")),
            ("--test-limit", Some("100")),
            ("--validation", Some("100")),
            ("--eval-every", Some("0")),
            ("--quiet", None),
        ],
        Some("lr-find") => &[
            ("--backend", Some("flex")),
            ("--batch-size", Some("32")),
            ("--train-limit", Some("640")),
            ("--steps", Some("20")),
            ("--quiet", None),
        ],
        Some("bench") => &[
            ("--no-reference", None),
            ("--backends", Some("flex")),
            ("--models", Some("lenet")),
            ("--batch-sizes", Some("16")),
            ("--images", Some("256")),
            ("--warmup", Some("1")),
        ],
        Some("study") => &[("--backend", Some("flex")), ("--quiet", None)],
        Some(_) => &[],
    };
    for (flag, value) in flags {
        set(&mut args, flag, *value);
    }
    if matches!(sub, None | Some("lr-find") | Some("study")) {
        set(&mut args, "--data-dir", Some(&data));
        if !args.iter().any(|a| a == "--out") {
            set(&mut args, "--out", Some("runs"));
        }
    }
    if sub == Some("study") && !args.iter().any(|a| a == "--config") {
        set(&mut args, "--config", Some("doc-commands-study.toml"));
    }
    args
}

/// Copies `from` into `to`, folders and files.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Runs one documented `experiments` command in `work`; `Err` with its output on failure.
fn run_experiments(env: &[(String, String)], args: &[String], work: &Path) -> Result<(), String> {
    if args.first().map(String::as_str) == Some("plot") {
        // A sweep no earlier command made: the committed one of that name.
        let dir = work.join(&args[1]);
        let committed = root().join("results").join(dir.file_name().unwrap());
        if !dir.exists() && committed.is_dir() {
            copy_tree(&committed, &dir);
        }
    }
    let mut command = common::bin();
    command
        .current_dir(work)
        .args(args)
        .env("MNIST_DIR", mnist_dir())
        .env_remove("EXPERIMENTS_CONFIGS");
    for (k, v) in env {
        let v = match v.strip_prefix('/') {
            Some(rest) => work.join(rest).display().to_string(),
            None => v.clone(),
        };
        command.env(k, v);
    }
    let out = command.output().expect("the binary runs");
    match out.status.success() {
        true => Ok(()),
        false => Err(format!(
            "exit {:?}\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )),
    }
}

#[test]
fn every_documented_command_runs_or_names_what_exists() {
    let work = TempDir::new("doc-commands");
    copy_tree(&root().join("configs"), &work.join("configs"));
    for folder in ["results", "runs"] {
        std::fs::create_dir_all(work.join(folder)).unwrap();
    }
    std::fs::write(work.join("doc-commands-study.toml"), TINY_STUDY).unwrap();
    let docs = documents();
    for doc in &docs {
        for (name, text) in shown_files(doc) {
            std::fs::write(work.join(name), text).unwrap();
        }
    }

    let mut failures = Vec::new();
    let mut ran: HashMap<String, String> = HashMap::new();
    let mut experiments_runs = 0;
    for doc in &docs {
        for shown in shown_commands(doc) {
            let place = format!("{}: {}", shown.file, shown.line);
            match classify(&shown) {
                Kind::Other(Ok(why)) => eprintln!("checked   {place}\n          {why}"),
                Kind::Other(Err(why)) => failures.push(format!("{place}\n  {why}")),
                Kind::Experiments { env, args } => {
                    // Commands that differ in --out alone share one run.
                    let mut key = args.clone();
                    if let Some(i) = key.iter().position(|a| a == "--out") {
                        key.remove(i);
                        if i < key.len() {
                            key.remove(i);
                        }
                    }
                    let key = format!("{env:?} {key:?}");
                    if let Some(first) = ran.get(&key) {
                        eprintln!("same run  {place}\n          as {first}");
                        continue;
                    }
                    let args = small(&args, &work);
                    let start = Instant::now();
                    let result = run_experiments(&env, &args, &work);
                    eprintln!(
                        "ran       {place}\n          as {} ({:.1} s)",
                        args.join(" "),
                        start.elapsed().as_secs_f64()
                    );
                    experiments_runs += 1;
                    ran.insert(key, place.clone());
                    if let Err(e) = result {
                        failures.push(format!("{place}\n  ran as {}\n  {e}", args.join(" ")));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} documented command(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(experiments_runs >= 10, "only {experiments_runs} runs found");
}

#[test]
fn the_readmes_two_commands_are_found_and_classified() {
    let readme = shown_commands(&root().join("README.md"));
    let kinds: Vec<Kind> = readme.iter().map(classify).collect();
    assert!(
        kinds.contains(&Kind::Experiments {
            env: vec![],
            args: vec!["--schedule".into(), "clr".into()],
        }),
        "{kinds:?}"
    );
    let test = readme
        .iter()
        .find(|c| c.line == "cargo test --workspace")
        .expect("the test command");
    assert!(matches!(classify(test), Kind::Other(Ok(_))));
}

#[test]
fn blocks_words_and_classes_are_read_as_a_shell_would() {
    let md = "text\n```sh\n# a comment\nA=x cargo run --release -p experiments -- --schedule a,b \\\n    --name 'n m'   # trailing\n```\n```toml\n# f.toml\nk = 1\n```\n```sh\nmake all\n```\n";
    let sh = blocks(md, "sh");
    assert_eq!(sh.len(), 2);
    let line = &sh[0][1];
    let shown = Shown {
        file: "x".into(),
        line: line.clone(),
        words: words(line),
    };
    assert_eq!(
        classify(&shown),
        Kind::Experiments {
            env: vec![("A".into(), "x".into())],
            args: ["--schedule", "a,b", "--name", "n m"]
                .map(String::from)
                .to_vec(),
        }
    );
    assert!(words(&sh[0][0]).is_empty());
    // An unknown command, a missing example and a missing feature are failures.
    let other = |line: &str| {
        classify(&Shown {
            file: "x".into(),
            line: line.into(),
            words: words(line),
        })
    };
    for bad in [
        "make all",
        "cargo run -p burn-lr-schedules --example no_such_example",
        "cargo add burn-lr-schedules --features no-such-feature",
        "cargo add learner-example",
        "cargo test -p nothing-ci-runs",
        "cargo bench -p mnist",
    ] {
        assert!(matches!(other(bad), Kind::Other(Err(_))), "{bad}");
    }
    assert!(matches!(
        other("cargo add burn-lr-schedules --features toml"),
        Kind::Other(Ok(_))
    ));
    // --out and absolute paths stay inside the working folder; the data's size is set.
    let work = Path::new("/w");
    let args = small(
        &["--out", "/tmp/r", "--epochs", "5"].map(String::from),
        work,
    );
    assert_eq!(
        args[..4],
        ["--out", "/w/tmp/r", "--epochs", "1"].map(String::from)
    );
    assert!(args.windows(2).any(|w| w == ["--train-limit", "320"]));
}
