//! The error type: every failure is one line naming the problem, the file and the fix.

use std::fmt;
use std::path::Path;

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

    /// An error whose whole message the caller has composed (the not-found ones, which name
    /// folders rather than one file).
    pub(crate) fn new(kind: ErrorKind, message: String) -> Self {
        DataError { kind, message }
    }

    /// `"<file> in <dir>: <problem>; <fix>"`, the shape of every per-file message.
    pub(crate) fn file(
        kind: ErrorKind,
        path: &Path,
        problem: impl fmt::Display,
        fix: &str,
    ) -> Self {
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
