//! Loading and verification on tiny synthetic IDX files: every accepted layout, every rejected
//! input with its one-line message, search order and download, all without the network.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use mnist::{DataError, DatasetKind, ErrorKind, FILE_NAMES, LoadOptions, load_with, read_idx};

const MNIST: DatasetKind = DatasetKind::Mnist;

/// Loads with `options` expecting failure; prints the message so `--nocapture` shows them all.
fn fail(options: &LoadOptions) -> DataError {
    let err = load_with(MNIST, options).expect_err("load should fail");
    let message = err.to_string();
    eprintln!("{message}");
    assert!(
        !message.contains('\n'),
        "message must be one line: {message}"
    );
    err
}

fn check_dataset(dir: &Path, train: usize, test: usize, options: &LoadOptions) {
    let data = load_with(MNIST, options).unwrap();
    assert_eq!(data.dir, dir);
    for (split, count) in [(&data.train, train), (&data.test, test)] {
        assert_eq!((split.count, split.rows, split.cols), (count, 28, 28));
        assert_eq!(split.images.len(), count * 28 * 28);
        assert_eq!(split.labels, labels_for(count));
        for i in 0..count {
            let image = split.image(i).unwrap();
            assert!(image.iter().enumerate().all(|(o, &p)| p == pixel(i, o)));
        }
        assert!(split.image(count).is_none());
    }
}

#[test]
fn raw_files_load() {
    let tmp = TempDir::new("raw_files_load");
    write_dataset(tmp.path(), 5, 3, false);
    check_dataset(tmp.path(), 5, 3, &options(&[tmp.path()]));
}

#[test]
fn gz_files_load() {
    let tmp = TempDir::new("gz_files_load");
    write_dataset(tmp.path(), 5, 3, true);
    check_dataset(tmp.path(), 5, 3, &options(&[tmp.path()]));
}

#[test]
fn mixed_raw_and_gz_load() {
    let tmp = TempDir::new("mixed_raw_and_gz_load");
    for (i, (name, bytes)) in FILE_NAMES.iter().zip(dataset_files(4, 2)).enumerate() {
        write(tmp.path(), name, &bytes, i % 2 == 0);
    }
    check_dataset(tmp.path(), 4, 2, &options(&[tmp.path()]));
}

/// burn-dataset caches raw files in `mnist/train/` and `mnist/test/`.
#[test]
fn burn_cache_layout_loads() {
    let tmp = TempDir::new("burn_cache_layout_loads");
    let [train_images, train_labels, test_images, test_labels] = dataset_files(3, 2);
    let train = tmp.sub("train");
    let test = tmp.sub("test");
    write(&train, FILE_NAMES[0], &train_images, false);
    write(&train, FILE_NAMES[1], &train_labels, false);
    write(&test, FILE_NAMES[2], &test_images, false);
    write(&test, FILE_NAMES[3], &test_labels, false);
    check_dataset(tmp.path(), 3, 2, &options(&[tmp.path()]));
}

#[test]
fn limits_keep_the_first_items() {
    let tmp = TempDir::new("limits_keep_the_first_items");
    write_dataset(tmp.path(), 6, 4, true);
    let limited = LoadOptions {
        train_limit: Some(2),
        test_limit: Some(100),
        ..options(&[tmp.path()])
    };
    let data = load_with(MNIST, &limited).unwrap();
    assert_eq!(data.train.count, 2);
    assert_eq!(data.train.labels, labels_for(2));
    assert_eq!(data.train.images.len(), 2 * 28 * 28);
    assert_eq!(data.train.image(1).unwrap()[5], pixel(1, 5));
    // A limit above the count keeps everything.
    assert_eq!(data.test.count, 4);
    assert_eq!(data.test.labels, labels_for(4));

    let none = LoadOptions {
        train_limit: Some(0),
        ..options(&[tmp.path()])
    };
    let data = load_with(MNIST, &none).unwrap();
    assert_eq!((data.train.count, data.train.images.len()), (0, 0));
}

