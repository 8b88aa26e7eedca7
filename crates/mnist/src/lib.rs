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

#![warn(missing_docs)]

// One module per job, each using only those before it in this order, so the graph stays
// acyclic: `data` (types, file names) and `error` at the bottom; `idx` (IDX parsing, gzip);
// `locate` (which folder holds the files); `verify` (the MNIST checks, checksums); `download`;
// `load` (the entry points) on top. They are private: every public item keeps its path at the
// crate root.
mod data;
mod download;
mod error;
mod idx;
mod load;
mod locate;
mod verify;

pub use data::{COLS, Data, DatasetKind, FILE_NAMES, ROWS, Split};
pub use download::MNIST_MIRROR;
pub use error::{DataError, ErrorKind};
pub use idx::{IdxFile, read_idx};
pub use load::{LoadOptions, load, load_with};
pub use locate::candidates;
