//! The MNIST-specific checks on top of IDX parsing: 28×28 images, labels in range, matching
//! counts, and the SHA-256 of each file against the published originals.

use sha2::{Digest, Sha256};

use crate::data::{COLS, DatasetKind, ROWS, Split};
use crate::error::{DataError, ErrorKind};
use crate::idx::{Expect, IdxFile, check_length, into_idx, parse_header, read_bytes};
use crate::locate::Located;

/// The classes of both datasets are 0..=9.
const CLASSES: u8 = 10;

/// SHA-256 of the uncompressed MNIST originals, in [`FILE_NAMES`](crate::FILE_NAMES) order
/// (the widely published values; equal to `shared/mnist/SHA256SUMS`).
const MNIST_SHA256: [&str; 4] = [
    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
];

/// SHA-256 of the uncompressed Fashion-MNIST files, in [`FILE_NAMES`](crate::FILE_NAMES) order.
/// Upstream publishes only MD5s of its `.gz` files, so these were computed from Debian's
/// `dataset-fashion-mnist` package (upstream commit 55506a9). Debian recompressed the files
/// (its `.gz` MD5s differ from upstream's), so the uncompressed bytes, which these digests
/// cover, are what stays comparable.
const FASHION_MNIST_SHA256: [&str; 4] = [
    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
];

impl DatasetKind {
    /// The SHA-256 of each uncompressed file, in [`FILE_NAMES`](crate::FILE_NAMES) order.
    pub(crate) fn digests(self) -> &'static [&'static str; 4] {
        match self {
            DatasetKind::Mnist => &MNIST_SHA256,
            DatasetKind::FashionMnist => &FASHION_MNIST_SHA256,
        }
    }
}

/// Reads one split's images and labels, checks they agree, then applies the limit.
pub(crate) fn read_split(
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

/// Lowercase hex SHA-256, the form `sha256sum` prints.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
