//! Finds, reads and verifies MNIST and Fashion-MNIST in their original IDX format.
//!
//! Each of the four files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
//! `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`) may be gzip-compressed (`.gz`) or raw.
//! Everything is checked before a byte reaches training: IDX magic, 28×28 dimensions, equal
//! image and label counts, file length against the header, label range, and the SHA-256 of each
//! uncompressed file against the published originals. Every failure is a [`DataError`] whose
//! message is one line naming the problem, the file and the fix; no input makes this crate panic.
//!
//! ```no_run
//! let data = mnist::load(mnist::DatasetKind::Mnist, None, None, Some(1000))?;
//! assert_eq!(data.train.count, 60_000);
//! assert_eq!(data.test.count, 1000);
//! # Ok::<(), mnist::DataError>(())
//! ```

use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};

/// Rows of every image in both datasets.
pub const ROWS: usize = 28;
/// Columns of every image in both datasets.
pub const COLS: usize = 28;

/// The four file names, without `.gz`: train images, train labels, test images, test labels.
pub const FILE_NAMES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Where MNIST is downloaded from when it is nowhere on disk (the mirror PyTorch uses since
/// the original site started refusing downloads).
pub const MNIST_MIRROR: &str = "https://ossci-datasets.s3.amazonaws.com/mnist/";

/// SHA-256 of the uncompressed MNIST originals, in [`FILE_NAMES`] order (the widely published
/// values; equal to `shared/mnist/SHA256SUMS`).
const MNIST_SHA256: [&str; 4] = [
    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
];

/// SHA-256 of the uncompressed Fashion-MNIST files, in [`FILE_NAMES`] order. Upstream publishes
/// only MD5s of its `.gz` files, so these were computed from Debian's `dataset-fashion-mnist`
/// package (upstream commit 55506a9). Debian recompressed the files (its `.gz` MD5s differ from
/// upstream's), so the uncompressed bytes, which these digests cover, are what stays comparable.
const FASHION_MNIST_SHA256: [&str; 4] = [
    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
];

/// IDX magic of an unsigned-byte, three-dimensional file (images).
const IMAGES_MAGIC: u32 = 2051;
/// IDX magic of an unsigned-byte, one-dimensional file (labels).
const LABELS_MAGIC: u32 = 2049;
/// Upper bound on an uncompressed file. The largest real one holds 47,040,016 bytes; the cap
/// keeps a gzip bomb or a hostile header from exhausting memory before it is rejected.
const MAX_FILE_BYTES: u64 = 64 << 20;
/// The classes of both datasets are 0..=9.
const CLASSES: u8 = 10;

/// Which dataset to load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DatasetKind {
    /// Handwritten digits (LeCun, Cortes, Burges).
    Mnist,
    /// Zalando's clothing images, a drop-in replacement with the same format and sizes.
    FashionMnist,
}

impl DatasetKind {
    /// Human-readable name, as used in messages: `MNIST` or `Fashion-MNIST`.
    pub fn name(self) -> &'static str {
        match self {
            DatasetKind::Mnist => "MNIST",
            DatasetKind::FashionMnist => "Fashion-MNIST",
        }
    }

    /// Environment variable naming a folder to search: `MNIST_DIR` or `FASHION_MNIST_DIR`.
    pub fn env_var(self) -> &'static str {
        match self {
            DatasetKind::Mnist => "MNIST_DIR",
            DatasetKind::FashionMnist => "FASHION_MNIST_DIR",
        }
    }

    /// Project-local folder, relative to the working directory, where the files belong:
    /// `./data/mnist` or `./data/fashion-mnist`. Downloads go there too.
    pub fn default_dir(self) -> PathBuf {
        match self {
            DatasetKind::Mnist => PathBuf::from("./data/mnist"),
            DatasetKind::FashionMnist => PathBuf::from("./data/fashion-mnist"),
        }
    }

    fn digests(self) -> &'static [&'static str; 4] {
        match self {
            DatasetKind::Mnist => &MNIST_SHA256,
            DatasetKind::FashionMnist => &FASHION_MNIST_SHA256,
        }
    }
}