/// A limit must not skip verification of the rest of the file.
#[test]
fn limits_still_verify_the_whole_file() {
    let tmp = TempDir::new("limits_still_verify_the_whole_file");
    write_dataset(tmp.path(), 4, 2, false);
    let mut labels = labels_for(4);
    labels[3] = 10;
    write(tmp.path(), FILE_NAMES[1], &labels_idx(&labels), false);
    let limited = LoadOptions {
        train_limit: Some(1),
        ..options(&[tmp.path()])
    };
    let err = fail(&limited);
    assert_eq!(err.kind(), ErrorKind::Format);
    assert!(
        err.to_string()
            .contains("label 10 at item 3 is out of range"),
        "{err}"
    );
}

#[test]
fn labels_file_in_place_of_images_names_the_magic() {
    let tmp = TempDir::new("labels_file_in_place_of_images");
    write_dataset(tmp.path(), 3, 2, false);
    write(
        tmp.path(),
        FILE_NAMES[0],
        &labels_idx(&labels_for(3)),
        false,
    );
    let err = fail(&options(&[tmp.path()]));
    assert_eq!(err.kind(), ErrorKind::Format);
    assert_eq!(
        err.to_string(),
        format!(
            "train-images-idx3-ubyte in {}: wrong IDX magic 2049 (expected 2051 for images); is it a labels file?",
            tmp.path().display()
        )
    );
}

#[test]
fn images_file_in_place_of_labels_names_the_magic() {
    let tmp = TempDir::new("images_file_in_place_of_labels");
    write_dataset(tmp.path(), 3, 2, true);
    write(tmp.path(), FILE_NAMES[3], &images_idx(2, 28, 28), true);
    let err = fail(&options(&[tmp.path()]));
    assert_eq!(
        err.to_string(),
        format!(
            "t10k-labels-idx1-ubyte.gz in {}: wrong IDX magic 2051 (expected 2049 for labels); is it an images file?",
            tmp.path().display()
        )
    );
}

#[test]
fn garbage_magic_is_rejected() {
    let tmp = TempDir::new("garbage_magic_is_rejected");
    write_dataset(tmp.path(), 3, 2, false);
    let mut bytes = images_idx(3, 28, 28);
    bytes[..4].copy_from_slice(b"GIF8");
    write(tmp.path(), FILE_NAMES[0], &bytes, false);
    let err = fail(&options(&[tmp.path()]));
    assert_eq!(err.kind(), ErrorKind::Format);
    assert!(
        err.to_string().contains(
            "wrong IDX magic 1195984440 (expected 2051 for images); not an MNIST IDX file"
        )
    );
}

/// A gzip file without `.gz` in its name is recognised and the rename suggested.
#[test]
fn gzip_without_suffix_suggests_renaming() {
    let tmp = TempDir::new("gzip_without_suffix");
    write_dataset(tmp.path(), 3, 2, false);
    std::fs::write(tmp.path().join(FILE_NAMES[2]), gzip(&images_idx(2, 28, 28))).unwrap();
    let err = fail(&options(&[tmp.path()]));
    assert!(
        err.to_string().starts_with("t10k-images-idx3-ubyte in "),
        "{err}"
    );
    assert!(
        err.to_string().ends_with(
            "(expected 2051 for images); the file is gzip-compressed, add .gz to its name"
        ),
        "{err}"
    );
}

/// A raw file named `.gz` is recognised and the rename suggested.
#[test]
fn raw_file_named_gz_suggests_renaming() {
    let tmp = TempDir::new("raw_file_named_gz");
    write_dataset(tmp.path(), 3, 2, true);
    std::fs::write(
        tmp.path().join("train-labels-idx1-ubyte.gz"),
        labels_idx(&labels_for(3)),
    )
    .unwrap();
    let err = fail(&options(&[tmp.path()]));
    assert_eq!(err.kind(), ErrorKind::Gzip);
    assert!(
        err.to_string()
            .starts_with("train-labels-idx1-ubyte.gz in "),
        "{err}"
    );
    assert!(err.to_string().contains(": not gzip-compressed ("), "{err}");
    assert!(
        err.to_string()
            .ends_with("; if it is a raw IDX file, drop .gz from its name"),
        "{err}"
    );
}

