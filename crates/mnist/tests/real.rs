//! The real datasets: MNIST from `$MNIST_DIR` or the project's `shared/mnist`, verified against
//! the original checksums; Fashion-MNIST when Debian's package is installed.

mod common;

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use common::*;
use mnist::{DatasetKind, ErrorKind, FILE_NAMES, LoadOptions, load, load_with};

/// `$MNIST_DIR`, else `shared/mnist` beside the repository (where CI puts a copy of shared/).
fn mnist_dir() -> PathBuf {
    let dir = std::env::var_os("MNIST_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/mnist"));
    assert!(
        dir.is_dir(),
        "real MNIST not found at {}; set MNIST_DIR to a folder with the four files",
        dir.display()
    );
    dir
}

#[test]
fn real_mnist_loads_and_verifies() {
    let dir = mnist_dir();
    let start = Instant::now();
    // `load` itself, with the folder given as --data-dir would: no search, no download.
    let data = load(DatasetKind::Mnist, Some(&dir), None, None).unwrap();
    eprintln!("MNIST loaded and verified in {:?}", start.elapsed());
    assert_eq!(data.dir, dir);
    assert_eq!(
        (data.train.count, data.train.rows, data.train.cols),
        (60_000, 28, 28)
    );
    assert_eq!(
        (data.test.count, data.test.rows, data.test.cols),
        (10_000, 28, 28)
    );
    assert_eq!(data.train.images.len(), 60_000 * 784);
    assert_eq!(data.test.images.len(), 10_000 * 784);
    assert_eq!(data.train.labels[..5], [5, 0, 4, 1, 9]);
    assert_eq!(data.test.labels[..5], [7, 2, 1, 0, 4]);
    // The first training image is a 5: ink in the middle, none in the corner.
    let first = data.train.image(0).unwrap();
    assert_eq!(first[0], 0);
    assert!(first.iter().filter(|&&p| p > 128).count() > 100);

    let limited = load(DatasetKind::Mnist, Some(&dir), Some(100), Some(10)).unwrap();
    assert_eq!((limited.train.count, limited.test.count), (100, 10));
    assert_eq!(limited.train.images[..], data.train.images[..100 * 784]);
    assert_eq!(limited.test.labels[..], data.test.labels[..10]);
}

/// One label changed in the real test labels: well-formed, in range, and still refused.
#[test]
fn tampered_real_file_fails_its_checksum() {
    let dir = mnist_dir();
    let tmp = TempDir::new("tampered_real_file");
    for name in &FILE_NAMES[..3] {
        let gz = format!("{name}.gz");
        std::fs::copy(dir.join(&gz), tmp.path().join(&gz)).unwrap();
    }
    let mut labels = Vec::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(dir.join("t10k-labels-idx1-ubyte.gz")).unwrap(),
    )
    .read_to_end(&mut labels)
    .unwrap();
    assert_eq!(labels[8], 7);
    labels[8] = 1;
    std::fs::write(tmp.path().join("t10k-labels-idx1-ubyte"), &labels).unwrap();

    let options = LoadOptions {
        verify_checksums: true,
        ..explicit(tmp.path())
    };
    let err = load_with(DatasetKind::Mnist, &options).unwrap_err();
    eprintln!("{err}");
    assert_eq!(err.kind(), ErrorKind::Checksum);
    assert!(
        err.to_string().starts_with(&format!(
            "t10k-labels-idx1-ubyte in {}: SHA-256 ",
            tmp.path().display()
        )),
        "{err}"
    );
    assert!(
        err.to_string().contains("the original MNIST's ff7bcfd4"),
        "{err}"
    );

    // MNIST files are not Fashion-MNIST: the checksum tells them apart.
    let err = load(DatasetKind::FashionMnist, Some(&dir), None, None).unwrap_err();
    eprintln!("{err}");
    assert_eq!(err.kind(), ErrorKind::Checksum);
}

/// Debian's `dataset-fashion-mnist` package: required where `FASHION_MNIST_DIR` names it (CI
/// sets it), skipped when it is unset and the package is not installed.
#[test]
fn fashion_mnist_verifies_if_installed() {
    let given = std::env::var_os("FASHION_MNIST_DIR").filter(|v| !v.is_empty());
    let dir = given
        .clone()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/share/datasets/fashion-mnist"));
    assert!(
        given.is_none() || dir.is_dir(),
        "FASHION_MNIST_DIR={} is not a folder",
        dir.display()
    );
    if !dir.is_dir() {
        eprintln!(
            "skipped: no Fashion-MNIST at {} (apt-get install dataset-fashion-mnist)",
            dir.display()
        );
        return;
    }
    let data = load(DatasetKind::FashionMnist, Some(&dir), None, None).unwrap();
    assert_eq!((data.train.count, data.test.count), (60_000, 10_000));
    assert_eq!(data.train.labels[..5], [9, 0, 0, 3, 0]);
    assert_eq!(data.test.labels[..5], [9, 2, 1, 1, 6]);
}
