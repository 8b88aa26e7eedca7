//! Search, download and verification put together: the crate's entry points.

use std::path::{Path, PathBuf};

use crate::data::{Data, DatasetKind};
use crate::download::{MNIST_MIRROR, download};
use crate::error::DataError;
use crate::locate::{Located, candidates, explicit_missing, locate, not_found};
use crate::verify::read_split;

/// How [`load_with`] searches, downloads and verifies; [`LoadOptions::new`] gives what
/// [`load`] uses. Tests build their own so that they need neither the network nor changes to
/// the process environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    /// A folder the user named. When set, only it is read and lacking files is an error: a
    /// typo in `--data-dir` must not silently train on some other copy.
    pub explicit: Option<PathBuf>,
    /// Folders tried in order when `explicit` is `None`; the first holding all four files wins.
    pub search: Vec<PathBuf>,
    /// Base URL of the four `.gz` files, fetched with `curl` when no folder has them; `None`
    /// disables the download.
    pub download_url: Option<String>,
    /// Folder the download goes into.
    pub download_dir: PathBuf,
    /// Compare each file's SHA-256 with the original's. Off only for synthetic fixtures.
    pub verify_checksums: bool,
    /// Keep only the first N training items (after the whole file is verified).
    pub train_limit: Option<usize>,
    /// Keep only the first N test items (after the whole file is verified).
    pub test_limit: Option<usize>,
}

impl LoadOptions {
    /// What [`load`] does: search [`candidates`], verify checksums, and for MNIST download
    /// from [`MNIST_MIRROR`] into `./data/mnist` unless `MNIST_NO_DOWNLOAD` is set (to anything
    /// but empty or `0`). Fashion-MNIST has no download; its Debian package is the easy way.
    pub fn new(kind: DatasetKind, explicit: Option<&Path>) -> Self {
        let no_download =
            std::env::var_os("MNIST_NO_DOWNLOAD").is_some_and(|v| !v.is_empty() && v != "0");
        let download_url = match kind {
            DatasetKind::Mnist if !no_download => Some(MNIST_MIRROR.to_string()),
            _ => None,
        };
        LoadOptions {
            explicit: explicit.map(Path::to_path_buf),
            search: candidates(kind, None),
            download_url,
            download_dir: kind.default_dir(),
            verify_checksums: true,
            train_limit: None,
            test_limit: None,
        }
    }
}

/// Finds, reads and verifies `kind` with the defaults of [`LoadOptions::new`]: the first of
/// [`candidates`] holding all four files (or only `explicit`, when given), else a download.
/// The limits keep the first N items of each split.
pub fn load(
    kind: DatasetKind,
    explicit: Option<&Path>,
    train_limit: Option<usize>,
    test_limit: Option<usize>,
) -> Result<Data, DataError> {
    let options = LoadOptions {
        train_limit,
        test_limit,
        ..LoadOptions::new(kind, explicit)
    };
    load_with(kind, &options)
}

/// [`load`] with every choice spelled out.
pub fn load_with(kind: DatasetKind, options: &LoadOptions) -> Result<Data, DataError> {
    if let Some(dir) = &options.explicit {
        return match locate(dir) {
            Ok(files) => read_dataset(kind, dir, &files, options),
            Err(missing) => Err(explicit_missing(kind, dir, &missing)),
        };
    }
    let mut searched = Vec::with_capacity(options.search.len());
    for dir in &options.search {
        match locate(dir) {
            Ok(files) => return read_dataset(kind, dir, &files, options),
            Err(missing) => searched.push((dir.as_path(), 4 - missing.len())),
        }
    }
    let download_failure = match &options.download_url {
        Some(url) => match download(url, &options.download_dir) {
            Ok(()) => match locate(&options.download_dir) {
                Ok(files) => return read_dataset(kind, &options.download_dir, &files, options),
                Err(_) => Some(format!("download from {url} left files missing")),
            },
            Err(why) => Some(why),
        },
        None => None,
    };
    Err(not_found(kind, &searched, download_failure.as_deref()))
}

/// Reads and verifies all four files of `dir` into [`Data`].
fn read_dataset(
    kind: DatasetKind,
    dir: &Path,
    files: &[Located; 4],
    options: &LoadOptions,
) -> Result<Data, DataError> {
    let digests = options.verify_checksums.then(|| kind.digests());
    let digest = |i: usize| digests.map(|d| d[i]);
    let train = read_split(
        kind,
        [&files[0], &files[1]],
        [digest(0), digest(1)],
        options.train_limit,
    )?;
    let test = read_split(
        kind,
        [&files[2], &files[3]],
        [digest(2), digest(3)],
        options.test_limit,
    )?;
    Ok(Data {
        train,
        test,
        dir: dir.to_path_buf(),
    })
}
