//! The preset files the experiments ship, for the fuzz test and the `step()` benchmark.

/// `configs/schedules/*.toml` as `(name, text)`, in name order: read from the folder, so a new
/// preset is covered without listing it anywhere.
pub fn read_presets() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../configs/schedules");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("configs/schedules exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no presets in {dir}");
    files
}