impl fmt::Display for DatasetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One split (train or test): images and their labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// `count * rows * cols` pixels, row-major, one image after another, 0 (background) to 255.
    pub images: Vec<u8>,
    /// `count` labels, each in `0..10`.
    pub labels: Vec<u8>,
    /// Number of images (and labels).
    pub count: usize,
    /// Rows per image (28).
    pub rows: usize,
    /// Columns per image (28).
    pub cols: usize,
}

impl Split {
    /// Pixels of image `i` (`rows * cols` bytes, row-major), or `None` past the end.
    pub fn image(&self, i: usize) -> Option<&[u8]> {
        let size = self.rows * self.cols;
        self.images
            .get(i.checked_mul(size)?..i.checked_add(1)?.checked_mul(size)?)
    }
}

/// A whole dataset, verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Data {
    /// The training split (60,000 items unless limited).
    pub train: Split,
    /// The test split (10,000 items unless limited).
    pub test: Split,
    /// The folder the files were read from.
    pub dir: PathBuf,
}

/// What went wrong, for callers that react differently (e.g. offer a download on `NotFound`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No folder holds all four files, or the explicitly given one lacks some.
    NotFound,
    /// A file exists but cannot be read.
    Io,
    /// A `.gz` file is truncated or corrupt.
    Gzip,
    /// The content is not what MNIST looks like: magic, dimensions, length, counts, labels.
    Format,
    /// The content is well-formed but differs from the original (tampered or another dataset).
    Checksum,
}

/// A failure to find, read or verify the dataset; its message is one line naming the
/// problem, the file and the fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError {
    kind: ErrorKind,
    message: String,
}