#[test]
fn wrong_dimensions_are_rejected() {
    let tmp = TempDir::new("wrong_dimensions_are_rejected");
    write_dataset(tmp.path(), 3, 2, false);
    write(tmp.path(), FILE_NAMES[2], &images_idx(2, 32, 32), false);
    let err = fail(&options(&[tmp.path()]));
    assert_eq!(
        err.to_string(),
        format!(
            "t10k-images-idx3-ubyte in {}: images are 32x32 (expected 28x28); not MNIST, use the original files",
            tmp.path().display()
        )
    );
}

#[test]
fn image_label_count_mismatch_is_rejected() {
    let tmp = TempDir::new("image_label_count_mismatch");
    write_dataset(tmp.path(), 3, 2, true);
    write(tmp.path(), FILE_NAMES[1], &labels_idx(&labels_for(4)), true);
    let err = fail(&options(&[tmp.path()]));
    assert_eq!(err.kind(), ErrorKind::Format);
    assert_eq!(
        err.to_string(),
        format!(
            "train-labels-idx1-ubyte.gz in {}: 4 labels but train-images-idx3-ubyte.gz has 3 images; the two files come from different splits or datasets, download them again",
            tmp.path().display()
        )
    );
}

#[test]
fn label_out_of_range_is_rejected() {
    let tmp = TempDir::new("label_out_of_range");
    write_dataset(tmp.path(), 3, 2, false);
    write(tmp.path(), FILE_NAMES[3], &labels_idx(&[1, 200]), false);
    let err = fail(&options(&[tmp.path()]));
    assert_eq!(
        err.to_string(),
        format!(
            "t10k-labels-idx1-ubyte in {}: label 200 at item 1 is out of range (expected 0..=9); the file is corrupt, download it again",
            tmp.path().display()
        )
    );
}

#[test]
fn truncated_gzip_is_a_clear_error() {
    let tmp = TempDir::new("truncated_gzip");
    write_dataset(tmp.path(), 3, 2, true);
    let gz = gzip(&images_idx(2, 28, 28));
    std::fs::write(
        tmp.path().join("t10k-images-idx3-ubyte.gz"),
        &gz[..gz.len() / 2],
    )
    .unwrap();
    let err = fail(&options(&[tmp.path()]));
    assert_eq!(err.kind(), ErrorKind::Gzip);
    assert_eq!(
        err.to_string(),
        format!(
            "t10k-images-idx3-ubyte.gz in {}: truncated gzip stream (unexpected end of file); download it again",
            tmp.path().display()
        )
    );
}

/// Damage inside the stream is caught by deflate or gzip's CRC.
#[test]
fn corrupt_gzip_is_a_clear_error() {
    let tmp = TempDir::new("corrupt_gzip");
    write_dataset(tmp.path(), 3, 2, true);
    let mut gz = gzip(&images_idx(3, 28, 28));
    let end = gz.len() - 6;
    gz[end] ^= 0xff; // inside the CRC-32 of the trailer
    std::fs::write(tmp.path().join("train-images-idx3-ubyte.gz"), &gz).unwrap();
    let err = fail(&options(&[tmp.path()]));
    assert_eq!(err.kind(), ErrorKind::Gzip);
    assert!(err.to_string().contains(": damaged gzip data ("), "{err}");
    assert!(err.to_string().ends_with("; download it again"), "{err}");
}

#[test]
fn truncated_raw_file_is_rejected() {
    let tmp = TempDir::new("truncated_raw_file");
    write_dataset(tmp.path(), 3, 2, false);
    let bytes = images_idx(3, 28, 28);
    std::fs::write(tmp.path().join(FILE_NAMES[0]), &bytes[..2000]).unwrap();
    let err = fail(&options(&[tmp.path()]));
    assert_eq!(
        err.to_string(),
        format!(
            "train-images-idx3-ubyte in {}: truncated: the header declares 3 images (2368 bytes) but the file has 2000 bytes; download it again",
            tmp.path().display()
        )
    );
}

