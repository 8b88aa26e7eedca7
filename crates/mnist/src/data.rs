//! The dataset types and the facts shared by both datasets. Depends on nothing else in the
//! crate, so every other module may use it.

use std::fmt;
use std::path::PathBuf;

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
