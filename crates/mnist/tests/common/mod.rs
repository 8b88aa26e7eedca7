//! Fixtures shared by the integration tests: synthetic IDX files in per-test temp folders.
#![allow(dead_code)] // each test file uses a different subset

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use mnist::{FILE_NAMES, LoadOptions};

/// A folder unique to this process and test, removed when dropped. Tests run in parallel
/// threads of one process, so the test name keeps them apart.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(test: &str) -> Self {
        let path = std::env::temp_dir().join(format!("mnist-test-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A subfolder, created.
    pub fn sub(&self, name: &str) -> PathBuf {
        let dir = self.0.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The pixel every fixture holds at `offset` of image `i`, so tests can check placement.
pub fn pixel(i: usize, offset: usize) -> u8 {
    (i * 31 + offset * 7) as u8
}

/// An images IDX file of `count` images of `rows`x`cols`.
pub fn images_idx(count: u32, rows: u32, cols: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend(2051u32.to_be_bytes());
    bytes.extend(count.to_be_bytes());
    bytes.extend(rows.to_be_bytes());
    bytes.extend(cols.to_be_bytes());
    let size = (rows * cols) as usize;
    for i in 0..count as usize {
        bytes.extend((0..size).map(|o| pixel(i, o)));
    }
    bytes
}

/// A labels IDX file holding `labels`.
pub fn labels_idx(labels: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend(2049u32.to_be_bytes());
    bytes.extend((labels.len() as u32).to_be_bytes());
    bytes.extend(labels);
    bytes
}

/// The label every fixture holds at item `i`.
pub fn label(i: usize) -> u8 {
    (i * 3 % 10) as u8
}

pub fn labels_for(count: usize) -> Vec<u8> {
    (0..count).map(label).collect()
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Writes `bytes` as file `name` (one of [`FILE_NAMES`]) into `dir`, gzipped with `.gz` or raw.
pub fn write(dir: &Path, name: &str, bytes: &[u8], gz: bool) -> PathBuf {
    let path = if gz {
        dir.join(format!("{name}.gz"))
    } else {
        dir.join(name)
    };
    let data = if gz { gzip(bytes) } else { bytes.to_vec() };
    std::fs::write(&path, data).unwrap();
    path
}

/// The four files of a valid 28x28 dataset with `train` and `test` items.
pub fn dataset_files(train: usize, test: usize) -> [Vec<u8>; 4] {
    [
        images_idx(train as u32, 28, 28),
        labels_idx(&labels_for(train)),
        images_idx(test as u32, 28, 28),
        labels_idx(&labels_for(test)),
    ]
}

/// Writes a valid dataset into `dir`.
pub fn write_dataset(dir: &Path, train: usize, test: usize, gz: bool) {
    for (name, bytes) in FILE_NAMES.iter().zip(dataset_files(train, test)) {
        write(dir, name, &bytes, gz);
    }
}

/// Options that search only `search`, never download and skip checksums (synthetic files
/// cannot match the originals).
pub fn options(search: &[&Path]) -> LoadOptions {
    LoadOptions {
        explicit: None,
        search: search.iter().map(|p| p.to_path_buf()).collect(),
        download_url: None,
        download_dir: std::env::temp_dir().join("mnist-test-never-used"),
        verify_checksums: false,
        train_limit: None,
        test_limit: None,
    }
}

/// Options reading only `dir`, as `--data-dir` does.
pub fn explicit(dir: &Path) -> LoadOptions {
    LoadOptions {
        explicit: Some(dir.to_path_buf()),
        ..options(&[])
    }
}