#[test]
fn trailing_bytes_are_rejected() {
    let tmp = TempDir::new("trailing_bytes");
    write_dataset(tmp.path(), 3, 2, true);
    let mut bytes = labels_idx(&labels_for(2));
    bytes.extend([0, 0, 0]);
    write(tmp.path(), FILE_NAMES[3], &bytes, true);
    let err = fail(&options(&[tmp.path()]));
    assert_eq!(
        err.to_string(),
        format!(
            "t10k-labels-idx1-ubyte.gz in {}: 3 trailing bytes after the 2 labels the header declares (10 bytes); the file is corrupt or concatenated, download it again",
            tmp.path().display()
        )
    );
}

#[test]
fn too_short_header_is_rejected() {
    let tmp = TempDir::new("too_short_header");
    write_dataset(tmp.path(), 3, 2, false);
    std::fs::write(tmp.path().join(FILE_NAMES[1]), [0, 0, 8, 1, 0]).unwrap();
    let err = fail(&options(&[tmp.path()]));
    assert_eq!(
        err.to_string(),
        format!(
            "train-labels-idx1-ubyte in {}: too short for an IDX header (5 bytes); the file is truncated, download it again",
            tmp.path().display()
        )
    );
}

/// A header declaring u32::MAX images must be refused by its length, not allocated.
#[test]
fn huge_declared_count_is_rejected_without_allocating() {
    let tmp = TempDir::new("huge_declared_count");
    write_dataset(tmp.path(), 3, 2, false);
    let mut bytes = images_idx(3, 28, 28);
    bytes[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
    bytes[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
    write(tmp.path(), FILE_NAMES[0], &bytes, false);
    let err = fail(&options(&[tmp.path()]));
    assert!(
        err.to_string()
            .contains("truncated: the header declares 4294967295 images (over 2^64 bytes) but the file has 2368 bytes; download it again"),
        "{err}"
    );
}

/// Synthetic files are well-formed but not the originals, so with checksums on they fail.
#[test]
fn checksum_mismatch_is_rejected() {
    let tmp = TempDir::new("checksum_mismatch");
    write_dataset(tmp.path(), 3, 2, true);
    let verified = LoadOptions {
        verify_checksums: true,
        ..options(&[tmp.path()])
    };
    let err = fail(&verified);
    assert_eq!(err.kind(), ErrorKind::Checksum);
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "train-images-idx3-ubyte.gz in {}: SHA-256 ",
            tmp.path().display()
        )),
        "{message}"
    );
    assert!(
        message.ends_with(" of the uncompressed file differs from the original MNIST's ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db; the file is corrupt, altered or from another dataset, download it again"),
        "{message}"
    );
    // Fashion-MNIST has its own digests.
    let err = load_with(DatasetKind::FashionMnist, &verified).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Checksum);
    assert!(
        err.to_string()
            .contains("the original Fashion-MNIST's c59f468a"),
        "{err}"
    );
}

#[test]
fn explicit_dir_without_files_is_an_error_naming_it() {
    let tmp = TempDir::new("explicit_dir_without_files");
    let good = tmp.sub("good");
    write_dataset(&good, 3, 2, true);
    let partial = tmp.sub("partial");
    write(&partial, FILE_NAMES[0], &images_idx(3, 28, 28), true);
    write(&partial, FILE_NAMES[1], &labels_idx(&labels_for(3)), false);
    // A valid folder in the search list must not be used instead.
    let options = LoadOptions {
        search: vec![good.clone()],
        ..explicit(&partial)
    };
    let err = fail(&options);
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(
        err.to_string(),
        format!(
            "MNIST data dir {} lacks t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz); put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz there (raw or .gz), or drop --data-dir to search ./data/mnist",
            partial.display()
        )
    );

    let missing = tmp.path().join("no-such-dir");
    let err = fail(&LoadOptions {
        search: vec![good],
        ..explicit(&missing)
    });
    assert!(
        err.to_string().starts_with(&format!(
            "MNIST data dir {} does not exist; put ",
            missing.display()
        )),
        "{err}"
    );
}

#[test]
fn explicit_dir_with_files_loads() {
    let tmp = TempDir::new("explicit_dir_with_files");
    write_dataset(tmp.path(), 2, 1, true);
    check_dataset(tmp.path(), 2, 1, &explicit(tmp.path()));
}

