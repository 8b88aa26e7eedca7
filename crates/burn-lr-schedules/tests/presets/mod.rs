//! The preset files the experiments ship, for the fuzz test and the `step()` benchmark.

/// The run the presets' shares are taken of: the default experiment, 3 epochs of 430 steps.
const RUN_STEPS: f64 = 1290.0;

/// `text` with every quoted share of the run (`"50%"`) written as steps of [`RUN_STEPS`],
/// rounded as `burn_lr_schedules::shares` rounds, so the presets parse without the `toml` feature.
fn sized(text: &str) -> String {
    text.split('"')
        .enumerate()
        .map(|(i, part)| {
            let share = (i % 2 == 1)
                .then(|| part.strip_suffix('%')?.parse::<f64>().ok())
                .flatten();
            match share {
                Some(p) => ((p / 100.0 * RUN_STEPS).round() as u64).max(1).to_string(),
                None if i % 2 == 1 => format!("\"{part}\""),
                None => part.to_string(),
            }
        })
        .collect()
}

/// `configs/schedules/*.toml` as `(name, text)`, in name order, their shares of the run made
/// steps: read from the folder, so a new preset is covered without listing it anywhere.
pub fn read_presets() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../configs/schedules");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("configs/schedules exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, sized(&std::fs::read_to_string(&p).unwrap()))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no presets in {dir}");
    files
}

#[test]
fn shares_become_steps_and_other_strings_stay() {
    assert_eq!(
        sized("kind = \"cosine\"\ntotal_steps = \"100%\"\nm = [\"50%\", \"7%\"]"),
        "kind = \"cosine\"\ntotal_steps = 1290\nm = [645, 90]"
    );
}
