//! The bench's table on stdout and its CSV: a row per backend, model and batch size, with
//! PyTorch's rate, the FLOP/s against the peak, and the GPU's reads and kernels per step.

use std::collections::HashMap;

use super::machine::{PEAK_REPS, PEAK_SIZE};
use super::{Training, warmup};
use crate::backend::BackendKind;
use crate::error::{Error, Result};
use crate::fsio;
use crate::model::ModelKind;
use crate::plan::BenchPlan;
use crate::traffic::Traffic;

/// One line of the table.
pub struct Row {
    pub backend: BackendKind,
    pub model: ModelKind,
    pub batch: usize,
    pub training: Training,
    pub evaluation: f64,
}

/// The CSV header: the table's columns (the share of the peak in percent), with the FLOP per
/// image and the peak the share is of. PyTorch's cells are empty with `--no-reference`.
const CSV_HEADER: [&str; 16] = [
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
];

/// Prints the table of `rows` (and writes the CSV where asked), each share taken of `peak`.
pub fn print(
    plan: &BenchPlan,
    rows: &[Row],
    reference: &HashMap<(ModelKind, usize), f64>,
    peak: f64,
) -> Result<()> {
    let against = match &plan.reference {
        None => "Burn alone".to_string(),
        Some(r) => format!("PyTorch on {}", r.device),
    };
    println!(
        "\nTraining images/s, {} threads, {} (lr 1e-3), random data on the device, {} warm-up steps{}, losses read as training reads them{}, {against}.",
        plan.threads,
        plan.optimizer.name(),
        plan.warmup,
        match plan.backends.contains(&BackendKind::Wgpu) {
            true => format!(" (on wgpu at least {})", warmup(0, Traffic::GPU)),
            false => String::new(),
        },
        if plan.unfused {
            ", kernel fusion off"
        } else {
            ""
        },
    );
    println!(
        "Peak: {peak:.1} GFLOP/s ({PEAK_SIZE}×{PEAK_SIZE}×{PEAK_SIZE} fp32 gemm, {} threads, best of {PEAK_REPS} before the measurements and {PEAK_REPS} after).",
        plan.threads
    );
    let flop: Vec<String> = plan
        .models
        .iter()
        .map(|m| {
            format!(
                "{} {:.2} MFLOP",
                m.name(),
                m.train_flop_per_image() as f64 / 1e6
            )
        })
        .collect();
    println!(
        "Training FLOP per image (conv and linear layers, backward 2× forward, no input gradient for the first layer): {}.\n",
        flop.join(", ")
    );
    println!(
        "| backend | model | batch | Burn img/s | PyTorch img/s | Burn / PyTorch | evaluation img/s | evaluation / training | GFLOP/s | % of peak | cores busy | reads/step | kernels/step | new kernels after warm-up |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut csv = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| Error::new(format!("cannot write the bench CSV: {e}"));
    csv.write_record(CSV_HEADER).map_err(csv_error)?;
    for row in rows {
        let rate = row.training.images_per_second;
        let torch = reference.get(&(row.model, row.batch)).copied();
        let flop = row.model.train_flop_per_image();
        let gflops = rate * flop as f64 / 1e9;
        let share = 100.0 * gflops / peak;
        let (torch_cell, ratio_cell) = match torch {
            Some(r) => (format!("{r:.0}"), format!("{:.2}×", rate / r)),
            None => ("–".into(), "–".into()),
        };
        let cores_cell = row
            .training
            .cores_busy
            .map_or("–".into(), |c| format!("{c:.2}"));
        println!(
            "| {} | {} | {} | {rate:.0} | {torch_cell} | {ratio_cell} | {:.0} | {:.2}× | {gflops:.1} | {share:.1}% | {cores_cell} | {:.3} | {:.1} | {} |",
            row.backend.name(),
            row.model.name(),
            row.batch,
            row.evaluation,
            row.evaluation / rate,
            row.training.reads_per_step,
            row.training.kernels_per_step,
            row.training.new_kernels,
        );
        let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        csv.write_record([
            row.backend.name().to_string(),
            row.model.name().to_string(),
            row.batch.to_string(),
            rate.to_string(),
            opt(torch),
            opt(torch.map(|r| rate / r)),
            row.evaluation.to_string(),
            (row.evaluation / rate).to_string(),
            flop.to_string(),
            gflops.to_string(),
            share.to_string(),
            peak.to_string(),
            opt(row.training.cores_busy),
            row.training.reads_per_step.to_string(),
            row.training.kernels_per_step.to_string(),
            row.training.new_kernels.to_string(),
        ])
        .map_err(csv_error)?;
    }
    if let Some(path) = &plan.csv {
        let bytes = csv
            .into_inner()
            .map_err(|e| Error::new(format!("cannot write the bench CSV: {e}")))?;
        fsio::write_atomic(path, &bytes)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