#[test]
fn first_complete_folder_wins() {
    let tmp = TempDir::new("first_complete_folder_wins");
    let empty = tmp.sub("empty");
    let partial = tmp.sub("partial");
    write(&partial, FILE_NAMES[0], &images_idx(1, 28, 28), true);
    let first = tmp.sub("first");
    write_dataset(&first, 2, 1, true);
    let second = tmp.sub("second");
    write_dataset(&second, 4, 3, false);
    let data = load_with(MNIST, &options(&[&empty, &partial, &first, &second])).unwrap();
    assert_eq!((data.dir, data.train.count), (first, 2));
}

/// The first complete folder is used even if it is bad: its error is reported, not skipped.
#[test]
fn a_bad_first_folder_is_reported_not_skipped() {
    let tmp = TempDir::new("a_bad_first_folder_is_reported");
    let bad = tmp.sub("bad");
    write_dataset(&bad, 3, 2, false);
    std::fs::write(bad.join(FILE_NAMES[3]), b"").unwrap();
    let good = tmp.sub("good");
    write_dataset(&good, 3, 2, false);
    let err = fail(&options(&[&bad, &good]));
    assert!(
        err.to_string().starts_with(&format!(
            "t10k-labels-idx1-ubyte in {}: too short",
            bad.display()
        )),
        "{err}"
    );
}

#[test]
fn not_found_lists_the_files_and_where_to_put_them() {
    let tmp = TempDir::new("not_found_lists_the_files");
    let a = tmp.path().join("a");
    let b = tmp.sub("b");
    write(&b, FILE_NAMES[2], &images_idx(1, 28, 28), true);
    write(&b, FILE_NAMES[3], &labels_idx(&[1]), false);
    let err = fail(&options(&[&a, &b]));
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(
        err.to_string(),
        format!(
            "MNIST not found; put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz into ./data/mnist (or pass --data-dir DIR / set MNIST_DIR); searched: {}, {} (only 2 of 4 files); download skipped (MNIST_NO_DOWNLOAD)",
            a.display(),
            b.display()
        )
    );

    let err = load_with(DatasetKind::FashionMnist, &options(&[&a])).unwrap_err();
    eprintln!("{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "Fashion-MNIST not found; install Debian's dataset-fashion-mnist package or put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz into ./data/fashion-mnist (or pass --data-dir DIR / set FASHION_MNIST_DIR); searched: {}",
            a.display()
        )
    );
}

#[test]
fn candidates_follow_the_documented_order() {
    let explicit = Path::new("/some/where");
    let mnist = mnist::candidates(MNIST, Some(explicit));
    assert_eq!(mnist[0], explicit);
    let local = mnist
        .iter()
        .position(|p| p == Path::new("./data/mnist"))
        .unwrap();
    if let Some(dir) = std::env::var_os("MNIST_DIR").filter(|v| !v.is_empty()) {
        assert_eq!(mnist.iter().position(|p| p.as_os_str() == dir), Some(1));
    }
    let burn: Vec<_> = mnist.iter().skip(local + 1).collect();
    assert!(!burn.is_empty() || std::env::var_os("HOME").is_none());
    assert!(
        burn.iter().all(|p| p.ends_with("burn-dataset/mnist")),
        "{burn:?}"
    );

    let fashion = mnist::candidates(DatasetKind::FashionMnist, None);
    let local = fashion
        .iter()
        .position(|p| p == Path::new("./data/fashion-mnist"))
        .unwrap();
    let debian = Path::new("/usr/share/datasets/fashion-mnist");
    match std::env::var_os("FASHION_MNIST_DIR").filter(|v| !v.is_empty()) {
        // The variable comes first (CI points it at Debian's folder, then listed once).
        Some(dir) => {
            assert_eq!(fashion[0].as_os_str(), dir);
            assert_eq!(local, 1);
        }
        None => assert_eq!(fashion.last().unwrap(), debian),
    }
    assert!(fashion.contains(&debian.to_path_buf()));
    assert_eq!(DatasetKind::Mnist.name(), "MNIST");
    assert_eq!(DatasetKind::FashionMnist.name(), "Fashion-MNIST");
}

