//! `experiments bench --no-reference` on tiny settings: the CSV's columns and that every number
//! in it is finite and positive, shares of the peak in (0, 100], one read a step and no kernel
//! launches on the CPU; and one-line errors for bad flags. No timing is asserted.

use std::process::Output;

mod common;

use common::{TempDir, assert_one_line_error, ok};

fn bench(extra: &[&str]) -> Output {
    common::bin()
        .arg("bench")
        .args([
            "--no-reference",
            "--backends",
            "flex",
            "--models",
            "lenet",
            "--batch-sizes",
            "16",
            "--images",
            "256",
            "--warmup",
            "1",
        ])
        .args(extra)
        .output()
        .expect("binary runs")
}

#[test]
fn bench_writes_a_csv_of_finite_positive_numbers() {
    let dir = TempDir::new("bench-csv");
    let path = dir.join("bench.csv");
    let out = bench(&["--csv", path.to_str().unwrap()]);
    ok(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Peak: "), "{stdout}");
    assert!(stdout.contains("| flex | lenet | 16 |"), "{stdout}");

    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "backend",
            "model",
            "batch",
            "burn_images_per_second",
            "pytorch_images_per_second",
            "burn_over_pytorch",
            "evaluation_images_per_second",
            "evaluation_over_training",
            "train_flop_per_image",
            "gflops",
            "percent_of_peak",
            "peak_gflops",
            "cores_busy",
            "reads_per_step",
            "kernels_per_step",
            "new_kernels_after_warmup",
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(&row[0], "flex");
    assert_eq!(&row[1], "lenet");
    assert_eq!(&row[2], "16");
    // No reference: PyTorch's cells are empty.
    assert_eq!(&row[4], "");
    assert_eq!(&row[5], "");
    // The CPU reads each step's loss as it trains, and launches no CubeCL kernel.
    assert_eq!(&row[13], "1");
    assert_eq!(&row[14], "0");
    assert_eq!(&row[15], "0");
    for (name, cell) in header.iter().zip(row.iter()).skip(2).take(11) {
        if name.starts_with("pytorch") || name == "burn_over_pytorch" {
            continue;
        }
        let v: f64 = cell.parse().unwrap_or_else(|_| panic!("{name}: {cell:?}"));
        assert!(v.is_finite() && v > 0.0, "{name} = {v}");
        if name == "percent_of_peak" {
            assert!(v <= 100.0, "{name} = {v}");
        }
    }
}

#[test]
fn a_csv_path_in_a_missing_folder_is_a_one_line_error() {
    let dir = TempDir::new("bench-bad-csv");
    let path = dir.join("no-such-folder").join("bench.csv");
    let out = bench(&["--csv", path.to_str().unwrap()]);
    assert_one_line_error(&out, "--csv");
}