impl DataError {
    /// The category of the failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// `"<file> in <dir>: <problem>; <fix>"`, the shape of every per-file message.
    fn file(kind: ErrorKind, path: &Path, problem: impl fmt::Display, fix: &str) -> Self {
        let message = format!("{}: {problem}; {fix}", describe(path));
        DataError { kind, message }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DataError {}

/// `t10k-images-idx3-ubyte.gz in /x`, the way messages name a file.
fn describe(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => format!("{name} in {}", dir.display()),
        None => name.into_owned(),
    }
}

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

/// A file found on disk, and whether to gunzip it.
#[derive(Clone, Debug)]
struct Located {
    path: PathBuf,
    gz: bool,
}

/// The four files in `dir`, raw preferred over `.gz` (no decompression), each also looked for
/// in a `train/` or `test/` subfolder (burn-dataset's layout); else the names of those missing.
fn locate(dir: &Path) -> Result<[Located; 4], Vec<&'static str>> {
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
fn not_found(kind: DatasetKind, searched: &[(&Path, usize)], download: Option<&str>) -> DataError {
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
    DataError {
        kind: ErrorKind::NotFound,
        message,
    }
}

/// The error for a `--data-dir` lacking files: name it, and do not look elsewhere.
fn explicit_missing(kind: DatasetKind, dir: &Path, missing: &[&str]) -> DataError {
    let problem = if dir.is_dir() {
        let names: Vec<String> = missing.iter().map(|n| format!("{n}(.gz)")).collect();
        format!("lacks {}", names.join(", "))
    } else {
        "does not exist".to_string()
    };
    DataError {
        kind: ErrorKind::NotFound,
        message: format!(
            "{} data dir {} {problem}; put {} there (raw or .gz), or drop --data-dir to search {}",
            kind.name(),
            dir.display(),
            gz_list(),
            kind.default_dir().display(),
        ),
    }
}

/// Fetches the files missing from `dir` with `curl`, each into a `.part` file renamed when
/// complete, so an interrupted download never looks like a finished file. Returns why not.
fn download(url: &str, dir: &Path) -> Result<(), String> {
    let missing = match locate(dir) {
        Ok(_) => return Ok(()),
        Err(missing) => missing,
    };
    // Folders this call creates (deepest first), removed again if the download fails.
    let created: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .map(Path::to_path_buf)
        .collect();
    let result = (|| {
        fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {} for the download ({e})", dir.display()))?;
        for name in missing {
            let target = dir.join(format!("{name}.gz"));
            let part = dir.join(format!("{name}.gz.part"));
            let file_url = format!("{}/{name}.gz", url.trim_end_matches('/'));
            let output = Command::new("curl")
                .args(["-fsSL", "--connect-timeout", "10", "--max-time", "60", "-o"])
                .arg(&part)
                .arg(&file_url)
                .output();
            let failure = match output {
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    Some("no download: curl not found".to_string())
                }
                Err(e) => Some(format!(
                    "download of {file_url} failed: cannot run curl ({e})"
                )),
                Ok(out) if !out.status.success() => {
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    let why = stderr
                        .lines()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or("no message");
                    Some(format!(
                        "download of {file_url} failed: {} ({})",
                        out.status,
                        why.trim()
                    ))
                }
                Ok(_) => None,
            };
            if let Some(why) = failure {
                let _ = fs::remove_file(&part);
                return Err(why);
            }
            fs::rename(&part, &target)
                .map_err(|e| format!("cannot rename {} after download ({e})", part.display()))?;
        }
        Ok(())
    })();
    if result.is_err() {
        // Leave no empty folders behind; `remove_dir` fails harmlessly on a non-empty one.
        for folder in &created {
            let _ = fs::remove_dir(folder);
        }
    }
    result
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

/// Reads one split's images and labels, checks they agree, then applies the limit.
fn read_split(
    kind: DatasetKind,
    [images_file, labels_file]: [&Located; 2],
    [images_digest, labels_digest]: [Option<&str>; 2],
    limit: Option<usize>,
) -> Result<Split, DataError> {
    let images = read_checked(kind, images_file, Expect::Images, images_digest)?;
    let labels = read_checked(kind, labels_file, Expect::Labels, labels_digest)?;
    if images.count != labels.count {
        return Err(DataError::file(
            ErrorKind::Format,
            &labels_file.path,
            format_args!(
                "{} labels but {} has {} images",
                labels.count,
                images_file
                    .path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy(),
                images.count
            ),
            "the two files come from different splits or datasets, download them again",
        ));
    }
    let count = limit.map_or(images.count, |n| n.min(images.count));
    let mut images_data = images.data;
    let mut labels_data = labels.data;
    images_data.truncate(count * ROWS * COLS);
    labels_data.truncate(count);
    Ok(Split {
        images: images_data,
        labels: labels_data,
        count,
        rows: ROWS,
        cols: COLS,
    })
}

/// Which of the two MNIST file types a path must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Images,
    Labels,
}

/// Reads `file` and checks everything MNIST-specific: magic, 28×28, checksum, label range.
fn read_checked(
    kind: DatasetKind,
    file: &Located,
    expect: Expect,
    digest: Option<&str>,
) -> Result<IdxFile, DataError> {
    let path = &file.path;
    let bytes = read_bytes(path, file.gz)?;
    // Structure first: a wrong file is better named by its magic than by its checksum.
    let header = parse_header(path, &bytes, Some(expect))?;
    let what = match expect {
        Expect::Images => "images",
        Expect::Labels => "labels",
    };
    check_length(path, &header, bytes.len(), what)?;
    if expect == Expect::Images && header.dims[1..] != [ROWS, COLS] {
        return Err(DataError::file(
            ErrorKind::Format,
            path,
            format_args!(
                "images are {}x{} (expected {ROWS}x{COLS})",
                header.dims[1], header.dims[2]
            ),
            &format!("not {}, use the original files", kind.name()),
        ));
    }
    if let Some(want) = digest {
        let got = sha256_hex(&bytes);
        if got != want {
            return Err(DataError::file(
                ErrorKind::Checksum,
                path,
                format_args!(
                    "SHA-256 {got} of the uncompressed file differs from the original {}'s {want}",
                    kind.name()
                ),
                "the file is corrupt, altered or from another dataset, download it again",
            ));
        }
    }
    let idx = into_idx(bytes, header);
    let bad_label = match expect {
        Expect::Labels => idx.data.iter().position(|&l| l >= CLASSES),
        Expect::Images => None,
    };
    if let Some(i) = bad_label {
        return Err(DataError::file(
            ErrorKind::Format,
            path,
            format_args!(
                "label {} at item {i} is out of range (expected 0..=9)",
                idx.data[i]
            ),
            "the file is corrupt, download it again",
        ));
    }
    Ok(idx)
}