#[test]
fn read_idx_reads_any_unsigned_byte_idx() {
    let tmp = TempDir::new("read_idx_reads_any");
    let path = write(tmp.path(), "x-images", &images_idx(2, 3, 4), true);
    let idx = read_idx(&path).unwrap();
    assert_eq!(
        (idx.magic, idx.count, idx.dims.clone()),
        (2051, 2, vec![2, 3, 4])
    );
    assert_eq!(idx.data.len(), 24);
    let path = write(tmp.path(), "x-labels", &labels_idx(&[7, 8, 9]), false);
    assert_eq!(read_idx(&path).unwrap().data, [7, 8, 9]);
    let err = read_idx(&tmp.path().join("missing")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    eprintln!("{err}");
    assert!(err.to_string().starts_with("missing in "), "{err}");
    assert!(
        err.to_string()
            .ends_with("; check that the file is readable"),
        "{err}"
    );
}

/// No prefix of a file and no single-byte change of its header may panic; every prefix of a
/// gzip file is an error.
#[test]
fn no_damage_panics() {
    let tmp = TempDir::new("no_damage_panics");
    write_dataset(tmp.path(), 2, 1, true);
    let raw = images_idx(2, 28, 28);
    let gz = gzip(&raw);
    let target = tmp.path().join("train-images-idx3-ubyte.gz");
    let options = options(&[tmp.path()]);
    for end in 0..gz.len() {
        std::fs::write(&target, &gz[..end]).unwrap();
        assert!(
            load_with(MNIST, &options).is_err(),
            "prefix of {end} bytes loaded"
        );
        assert!(read_idx(&target).is_err());
    }
    std::fs::remove_file(&target).unwrap();
    let target = tmp.path().join("train-images-idx3-ubyte");
    for at in 0..16 {
        for value in [0u8, 1, 3, 8, 0x1c, 0x80, 0xff] {
            let mut bytes = raw.clone();
            bytes[at] = value;
            std::fs::write(&target, &bytes).unwrap();
            let _ = load_with(MNIST, &options);
            let _ = read_idx(&target);
        }
    }
}

fn curl_available() -> bool {
    Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The download path, exercised through curl's `file://` support instead of the network.
#[test]
fn download_fetches_missing_files() {
    if !curl_available() {
        eprintln!("skipped: no curl");
        return;
    }
    let tmp = TempDir::new("download_fetches_missing_files");
    let mirror = tmp.sub("mirror");
    write_dataset(&mirror, 3, 2, true);
    let target = tmp.path().join("data").join("mnist");
    let options = LoadOptions {
        download_url: Some(format!("file://{}/", mirror.display())),
        download_dir: target.clone(),
        ..options(&[&tmp.path().join("empty")])
    };
    let data = load_with(MNIST, &options).unwrap();
    assert_eq!(
        (data.dir, data.train.count, data.test.count),
        (target.clone(), 3, 2)
    );
    let mut names: Vec<_> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz",
            "train-images-idx3-ubyte.gz",
            "train-labels-idx1-ubyte.gz"
        ]
    );
}

#[test]
fn failed_download_is_reported_in_not_found() {
    let tmp = TempDir::new("failed_download_is_reported");
    let target = tmp.path().join("data").join("mnist");
    let options = LoadOptions {
        download_url: Some(format!(
            "file://{}/",
            tmp.path().join("no-mirror").display()
        )),
        download_dir: target.clone(),
        ..options(&[&tmp.path().join("empty")])
    };
    let err = fail(&options);
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let message = err.to_string();
    assert!(
        message.starts_with("MNIST not found; put train-images-idx3-ubyte.gz, "),
        "{message}"
    );
    if curl_available() {
        let url = format!(
            "file://{}/train-images-idx3-ubyte.gz",
            tmp.path().join("no-mirror").display()
        );
        assert!(
            message.contains(&format!("; download of {url} failed: exit status: 37 (")),
            "{message}"
        );
    } else {
        assert!(
            message.ends_with("; no download: curl not found"),
            "{message}"
        );
    }
    // No half-made folder or partial file is left behind.
    assert!(!tmp.path().join("data").exists());
}
