//! Where the files may be, which folder holds them, and the errors when none does.

use std::path::{Path, PathBuf};

use crate::data::{DatasetKind, FILE_NAMES};
use crate::error::{DataError, ErrorKind};

/// Folders searched, in order: `explicit` (a `--data-dir` flag), then `$MNIST_DIR` /
/// `$FASHION_MNIST_DIR`, then `./data/mnist` / `./data/fashion-mnist`, then for MNIST Burn's
/// download cache (`burn-dataset/mnist` under the user cache folder) and for Fashion-MNIST the
/// Debian package's `/usr/share/datasets/fashion-mnist`. Duplicates are dropped.
pub fn candidates(kind: DatasetKind, explicit: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    dirs.extend(explicit.map(Path::to_path_buf));
    if let Some(dir) = std::env::var_os(kind.env_var()).filter(|v| !v.is_empty()) {
        dirs.push(PathBuf::from(dir));
    }
    dirs.push(kind.default_dir());
    match kind {
        DatasetKind::Mnist => dirs.extend(burn_cache_dirs()),
        DatasetKind::FashionMnist => dirs.push(PathBuf::from("/usr/share/datasets/fashion-mnist")),
    }
    let mut unique = Vec::with_capacity(dirs.len());
    for dir in dirs {
        if !unique.contains(&dir) {
            unique.push(dir);
        }
    }
    unique
}

/// Where burn-dataset's `MnistDataset` caches the files: `dirs::cache_dir()/burn-dataset/mnist`
/// (older releases used `$HOME/.cache` on every platform), with the raw files in `train/` and
/// `test/` subfolders, which [`locate`] understands.
fn burn_cache_dirs() -> Vec<PathBuf> {
    let env_dir = |var: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let home = env_dir("HOME");
    let mut caches = Vec::new();
    if cfg!(target_os = "macos") {
        caches.extend(home.as_ref().map(|h| h.join("Library/Caches")));
    } else if cfg!(windows) {
        caches.extend(env_dir("LOCALAPPDATA"));
    } else {
        caches.extend(env_dir("XDG_CACHE_HOME"));
    }
    caches.extend(home.map(|h| h.join(".cache")));
    caches
        .into_iter()
        .map(|c| c.join("burn-dataset").join("mnist"))
        .collect()
}

/// A file found on disk, and whether to gunzip it.
#[derive(Clone, Debug)]
pub(crate) struct Located {
    pub(crate) path: PathBuf,
    pub(crate) gz: bool,
}

/// The four files in `dir`, raw preferred over `.gz` (no decompression), each also looked for
/// in a `train/` or `test/` subfolder (burn-dataset's layout); else the names of those missing.
pub(crate) fn locate(dir: &Path) -> Result<[Located; 4], Vec<&'static str>> {
    let mut found = Vec::with_capacity(4);
    let mut missing = Vec::new();
    for (i, name) in FILE_NAMES.iter().enumerate() {
        let sub = dir.join(if i < 2 { "train" } else { "test" });
        let gz_name = format!("{name}.gz");
        let options = [
            (dir.join(name), false),
            (dir.join(&gz_name), true),
            (sub.join(name), false),
            (sub.join(&gz_name), true),
        ];
        match options.into_iter().find(|(p, _)| p.is_file()) {
            Some((path, gz)) => found.push(Located { path, gz }),
            None => missing.push(*name),
        }
    }
    match <[Located; 4]>::try_from(found) {
        Ok(files) if missing.is_empty() => Ok(files),
        _ => Err(missing),
    }
}

/// `train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, ...`: what to put where.
fn gz_list() -> String {
    FILE_NAMES.map(|n| format!("{n}.gz")).join(", ")
}

/// What to say when a search of `kind` found nothing: the files, where they go, how else to
/// point at them, what was searched and why the download did not help.
pub(crate) fn not_found(
    kind: DatasetKind,
    searched: &[(&Path, usize)],
    download: Option<&str>,
) -> DataError {
    let install = match kind {
        DatasetKind::Mnist => String::new(),
        DatasetKind::FashionMnist => "install Debian's dataset-fashion-mnist package or ".into(),
    };
    let places: Vec<String> = searched
        .iter()
        .map(|(dir, n)| match n {
            0 => dir.display().to_string(),
            n => format!("{} (only {n} of 4 files)", dir.display()),
        })
        .collect();
    let mut message = format!(
        "{} not found; {install}put {} into {} (or pass --data-dir DIR / set {}); searched: {}",
        kind.name(),
        gz_list(),
        kind.default_dir().display(),
        kind.env_var(),
        if places.is_empty() {
            "nothing".to_string()
        } else {
            places.join(", ")
        },
    );
    match (kind, download) {
        (_, Some(why)) => message.push_str(&format!("; {why}")),
        (DatasetKind::Mnist, None) => message.push_str("; download skipped (MNIST_NO_DOWNLOAD)"),
        (DatasetKind::FashionMnist, None) => {}
    }
    DataError::new(ErrorKind::NotFound, message)
}

/// The error for a `--data-dir` lacking files: name it, and do not look elsewhere.
pub(crate) fn explicit_missing(kind: DatasetKind, dir: &Path, missing: &[&str]) -> DataError {
    let problem = if dir.is_dir() {
        let names: Vec<String> = missing.iter().map(|n| format!("{n}(.gz)")).collect();
        format!("lacks {}", names.join(", "))
    } else {
        "does not exist".to_string()
    };
    DataError::new(
        ErrorKind::NotFound,
        format!(
            "{} data dir {} {problem}; put {} there (raw or .gz), or drop --data-dir to search {}",
            kind.name(),
            dir.display(),
            gz_list(),
            kind.default_dir().display(),
        ),
    )
}