/// An IDX file: its magic, dimensions and payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxFile {
    /// The magic number, `0x0000_08NN` for unsigned bytes in `NN` dimensions (2051 images,
    /// 2049 labels).
    pub magic: u32,
    /// Number of items: the first dimension.
    pub count: usize,
    /// All dimensions, the item count first (`[count, 28, 28]` for images, `[count]` for labels).
    pub dims: Vec<usize>,
    /// The payload after the header, `dims` multiplied together bytes long.
    pub data: Vec<u8>,
}

/// Reads an unsigned-byte IDX file, gunzipping it when its name ends in `.gz`, and checks that
/// its length equals what its header declares. No checksum: [`load`] does that.
pub fn read_idx(path: &Path) -> Result<IdxFile, DataError> {
    let gz = path.extension().is_some_and(|e| e == "gz");
    let bytes = read_bytes(path, gz)?;
    let header = parse_header(path, &bytes, None)?;
    check_length(path, &header, bytes.len(), "items")?;
    Ok(into_idx(bytes, header))
}

/// The parsed header of an IDX file.
#[derive(Clone, Debug)]
struct Header {
    magic: u32,
    dims: Vec<usize>,
    /// Bytes before the payload: 4 + 4 per dimension.
    len: usize,
}

/// Parses magic and dimensions, accepting only unsigned bytes in 1 to 3 dimensions, and with
/// `expect` only that type's magic.
fn parse_header(path: &Path, bytes: &[u8], expect: Option<Expect>) -> Result<Header, DataError> {
    let word = |i: usize| {
        bytes
            .get(4 * i..4 * i + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let too_short = || {
        DataError::file(
            ErrorKind::Format,
            path,
            format_args!("too short for an IDX header ({} bytes)", bytes.len()),
            "the file is truncated, download it again",
        )
    };
    let magic = word(0).ok_or_else(too_short)?;
    let ndims = (magic & 0xff) as usize;
    let is_idx = magic >> 8 == 0x08 && (1..=3).contains(&ndims);
    let (expected, other) = match expect {
        Some(Expect::Images) => (
            "2051 for images",
            (magic == LABELS_MAGIC).then_some("is it a labels file?"),
        ),
        Some(Expect::Labels) => (
            "2049 for labels",
            (magic == IMAGES_MAGIC).then_some("is it an images file?"),
        ),
        None => ("2051 for images or 2049 for labels", None),
    };
    let wanted = match expect {
        Some(Expect::Images) => magic == IMAGES_MAGIC,
        Some(Expect::Labels) => magic == LABELS_MAGIC,
        None => is_idx,
    };
    if !wanted {
        let named_gz = path.extension().is_some_and(|e| e == "gz");
        let hint = match other {
            Some(other) => other,
            None if !named_gz && bytes.starts_with(&[0x1f, 0x8b]) => {
                "the file is gzip-compressed, add .gz to its name"
            }
            None => "not an MNIST IDX file, download it again",
        };
        return Err(DataError::file(
            ErrorKind::Format,
            path,
            format_args!("wrong IDX magic {magic} (expected {expected})"),
            hint,
        ));
    }
    let dims = (1..=ndims)
        .map(|i| word(i).map(|d| d as usize).ok_or_else(too_short))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Header {
        magic,
        dims,
        len: 4 + 4 * ndims,
    })
}

/// Checks that the file is exactly header plus the payload its dimensions declare.
fn check_length(path: &Path, header: &Header, actual: usize, what: &str) -> Result<(), DataError> {
    // u64 with checked products: a hostile header must not overflow into a "valid" length.
    let declared = header
        .dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
        .and_then(|payload| payload.checked_add(header.len as u64));
    let actual = actual as u64;
    let count = header.dims[0];
    let Some(declared) = declared.filter(|&d| d <= actual) else {
        let size = declared.map_or("over 2^64 bytes".to_string(), |d| format!("{d} bytes"));
        return Err(DataError::file(
            ErrorKind::Format,
            path,
            format_args!(
                "truncated: the header declares {count} {what} ({size}) but the file has {actual} bytes"
            ),
            "download it again",
        ));
    };
    if actual > declared {
        return Err(DataError::file(
            ErrorKind::Format,
            path,
            format_args!(
                "{} trailing bytes after the {count} {what} the header declares ({declared} bytes)",
                actual - declared
            ),
            "the file is corrupt or concatenated, download it again",
        ));
    }
    Ok(())
}

/// Strips the header in place (a memmove, no second buffer).
fn into_idx(mut bytes: Vec<u8>, header: Header) -> IdxFile {
    bytes.drain(..header.len);
    IdxFile {
        magic: header.magic,
        count: header.dims[0],
        dims: header.dims,
        data: bytes,
    }
}

/// The uncompressed bytes of `path`, refusing anything larger than [`MAX_FILE_BYTES`].
fn read_bytes(path: &Path, gz: bool) -> Result<Vec<u8>, DataError> {
    let io_error = |e: io::Error| {
        DataError::file(
            ErrorKind::Io,
            path,
            format_args!("cannot read ({e})"),
            "check that the file is readable",
        )
    };
    let too_large = |size: String| {
        DataError::file(
            ErrorKind::Format,
            path,
            format_args!("{size} bytes uncompressed, more than any MNIST file"),
            "not an MNIST file, download it again",
        )
    };
    let raw = fs::read(path).map_err(io_error)?;
    if !gz {
        if raw.len() as u64 > MAX_FILE_BYTES {
            return Err(too_large(raw.len().to_string()));
        }
        return Ok(raw);
    }
    // The gzip trailer's ISIZE (length mod 2^32) sizes the buffer so it is allocated once;
    // capped, since a hostile trailer must not reserve memory either.
    let hint = raw
        .len()
        .checked_sub(4)
        .and_then(|i| raw.get(i..))
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64);
    let mut out = Vec::with_capacity(hint.min(MAX_FILE_BYTES) as usize);
    let mut decoder = MultiGzDecoder::new(raw.as_slice()).take(MAX_FILE_BYTES + 1);
    if let Err(e) = decoder.read_to_end(&mut out) {
        let (problem, fix) = match e.kind() {
            // flate2 words this "incomplete deflate stream" or "unexpected end of file"
            // depending on where the cut falls; one wording serves the user better.
            io::ErrorKind::UnexpectedEof => (
                "truncated gzip stream (unexpected end of file)".to_string(),
                "download it again",
            ),
            _ if out.is_empty() && !raw.starts_with(&[0x1f, 0x8b]) => (
                format!("not gzip-compressed ({e})"),
                "if it is a raw IDX file, drop .gz from its name",
            ),
            _ => (format!("damaged gzip data ({e})"), "download it again"),
        };
        return Err(DataError::file(ErrorKind::Gzip, path, problem, fix));
    }
    if out.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(format!("more than {MAX_FILE_BYTES}")));
    }
    Ok(out)
}

/// Lowercase hex SHA-256, the form `sha256sum` prints.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
